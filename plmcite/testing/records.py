"""The papers the fake services serve, loaded from a directory of JSON record files.

Every ``*.json`` file in the directory holds a list of records in the format of
``tests/fixtures/metadata/papers.json`` (see the README there): one record per paper, with an
``arxiv`` part (what arXiv knows, or null) and a ``published`` part (the peer-reviewed version,
or null). Which service knows a paper follows from the data alone:

* arXiv: records with an ``arxiv`` part;
* Crossref: published records with a ``doi``;
* DBLP: every published record, plus every arXiv record as an informal CoRR publication;
* OpenReview: published records with an ``openreview_id``;
* ACL Anthology: published records with an ``acl_anthology_id``.

So a new paper is added as data, never as code. Optional fields beyond the shared format let a
test pin details the hand-gathered data does not record (all optional, see ``ARXIV_EXTRA`` and
``PUBLISHED_EXTRA``): arXiv version dates, abstract, categories, comment, a submitter-entered DOI
or journal reference; the OpenReview presentation type; the month and address of an event.

Records are validated on load; every problem names the file, the record number and the field.
"""

from __future__ import annotations

from ..errors import PlmciteError

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from .text import split_name

ARXIV_ID = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})$")
DOI = re.compile(r"^10\.\d{4,9}/\S+$")
KINDS = ("conference", "journal", "workshop")

ARXIV_FIELDS = ("id", "title", "authors", "primary_category", "first_submitted")
#: optional arXiv fields: ``versions`` lists the submission date (``YYYY-MM-DD`` or ISO
#: date-time) of v1, v2, ...; the rest appear in the Atom entry as arXiv shows them.
ARXIV_EXTRA = ("versions", "abstract", "categories", "comment", "doi", "journal_ref")
PUBLISHED_FIELDS = (
    "venue_short", "kind", "container", "title", "authors", "year", "volume", "pages",
    "publisher", "doi", "openreview_id", "acl_anthology_id", "url",
)  # fmt: skip
#: optional published fields: ``presentation`` ("Poster", "Oral", "Spotlight") for the OpenReview
#: venue string, ``month`` (1-12) and ``address`` of the event, ``number`` (journal issue); and the
#: shapes real services give some works (tests/fixtures/wire/): ``subtitle`` (Crossref sends the
#: title without it, and it apart), ``title_markup`` (the title as Crossref deposits it, with
#: JATS/HTML markup and line breaks), ``article_number`` (Crossref ``article-number``, no ``page``),
#: ``published_online`` (ISO date; Crossref's ``published-online`` and ``issued`` when earlier
#: than print), ``crossref_issued_null`` (Crossref knows no date: ``issued`` ``[[null]]``),
#: ``editors`` and ``isbn`` (the Anthology's ``editor`` and ``ISBN`` fields).
PUBLISHED_EXTRA = ("presentation", "month", "address", "number", "subtitle", "title_markup", "article_number",
                   "published_online", "crossref_issued_null", "editors", "isbn")


class RecordError(PlmciteError, ValueError):
    """A record file is missing or malformed; the message names file, record and field."""


@dataclass(frozen=True)
class ArxivRecord:
    id: str
    title: str
    authors: tuple[str, ...]
    primary_category: str | None = None
    first_submitted: str | None = None
    versions: tuple[dt.datetime, ...] = ()  # one submission time per version, v1 first
    abstract: str | None = None
    categories: tuple[str, ...] = ()
    comment: str | None = None
    doi: str | None = None
    journal_ref: str | None = None

    @property
    def latest(self) -> int:
        return len(self.versions)


@dataclass(frozen=True)
class PublishedRecord:
    venue_short: str
    kind: str
    container: str | None
    title: str
    authors: tuple[str, ...] | None
    year: int
    volume: str | None = None
    pages: str | None = None  # "123--145"
    publisher: str | None = None
    doi: str | None = None
    openreview_id: str | None = None
    acl_anthology_id: str | None = None
    url: str | None = None
    presentation: str | None = None
    month: int | None = None
    address: str | None = None
    number: str | None = None
    subtitle: str | None = None
    title_markup: str | None = None
    article_number: str | None = None
    published_online: str | None = None  # ISO date
    crossref_issued_null: bool = False
    editors: tuple[str, ...] = ()
    isbn: str | None = None

    @property
    def first_page(self) -> str | None:
        return self.pages.split("--")[0] if self.pages else None


