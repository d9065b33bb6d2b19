"""One work from the records of its versions: the published record wins, the arXiv id stays.

Whose value wins for which field is data (``data/roles.toml [merge]``); this module walks those
lists. A role counts only when its record is a published version, unless the list marks it
``*`` (the preprint roles, for authors and identifiers). The venue table (``plmcite.venues``)
names the venue, and may supply container, volume and publisher (the pseudo-role ``venues``).

Two rules sit above the precedence lists, because they are about the survey's reader:
- a published work's author list and order are those of its first published record that has
  authors (a preprint's list is used only when no published record names any); other versions
  may only improve how each person is spelled (``people.improve``: accents, capitals, fuller
  given names);
- the title keeps its capitals: among the versions whose titles agree ignoring case, the one
  losing fewest meant capitals (acronyms, proper nouns) wins (``_best_cased_title``).
"""

from __future__ import annotations

import re
from typing import Any

from .. import venues
from ..model import Kind, Provenance, Record, Work
from .people import improve as improve_spelling
from .roles import CORR, ROLES, VENUES, Pick, Records, venue_of


def _prov(rec: Record, suffix: str = "") -> Provenance:
    return Provenance(rec.source + suffix, rec.retrieved or "unknown")


def _counts(records: Records, field: str, pick: Pick) -> Record | None:
    """The record of ``pick`` if it may give ``field``: present, published (or marked ``*``), and
    a journal article where the role gives this field only for journals."""
    rec = records.get(pick.role)
    if rec is None or not (pick.any_status or rec.published):
        return None
    if pick.role in ROLES.journal_only.get(field, ()) and rec.kind != Kind.JOURNAL:
        return None
    return rec


def candidates(records: Records, field: str) -> list[tuple[str, Record]]:
    """(role, record) in the field's precedence, skipping roles that do not count."""
    return [(pick.role, rec) for pick in ROLES.merge[field] if (rec := _counts(records, field, pick)) is not None]


def first(records: Records, field: str, attr: str | None = None, where=None) -> tuple[Any, Record | None]:
    """The first value of ``attr`` (default: the field) in the field's precedence."""
    for _, rec in candidates(records, field):
        if where is not None and not where(rec):
            continue
        value = getattr(rec, attr or field)
        if value:
            return value, rec
    return None, None


def _venue(records: Records) -> tuple[venues.VenueInfo | None, Record | None]:
    """The first published record whose venue the table knows; else an unknown venue."""
    for role, r in candidates(records, "venue"):
        info = venue_of(role, r)
        if info is None and role == "crossref" and r.venue_raw:
            info = venues.identify(role, r.venue_raw, r.year)
        if info is not None:
            return info, r
    pubs = [r for _, r in candidates(records, "title") if r.published]
    if pubs:
        r = pubs[0]
        return venues.unknown(r.venue_raw or r.container or "unknown venue", r.year, r.kind), r
    return None, None


_TITLE_WORD = re.compile(r"\w+")


def _sentence_cased(words: list[str]) -> bool:
    """Most longer words after the first start in lower case: capitals left are meant."""
    content = [w for w in words[1:] if len(w) > 3 and w[0].isalpha()]
    return bool(content) and sum(w[0].isupper() for w in content) * 2 < len(content)


def _lost_capitals(title: str, other: str) -> int:
    """How many capitals ``other`` means that ``title`` writes in lower case (the two agree
    ignoring case): capitals inside a word ("LLMs", "DreamBench") always count, a leading
    capital only where ``other`` is in sentence case (a proper noun, not title case)."""
    ours, theirs = _TITLE_WORD.findall(title), _TITLE_WORD.findall(other)
    if len(ours) != len(theirs):
        return 0
    sentence = _sentence_cased(theirs)
    lost = 0
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if any(cb.isupper() and ca.islower() for ca, cb in zip(a[1:], b[1:])):
            lost += 1
        elif sentence and i > 0 and b[0].isupper() and a[0].islower():
            lost += 1
    return lost


def _best_cased_title(title: str, trec: Record, records: Records) -> tuple[str, Record]:
    """The title as the version that keeps its capitals spells it.

    Publishers sometimes lower-case a title ("Online personalizing white-box llms generation
    with neural bandits"); another version of the work agreeing ignoring case may keep its
    acronyms and proper nouns. The version losing fewest meant capitals wins, the title's
    precedence breaking ties; no capital is made up that no record has.
    """
    key = " ".join(title.split()).casefold()
    versions = [trec] + [r for r in records.values() if r is not trec and r.title
                         and " ".join(r.title.split()).casefold() == key and r.title != title]
    if len(versions) == 1:
        return title, trec
    best = min(versions, key=lambda r: sum(_lost_capitals(r.title, o.title) for o in versions if o is not r))
    return best.title, best


