"""Canonical BibTeX: entry types, fields, names, titles, escaping, dialects (no LaTeX run here)."""

from __future__ import annotations

import re
from pathlib import Path

import bibtexparser
import pybtex.database
import pytest
from bibtexparser.bparser import BibTexParser

from plmcite import bibtex, latex, texdecode
from plmcite.model import Person, Work
from plmcite.catalog import load

FIXTURE = Path(__file__).parent / "fixtures" / "catalog" / "catalog.json"


def conf(**kw) -> Work:
    base = dict(key="jang2023personalized", title="Personalized Soups: LLM Alignment via Post-hoc Merging",
                kind="conference", authors=[Person("Jang", "Joel"), Person("Kim", "Seungone")], year=2024,
                month=5, venue="iclr", venue_short="ICLR 2024",
                container="The Twelfth International Conference on Learning Representations",
                ids={"arxiv": "2310.11564", "openreview": "abc"}, arxiv_class="cs.CL",
                url="https://openreview.net/forum?id=abc", sections=["2.4", "1.3"])
    base.update(kw)
    return Work(**base)


def parse(text: str) -> list[dict]:
    parser = BibTexParser(common_strings=True, ignore_nonstandard_types=False)
    return bibtexparser.loads(text, parser=parser).entries


# --- entry types and fields ------------------------------------------------------------------------


def test_conference_paper_is_inproceedings_in_field_order():
    text = bibtex.render([conf(pages="10--20", publisher="OpenReview.net", ids={"arxiv": "2310.11564", "doi": "10.1000/x"})])
    assert text == """@inproceedings{jang2023personalized,
  author = {Jang, Joel and Kim, Seungone},
  title = {Personalized Soups: {LLM} Alignment via Post-hoc Merging},
  booktitle = {The Twelfth International Conference on Learning Representations},
  pages = {10--20},
  year = {2024},
  month = may,
  publisher = {OpenReview.net},
  doi = {10.1000/x},
  url = {https://openreview.net/forum?id=abc},
  eprint = {2310.11564},
  archiveprefix = {arXiv},
  primaryclass = {cs.CL},
  keywords = {1.3, 2.4}
}
"""
    (e,) = parse(text)
    assert e["month"] == "May" and e["ENTRYTYPE"] == "inproceedings"


def test_journal_article_keeps_volume_and_number():
    w = conf(kind="journal", container="Transactions on Machine Learning Research", volume="2025", number="3",
             pages="1–27")
    e = bibtex.entry(w)
    assert e.type == "article"
    assert e.fields["journal"] == "Transactions on Machine Learning Research"
    assert (e.fields["volume"], e.fields["number"], e.fields["pages"]) == ("2025", "3", "1--27")
    b = bibtex.entry(w, "biblatex")
    assert b.fields["journaltitle"] == "Transactions on Machine Learning Research" and "journal" not in b.fields


def test_inproceedings_drops_number_that_plain_would_warn_about():
    e = bibtex.entry(conf(volume="39", number="23"))
    assert e.fields["volume"] == "39" and "number" not in e.fields


def test_preprint_names_its_arxiv_id_once_in_each_flavour():
    w = Work(key="shen2025language", title="Language Model Personalization via Reward Factorization",
             kind="preprint", authors=[Person("Shen", "Idan")], year=2025, month=3,
             ids={"arxiv": "2503.06358"}, arxiv_class="cs.LG", url="https://arxiv.org/abs/2503.06358")
    # natbib (default) and ieee: plain, plainnat and IEEEtran print howpublished, and no eprint
    for flavour in ("natbib", "ieee"):
        e = bibtex.entry(w, flavour=flavour)
        assert e.type == "misc"
        assert e.fields["howpublished"] == "arXiv preprint arXiv:2503.06358"
        assert not {"eprint", "archiveprefix", "primaryclass", "url"} & set(e.fields), flavour
        assert e.fields["month"] == "mar" and "month" in e.bare
    # acl and acm: acl_natbib prints "Preprint, arXiv:<id>", ACM "arXiv:<id> [cs.LG]" from eprint
    for flavour in ("acl", "acm"):
        e = bibtex.entry(w, flavour=flavour)
        assert e.type == "misc" and "howpublished" not in e.fields and "url" not in e.fields
        assert (e.fields["eprint"], e.fields["archiveprefix"], e.fields["primaryclass"]) == ("2503.06358", "arXiv", "cs.LG")
    b = bibtex.entry(w, "biblatex")
    assert b.type == "misc" and "howpublished" not in b.fields
    assert (b.fields["eprinttype"], b.fields["eprintclass"], b.fields["date"]) == ("arxiv", "cs.LG", "2025-03")
    assert "url" not in b.fields  # biblatex links the eprint already