@dataclass(frozen=True)
class Paper:
    """One record: at least one of ``arxiv`` / ``published`` is set."""

    arxiv: ArxivRecord | None
    published: PublishedRecord | None
    origin: str = field(default="", compare=False)  # "file.json#3", for messages

    @property
    def authors(self) -> tuple[str, ...]:
        """Authors of the published version when recorded, else arXiv's (may be empty: unknown)."""
        if self.published and self.published.authors:
            return self.published.authors
        return self.arxiv.authors if self.arxiv else ()

    @property
    def title(self) -> str:
        return self.published.title if self.published else self.arxiv.title  # type: ignore[union-attr]

    @property
    def label(self) -> str:
        if self.arxiv:
            return f"arXiv {self.arxiv.id}"
        p = self.published
        return f"{p.doi or p.acl_anthology_id or p.openreview_id or p.title!r}"  # type: ignore[union-attr]


def family_names(authors: Iterable[str]) -> list[str]:
    return [split_name(a)[1] for a in authors]


def _parse_time(value: str, where: str) -> dt.datetime:
    try:
        if len(value) == 10:
            d = dt.date.fromisoformat(value)
            return dt.datetime(d.year, d.month, d.day, 17, 59, 59, tzinfo=dt.timezone.utc)
        t = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)
    except ValueError:
        raise RecordError(f"{where}: not an ISO date: {value!r}") from None


def _id_month(arxiv_id: str) -> dt.datetime:
    """The first day of the month encoded in a new-style id (``2407.11016`` -> 2024-07-01)."""
    yymm = arxiv_id.split("/")[-1][:4]
    year = int(yymm[:2])
    year += 2000 if year < 90 else 1900
    return dt.datetime(year, int(yymm[2:4]), 1, 0, 0, 0, tzinfo=dt.timezone.utc)


def _str_list(value: Any, where: str, name: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(a, str) and a.strip() for a in value):
        raise RecordError(f"{where}: {name} must be a non-empty list of names")
    return tuple(a.strip() for a in value)


def _opt_str(d: dict, key: str, where: str) -> str | None:
    v = d.get(key)
    if v is None:
        return None
    if not isinstance(v, str) or not v.strip():
        raise RecordError(f"{where}: {key} must be a non-empty string or null, got {v!r}")
    return v.strip()


def _check_keys(d: dict, known: Sequence[str], where: str) -> None:
    unknown = sorted(set(d) - set(known))
    if unknown:
        raise RecordError(f"{where}: unknown field(s) {', '.join(unknown)} (known: {', '.join(known)})")


def parse_arxiv(d: Any, where: str) -> ArxivRecord:
    if not isinstance(d, dict):
        raise RecordError(f"{where}: arxiv must be an object or null")
    where = f"{where} arxiv"
    _check_keys(d, ARXIV_FIELDS + ARXIV_EXTRA, where)
    aid = d.get("id")
    if not isinstance(aid, str) or not ARXIV_ID.match(aid):
        raise RecordError(f"{where}: id must be an arXiv id without version (like 2401.01234), got {aid!r}")
    title = _opt_str(d, "title", where)
    if not title:
        raise RecordError(f"{where}: title is missing")
    authors = _str_list(d.get("authors"), where, "authors")
    first = _opt_str(d, "first_submitted", where)
    versions = [_parse_time(v, f"{where} versions") for v in d.get("versions") or []]
    if first and not versions:
        versions = [_parse_time(first, f"{where} first_submitted")]
    if not versions:
        versions = [_id_month(aid)]
    if any(b < a for a, b in zip(versions, versions[1:])):
        raise RecordError(f"{where}: versions must be in submission order")
    doi = _opt_str(d, "doi", where)
    if doi and not DOI.match(doi):
        raise RecordError(f"{where}: doi is not a DOI: {doi!r}")
    cats = tuple(d.get("categories") or ())
    return ArxivRecord(
        id=aid,
        title=title,
        authors=authors,
        primary_category=_opt_str(d, "primary_category", where),
        first_submitted=first,
        versions=tuple(versions),
        abstract=_opt_str(d, "abstract", where),
        categories=cats,
        comment=_opt_str(d, "comment", where),
        doi=doi,
        journal_ref=_opt_str(d, "journal_ref", where),
    )


