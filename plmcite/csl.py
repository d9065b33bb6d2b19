"""Catalog works <-> CSL-JSON items (citeproc, pandoc, Zotero and Mendeley read these).

An item carries the work's bibliographic fields; :func:`work_from_item` reads them back, so a
CSL export round-trips: key, kind, title, authors, year and month, container and venue_short,
volume, number, pages, publisher, address, DOI, arXiv id and class, URL and sections. Identifiers
without a CSL variable (OpenReview, ACL Anthology), code links and provenance stay in the catalog.

Mapping (docs/bibtex.md explains it):
- conference / workshop -> ``paper-conference`` (a workshop paper has genre "Workshop paper"),
  journal -> ``article-journal``, preprint -> ``article`` with genre "Preprint" and publisher
  "arXiv" (as Zotero writes preprints), other -> ``webpage``;
- the arXiv id is ``number``, with ``archive`` "arXiv" and its primary class in
  ``archive_location``; sections go to ``keyword`` ("1.4, 2.3").
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from .model import Person, Work, section_sort_key

TYPES = {
    "conference": "paper-conference",
    "workshop": "paper-conference",
    "journal": "article-journal",
    "preprint": "article",
    "other": "webpage",
}
WORKSHOP_GENRE = "Workshop paper"
PREPRINT_GENRE = "Preprint"


def _name(p: Person) -> dict[str, str]:
    if p.given:
        return {"family": p.family, "given": p.given}
    return {"literal": p.family}


def _person(d: dict[str, str]) -> Person:
    if "literal" in d:
        return Person(d["literal"])
    family = " ".join(x for x in (d.get("non-dropping-particle", ""), d.get("family", "")) if x)
    given = " ".join(x for x in (d.get("given", ""), d.get("dropping-particle", "")) if x)
    return Person(family, given)


def _csl_page(pages: str) -> str:
    """"123--145" -> "123-145" (CSL's range form); anything else as it is."""
    m = re.fullmatch(r"([^-]+)--([^-]+)", pages)
    return f"{m.group(1)}-{m.group(2)}" if m else pages


def _catalog_page(page: str | None) -> str | None:
    if not page:
        return None
    m = re.fullmatch(r"([^-]+)-([^-]+)", page)
    return f"{m.group(1)}--{m.group(2)}" if m else page


def item(work: Work) -> dict[str, Any]:
    """The CSL-JSON item of a work (variables in a fixed order; empty ones left out)."""
    kind = work.kind if work.kind in TYPES else "other"
    it: dict[str, Any] = {"id": work.key, "type": TYPES[kind]}
    if kind == "workshop":
        it["genre"] = WORKSHOP_GENRE
    elif kind == "preprint":
        it["genre"] = PREPRINT_GENRE
    it["title"] = work.title
    if work.authors:
        it["author"] = [_name(p) for p in work.authors]
    if work.year:
        parts = [work.year] + ([work.month] if work.month else [])
        it["issued"] = {"date-parts": [parts]}
    if work.container:
        it["container-title"] = work.container
    if work.venue_short:
        it["container-title-short"] = work.venue_short
    if work.volume:
        it["volume"] = work.volume
    if work.number:
        it["issue"] = work.number
    if work.pages:
        it["page"] = _csl_page(work.pages)
    if work.publisher:
        it["publisher"] = work.publisher
    elif kind == "preprint" and work.arxiv:
        it["publisher"] = "arXiv"
    if work.address:
        it["publisher-place"] = work.address
    if work.doi:
        it["DOI"] = work.doi
    if work.arxiv:
        it["number"] = work.arxiv
        it["archive"] = "arXiv"
        if work.arxiv_class:
            it["archive_location"] = work.arxiv_class
    if work.url:
        it["URL"] = work.url
    if work.sections:
        it["keyword"] = ", ".join(sorted(set(work.sections), key=section_sort_key))
    return it


def items(works: Iterable[Work]) -> list[dict[str, Any]]:
    return [item(w) for w in works]


def work_from_item(it: dict[str, Any]) -> Work:
    """A work from a CSL item written by :func:`item` (the inverse over the fields it carries)."""
    ctype = it.get("type")
    genre = it.get("genre")
    if ctype == "paper-conference":
        kind = "workshop" if genre == WORKSHOP_GENRE else "conference"
    elif ctype == "article-journal":
        kind = "journal"
    elif ctype == "article":
        kind = "preprint"
    else:
        kind = "other"
    date = (it.get("issued") or {}).get("date-parts") or [[]]
    parts = [int(x) for x in date[0]] if date and date[0] else []
    ids = {}
    if it.get("DOI"):
        ids["doi"] = it["DOI"]
    if it.get("archive") == "arXiv" and it.get("number"):
        ids["arxiv"] = str(it["number"])
    publisher = it.get("publisher")
    if kind == "preprint" and publisher == "arXiv":
        publisher = None
    page = it.get("page")
    return Work(
        key=it["id"],
        title=it.get("title", ""),
        kind=kind,
        authors=[_person(a) for a in it.get("author", [])],
        year=parts[0] if parts else None,
        month=parts[1] if len(parts) > 1 else None,
        venue_short=it.get("container-title-short"),
        container=it.get("container-title"),
        volume=it.get("volume"),
        number=it.get("issue"),
        pages=_catalog_page(page),
        publisher=publisher,
        address=it.get("publisher-place"),
        ids=ids,
        arxiv_class=it.get("archive_location") if "arxiv" in ids else None,
        url=it.get("URL"),
        sections=[s.strip() for s in it["keyword"].split(",")] if it.get("keyword") else [],
    )
