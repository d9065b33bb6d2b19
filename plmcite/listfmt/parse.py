"""Reading a list: every line kept as written, sections from the headings, entries per dialect.

One pass over the lines. Structure first (comments, code fences, blank lines, headings, block
quotes), then, line by line, the first dialect that reads an entry there: a tagged line, a table
row under a header, a list item, a paragraph entry, an HTML cell. Whatever no dialect reads is
kept as text. Parsing never raises.
"""

from __future__ import annotations

import re
from pathlib import Path

from .. import sections as secmod
import plmcite.listfmt.bullets as bullets
import plmcite.listfmt.html as html
import plmcite.listfmt.tables as tables
import plmcite.listfmt.tagged as tagged
from .inline import plain
from .model import ENCODING, ERRORS, Entry, Line, ListDoc, Section

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_NUMBERED = re.compile(r"^(\d+(?:\.\d+)*)\.?(?:[ \t]+(.*)|$)")
_EMPTY_BULLET = re.compile(r"^[ \t]*[+*\-][ \t]*$")
_THEMATIC = re.compile(r"^[ \t]*([*\-_])(?:[ \t]*\1){2,}[ \t]*$")
_BARE_YEAR = re.compile(r"^(?:19|20)\d{2}$")
_MAX_ITEM_LINES = 8


def split_lines(text: str) -> list[tuple[str, str]]:
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


class _Headings:
    """Section keys from headings: numbers as written, else the slug path (see plmcite.sections)."""

    def __init__(self) -> None:
        self.stack: list[tuple[int, str]] = []  # (level, key) of the open headings
        self.used: set[str] = set()
        self.seen_any = False

    def open(self, level: int, htext: str, lineno: int, from_html: bool = False) -> Section | None:
        first = not self.seen_any
        self.seen_any = True
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        n = None if from_html else _NUMBERED.match(htext)
        if n and _BARE_YEAR.match(n.group(1)) and not n.group(2) and not htext.rstrip().endswith("."):
            n = None  # "### 2025": a year, not a section number
        if n:
            number, title = n.group(1), (n.group(2) or "").strip()
        else:
            title = secmod.strip_symbols(plain(htext))
            n2 = _NUMBERED.match(title)
            if n2 and n2.group(2):  # a number with a title after it (a bare "2025" is no number)
                number, title = n2.group(1), n2.group(2).strip()
            else:
                number = None
        if number is None and level == 1 and first:
            return None  # the document's title: what comes before the first section is section ""
        if number is not None:
            key = number
        else:
            seg = secmod.slug(title) or f"section-{lineno}"
            parent = self.stack[-1][1] if self.stack else ""
            key = f"{parent}/{seg}" if parent else seg
            if key in self.used:
                i = 2
                while f"{key}-{i}" in self.used:
                    i += 1
                key = f"{key}-{i}"
        self.used.add(key)
        self.stack.append((level, key))
        return Section(key, number, title, level, lineno)


