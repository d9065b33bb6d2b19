"""Personal names: splitting display names, particles, and BibTeX's "von" part.

The particle list is data (``data/names.toml``), shared by the sources (which split "Given
Family" display names), by citation keys (which drop particles) and by the resolver (a particle
written in lower case is not a miscased name).
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources

from .clean import clean_text
from .model import Person

_DBLP_HOMONYM = re.compile(r"\s+\d{4}$")


@lru_cache(maxsize=1)
def particles() -> frozenset[str]:
    data = tomllib.loads(resources.files("plmcite.data").joinpath("names.toml").read_text(encoding="utf-8"))
    return frozenset(w.lower() for w in data.get("particles", ()))


def person_from_name(name: str) -> Person:
    """A ``Given Family`` display name (arXiv, OpenReview, DBLP) as a Person.

    DBLP's homonym numbers ("Wei Wang 0001") are dropped; lower-case particles before the last
    word join the family name; "Family, Given" is accepted too.
    """
    name = clean_text(_DBLP_HOMONYM.sub("", name))
    if "," in name:
        family, given = name.split(",", 1)
        return Person(family.strip(), given.strip())
    parts = name.split()
    if len(parts) <= 1:
        return Person(name)
    known = particles()
    i = len(parts) - 1
    while i > 1 and parts[i - 1] in known:
        i -= 1
    return Person(" ".join(parts[i:]), " ".join(parts[:i]))


def parse_person(text: str) -> Person:
    """A name as a person types it in an override: "Family, Given" or "Given Family"."""
    if "," in text:
        family, given = text.split(",", 1)
        return Person(family.strip(), given.strip())
    parts = text.split()
    return Person(parts[-1], " ".join(parts[:-1])) if len(parts) > 1 else Person(text.strip())


def split_von(family: str) -> tuple[str, str]:
    """BibTeX's reading of a family name: leading lower-case words are the "von" part
    ("van der Berg" -> ("van der", "Berg")); the last word always stays the last name."""
    words = family.split(" ")
    von = []
    while len(words) > 1 and words[0][:1].islower():
        von.append(words.pop(0))
    return " ".join(von), " ".join(words)


def miscased(name: str) -> bool:
    """A name word typed in lower case ("Wenhao yang"); particles such as "van" are fine."""
    known = particles()
    return any(w[:1].islower() and w.lower() not in known for w in name.split())
