"""Any title or name survives the trip: Work -> rendered entry -> bibtexparser / pybtex -> text.

Arbitrary Unicode (with LaTeX's special characters, braces, %, &, \\ and @ drawn often) goes
into titles, container names and author names; the rendered .bib is parsed back with
bibtexparser 1.x and with pybtex, the LaTeX of each field is decoded with
:func:`plmcite.texdecode.decode`, and the result must be the original text (normalised: NFC,
whitespace collapsed, invisible characters dropped, which is what the entry stands for).
That a bounded sample of such entries also compiles is checked in test_latex_compile.py.
"""

from __future__ import annotations

import re

import bibtexparser
import pybtex.database
from bibtexparser.bparser import BibTexParser
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from plmcite import bibtex, latex, texdecode
from plmcite.model import Person, Work

SPECIALS = list("\\{}%&@#$_^~`<>|'\",.-!?:;[]=") + ["--", "''", ",,", "!`", "and", " and ", "others"]

text = st.lists(
    st.one_of(
        st.characters(blacklist_categories=("Cs",)),
        st.sampled_from(SPECIALS),
        st.sampled_from(list("aAéŁπΣ中 \t\n\u00a0\u200b\u0301")),
    ),
    max_size=40,
).map("".join)


def parse_bibtexparser(bib: str) -> dict:
    parser = BibTexParser(common_strings=True, ignore_nonstandard_types=False)
    entries = bibtexparser.loads(bib, parser=parser).entries
    assert len(entries) == 1, bib
    return entries[0]


def split_top(s: str, sep: str) -> list[str]:
    """Split at ``sep`` outside braces (how BibTeX splits names at "and" and parts at ",")."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(s):
        c = s[i]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif depth == 0 and s.startswith(sep, i):
            parts.append(s[start:i])
            i += len(sep)
            start = i
            continue
        i += 1
    parts.append(s[start:])
    return parts


def decode_name(raw: str) -> tuple[str, str]:
    parts = split_top(raw, ", ")
    if len(parts) == 1:
        return texdecode.decode(parts[0]), ""
    family, given = parts
    return texdecode.decode(family), texdecode.decode(given)


@settings(max_examples=150, deadline=None)
@given(title=text, container=text, ascii_mode=st.booleans())
def test_any_title_round_trips(title, container, ascii_mode):
    assume(latex.normalize(title) and latex.normalize(container))
    w = Work(key="k2024x", title=title, kind="conference", container=container,
             authors=[Person("Doe", "Jane")], year=2024)
    bib = bibtex.render([w], ascii=ascii_mode)
    e = parse_bibtexparser(bib)
    assert texdecode.decode(e["title"]) == latex.normalize(title)
    assert texdecode.decode(e["booktitle"]) == latex.normalize(container)
    p = pybtex.database.parse_string(bib, "bibtex").entries["k2024x"]
    assert p.fields["title"] == e["title"]
    assert p.fields["booktitle"] == e["booktitle"]


@settings(max_examples=150, deadline=None)
@given(people=st.lists(st.tuples(text, text), min_size=1, max_size=4), ascii_mode=st.booleans())
def test_any_author_name_round_trips(people, ascii_mode):
    persons = [Person(f, g) for f, g in people]
    assume(all(latex.normalize(p.family) for p in persons))
    w = Work(key="k2024x", title="T", kind="conference", container="C", authors=persons, year=2024)
    bib = bibtex.render([w], ascii=ascii_mode)
    raw = parse_bibtexparser(bib)["author"]
    names = split_top(raw, " and ")
    assert [decode_name(n) for n in names] == [(latex.normalize(p.family), latex.normalize(p.given))
                                               for p in persons]
    # pybtex splits the same string into the same people (von/last/first, whatever the case)
    parsed = pybtex.database.parse_string(bib, "bibtex").entries["k2024x"].persons["author"]
    assert len(parsed) == len(persons)
    for pp, person in zip(parsed, persons):
        family = texdecode.decode(" ".join(pp.prelast_names + pp.last_names))
        given_ = texdecode.decode(" ".join(pp.first_names + pp.middle_names))
        assert (family, given_) == (latex.normalize(person.family), latex.normalize(person.given))


@settings(max_examples=300, deadline=None)
@given(s=text, ascii_mode=st.booleans())
def test_escape_decode_is_the_identity_on_normalised_text(s, ascii_mode):
    assert texdecode.decode(latex.escape(s, ascii=ascii_mode)) == latex.normalize(s)
    assert texdecode.decode(latex.protect_title(s, ascii=ascii_mode)) == latex.normalize(s)


@given(s=text)
def test_normalize_is_idempotent(s):
    assert latex.normalize(latex.normalize(s)) == latex.normalize(s)


@given(s=text)
def test_escaped_text_has_balanced_braces_and_no_bare_specials(s):
    out = latex.protect_title(s)
    depth = 0
    for c in out:
        depth += {"{": 1, "}": -1}.get(c, 0)
        assert depth >= 0
    assert depth == 0
    text_mode = re.sub(r"\{\$\\[A-Za-z]+\$\}", "", out)  # {$\pi$}: math forms of Greek letters
    for ch in "%&#_$":
        assert text_mode.count(ch) == text_mode.count("\\" + ch), out


@settings(max_examples=200, deadline=None)
@given(s=text)
def test_ascii_mode_writes_ascii_for_every_character_with_a_form(s):
    missing: list[str] = []
    out = latex.escape(s, ascii=True, missing=missing)
    leftover = {c for c in out if not c.isascii()}
    t = latex.tables()
    for c in leftover:
        assert c in missing or c in t.native or any(c in m for m in missing), (c, out)

