"""Canonical text from messy wire records (plmcite.clean, plmcite.names), on real snippets.

Every input below is copied from a recorded answer in tests/fixtures/wire/ (the file is named);
the expected output is what a careful survey author would type.
"""

from __future__ import annotations

import pytest

from plmcite import bibtex
from plmcite.clean import canonical_person, canonical_record, clean_title, decode_entities, normalize_pages, strip_markup
from plmcite.model import Person, Record, Work
from plmcite.names import is_organisation, person_from_name
from plmcite.sources.crossref import best_date


@pytest.mark.parametrize("raw, clean", [
    # crossref/work-10.1136_jclinpath-2020-206745.json: markup and the deposit's line breaks
    ("Construction of a reference material panel for detecting\n                    <i>KRAS</i>\n"
     "                    /\n                    <i>NRAS</i>\n                    /\n                    <i>EGFR</i>\n"
     "                    /\n                    <i>BRAF</i>\n                    /\n                    <i>MET</i>\n"
     "                    mutations in plasma ctDNA",
     "Construction of a reference material panel for detecting KRAS/NRAS/EGFR/BRAF/MET mutations in plasma ctDNA"),
    # dblp/search-publ-basov-oleg-apos-entity-colon-pages.json: an XML entity inside a JSON string
    ("Human Resources Management in Conditions of Operators&apos; Psychophysiological State Changes.",
     "Human Resources Management in Conditions of Operators' Psychophysiological State Changes."),
    # dblp/search-publ-hits-tag-amp-tab-emnlp-findings-acl-ee.json
    ("Tag&amp;Tab: Pretraining Data Detection", "Tag&Tab: Pretraining Data Detection"),
    # dblp/search-publ-hits-single-author-object-and-quot-entity.json
    ("F. Ferraty and P. Vieu: &quot;Nonparametric functional data analysis&quot;.",
     'F. Ferraty and P. Vieu: "Nonparametric functional data analysis".'),
    # dblp/search-publ-hits-theses-latex-title-article-number.json: LaTeX text commands in a title
    ("Deep$\\mathrm {M{2}}$M2CDL: Deep Multi-Scale", "DeepM2M2CDL: Deep Multi-Scale"),
    # openreview/notes-search-regrouped-page1-...: $\textbf{...}$ and \emph in a value
    ("We present $\\textbf{LAMP}$ (Latent Adaptation) for \\emph{reward-guided}", "We present LAMP (Latent Adaptation) for reward-guided"),
    # arxiv/query-id_list-astro-ph_0601001.xml style: raw whitespace
    ("  Frequency of Hot Jupiters\n  and Very Hot Jupiters ", "Frequency of Hot Jupiters and Very Hot Jupiters"),
])
def test_titles_lose_markup_entities_and_layout_but_keep_their_text(raw, clean):
    assert clean_title(raw) == clean


@pytest.mark.parametrize("text", [
    "R&D for AT&T",                 # not entities: no semicolon
    "Learning when x<y and y>z",    # not markup: no such tag
    "$\\alpha$-divergence",         # real mathematics stays as written
    "Déjà vu: A Contextualized Temporal Attention Mechanism",
])
def test_text_that_only_looks_like_markup_is_kept(text):
    assert clean_title(text) == text


def test_entities_decoded_twice_at_most_thrice():
    assert decode_entities("Tag&amp;amp;Tab &amp;apos;") == "Tag&Tab '"
    assert strip_markup("H<sub>2</sub>O and <jats:p>a</jats:p><jats:p>b</jats:p>").split() == ["H2O", "and", "a", "b"]


@pytest.mark.parametrize("raw, pages", [
    ("26:1-26:4", "26:1--26:4"),    # dblp, ACM article-number range
    ("25:1-25:5", "25:1--25:5"),    # dblp, JMLR
    ("5273-5286", "5273--5286"),
    ("635–641", "635--641"),        # crossref CSL, en dash
    ("022212", "022212"),           # crossref article-number
    ("e000776", "e000776"),
    ("104397", "104397"),
    ("", None),
])
def test_page_ranges(raw, pages):
    assert normalize_pages(raw) == pages


