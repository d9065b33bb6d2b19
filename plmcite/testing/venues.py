"""Venue knowledge the fakes need beyond the records (DBLP streams, event months, OpenReview ids).

The table lives in ``data/venues.json`` so that a new venue is a data change. Lookups never fail:
an unknown venue gets a generic, clearly derived presentation (DBLP stream ``conf/<series>``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .records import PublishedRecord

_VENUE = re.compile(r"^(?P<findings>Findings of )?(?P<series>.+?) (?P<year>\d{4})(?: (?P<extra>.+))?$")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@lru_cache(maxsize=1)
def table() -> dict[str, Any]:
    return json.loads((Path(__file__).parent / "data" / "venues.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Venue:
    series: str  # "EMNLP"
    findings: bool
    extra: str | None  # "Workshop (DPFM)", "(Datasets and Benchmarks Track)"
    event_key: str  # "EMNLP 2024" (venue_short without the Findings prefix)
    series_info: dict[str, Any]
    event: dict[str, Any]

    @property
    def month(self) -> int | None:
        return self.event.get("month")

    @property
    def address(self) -> str | None:
        return self.event.get("address")


def venue_of(pub: PublishedRecord) -> Venue:
    m = _VENUE.match(pub.venue_short)
    if m:
        series, findings, extra = m["series"], bool(m["findings"]), m["extra"]
        event_key = f"{series} {m['year']}" + (f" {extra}" if extra else "")
    else:
        series, findings, extra, event_key = pub.venue_short, False, None, pub.venue_short
    t = table()
    return Venue(
        series=series,
        findings=findings,
        extra=extra,
        event_key=event_key,
        series_info=t["series"].get(series, {}),
        event=t["events"].get(event_key, {}),
    )


def month_of(pub: PublishedRecord) -> int | None:
    return pub.month or venue_of(pub).month


def address_of(pub: PublishedRecord) -> str | None:
    return pub.address or venue_of(pub).address


def container_of(pub: PublishedRecord) -> str | None:
    return pub.container or venue_of(pub).event.get("container")


def crossref_prefix(doi: str) -> dict[str, Any]:
    return table()["crossref_prefixes"].get(doi.split("/", 1)[0], {})


def epoch_ms(day: str | dt.date | dt.datetime) -> int:
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    if not isinstance(day, dt.datetime):
        day = dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.timezone.utc)
    return int(day.timestamp() * 1000)