def test_unknown_flavour_is_refused():
    with pytest.raises(ValueError, match="unknown flavour"):
        bibtex.entry(conf(), flavour="chicago")


def test_a_url_that_repeats_an_identifier_is_left_out():
    doi = "10.1145/3677052.3698651"
    for url in (f"https://doi.org/{doi}", f"https://dl.acm.org/doi/{doi}"):
        e = bibtex.entry(conf(url=url, ids={"doi": doi}))
        assert e.fields["doi"] == doi and "url" not in e.fields
        assert "url" not in bibtex.entry(conf(url=url, ids={"doi": doi}), "biblatex").fields
    e = bibtex.entry(conf(url="https://arxiv.org/abs/2310.11564"))  # the eprint is the same link
    assert "url" not in e.fields and e.fields["eprint"] == "2310.11564"
    # IEEEtran prints url but no doi field: the DOI becomes the link
    e = bibtex.entry(conf(url="https://openreview.net/forum?id=abc", ids={"doi": doi}), flavour="ieee")
    assert e.fields["url"] == f"https://doi.org/{doi}"


def test_published_work_keeps_its_arxiv_id():
    e = bibtex.entry(conf())
    assert e.fields["eprint"] == "2310.11564"
    assert "howpublished" not in e.fields
    assert "eprint" not in bibtex.entry(conf(), flavour="ieee").fields  # IEEEtran ignores it


def test_other_work_puts_the_link_where_plain_prints_it():
    w = Work(key="openai2024gpt", title="GPT-4o System Card", kind="other", authors=[Person("OpenAI")],
             year=2024, url="https://openai.com/index/gpt-4o-system-card/")
    e = bibtex.entry(w)
    assert e.type == "misc"
    assert e.fields["howpublished"] == "\\url{https://openai.com/index/gpt-4o-system-card/}"
    assert "url" not in e.fields
    assert bibtex.entry(w, "biblatex").type == "online"
    # a URL with % or # cannot sit inside another command's argument (biber puts it there)
    e2 = bibtex.entry(Work(key="k", title="T", kind="other", year=2024, url="https://x.org/a%20b#c"))
    assert "howpublished" not in e2.fields and e2.fields["url"] == "https://x.org/a%20b#c"


def test_venue_fallbacks_and_warnings():
    warnings: list[str] = []
    e = bibtex.entry(conf(container=None), warnings=warnings)
    assert e.fields["booktitle"] == "ICLR 2024" and warnings == []
    e = bibtex.entry(conf(container=None, venue_short=None), warnings=warnings)
    assert e.type == "misc" and e.fields["howpublished"].startswith("arXiv preprint")
    assert any("without a venue name" in w for w in warnings)


def test_authorless_paper_keeps_its_type_and_gets_no_made_up_author_or_key():
    """The same type in BibTeX, biblatex, CSL and Zotero: a conference paper. natbib styles print
    a ``key`` where the author goes, so a key would print the title twice."""
    warnings: list[str] = []
    w = conf(authors=[])
    e = bibtex.entry(w, warnings=warnings)
    assert e.type == "inproceedings" and e.fields["booktitle"] == w.container
    assert "author" not in e.fields and "key" not in e.fields
    assert any("no authors" in m for m in warnings)
    assert bibtex.entry(w, "biblatex").type == "inproceedings"


