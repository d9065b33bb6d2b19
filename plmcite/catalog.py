"""The catalog: every work of the list with identifiers, metadata and provenance.

The catalog is the contract between the resolver (which writes it) and every renderer (BibTeX,
CSL-JSON, LaTeX, Zotero), which only read it. It lives in ``refs/catalog.json``: one
deterministic, human-reviewable JSON file, works sorted by citation key, fields in a fixed order,
empty fields left out, so that a re-run with nothing new changes no byte and a pull-request diff
shows exactly what changed.

User corrections live in an overrides file (``refs/overrides.toml``) that plmcite only reads:
``apply_overrides`` lays them over the resolved works each time they are used.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Iterable

from .atomic import write_atomic

FORMAT = "plmcite-catalog/1"

#: kinds of work, the renderers map each to an entry / item type
KINDS = ("conference", "workshop", "journal", "preprint", "other")


@dataclass
class Person:
    """An author. ``family`` holds particles too ("van der Berg"); a single name has no given."""

    family: str
    given: str = ""

    def to_json(self) -> dict[str, str]:
        return {"family": self.family, "given": self.given} if self.given else {"family": self.family}

    @classmethod
    def from_json(cls, d: dict[str, str]) -> "Person":
        return cls(family=d["family"], given=d.get("given", ""))


@dataclass
class Provenance:
    """Where a field's value came from and when it was retrieved (ISO date)."""

    source: str
    retrieved: str

    def to_json(self) -> dict[str, str]:
        return {"source": self.source, "retrieved": self.retrieved}


@dataclass
class EntryRef:
    """A list entry that points at this work (no line number: lines move with every edit)."""

    section: str
    title: str

    def to_json(self) -> dict[str, str]:
        return {"section": self.section, "title": self.title}


@dataclass
class Work:
    """One paper, merged over its versions (published record wins, arXiv id stays attached)."""

    key: str
    title: str
    kind: str = "preprint"
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

    @property
    def doi(self) -> str | None:
        return self.ids.get("doi")

    @property
    def arxiv(self) -> str | None:
        return self.ids.get("arxiv")

    @property
    def published(self) -> bool:
        return self.kind != "preprint"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if v is None or v == [] or v == {} or v == "":
                continue
            if f.name == "authors":
                v = [p.to_json() for p in v]
            elif f.name == "entries":
                v = [e.to_json() for e in sorted(v, key=lambda e: (section_sort_key(e.section), e.title))]
            elif f.name == "provenance":
                v = {k: v[k].to_json() for k in sorted(v)}
            elif f.name == "ids":
                v = {k: v[k] for k in sorted(v)}
            elif f.name == "sections":
                v = sorted(set(v), key=section_sort_key)
            out[f.name] = v
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Work":
        kw = dict(d)
        kw["authors"] = [Person.from_json(p) for p in d.get("authors", [])]
        kw["entries"] = [EntryRef(**e) for e in d.get("entries", [])]
        kw["provenance"] = {k: Provenance(**v) for k, v in d.get("provenance", {}).items()}
        unknown = set(kw) - _WORK_FIELDS
        if unknown:
            raise ValueError(f"work {d.get('key')!r}: unknown field(s) {', '.join(sorted(unknown))}")
        return cls(**kw)


_WORK_FIELDS = frozenset(f.name for f in fields(Work))


@dataclass
class Unresolved:
    """A list entry the resolver could not turn into a work, and why (a wrong match is worse than none)."""

    section: str
    title: str
    reason: str
    line: int | None = None

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"section": self.section, "title": self.title, "reason": self.reason}
        if self.line is not None:
            d["line"] = self.line
        return d


