"""A list pointing at the papers of the recorded corpus, resolved through fakes replaying it.

The services answer with what they really sent (plmcite.testing.replay): Crossref titles with
JATS markup, DBLP titles with XML entities and ``26:1-26:4`` pages, an arXiv corporate author
with a leading space, affiliations deposited as authors, OpenReview's 403 challenge. The
exported BibTeX must hold no entity and no markup, keep corporate authors whole, and compile
with zero warnings; the run summary must say when OpenReview refused.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import rendered
from conftest import project_config, run_in

from plmcite.catalog import load
from plmcite.testing.replay import ReplayInternet

WIRE = Path(__file__).parent / "fixtures" / "wire"

CONFIG = project_config(email="wire-test@example.org", timeout=2, retries=1, max_backoff=0.02)

#: one entry per paper of the corpus worth resolving, linked the way list authors link them
LIST = r"""# Papers the recorded corpus knows

## 1. Preprints

+ **\[2017 Arxiv\]** Attention Is All You Need. ([Paper](https://arxiv.org/abs/1706.03762))

+ **\[2003 Arxiv\]** Multi-Electron Production at High Transverse Momenta in ep Collisions at HERA. ([Paper](https://arxiv.org/abs/hep-ex/0307015))

+ **\[2016 Arxiv\]** Heat-bath random walks with Markov bases. ([Paper](https://arxiv.org/abs/1605.08386))

+ **\[2006 Arxiv\]** Frequency of Hot Jupiters and Very Hot Jupiters from the OGLE-III Transit Surveys toward the Galactic Bulge and Carina. ([Paper](https://arxiv.org/abs/astro-ph/0601001))

## 2. Journals

+ **\[2021 J Clin Pathol\]** Construction of a reference material panel for detecting KRAS/NRAS/EGFR/BRAF/MET mutations in plasma ctDNA. ([Paper](https://doi.org/10.1136/jclinpath-2020-206745))

+ **\[2022 Phys Rev A\]** Toy model for local and deterministic wave-function collapse. ([Paper](https://doi.org/10.1103/physreva.106.022212))

+ **\[2015 Sci Rep\]** Single-molecule FRET studies on alpha-synuclein oligomerization of Parkinson's disease genetically related mutants. ([Paper](https://doi.org/10.1038/srep16696))

+ **\[2021 CAIS\]** A Knowledge Development Perspective on Literature Reviews: Validation of a new Typology in the IS Field. ([Paper](https://doi.org/10.17705/1cais.04607))

+ **\[2003 ICDCS\]** Accurate and explicit differentiation of wireless and congestion losses. ([Paper](https://doi.org/10.1109/icdcsw.2003.1203662))

## 3. Found by title

+ **\[2014 SPECOM\]** Human Resources Management in Conditions of Operators' Psychophysiological State Changes.

+ **\[2019 SIN\]** Multi-path multimodal authentication system for remote information system.

+ **\[2025 EMNLP\]** Tag&Tab: Pretraining Data Detection in Large Language Models Using Keyword-Based Membership Inference Attack.

+ **\[2017 JMLR\]** Auto-WEKA 2.0: Automatic model selection and hyperparameter optimization in WEKA.

+ **\[2024 TMLR\]** Large Language Models (LLMs) on Tabular Data: Prediction, Generation, and Understanding - A Survey.

+ **\[1997 J Orthop Res\]** Growth hormone secretagogue increases muscle strength during remobilization after canine hindlimb immobilization.

## 4. OpenReview and the Anthology

+ **\[2025 ICLR\]** Presto! Distilling Steps and Layers for Accelerating Music Generation. ([Paper](https://openreview.net/forum?id=Gj5JTAwdoy))

+ **\[2024 NeurIPS\]** Chain of Preference Optimization: Improving Chain-of-Thought Reasoning in LLMs. ([Paper](https://openreview.net/forum?id=9tvxC2UQDh))

+ **\[2022 ACL\]** Detecting Unassimilated Borrowings in Spanish: An Annotated Corpus and Approaches to Modeling. ([Paper](https://aclanthology.org/2022.acl-long.268/))

+ **\[2021 NAACL\]** How many data points is a prompt worth?. ([Paper](https://aclanthology.org/2021.naacl-main.208/))

+ **\[1989 CL\]** Parsing with a Small Dictionary for Applications such as Text to Speech. ([Paper](https://aclanthology.org/J89-2002/))
"""




def resolved(tmp: Path, exit_codes: tuple[int, ...] = (0,), **replay) -> tuple[Path, dict, object]:
    (tmp / "plmcite.toml").write_text(CONFIG, encoding="utf-8")
    (tmp / "list.md").write_text(LIST, encoding="utf-8")
    with ReplayInternet(WIRE, **replay) as net:
        env = {**net.env(), "PLMCITE_CACHE_DIR": str(tmp / "cache")}
        r = run_in(tmp, env, "resolve", "--json")
        assert net.errors() == []
    assert r.exit_code in exit_codes, r.output
    return tmp, env, r


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return resolved(tmp_path_factory.mktemp("wire"))


@pytest.fixture(scope="module")
def challenged(tmp_path_factory):
    return resolved(tmp_path_factory.mktemp("wire-challenge"), openreview_challenge=True)


@pytest.fixture(scope="module")
def bib(project):
    root, env, _ = project
    r = run_in(root, env, "export")
    assert r.exit_code == 0, r.output
    return r.stdout


def entry(bib: str, key: str) -> str:
    m = re.search(r"^@\w+\{" + re.escape(key) + r",\n.*?^\}$", bib, re.M | re.S)
    assert m, f"no entry {key}"
    return m.group(0)


def test_every_entry_resolves_but_the_one_only_a_dblp_import_knows(project):
    _, _, r = project
    out = json.loads(r.stdout)
    unresolved = {u["title"] for u in out["unresolved_entries"]}
    assert out["entries"] == 20 and unresolved <= {"Chain of Preference Optimization: Improving Chain-of-Thought Reasoning in LLMs"}
    assert out["refused"] == {}


def test_bibtex_has_no_entity_and_no_markup(bib):
    assert not re.search(r"&(?:amp|apos|quot|lt|gt|#\d+|#x[0-9a-f]+);", bib, re.I)
    assert not re.search(r"</?(?:i|b|sub|sup|scp|jats:\w+)>|textless|textgreater|\\textbackslash", bib)
    assert "Operators' Psychophysiological" in bib and "Tag\\&Tab" in bib
    assert "{KRAS}/{NRAS}/{EGFR}/{BRAF}/{MET} mutations" in entry(bib, "xu2021construction")


def test_corporate_authors_stay_whole(bib):
    assert "author = {{H1 Collaboration}}," in bib
    assert "Collaboration, H1" not in bib
    assert "{Paderborn University} and" in entry(bib, "schryen2021knowledge")


def test_pages_years_and_venues_from_real_shapes(bib):
    assert "pages = {26:1--26:4}" in entry(bib, "pakulova2019multipath")
    assert "pages = {25:1--25:5}" in entry(bib, "kotthoff2017autoweka")
    assert "pages = {022212}" in entry(bib, "donadi2022toy")           # article-number, no page
    assert "year = {2003}" in entry(bib, "arya2003accurate")           # issued [[null]]
    assert "year = {2021}" in entry(bib, "xu2021construction")         # print 2021, online 2020
    assert "year = {1997}" in entry(bib, "lieber1997growth")           # only Crossref knows it (title search)
    tagtab = entry(bib, "antebi2025tagtab")                              # DBLP says "EMNLP", ee says Findings
    assert "booktitle = {Findings of the Association for Computational Linguistics: EMNLP 2025}" in tagtab


def test_a_dblp_imported_openreview_note_is_not_an_accepted_conference_paper(project):
    """Its venue is "NeurIPS 2024", but it is DBLP's record copied into OpenReview: never an
    OpenReview acceptance (unresolved here, or at most a work of kind "other")."""
    root, _, _ = project
    cat = load(root / "refs" / "catalog.json")
    works = [w for w in cat.works if w.ids.get("openreview") == "9tvxC2UQDh"]
    assert all(w.kind != "conference" and w.venue is None for w in works)


def test_openreview_refusal_falls_back_and_the_summary_says_so(challenged):
    root, _, r = challenged
    out = json.loads(r.stdout)
    # the links (and forums other services name) asked while OpenReview refused
    assert set(out["refused"]) == {"openreview"} and out["refused"]["openreview"] >= 1 and out["unresolved"] <= 1
    cat = load(root / "refs" / "catalog.json")
    presto = next(w for w in cat.works if w.title.startswith("Presto!"))
    assert (presto.kind, presto.venue, presto.year, presto.ids["openreview"]) == ("conference", "iclr", 2025, "Gj5JTAwdoy")
    assert "9tvxC2UQDh" not in {w.ids.get("openreview") for w in cat.works if w.kind == "conference"}


def test_openreview_refusal_is_one_line_of_the_human_summary(tmp_path):
    root, env, _ = resolved(tmp_path, openreview_challenge=True)
    with ReplayInternet(WIRE, openreview_challenge=True) as net:
        env = {**net.env(), "PLMCITE_CACHE_DIR": str(tmp_path / "cache2")}
        r = run_in(root, env, "resolve", "--refresh")
    assert r.exit_code == 0
    line = next(l for l in r.stderr.splitlines() if "refused" in l)
    assert re.match(r"openreview refused \d+ lookup\(s\): OpenReview refused the request \(HTTP 403 ChallengeRequiredError", line)
    assert line.endswith("those entries were looked up through the other services")


def test_a_crossref_body_without_total_results_fails_one_request_not_the_run(tmp_path):
    # exit 1 at most (entries could not be checked), with the JSON summary: never a traceback
    root, _, r = resolved(tmp_path, exit_codes=(0, 1), crossref_drop_total_results=True)
    out = json.loads(r.stdout)
    assert "Traceback" not in r.output
    assert out["entries"] == 20  # the run finished; entries that needed a Crossref search say why, one by one
    reasons = [u["reason"] for u in out["unresolved_entries"]]
    assert reasons and any("malformed body: unexpected shape (KeyError: 'total-results')" in x for x in reasons)
    assert all("total-results" in x or "crossref looks down" in x for x in reasons)


# --- compiling -------------------------------------------------------------------------------------

_missing = [t for t in ("pdflatex", "bibtex", "biber") if shutil.which(t) is None]
PREAMBLE = "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{url}\n"


@pytest.mark.latex
@pytest.mark.skipif(bool(_missing), reason=f"needs {', '.join(_missing)}")
@pytest.mark.parametrize("style", ["plain", "plainnat"])
def test_the_bibtex_compiles_without_a_warning(bib, tmp_path, style):
    (tmp_path / "refs.bib").write_text(bib, encoding="utf-8")
    natbib = "\\usepackage{natbib}\n" if style == "plainnat" else ""
    (tmp_path / "doc.tex").write_text(PREAMBLE + natbib + "\\begin{document}\n\\nocite{*}\n"
                                      f"\\bibliographystyle{{{style}}}\n\\bibliography{{refs}}\n\\end{{document}}\n",
                                      encoding="utf-8")
    # The one work without authors: the DBLP-imported OpenReview note is no acceptance, so its
    # authors do not count for the work (roles.toml), and an authorless @misc keeps no sort key by
    # design (docs/bibtex.md): BibTeX says so, once. Nothing else may warn.
    known = ["Warning--to sort, need author or key in anon2024chain"] if "{anon2024chain," in bib else []
    assert rendered.compile_bibtex(tmp_path) == known


@pytest.mark.latex
@pytest.mark.skipif(bool(_missing), reason=f"needs {', '.join(_missing)}")
def test_the_biblatex_export_compiles_with_biber_without_a_warning(project, tmp_path):
    root, env, _ = project
    r = run_in(root, env, "export", "--format", "biblatex")
    assert r.exit_code == 0, r.output
    (tmp_path / "refs.bib").write_text(r.stdout, encoding="utf-8")
    (tmp_path / "doc.tex").write_text(PREAMBLE + "\\usepackage[backend=biber]{biblatex}\n\\addbibresource{refs.bib}\n"
                                      "\\begin{document}\n\\nocite{*}\n\\printbibliography\n\\end{document}\n",
                                      encoding="utf-8")
    assert rendered.compile_biber(tmp_path) == []
