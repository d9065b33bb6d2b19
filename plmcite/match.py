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
import os
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from importlib import resources
from typing import Iterable, Sequence

from .keys import ascii_lower
from .model import Person


def normalize_title(title: str) -> str:
    """Case-, accent-, markup- and punctuation-blind form of a title, for comparisons."""
    if title.isascii():
        t = title.lower()
    else:
        t = unicodedata.normalize("NFKD", title)
        t = "".join(c for c in t if not unicodedata.combining(c)).lower()
    if "$" in t:
        t = _MATH.sub(lambda m: m.group(0).strip("$"), t)
    return " ".join(_NOT_TITLE_CHARS.sub(" ", t).split())


# compiled once: lint normalises every title of lists of 100,000 entries
_MATH = re.compile(r"\$[^$]*\$")
_NOT_TITLE_CHARS = re.compile(r"[^0-9a-z\u0370-\u03ff\u4e00-\u9fff]+")


#: confidence needed to accept a record found by title search
SEARCH_THRESHOLD = 0.90
#: title similarity needed to accept the record a link's identifier points at
LINK_THRESHOLD = 0.50
#: title similarity needed to take a search hit as the *published version* of a known paper
VERSION_THRESHOLD = 0.88

#: title similarity above which a title that differs in a content word is a "near miss": worth a
#: "did you mean" (but never a match)
NEAR_MISS = 0.75

__all__ = ["normalize_title", "comparable", "compact", "acronym", "TitleWeights", "link_agrees", "title_similarity",
           "author_agreement", "Score", "score", "SEARCH_THRESHOLD", "LINK_THRESHOLD", "VERSION_THRESHOLD", "NEAR_MISS",
           "same_title", "search_words", "form_words", "form_key", "same_form", "word_difference", "main_title",
           "drops_subtitle"]


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


# --- same title, different form --------------------------------------------------------------
#
# A title found by searching is the entry's paper only when the two titles differ in *form*, never
# in a word that carries meaning: "DreamBench++ ... Video Generation" is not "DreamBench++ ...
# Image Generation", however similar the strings. Form is case, accents, spacing, punctuation,
# hyphenation, "&" for "and", British or US spelling (data/spelling.toml) and abbreviations
# written out (LLMs = Large Language Models). Version marks ("++", "2", "v2") and numbers are
# words, so they must match too.


@lru_cache(maxsize=1)
def _spelling() -> tuple[tuple[tuple[str, str], ...], dict[str, str]]:
    data = tomllib.loads(resources.files("plmcite.data").joinpath("spelling.toml").read_text(encoding="utf-8"))
    stems = tuple(sorted(((a, b) for a, b in data["stems"]), key=lambda ab: -len(ab[0])))
    return stems, dict(data["words"])


def _spelling_stem(word: str) -> str:
    """The part a British and a US spelling share ("personalised" -> "personali"): a prefix that
    a prefix-matching search (DBLP's) finds both spellings by."""
    stems, words = _spelling()
    for a, b in words.items():
        if word in (a, b):
            return os.path.commonprefix([a, b])
    for brit, us in stems:
        if word.startswith(brit) or word.startswith(us):
            return os.path.commonprefix([brit, us])
    return word


def _us_spelling(word: str) -> str:
    stems, words = _spelling()
    if word in words:
        return words[word]
    for brit, us in stems:
        if word.startswith(brit):
            return us + word[len(brit):]
    return word


_PLUS = re.compile(r"\+")


def form_words(title: str) -> list[str]:
    """The words of a title once its form is taken away (see above); "++" stays a word."""
    t = _PLUS.sub(lambda m: " " + "plus" * len(m.group(0)) + " ", title.replace("&", " and "))
    out: list[str] = []
    for w in normalize_title(t).split():
        out.extend(ABBREVIATIONS.get(w, _us_spelling(w)).split())
    return out


@lru_cache(maxsize=1 << 16)
def form_key(title: str) -> str:
    """Titles with equal keys differ only in form (spaces go too: "Self-Supervised" = "Selfsupervised")."""
    return "".join(form_words(title))


def same_form(a: str, b: str) -> bool:
    ka, kb = form_key(a), form_key(b)
    return bool(ka) and ka == kb


def word_difference(a: str, b: str) -> tuple[list[str], list[str]]:
    """The words only ``a`` has and the words only ``b`` has (in order), for "did you mean" messages."""
    wa, wb = form_words(a), form_words(b)
    sm = SequenceMatcher(None, wa, wb, autojunk=False)
    only_a: list[str] = []
    only_b: list[str] = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op != "equal":
            only_a += wa[i1:i2]
            only_b += wb[j1:j2]
    return only_a, only_b


_SUBTITLE = re.compile(r"\s*(?::|\s[-–—]\s)\s*")


def main_title(title: str) -> str | None:
    """The part before the subtitle ("DreamBench++: A Human-Aligned ..." -> "DreamBench++"), if any."""
    parts = _SUBTITLE.split(title, maxsplit=1)
    return parts[0] if len(parts) == 2 and parts[0].strip() and parts[1].strip() else None


def drops_subtitle(a: str, b: str) -> bool:
    """One title is the other without its subtitle, or with the other's name in front of it
    ("SeCom: On Memory ..." vs "On Memory ..."). Only a hint: it needs confirmation."""
    for short, long in ((a, b), (b, a)):
        head = main_title(long)
        if head and same_form(short, head):
            return True
        if head and same_form(short, long[len(head):].lstrip(" :-–—")):
            return True
    return False


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
FUNCTION_WORDS = frozenset(
    "a an the on of for in to and or with via at by from into is are be do does can how what when why "
    "which who toward towards as its your you we our not no".split()
)
QUERY_STOP = FUNCTION_WORDS | frozenset(ABBREVIATIONS) | frozenset(w for v in ABBREVIATIONS.values() for w in v.split())
#: how many words a title search sends: titles change at the tail between versions, and services
#: that require every word to match (DBLP) then still find both versions
QUERY_WORDS = 5


def search_words(title: str, limit: int = QUERY_WORDS, *, from_end: bool = False) -> str:
    """A title as a search query: its first (or last) significant words, independent of any
    corpus (so a cached query stays valid when the list changes). A word with a British and a US
    spelling is sent as their shared prefix ("personali"), which DBLP's prefix search matches."""
    words = list(dict.fromkeys(_spelling_stem(w) for w in re.split(r"[^0-9a-z]+", normalize_title(title)) if w))
    picked = [w for w in words if w not in QUERY_STOP]
    if len(picked) < 3:  # too few to find the paper among many: the written-out words count too
        picked = [w for w in words if w not in FUNCTION_WORDS and w not in ABBREVIATIONS] or words
    return " ".join(picked[-limit:] if from_end else picked[:limit])
