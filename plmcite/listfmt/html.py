"""Simple HTML in a markdown list: table cells and list items holding one paper link.

    <td><a href="https://arxiv.org/abs/1412.6572" target="_blank">FGSM (Goodfellow et al., 2015)</a></td>
    <li><a href="https://arxiv.org/abs/2411.00027">Personalization of Large Language Models: A Survey</a></li>

A link whose text is a title gives a titled entry. A link whose text *names* the paper, as
toolbox READMEs do (``METHOD (Author et al., Year)``), gives an entry with ``titled`` False: the
text is kept as the entry's title and name, the year goes to the tag, and the paper is known by
its link alone (an arXiv or OpenReview link resolves; a bare PDF stays unresolved, since a name is
no title to search by). Links into the page, to local files or to code are no entries.
"""

from __future__ import annotations

import re

from .inline import is_anchor, is_pdf, plain, words
from .model import HTML, Entry, Link, Tag
from .. import ids as idmod

_A = re.compile(r"<a\s[^>]*?href\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))[^>]*>(.*?)</a\s*>", re.I | re.S)
_LINE = re.compile(r"^\s*<(?:td|li|a)\b", re.I)
_HEADING = re.compile(r"^\s*<h([1-6])\b[^>]*>(.*?)</h\1\s*>\s*$|^\s*<h([1-6])\b[^>]*>(.*?)<h\3\s*/>\s*$", re.I)
_CITATION = re.compile(r"^(?P<name>.+?)\s*\((?P<who>[^(),]+?)(?:\s+et\s+al\.?|\s+(?:and|&)\s+[^(),]+)?,\s*"
                       r"(?P<year>(?:19|20)\d{2})[a-z]?\)$")


def heading(text: str) -> tuple[int, str] | None:
    """(level, inner html) of a line that is an HTML heading ``<h2 id="x">Text</h2>``."""
    m = _HEADING.match(text)
    if m is None:
        return None
    if m.group(1):
        return int(m.group(1)), m.group(2)
    return int(m.group(3)), m.group(4)


def is_link_line(text: str) -> bool:
    return bool(_LINE.match(text)) and "href" in text.lower() and "</a>" in text.lower()


def read_line(text: str, line: int, section: str) -> Entry | None:
    """The entry an HTML cell or list item with one link gives, or None."""
    found = [(next(g for g in m.groups()[:3] if g is not None), m.group(4)) for m in _A.finditer(text)]
    found = [(u.strip(), plain(t)) for u, t in found if not is_anchor(u.strip())]
    if len(found) != 1:
        return None
    url, label = found[0]
    if not re.match(r"^https?://", url, re.I) or not label:
        return None
    target = idmod.classify(url)
    if target in ("code", "site"):
        return None
    cite = _CITATION.match(label)
    pdf = is_pdf(url)
    if cite is not None:
        year = int(cite.group("year"))
        tag = Tag(raw=str(year), year=year, venue=None, arxiv_month=None, escaped=False)
        return Entry(line=line, section=section, bullet="", tag=tag, title=label,
                     links=[Link(label, url, column="paper")], raw=text.rstrip("\r"), dialect=HTML,
                     name=cite.group("name").strip(), titled=False)
    if target != "paper" and not pdf:
        return None
    if words(label) < 3 and ":" not in label:
        return None
    return Entry(line=line, section=section, bullet="", tag=None, title=label.rstrip("."),
                 links=[Link(label, url, column="paper")], raw=text.rstrip("\r"), dialect=HTML)
