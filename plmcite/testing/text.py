"""Small text helpers shared by the fake services: tokens, relevance ranking, names, LaTeX.

The fakes must rank search candidates the way real search engines do (a near-miss title comes
back below the exact one, not instead of it), so every search endpoint scores with the same
IDF-weighted overlap implemented here. It is deliberately simple and deterministic: the point is
to give the resolver realistic candidate lists, not to copy any engine's exact numbers.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from typing import Iterable, Sequence

_WORD = re.compile(r"[0-9a-z]+")

#: family-name particles kept with the family name ("van der Berg")
PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "le", "la", "dos", "das", "ter", "ten"}


def fold(text: str) -> str:
    """Lower-case ASCII folding: "Ramé" -> "rame"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def tokens(text: str) -> list[str]:
    """Word tokens of ``text`` after folding; punctuation separates words."""
    return _WORD.findall(fold(text))


def ascii_letters(text: str) -> str:
    """Only the ASCII letters of ``text`` (accents folded), for keys like ``SalemiMBZ24``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and c.isalpha())


def is_organisation(name: str) -> bool:
    """A record writes a corporate author in braces: ``"{H1 Collaboration}"``."""
    return name.startswith("{") and name.endswith("}")


def display(name: str) -> str:
    """A name as the services print it (an organisation without its braces)."""
    return name[1:-1] if is_organisation(name) else name


def split_name(name: str) -> tuple[str, str]:
    """``"Given Family"`` -> ``(given, family)``; lower-case particles stay with the family name;
    an organisation (``"{H1 Collaboration}"``) is all family."""
    if is_organisation(name):
        return "", display(name)
    parts = name.split()
    if len(parts) <= 1:
        return "", name.strip()
    i = len(parts) - 1
    while i > 1 and parts[i - 1] in PARTICLES:
        i -= 1
    return " ".join(parts[:i]), " ".join(parts[i:])


class Ranker:
    """IDF-weighted title matching over a fixed set of documents.

    ``score`` is the F1 of two weighted ratios: how much of the document's title the query covers
    (so a longer title that merely contains the query ranks lower) and how much of the query the
    document explains through its title or its extra tokens (authors, year, venue), so a
    bibliographic query "title + author + year" still scores 1.0 on the right record. A document
    sharing only extra tokens (an author, the year) scores at most 0.2, like the weak matches
    real search engines append to a result list.
    """

    def __init__(self, docs: Sequence[tuple[str, Iterable[str]]]):
        """``docs`` is ``[(title, extra_texts), ...]``, indexed by position."""
        self.titles: list[set[str]] = []
        self.extras: list[set[str]] = []
        df: Counter[str] = Counter()
        for title, extra in docs:
            t = set(tokens(title))
            e = set()
            for x in extra:
                e.update(tokens(x))
            self.titles.append(t)
            self.extras.append(e)
            df.update(t | e)
        self.n = max(len(docs), 1)
        self.idf = {tok: math.log(1 + self.n / (1 + c)) for tok, c in df.items()}
        self.max_idf = math.log(1 + self.n)

    def weight(self, toks: Iterable[str]) -> float:
        return sum(self.idf.get(t, self.max_idf) for t in toks)

    def score(self, query: str | set[str], i: int) -> float:
        q = set(tokens(query)) if isinstance(query, str) else query
        if not q:
            return 0.0
        title = self.titles[i]
        common = q & title
        precision = self.weight(q & (title | self.extras[i])) / self.weight(q)
        if not common:  # matched on authors / year / venue only: a weak candidate, ranked low
            return 0.2 * precision
        recall = self.weight(common) / (self.weight(title) or 1.0)
        return 2 * recall * precision / (recall + precision)

    def rank(self, query: str, candidates: Iterable[int] | None = None) -> list[tuple[int, float]]:
        """``[(doc index, score)]`` for every document sharing a word with the query, best first."""
        q = set(tokens(query))
        idx = range(len(self.titles)) if candidates is None else candidates
        scored = [(i, self.score(q, i)) for i in idx]
        scored = [(i, s) for i, s in scored if s > 0]
        scored.sort(key=lambda p: (-p[1], p[0]))
        return scored


# --- LaTeX escaping, as DBLP and the ACL Anthology write non-ASCII names in BibTeX -------------

_ACCENTS = {
    "\u0301": "'",
    "\u0300": "`",
    "\u0302": "^",
    "\u0308": '"',
    "\u0303": "~",
    "\u0304": "=",
    "\u0307": ".",
    "\u030c": "v",
    "\u0306": "u",
    "\u030b": "H",
    "\u0327": "c",
    "\u0328": "k",
    "\u030a": "r",
}
_SPECIAL = {"ß": "{\\ss}", "ø": "{\\o}", "Ø": "{\\O}", "æ": "{\\ae}", "Æ": "{\\AE}", "ł": "{\\l}", "Ł": "{\\L}", "ı": "{\\i}"}


def latex_escape(text: str, *, dblp_style: bool = False) -> str:
    """Write accented letters as LaTeX: DBLP uses ``{\\'{e}}``, the Anthology ``{\\'e}``."""
    out = []
    for ch in text:
        if ch.isascii():
            out.append("\\" + ch if ch in "&%$#_" else ch)
            continue
        if ch in _SPECIAL:
            out.append(_SPECIAL[ch])
            continue
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], decomposed[1:]
        if base.isascii() and marks and all(m in _ACCENTS for m in marks):
            s = base
            for m in marks:
                cmd = _ACCENTS[m]
                braced = dblp_style or cmd.isalpha() or len(s) > 1
                s = f"\\{cmd}{{{s}}}" if braced else f"\\{cmd}{s}"
            out.append("{" + s + "}")
        else:
            out.append(ch)  # leave other scripts as UTF-8
    return "".join(out)
