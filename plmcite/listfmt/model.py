"""The list as a lossless document: lines, sections and the entries read from them.

A list file is kept as its lines, each with its raw text (line ending included) and a kind; the
entries are an *interpretation* of some of those lines, so rendering an unmodified document gives
back the exact bytes that were read whatever dialect the list is written in. Edits replace or
insert whole lines and leave every other byte alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import ids as idmod
from ..model import EntryRef

ENCODING = "utf-8"
ERRORS = "surrogateescape"

#: the dialects an entry can be written in (``Entry.dialect``)
TAGGED = "tagged"  # + **\[2025 ICLR\]** Title. ([Paper](url), [Code](url))
BULLET = "bullet"  # - [Title](url) - NeurIPS 2024;  1. **Title.** Venue.;  * "Title", *arXiv, May 2023*
TABLE = "table"  # | [**Title**](url) | EMNLP'23 | 2023-10-16 | [Code](url) |
HTML = "html"  # <td><a href="url">Method (Author et al., 2020)</a></td>, <li><a href="url">Title</a></li>
PARAGRAPH = "paragraph"  # **Title**<br> / *Authors*<br> / Venue Year. / [PDF](url)
DIALECTS = (TAGGED, BULLET, TABLE, HTML, PARAGRAPH)


@dataclass(frozen=True, slots=True)
class Tag:
    """Year and venue of an entry, ``**\\[2025 Arxiv-2503\\]**`` in the tagged dialect.

    Other dialects give venue and year as a table cell, a ``<ins>ICML, 2025</ins>``, an italic
    ``*arXiv, May 2023*`` or a prefix ``(ArXiv 2025)``: they are read into the same model, with
    ``raw`` the text as written and ``escaped`` False (only the tagged dialect has brackets).
    """

    raw: str  # text between the brackets (or the venue text), as written
    year: int | None
    venue: str | None  # "ICLR", "NeurIPS Workshop", "Arxiv", "EMNLP Findings"...
    arxiv_month: str | None  # "2503" for "Arxiv-2503" (tagged dialect only)
    escaped: bool = True  # written as \[...\] (the list's template) rather than [...]

    @property
    def is_arxiv(self) -> bool:
        return (self.venue or "").lower() == "arxiv"

    def render(self) -> str:
        return f"**\\[{self.raw}\\]**" if self.escaped else f"**[{self.raw}]**"


LABEL_ROLES = {
    "paper": "paper", "pdf": "paper", "arxiv": "paper", "openreview": "paper", "doi": "paper",
    "code": "code", "github": "code", "repo": "code", "pytorch code": "code",
    "website": "site", "project": "site", "homepage": "site", "page": "site", "link": "other",
    "project page": "site", "data": "data", "dataset": "data", "demo": "site", "blog": "site",
}

#: labels people mean to write, for normalising case ("paper" -> "Paper")
CANONICAL_LABELS = {"paper": "Paper", "code": "Code", "website": "Website", "data": "Data",
                    "dataset": "Dataset", "link": "Link", "project": "Project", "demo": "Demo"}


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str
    nested: bool = False  # written as [Label]([link](url)): the URL is the inner one
    column: str | None = None  # the role its table column gives it ("paper", "code", "site")
    # computed once per link (every lint rule asks): a list of 100,000 entries has more distinct
    # URLs than ids.py's caches hold
    _ids: dict | None = field(default=None, init=False, repr=False, compare=False, hash=False)
    _target: str | None = field(default=None, init=False, repr=False, compare=False, hash=False)
    _role: str | None = field(default=None, init=False, repr=False, compare=False, hash=False)

    @property
    def ids(self) -> dict[str, str]:
        if self._ids is None:
            object.__setattr__(self, "_ids", idmod.extract(self.url))
        return self._ids

    @property
    def target(self) -> str:
        """What the URL points at: paper, code, site or other (see ``ids.classify``)."""
        if self._target is None:
            object.__setattr__(self, "_target", idmod.target_of(self.url, self.ids))
        return self._target

    @property
    def role(self) -> str:
        """What the label (or, for a label that says nothing, the table column) says it is."""
        if self._role is None:
            role = LABEL_ROLES.get(self.label.strip().lower())
            if role is None or (role == "other" and self.column):
                role = self.column or "other"
            object.__setattr__(self, "_role", role)
        return self._role


@dataclass(slots=True)
class Entry:
    """One paper of the list, read from one line (or a few, for multi-line dialects)."""

    line: int  # 1-based first line
    section: str  # section key: "1.4", "" before any section, or a slug path "evaluation/mbti"
    bullet: str  # "+ " as written (indentation and marker); "" for table rows and HTML
    tag: Tag | None
    title: str  # without the trailing period; the link text when the list gives no title
    links: list[Link]
    raw: str  # the first line as read, without its line ending
    problems: list[str] = field(default_factory=list)  # markup problems seen while parsing
    dialect: str = TAGGED
    end: int = 0  # last line of a multi-line entry (0: the entry is one line)
    name: str | None = None  # a method or dataset name the list gives besides the title
    titled: bool = True  # False when the list names the paper ("FGSM (Goodfellow et al., 2015)")
    _ids: dict | None = field(default=None, init=False, repr=False, compare=False)
    _code: list | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def ref(self) -> EntryRef:
        """The entry's identity across runs (section and title as written)."""
        return EntryRef(self.section, self.title)

    @property
    def last_line(self) -> int:
        return self.end or self.line

    @property
    def ids(self) -> dict[str, str]:
        """Paper identifiers from the entry's links; paper-labelled links win over the others."""
        if self._ids is not None:
            return self._ids
        out: dict[str, str] = {}
        ordered = sorted(self.links, key=lambda l: 0 if l.role == "paper" else 1)
        for link in ordered:
            if link.role == "code" and link.target == "paper":
                continue  # a Code link pointing at a paper is a list mistake, not an identity
            for k, v in link.ids.items():
                if k in idmod.PAPER_IDS:
                    out.setdefault(k, v)
        self._ids = out
        return out

    @property
    def code(self) -> list[str]:
        if self._code is None:
            self._code = [l.url for l in self.links if l.role == "code" and l.target == "code"]
        return self._code

    @property
    def paper_url(self) -> str | None:
        for l in self.links:
            if l.role == "paper":
                return l.url
        return None


