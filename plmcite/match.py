"""Deciding whether a record is the paper a list entry means: similarity and confidence.

A wrong match is worse than none: a survey that cites the wrong paper is worse off than one
that says "unresolved". So a record found by *searching* must agree on the title almost exactly
(case, punctuation, accents, spacing and hyphenation do not count), must not contradict the
authors we already know, and must have a plausible year; the result is a confidence in [0, 1]
compared with a threshold. A record reached through an *identifier* in the entry's link needs
much less: the link is the author's own statement, and the title only guards against a link that
points at another paper.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Iterable, Sequence

from .model import Person
from .keys import ascii_lower

def normalize_title(title: str) -> str:
    """Case-, accent-, markup- and punctuation-blind form of a title, for comparisons."""
    if title.isascii():
        t = title.lower()
    else:
        t = unicodedata.normalize("NFKD", title)
        t = "".join(c for c in t if not unicodedata.combining(c)).lower()
    t = re.sub(r"\$[^$]*\$", lambda m: m.group(0).strip("$"), t)
    t = re.sub(r"[^0-9a-z\u0370-\u03ff\u4e00-\u9fff]+", " ", t)
    return " ".join(t.split())


#: confidence needed to accept a record found by title search
SEARCH_THRESHOLD = 0.90
#: title similarity needed to accept the record a link's identifier points at
LINK_THRESHOLD = 0.50
#: title similarity needed to take a search hit as the *published version* of a known paper
VERSION_THRESHOLD = 0.88

__all__ = ["normalize_title", "comparable", "compact", "acronym", "TitleWeights", "link_agrees", "title_similarity", "author_agreement", "Score", "score",
           "SEARCH_THRESHOLD", "LINK_THRESHOLD", "VERSION_THRESHOLD", "same_title", "search_words"]


#: abbreviations written out before comparing, so "with LLMs" == "with Large Language Models"
ABBREVIATIONS = {
    "llm": "large language model",
    "llms": "large language models",
    "lm": "language model",
    "lms": "language models",
    "mllm": "multimodal large language model",
    "mllms": "multimodal large language models",
    "vlm": "vision language model",
    "vlms": "vision language models",
    "rl": "reinforcement learning",
    "rlhf": "reinforcement learning from human feedback",
}


def comparable(title: str) -> str:
    """``normalize_title`` with abbreviations written out: the form similarity works on."""
    return " ".join(ABBREVIATIONS.get(w, w) for w in normalize_title(title).split())


def compact(title: str) -> str:
    """The normalised title without spaces: "PersonalizedVideoCommentGeneration" == "Personalized
    Video Comment Generation", "Neuron-based" == "Neuron based"."""
    return comparable(title).replace(" ", "")


def title_similarity(a: str, b: str) -> float:
    """1.0 for the same title up to case/punctuation/spacing, less as the words differ."""
    na, nb = comparable(a), comparable(b)
    if not na or not nb:
        return 0.0
    if na == nb or na.replace(" ", "") == nb.replace(" ", ""):
        return 1.0
    chars = SequenceMatcher(None, na, nb, autojunk=False).ratio()
    ta, tb = na.split(), nb.split()
    words = SequenceMatcher(None, ta, tb, autojunk=False).ratio()
    return round(min(chars, words) * 0.5 + max(chars, words) * 0.5, 4)


def same_title(a: str, b: str) -> bool:
    return title_similarity(a, b) == 1.0


def acronym(title: str) -> str | None:
    """The system name before a colon ("PAL: Sample-Efficient ..." -> "pal"), if any."""
    head, sep, _ = title.partition(":")
    if not sep or len(head.split()) > 2:
        return None
    key = normalize_title(head).replace(" ", "")
    return key if len(key) >= 3 else None


class TitleWeights:
    """Word weights (inverse document frequency) over a corpus of titles, typically the list.

    Two titles that share only the words every title in the list has ("personalized", "large
    language models") are different papers; sharing rare words ("mixture of specialized LoRA
    experts") is what makes a renamed paper recognisable. Used to judge a link's target.
    """

    def __init__(self, corpus: Iterable[str]):
        self.df: dict[str, int] = {}
        n = 0
        for t in corpus:
            n += 1
            for w in set(comparable(t).split()):
                self.df[w] = self.df.get(w, 0) + 1
        self.n = n

    def weight(self, word: str) -> float:
        return math.log((self.n + 1) / (self.df.get(word, 0) + 0.5))

    def similarity(self, a: str, b: str) -> float:
        """Weighted Dice coefficient over the words of two titles."""
        wa, wb = set(comparable(a).split()), set(comparable(b).split())
        if not wa or not wb:
            return 0.0
        total = sum(self.weight(w) for w in wa) + sum(self.weight(w) for w in wb)
        if total <= 0:
            return 1.0 if wa == wb else 0.0
        return round(2 * sum(self.weight(w) for w in wa & wb) / total, 4)