@dataclass
class Catalog:
    works: list[Work] = field(default_factory=list)
    sections: dict[str, str] = field(default_factory=dict)  # "1.4" -> "Training-free Methods"
    unresolved: list[Unresolved] = field(default_factory=list)
    list_path: str | None = None

    def by_key(self) -> dict[str, Work]:
        return {w.key: w for w in self.works}

    def select(self, sections: Iterable[str] | None) -> list[Work]:
        """Works in any of ``sections`` (``"1"`` selects 1.x too), each once, in catalog order."""
        if not sections:
            return list(self.works)
        wanted = [s.strip().rstrip(".") for s in sections]
        return [w for w in self.works if any(section_matches(s, want) for s in w.sections for want in wanted)]

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
        return json.dumps(self.to_json(), indent=1, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Catalog":
        if d.get("format") != FORMAT:
            raise ValueError(f"not a plmcite catalog (format {d.get('format')!r}, expected {FORMAT!r})")
        return cls(
            works=[Work.from_json(w) for w in d.get("works", [])],
            sections=dict(d.get("sections", {})),
            unresolved=[Unresolved(**u) for u in d.get("unresolved", [])],
            list_path=d.get("list"),
        )


class CatalogError(Exception):
    """The catalog or overrides file is missing or malformed; the message names the file."""


def section_sort_key(section: str) -> tuple:
    """Sort "1.10" after "1.9", and the top-level section ("") first."""
    parts = []
    for p in section.split("."):
        parts.append((0, int(p), "") if p.isdigit() else (1, 0, p))
    return tuple(parts)


def section_matches(section: str, wanted: str) -> bool:
    return section == wanted or section.startswith(wanted + ".")


def load(path: str | os.PathLike, overrides: str | os.PathLike | None = None) -> Catalog:
    """Read a catalog (and lay the overrides file over it, when given and present)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogError(f"{path}: no catalog here; run `plmcite resolve` first") from None
    except json.JSONDecodeError as e:
        raise CatalogError(f"{path}:{e.lineno}: not valid JSON: {e.msg}") from None
    try:
        cat = Catalog.from_json(data)
    except (ValueError, KeyError, TypeError) as e:
        raise CatalogError(f"{path}: {e}") from None
    if overrides is not None and Path(overrides).exists():
        apply_overrides(cat, load_overrides(overrides))
    return cat


def save(catalog: Catalog, path: str | os.PathLike) -> bool:
    """Write the catalog atomically; return False (and write nothing) when no byte would change."""
    path = Path(path)
    text = catalog.dumps()
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except FileNotFoundError:
        pass
    write_atomic(path, text)
    return True


# --- overrides -----------------------------------------------------------------------------

#: fields an override may set; ``authors`` takes a list of "Family, Given" strings
OVERRIDABLE = {f.name for f in fields(Work)} - {"provenance", "entries", "sections"}


def load_overrides(path: str | os.PathLike) -> dict[str, dict[str, Any]]:
    """Read ``[<key or identifier>]`` tables of field pins from a TOML overrides file.

    A table is addressed by citation key or by an identifier (``"arxiv:2410.04070"``,
    ``"doi:10.18653/v1/..."``) so a pin can be written before the work has a key.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise CatalogError(f"{path}: not valid TOML: {e}") from None
    for name, table in data.items():
        if not isinstance(table, dict):
            raise CatalogError(f"{path}: [{name}] must be a table of field = value pins")
        bad = set(table) - OVERRIDABLE
        if bad:
            raise CatalogError(f"{path}: [{name}]: cannot override {', '.join(sorted(bad))}")
    return data


def parse_person(text: str) -> Person:
    if "," in text:
        family, given = text.split(",", 1)
        return Person(family.strip(), given.strip())
    parts = text.split()
    return Person(parts[-1], " ".join(parts[:-1])) if len(parts) > 1 else Person(text.strip())


def override_target(works: Iterable[Work], name: str) -> Work | None:
    for w in works:
        if w.key == name:
            return w
        if ":" in name:
            kind, value = name.split(":", 1)
            if w.ids.get(kind, "").lower() == value.lower():
                return w
    return None


def apply_overrides(catalog: Catalog, overrides: dict[str, dict[str, Any]]) -> list[str]:
    """Pin fields from overrides; return the names of tables that matched no work."""
    missing = []
    for name, table in overrides.items():
        work = override_target(catalog.works, name)
        if work is None:
            missing.append(name)
            continue
        apply_pins(work, table)
    return missing


def apply_pins(work: Work, table: dict[str, Any]) -> None:
    for k, v in table.items():
        if k == "authors":
            v = [parse_person(a) for a in v]
        elif k == "ids":
            v = {**work.ids, **v}
        setattr(work, k, v)
        work.provenance[k] = Provenance("override", "pinned")
