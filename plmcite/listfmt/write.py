"""Writing a new entry: safe text, in the dialect and layout of its section's neighbours.

Everything ``plmcite add`` writes into a person's list goes through here. A title must be one
line and is escaped so that it can never become markup (a link, an image, HTML, a code span or,
in a table, a new cell); a URL must be http(s) and is percent-encoded where markdown would end it;
a tag is a short label. A new entry copies the shape of an entry already in the section: the
tagged template, a table row with the same columns and cell styles, a list item written like
its neighbour, a paragraph entry. The new line is read back with the parser before it is
written: a line that does not read as the entry it should be is never written.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from ..errors import InputError
from .inline import links as inline_links, plain
from .model import BULLET, HTML, LABEL_ROLES, PARAGRAPH, TABLE, TAGGED, Entry, ListDoc
from .tables import columns, split_row
from .tagged import parse_tag
from .venue import looks_like_venue, parse_venue

_LINE_BREAKS = re.compile(r"[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")
_TAG_TEXT = re.compile(r"^[\w][\w .,'&/+\-]{0,47}$")


class UnsafeInput(InputError):
    """A title, URL or tag that cannot be written into the list as it is."""


def safe_title(title: str, *, given: bool = True, table: bool = False, emphasis: bool = False) -> str:
    """The title as markdown text that shows exactly the title and nothing else.

    A title the user typed (``given``) that spans lines is refused; one from a service has its
    whitespace folded. Markup characters are escaped (``[`` ``]`` ``<`` ``>`` `````` ``\\``, ``|`` in
    a table, ``*`` and ``_`` inside emphasis), so no link, image, tag or code span can start
    inside it.
    """
    t = title.strip()
    if _LINE_BREAKS.search(t):
        if given:
            raise UnsafeInput(f"the title must be one line: {title!r}")
        t = " ".join(t.split())
    bad = [c for c in t if unicodedata.category(c) in ("Cc", "Cf") and c not in "\t"]
    if bad:
        raise UnsafeInput(f"the title holds control characters ({', '.join(repr(c) for c in bad[:3])}): {title!r}")
    t = " ".join(t.split())
    if not re.search(r"[^\W_]", t):
        raise UnsafeInput(f"the title has no words: {title!r}")
    if len(t) > 500:
        raise UnsafeInput(f"the title is {len(t)} characters long: is it a title? ({t[:60]!r}...)")
    t = re.sub(r"([\\\[\]<>`])", r"\\\1", t)
    if table:
        t = t.replace("|", "\\|")
    if emphasis or table:
        t = re.sub(r"([*_])", r"\\\1", t)
    return t


def safe_url(url: str, what: str = "link") -> str:
    """An http(s) URL that markdown cannot cut short (spaces, brackets, parentheses encoded)."""
    u = url.strip()
    if _LINE_BREAKS.search(u) or any(unicodedata.category(c) == "Cc" for c in u):
        raise UnsafeInput(f"the {what} URL must be one line: {url!r}")
    parts = urlsplit(u)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise UnsafeInput(f"the {what} must be an http(s) URL, not {url!r}")
    return quote(u, safe="/:?#@!$&'*+,;=%~-._")


def safe_tag(tag: str) -> str:
    """A tag such as "2025 ICLR", "2024 EMNLP Findings", "2025 Arxiv-2503"."""
    t = tag.strip()
    if not _TAG_TEXT.match(t) or _LINE_BREAKS.search(t):
        raise UnsafeInput(f"the tag must be a short label like \"2025 ICLR\", not {tag!r}")
    return t


# --- the shape of the neighbours -------------------------------------------------------------


@dataclass
class NewEntry:
    """What a new entry says, already made safe for the list."""

    title: str  # as given (unescaped); each dialect escapes it for its own markup
    tag: str | None  # "2025 ICLR"
    paper_url: str | None
    code_url: str | None
    given_title: bool = True

    @property
    def year(self) -> int | None:
        return parse_tag(self.tag).year if self.tag else None

    @property
    def venue(self) -> str:
        """The tag without its year, as a venue column shows it ("ICLR", "Arxiv")."""
        v = re.sub(r"^\s*\d{4}\s*", "", self.tag or "")
        return re.sub(r"(?i)^arxiv-\d{4}$", "Arxiv", v).strip()


def neighbours(doc: ListDoc, section: str) -> list[Entry]:
    """The entries of the section itself (not of its subsections)."""
    return [e for e in doc.entries if e.section == section]


def dialect_for(doc: ListDoc, mine: list[Entry]) -> str:
    """The dialect a new entry of a section is written in: its entries' (``mine``, see
    :func:`neighbours`), else the list's most common one, else the tagged template."""
    pool = mine or doc.entries
    if not pool:
        return TAGGED
    counts: dict[str, int] = {}
    for e in pool:
        counts[e.dialect] = counts.get(e.dialect, 0) + 1
    return max(counts, key=lambda d: (counts[d], d == TAGGED))