@dataclass
class Section:
    key: str  # "1.4"; for an unnumbered heading, the slug path of the headings ("awesome-papers/chat")
    number: str | None  # "1.4", None when the heading is not numbered
    title: str  # "Training-free Methods", the heading's text without markup
    level: int  # number of '#'
    line: int

    @property
    def label(self) -> str:
        return f"{self.number} {self.title}" if self.number else self.title


@dataclass(slots=True)
class Line:
    """A physical line: ``text`` without its ending, ``eol`` the ending as read ("\\n", "\\r\\n", "").

    ``kind``: heading | entry | more (a further line of a multi-line entry) | blank | bullet (an
    empty list item) | quote | comment | table (a table's header, separator or a row that is no
    entry) | text.
    """

    text: str
    eol: str
    kind: str
    section: str


@dataclass
class ListDoc:
    path: str | None
    lines: list[Line]
    sections: list[Section]
    entries: list[Entry]
    notes: list[str] = field(default_factory=list)  # why lines that look like entries were not read

    def render(self) -> str:
        return "".join(l.text + l.eol for l in self.lines)

    def render_bytes(self) -> bytes:
        return self.render().encode(ENCODING, ERRORS)

    def section(self, key: str) -> Section | None:
        for s in self.sections:
            if s.key == key:
                return s
        return None

    def section_titles(self) -> dict[str, str]:
        return {s.key: s.title for s in self.sections}