def merge(records: Records) -> Work:
    """One work from the records of its versions (published record wins, arXiv id kept)."""
    w = Work(key="", title="")
    p = w.provenance
    published = any(r.published for r in records.values())
    info, vrec = _venue(records)

    if published and info is not None and vrec is not None:
        _published_fields(w, records, info, vrec)
    else:
        # no published version: the preprint; failing that, whatever version there is (an
        # OpenReview submission that was not accepted is cited as "other", never as a venue)
        pre = records.get("arxiv") or records.get(CORR)
        yrec = pre or next(iter(records.values()), None)
        w.kind = Kind.PREPRINT if pre is not None else Kind.OTHER
        if yrec is not None:
            p["kind"] = _prov(yrec)
            if yrec.year:
                w.year, p["year"] = yrec.year, _prov(yrec)
                if yrec.month:
                    w.month, p["month"] = yrec.month, _prov(yrec)

    title, trec = first(records, "title")
    if not title and not published:
        trec = next(iter(records.values()), None)
        title = trec.title if trec else ""
    if title and trec is not None:
        title, trec = _best_cased_title(title, trec, records)
    w.title = title or ""
    if trec is not None:
        p["title"] = _prov(trec)

    # a published work's author list and order are the published record's; the other versions
    # may only improve how a person is spelled (people.py)
    order = [r for _, r in candidates(records, "authors")]
    arec = next((r for r in order if r.published and r.authors), None) if published else None
    if arec is None:
        arec = next((r for r in order if r.authors), None)
    if arec is not None:
        # the chosen list and order; a name's spelling from another version that spells the same
        # person better ("yang" -> "Yang", "Rame" -> "Ramé")
        w.authors = improve_spelling(list(arec.authors), [r.authors for r in records.values() if r is not arec])
        p["authors"] = _prov(arec)

    _identifiers(w, records)
    arx = records.get("arxiv")
    w.arxiv_class = arx.arxiv_class if arx else None
    if w.arxiv_class:
        p["arxiv_class"] = _prov(arx)

    # landing page: the published version's, else arXiv's
    url, urec = first(records, "url")
    if url:
        w.url, p["url"] = url, _prov(urec)
    elif w.ids.get("arxiv"):
        w.url = f"https://arxiv.org/abs/{w.ids['arxiv']}"
        p["url"] = _prov(arx or records[CORR])
    return w


def _published_fields(w: Work, records: Records, info: venues.VenueInfo, vrec: Record) -> None:
    """Kind, venue, year, container, volume, number, pages, publisher, address of a published work."""
    p = w.provenance
    venue_prov = _prov(vrec, "+venues")
    w.kind = Kind(info.kind)
    w.venue, w.venue_short = info.id, info.short
    p["kind"] = p["venue"] = p["venue_short"] = _prov(vrec, "+venues" if info.known else "")
    year, yrec = first(records, "year")
    if year:
        w.year, p["year"] = year, _prov(yrec)
        if yrec.month:
            w.month, p["month"] = yrec.month, _prov(yrec)
        else:
            m, mrec = first(records, "month", where=lambda r: r.year == w.year)
            if m:
                w.month, p["month"] = m, _prov(mrec)
    src_container, crec = first(records, "container")
    if info.container and (info.container_from == "table" or not src_container):
        w.container, p["container"] = info.container, venue_prov
    elif src_container:
        w.container, p["container"] = src_container, _prov(crec)
    for name in ("volume", "number", "pages", "publisher", "address"):
        if name == "number" and w.kind != Kind.JOURNAL:
            continue  # an issue number only for journal articles
        for pick in ROLES.merge[name]:
            if pick.role == VENUES:
                value, prov = getattr(info, name, None), venue_prov
            else:
                rec = _counts(records, name, pick)
                value, prov = (getattr(rec, name), _prov(rec)) if rec is not None else (None, None)
            if value:
                setattr(w, name, value)
                p[name] = prov
                break


def _identifiers(w: Work, records: Records) -> None:
    """Each identifier from the first role of its ``ids.<kind>`` list, with its own provenance."""
    for name, picks in ROLES.merge.items():
        if not name.startswith("ids."):
            continue
        kind = name[4:]
        for pick in picks:
            rec = _counts(records, name, pick)
            value = None if rec is None else rec.key if kind == "dblp" and rec.source == "dblp" else rec.ids.get(kind)
            if value:
                w.ids[kind] = value
                w.provenance[name] = _prov(rec)
                break