def link_agrees(entry_title: str, record_titles: Iterable[str], weights: "TitleWeights") -> tuple[bool, float]:
    """Does the paper a link points at plausibly carry the entry's title (allowing a rename)?"""
    best = 0.0
    for t in record_titles:
        if not t:
            continue
        if title_similarity(entry_title, t) >= VERSION_THRESHOLD:
            return True, 1.0
        sim = max(weights.similarity(entry_title, t), 0.0)
        best = max(best, sim)
        a, b = acronym(entry_title), acronym(t)
        if a and a == b:
            return True, max(sim, LINK_THRESHOLD)
    return best >= LINK_THRESHOLD, best


def _family_key(p: Person) -> str:
    return re.sub(r"[^a-z]", "", ascii_lower(p.family))  # digits go too: DBLP's "Wang 0001"


def author_agreement(a: Sequence[Person], b: Sequence[Person]) -> float | None:
    """Share of the shorter author list whose family name appears in the other (None: unknown)."""
    ka = {_family_key(p) for p in a if _family_key(p)}
    kb = {_family_key(p) for p in b if _family_key(p)}
    if not ka or not kb:
        return None
    small, big = (ka, kb) if len(ka) <= len(kb) else (kb, ka)
    return len(small & big) / len(small)


@dataclass(frozen=True)
class Score:
    confidence: float
    title: float
    authors: float | None
    year_gap: int | None
    why: str


def score(
    record_title: str,
    titles: Iterable[str],
    *,
    record_authors: Sequence[Person] = (),
    authors: Sequence[Person] = (),
    record_year: int | None = None,
    year: int | None = None,
    year_window: tuple[int, int] = (-1, 1),
) -> Score:
    """Confidence that a record with this title/authors/year is the paper known by ``titles``.

    ``year_window`` is the allowed (record_year - year) range: (-1, 1) for a list tag's year,
    (0, 3) for a published version of a preprint (published after the preprint, not long after).
    """
    sims = [title_similarity(record_title, t) for t in titles if t]
    tsim = max(sims) if sims else 0.0
    conf = tsim
    notes = [f"title {tsim:.2f}"]
    agree = author_agreement(record_authors, authors)
    if agree is not None:
        notes.append(f"authors {agree:.2f}")
        if agree >= 0.5:
            conf = min(1.0, conf + 0.05)
        elif agree == 0:
            conf -= 0.4  # same title, nobody in common: another paper
        else:
            conf -= 0.15
    gap = None
    if record_year is not None and year is not None:
        gap = record_year - year
        lo, hi = year_window
        if gap < lo or gap > hi:
            off = (lo - gap) if gap < lo else (gap - hi)
            conf -= 0.1 * off if off == 1 else 0.3
            notes.append(f"year {record_year} vs {year}")
    return Score(round(max(0.0, min(1.0, conf)), 4), tsim, agree, gap, ", ".join(notes))


#: words left out of search queries: function words, and the words abbreviations stand for (one
#: version of a title may say "LLMs" where the other says "Large Language Models")
QUERY_STOP = frozenset(
    "a an the on of for in to and or with via at by from into is are be do does can how what when why "
    "which who toward towards as its your you we our not no".split()
) | frozenset(ABBREVIATIONS) | frozenset(w for v in ABBREVIATIONS.values() for w in v.split())
#: how many words a title search sends: titles change at the tail between versions, and services
#: that require every word to match (DBLP) then still find both versions
QUERY_WORDS = 5


def search_words(title: str, limit: int = QUERY_WORDS) -> str:
    """A title as a search query: its first significant words, independent of any corpus (so a
    cached query stays valid when the list changes)."""
    words = [w for w in re.split(r"[^0-9a-z]+", normalize_title(title)) if w]
    picked = [w for w in words if w not in QUERY_STOP]
    if len(picked) < 2:
        picked = [w for w in words if w not in ("a", "an", "the", "of", "on", "for")] or words
    return " ".join(picked[:limit])
