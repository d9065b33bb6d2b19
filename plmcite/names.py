"""Personal names: splitting display names, particles, corporate authors, BibTeX's "von" part.

The particle list is data (``data/names.toml``), shared by the sources (which split "Given
Family" display names), by citation keys (which drop particles) and by the resolver (a particle
written in lower case is not a miscased name). So are the words that make a name an
organisation ("H1 Collaboration", "Gemini Team", "University of Regensburg"): such an author is
one literal name (``Person.literal``), never "Collaboration, H1".
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import lru_cache
from importlib import resources

from .model import Person

_DBLP_HOMONYM = re.compile(r"\s+\d{4}$")


@lru_cache(maxsize=1)
def _data() -> dict:
    return tomllib.loads(resources.files("plmcite.data").joinpath("names.toml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def particles() -> frozenset[str]:
    return frozenset(w.lower() for w in _data().get("particles", ()))


@lru_cache(maxsize=1)
def _organisation_words() -> tuple[frozenset[str], frozenset[str]]:
    d = _data().get("organisations", {})
    return frozenset(w.lower() for w in d.get("words", ())), frozenset(d.get("exact_words", ()))


def clean_text(text: str) -> str:
    """Collapse whitespace and NFC-normalise (every text a service sends, names included)."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def is_organisation(name: str) -> bool:
    """A corporate author: a name of two or more words one of which is an organisation word
    ("Collaboration", "Consortium", "Team", "University", ...; ``data/names.toml``)."""
    words = [w.strip(".,;:()[]{}") for w in clean_text(name).split()]
    if len(words) < 2:
        return False
    folded, exact = _organisation_words()
    return any(w.lower() in folded or w in exact for w in words)


def person_from_name(name: str) -> Person:
    """A ``Given Family`` display name (arXiv, OpenReview, DBLP) as a Person.

    DBLP's homonym numbers ("Wei Wang 0001") are dropped; lower-case particles before the last
    word join the family name; "Family, Given" is accepted too; an organisation ("H1
    Collaboration", " Gemini Team") is one literal name.
    """
    name = clean_text(_DBLP_HOMONYM.sub("", name))
    if is_organisation(name):
        return Person(name, literal=True)
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
