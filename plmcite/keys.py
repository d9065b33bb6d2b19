"""Citation keys: a familiar formula, deterministic suffixes, and keys that never move.

The formula and its word lists live in ``data/keys.toml`` (default ``{author}{year}{title}``, as
Google Scholar and Better BibTeX users expect: ``jang2023personalized``). Keys are part of the
catalog's contract with every LaTeX document that cites it, so a key once written is *pinned*:
``assign`` keeps every key it is given and only computes keys for works that have none.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Iterable, Sequence

from .model import Person, Work
from .names import particles


@dataclass(frozen=True)
class KeyRules:
    format: str
    skip_words: frozenset[str]
    particles: frozenset[str]
    suffixes: str
    no_author: str
    no_year: str

    @classmethod
    def from_toml(cls, text: str) -> "KeyRules":
        d = tomllib.loads(text)
        fmt = d.get("format", "{author}{year}{title}")
        try:
            fmt.format(author="a", year="2000", title="t", title2="tt")
        except (KeyError, IndexError, ValueError) as e:
            raise ValueError(f"keys.toml: bad format {fmt!r}: {e}") from None
        return cls(
            format=fmt,
            skip_words=frozenset(w.lower() for w in d.get("skip_words", ())),
            particles=frozenset(w.lower() for w in d["particles"]) if "particles" in d else particles(),
            suffixes=d.get("suffixes", "abcdefghijklmnopqrstuvwxyz"),
            no_author=d.get("no_author", "anon"),
            no_year=d.get("no_year", "nd"),
        )


@lru_cache(maxsize=1)
def default_rules() -> KeyRules:
    return KeyRules.from_toml(resources.files("plmcite.data").joinpath("keys.toml").read_text(encoding="utf-8"))


def ascii_lower(text: str) -> str:
    """"Ramé-Ñúñez" -> "ramenunez": accents stripped, only a-z and 0-9 kept."""
    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c))
    t = t.replace("ß", "ss").replace("ø", "o").replace("Ø", "o").replace("ł", "l").replace("Ł", "l")
    return re.sub(r"[^a-z0-9]", "", t.lower())


def author_part(authors: Sequence[Person], rules: KeyRules) -> str:
    if not authors:
        return rules.no_author
    words = authors[0].family.split()
    kept = [w for w in words if w.lower() not in rules.particles] or words
    return ascii_lower("".join(kept)) or rules.no_author


def title_words(title: str, rules: KeyRules) -> list[str]:
    """Significant words of a title: hyphenated compounds stay one word ("On-the-fly")."""
    out = []
    for raw in re.split(r"[\s:;,.!?/()\[\]\"'“”‘’]+", title):
        w = ascii_lower(raw)
        if not w or raw.lower() in rules.skip_words or w in rules.skip_words:
            continue
        out.append(w)
    return out


def base_key(work: Work, rules: KeyRules | None = None) -> str:
    rules = rules or default_rules()
    words = title_words(work.title, rules)
    return rules.format.format(
        author=author_part(work.authors, rules),
        year=str(work.year) if work.year else rules.no_year,
        title=words[0] if words else "",
        title2="".join(words[:2]),
    )


def _order(work: Work) -> tuple:
    """Deterministic order among works competing for one key: older first, then by identifiers."""
    return (work.year or 0, work.ids.get("arxiv", "~"), work.ids.get("doi", "~"), ascii_lower(work.title))


def assign(works: Iterable[Work], reserved: Iterable[str] = (), rules: KeyRules | None = None) -> None:
    """Give every work without a key one: its formula key, or the first free suffixed form.

    Works that already have a key keep it (pinned). ``reserved`` keys (pinned elsewhere, e.g. by
    the overrides file) are never handed out.
    """
    rules = rules or default_rules()
    works = list(works)
    taken = set(reserved) | {w.key for w in works if w.key}
    todo = sorted((w for w in works if not w.key), key=lambda w: (base_key(w, rules), _order(w)))
    for w in todo:
        base = base_key(w, rules)
        key = base
        if key in taken:
            key = next((base + s for s in _suffixes(rules.suffixes) if base + s not in taken), None)
            if key is None:  # pragma: no cover - 700 papers by one author in one year, same word
                raise ValueError(f"no free key left for {base}")
        w.key = key
        taken.add(key)


def _suffixes(alphabet: str):
    yield from alphabet
    for a in alphabet:
        for b in alphabet:
            yield a + b
