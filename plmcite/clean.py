"""Canonical text and records from what services send: the one place messy wire data is tidied.

Every record a source produces passes through :func:`canonical_record` (``Source.lookup`` and
``Source.search`` call it before anything is cached), so matching, merging, the catalog and every
renderer see the same clean text whatever the service sent. Real answers (tests/fixtures/wire/)
carry all of these:

* **markup**, stripped with its text kept: JATS/HTML inline tags (Crossref: ``<i>KRAS</i>``,
  ``<sub>``, ``<scp>``, ``<jats:p>``), MathML, and LaTeX text commands in titles (DBLP:
  ``Deep$\\mathrm {M{2}}$M2CDL``; OpenReview: ``$\\textbf{LAMP}$``) when what they wrap is plain
  text. Italics do not become ``\\emph``: emphasis in a title is the publisher's typography, not
  part of the title (a documented choice, docs/resolve.md). Real mathematics (``$\\alpha$``) is
  left as it is.
* **entities**, decoded: ``&apos;`` ``&amp;`` ``&quot;`` ``&#8217;`` (DBLP sends XML entities
  inside JSON strings), only in their complete ``&name;`` form, so "R&D" or "AT&T" stay as
  written; a doubly escaped ``&amp;apos;`` is decoded twice.
* **whitespace**, collapsed (arXiv and Crossref titles carry raw line wraps). A line break
  between a tag and a slash or hyphen is the deposit's layout, not a space:
  ``<i>KRAS</i>\\n/\\n<i>NRAS</i>`` is ``KRAS/NRAS``.
* **page ranges** written ``123--145``, article-number ranges too (``26:1-26:4`` ->
  ``26:1--26:4``).
* **names** tidied the same way; a corporate author ("H1 Collaboration", "University of
  Regensburg") is one literal name, never split into given and family (:mod:`plmcite.names`).
"""

from __future__ import annotations

import dataclasses
import html
import re

from .model import Person, Record
from .names import clean_text, is_organisation

__all__ = [
    "canonical_person", "canonical_record", "clean_text", "clean_title", "decode_entities",
    "normalize_pages", "strip_markup", "strip_period",
]


# --- entities ----------------------------------------------------------------------------------

_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def decode_entities(text: str) -> str:
    """``&apos;`` -> ``'``, ``&amp;`` -> ``&``; only complete ``&name;`` forms, at most 3 levels."""
    for _ in range(3):
        decoded = _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
        if decoded == text:
            break
        text = decoded
    return text


# --- markup ------------------------------------------------------------------------------------

#: tag names stripped wherever they appear (HTML inline and block, JATS, MathML); any tag with a
#: ``jats:``, ``mml:`` or ``html:`` prefix is markup too. Anything else in angle brackets is text
#: ("x<y and y>z" in a title stays as it is).
_INLINE_TAGS = frozenset({
    "i", "b", "em", "strong", "u", "sub", "sup", "sc", "scp", "tt", "span", "font", "small", "big",
    "italic", "bold", "underline", "monospace", "overline", "strike", "styled-content", "named-content",
    "inline-formula", "a", "ext-link", "xref", "code", "math", "mi", "mo", "mn", "ms", "mtext", "mrow",
    "msub", "msup", "msubsup", "mfrac", "msqrt", "mover", "munder", "mstyle", "semantics", "annotation",
})
_BLOCK_TAGS = frozenset({"p", "br", "div", "title", "sec", "abstract", "list", "list-item", "label", "caption"})
_MARKUP_NS = frozenset({"jats", "mml", "html", "xhtml", "m"})
_TAG = re.compile(r"(</?(?:([A-Za-z][\w.-]*):)?([A-Za-z][\w.-]*)(?:\s[^<>]*)?/?>)")
#: a line break next to these, on the side of a tag, was layout: "KRAS</i>\n/\n<i>NRAS" -> "KRAS/NRAS"
_GLUE_AFTER_TAG = "/-\u2013\u2014)]},.;:!?"
_GLUE_BEFORE_TAG = "/-\u2013\u2014([{"


def _tag_kind(prefix: str | None, name: str) -> str | None:
    low = name.lower()
    if prefix is not None and prefix.lower() not in _MARKUP_NS:
        return None
    if low in _BLOCK_TAGS:
        return "block"
    if prefix is not None or low in _INLINE_TAGS:
        return "inline"
    return None


