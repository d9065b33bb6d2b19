"""OpenReview API v2: notes by forum id, and title search.

The v2 API wraps every content field as ``{"value": ...}``. What matters for a citation is the
venue: ``content.venue`` ("ICLR 2025 Poster", "Submitted to ICLR 2025") and ``content.venueid``
("ICLR.cc/2025/Conference", ".../Rejected_Submission"). A submission that was not accepted is
not a published version: it comes back as kind ``other`` so the resolver never cites it as one.
``/notes?id=`` takes one id, so lookups are one request per forum (cached).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from ..http import FetchError, Malformed, Response
from ..clean import clean_text
from ..model import Record
from ..names import person_from_name
from .base import Lookup, Source

_NOT_PUBLISHED = re.compile(r"(^|/)(Submission|Rejected_Submission|Withdrawn_Submission|Desk_Rejected_Submission|-/.*)$")
_YEAR = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)")
_BIB_FIELD = re.compile(r"^\s*(\w+)\s*=\s*\{(.*)\},?\s*$", re.M)


class OpenReviewSource(Source):
    name = "openreview"

    def _fetch(self, keys: list[str]) -> Lookup:
        return self._fetch_each(
            keys, lambda forum: self.http.get(self.name, f"{self.base_url}/notes", {"id": forum},
                                              parse=lambda r: parse_note_answer(r, forum)),
            "OpenReview has no note with this id")

    def _search(self, query: str) -> list[Record]:
        params = {"term": query, "type": "terms", "source": "forum", "limit": "10"}
        return self.http.get(self.name, f"{self.base_url}/notes/search", params, parse=parse_search_answer)


def _notes(resp: Response) -> list[dict]:
    data = resp.json()
    if not isinstance(data, dict) or not isinstance(data.get("notes"), list):
        raise Malformed("OpenReview answer without a notes list")
    return [n for n in data["notes"] if isinstance(n, dict)]


def parse_note_answer(resp: Response, forum: str) -> Record | None:
    if resp.status == 404:
        return None
    if resp.status != 200:
        raise FetchError(f"OpenReview answered HTTP {resp.status}", status=resp.status)
    for note in _notes(resp):
        if note.get("id") == forum or note.get("forum") == forum:
            rec = note_record(note)
            if rec is None:
                raise Malformed(f"note {forum} without a title")
            return rec
    return None


def parse_search_answer(resp: Response) -> list[Record]:
    if resp.status != 200:
        raise FetchError(f"OpenReview search answered HTTP {resp.status}", status=resp.status)
    out = []
    for note in _notes(resp):
        if note.get("forum") and note.get("id") != note.get("forum"):
            continue  # a reply, not a submission
        rec = note_record(note)
        if rec is not None:
            out.append(rec)
    return out


def _value(content: dict, name: str):
    v = content.get(name)
    return v.get("value") if isinstance(v, dict) else v


def note_record(note: dict) -> Record | None:
    content = note.get("content") or {}
    title = clean_text(str(_value(content, "title") or ""))
    if not title:
        return None
    forum = str(note.get("forum") or note.get("id"))
    authors = [person_from_name(str(a)) for a in (_value(content, "authors") or [])]
    venue = clean_text(str(_value(content, "venue") or "")) or None
    venueid = clean_text(str(_value(content, "venueid") or "")) or None
    bib = bib_fields(str(_value(content, "_bibtex") or ""))
    year = None
    for text in (venue, venueid, bib.get("year")):
        m = _YEAR.search(text or "")
        if m:
            year = int(m.group(0))
            break
    if year is None and note.get("pdate"):
        year = datetime.fromtimestamp(int(note["pdate"]) / 1000, timezone.utc).year
    accepted = bool(venueid) and not _NOT_PUBLISHED.search(venueid) and not (venue or "").lower().startswith("submitted to")
    if accepted:
        kind = "workshop" if "/workshop" in venueid.lower() else ("journal" if venueid.upper() in ("TMLR",) else "conference")
    else:
        kind = "other"
    return Record(
        source="openreview",
        key=forum,
        title=title,
        authors=[a for a in authors if a.family],
        year=year,
        kind=kind,
        venue_raw=venue,
        container=bib.get("booktitle") or bib.get("journal"),
        ids={"openreview": forum},
        url=f"https://openreview.net/forum?id={forum}",
        extra={k: v for k, v in {"venueid": venueid, "accepted": accepted}.items() if v is not None},
    )


def bib_fields(bibtex: str) -> dict[str, str]:
    """The ``field={value}`` lines of OpenReview's one-field-per-line ``_bibtex``."""
    return {m.group(1).lower(): clean_text(m.group(2)) for m in _BIB_FIELD.finditer(bibtex)}
