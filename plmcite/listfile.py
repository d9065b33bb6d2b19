"""The awesome list as a lossless model: parse ⇄ render, byte for byte.

A list file is kept as its lines, each with its raw text (line ending included) and a
classification: heading, entry, blank, empty bullet, quote, comment or text. Entries carry their
parsed tag, title and links *and* the raw line, so rendering an unmodified document gives back
the exact bytes that were read (invalid UTF-8 survives through ``surrogateescape``). Edits
replace or insert whole lines and leave every other byte alone.

The entry grammar is the one people really write, not the template::

    + **\\[2025 ICLR\\]** Title. ([Paper](https://...), [Code](https://...))
    + **[2026 Arxiv-2603]** Title. ([Paper](https://arxiv.org/pdf/2603.24535v1))
    + **\\[2025 Arxiv-2504\\]** Title without links
    + Awesome Personalization in MLLMs. ([Website](https://...))
    + **\\[2024 EMNLP\\]** Title? ([Paper]([link](https://...)), [Code]([link](https://...)))
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from . import ids as idmod
from .model import EntryRef

ENCODING = "utf-8"
ERRORS = "surrogateescape"


@dataclass(frozen=True)
class Tag:
    """``**\\[2025 Arxiv-2503\\]**``: year, venue label, arXiv month (YYMM) when it is an arXiv tag."""

    raw: str  # text between the brackets, as written
    year: int | None
    venue: str | None  # "ICLR", "NeurIPS Workshop", "Arxiv", "GitHub"...
    arxiv_month: str | None  # "2503" for "Arxiv-2503"
    escaped: bool = True  # written as \[...\] (the list's template) rather than [...]

    @property
    def is_arxiv(self) -> bool:
        return (self.venue or "").lower() == "arxiv"

    def render(self) -> str:
        return f"**\\[{self.raw}\\]**" if self.escaped else f"**[{self.raw}]**"


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    nested: bool = False  # written as [Label]([link](url)): the URL is the inner one

    @property
    def ids(self) -> dict[str, str]:
        return idmod.extract(self.url)

    @property
    def target(self) -> str:
        """What the URL points at: paper, code, site or other (see ``ids.classify``)."""
        return idmod.classify(self.url)

    @property
    def role(self) -> str:
        """What the label says it is: paper, code, site, data or other."""
        return LABEL_ROLES.get(self.label.strip().lower(), "other")


LABEL_ROLES = {
    "paper": "paper", "pdf": "paper", "arxiv": "paper", "openreview": "paper",
    "code": "code", "github": "code", "repo": "code",
    "website": "site", "project": "site", "homepage": "site", "page": "site", "link": "other",
    "data": "data", "dataset": "data", "demo": "site", "blog": "site",
}

#: labels people mean to write, for normalising case ("paper" -> "Paper")
CANONICAL_LABELS = {"paper": "Paper", "code": "Code", "website": "Website", "data": "Data",
                    "dataset": "Dataset", "link": "Link", "project": "Project", "demo": "Demo"}


@dataclass
class Entry:
    """One paper line of the list."""

    line: int  # 1-based
    section: str  # section key: "1.4", "" before any section, or an unnumbered heading's text
    bullet: str  # "+ " as written (indentation and marker)
    tag: Tag | None
    title: str  # without the trailing period
    links: list[Link]
    raw: str  # the full line as read, without its line ending
    problems: list[str] = field(default_factory=list)  # markup problems seen while parsing

    @property
    def ref(self) -> EntryRef:
        """The entry's identity across runs (section and title as written)."""
        return EntryRef(self.section, self.title)

    @cached_property
    def ids(self) -> dict[str, str]:
        """Paper identifiers from the entry's links; paper-labelled links win over the others."""
        out: dict[str, str] = {}
        ordered = sorted(self.links, key=lambda l: 0 if l.role == "paper" else 1)
        for link in ordered:
            if link.role == "code" and link.target == "paper":
                continue  # a Code link pointing at a paper is a list mistake, not an identity
            for k, v in link.ids.items():
                if k in idmod.PAPER_IDS:
                    out.setdefault(k, v)
        return out

    @cached_property
    def code(self) -> list[str]:
        return [l.url for l in self.links if l.role == "code" and l.target == "code"]

    @property
    def paper_url(self) -> str | None:
        for l in self.links:
            if l.role == "paper":
                return l.url
        return None


