"""OpenReview API v2: notes by forum id, and title search.

The v2 API wraps every content field as ``{"value": ...}``. What matters for a citation is the
venue: ``content.venue`` ("ICLR 2025 Poster", "Submitted to ICLR 2025") and ``content.venueid``
("ICLR.cc/2025/Conference", ".../Rejected_Submission"). Only a note accepted at a venue that
runs on OpenReview is a published version; everything else comes back as kind ``other`` (with
``extra["accepted"] = False``) so the resolver never cites it as one. Real search answers
(tests/fixtures/wire/openreview/) hold all of these:

* rejected, withdrawn, desk-rejected and pending submissions (``.../Rejected_Submission``,
  ``TMLR/Rejected``, ``.../Withdrawn_Submission``, ``.../Submission``, "Submitted to ICLR 2024",
  "Rejected by TMLR");
* notes imported from DBLP (venueid ``dblp.org/conf/NIPS/2024``, ``dblp.org/journals/CORR/2025``)
  and from ORCID or authors' archives (``OpenReview.net/Public_Article``, ``OpenReview.net/Archive``):
  copies of a paper published elsewhere, not acceptances (``extra["imported"]`` says from where);
* authors as strings, or as objects ``{"fullname", "username"}`` (ORCID imports), or absent
  (anonymous submissions).

``/notes?id=`` takes one id, so lookups are one request per forum (cached). Since 2026 it may
answer 403 ``ChallengeRequiredError`` (an anti-bot challenge) while ``/notes/search`` still
answers: the lookup is then *refused* (:class:`plmcite.http.Refused`), not missing: it is not
cached, no further ``/notes?id=`` is sent in the run, the run summary says OpenReview refused,
and the resolver falls back to the title search of the other services (and OpenReview's own
search).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from ..http import FetchError, Malformed, Refused, Response
from ..clean import clean_text
from ..model import Record
from ..names import person_from_name
from .base import Lookup, Source

_NO_NOTE = "OpenReview has no note with this id"

_NOT_PUBLISHED = re.compile(r"(^|/)(Submission|Rejected_Submission|Withdrawn_Submission|Desk_Rejected_Submission"
                            r"|Rejected|Withdrawn|Desk_Rejected|Under_Review|-/.*)$", re.I)
_NOT_PUBLISHED_VENUE = re.compile(r"^(submitted to|rejected by|withdrawn|desk rejected)", re.I)
#: venue ids of notes that copy a paper published elsewhere (source of the copy)
_IMPORTED = (("dblp.org/", "dblp"), ("openreview.net/public_article", "orcid"), ("openreview.net/archive", "archive"))
_YEAR = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)")
_BIB_FIELD = re.compile(r"^\s*(\w+)\s*=\s*\{(.*)\},?\s*$", re.M)


class OpenReviewSource(Source):
    name = "openreview"

    def _fetch(self, keys: list[str]) -> Lookup:
        out = Lookup()
        if len(keys) > 1:  # many notes in one request: POST /notes/search {"ids": [...]}
            keys = self._fetch_batched(keys, out)
        out.merge(self._fetch_each(  # one /notes?id= per note: until the first challenge
            keys, lambda forum: self.http.get(self.name, f"{self.base_url}/notes", {"id": forum},
                                              parse=lambda r: parse_note_answer(r, forum)), _NO_NOTE))
        return out

    #: note ids per ``POST /notes/search`` (openreview-py's ``get_notes_by_ids`` sends them so)
    batch_size = 100

    def _fetch_batched(self, keys: list[str], out: Lookup) -> list[str]:
        """Notes by id, many per request; returns the ids left to ask one by one (a batch that
        failed). The search route answers even when ``/notes?id=`` is challenged."""
        left: list[str] = []
        for i in range(0, len(keys), self.batch_size):
            chunk = keys[i:i + self.batch_size]
            try:
                notes = self.http.post(self.name, f"{self.base_url}/notes/search", json_body={"ids": chunk},
                                       parse=parse_batch_answer)
            except Refused as e:  # even the search route is challenged: no /notes?id= either
                self._refusal = str(e)
                left += chunk
                continue
            except FetchError:
                left += chunk
                continue
            out.answer(chunk, notes, _NO_NOTE)
        return left

    def _search(self, query: str) -> list[Record]:
        params = {"term": query, "type": "terms", "source": "forum", "limit": "10"}
        return self.http.get(self.name, f"{self.base_url}/notes/search", params, parse=parse_search_answer)


def _notes(resp: Response) -> list[dict]:
    data = resp.json()
    if not isinstance(data, dict) or not isinstance(data.get("notes"), list):
        raise Malformed("OpenReview answer without a notes list")
    return [n for n in data["notes"] if isinstance(n, dict)]


def _refusal(resp: Response) -> None:
    """Raise :class:`Refused` for OpenReview's anti-bot answer (403 ``ChallengeRequiredError``)."""
    if resp.status != 403:
        return
    try:
        data = resp.json()
    except Malformed:
        data = None
    name = data.get("name") if isinstance(data, dict) else None
    if name == "ChallengeRequiredError" or b"challenge" in resp.body[:2000].lower():
        raise Refused(f"OpenReview refused the request (HTTP 403 {name or 'challenge page'}: "
                      "challenge verification required)", status=403)


