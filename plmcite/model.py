"""The data model every stage shares: kinds of work, people, records, works and the catalog.

Nothing here reads files or talks to services (``plmcite.catalog`` reads and writes the catalog,
``plmcite.sources`` fills records). A :class:`Record` is one service's view of one version of a
paper; a :class:`Work` is what the resolver merges from the records of its versions; the
:class:`Catalog` holds the works of a list, the entries it could not resolve, and the section
names. ``Work.from_json`` checks types as it reads, so a hand-edited catalog with ``"year":
"abc"`` is an error that names the work, never a silent export.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Any, Iterable

from .sections import matches as section_matches  # noqa: F401  (re-exported: a work's sections)
from .sections import sort_key as section_sort_key


class Kind(StrEnum):
    """What a version of a paper is; renderers map each kind to an entry or item type."""

    CONFERENCE = "conference"
    WORKSHOP = "workshop"
    JOURNAL = "journal"
    PREPRINT = "preprint"
    OTHER = "other"  # a book chapter, a report, a submission that was not accepted


#: kinds that went through peer review at a venue: the one meaning of "published"
PUBLISHED_KINDS = frozenset({Kind.CONFERENCE, Kind.WORKSHOP, Kind.JOURNAL})
KINDS = tuple(k.value for k in Kind)


def is_published(kind: str | None) -> bool:
    """True for a conference, workshop or journal paper; a preprint or "other" is not published."""
    return kind in PUBLISHED_KINDS


def as_kind(value: Any) -> Kind:
    try:
        return Kind(value)
    except ValueError:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {value!r}") from None


@dataclass
class Person:
    """An author. ``family`` holds particles too ("van der Berg"); a single name has no given.

    ``literal``: the name is written as is, in ``family``: an organisation ("H1 Collaboration",
    "University of Regensburg"), never split into given and family (BibTeX ``{{H1 Collaboration}}``,
    CSL ``literal``). Serialised only when set.
    """

    family: str
    given: str = ""
    literal: bool = False

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"family": self.family, "given": self.given} if self.given else {"family": self.family}
        if self.literal:
            d["literal"] = True
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Person":
        if not isinstance(d, dict) or not isinstance(d.get("family"), str) or not isinstance(d.get("given", ""), str):
            raise ValueError(f"an author must be {{\"family\": ..., \"given\": ...}} strings, not {d!r}")
        if not isinstance(d.get("literal", False), bool):
            raise ValueError(f"an author's literal must be true or false, not {d['literal']!r}")
        return cls(family=d["family"], given=d.get("given", ""), literal=d.get("literal", False))


@dataclass
class Provenance:
    """Where a field's value came from and when it was retrieved (ISO date)."""

    source: str
    retrieved: str

    def to_json(self) -> dict[str, str]:
        return {"source": self.source, "retrieved": self.retrieved}


@dataclass(frozen=True, order=True)
class EntryRef:
    """Which list entry a work or an unresolved report belongs to: its section and its title as
    written. No line number: lines move with every edit. The one definition of an entry's identity."""

    section: str
    title: str

    def to_json(self) -> dict[str, str]:
        return {"section": self.section, "title": self.title}


# --- records: one service's view of one version ----------------------------------------------


@dataclass
class Record:
    """One service's view of one paper (a version of a work), already normalised."""

    source: str  # "arxiv", "crossref", "dblp", "openreview", "acl"
    key: str  # the service's own id for it: arXiv id, DOI, dblp key, forum id, anthology id
    title: str
    authors: list[Person] = field(default_factory=list)
    year: int | None = None
    month: int | None = None
    kind: Kind | None = None  # None: the service does not say
    venue_raw: str | None = None  # the service's own venue string ("ICLR 2025 Poster", "EMNLP (Findings)")
    container: str | None = None  # booktitle / journal as the service names it
    volume: str | None = None
    number: str | None = None
    pages: str | None = None  # "123--145"
    publisher: str | None = None
    address: str | None = None
    ids: dict[str, str] = field(default_factory=dict)  # every identifier the service states
    url: str | None = None  # landing page
    arxiv_class: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # service-specific hints (venueid, dblp type...)
    retrieved: str = ""  # ISO date the service said this (set by Source from the cache entry)

    def __post_init__(self) -> None:
        if self.kind is not None and not isinstance(self.kind, Kind):
            self.kind = as_kind(self.kind)

    @property
    def published(self) -> bool:
        return is_published(self.kind)

    def to_json(self) -> dict[str, Any]:
        out = _filled_fields(self, skip="retrieved")
        if "authors" in out:
            out["authors"] = [p.to_json() for p in out["authors"]]
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any], retrieved: str = "") -> "Record":
        kw = dict(d)
        kw["authors"] = [Person.from_json(p) for p in d.get("authors", [])]
        return cls(**{k: v for k, v in kw.items() if k in _RECORD_FIELDS}, retrieved=retrieved)


