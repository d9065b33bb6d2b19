"""The table dialect: pipe tables with a header row, one paper per row.

    | Title | Venue | Date | Code |
    |:------|:-----:|:----:|:----:|
    | [**RoleLLM: Benchmarking ...**](https://arxiv.org/abs/2310.00746) | arXiv | 2023-10-01 | [RoleLLM](https://github.com/...) |
    | *CoS* | Context Steering: ... | (arXiv'24) <br> ICLR'25 | [![Paper](https://img.shields.io/badge/Paper-blue)](https://arxiv.org/abs/2405.01768) |

Columns are found by their header names (``Title``/``Paper Title``/``Paper``, ``Venue``/``Published
At``/``Publication``/``Source``, ``Date``/``Year``, paper and code link columns, ``Method``/
``Name``/``Abbr.``); a table without a title column (results, datasets, events) holds no entries.
A title cell may be plain text or a link labelled by the title; badge links count as links labelled
by their badge text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .inline import is_anchor, links as inline_links, plain, words
from .model import TABLE, Entry, Link
from .venue import looks_like_venue, parse_venue

SEPARATOR = re.compile(r"^\s*\|?\s*:?-{1,}:?\s*(?:\|\s*:?-{1,}:?\s*)+\|?\s*$|^\s*\|\s*:?-{2,}:?\s*\|?\s*$")
_ANCHOR_LINE = re.compile(r"^\s*<a\s+(?:name|id)=[^>]*>\s*</a>\s*$", re.I)

# header text (lower case, markup and symbols removed) -> column role
_HEADERS = {
    "title": ("title", "paper title", "paper name", "name of paper", "titles", "paper titles", "article"),
    "paper_or_title": ("paper", "papers"),
    "venue": ("venue", "venues", "published at", "publication", "published in", "source", "conference",
              "conference/journal", "journal", "venue & code", "venue and code", "pub", "published"),
    "date": ("date", "year", "time", "published date", "release date", "pub date"),
    "paper": ("paper link", "pdf", "link", "links", "link(s)", "url", "paper url", "arxiv", "pdf link"),
    "code": ("code", "code link", "github", "repo", "repository", "implementation", "official code"),
    "site": ("demo", "project", "project page", "website", "homepage"),
    "name": ("method", "methods", "name", "abbr.", "abbr", "abbreviation", "model", "keyword", "short name"),
}


@dataclass
class Columns:
    """Which column holds what, from a header row."""

    title: int | None = None
    venue: int | None = None
    date: int | None = None
    name: int | None = None
    links: dict[int, str] = field(default_factory=dict)  # column -> role of its links
    header: list[str] = field(default_factory=list)

    @property
    def has_title(self) -> bool:
        return self.title is not None


def split_row(line: str) -> list[str]:
    """The cells of a table row; pipes inside links, code spans or escaped stay in their cell."""
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    cells, cur, depth, code = [], [], 0, False
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            cur.append(s[i:i + 2])
            i += 2
            continue
        if c == "`":
            code = not code
        elif not code and c in "[(":
            depth += 1
        elif not code and c in "])" and depth:
            depth -= 1
        if c == "|" and not code and depth == 0:
            cells.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    cells.append("".join(cur))
    if depth:  # an unbalanced bracket: fall back to plain splitting
        cells = re.split(r"(?<!\\)\|", s)
    return cells


def is_header(line: str, next_line: str | None) -> bool:
    return "|" in line and next_line is not None and bool(SEPARATOR.match(next_line)) and not SEPARATOR.match(line)


def is_row(line: str) -> bool:
    s = line.strip()
    return s.startswith("|") or s.count("|") >= 2


def is_anchor_line(line: str) -> bool:
    return bool(_ANCHOR_LINE.match(line))


def columns(header: str) -> Columns:
    cols = Columns(header=[plain(c) for c in split_row(header)])
    paper_cols = []
    for i, text in enumerate(cols.header):
        h = re.sub(r"[^\w&/().\s]", " ", text.lower())
        h = " ".join(h.split())
        role = next((r for r, names in _HEADERS.items() if h in names), None)
        if role == "title" and cols.title is None:
            cols.title = i
        elif role == "paper_or_title":
            paper_cols.append(i)
        elif role == "venue" and cols.venue is None:
            cols.venue = i
        elif role == "date" and cols.date is None:
            cols.date = i
        elif role == "name" and cols.name is None:
            cols.name = i
        elif role in ("paper", "code", "site"):
            cols.links[i] = role
    for i in paper_cols:  # "Paper": the title when no column says Title, else the paper's links
        if cols.title is None:
            cols.title = i
        else:
            cols.links[i] = "paper"
    return cols


def read_row(text: str, line: int, section: str, cols: Columns) -> Entry | None:
    """One table row as an entry, or None when it names no paper."""
    if not cols.has_title:
        return None
    cells = split_row(text)
    if cols.title >= len(cells):
        return None
    title_cell = cells[cols.title]
    title, title_links = _title(title_cell)
    if not title or words(title) < 1 or plain(title).strip(" -—–") == "":
        return None
    all_links: list[Link] = []
    for l in title_links:
        all_links.append(Link(l.label, l.url, l.nested, column="paper"))
    venue_tag = None
    date = cells[cols.date] if cols.date is not None and cols.date < len(cells) else None
    if cols.venue is not None and cols.venue < len(cells):
        vcell = cells[cols.venue]
        vlinks = _cell_links(vcell)
        if vlinks and plain(vcell):  # DavidZWZ: "[EMNLP'18](code url) [![stars](...)](code url)"
            first = vlinks[0]
            venue_tag = parse_venue(first.label, date=date) if looks_like_venue(first.label) else None
            all_links += [Link(l.label, l.url, l.nested, column="code") for l in vlinks]
        else:
            venue_tag = parse_venue(vcell, date=date)
    if venue_tag is None and date is not None:
        venue_tag = parse_venue("", date=date)
    for i, role in sorted(cols.links.items()):
        if i < len(cells):
            all_links += [Link(l.label, l.url, l.nested, column=role) for l in _cell_links(cells[i])]
    # links in cells the header does not name (an extra trailing "| [GitHub](url) |")
    named = {cols.title, cols.venue, cols.date, cols.name, *cols.links}
    for i, cell in enumerate(cells):
        if i not in named and i >= len(cols.header):
            all_links += [Link(l.label, l.url, l.nested) for l in _cell_links(cell)]
    name = plain(cells[cols.name]) if cols.name is not None and cols.name < len(cells) else ""
    titled = _looks_like_title(title)
    if not titled and not all_links:
        return None
    problems = []
    if len(cells) < len(cols.header):
        problems.append(f"row has {len(cells)} cells, the header {len(cols.header)}")
    if not titled:
        name = name or title
    return Entry(line=line, section=section, bullet="", tag=venue_tag, title=title, links=all_links,
                 raw=text.rstrip("\r"), problems=problems, dialect=TABLE, name=name or None, titled=titled)


def _cell_links(cell: str) -> list:
    """The links of a cell, without a badge repeating a link of the same cell (``[Repo](u)
    [![stars](badge)](u)``: one link, shown twice)."""
    ls = [l for l in inline_links(cell) if not is_anchor(l.url)]
    plain_urls = {l.url for l in ls if not l.badge}
    return [l for l in ls if not (l.badge and l.url in plain_urls)]


def _title(cell: str) -> tuple[str, list]:
    """The title of a title cell and the links in it: ``[**Title**](url)``, ``Title``, or
    ``(Old Title) <br> Current Title`` (the current one, outside parentheses)."""
    ls = [l for l in inline_links(cell) if not is_anchor(l.url)]
    parts = [p.strip() for p in re.split(r"<br\s*/?>", cell, flags=re.I) if p.strip()]
    if len(parts) > 1:
        current = [p for p in parts if not (plain(p).startswith("(") and plain(p).endswith(")"))]
        cell = (current or parts)[-1]
    text = plain(cell)
    if ls and not text:
        text = ls[0].label
    text = text.strip().rstrip(".").strip()
    return text, ls


def _looks_like_title(text: str) -> bool:
    """A title, as opposed to a name ("HotpotQA", "FGSM (Goodfellow et al., 2015)")."""
    return words(text) >= 3 or (":" in text and words(text) >= 2)