def parse_note_answer(resp: Response, forum: str) -> Record | None:
    if resp.status == 404:
        return None
    _refusal(resp)
    if resp.status != 200:
        raise FetchError(f"OpenReview answered HTTP {resp.status}", status=resp.status)
    for note in _notes(resp):
        if note.get("id") == forum or note.get("forum") == forum:
            rec = note_record(note)
            if rec is None:
                raise Malformed(f"note {forum} without a title")
            return rec
    return None


def parse_batch_answer(resp: Response) -> dict[str, Record]:
    """The submissions of a ``POST /notes/search {"ids": …}`` answer, by note id."""
    _refusal(resp)
    if resp.status != 200:
        raise FetchError(f"OpenReview answered HTTP {resp.status}", status=resp.status)
    out = {}
    for note in _notes(resp):
        if note.get("forum") and note.get("id") != note.get("forum"):
            continue  # a reply, not a submission
        rec = note_record(note)
        if rec is not None:
            out[str(note.get("id"))] = rec
    return out


def parse_search_answer(resp: Response) -> list[Record]:
    _refusal(resp)
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


def _author_name(a) -> str:
    """An author as a string (v2 notes) or an object ``{"fullname", "username"}`` (ORCID imports)."""
    if isinstance(a, dict):
        return str(a.get("fullname") or a.get("name") or "")
    return str(a) if a is not None else ""


def imported_from(venueid: str | None) -> str | None:
    """Where a note copying a paper published elsewhere came from ("dblp", "orcid", "archive")."""
    low = (venueid or "").lower()
    return next((what for prefix, what in _IMPORTED if low.startswith(prefix)), None)


def note_record(note: dict) -> Record | None:
    content = note.get("content") or {}
    if not isinstance(content, dict):
        raise Malformed("OpenReview note whose content is not an object")
    title = clean_text(str(_value(content, "title") or ""))
    if not title:
        return None
    forum = str(note.get("forum") or note.get("id"))
    raw_authors = _value(content, "authors") or []
    authors = [person_from_name(_author_name(a)) for a in (raw_authors if isinstance(raw_authors, list) else [])]
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
    imported = imported_from(venueid)
    accepted = (bool(venueid) and imported is None and not _NOT_PUBLISHED.search(venueid)
                and not _NOT_PUBLISHED_VENUE.match(venue or ""))
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
        extra={k: v for k, v in {"venueid": venueid, "accepted": accepted, "imported": imported}.items()
               if v is not None},
    )


def bib_fields(bibtex: str) -> dict[str, str]:
    """The ``field={value}`` lines of OpenReview's one-field-per-line ``_bibtex``."""
    return {m.group(1).lower(): clean_text(m.group(2)) for m in _BIB_FIELD.finditer(bibtex)}
