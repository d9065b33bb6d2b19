"""Plain list items and paragraph entries: the many ways people write one paper per item.

    - [Title](https://arxiv.org/abs/2401.00001) - NeurIPS 2024
    - (ArXiv 2025) **Title** [[Paper]](url) [[Code]](url)
    - [2023/04] **Title.** *Author et al. arXiv.* [[paper](url)]
    - **Title** [[ACL 2024]](url) [[Code]](url)           (the venue is the paper link's label)
    * **Name**: "Title", *arXiv, May 2023*. [[Paper](url)]
    - Title, <ins>ICML, 2025</ins> [[Paper](url)]
    1. **[Title.](url)** [[code](url)]            +  an indented line "*Authors.* ACL'23 Findings"
    3. **Title.** Preprint.                        +  an indented line "*Authors.* [[pdf](url)], 2021.7"
    **Title**<br> / *Authors*<br> / Venue Year. / [PDF](url) / [Code](url)      (paragraph entries)

An item is an entry when it gives a title and evidence of a paper: a link to one (an identifier,
a PDF, a link labelled Paper/PDF/arXiv or by a venue), or a venue with a year and no link at all.
Tables of contents, tools, datasets and repositories (links to code or anchors only) and prose
are not entries.
"""

from __future__ import annotations

import re
import unicodedata

from .inline import InlineLink, bare_urls, is_anchor, is_pdf, links as inline_links, plain, without_links, words
from .model import BULLET, LABEL_ROLES, PARAGRAPH, Entry, Link, Tag
from .venue import looks_like_venue, parse_venue

LIST_ITEM = re.compile(r"^([ \t]*(?:[+*\-]|\d{1,3}[.)])[ \t]+)(\S.*)$")
PARAGRAPH_TITLE = re.compile(r"^\s*\*\*(?P<title>[^*].*?)\*\*\s*<br\s*/?>\s*$", re.I)
_DATE_PREFIX = re.compile(r"^\[((?:19|20)\d{2})[/\-.](\d{1,2})\]\s*")
_VENUE_PREFIX = re.compile(r"^\(([^()]{2,60})\)\s*")
_QUOTED = re.compile(r"^\s*[:,\-–—]?\s*[\"“”]([^\"“”]{4,}?)[\"“”]")
_INS = re.compile(r"<ins>\s*(.*?)\s*(?:</ins>|/ins>|$)", re.I)
_BROKEN_INS = re.compile(r",?\s*((?:19|20)\d{2})\s*</ins>", re.I)
_ET_AL = re.compile(r"\*[^*]*?\bet\s+al\.?,?\s*([^*]*?)\.?\s*\*")
_AUTHORS_VENUE = re.compile(r"\*[^*]*?[A-Za-z)]{2}\.\s+([^*.]{2,40}?)\.?\s*\*")
_TRAILING_DATE = re.compile(r"[,\s]((?:19|20)\d{2})(?:\.\d{1,2})?\s*\.?\s*$")
_SENTENCE = re.compile(r"^(?:we|our|this (?:repo|list|section|paper)|the following|please|see|check|here is|note)\b", re.I)
_PAPER_LABELS = {"paper", "pdf", "arxiv", "openreview", "doi", "acl", "link", "paper link", "abs"}


def is_item(text: str) -> bool:
    return bool(LIST_ITEM.match(text))


def read_item(lines: list[str], line: int, section: str) -> Entry | None:
    """The entry a list item gives, or None.

    ``lines`` are the item's line and the lines that belong to it (lazy continuation lines, and
    lines indented under it after blank lines, as the caller found them), without line endings.
    A bold title wrapped onto the next lines is joined; the other lines give links, a venue or a
    date. The entry's ``end`` is set by the caller, which knows which lines it gave.
    """
    m = LIST_ITEM.match(lines[0])
    if m is None:
        return None
    marker, head = m.group(1), m.group(2)
    used = 1
    while head.count("**") % 2 == 1 and used < len(lines) and used < 4 and lines[used].strip():
        head += " " + lines[used].strip()  # a bold title wrapped onto the next line
        used += 1
    extra = [l for l in lines[used:] if l.strip()]
    return _read(head, extra, line, section, marker, lines[0])


