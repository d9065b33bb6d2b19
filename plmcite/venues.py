"""The venue table: which venue a service's record names, and how a bibliography names it.

All knowledge lives in ``data/venues.toml`` (see the comments there): a new venue or a new way a
service spells one is a data change. This module only matches a record's venue string (DBLP
venue, OpenReview venueid, ACL Anthology volume, Crossref container) against the table's
patterns and fills the templates (``venue_short``, container, volume) for the record's year.

A venue the table does not know is still reported (``known=False``) with the service's own
wording, so an unknown workshop is cited as the service names it rather than dropped.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable

_ORDINAL_WORDS = (
    "Zeroth First Second Third Fourth Fifth Sixth Seventh Eighth Ninth Tenth Eleventh Twelfth "
    "Thirteenth Fourteenth Fifteenth Sixteenth Seventeenth Eighteenth Nineteenth"
).split()
_TENS = {20: "Twent", 30: "Thirt", 40: "Fort", 50: "Fift", 60: "Sixt", 70: "Sevent", 80: "Eight", 90: "Ninet"}

PATTERN_KEYS = ("dblp", "dblp_ee", "openreview", "acl", "crossref", "dblp_key")


@dataclass(frozen=True)
class Venue:
    """One table entry, compiled."""

    id: str
    spec: dict[str, Any]
    patterns: dict[str, tuple[re.Pattern, ...]]

    @property
    def kind(self) -> str:
        return self.spec.get("kind", "conference")

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(self.spec.get("tags", ()))


@dataclass(frozen=True)
class VenueInfo:
    """A record's venue, resolved for its year."""

    id: str  # "iclr", "findings-emnlp", "personalize" (unknown venues: a slug of the service's name)
    short: str  # "ICLR 2025"
    kind: str  # conference | workshop | journal
    container: str | None  # from the table's template (None when the table has none)
    container_from: str  # "table": the template wins; "source": the publisher's own name wins
    volume: str | None
    publisher: str | None
    known: bool = True