@dataclass
class Section:
    key: str  # "1.4"; for an unnumbered heading, its text
    number: str | None  # "1.4", None when the heading is not numbered
    title: str  # "Training-free Methods"
    level: int  # number of '#'
    line: int

    @property
    def label(self) -> str:
        return f"{self.number} {self.title}" if self.number else self.title


@dataclass
class Line:
    """A physical line: ``text`` without its ending, ``eol`` the ending as read ("\\n", "\\r\\n", "")."""

    text: str
    eol: str
    kind: str  # heading | entry | blank | bullet | quote | comment | text
    section: str


@dataclass
class ListDoc:
    path: str | None
    lines: list[Line]
    sections: list[Section]
    entries: list[Entry]

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


# --- parsing --------------------------------------------------------------------------------

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_NUMBERED = re.compile(r"^(\d+(?:\.\d+)*)\.?(?:[ \t]+(.*)|$)")
_BULLET = re.compile(r"^([ \t]*[+*\-][ \t]+)(.*)$")
_EMPTY_BULLET = re.compile(r"^[ \t]*[+*\-][ \t]*$")
_TAG = re.compile(r"^\*\*(\\?\[)(.*?)(\\?\])\*\*[ \t]*")
_TAG_BODY = re.compile(r"^\s*(\d{4})?\s*(.*?)\s*$")
_ARXIV_TAG = re.compile(r"^arxiv[\s\-_]*(\d{4})?$", re.I)
# one markdown link: [label](url) or the doubled [label]([link](url)) form
_LINK = re.compile(r"\[([^\[\]]*)\]\((?:\[[^\[\]]*\]\(([^()\s]*)\)|([^()\s]*(?:\([^()\s]*\)[^()\s]*)*))\)")
_THEMATIC = re.compile(r"^[ \t]*([*\-_])(?:[ \t]*\1){2,}[ \t]*$")


def with_tag_text(entry: "Entry", text: str, new_raw: str) -> str | None:
    """``text`` (the entry's line) with the text inside its tag brackets replaced by ``new_raw``;
    the bracket style and everything else stay. None when the line has no tag there."""
    at = len(entry.bullet)
    m = _TAG.match(text[at:])  # the pattern is anchored: match the text after the bullet
    if m is None:
        return None
    return text[:at + m.start(2)] + new_raw + text[at + m.end(2):]


def parse_tag(raw: str, escaped: bool = True) -> Tag:
    m = _TAG_BODY.match(raw)
    year = int(m.group(1)) if m and m.group(1) else None
    label = (m.group(2) if m else raw).strip() or None
    month = None
    if label:
        am = _ARXIV_TAG.match(label)
        if am:
            month = am.group(1)
            label = "Arxiv"
    return Tag(raw=raw, year=year, venue=label, arxiv_month=month, escaped=escaped)


def _split_links(rest: str) -> tuple[str, list[Link], list[str]]:
    """Split "Title. ([Paper](u), [Code](v))" into title, links and markup problems."""
    problems: list[str] = []
    # the link block is the last "(" that opens a run of links up to the end of the line
    start = None
    for m in re.finditer(r"\(\s*\[", rest):
        tail = rest[m.start():]
        if _LINK.search(tail) and tail.rstrip().endswith(")"):
            start = m.start()
            break
    links: list[Link] = []
    if start is None:
        # links may still appear without the surrounding parentheses
        first = _LINK.search(rest)
        if not first:
            return rest.strip(), [], problems
        start = first.start()
        block = rest[start:]
        problems.append("links are not wrapped in parentheses")
    else:
        block = rest[start:]
    pos = 0
    for m in _LINK.finditer(block):
        between = block[pos:m.start()]
        if between.strip(" \t(,;|") != "":
            problems.append(f"unexpected text {between.strip()!r} between links")
        nested = m.group(2) is not None
        url = m.group(2) if nested else m.group(3)
        if nested:
            problems.append(f"doubled link syntax in [{m.group(1)}]")
        if not url:
            problems.append(f"empty URL in [{m.group(1)}]")
        links.append(Link(label=m.group(1), url=url or "", nested=nested))
        pos = m.end()
    tail = block[pos:].strip()
    if tail not in (")", ""):
        if re.fullmatch(r",\s*\)", tail):
            problems.append("empty item after the last link")
        else:
            problems.append(f"unexpected text {tail!r} after the links")
    if start is not None and block.lstrip().startswith("(") and not block.rstrip().endswith(")"):
        problems.append("unbalanced parentheses around the links")
    title = rest[:start].strip()
    return title, links, problems