_RECORD_FIELDS = frozenset(f.name for f in fields(Record)) - {"retrieved"}


def _filled_fields(obj: Any, skip: str = "") -> dict[str, Any]:
    """The dataclass's fields that say something, in declaration order: an empty value (None,
    "", [], {}) is left out of the catalog, which keeps its diffs to what changed."""
    out = {}
    for f in fields(obj):
        v = getattr(obj, f.name)
        if f.name != skip and v is not None and v != [] and v != {} and v != "":
            out[f.name] = v
    return out


# --- works and the catalog --------------------------------------------------------------------


@dataclass
class Work:
    """One paper, merged over its versions (published record wins, arXiv id stays attached)."""

    key: str
    title: str
    kind: Kind = Kind.PREPRINT
    authors: list[Person] = field(default_factory=list)
    year: int | None = None
    month: int | None = None
    venue: str | None = None  # id in the venue table, e.g. "iclr", "findings-emnlp"
    venue_short: str | None = None  # "ICLR 2025", "Findings of EMNLP 2024"
    container: str | None = None  # booktitle or journal, as the venue table names it
    volume: str | None = None
    number: str | None = None
    pages: str | None = None  # "123--145"
    publisher: str | None = None
    address: str | None = None
    ids: dict[str, str] = field(default_factory=dict)  # doi, arxiv, openreview, acl, dblp, ...
    arxiv_class: str | None = None
    url: str | None = None
    code: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    entries: list[EntryRef] = field(default_factory=list)
    provenance: dict[str, Provenance] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.kind, Kind):
            self.kind = as_kind(self.kind)

    @property
    def doi(self) -> str | None:
        return self.ids.get("doi")

    @property
    def arxiv(self) -> str | None:
        return self.ids.get("arxiv")

    @property
    def published(self) -> bool:
        return is_published(self.kind)

    def copy(self) -> "Work":
        """An independent copy: its lists, maps, people and provenance are its own, so that
        changing it (keys pinned, names respelled) leaves the original as it was."""
        return replace(self, authors=[replace(p) for p in self.authors], ids=dict(self.ids), code=list(self.code),
                       sections=list(self.sections), entries=list(self.entries),
                       provenance={k: replace(v) for k, v in self.provenance.items()})

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, v in _filled_fields(self).items():
            if name == "authors":
                v = [p.to_json() for p in v]
            elif name == "kind":
                v = Kind(v).value  # a plain string assigned after construction counts too
            elif name == "entries":
                v = [e.to_json() for e in sorted(v, key=lambda e: (section_sort_key(e.section), e.title))]
            elif name == "provenance":
                v = {k: v[k].to_json() for k in sorted(v)}
            elif name == "ids":
                v = {k: v[k] for k in sorted(v)}
            elif name == "sections":
                v = sorted(set(v), key=section_sort_key)
            out[name] = v
        return out

    @classmethod
    def from_json(cls, d: Any) -> "Work":
        """A work from its catalog form; ``ValueError`` naming the work and field when a value
        has the wrong type (the catalog is hand-reviewed, sometimes hand-edited)."""
        if not isinstance(d, dict):
            raise ValueError(f"a work must be a JSON object, not {type(d).__name__}")
        name = d.get("key")
        where = f"work {name!r}" if isinstance(name, str) and name else "a work without a key"
        unknown = set(d) - _WORK_FIELDS
        if unknown:
            raise ValueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        try:
            for fname, check in _CHECKS.items():
                if fname in d:
                    check(fname, d[fname])
            if not isinstance(d.get("key"), str) or not isinstance(d.get("title"), str):
                raise ValueError("key and title must be strings")
            kw = dict(d)
            kw["authors"] = [Person.from_json(p) for p in d.get("authors", [])]
            kw["entries"] = [_entry_ref(e) for e in d.get("entries", [])]
            kw["provenance"] = {k: _provenance(v) for k, v in d.get("provenance", {}).items()}
            return cls(**kw)
        except (ValueError, TypeError) as e:
            raise ValueError(f"{where}: {e}") from None


