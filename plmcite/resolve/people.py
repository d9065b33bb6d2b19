"""One person, one spelling: reconcile authors across a work's versions and across the catalog.

Services spell one person differently: "Rame" (the Anthology) and "Ramé" (arXiv), "Amrit
Bedi" (DBLP) and "Amrit Singh Bedi" (arXiv), "Wenhao yang" and "Wenhao Yang". A bibliography
that prints two spellings of one person reads as two people. Two rules, in order of certainty:

- **Within a work** (:func:`improve`): the published record's author list and order stand; a
  person of another version of the same paper, recognisably the same person (same family name
  up to accents, case, spaces and hyphens; given names that agree, an initial matching a full
  name), may only improve the spelling: accents, proper capitals, fuller given names.
- **Across the catalog** (:func:`reconcile`): spellings that differ only in accents, case,
  spaces or hyphens are made one, the fullest form winning (more accents, proper capitals,
  then the most frequent). An initial or a missing middle name is filled in from another work
  only when exactly one fuller spelling fits and the two works share a co-author; anything less
  certain is reported as a conflict for the overrides file, never guessed.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from ..model import Person, Provenance, Work
from ..names import miscased


def fold(text: str) -> str:
    """Lower case, accents dropped, only letters and digits: "Ramé" -> "rame", "Po-Yu" -> "poyu"."""
    t = unicodedata.normalize("NFKD", text)
    return "".join(c for c in t if c.isalnum() and not unicodedata.combining(c)).casefold()


def _tokens(given: str) -> list[str]:
    return [f for f in (fold(t) for t in given.replace("-", " ").split()) if f]


def _given_tokens(given: str) -> list[str]:
    """Given-name words, folded: "Jean-Pierre" -> ["jeanpierre"], "J. K." -> ["j", "k"]."""
    return [f for f in (fold(t) for t in given.split()) if f]


def _accents(text: str) -> int:
    return sum(1 for c in unicodedata.normalize("NFD", text) if unicodedata.combining(c)) + \
        sum(1 for c in text if not c.isascii() and c.isalpha() and unicodedata.decomposition(c) == "")


def _token_match(short: str, long: str) -> bool:
    return short == long or (len(short) == 1 and long.startswith(short))


def given_compatible(a: str, b: str) -> bool:
    """Whether the given names ``a`` could be a shorter form of ``b`` (or the same):
    every word of ``a``, in order, is a word of ``b`` or its initial; "Zhiyang" = "Zhi-Yang"."""
    ta, tb = _given_tokens(a), _given_tokens(b)
    if "".join(ta) == "".join(tb) or "".join(_tokens(a)) == "".join(_tokens(b)):
        return True
    i = 0
    for t in ta:
        while i < len(tb) and not _token_match(t, tb[i]):
            i += 1
        if i == len(tb):
            return False
        i += 1
    return bool(ta)


def same_person(a: Person, b: Person) -> bool:
    """Same family name (up to accents, case, spaces, hyphens) and given names one of which could
    be the other's shorter form. Organisations only match themselves."""
    if a.literal or b.literal or not a.given or not b.given:
        return a.literal == b.literal and fold(a.family + a.given) == fold(b.family + b.given)
    if fold(a.family) != fold(b.family):
        return False
    return given_compatible(a.given, b.given) or given_compatible(b.given, a.given)


def _fullness(given: str) -> tuple[int, int]:
    """How full a given name is: words, then letters (an initial expanded counts)."""
    toks = _given_tokens(given)
    return (len(toks), sum(len(t) for t in toks))


def _better_part(ours: str, theirs: str) -> str:
    """The better spelling of one name part when the two are the same up to accents/case/hyphens."""
    if fold(ours) != fold(theirs) and "".join(_tokens(ours)) != "".join(_tokens(theirs)):
        return ours
    if miscased(ours) and not miscased(theirs):
        return theirs
    if _accents(theirs) > _accents(ours) and not miscased(theirs):
        return theirs
    return ours


def better_spelling(ours: Person, theirs: Person) -> Person:
    """``ours`` with the spelling improvements ``theirs`` (the same person) brings: accents,
    proper capitals, a fuller given name. Nothing else changes."""
    if ours.literal or theirs.literal:
        return ours
    family = _better_part(ours.family, theirs.family)
    given = ours.given
    if given_compatible(ours.given, theirs.given) and _fullness(theirs.given) > _fullness(ours.given) \
            and not miscased(theirs.given):
        given = theirs.given
    else:
        given = _better_part(ours.given, theirs.given)
    if (family, given) == (ours.family, ours.given):
        return ours
    return Person(family, given)


