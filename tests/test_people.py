"""One person, one spelling; the published author list and order; titles with their capitals.

Cases are the starting list's own (tests/fixtures/metadata/papers.json): Ramé spelled "Rame" by
the Anthology, DBLP's "Amrit Bedi" for arXiv's "Amrit Singh Bedi", NeurIPS listing Dancette and
Gaya before Shukor where arXiv does not, ACM lower-casing "LLMs".
"""

from __future__ import annotations

from plmcite.model import Kind, Person, Provenance, Record, Work
from plmcite.names import person_from_name
from plmcite.resolve import merge
from plmcite.resolve.people import better_spelling, given_compatible, improve, reconcile, same_person


def names(*display: str) -> list[Person]:
    return [person_from_name(n) for n in display]


# --- the same person ------------------------------------------------------------------------------


def test_same_person_up_to_accents_case_hyphens_and_initials():
    assert same_person(Person("Rame", "Alexandre"), Person("Ramé", "Alexandre"))
    assert same_person(Person("Bedi", "Amrit"), Person("Bedi", "Amrit Singh"))
    assert same_person(Person("He", "Zhiyang"), Person("He", "Jerry Zhi-Yang"))
    assert same_person(Person("Schrum", "M. L."), Person("Schrum", "Mariah L."))
    assert not same_person(Person("Dubey", "Kumar"), Person("Dubey", "Avinava"))
    assert not same_person(Person("Chen", "Zekai"), Person("Chen", "Po-Yu"))
    assert not same_person(Person("OpenAI", literal=True), Person("OpenAI", "X"))
    assert given_compatible("J.", "Jocelyn J") and not given_compatible("Jocelyn J", "J.")


def test_a_better_spelling_brings_accents_capitals_and_fuller_given_names_only():
    assert better_spelling(Person("Rame", "Alexandre"), Person("Ramé", "Alexandre")) == Person("Ramé", "Alexandre")
    assert better_spelling(Person("Yang", "Wenhao"), Person("yang", "Wenhao")) == Person("Yang", "Wenhao")
    assert better_spelling(Person("yang", "Wenhao"), Person("Yang", "Wenhao")) == Person("Yang", "Wenhao")
    assert better_spelling(Person("Zhao", "Xin"), Person("Zhao", "Wayne Xin")) == Person("Zhao", "Wayne Xin")
    # already the fuller form, or another given name: unchanged
    assert better_spelling(Person("Tran", "Quan Hung"), Person("Tran", "Quan")) == Person("Tran", "Quan Hung")
    assert better_spelling(Person("Dubey", "Kumar"), Person("Dubey", "Avinava")) == Person("Dubey", "Kumar")
    # a hyphen or a capital inside a name is the published spelling's to keep
    assert better_spelling(Person("Kim", "SangMook"), Person("Kim", "Sangmook")) == Person("Kim", "SangMook")


def test_improve_keeps_the_list_and_order_and_refuses_ambiguous_matches():
    published = names("Zekai Chen", "Po-Yu Chen", "Francois Buet-Golfouse")
    arxiv = names("Zekai Chen", "Weeden Daniel", "Po-yu Chen", "Francois Buet-Golfouse")
    assert improve(published, [arxiv]) == published  # nobody added, nobody moved
    ambiguous = [Person("Chen", "Z."), Person("Chen", "Zekai"), Person("Chen", "Zhi")]
    assert improve([Person("Chen", "Z.")], [ambiguous]) == [Person("Chen", "Z.")]


# --- merge: the published record's authors, the best-cased title ----------------------------------------


def arxiv_record(aid: str, title: str, authors: list[str]) -> Record:
    return Record(source="arxiv", key=aid, title=title, authors=names(*authors), year=2023, kind=Kind.PREPRINT,
                  ids={"arxiv": aid}, retrieved="2026-01-01")


def test_a_published_work_takes_the_published_author_order():
    arx = arxiv_record("2306.04488", "Rewarded soups: towards Pareto-optimal alignment by interpolating weights "
                       "fine-tuned on diverse rewards",
                       ["Alexandre Ramé", "Guillaume Couairon", "Mustafa Shukor", "Corentin Dancette",
                        "Jean-Baptiste Gaya", "Laure Soulier", "Matthieu Cord"])
    dblp = Record(source="dblp", key="conf/nips/RameCDGSSC23", title=arx.title,
                  authors=names("Alexandre Rame", "Guillaume Couairon", "Corentin Dancette", "Jean-Baptiste Gaya",
                                "Mustafa Shukor", "Laure Soulier", "Matthieu Cord"),
                  year=2023, kind=Kind.CONFERENCE, venue_raw="NeurIPS", pages="71095--71134",
                  extra={"ee": ["https://proceedings.neurips.cc/paper_files/paper/2023/hash/e12a-Abstract-Conference.html"]},
                  retrieved="2026-01-02")
    w = merge({"arxiv": arx, "dblp": dblp})
    assert w.kind == "conference"
    assert [p.family for p in w.authors] == ["Ramé", "Couairon", "Dancette", "Gaya", "Shukor", "Soulier", "Cord"]
    assert w.provenance["authors"].source == "dblp"