def parse(text: str, path: str | None = None) -> ListDoc:
    """Parse a list. Never raises: whatever does not look like an entry is kept as a text line."""
    pairs = split_lines(text)
    n = len(pairs)
    bodies = [b for b, _ in pairs]
    kinds = ["text"] * n
    line_sections = [""] * n
    sections: list[Section] = []
    entries: list[Entry] = []
    notes: dict[str, list[int]] = {}
    heads = _Headings()
    current = ""
    in_comment = in_fence = False
    table: tables.Columns | None = None
    i = 0
    while i < n:
        body = bodies[i]
        stripped = body.strip()
        kind = "text"
        step = 1
        if in_comment:
            kind = "comment"
            if "-->" in body:
                in_comment = False
        elif stripped.startswith("```") or stripped.startswith("~~~"):
            in_fence = not in_fence
            table = None
        elif in_fence:
            pass
        elif not stripped:
            kind = "blank"
        elif stripped.startswith("<!--"):
            kind = "comment"
            in_comment = "-->" not in stripped[4:]
        elif (h := _heading(body)) is not None:
            kind = "heading"
            table = None
            sec = heads.open(h[0], h[1], i + 1, h[2])
            if sec is not None:
                sections.append(sec)
                current = sec.key
        elif stripped.startswith(">"):
            kind = "quote"
            table = None
        elif tables.is_header(body, bodies[i + 1] if i + 1 < n else None):
            table = tables.columns(body)
            kind = "table"
            kinds[i + 1] = "table"
            line_sections[i + 1] = current
            step = 2
            if not table.has_title:
                notes.setdefault("lines look like table rows without a title column", []).append(i + 1)
        elif table is not None and (tables.is_row(body) or tables.is_anchor_line(body)):
            kind = "table" if tables.is_row(body) else "text"
            if tables.is_row(body):
                e = tables.read_row(body, i + 1, current, table)
                if e is not None:
                    kind = "entry"
                    entries.append(e)
        elif _EMPTY_BULLET.match(body) and not _THEMATIC.match(body):
            kind = "bullet"
            table = None
        elif bullets.is_item(body) and not _THEMATIC.match(body):
            table = None
            m = tagged.BULLET.match(body)
            if m is not None and tagged.is_tagged(m.group(2)):
                e = tagged.parse_entry(body, i + 1, current)
                if e is not None:
                    kind = "entry"
                    entries.append(e)
            else:
                group = _item_lines(bodies, i)
                e = bullets.read_item([bodies[j] for j in group], i + 1, current)
                if e is not None:
                    kind = "entry"
                    entries.append(e)
                    for j in group[1:]:
                        kinds[j] = "more" if bodies[j].strip() else "blank"
                        line_sections[j] = current
                    step = group[-1] - i + 1
                    if len(group) > 1:
                        e.end = group[-1] + 1
                elif "](" in body and not _toc_item(body):
                    notes.setdefault("list items without a title and a paper link or venue", []).append(i + 1)
        elif bullets.PARAGRAPH_TITLE.match(body):
            table = None
            group = _paragraph_lines(bodies, i)
            e = bullets.read_paragraph([bodies[j] for j in group], i + 1, current)
            if e is not None:
                kind = "entry"
                entries.append(e)
                for j in group[1:]:
                    kinds[j] = "more"
                    line_sections[j] = current
                step = len(group)
        elif html.is_link_line(body):
            e = html.read_line(body, i + 1, current)
            if e is not None:
                kind = "entry"
                entries.append(e)
        elif table is not None:
            table = None  # prose ends a table
        kinds[i] = kind
        line_sections[i] = current
        i += step
    lines = [Line(b, eol, kinds[k], line_sections[k]) for k, (b, eol) in enumerate(pairs)]
    doc = ListDoc(path=path, lines=lines, sections=sections, entries=entries)
    if not entries:
        doc.notes = [f"{reason} (line {', '.join(map(str, where[:3]))}{', ...' if len(where) > 3 else ''})"
                     for reason, where in notes.items()]
    return doc


def _heading(body: str) -> tuple[int, str, bool] | None:
    h = _HEADING.match(body)
    if h is not None:
        return len(h.group(1)), h.group(2), False
    hh = html.heading(body)
    if hh is not None:
        return hh[0], hh[1], True
    return None


def _toc_item(body: str) -> bool:
    return bool(re.search(r"\]\(#[^)]*\)\s*$", body))


def _item_lines(bodies: list[str], i: int) -> list[int]:
    """The line numbers (0-based) of the list item at ``i``: its line, lazy continuation lines,
    and lines indented under it after blank lines; never another list item or a heading."""
    first = bodies[i]
    indent = len(first) - len(first.lstrip())
    out = [i]
    j = i + 1
    n = len(bodies)
    while j < n and len(out) < _MAX_ITEM_LINES:
        t = bodies[j]
        if not t.strip():
            k = j
            while k < n and not bodies[k].strip():
                k += 1
            if k < n and k - j <= 2 and _indent(bodies[k]) >= max(2, indent + 2) and _continues(bodies[k]):
                j = k
                continue
            break
        if not _continues(t):
            break
        out.append(j)
        j += 1
    return out


def _continues(t: str) -> bool:
    s = t.strip()
    return not (bullets.is_item(t) or _HEADING.match(t) or s.startswith(("```", "~~~", "<!--", ">", "|", "<"))
                or _THEMATIC.match(t) or bullets.PARAGRAPH_TITLE.match(t) or html.heading(t))


def _indent(t: str) -> int:
    return len(t.expandtabs(4)) - len(t.expandtabs(4).lstrip())


def _paragraph_lines(bodies: list[str], i: int) -> list[int]:
    out = [i]
    j = i + 1
    while j < len(bodies) and j - i < 5 and bodies[j].strip() and not bullets.PARAGRAPH_TITLE.match(bodies[j]) \
            and not _HEADING.match(bodies[j]):
        out.append(j)
        j += 1
    return out


def read_text(path: str | Path) -> str:
    return Path(path).read_bytes().decode(ENCODING, ERRORS)


def parse_file(path: str | Path) -> ListDoc:
    return parse(read_text(path), str(path))
