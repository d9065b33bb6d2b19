"""Catalog works -> canonical BibTeX (or biblatex) entries -> text.

One work gives one entry, the same bytes every time: a fixed field order (``data/bibtex.toml``),
month macros, brace-protected capitals in titles, LaTeX escapes from :mod:`plmcite.latex`. The
choices (entry types per kind, the preprint form, what is left out and why) are explained in
docs/bibtex.md. This module is on the path of ``plmcite export``: it imports nothing heavy, and
it renders 10,000 works in well under a second.

Rendering happens in two steps: :func:`fields` decides the entry type and each field's plain
text (the bibliographic decisions, for one *flavour*: BibTeX styles print different fields, and
each flavour writes a fact where its styles print it once), :func:`entry` encodes them as LaTeX.
:mod:`plmcite.reflist` hands the same plain fields to pybtex, so a formatted reference list
never depends on pybtex reading LaTeX back.

Problems that would make a LaTeX toolchain warn (no year, no venue name, a character pdflatex
cannot typeset) are reported as warnings "key: message" rather than written silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

from . import latex
from .bibnames import ODD_CANDIDATE, names, odd_initials, person  # noqa: F401 (person: re-exported)
from .model import Person, Work, section_sort_key

DIALECTS = ("bibtex", "biblatex")

#: fields copied verbatim (identifiers, URLs, macros): never LaTeX-escaped
VERBATIM = frozenset({"year", "month", "date", "doi", "url", "eprint", "archiveprefix", "eprinttype"})

_DOI = re.compile(r"10\.\d{4,9}/\S+")
_PAGE_SPLIT = re.compile(r"\s*(?:-+|–|—)\s*")
_ARXIV_ID = re.compile(r"(?:[a-z\-]+(?:\.[A-Z]{2})?/\d{7}|\d{4}\.\d{4,5})")
_ARXIV_URL = re.compile(r"https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/([^?#]+?)(?:v\d+)?(?:\.pdf)?/?$")


@dataclass(frozen=True)
class Flavour:
    """What one ``export --for`` flavour writes where BibTeX styles disagree (data/bibtex.toml)."""

    name: str
    preprint: str  # "howpublished" | "eprint": where a preprint's arXiv id goes
    eprint: bool  # published works carry eprint/archiveprefix/primaryclass
    doi_url: bool  # url = https://doi.org/<doi> (for styles that print url but not doi)
    styles: str


@dataclass(frozen=True)
class Rules:
    types: dict[str, dict[str, str]]
    order: dict[str, tuple[str, ...]]
    months: dict[int, str]
    preprint_howpublished: str
    archiveprefix: str
    flavours: dict[str, Flavour]


@lru_cache(maxsize=1)
def rules() -> Rules:
    d = latex.data()
    flavours = {}
    for name, f in d["flavours"].items():
        if f["preprint"] not in ("howpublished", "eprint"):
            raise ValueError(f"bibtex.toml [flavours.{name}]: preprint must be howpublished or eprint")
        flavours[name] = Flavour(name, f["preprint"], bool(f["eprint"]), bool(f["doi_url"]), f["styles"])
    return Rules(
        types={k: dict(v) for k, v in d["types"].items()},
        order={k: tuple(v) for k, v in d["order"].items()},
        months={int(k): v for k, v in d["months"].items()},
        preprint_howpublished=d["preprint"]["howpublished"],
        archiveprefix=d["preprint"]["archiveprefix"],
        flavours=flavours,
    )


#: the flavour written when none is asked for (and the one refs/bib/ holds)
DEFAULT_FLAVOUR = "natbib"


@dataclass
class Fields:
    """An entry before LaTeX: type, key, authors and plain-text field values."""

    type: str
    key: str
    authors: list[Person] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)
    url_fields: frozenset[str] = frozenset()  # plain-text fields that hold a URL (\url{...} in LaTeX)


@dataclass
class Entry:
    """A rendered entry: field values are LaTeX (or a bare macro name for ``month``)."""

    type: str
    key: str
    fields: dict[str, str] = field(default_factory=dict)
    bare: frozenset[str] = frozenset()  # fields written without braces (month macros)

    def render(self, order: Iterable[str]) -> str:
        lines = [f"@{self.type}{{{self.key},"]
        names = [f for f in order if f in self.fields]
        names += sorted(set(self.fields) - set(names))
        last = len(names) - 1
        for i, name in enumerate(names):
            value = self.fields[name]
            text = value if name in self.bare else "{" + value + "}"
            lines.append(f"  {name} = {text}{',' if i < last else ''}")
        lines.append("}\n")
        return "\n".join(lines)


# --- field values ---------------------------------------------------------------------------------


def pages(value: str, escape=latex.escape) -> str:
    """"123--145", "123-145", "123–145" -> ``123--145``; anything else escaped as text."""
    parts = [p for p in _PAGE_SPLIT.split(value.strip()) if p]
    if len(parts) == 2 and _PAGE_SPLIT.search(value.strip()):
        return escape(parts[0]) + "--" + escape(parts[1])
    return escape(value)


def clean_doi(doi: str | None) -> str | None:
    """A bare DOI ("10.18653/v1/2024.acl-long.1"), or None when it cannot be one."""
    if not doi:
        return None
    doi = re.sub(r"(?i)^(?:https?://(?:dx\.)?doi\.org/|doi:)", "", doi.strip())
    if not _DOI.fullmatch(doi) or any(c in doi for c in "{}\\%") or not doi.isascii():
        return None
    return doi


def is_arxiv_url(url: str | None, arxiv_id: str | None) -> bool:
    if not url or not arxiv_id:
        return False
    m = _ARXIV_URL.match(url)
    return bool(m) and m.group(1) == arxiv_id


# --- entries --------------------------------------------------------------------------------------


def _link(work: Work, arxiv: str | None, doi: str | None, warn) -> str | None:
    """The work's landing page, unless it only repeats an identifier the entry carries.

    ``https://doi.org/<doi>`` (or a publisher page named by the DOI, dl.acm.org/doi/<doi>) is the
    DOI again, and the arXiv abstract page is the arXiv id again: styles printing both would
    print the same fact twice.
    """
    url = latex.clean_url(work.url)
    if work.url and not url:
        warn(f"{work.key}: url {work.url!r} is not an http(s) URL; left out")
    if url and doi and doi.lower() in url.lower():
        return None
    if url and is_arxiv_url(url, arxiv):
        return None
    return url


def fields(work: Work, dialect: str = "bibtex", warnings: list[str] | None = None,
           flavour: str = DEFAULT_FLAVOUR) -> Fields:
    """The entry type and plain-text fields of a work: every bibliographic decision is here.

    ``flavour`` (bibtex dialect only) says which styles the entry is for: each prints a fact in
    a different field, and a fact written twice would be printed twice (data/bibtex.toml).
    """
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r} (expected one of {', '.join(DIALECTS)})")
    r = rules()
    if flavour not in r.flavours:
        raise ValueError(f"unknown flavour {flavour!r} (expected one of {', '.join(r.flavours)})")
    fl_rules = r.flavours[flavour]
    warn = warnings.append if warnings is not None else (lambda _m: None)
    bib = dialect == "bibtex"
    kind = work.kind if work.kind in r.types[dialect] else "other"
    container = work.container or work.venue_short
    if kind in ("conference", "workshop", "journal") and not container:
        warn(f"{work.key}: {kind} paper without a venue name; written as a {'preprint' if work.arxiv else 'misc'} entry")
        kind = "preprint" if work.arxiv else "other"
    authorless = not any(latex.normalize(p.family + p.given) for p in work.authors if p.family or p.given)
    if authorless and kind != "other":
        # the same type everywhere (BibTeX, biblatex, CSL, Zotero): a style may warn "empty
        # author", but a made-up author or a sort key (which natbib styles print where the
        # author goes, before the title again) would be worse
        warn(f"{work.key}: no authors (add them to the overrides file)")
    out = Fields(type=r.types[dialect][kind], key=work.key, authors=list(work.authors))
    v = out.values
    url_fields: set[str] = set()

    v["title"] = work.title
    if not work.title.strip() and not latex.normalize(work.title):
        warn(f"{work.key}: no title")

    arxiv = work.arxiv
    if arxiv and not _ARXIV_ID.fullmatch(arxiv):
        warn(f"{work.key}: arXiv id {arxiv!r} is not an arXiv identifier; left out")
        arxiv = None
    doi = clean_doi(work.doi)
    if work.doi and not doi:
        warn(f"{work.key}: DOI {work.doi!r} does not look like a DOI; left out")
    url = _link(work, arxiv, doi, warn)
    # where the arXiv id goes: howpublished (styles that print no eprint), or eprint fields
    eprint = bool(arxiv) and (not bib or (fl_rules.preprint == "eprint" if kind == "preprint" else fl_rules.eprint))

    if kind in ("conference", "workshop"):
        v["booktitle"] = container
    elif kind == "journal":
        v["journal" if bib else "journaltitle"] = container
    elif kind == "preprint":
        if bib and arxiv and fl_rules.preprint == "howpublished":
            v["howpublished"] = r.preprint_howpublished.format(id=arxiv)
        elif work.container:
            v["howpublished"] = work.container
    elif work.container:  # other: a web page, a repository, a model card
        v["howpublished"] = work.container
    elif bib and url and "%" not in url and "#" not in url:
        # plain.bst prints no url field: the link goes where every style prints it (a URL with
        # % or # cannot sit in another command's argument, which is where biber puts it)
        v["howpublished"] = url
        url_fields.add("howpublished")
        url = None

    if work.volume and kind in ("conference", "workshop", "journal"):
        v["volume"] = work.volume
    if work.number and kind == "journal":
        # @inproceedings: plain.bst warns on a number without a series, and on volume + number
        v["number"] = work.number
    if work.pages and kind != "other":
        v["pages"] = work.pages

    year, month_no = work.year, work.month
    if not year and arxiv:
        # a new-style arXiv id is its submission month: 2410.04070 -> October 2024
        m = re.match(r"(\d{2})(\d{2})\.", arxiv)
        if m:
            year, month_no = 2000 + int(m.group(1)), int(m.group(2))
    if year:
        month = r.months.get(month_no or 0)
        if bib:
            v["year"] = str(year)
            if month:
                v["month"] = month
        else:
            v["date"] = f"{year}-{month_no:02d}" if month else str(year)
    else:
        warn(f"{work.key}: no year")

    if work.publisher and kind != "preprint":
        v["publisher"] = work.publisher
    if work.address and kind != "preprint":
        v["address" if bib else "location"] = work.address

    if doi:
        v["doi"] = doi
        if bib and fl_rules.doi_url:
            url = f"https://doi.org/{doi}"  # the style prints url, not doi: the DOI as its link
    if url:
        v["url"] = url
    if eprint:
        v["eprint"] = arxiv
        if bib:
            v["archiveprefix"] = r.archiveprefix
            if work.arxiv_class:
                v["primaryclass"] = work.arxiv_class
        else:
            v["eprinttype"] = "arxiv"
            if work.arxiv_class:
                v["eprintclass"] = work.arxiv_class
    sections = work.sections
    if len(sections) > 1:
        sections = sorted({s for s in sections if s}, key=section_sort_key)
    if sections and sections[0]:
        v["keywords"] = ", ".join(sections)
    out.url_fields = frozenset(url_fields)
    return out


def entry(work: Work, dialect: str = "bibtex", *, ascii: bool = False,
          warnings: list[str] | None = None, flavour: str = DEFAULT_FLAVOUR) -> Entry:
    """The canonical entry of a work, in the ``bibtex`` (of a flavour) or ``biblatex`` dialect."""
    fl = fields(work, dialect, warnings, flavour)
    missing: list[str] = []
    fragile: list[str] = []

    def esc(text: str) -> str:
        return latex.escape(text, ascii=ascii, missing=missing, fragile=fragile)

    f: dict[str, str] = {}
    if fl.authors:
        f["author"] = names(fl.authors, ascii, missing, fragile, biblatex=dialect == "biblatex")
        if dialect != "biblatex":
            odd = odd_initials(f["author"].replace(" and ", " ")) if ODD_CANDIDATE.search(f["author"]) else []
            if odd and warnings is not None:
                warnings.append(f"{work.key}: name word(s) {', '.join(odd)} start with a symbol; biber cannot "
                                f"make initials of them (BibTeX can): for biber, export --format biblatex")
    plain = latex.is_plain
    url_fields = fl.url_fields
    for name, value in fl.values.items():
        if name in VERBATIM:
            f[name] = value
        elif name == "title":
            f[name] = latex.protect_title(value, ascii=ascii, missing=missing, fragile=fragile)
        elif name in url_fields:
            f[name] = "\\url{" + value + "}"
        elif name == "pages":
            f[name] = pages(value, esc)
        else:
            f[name] = value if plain(value) else esc(value)

    if warnings is not None:
        if missing:
            chars = "".join(sorted(set(missing)))
            warnings.append(f"{work.key}: no LaTeX form for {chars!r} (kept as UTF-8; pdflatex needs "
                            f"\\DeclareUnicodeCharacter for it, or use xelatex/lualatex)")
        if fragile:
            chars = "".join(sorted(set(fragile)))
            warnings.append(f"{work.key}: {chars!r} written as accent macros: fine with bibtex, but biber "
                            f"hands them to pdflatex as UTF-8 (use biblatex's safeinputenc option, or "
                            f"xelatex/lualatex)")
        if ascii:
            kept = {c for value in f.values() for c in value if not c.isascii()} - set(missing) - set(fragile)
            if kept:
                warnings.append(f"{work.key}: {''.join(sorted(kept))!r} has no ASCII LaTeX form; kept as "
                                f"UTF-8 (pdflatex reads it)")
    bare = frozenset({"month"}) if "month" in f else frozenset()
    return Entry(type=fl.type, key=work.key, fields=f, bare=bare)


def render(works: Iterable[Work], dialect: str = "bibtex", *, ascii: bool = False,
           warnings: list[str] | None = None, flavour: str = DEFAULT_FLAVOUR) -> str:
    """The entries of ``works`` as one .bib text, in the given order, separated by blank lines."""
    order = rules().order[dialect]
    return "\n".join(entry(w, dialect, ascii=ascii, warnings=warnings, flavour=flavour).render(order)
                     for w in works)