def _read(head: str, extra: list[str], line: int, section: str, marker: str, raw: str) -> Entry | None:
    text = head.strip()
    tag: Tag | None = None
    year_hint = None
    m = _DATE_PREFIX.match(text)
    if m:
        year_hint = int(m.group(1))
        text = text[m.end():]
    m = _VENUE_PREFIX.match(text)
    if m:
        v = parse_venue(m.group(1))
        if v is not None and v.year is not None:
            tag = v
            text = text[m.end():]
    got = _title(text)
    if got is None:
        return None
    title, name, title_link, rest, kind = got
    if not _plausible_title(title, kind):
        return None
    all_links: list[Link] = []
    if title_link is not None:
        all_links.append(Link(title_link.label, title_link.url, title_link.nested, column="paper"))
    venue_links: list[Tag] = []
    found = [l for x in (rest, *extra) for l in inline_links(x) + bare_urls(x)]
    for l in found:
        if is_anchor(l.url):
            continue
        v = looks_like_venue(l.label) if l.label.lower() not in _PAPER_LABELS else None
        if v is not None:
            venue_links.append(v)
            all_links.append(Link(l.label, l.url, l.nested, column="paper"))
        else:
            all_links.append(Link(l.label, l.url, l.nested))
    if tag is None:
        tag = _venue(head, rest, extra, venue_links)
    if tag is None and any(l.label.strip().lower() == "arxiv" for l in all_links[:2]):
        tag = Tag(raw="Arxiv", year=None, venue="Arxiv", arxiv_month=None, escaped=False)  # [[Arxiv]](url)
    if (tag is None or tag.year is None) and year_hint is None:
        year_hint = _year_elsewhere(extra)
    if tag is None and year_hint is not None:
        tag = Tag(raw=str(year_hint), year=year_hint, venue=None, arxiv_month=None, escaped=False)
    elif tag is not None and tag.year is None and year_hint is not None:
        tag = Tag(raw=tag.raw, year=year_hint, venue=tag.venue, arxiv_month=None, escaped=False)
    if not _paper_evidence(all_links, tag):
        return None
    return Entry(line=line, section=section, bullet=marker, tag=tag, title=title, links=all_links,
                 raw=raw.rstrip("\r"), dialect=BULLET, name=name)


def _title(text: str) -> tuple[str, str | None, InlineLink | None, str, str] | None:
    """(title, name, the link the title is, the rest of the text, how the title is written) of an
    item's text."""
    t = text.lstrip()
    bold = t.startswith(("**", "__"))
    inner = t[2:] if bold else t
    if inner.startswith("["):
        ls = inline_links(inner)
        if ls and ls[0].start == 0 and not ls[0].badge:
            link = ls[0]
            if is_anchor(link.url):
                return None  # a table of contents
            rest = inner[link.end:]
            if bold:
                rest = re.sub(r"^\s*(\*\*|__)", "", rest)
            return _clean(link.label), None, link, rest, "link"
    if bold:
        close = t.find(t[:2], 2)
        if close < 0:
            return None
        b, rest = t[2:close], t[close + 2:]
        q = _QUOTED.match(rest)
        if q:  # **Name**: "Title"
            return _clean(q.group(1)), plain(b).strip("[]: ") or None, None, rest[q.end():], "marked"
        return _clean(plain(b)), None, None, rest, "marked"
    q = _QUOTED.match(t)
    if q:
        return _clean(q.group(1)), None, None, t[q.end():], "marked"
    # a plain title: the text up to the venue markup or the first link
    cut = len(t)
    for pat in (r"<ins>", r",?\s*(?:19|20)\d{2}\s*</ins>", r"\s\[\[", r"\[!\[", r"\s\[[^\]]*\]\(", r"!\[", r"\s\*[^*]"):
        mm = re.search(pat, t)
        if mm:
            cut = min(cut, mm.start())
    title = plain(t[:cut])
    if title.rstrip().endswith(":"):
        return None  # "Paper: [Title](url)": a label, then a link
    title = re.sub(r"[,\s]+$", "", title)
    return _clean(title), None, None, t[cut:], "plain"


def _clean(title: str) -> str:
    t = plain(title).strip()
    t = t.strip("\"“”").strip()
    t = re.sub(r"\s*[.,;:]+$", "", t) if not t.endswith(("?.", "!.")) else t[:-1]
    return t.strip()


