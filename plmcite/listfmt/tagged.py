"""The tagged dialect: the template of the awesome list plmcite was made for.

The grammar is the one people really write, not only the template::

    + **\\[2025 ICLR\\]** Title. ([Paper](https://...), [Code](https://...))
    + **[2026 Arxiv-2603]** Title. ([Paper](https://arxiv.org/pdf/2603.24535v1))
    + **\\[2025 Arxiv-2504\\]** Title without links
    + Awesome Personalization in MLLMs. ([Website](https://...))
    + **\\[2024 EMNLP\\]** Title? ([Paper]([link](https://...)), [Code]([link](https://...)))

A list line is in this dialect when it starts with a year tag (or an escaped tag) or ends with a
parenthesised block of links; this module reads such a line and writes new ones.
"""

from __future__ import annotations

import re

from .model import TAGGED, Entry, Link, Tag

BULLET = re.compile(r"^([ \t]*(?:[+*\-]|\d{1,3}[.)])[ \t]+)(.*)$")
TAG = re.compile(r"^\*\*(\\?\[)(.*?)(\\?\])\*\*[ \t]*")
_TAG_BODY = re.compile(r"^\s*(\d{4})?\s*(.*?)\s*$")
_ARXIV_TAG = re.compile(r"^arxiv[\s\-_]*(\d{4})?$", re.I)
# one markdown link: [label](url) or the doubled [label]([link](url)) form
LINK = re.compile(r"\[([^\[\]]*)\]\((?:\[[^\[\]]*\]\(([^()\s]*)\)|([^()\s]*(?:\([^()\s]*\)[^()\s]*)*))\)")
_YEAR_TAG = re.compile(r"^\*\*\\?\[\s*(?:19|20)\d{2}\b")
_ESCAPED_TAG = re.compile(r"^\*\*\\\[.*?\\\]\*\*")
_LINK_BLOCK = re.compile(r"\(\s*\[")


def is_tagged(rest: str) -> bool:
    """Does the text after a bullet marker follow the tagged template?

    It does when it starts with a tag that names a year (``**\\[2025 ICLR\\]**``,
    ``**[2026 Arxiv-2603]**``) or is escaped like the template's, or when it ends with a
    parenthesised block of links (``Title. ([Website](url))``).
    """
    if _YEAR_TAG.match(rest) or _ESCAPED_TAG.match(rest):
        return True
    rest = rest.rstrip(" \t\r")
    start = _link_block_start(rest)
    return start is not None and LINK.search(rest[:start]) is None


def _link_block_start(rest: str) -> int | None:
    for m in _LINK_BLOCK.finditer(rest):
        tail = rest[m.start():]
        if LINK.search(tail) and tail.rstrip().endswith(")"):
            return m.start()
    return None


def with_tag_text(entry: Entry, text: str, new_raw: str) -> str | None:
    """``text`` (the entry's line) with the text inside its tag brackets replaced by ``new_raw``;
    the bracket style and everything else stay. None when the entry has no such tag."""
    if entry.dialect != TAGGED:
        return None
    at = len(entry.bullet)
    m = TAG.match(text[at:])  # the pattern is anchored: match the text after the bullet
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


def split_links(rest: str) -> tuple[str, list[Link], list[str]]:
    """Split "Title. ([Paper](u), [Code](v))" into title, links and markup problems."""
    problems: list[str] = []
    # the link block is the last "(" that opens a run of links up to the end of the line
    start = _link_block_start(rest)
    links: list[Link] = []
    if start is None:
        # links may still appear without the surrounding parentheses
        first = LINK.search(rest)
        if not first:
            return rest.strip(), [], problems
        start = first.start()
        block = rest[start:]
        problems.append("links are not wrapped in parentheses")
    else:
        block = rest[start:]
    pos = 0
    for m in LINK.finditer(block):
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
    """One line of the tagged dialect as an entry (None when it is no list item)."""
    m = BULLET.match(text)
    if not m:
        return None
    bullet, rest = m.group(1), m.group(2).rstrip(" \t\r")
    problems: list[str] = []
    tag = None
    tm = TAG.match(rest)
    if tm:
        escaped = tm.group(1) == "\\[" and tm.group(3) == "\\]"
        if tm.group(1).startswith("\\") != tm.group(3).startswith("\\"):
            problems.append("tag brackets are escaped on one side only")
        tag = parse_tag(tm.group(2), escaped=escaped)
        rest = rest[tm.end():]
    title, links, link_problems = split_links(rest)
    problems += link_problems
    if title.endswith("."):
        title = title[:-1].rstrip()
    if not title:
        problems.append("no title")
    return Entry(line=line, section=section, bullet=bullet, tag=tag, title=title, links=links,
                 raw=text.rstrip("\r"), problems=problems)


# --- writing entries ---------------------------------------------------------------------------


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