def parse_entry(text: str, line: int, section: str) -> Entry | None:
    m = _BULLET.match(text)
    if not m:
        return None
    bullet, rest = m.group(1), m.group(2).rstrip(" \t\r")
    problems: list[str] = []
    tag = None
    tm = _TAG.match(rest)
    if tm:
        escaped = tm.group(1) == "\\[" and tm.group(3) == "\\]"
        if tm.group(1).startswith("\\") != tm.group(3).startswith("\\"):
            problems.append("tag brackets are escaped on one side only")
        tag = parse_tag(tm.group(2), escaped=escaped)
        rest = rest[tm.end():]
    title, links, link_problems = _split_links(rest)
    problems += link_problems
    if title.endswith("."):
        title = title[:-1].rstrip()
    if not title:
        problems.append("no title")
    return Entry(line=line, section=section, bullet=bullet, tag=tag, title=title, links=links,
                 raw=text.rstrip("\r"), problems=problems)


def _split_lines(text: str) -> list[tuple[str, str]]:
    out = []
    for piece in text.split("\n"):
        out.append((piece, "\n"))
    last, _ = out[-1]
    out[-1] = (last, "")
    if out[-1] == ("", ""):
        out.pop()
    # carriage returns stay inside the text: keep "\r\n" endings intact
    fixed = []
    for body, eol in out:
        if eol == "\n" and body.endswith("\r"):
            fixed.append((body[:-1], "\r\n"))
        else:
            fixed.append((body, eol))
    return fixed


def parse(text: str, path: str | None = None) -> ListDoc:
    """Parse a list. Never raises: whatever does not look like an entry is kept as a text line."""
    lines: list[Line] = []
    sections: list[Section] = []
    entries: list[Entry] = []
    current = ""
    in_comment = False
    in_fence = False
    for lineno, (body, eol) in enumerate(_split_lines(text), start=1):
        stripped = body.strip()
        kind = "text"
        if in_comment:
            kind = "comment"
            if "-->" in body:
                in_comment = False
        elif stripped.startswith("```") or stripped.startswith("~~~"):
            kind = "text"
            in_fence = not in_fence
        elif in_fence:
            kind = "text"
        elif not stripped:
            kind = "blank"
        elif stripped.startswith("<!--"):
            kind = "comment"
            in_comment = "-->" not in stripped[4:]
        elif (h := _HEADING.match(body)) is not None:
            kind = "heading"
            level, htext = len(h.group(1)), h.group(2)
            n = _NUMBERED.match(htext)
            if n:
                number = n.group(1)
                sections.append(Section(number, number, (n.group(2) or "").strip(), level, lineno))
                current = number
            elif level >= 2:
                sections.append(Section(htext, None, htext, level, lineno))
                current = htext
        elif stripped.startswith(">"):
            kind = "quote"
        elif _EMPTY_BULLET.match(body) and not _THEMATIC.match(body):
            kind = "bullet"
        elif _BULLET.match(body) and not _THEMATIC.match(body):
            entry = parse_entry(body, lineno, current)
            if entry is not None:
                kind = "entry"
                entries.append(entry)
        lines.append(Line(body, eol, kind, current))
    return ListDoc(path=path, lines=lines, sections=sections, entries=entries)


def read_text(path: str | Path) -> str:
    return Path(path).read_bytes().decode(ENCODING, ERRORS)


def parse_file(path: str | Path) -> ListDoc:
    return parse(read_text(path), str(path))


# --- rendering entries ----------------------------------------------------------------------


def render_links(links: list[Link]) -> str:
    return "(" + ", ".join(f"[{l.label}]({l.url})" for l in links) + ")"


def render_entry(bullet: str, tag: Tag | None, title: str, links: list[Link]) -> str:
    """Canonical markup: ``+ **\\[2025 ICLR\\]** Title. ([Paper](url), [Code](url))``.

    Keeps what the author chose where the template allows a choice (bullet, tag spelling and
    bracket style, title text, label spelling) and normalises the rest.
    """
    parts = [bullet.rstrip() + " "]
    if tag is not None:
        parts.append(tag.render() + " ")
    t = title.rstrip()
    if t and not t.endswith((".", "?", "!")):
        t += "."
    parts.append(t)
    if links:
        parts.append(" " + render_links(links))
    return "".join(parts)


def entry_line(tag_raw: str | None, title: str, links: list[tuple[str, str]], bullet: str = "+ ") -> str:
    """A new entry line in the list's template style (escaped tag brackets)."""
    tag = parse_tag(tag_raw) if tag_raw else None
    return render_entry(bullet, tag, title, [Link(l, u) for l, u in links])