def test_year_comes_from_the_arxiv_id_when_missing():
    warnings: list[str] = []
    e = bibtex.entry(conf(year=None, month=None, ids={"arxiv": "2410.04070"}), warnings=warnings)
    assert (e.fields["year"], e.fields["month"]) == ("2024", "oct")
    bibtex.entry(conf(year=None, month=None, ids={}), warnings=warnings)
    assert any("no year" in m for m in warnings)


def test_bad_identifiers_are_left_out_with_a_warning():
    warnings: list[str] = []
    e = bibtex.entry(conf(ids={"doi": "not a doi", "arxiv": "nonsense"}, url="ftp://x"), warnings=warnings)
    assert "doi" not in e.fields and "eprint" not in e.fields and "url" not in e.fields
    assert len(warnings) == 3


def test_doi_prefixes_are_stripped():
    assert bibtex.clean_doi("https://doi.org/10.18653/v1/2024.acl-long.1") == "10.18653/v1/2024.acl-long.1"
    assert bibtex.clean_doi("doi:10.1000/x") == "10.1000/x"
    assert bibtex.clean_doi("10.1000/{x}") is None


def test_urls_are_percent_encoded_not_escaped():
    assert latex.clean_url("https://x.org/a b/é{}\\") == "https://x.org/a%20b/%C3%A9%7B%7D%5C"
    assert latex.clean_url("https://x.org/a%20b_c~d#e") == "https://x.org/a%20b_c~d#e"
    assert latex.clean_url("https://x.org/100%") == "https://x.org/100%25"
    assert latex.clean_url("javascript:alert(1)") is None


def test_unknown_dialect_is_refused():
    with pytest.raises(ValueError):
        bibtex.entry(conf(), "ris")


# --- names ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("person,expected", [
    (Person("van der Berg", "Jan"), "van der Berg, Jan"),
    (Person("de la Cruz", "María José"), "de la Cruz, María José"),
    (Person("Müller-Lüdenscheidt", "Jean-Pierre"), "Müller-Lüdenscheidt, Jean-Pierre"),
    (Person("OpenAI"), "{OpenAI}"),
    (Person("Meta AI Team"), "{Meta AI Team}"),
    (Person("Smith and Sons, Ltd.", "X"), "{Smith and Sons, Ltd.}, X"),
    (Person("others"), "{others}"),
    (Person("O'Neil", "Cathy"), "O'Neil, Cathy"),
    (Person("Doe", "J. [Jr.]"), "Doe, J. {[}Jr.{]}"),
])
def test_names(person, expected):
    assert bibtex.person(person) == expected


def test_names_in_ascii_mode():
    assert bibtex.person(Person("Świątek", "Łukasz"), ascii=True) == "{\\'S}wi{\\k{a}}tek, {\\L}ukasz"
    assert bibtex.person(Person("Ramé", "Alexandre"), ascii=True) == "Ram{\\'e}, Alexandre"


def test_pybtex_reads_particles_as_von_parts():
    text = bibtex.render([conf(authors=[Person("van der Berg", "Jan"), Person("Ter Hoeve", "Maartje")])])
    persons = pybtex.database.parse_string(text, "bibtex").entries["jang2023personalized"].persons["author"]
    assert persons[0].prelast_names == ["van", "der"] and persons[0].last_names == ["Berg"]
    assert persons[1].last_names == ["Ter", "Hoeve"]


def test_odd_initials_are_reported():
    warnings: list[str] = []
    bibtex.entry(conf(authors=[Person("#hash", "Ann"), Person("Lee", "{x}")]), warnings=warnings)
    assert any("biber cannot make initials" in m for m in warnings)
    assert bibtex.odd_initials("Ram{\\'e}, {\\'E}mile and {\\L}ukasz, Jean-Pierre") == []