_WORK_FIELDS = frozenset(f.name for f in fields(Work))


def _want(kind: type | tuple[type, ...], label: str):
    def check(name: str, value: Any) -> None:
        if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
            raise ValueError(f"{name} must be {label}, not {value!r}")
    return check


def _want_list_of_str(name: str, value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise ValueError(f"{name} must be a list of strings, not {value!r}")


def _want_str_map(name: str, value: Any) -> None:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValueError(f"{name} must be an object of strings, not {value!r}")


def _want_list(name: str, value: Any) -> None:
    if not isinstance(value, list):
        raise ValueError(f"{name} must be a list, not {value!r}")


def _want_object(name: str, value: Any) -> None:
    if not isinstance(value, dict):
        raise ValueError(f"{name} must be an object, not {value!r}")


def _want_month(name: str, value: Any) -> None:
    _want(int, "a whole number")(name, value)
    if value is not None and not 1 <= value <= 12:
        raise ValueError(f"month must be 1 to 12, not {value!r}")


_CHECKS = {
    **{n: _want(str, "a string") for n in ("venue", "venue_short", "container", "volume", "number", "pages",
                                           "publisher", "address", "arxiv_class", "url")},
    "year": _want(int, "a whole number"),
    "month": _want_month,
    "kind": lambda n, v: as_kind(v),
    "ids": _want_str_map,
    "code": _want_list_of_str,
    "sections": _want_list_of_str,
    "authors": _want_list,
    "entries": _want_list,
    "provenance": _want_object,
}


def check_field(name: str, value: Any) -> None:
    """``ValueError`` when ``value`` is not a valid value of the work field ``name``."""
    check = _CHECKS.get(name)
    if check is not None:
        check(name, value)
    elif name in ("key", "title") and not isinstance(value, str):
        raise ValueError(f"{name} must be a string, not {value!r}")


def _entry_ref(d: Any) -> EntryRef:
    if not isinstance(d, dict) or set(d) != {"section", "title"} or not all(isinstance(v, str) for v in d.values()):
        raise ValueError(f"an entry must be {{\"section\": ..., \"title\": ...}}, not {d!r}")
    return EntryRef(d["section"], d["title"])


def _provenance(d: Any) -> Provenance:
    if not isinstance(d, dict) or set(d) != {"source", "retrieved"}:
        raise ValueError(f"provenance must be {{\"source\": ..., \"retrieved\": ...}}, not {d!r}")
    return Provenance(str(d["source"]), str(d["retrieved"]))


@dataclass
class Unresolved:
    """A list entry the resolver could not turn into a work, and why (a wrong match is worse than none).

    ``nearest`` is the closest paper a title search found when none had the entry's title
    (``{"title", "ids", "differs"}``): lint turns it into a "did you mean", never a match.
    """

    section: str
    title: str
    reason: str
    line: int | None = None
    nearest: dict[str, Any] | None = None

    @property
    def ref(self) -> EntryRef:
        return EntryRef(self.section, self.title)

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"section": self.section, "title": self.title, "reason": self.reason}
        if self.line is not None:
            d["line"] = self.line
        if self.nearest:
            d["nearest"] = self.nearest
        return d

    @classmethod
    def from_json(cls, d: Any) -> "Unresolved":
        if not isinstance(d, dict) or not {"section", "title", "reason"} <= set(d) <= _UNRESOLVED_KEYS:
            raise ValueError(f"an unresolved entry must have section, title and reason, not {d!r}")
        if not all(isinstance(d[k], str) for k in ("section", "title", "reason")):
            raise ValueError(f"unresolved entry {d.get('title')!r}: section, title and reason must be strings")
        line = d.get("line")
        if line is not None and (not isinstance(line, int) or isinstance(line, bool)):
            raise ValueError(f"unresolved entry {d['title']!r}: line must be a whole number, not {line!r}")
        nearest = d.get("nearest")
        if nearest is not None and (not isinstance(nearest, dict) or not isinstance(nearest.get("title"), str)):
            raise ValueError(f"unresolved entry {d['title']!r}: nearest must name a title, not {nearest!r}")
        return cls(d["section"], d["title"], d["reason"], line, nearest)