def strip_markup(text: str) -> str:
    """Remove JATS/HTML/MathML tags, keeping their text (block tags leave a space)."""
    if "<" not in text:
        return text
    parts = _TAG.split(text)  # text, (tag, prefix, name), text, ...
    out: list[str] = []
    pieces: list[tuple[str, str]] = []  # ("text", s) | ("inline"|"block", "")
    i = 0
    while i < len(parts):
        pieces.append(("text", parts[i]))
        if i + 1 < len(parts):
            tag, prefix, name = parts[i + 1], parts[i + 2], parts[i + 3]
            kind = _tag_kind(prefix, name)
            pieces.append((kind, "") if kind else ("text", tag))
        i += 4
    for j, (kind, value) in enumerate(pieces):
        if kind == "block":
            out.append(" ")
            continue
        if kind == "inline":
            continue
        after_tag = j > 0 and pieces[j - 1][0] != "text"
        before_tag = j + 1 < len(pieces) and pieces[j + 1][0] != "text"
        stripped = value.strip()
        if after_tag and stripped and stripped[0] in _GLUE_AFTER_TAG and "\n" in value[: len(value) - len(value.lstrip())]:
            value = value.lstrip()
        if before_tag and stripped and stripped[-1] in _GLUE_BEFORE_TAG and "\n" in value[len(value.rstrip()):]:
            value = value.rstrip()
        out.append(value)
    return "".join(out)


_TEX_TEXT_CMD = re.compile(r"\\(?:textbf|textit|textsl|emph|texttt|textsc|textrm|textsf|textnormal|text|mbox|"
                           r"mathrm|mathbf|mathit|mathsf|mathtt|mathcal|mathbb|operatorname)\s*"
                           r"\{((?:[^{}]|\{[^{}]*\})*)\}")
_TEX_MATH = re.compile(r"\$([^$]*)\$")
_PLAIN_MATH = re.compile(r"[\w\s.,:;'\u2019+\-/()]*")


def _strip_tex(text: str) -> str:
    """LaTeX text commands keep their argument; ``$...$`` whose content is then plain text loses
    its dollars. Real mathematics (``$\\alpha$``, ``$x^2$``) is left alone."""
    if "\\" not in text and "$" not in text:
        return text
    for _ in range(4):  # nested \textbf{\emph{...}}
        new = _TEX_TEXT_CMD.sub(lambda m: m.group(1), text)
        if new == text:
            break
        text = new

    def math(m: re.Match[str]) -> str:
        inner = m.group(1).replace("{", "").replace("}", "")
        return inner if _PLAIN_MATH.fullmatch(inner) else m.group(0)

    text = _TEX_MATH.sub(math, text)
    if "$" not in text and "\\" not in text:
        text = text.replace("{", "").replace("}", "")  # braces that only grouped a command's text
    return text


def clean_title(text: str) -> str:
    """A title as a person would type it: entities decoded, markup stripped, whitespace collapsed."""
    return clean_text(_strip_tex(strip_markup(decode_entities(text))))


def clean_field(text: str) -> str:
    """A venue, publisher or address: entities decoded, markup stripped, whitespace collapsed."""
    return clean_text(strip_markup(decode_entities(text)))


# --- pages -------------------------------------------------------------------------------------

_PAGE = r"[A-Za-z]{0,3}\d+(?:[:.]\d+)*[A-Za-z]?"
_RANGE = re.compile(rf"({_PAGE})\s*(?:-+|\u2010|\u2011|\u2012|\u2013|\u2014)\s*({_PAGE})")


def normalize_pages(pages: str | None) -> str | None:
    """"5998-6008" / "5998–6008" / "5998--6008" -> "5998--6008"; "26:1-26:4" -> "26:1--26:4";
    a single page or an article number ("e000776", "022212") stays as it is."""
    if not pages:
        return None
    p = clean_text(str(pages))
    m = _RANGE.fullmatch(p)
    if m:
        return f"{m.group(1)}--{m.group(2)}"
    return p or None


def strip_period(title: str) -> str:
    """DBLP titles end with a period that is not part of the title (keep "?" and "!")."""
    title = clean_text(title)
    return title[:-1] if title.endswith(".") and not title.endswith("...") else title


# --- records -----------------------------------------------------------------------------------


def canonical_person(p: Person) -> Person | None:
    """A name with entities, markup and stray spaces gone; an organisation as one literal name.
    None when nothing is left (an empty ``<name/>``)."""
    family = clean_field(p.family)
    given = clean_field(p.given)
    if p.literal or not given:
        whole = clean_text(f"{given} {family}") if p.literal and given else family
        if not whole:
            return None
        return Person(whole, literal=p.literal or is_organisation(whole))
    if not family:
        return Person(given, literal=True)  # a single name given in the wrong slot
    if is_organisation(f"{given} {family}"):
        return Person(f"{given} {family}", literal=True)
    return Person(family, given)


def canonical_record(rec: Record) -> Record:
    """The record with every text field in canonical form (the one place this happens)."""

    def opt(value: str | None, fn=clean_field) -> str | None:
        return (fn(value) or None) if value else None

    authors = [q for q in (canonical_person(p) for p in rec.authors) if q is not None]
    return dataclasses.replace(
        rec,
        title=clean_title(rec.title),
        authors=authors,
        venue_raw=opt(rec.venue_raw),
        container=opt(rec.container, clean_title),
        volume=opt(rec.volume, clean_text),
        number=opt(rec.number, clean_text),
        pages=normalize_pages(rec.pages),
        publisher=opt(rec.publisher),
        address=opt(rec.address),
    )
