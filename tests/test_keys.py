"""Citation keys: the familiar formula, deterministic suffixes, pinned keys."""

from __future__ import annotations

import pytest

from plmcite.model import Person, Work
from plmcite.keys import KeyRules, ascii_lower, assign, base_key, default_rules


def work(title, family="Jang", year=2023, **kw) -> Work:
    return Work(key=kw.pop("key", ""), title=title, authors=[Person(family, "Joel")] if family else [], year=year, **kw)


@pytest.mark.parametrize("title,family,year,expected", [
    ("Personalized Soups: Personalized Large Language Model Alignment", "Jang", 2023, "jang2023personalized"),
    ("A Survey on Personalized Alignment", "Guan", 2025, "guan2025survey"),
    ("On-the-fly Preference Alignment via Principle-Guided Decoding", "Zhu", 2025, "zhu2025onthefly"),
    ("LLMs + Persona-Plug = Personalized LLMs", "Liu", 2025, "liu2025llms"),
    ("Can LLM be a Personalized Judge?", "Dong", 2024, "dong2024llm"),
    ("Rewarded soups", "Ramé", 2023, "rame2023rewarded"),
    ("Personalized Video Comment Generation", None, 2024, "anon2024personalized"),
    ("Undated", "Smith", None, "smithndundated"),
    ("Memorization", "ter Hoeve", 2025, "hoeve2025memorization"),
    ("MC-LLaVA: Multi-Concept", "An", 2025, "an2025mcllava"),
])
def test_formula(title, family, year, expected):
    assert base_key(work(title, family, year)) == expected


def test_ascii_lower():
    assert ascii_lower("Röttger-Ñúñez ß") == "rottgernunezss"


def test_collisions_get_deterministic_suffixes():
    a = work("Personalized A", "Chen", 2025, ids={"arxiv": "2501.00001"})
    b = work("Personalized B", "Chen", 2025, ids={"arxiv": "2502.00002"})
    c = work("Personalized C", "Chen", 2025, ids={"arxiv": "2503.00003"})
    assign([c, a, b])
    assert (a.key, b.key, c.key) == ("chen2025personalized", "chen2025personalizeda", "chen2025personalizedb")
    # the same works in another order get the same keys
    a2, b2, c2 = (work(w.title, "Chen", 2025, ids=dict(w.ids)) for w in (a, b, c))
    assign([b2, c2, a2])
    assert (a2.key, b2.key, c2.key) == (a.key, b.key, c.key)


def test_pinned_keys_never_move_and_reserved_keys_are_skipped():
    pinned = work("Totally Different Title Now", "Chen", 2025, key="chen2025personalized")
    new = work("Personalized Z", "Chen", 2025)
    assign([pinned, new], reserved={"chen2025personalizeda"})
    assert pinned.key == "chen2025personalized"
    assert new.key == "chen2025personalizedb"


def test_rules_from_toml_and_bad_format():
    rules = KeyRules.from_toml('format = "{author}_{title2}_{year}"\nskip_words = ["the"]\n')
    assert base_key(work("The Rewarded Soups Paper", "Ramé", 2023), rules) == "rame_rewardedsoups_2023"
    with pytest.raises(ValueError, match="bad format"):
        KeyRules.from_toml('format = "{nope}"\n')


def test_packaged_rules_load():
    r = default_rules()
    assert r.format == "{author}{year}{title}" and "the" in r.skip_words and "ter" in r.particles