_UNRESOLVED_KEYS = {"section", "title", "reason", "line", "nearest"}


FORMAT = "plmcite-catalog/1"


@dataclass
class Catalog:
    works: list[Work] = field(default_factory=list)
    sections: dict[str, str] = field(default_factory=dict)  # "1.4" -> "Training-free Methods"
    unresolved: list[Unresolved] = field(default_factory=list)
    list_path: str | None = None

    def by_key(self) -> dict[str, Work]:
        return {w.key: w for w in self.works}

    def by_entry(self) -> dict[EntryRef, Work]:
        """The work each list entry resolved to (the first, should two claim one entry)."""
        out: dict[EntryRef, Work] = {}
        for w in self.works:
            for ref in w.entries:
                out.setdefault(ref, w)
        return out

    def select(self, sections: Iterable[str] | None) -> list[Work]:
        """Works in any of ``sections``, each once, in catalog order.

        A section is named as ``--section`` takes it (``plmcite.sections.resolve``): its number
        or slug path (a parent selects its subtree: ``"1"`` selects 1.x too), a unique trailing
        part of the path, or the heading's text, case-insensitively. A name that fits nothing
        selects nothing; one that fits several sections is an InputError.
        """
        if not sections:
            return list(self.works)
        from .sections import UnknownSection, resolve

        known = self.known_sections()
        wanted: list[str] = []
        for s in sections:
            try:
                wanted += resolve(s, known)
            except UnknownSection:
                pass
        return self.in_sections(wanted)

    def known_sections(self) -> dict[str, str]:
        """Every section key a work or the list names, with its heading ("" when unknown)."""
        return {**{s: "" for w in self.works for s in w.sections}, **self.sections}

    def in_sections(self, keys: Iterable[str]) -> list[Work]:
        """Works in any of the section ``keys`` (already resolved) or their subsections, each
        once, in catalog order."""
        keys = list(keys)
        return [w for w in self.works if any(section_matches(s, k) for s in w.sections for k in keys)]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "list": self.list_path,
            "sections": {k: self.sections[k] for k in sorted(self.sections, key=section_sort_key)},
            "works": [w.to_json() for w in sorted(self.works, key=lambda w: w.key)],
            "unresolved": [
                u.to_json()
                for u in sorted(self.unresolved, key=lambda u: (section_sort_key(u.section), u.line or 0, u.title))
            ],
        }

    def dumps(self) -> str:
        """The catalog file's text: stable order, one work per block, UTF-8 as is."""
        import json

        return json.dumps(self.to_json(), indent=1, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, d: Any) -> "Catalog":
        if not isinstance(d, dict):
            raise ValueError(f"not a plmcite catalog (a JSON {type(d).__name__}, expected an object)")
        if d.get("format") != FORMAT:
            raise ValueError(f"not a plmcite catalog (format {d.get('format')!r}, expected {FORMAT!r})")
        works, sections, unresolved = d.get("works", []), d.get("sections", {}), d.get("unresolved", [])
        if not isinstance(works, list) or not isinstance(unresolved, list):
            raise ValueError("\"works\" and \"unresolved\" must be lists")
        if not isinstance(sections, dict) or not all(isinstance(v, str) for v in sections.values()):
            raise ValueError("\"sections\" must map section numbers to names")
        if d.get("list") is not None and not isinstance(d["list"], str):
            raise ValueError("\"list\" must be a path")
        return cls(
            works=[Work.from_json(w) for w in works],
            sections=dict(sections),
            unresolved=[Unresolved.from_json(u) for u in unresolved],
            list_path=d.get("list"),
        )
