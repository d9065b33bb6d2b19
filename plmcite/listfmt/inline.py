"""Inline markdown as paper lists write it: links (badges, doubled brackets), emphasis, HTML.

Pure functions over one string, shared by the dialect readers. They never raise: whatever they
cannot read is left as text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

# [label](url): the label may hold one level of brackets ("[[Paper]](u)", "[![alt](img)](u)"),
# the url one level of parentheses, an optional "title", and the doubled "[l]([link](u))" form.
_LINK = re.compile(
    r"(?<!!)\[((?:[^\[\]]|\[[^\[\]]*\])*)\]"
    r"\(\s*(<[^<>]*>|[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+\"[^\"]*\")?\s*\)"
)
_NESTED = re.compile(r"^\[[^\[\]]*\]\((.*)\)$")
_IMAGE = re.compile(r"!\[([^\[\]]*)\]\(([^()\s]*(?:\([^()\s]*\)[^()\s]*)*)\)")
_BADGE_TEXT = re.compile(r"img\.shields\.io/badge/([^/?#]+?)(?:-[0-9a-fA-F]{6}|-[a-z]+)?(?:\.svg)?(?:[?#].*)?$")
_TAGS = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>|[A-Za-z]*/ins>")
_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])"
                       r"|(?<![\w_])_(?=\S)([^_]+?)(?<=\S)_(?![\w_])")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")
_SHORTCODE = re.compile(r":[a-z0-9_+\-]+:")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class InlineLink:
    start: int
    end: int
    label: str  # the label as plain text: "Paper" for [[Paper]](u), the badge's text for a badge
    url: str
    nested: bool = False
    badge: bool = False  # the label is an image ([![Paper](badge)](url))


def links(text: str) -> list[InlineLink]:
    """Every link of ``text`` in order; images that are not links (``![](badge)``) are not links."""
    out = []
    for m in _LINK.finditer(text):
        raw_label, url = m.group(1), m.group(2).strip()
        if url.startswith("<") and url.endswith(">"):
            url = url[1:-1]
        nested = False
        n = _NESTED.match(url)
        if n:
            url, nested = n.group(1), True
        label, badge = raw_label, False
        img = _IMAGE.fullmatch(raw_label.strip())
        if img:
            label, badge = badge_label(img.group(1), img.group(2)), True
        else:
            inner = raw_label.strip()
            while inner.startswith("[") and inner.endswith("]"):
                inner = inner[1:-1].strip()  # [[Paper]](url)
            label = plain(inner)
        out.append(InlineLink(m.start(), m.end(), label, url, nested, badge))
    return out


_BARE_URL = re.compile(r"(?<![(<\"'=\w/])https?://[^\s<>\"'\]\[]+")


def bare_urls(text: str) -> list[InlineLink]:
    """URLs written without link markup (GitHub links them): ``[https://arxiv.org/abs/x]``, or a
    link whose markup broke, ``[[https://arxiv.org/abs/1810.08272)]``. Markdown links are skipped."""
    masked = _IMAGE.sub(lambda m: " " * len(m.group(0)), text)
    masked = _LINK.sub(lambda m: " " * len(m.group(0)), masked)
    out = []
    for m in _BARE_URL.finditer(masked):
        url = m.group(0).rstrip(".,:;!?*_~")
        while url.endswith(")") and url.count(")") > url.count("("):
            url = url[:-1].rstrip(".,:;!?*_~")
        out.append(InlineLink(m.start(), m.start() + len(url), "", url))
    return out


def badge_label(alt: str, image_url: str) -> str:
    """What a badge says: its alt text, else the first word of a shields.io badge."""
    alt = plain(alt)
    if alt:
        return alt
    m = _BADGE_TEXT.search(image_url)
    if m:
        return m.group(1).split("-")[0].replace("_", " ")
    if "github" in image_url.lower():
        return "GitHub"
    return ""


def without_links(text: str) -> str:
    """``text`` with links, badges and images removed (their labels too)."""
    text = _LINK.sub(" ", text)
    return _IMAGE.sub(" ", text)


def plain(text: str) -> str:
    """Text as a reader sees it: links become their label, images, HTML tags, emphasis and
    escapes go, entities are decoded, whitespace is collapsed."""
    if not text:
        return ""
    if "](" in text:
        text = _IMAGE.sub(" ", text)
        text = _LINK.sub(lambda m: _label_text(m.group(1)), text)
    if "<" in text or "/ins>" in text:
        text = _TAGS.sub(" ", text)
    if "*" in text or "_" in text:
        for _ in range(3):  # nested emphasis: ***x***, **_x_**
            new = _EMPHASIS.sub(lambda m: m.group(2) or m.group(3) or m.group(4), text)
            if new == text:
                break
            text = new
        text = text.replace("**", "")
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
    if "&" in text:
        text = html.unescape(text)
    if ":" in text:
        text = _SHORTCODE.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def _label_text(label: str) -> str:
    img = _IMAGE.fullmatch(label.strip())
    if img:
        return img.group(1)
    inner = label.strip()
    while inner.startswith("[") and inner.endswith("]"):
        inner = inner[1:-1]
    return inner


def is_pdf(url: str) -> bool:
    """A link straight to a PDF file (query string aside): a paper, whatever the site."""
    return url.lower().split("?")[0].endswith(".pdf")


def is_anchor(url: str) -> bool:
    """A link into the same page (a table of contents) or to a local file."""
    u = url.strip()
    return not u or u.startswith(("#", "./", "../", "mailto:")) or not re.match(r"^[a-z][a-z0-9+.\-]*:", u, re.I) \
        and "." not in u.split("/")[0]


def words(text: str) -> int:
    return len([w for w in re.split(r"\s+", text) if re.search(r"[^\W_]", w)])