@pytest.mark.parametrize("name, person", [
    (" H1 Collaboration", Person("H1 Collaboration", literal=True)),   # arXiv, with its leading space
    ("Gemini Team", Person("Gemini Team", literal=True)),
    ("University of Regensburg", Person("University of Regensburg", literal=True)),
    ("Meta AI", Person("Meta AI", literal=True)),
    ("Ai Ueda", Person("Ueda", "Ai")),                                   # "AI" counts only in capitals
    ("Alexey Karpov 0001", Person("Karpov", "Alexey")),                 # DBLP homonym number
    ("Maartje ter Hoeve", Person("ter Hoeve", "Maartje")),
    ("OpenAI", Person("OpenAI")),                                        # one word is whole anyway
])
def test_names_and_corporate_authors(name, person):
    assert person_from_name(name) == person


def test_canonical_person_joins_a_split_organisation_and_drops_empty_names():
    assert canonical_person(Person("Collaboration", "The ATLAS")) == Person("The ATLAS Collaboration", literal=True)
    assert canonical_person(Person("Gra&ccedil;a", "Jo&atilde;o")) == Person("Graça", "João")
    assert canonical_person(Person("", "")) is None
    assert not is_organisation("Group") and is_organisation("The Qwen Group")


def test_canonical_record_is_idempotent_and_cleans_every_text_field():
    rec = Record(source="crossref", key="k", title="A <i>b</i>&amp;c", authors=[Person("H1 Collaboration", literal=True)],
                 container="Proc. of <scp>ACL</scp>", pages="26:1-26:4", publisher="Wiley &amp; Sons", venue_raw=" X  Y ")
    once = canonical_record(rec)
    assert (once.title, once.container, once.pages, once.publisher, once.venue_raw) == (
        "A b&c", "Proc. of ACL", "26:1--26:4", "Wiley & Sons", "X Y")
    assert canonical_record(once) == once


def test_crossref_year_comes_from_the_best_date():
    assert best_date({"published-print": {"date-parts": [[2021, 5]]}, "published-online": {"date-parts": [[2020, 8, 17]]},
                      "issued": {"date-parts": [[2020, 8, 17]]}}) == (2021, 5)
    assert best_date({"published-online": {"date-parts": [[2022, 8, 19]]}, "issued": {"date-parts": [[2022, 8, 19]]}}) == (2022, 8)
    ieee = {"issued": {"date-parts": [[None]]}, "created": {"date-parts": [[2004, 6, 22]]},
            "event": {"name": "23rd International Conference on Distributed Computing Systems Workshops, 2003."},
            "container-title": ["23rd International Conference on Distributed Computing Systems Workshops, 2003. Proceedings."]}
    assert best_date(ieee) == (2003, None)
    assert best_date({"issued": {"date-parts": [[None]]}, "container-title": ["From 1999 to 2003"]}) == (None, None)
    assert best_date({"issued": {"date-parts": [[2021, None]]}}) == (2021, None)


def test_a_literal_name_is_serialised_only_when_set_and_braced_whole_in_bibtex():
    h1 = Person("H1 Collaboration", literal=True)
    assert h1.to_json() == {"family": "H1 Collaboration", "literal": True}
    assert Person.from_json(h1.to_json()) == h1
    assert Person("Doe", "Jane").to_json() == {"family": "Doe", "given": "Jane"}
    with pytest.raises(ValueError):
        Person.from_json({"family": "X", "literal": "yes"})
    w = Work(key="h12003multi", title="Multi-Electron Production", kind="preprint", authors=[h1, Person("Doe", "Jane")],
             year=2003, ids={"arxiv": "hep-ex/0307015"})
    assert "author = {{H1 Collaboration} and Doe, Jane}" in bibtex.entry(w).render(bibtex.rules().order["bibtex"])