def render_like(template: Entry | None, doc: ListDoc, new: NewEntry) -> list[str]:
    """The new entry's lines, written like ``template`` (an entry of the same section)."""
    dialect = template.dialect if template is not None else TAGGED
    if dialect == TABLE:
        same = [e for e in neighbours(doc, template.section) if e.dialect == TABLE] or [template]
        return [_table_row(template, doc, new, same)]
    if dialect == PARAGRAPH:
        return _paragraph(new)
    if dialect == BULLET:
        return [_bullet(template, new, [e for e in neighbours(doc, template.section) if e.dialect == BULLET])]
    if dialect == HTML:
        raise InputError("plmcite does not write HTML table rows: add the row by hand, or add to a section "
                         "written in markdown")
    from .tagged import entry_line

    links = [("Paper", new.paper_url)] if new.paper_url else []
    if new.code_url:
        links.append(("Code", new.code_url))
    bullet = template.bullet if template is not None else "+ "
    return [entry_line(new.tag, safe_title(new.title, given=new.given_title), links, bullet=bullet)]


def _table_row(template: Entry, doc: ListDoc, new: NewEntry, same: list[Entry]) -> str:
    header = _header_of(doc, template.line)
    cols = columns(header)
    old = split_row(template.raw)
    rows = [split_row(e.raw) for e in same]
    cells = [""] * max(len(cols.header), 1)
    title = safe_title(new.title, given=new.given_title, table=True)
    old_title = old[cols.title] if cols.title is not None and cols.title < len(old) else ""
    tl = inline_links(old_title)
    if tl and new.paper_url:  # the title is a link: [**Title**](url)
        bold = "**" if "**" in old_title else ""
        cells[cols.title] = f"[{bold}{title}{bold}]({new.paper_url})"
    else:
        bold = "**" if old_title.strip().startswith("**") else ""
        cells[cols.title] = f"{bold}{title}{bold}"
    if cols.venue is not None and new.venue:
        styles = [r[cols.venue] for r in rows if cols.venue < len(r)]
        dated = [v for v in styles if re.search(r"(?:'|[A-Za-z]|\b)\d{2}(?:\d{2})?\b", plain(v))]
        cells[cols.venue] = _venue_like((dated or styles or [""])[0], new)
    if cols.date is not None and new.year:
        cells[cols.date] = str(new.year)
    placeholder = _placeholder(old, cols)
    paper_done = bool(tl and new.paper_url)
    for i, role in sorted(cols.links.items()):
        if i >= len(cells):
            continue
        like = next((r[i] for r in rows if i < len(r) and inline_links(r[i])), old[i] if i < len(old) else "")
        if role == "paper" and new.paper_url and (not paper_done or inline_links(like)):
            cells[i] = _link_like(like, "Paper", new.paper_url)
            paper_done = True
        elif role == "code" and new.code_url:
            cells[i] = _link_like(like, "Code", new.code_url)
        else:
            cells[i] = placeholder
    if new.code_url and not any(r == "code" for r in cols.links.values()):
        link_cols = [i for i, r in cols.links.items() if r == "paper"]
        if link_cols:
            i = link_cols[0]
            cells[i] = (cells[i] + " " + _link_like(old[i] if i < len(old) else "", "Code", new.code_url,
                                                    adopt_label=False)).strip()
    if new.paper_url and not paper_done:
        raise InputError("the section's table has no column for the paper's link: add the row by hand")
    lead = "| " if template.raw.lstrip().startswith("|") else ""
    tail = " |" if template.raw.rstrip().endswith("|") else ""
    return lead + " | ".join(cells) + tail


def _header_of(doc: ListDoc, line: int) -> str:
    from .tables import SEPARATOR

    for k in range(line - 2, 0, -1):
        if SEPARATOR.match(doc.lines[k].text):
            return doc.lines[k - 1].text
    raise InputError(f"{doc.path}:{line}: cannot find the header of this table")


def _placeholder(old: list[str], cols) -> str:
    """What the neighbour writes in an empty link cell ("-", "—", ":heavy_minus_sign:", "")."""
    for i in cols.links:
        if i < len(old):
            cell = old[i].strip()
            if cell and not inline_links(cell) and len(cell) <= 20:
                return cell
    return ""


_GENERIC_LABELS = {"paper", "pdf", "link", "arxiv", "code", "github", "project", "website", "demo"}
_ARXIV_IN_BADGE = re.compile(r"\d{4}\.\d{4,5}(?:v\d+)?")