def parse_published(d: Any, where: str) -> PublishedRecord:
    if not isinstance(d, dict):
        raise RecordError(f"{where}: published must be an object or null")
    where = f"{where} published"
    _check_keys(d, PUBLISHED_FIELDS + PUBLISHED_EXTRA, where)
    venue = _opt_str(d, "venue_short", where)
    if not venue:
        raise RecordError(f"{where}: venue_short is missing")
    kind = d.get("kind")
    if kind not in KINDS:
        raise RecordError(f"{where}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
    title = _opt_str(d, "title", where)
    if not title:
        raise RecordError(f"{where}: title is missing")
    year = d.get("year")
    if not isinstance(year, int) or not 1900 < year < 2100:
        raise RecordError(f"{where}: year must be an integer year, got {year!r}")
    authors = d.get("authors")
    doi = _opt_str(d, "doi", where)
    if doi and not DOI.match(doi):
        raise RecordError(f"{where}: doi is not a DOI: {doi!r}")
    pages = _opt_str(d, "pages", where)
    if pages and not re.match(r"^[\w:.]+(--[\w:.]+)?$", pages):
        raise RecordError(f"{where}: pages must look like 123--145 or 26:1--26:4, got {pages!r}")
    subtitle = _opt_str(d, "subtitle", where)
    if subtitle and not title.endswith(": " + subtitle):
        raise RecordError(f"{where}: title must end with ': ' + subtitle")
    online = _opt_str(d, "published_online", where)
    if online:
        _parse_time(online, f"{where} published_online")
    if not isinstance(d.get("crossref_issued_null", False), bool):
        raise RecordError(f"{where}: crossref_issued_null must be true or false")
    month = d.get("month")
    if month is not None and (not isinstance(month, int) or not 1 <= month <= 12):
        raise RecordError(f"{where}: month must be 1-12, got {month!r}")
    volume = d.get("volume")
    return PublishedRecord(
        venue_short=venue,
        kind=kind,
        container=_opt_str(d, "container", where),
        title=title,
        authors=_str_list(authors, where, "authors") if authors is not None else None,
        year=year,
        volume=str(volume) if volume is not None else None,
        pages=pages,
        publisher=_opt_str(d, "publisher", where),
        doi=doi,
        openreview_id=_opt_str(d, "openreview_id", where),
        acl_anthology_id=_opt_str(d, "acl_anthology_id", where),
        url=_opt_str(d, "url", where),
        presentation=_opt_str(d, "presentation", where),
        month=month,
        address=_opt_str(d, "address", where),
        number=_opt_str(d, "number", where),
        subtitle=subtitle,
        title_markup=_opt_str(d, "title_markup", where),
        article_number=_opt_str(d, "article_number", where),
        published_online=online,
        crossref_issued_null=d.get("crossref_issued_null", False),
        editors=_str_list(d["editors"], where, "editors") if d.get("editors") is not None else (),
        isbn=_opt_str(d, "isbn", where),
    )


def parse_record(d: Any, where: str) -> Paper:
    if not isinstance(d, dict):
        raise RecordError(f"{where}: a record must be an object with 'arxiv' and 'published'")
    _check_keys(d, ("arxiv", "published"), where)
    arxiv = parse_arxiv(d["arxiv"], where) if d.get("arxiv") is not None else None
    published = parse_published(d["published"], where) if d.get("published") is not None else None
    if arxiv is None and published is None:
        raise RecordError(f"{where}: record has neither an arxiv nor a published part")
    return Paper(arxiv=arxiv, published=published, origin=where)


def load_file(path: Path) -> list[Paper]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise RecordError(f"{path}:{e.lineno}: not valid JSON: {e.msg}") from None
    if not isinstance(data, list):
        raise RecordError(f"{path}: must hold a JSON list of records")
    return [parse_record(d, f"{path.name} record #{i + 1}") for i, d in enumerate(data)]


def load_records(paths: str | Path | Iterable[str | Path]) -> list[Paper]:
    """Load every ``*.json`` file of one or more directories (or single files), in name order.

    Raises :class:`RecordError` on the first malformed record, or when two records claim the
    same arXiv id, DOI, OpenReview id or Anthology id (a service cannot serve two papers under
    one identifier).
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    papers: list[Paper] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            files = sorted(p.glob("*.json"))
            if not files:
                raise RecordError(f"{p}: no *.json record files in this directory")
        elif p.is_file():
            files = [p]
        else:
            raise RecordError(f"{p}: no such file or directory")
        for f in files:
            papers.extend(load_file(f))
    check_unique(papers)
    return papers


def check_unique(papers: Sequence[Paper]) -> None:
    seen: dict[tuple[str, str], str] = {}
    for paper in papers:
        keys = []
        if paper.arxiv:
            keys.append(("arXiv id", paper.arxiv.id))
        if paper.published:
            p = paper.published
            keys += [
                (name, v.lower())
                for name, v in (("DOI", p.doi), ("OpenReview id", p.openreview_id), ("Anthology id", p.acl_anthology_id))
                if v
            ]
        for k in keys:
            if k in seen:
                raise RecordError(f"{paper.origin}: {k[0]} {k[1]} already used by {seen[k]}")
            seen[k] = paper.origin