def test_a_lower_cased_publisher_title_gives_way_to_the_version_that_keeps_its_capitals():
    arx = arxiv_record("2404.16115", "Online Personalizing White-box LLMs Generation with Neural Bandits",
                       ["Zekai Chen", "Po-yu Chen"])
    crossref = Record(source="crossref", key="10.1145/3677052.3698651",
                      title="Online personalizing white-box llms generation with neural bandits",
                      authors=names("Zekai Chen", "Po-Yu Chen"), year=2024, kind=Kind.CONFERENCE,
                      container="Proceedings of the 5th ACM International Conference on AI in Finance",
                      venue_raw="ICAIF '24", ids={"doi": "10.1145/3677052.3698651"}, retrieved="2026-01-02")
    w = merge({"arxiv": arx, "crossref": crossref})
    assert w.title == "Online Personalizing White-box LLMs Generation with Neural Bandits"
    assert w.provenance["title"].source == "arxiv"
    assert [p.given for p in w.authors] == ["Zekai", "Po-Yu"]  # the published record's spelling


def test_title_case_differences_that_lose_nothing_keep_the_published_title():
    pub = "Conditional Language Policy: A General Framework For Steerable Multi-Objective Finetuning"
    arx = arxiv_record("2407.15762", pub.replace(" For ", " for "), ["Kaiwen Wang"])
    acl = Record(source="acl", key="2024.findings-emnlp.118", title=pub, authors=names("Kaiwen Wang"), year=2024,
                 kind=Kind.CONFERENCE, venue_raw="2024.findings-emnlp",
                 container="Findings of the Association for Computational Linguistics: EMNLP 2024",
                 ids={"acl": "2024.findings-emnlp.118"}, retrieved="2026-01-02")
    assert merge({"arxiv": arx, "acl": acl}).title == pub
    # a proper noun a sentence-cased version keeps is a meant capital
    sentence = "Rewarded soups: towards Pareto-optimal alignment"
    flat = arxiv_record("2306.04488", sentence.lower().capitalize(), ["A B"])
    kept = Record(source="dblp", key="x", title=sentence, authors=names("A B"), year=2023, kind=Kind.PREPRINT,
                  ids={"arxiv": "2306.04488"})
    from plmcite.resolve.merge import _best_cased_title
    assert _best_cased_title(flat.title, flat, {"arxiv": flat, "dblp-corr": kept})[0] == sentence


# --- across the catalog -----------------------------------------------------------------------------


def work(key: str, *authors: str) -> Work:
    return Work(key=key, title=key, authors=names(*authors), provenance={"authors": Provenance("acl", "2026-01-01")})


def test_one_spelling_across_the_catalog():
    a = work("wang2024conditional", "Kaiwen Wang", "Alexandre Rame")
    b = work("rame2023rewarded", "Alexandre Ramé", "Matthieu Cord")
    assert reconcile([a, b]) == []
    assert a.authors[1] == Person("Ramé", "Alexandre")
    assert a.provenance["authors"].source == "acl+people" and b.provenance["authors"].source == "acl"


def test_a_fuller_name_from_another_work_needs_a_shared_coauthor():
    a = work("a2024", "Ryan Rossi", "Franck Dernoncourt")
    b = work("b2025", "Ryan A. Rossi", "Franck Dernoncourt")
    assert reconcile([a, b]) == [] and a.authors[0] == Person("Rossi", "Ryan A.")
    c = work("c2024", "Xin Zhao", "Someone Else")
    d = work("d2025", "Wayne Xin Zhao", "Ji-Rong Wen")
    conflicts = reconcile([c, d])
    assert c.authors[0] == Person("Zhao", "Xin")  # perhaps another Xin Zhao: never guessed
    assert len(conflicts) == 1 and "'Xin Zhao' (c2024)" in conflicts[0] and "'Wayne Xin Zhao' (d2025)" in conflicts[0]


def test_two_equally_good_spellings_are_a_conflict_not_a_choice():
    a = work("a2024", "Po-Yu Chen")
    b = work("b2024", "Po-yu Chen")
    conflicts = reconcile([a, b])
    assert (a.authors[0].given, b.authors[0].given) == ("Po-Yu", "Po-yu")
    assert len(conflicts) == 1 and "pin one spelling in refs/overrides.toml" in conflicts[0]