# --- titles -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("title,expected", [
    ("PAD: Personalized Alignment of LLMs at Decoding-time",
     "{PAD}: Personalized Alignment of {LLM}s at Decoding-time"),
    ("RLHF and DPO", "{RLHF} and {DPO}"),
    ("DreamBench++: A Human-Aligned Benchmark", "{DreamBench}++: A Human-Aligned Benchmark"),
    ("Multi-Human-Value Alignment Palette", "Multi-Human-Value Alignment Palette"),
    ("GPT-4o and iPhone in 3D", "{GPT}-4o and {iPhone} in {3D}"),
    ("Can I Trust English Wikipedia?", "Can {I} Trust {English} {Wikipedia}?"),
    ("Plan A", "Plan A"),
    ("100% of R&D #1 a_b $5 {x} \\y ^ ~", "100\\% of {R}\\&{D} \\#1 a\\_b \\$5 {\\textbraceleft}x{\\textbraceright} "
     "{\\textbackslash}y {\\textasciicircum} {\\textasciitilde}"),
    ("π-Tuning with α ≤ β", "{$\\pi$}-Tuning with {$\\alpha$} {$\\leq$} {$\\beta$}"),
    ("A--b ''x'' ,,y", "A-{}-b '{}'x'{}' ,{},y"),
    ("En – dash — em", "En – dash — em"),
])
def test_title_protection_and_escaping(title, expected):
    assert latex.protect_title(title) == expected
    assert texdecode.decode(expected) == latex.normalize(title)


def test_title_ascii_mode():
    assert latex.protect_title("Ramé’s “Café” – Ωmega", ascii=True) == (
        "Ram{\\'e}{\\textquoteright}s ``Caf{\\'e}'' -- {$\\Omega$}mega")


def test_characters_without_latex_form_are_kept_and_reported():
    warnings: list[str] = []
    e = bibtex.entry(conf(title="中文 LLM 😀"), warnings=warnings)
    assert "中文" in e.fields["title"]
    assert any("no LaTeX form" in w and "中" in w for w in warnings)


def test_non_native_accented_letters_use_accent_macros():
    warnings: list[str] = []
    e = bibtex.entry(conf(authors=[Person("Nguyễn", "Văn")]), warnings=warnings)
    assert e.fields["author"] == "Nguy{\\~{\\^e}}n, Văn"  # ă is one pdflatex reads
    assert any("accent macros" in w for w in warnings)


def test_invisible_characters_and_whitespace_are_normalised():
    assert latex.normalize("  a\u200b b\u00ad\tc\ne\u0301  ") == "a b c é"
    assert bibtex.entry(conf(title="A\u00a0 b")).fields["title"] == "A b"


# --- whole exports --------------------------------------------------------------------------------


def test_fixture_export_parses_with_bibtexparser_and_pybtex():
    cat = load(FIXTURE)
    for dialect in bibtex.DIALECTS:
        for ascii_mode in (False, True):
            text = bibtex.render(cat.works, dialect, ascii=ascii_mode)
            entries = parse(text)
            assert [e["ID"] for e in entries] == [w.key for w in cat.works]
            data = pybtex.database.parse_string(text, "bibtex")
            assert list(data.entries) == [w.key for w in cat.works]
            for e in entries:  # every field value's braces balance and it decodes
                for name, value in e.items():
                    if name not in ("ID", "ENTRYTYPE", "author", "month", "url", "doi", "howpublished"):
                        texdecode.decode(value)


def test_render_is_deterministic_and_one_entry_per_work():
    cat = load(FIXTURE)
    a = bibtex.render(cat.works)
    assert a == bibtex.render(cat.works)
    assert len(re.findall(r"^@", a, re.M)) == len(cat.works)
    assert "\n\n\n" not in a and a.endswith("}\n")