def _link_like(old_cell: str, label: str, url: str, adopt_label: bool = True) -> str:
    """A link written like the neighbour's link of the same kind: a badge, a [[Label]](url) or a
    [Label](url), with the neighbour's label when it is a generic one ("Link", "PDF"). A badge
    image that shows a fact of the neighbour's paper (its arXiv id, its GitHub repository) is drawn
    again for the new one, or not copied at all."""
    ls = inline_links(old_cell)
    want = "code" if label == "Code" else "paper"
    same = next((l for l in ls if LABEL_ROLES.get(l.label.strip().lower()) == want), None)
    if same is None and ls and label == "Paper" and LABEL_ROLES.get(ls[0].label.strip().lower()) in ("other", None):
        same = ls[0]
    if same is not None and same.badge:
        m = re.search(r"\[!\[([^\]]*)\]\(([^()\s]*)\)\]\(", old_cell[same.start:same.end])
        image = m.group(2) if m else ""
        if _ARXIV_IN_BADGE.search(image):
            arxiv = _ARXIV_IN_BADGE.search(url)
            image = _ARXIV_IN_BADGE.sub(arxiv.group(0), image, count=1) if arxiv else ""
        elif "/github/" in image:
            repo = re.match(r"^https?://(?:www\.)?github\.com/([\w.\-]+/[\w.\-]+)", url)
            image = re.sub(r"(/github/[a-z\-]+/)[\w.\-]+/[\w.\-]+?(?=\.svg|\?|$)", lambda g: g.group(1) + repo.group(1),
                           image, count=1) if repo else ""
        if image and "shields.io" in image:
            return f"[![{m.group(1) or label}]({image})]({url})"
        return f"[{label}]({url})"
    if adopt_label and same is not None and same.label.strip().lower() in _GENERIC_LABELS:
        label = same.label.strip()
    if re.search(r"\[\[[^\]]*\]\]\(", old_cell):
        return f"[[{label}]]({url})"
    return f"[{label}]({url})"


def _venue_like(old: str, new: NewEntry) -> str:
    """The venue in the neighbour's style: "EMNLP'23", "ICLR 2023", "Arxiv24" or the bare venue."""
    venue = new.venue or ""
    year = new.year
    if not venue:
        return ""
    o = plain(old)
    if year is None:
        return venue
    if re.search(r"'\d{2}\b", o):
        return f"{venue}'{year % 100:02d}"
    if re.search(r"[A-Za-z]\d{2}\b", o):
        return f"{venue}{year % 100:02d}"
    if re.search(r"\b(19|20)\d{2}\b", o):
        return f"{venue} {year}"
    return venue


def _bullet(template: Entry, new: NewEntry, same: list[Entry] = ()) -> str:
    """A list item written like its neighbour: a venue prefix "(ICLR 2025)", a ``<ins>`` venue, a
    quoted title with an italic venue, a linked or a bold title; [[Paper]](url) or [Paper](url)."""
    body = template.raw[len(template.bullet):]
    marker = re.sub(r"\d+", "1", template.bullet, count=1) if re.match(r"^\s*\d", template.bullet) else template.bullet
    title = safe_title(new.title, given=new.given_title, emphasis=True)
    venue = " ".join(x for x in (new.venue, str(new.year) if new.year else "") if x)

    def link(label: str, url: str) -> str:
        if "]](" in body:
            return f"[[{label}]]({url})"
        if "[[" in body:
            return f"[[{label}]({url})]"
        return f"[{label}]({url})"

    prefix = re.match(r"^\(([^()]*)\)\s*", body)
    title_link = bool(re.match(r"^(?:\(.*?\)\s*)?(?:\*\*)?\[(?!\d{4}[/\-])", body)) and new.paper_url
    if title_link:
        head = f"[{title}]({new.paper_url})"
        head = f"**{head}**" if re.match(r"^(?:\(.*?\)\s*)?\*\*\[", body) else head
    else:
        head = f"**{title}**"
    if prefix and parse_venue(prefix.group(1)) is not None:
        head = f"({_venue_like(prefix.group(1), new) or venue}) {head}" if venue else head
    elif "<ins>" in body and venue and not title_link:
        head = f"{title}, <ins>{new.venue}, {new.year}</ins>" if new.year else f"{title}, <ins>{new.venue}</ins>"
    elif re.match(r'^(?:\*\*[^*]*\*\*:?\s*)?["“]', body) and venue and not title_link:
        head = f'"{title}", *{new.venue}, {new.year}*.' if new.year else f'"{title}", *{new.venue}*.'
    elif venue:
        head += f" - {venue}"
    venue_label = any(looks_like_venue(l.label) is not None and l.label.lower() not in _GENERIC_LABELS
                      for e in (template, *same) for l in e.links[:1])
    if venue_label and venue and new.paper_url and not title_link:
        head = f"**{title}**"  # the venue is the paper link's label: [[ACL 2024]](url)
    parts = [head]
    if new.paper_url and not title_link:
        parts.append(link(venue if venue_label and venue else "Paper", new.paper_url))
    if new.code_url:
        parts.append(link("Code", new.code_url))
    return marker + " ".join(parts)


def _paragraph(new: NewEntry) -> list[str]:
    title = safe_title(new.title, given=new.given_title, emphasis=True)
    venue = " ".join(x for x in (new.venue, str(new.year) if new.year else "") if x)
    tail = [f"[PDF]({new.paper_url})"] if new.paper_url else []
    if new.code_url:
        tail.append(f"[Code]({new.code_url})")
    return [f"**{title}**<br>", " / ".join([f"{venue}." if venue else "", *tail]).lstrip(" /")]
