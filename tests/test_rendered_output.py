"""What a survey's reader sees: every style, compiled, read back from the PDF, one fact once.

The harness (tests/rendered.py) compiles ``\\nocite{*}`` documents of the whole catalog with
plain, plainnat, abbrvnat, unsrtnat, acl_natbib (with acl.sty), IEEEtran, ACM-Reference-Format
and biblatex numeric, authoryear and ieee (and biblatex reading the BibTeX file), each with the
export an author of that style uses (``--for acl``, ``--for acm``, ``--for ieee``, ``--format
biblatex``). The toolchain must be silent except for the warnings listed in
``rendered.EXCEPTIONS``, each for a fact that does not exist; each reference must have its
title once, its authors once, each identifier at most once (a preprint's arXiv id exactly
once), its venue if published, and no "??", empty parentheses or doubled punctuation.
``plmcite format`` output gets the same reference checks.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

import rendered
from plmcite import latex, refs_bib
from plmcite.catalog import load
from plmcite.cli import main
from plmcite.model import Person, Work

ROOT = Path(__file__).resolve().parents[1]
REPO_CATALOG = ROOT / "refs" / "catalog.json"
FIXTURE = ROOT / "tests" / "fixtures" / "catalog" / "catalog.json"
CATALOGS = [pytest.param(REPO_CATALOG, id="refs"), pytest.param(FIXTURE, id="fixture")]


def export(catalog: Path, *args: str) -> str:
    r = CliRunner().invoke(main, ["export", "--catalog", str(catalog), *args], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return r.stdout


def needs(style: rendered.Style):
    missing = rendered.missing_requirements(style)
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (.ci/run installs them)")


# --- every style, the whole catalog ------------------------------------------------------------


@pytest.mark.latex
@pytest.mark.parametrize("catalog", CATALOGS)
@pytest.mark.parametrize("name", list(rendered.STYLES))
def test_every_style_prints_every_fact_once(tmp_path, name, catalog):
    style = rendered.STYLES[name]
    needs(style)
    works = load(catalog).works
    out = rendered.render_style(tmp_path, style, export(catalog, *style.export), {w.key: w for w in works})
    assert out.problems == [], f"{name}: warnings for facts that exist, or errors"
    assert rendered.check_all(works, out.refs, name) == {}


# --- the harness catches what it is for ------------------------------------------------------------

#: references as styles printed them before the fixes, read from the PDFs (the harness's first catches)
CAUGHT = [
    # plainnat, a preprint with howpublished and url: the arXiv id twice
    ("preprint", "Ruichuan An, Sihan Yang, and Wentao Zhang. MC-LLaVA: Multi-concept personalized "
     "vision-language model. arXiv preprint arXiv:2503.18854, March 2025. URL https://arxiv.org/abs/2503.18854.",
     "arXiv id 2503.18854 printed 2 times"),
    # acl_natbib, the same entry: howpublished verbatim, then "Preprint, arXiv:<id>" from eprint
    ("preprint", "Ruichuan An, Sihan Yang, and Wentao Zhang. 2025. MC-LLaVA: Multi-concept personalized "
     "vision-language model. arXiv preprint arXiv:2503.18854. Preprint, arXiv:2503.18854.",
     "arXiv id 2503.18854 printed 2 times"),
    # plainnat, the authorless paper with key = title: the title twice
    ("anon", "Personalized Video Comment Generation. Personalized video comment generation. Findings of "
     "the Association for Computational Linguistics: EMNLP 2024, November 2024.", "title printed 2 times"),
    # biblatex, doi plus url = https://doi.org/<doi>
    ("doi", "Zekai Chen and Po-Yu Chen. “Online Personalizing White-box LLMs Generation with Neural Bandits”. "
     "In: Proceedings of the 5th ACM International Conference on AI in Finance. 2024. doi: 10.1145/3677052.3698651. "
     "url: https://doi.org/10.1145/3677052.3698651.", "DOI printed 2 times"),
    # a published paper without its venue
    ("doi", "Zekai Chen and Po-Yu Chen. Online Personalizing White-box LLMs Generation with Neural Bandits. 2024.",
     "venue 'Proceedings of the 5th ACM International Conference on AI in Finance' missing"),
    ("preprint", "Ruichuan An, Sihan Yang, and Wentao Zhang. MC-LLaVA: Multi-concept personalized "
     "vision-language model. arXiv preprint arXiv:2503.18854, , 2025.", "doubled punctuation"),
    ("preprint", "Ruichuan An, Sihan Yang, and Wentao Zhang. MC-LLaVA: Multi-concept personalized "
     "vision-language model. In ??, (), 2025. arXiv:2503.18854", "'??' in the text"),
]

WORKS = {
    "preprint": Work(key="an2025mcllava", title="MC-LLaVA: Multi-Concept Personalized Vision-Language Model",
                     kind="preprint", authors=[Person("An", "Ruichuan"), Person("Yang", "Sihan"), Person("Zhang", "Wentao")],
                     year=2025, month=3, ids={"arxiv": "2503.18854"}),
    "anon": Work(key="anon2024personalized", title="Personalized Video Comment Generation", kind="conference",
                 year=2024, container="Findings of the Association for Computational Linguistics: EMNLP 2024"),
    "doi": Work(key="chen2024online", title="Online Personalizing White-box LLMs Generation with Neural Bandits",
                kind="conference", authors=[Person("Chen", "Zekai"), Person("Chen", "Po-Yu")], year=2024,
                container="Proceedings of the 5th ACM International Conference on AI in Finance",
                ids={"doi": "10.1145/3677052.3698651"}, url="https://doi.org/10.1145/3677052.3698651"),
}


@pytest.mark.parametrize("work,text,problem", CAUGHT)
def test_the_reference_check_catches_duplicates_and_missing_venues(work, text, problem):
    assert any(p.startswith(problem) for p in rendered.check_reference(WORKS[work], text))


def test_the_reference_check_passes_a_clean_reference():
    text = ("Zekai Chen and Po-Yu Chen. 2024. Online personalizing white-box LLMs generation with neural "
            "bandits. In Proceedings of the 5th ACM International Conference on AI in Finance. "
            "https://doi.org/10.1145/3677052.3698651")
    assert rendered.check_reference(WORKS["doi"], text) == []


def test_a_warning_is_accepted_only_when_the_fact_does_not_exist():
    works = {"a": Work(key="a", title="T", pages=None), "b": Work(key="b", title="T", pages="1--2")}
    msg = "Warning--page numbers missing in both pages and numpages fields in {}"
    assert rendered.accepted("ACM-Reference-Format", msg.format("a"), works)
    assert rendered.accepted("ACM-Reference-Format", msg.format("b"), works) is None
    assert rendered.accepted("plainnat", msg.format("a"), works) is None  # only where the style says it
    assert rendered.accepted("plain", "Warning--empty author in b", works)  # b has no authors
    assert rendered.accepted("plain", "Warning--empty author in b",
                             {"b": Work(key="b", title="T", authors=[Person("X", "Y")])}) is None
    assert rendered.accepted("plain", "Warning--empty author in nobody", works) is None


def test_every_accepted_warning_is_about_an_absent_fact_of_a_named_work():
    """Each exception names styles the harness compiles, a reason, work fields that exist, and a
    whole-line pattern whose ``key`` group names the work (else it would accept a warning about
    another work, or silently never apply)."""
    work_fields = {f.name for f in dataclasses.fields(Work)}
    assert rendered.EXCEPTIONS
    for ex in rendered.EXCEPTIONS:
        assert ex.reason.strip(), ex
        assert ex.styles and set(ex.styles) <= set(rendered.STYLES), ex.styles
        assert ex.fields and set(ex.fields) <= work_fields, ex.fields
        assert ex.pattern.startswith("^") and ex.pattern.endswith("$"), ex.pattern
        assert "key" in re.compile(ex.pattern).groupindex, ex.pattern


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_an_exception_accepts_its_warning_only_for_a_work_without_the_fact(data):
    ex = data.draw(st.sampled_from(rendered.EXCEPTIONS))
    line = data.draw(st.from_regex(ex.pattern, fullmatch=True).filter(lambda s: "\n" not in s))
    key = re.match(ex.pattern, line).group("key")
    style = data.draw(st.sampled_from(ex.styles))
    bare = Work(key=key, title="T")
    assert rendered.accepted(style, line, {key: bare}) == ex.reason
    assert rendered.accepted(style, line, {key + "x": bare}) is None  # another work's warning
    for f in ex.fields:
        has = Work(key=key, title="T", **{f: [Person("Doe", "Jane")] if f == "authors" else "1"})
        assert rendered.accepted(style, line, {key: has}) is None, f


@pytest.mark.latex
def test_the_compiled_harness_fails_on_an_entry_that_prints_a_fact_twice(tmp_path):
    """The preprint entry as plmcite wrote it before (howpublished + url + eprint): plainnat prints
    the arXiv id twice, and the harness says so from the PDF."""
    style = rendered.STYLES["plainnat"]
    needs(style)
    w = WORKS["preprint"]
    bib = ("@misc{an2025mcllava,\n  author = {An, Ruichuan and Yang, Sihan and Zhang, Wentao},\n"
           "  title = {{MC}-{LLaVA}: Multi-Concept Personalized Vision-Language Model},\n"
           "  howpublished = {arXiv preprint arXiv:2503.18854},\n  year = {2025},\n  month = mar,\n"
           "  url = {https://arxiv.org/abs/2503.18854},\n  eprint = {2503.18854},\n  archiveprefix = {arXiv}\n}\n")
    out = rendered.render_style(tmp_path, style, bib, {w.key: w})
    assert out.problems == []
    assert rendered.check_all([w], out.refs, "plainnat") == {w.key: ["arXiv id 2503.18854 printed 2 times"]}


# --- plmcite format ------------------------------------------------------------------------------


@pytest.mark.parametrize("catalog", CATALOGS)
@pytest.mark.parametrize("backend", ["text", "html", "markdown"])
@pytest.mark.parametrize("style", ["plain", "unsrt", "alpha", "unsrtalpha"])
def test_formatted_lists_print_every_fact_once(catalog, style, backend):
    r = CliRunner().invoke(main, ["format", "--catalog", str(catalog), "--style", style, "--output", backend],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    works = load(catalog).works
    refs, unmatched = rendered.format_references(works, r.stdout, backend)
    assert unmatched == []
    assert rendered.check_all(works, refs) == {}


# --- plmcite table ---------------------------------------------------------------------------------

_OVERSIZE = re.compile(r"^(?:Overfull \\vbox.*|.*Float too large.*)$", re.M)


def _table_params() -> list:
    out = []
    for name, path in (("refs", REPO_CATALOG), ("fixture", FIXTURE)):
        for s in [None, *refs_bib.sections_of(load(path))]:
            out.append(pytest.param(path, s, id=f"{name}-{s or 'all'}"))
    return out


@pytest.mark.latex
@pytest.mark.parametrize("catalog,section", _table_params())
def test_table_fits_an_11pt_article(tmp_path, catalog, section):
    """No line more than 1 pt too wide, nothing too tall, no float too large: the table is a
    longtable of wrapping columns that breaks across pages (the whole list is 8 pages)."""
    if rendered.missing_requirements(rendered.STYLES["plainnat"]):
        pytest.skip("needs pdflatex and bibtex")
    r = CliRunner().invoke(main, ["table", "--catalog", str(catalog), "--command", "citep",
                                  *(["-s", section] if section else [])], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    doc = ("\\documentclass[11pt]{article}\n" + rendered.BASE_PREAMBLE + latex.TABLE_PACKAGES + "\n\\usepackage{natbib}\n"
           "\\begin{document}\n" + r.stdout + "\\bibliographystyle{plainnat}\n\\bibliography{refs}\n\\end{document}\n")
    (tmp_path / "refs.bib").write_text(export(catalog), encoding="utf-8")
    (tmp_path / "doc.tex").write_text(doc, encoding="utf-8")
    works = load(catalog).by_key()
    assert [p for p in rendered.compile_bibtex(tmp_path) if not rendered.accepted("plainnat", p, works)] == []
    assert rendered.overfull(tmp_path, "doc", limit=1.0) == []
    assert _OVERSIZE.findall(rendered.log_text(tmp_path, "doc")) == []