def _plausible_title(title: str, kind: str) -> bool:
    """Is ``title`` a paper title? ``kind`` is how it was written: "link" (a link's label),
    "marked" (bold or quoted) or "plain" (text before the links, where prose is common)."""
    if not title or len(title) > 400 or re.match(r"^(?:https?://|www\.)", title):
        return False
    n = words(title)
    if kind == "link":
        return n >= 3 or (":" in title and n >= 2)
    if kind == "marked":
        return n >= 2
    if n < 2 or _SENTENCE.match(title) or unicodedata.category(title[0]) == "So":
        return False  # prose, or a news line opening with an emoji
    unabbreviated = re.sub(r"\b(?:vs|e\.g|i\.e|al|etc|Dr|St|No|Vol)\.", "", title)
    return not re.search(r"[.?]\s+[A-Z][a-z]+\s+\w+", unabbreviated)


def _venue(head: str, rest: str, extra: list[str], venue_links: list[Tag]) -> Tag | None:
    m = _INS.search(head)
    if m:
        v = parse_venue(m.group(1))
        if v is not None:
            return v
    m = _BROKEN_INS.search(head)
    if m:
        return parse_venue(m.group(1))
    m = _ET_AL.search(rest) or _AUTHORS_VENUE.search(rest)
    if m and 0 < words(m.group(1)) <= 5:  # "*First Author (Affiliation) et al. Venue.*"
        v = parse_venue(m.group(1))
        if v is not None and v.venue:
            return v
    before_links = re.split(r"\[|!\[|<(?!/?ins)", rest, maxsplit=1)[0]
    italic = re.findall(r"\*([^*]+)\*", before_links)
    for phrase in [*italic, before_links]:
        v = _venue_phrase(phrase, written_out=phrase in italic)
        if v is not None:
            return v
    if venue_links:
        return venue_links[0]
    for x in extra:
        after_authors = x.rsplit("*", 1)[-1] if x.count("*") >= 2 else ""
        after_authors = re.split(r"\[|!\[|<", after_authors, maxsplit=1)[0]
        v = _venue_phrase(after_authors) if after_authors.strip() else None
        if v is not None:
            return v
    return None


def _year_elsewhere(extra: list[str]) -> int | None:
    """A date ending a further line of the item: "*Authors.* [[pdf](url)], 2021.7"."""
    for x in extra:
        m = _TRAILING_DATE.search(without_links(x))
        if m:
            return int(m.group(1))
    return None


def _venue_phrase(text: str, written_out: bool = False) -> Tag | None:
    """A venue phrase after a title: ", *arXiv, May 2023*.", " Preprint.", ": *FAccT, Jun 2022*.";
    with ``written_out`` (an italic phrase of its own) also a long name with a year."""
    t = plain(text).strip(" ,.:;-–—")
    if not t or len(t) > 120:
        return None
    tag = looks_like_venue(t)
    if tag is None and written_out:  # "*Conference on Robot Learning (CoRL), Nov 2023*"
        tag = parse_venue(t)
        if tag is not None and (tag.year is None or not tag.venue or '"' in tag.venue):
            tag = None
    return tag


def _paper_evidence(all_links: list[Link], tag: Tag | None) -> bool:
    if not all_links:
        return tag is not None and tag.year is not None
    for l in all_links:
        target = l.target
        if target == "paper" or is_pdf(l.url):
            return True
        if LABEL_ROLES.get(l.label.strip().lower()) == "paper":
            return True  # the author says it is the paper, even when the link is wrong (lint says so)
        if target not in ("code", "site") and l.column == "paper":
            return True
    return False


# --- paragraph entries -----------------------------------------------------------------------


def read_paragraph(lines: list[str], line: int, section: str) -> Entry | None:
    """``**Title**<br>`` followed by author and venue lines of the same paragraph."""
    m = PARAGRAPH_TITLE.match(lines[0])
    if m is None:
        return None
    title = _clean(m.group("title"))
    if not _plausible_title(title, "marked"):
        return None
    all_links = [Link(l.label, l.url, l.nested) for x in lines[1:] for l in inline_links(x) if not is_anchor(l.url)]
    tag = None
    for x in lines[1:]:
        first = re.split(r"\s/\s|\[", x, maxsplit=1)[0]
        if "*" in first:
            continue  # the authors line
        tag = _venue_phrase(first) or parse_venue(first) if first.strip() else None
        if tag is not None:
            break
    if not _paper_evidence(all_links, tag):
        return None
    return Entry(line=line, section=section, bullet="", tag=tag, title=title, links=all_links,
                 raw=lines[0].rstrip("\r"), dialect=PARAGRAPH, end=line + len(lines) - 1 if len(lines) > 1 else 0)