@lru_cache(maxsize=None)
def load_table(text: str | None = None) -> tuple[Venue, ...]:
    """Compile the venue table (the packaged one, or ``text`` in the same format)."""
    if text is None:
        text = resources.files("plmcite.data").joinpath("venues.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    out = []
    for vid, spec in data.items():
        if not isinstance(spec, dict):
            raise ValueError(f"venues.toml: [{vid}] must be a table")
        pats = {}
        for k in PATTERN_KEYS:
            try:
                pats[k] = tuple(re.compile(p) for p in spec.get(k, ()))
            except re.error as e:
                raise ValueError(f"venues.toml: [{vid}] {k}: bad pattern: {e}") from None
        out.append(Venue(vid, spec, pats))
    return tuple(out)


def ordinal(n: int) -> str:
    """41 -> "41st", 12 -> "12th"."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def ordinal_word(n: int) -> str:
    """13 -> "Thirteenth", 42 -> "Forty-Second"."""
    if 0 <= n < 20:
        return _ORDINAL_WORDS[n]
    if 20 <= n < 100:
        tens, ones = divmod(n, 10)
        if ones == 0:
            return _TENS[tens * 10] + "ieth"
        cardinal_tens = {2: "Twenty", 3: "Thirty", 4: "Forty", 5: "Fifty", 6: "Sixty", 7: "Seventy", 8: "Eighty", 9: "Ninety"}[tens]
        return f"{cardinal_tens}-{_ORDINAL_WORDS[ones]}"
    return ordinal(n)


def _fill(template: str | None, fields: dict[str, Any]) -> str | None:
    if not template:
        return None
    try:
        return template.format(**fields)
    except (KeyError, IndexError, ValueError):
        return None  # a template needing a field this record cannot supply (e.g. no year)


def _info(venue: Venue, year: int | None, groups: dict[str, str]) -> VenueInfo:
    spec = venue.spec
    fields: dict[str, Any] = {k: v for k, v in groups.items() if v}
    for k, v in list(fields.items()):
        fields[k.upper()] = v.upper()
    if year is not None:
        fields["year"] = year
        if "first_year" in spec:
            ed = year - int(spec["first_year"]) + 1
            if ed >= 1:
                fields.update(edition=ed, ordinal=ordinal(ed), Ordinal=ordinal_word(ed))
    volume = None
    if year is not None and str(year) in {str(k) for k in spec.get("volumes", {})}:
        volume = str({str(k): v for k, v in spec["volumes"].items()}[str(year)])
    else:
        volume = _fill(spec.get("volume"), fields)
    short = _fill(spec.get("short"), fields) or (f"{venue.id.upper()} {year}" if year else venue.id.upper())
    vid = (_fill(spec.get("id"), fields) or venue.id).lower()
    return VenueInfo(
        id=vid,
        short=short,
        kind=venue.kind,
        container=_fill(spec.get("container"), fields),
        container_from=spec.get("container_from", "source"),
        volume=volume,
        publisher=spec.get("publisher"),
    )


def _match(patterns: Iterable[re.Pattern], text: str) -> re.Match | None:
    for p in patterns:
        m = p.search(text)
        if m:
            return m
    return None


def identify(source: str, raw: str | None, year: int | None, *, ee: Iterable[str] = (),
             table: tuple[Venue, ...] | None = None) -> VenueInfo | None:
    """The venue a service names with ``raw`` (None when the table does not know it).

    ``source`` picks the pattern set: ``dblp`` (venue string; ``ee`` for ``dblp_ee`` checks),
    ``openreview`` (venueid), ``acl`` (anthology id or volume), ``crossref`` (container-title).
    """
    if not raw:
        return None
    table = table or load_table()
    text = raw.strip()
    if source == "acl":
        old = re.match(r"^([A-Z])\d{2}-\d", text)
        if old:
            for v in table:
                if old.group(1) in v.spec.get("acl_letters", ()):
                    return _info(v, year, {})
            return None
        text = re.sub(r"^\d{4}\.", "", text)
        text = re.sub(r"\.\d+$", "", text) if text.count(".") else text
    key = {"dblp": "dblp", "openreview": "openreview", "acl": "acl", "crossref": "crossref"}.get(source)
    if key is None:
        return None
    ee = list(ee)
    for v in table:
        m = _match(v.patterns[key], text)
        if not m:
            continue
        if key == "dblp" and v.patterns["dblp_ee"]:
            if not any(_match(v.patterns["dblp_ee"], e) for e in ee):
                continue
        return _info(v, year, m.groupdict())
    return None


def unknown(raw: str, year: int | None, kind: str | None) -> VenueInfo:
    """A venue the table does not know, named as the service names it."""
    name = re.sub(r"\s*\(\d+\)$", "", raw.strip())  # DBLP's "KDD (1)" volume marker
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "unknown"
    short = f"{name} {year}" if year and str(year) not in name else name
    return VenueInfo(slug, short, kind if kind in ("conference", "workshop", "journal") else "conference",
                     None, "source", None, None, known=False)


def by_dblp_key(key: str, table: tuple[Venue, ...] | None = None) -> Venue | None:
    """The venue a DBLP record key belongs to ("conf/iclr/ChenZLCL25" -> iclr), if the table says."""
    for v in table or load_table():
        if _match(v.patterns["dblp_key"], key):
            return v
    return None


def by_id(venue_id: str, table: tuple[Venue, ...] | None = None) -> Venue | None:
    for v in table or load_table():
        if v.id == venue_id:
            return v
    return None


def tag_matches(tag_venue: str, venue_id: str | None, venue_short: str | None,
                table: tuple[Venue, ...] | None = None) -> bool:
    """Does a list tag's venue label ("EMNLP", "NeurIPS Workshop") name this venue?"""
    t = _norm_label(tag_venue)
    if not t:
        return True
    if venue_id:
        v = by_id(venue_id, table)
        if v is not None and any(_norm_label(x) == t for x in v.tags):
            return True
        if _norm_label(venue_id) == t:
            return True
    if venue_short:
        series = re.sub(r"\s*\b(19|20)\d{2}\b.*$", "", venue_short)
        if _norm_label(series) == t or _norm_label(venue_short) == t:
            return True
    return False


def tag_venues(tag_venue: str, table: tuple[Venue, ...] | None = None) -> list[str]:
    """Venue ids whose tags include this label (for messages)."""
    t = _norm_label(tag_venue)
    return [v.id for v in table or load_table() if any(_norm_label(x) == t for x in v.tags)]


def _norm_label(s: str) -> str:
    return re.sub(r"[^a-z0-9&]+", "", s.lower())