def improve(authors: list[Person], versions: Iterable[list[Person]]) -> list[Person]:
    """The chosen author list (order and people kept), each person spelled as well as any
    other version of the work spells them. A person matched by several names of a version
    (two Chens with compatible given names) is left as is: the match would be a guess."""
    versions = [v for v in versions if v]
    out = []
    for person in authors:
        for version in versions:
            matches = [p for p in version if same_person(person, p)]
            if len(matches) == 1:
                person = better_spelling(person, matches[0])
        out.append(person)
    return out


# --- across the catalog ----------------------------------------------------------------------------


@dataclass
class _Seen:
    person: Person
    works: list[Work]


def _key(p: Person) -> tuple[str, str]:
    toks = _given_tokens(p.given)
    return fold(p.family), toks[0][:1] if toks else ""


def _coauthors(w: Work, skip: Person) -> set[tuple[str, str]]:
    return {_key(p) for p in w.authors if p is not skip and not p.literal}


def reconcile(works: list[Work]) -> list[str]:
    """Give each person one spelling across ``works`` (in place); the conflicts left unsettled.

    Returns one line per conflict: the spellings, the works they appear in, and what to do.
    """
    groups: dict[str, dict[tuple[str, str], _Seen]] = defaultdict(dict)  # by family name
    for w in works:
        for p in w.authors:
            if p.literal or not p.given:
                continue
            seen = groups[fold(p.family)].setdefault((p.family, p.given), _Seen(p, []))
            seen.works.append(w)
    replace: dict[tuple[str, str], Person] = {}
    conflicts: list[str] = []
    for variants in groups.values():
        if len(variants) < 2:
            continue
        _settle(list(variants.values()), replace, conflicts)
    if replace:
        for w in works:
            new = [replace.get((p.family, p.given), p) if not p.literal else p for p in w.authors]
            if new != w.authors:
                w.authors = new
                old = w.provenance.get("authors")
                if old is not None and not old.source.endswith("+people"):
                    w.provenance["authors"] = Provenance(old.source + "+people", old.retrieved)
    return conflicts


def _settle(variants: list[_Seen], replace: dict, conflicts: list[str]) -> None:
    # 1. spellings that are one up to accents, case, spaces and hyphens: the fullest wins
    by_form: dict[tuple[str, str], list[_Seen]] = defaultdict(list)
    for v in variants:
        by_form[(fold(v.person.family), "".join(_tokens(v.person.given)))].append(v)
    merged: list[_Seen] = []
    for same in by_form.values():
        if len(same) > 1:
            best = _best(same)
            if best is None:
                conflicts.append(_conflict(same, "spelled differently; pin one spelling in refs/overrides.toml"))
                merged.extend(same)
                continue
            for v in same:
                if v is not best:
                    replace[(v.person.family, v.person.given)] = best.person
            merged.append(_Seen(best.person, [w for v in same for w in v.works]))
        else:
            merged.extend(same)
    # 2. a shorter given name ("X.", "Xin") where one fuller spelling fits and a co-author is shared
    for v in merged:
        fuller = [o for o in merged if o is not v and fold(o.person.family) == fold(v.person.family)
                  and given_compatible(v.person.given, o.person.given)
                  and _fullness(o.person.given) > _fullness(v.person.given)]
        if not fuller:
            continue
        target = fuller[0] if len(fuller) == 1 else None
        shared = target is not None and any(
            _coauthors(a, v.person) & _coauthors(b, target.person) for a in v.works for b in target.works)
        if target is not None and shared:
            new = Person(target.person.family, target.person.given)
            for key, p in list(replace.items()):
                if (p.family, p.given) == (v.person.family, v.person.given):
                    replace[key] = new
            replace[(v.person.family, v.person.given)] = new
        else:
            conflicts.append(_conflict([v, *fuller], "may be one person (no shared co-author to confirm it); "
                                       "pin the spelling in refs/overrides.toml if so"))


def _best(same: list[_Seen]) -> _Seen | None:
    """The fullest of spellings that differ only in accents, case, spaces or hyphens, or None
    when two are equally good (nothing to prefer one by)."""
    def score(v: _Seen) -> tuple:
        p = v.person
        return (_accents(p.family + p.given), not (miscased(p.family) or miscased(p.given)), len(v.works))
    ranked = sorted(same, key=score, reverse=True)
    if score(ranked[0]) == score(ranked[1]):
        return None
    return ranked[0]


def _name(p: Person) -> str:
    return f"{p.given} {p.family}".strip()


def _conflict(vs: list[_Seen], what: str) -> str:
    seen = "; ".join(f"{_name(v.person)!r} ({', '.join(sorted({w.key for w in v.works}))})" for v in vs)
    return f"{seen}: {what}"


__all__ = ["fold", "given_compatible", "same_person", "better_spelling", "improve", "reconcile"]
