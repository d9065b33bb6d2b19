"""One table list from end to end: resolve -> export --section <slug> -> LaTeX -> Zotero tags.

The list is HqWu-HITCS/Awesome-Personalized-LLM as published (markdown tables under unnumbered
headings). The fake services know 11 of its 35 papers (tests/fixtures/metadata-tables/, facts
read from real lists only); the rest must stay unresolved, never matched to a near title. The
section identity is the slug path of the headings, the same in --section, the BibTeX
``keywords`` and the Zotero tags.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import rendered
from conftest import project_config

from plmcite.testing.fakes import FakeInternet
from plmcite.testing.zotero_fake import FakeZotero

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
LIST = FIXTURES / "lists" / "HqWu-HITCS__Awesome-Personalized-LLM.md"
KEY = "Zq7tablesKEYnotLeaked91"

CONFIG = project_config(zotero="group:42")

ROLE_PLAYING = {"2403.13679", "2401.12474", "2311.16832", "2310.10158", "2211.06869", "2310.00746", "2308.09597"}


def plmcite(root: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "plmcite.cli", *args], cwd=root, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **env}, timeout=300)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("tables")
    (root / "plmcite.toml").write_text(CONFIG, encoding="utf-8")
    (root / "list.md").write_bytes(LIST.read_bytes())
    with FakeInternet(FIXTURES / "metadata-tables", hang_s=1.0) as net:
        env = {**net.env(), "PLMCITE_CACHE_DIR": str(root / "cache")}
        r = plmcite(root, env, "resolve", "--json")
        assert r.returncode == 0, r.stderr
        yield root, env, json.loads(r.stdout)


def test_resolve_finds_the_papers_the_services_know_and_no_other(project):
    root, _, summary = project
    assert (summary["entries"], summary["resolved_entries"]) == (35, 11)
    cat = json.loads((root / "refs" / "catalog.json").read_text())
    arxiv = {w["ids"].get("arxiv") for w in cat["works"]}
    assert arxiv == ROLE_PLAYING | {"2308.10278", "2310.11564", "2401.01275", "2304.11406"}
    # every other entry is unresolved with its reason; none was matched to a near title
    assert len(cat["unresolved"]) == 24 and all("no " in u["reason"] for u in cat["unresolved"])
    # the table's slug-path sections are the catalog's sections, with the headings' text
    assert cat["sections"]["awesome-papers/role-playing"] == "Role-Playing"
    assert cat["sections"]["awesome-papers/evaluation-personality-of-llm/myers-briggs-type-indicator-mbti-evaluation"] \
        == "Myers–Briggs Type Indicator (MBTI) Evaluation"
    lamp = next(w for w in cat["works"] if w["ids"].get("arxiv") == "2304.11406")
    assert lamp["venue_short"] == "ACL 2024" and lamp["entries"] == [
        {"section": "awesome-papers/benchmark", "title": "LaMP: When Large Language Models Meet Personalization"}]


def test_lint_checks_table_rows_against_the_catalog(project):
    root, env, _ = project
    r = plmcite(root, env, "lint", "--format", "json")
    found = {(f["line"], f["rule"]) for f in json.loads(r.stdout)["findings"]}
    assert (88, "stale-arxiv-tag") in found  # "Arxiv23" in the Venue column, published at ACL 2024
    assert {(29, "tag-venue-mismatch"), (30, "tag-venue-mismatch")} <= found  # "EMNLP23", no published record
    assert not any(rule in ("label-case", "missing-tag", "trailing-whitespace") for _, rule in found)


@pytest.mark.parametrize("section", ["role-playing", "awesome-papers/role-playing", "Role-Playing", "ROLE-PLAYING"])
def test_export_a_section_by_its_slug_or_heading(project, section):
    root, env, _ = project
    r = plmcite(root, env, "export", "--section", section)
    assert r.returncode == 0, r.stderr
    arxiv = set(re.findall(r"arXiv:(\d{4}\.\d{4,5})", r.stdout))
    assert arxiv == ROLE_PLAYING
    assert set(re.findall(r"keywords = \{([^}]*)\}", r.stdout)) == {"awesome-papers/role-playing"}


def test_a_parent_heading_selects_its_subtree_and_an_empty_one_is_an_error(project):
    root, env, _ = project
    r = plmcite(root, env, "export", "--section", "awesome-papers", "--keys-only")
    assert r.returncode == 0 and len(r.stdout.split()) == 11
    r = plmcite(root, env, "export", "--section", "evaluation-personality-of-llm")
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr == ("Error: no works in section(s) evaluation-personality-of-llm: its 10 entries are "
                        "unresolved (`plmcite resolve` says why)\n")


@pytest.mark.latex
@pytest.mark.skipif(not all(rendered.has_tool(t) for t in ("pdflatex", "bibtex", "biber")), reason="needs LaTeX")
def test_the_exported_section_compiles_silently(project, tmp_path):
    root, env, _ = project
    for fmt, compile_ in (("bibtex", rendered.compile_bibtex), ("biblatex", rendered.compile_biber)):
        d = tmp_path / fmt
        d.mkdir()
        r = plmcite(root, env, "export", "--section", "role-playing", "--format", fmt, "-o", str(d / "refs.bib"))
        assert r.returncode == 0, r.stderr
        if fmt == "bibtex":
            body = "\\nocite{*}\n\\bibliographystyle{plain}\n\\bibliography{refs}\n"
            head = ""
        else:
            body = "\\nocite{*}\n\\printbibliography\n"
            head = "\\usepackage[backend=biber]{biblatex}\n\\addbibresource{refs.bib}\n"
        (d / "doc.tex").write_text("\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{url}\n" + head
                                   + "\\begin{document}\n" + body + "\\end{document}\n", encoding="utf-8")
        assert compile_(d) == [], fmt
        text = " ".join(rendered.pdf_text(d / "doc.pdf").replace("-\n", "").split()).lower()
        assert "roleinteract" in text and "harry potter" in text and text.count("arxiv") >= 7


def test_zotero_sync_tags_items_with_the_section_identity(project):
    root, env, _ = project
    fake = FakeZotero()
    fake.add_key(KEY, user_id=5)
    fake.add_library("group", 42)
    with fake:
        zenv = {**env, "ZOTERO_API_KEY": KEY, "PLMCITE_ZOTERO_URL": fake.url,
                "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
        r = plmcite(root, zenv, "zotero", "sync", "--json")
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["counts"]["create"] == 11
        items = [i for i in fake.library("group:42").items.values() if i.get("itemType") != "note"]
    by_title = {i["title"]: {t["tag"] for t in i.get("tags", [])} for i in items}
    assert by_title["CharacterGLM: Customizing Chinese Conversational AI Characters with Large Language Models"] == {
        "plm", "plm:awesome-papers/role-playing", "plm:awesome-papers/role-playing Role-Playing"}
    assert by_title["LaMP: When Large Language Models Meet Personalization"] == {
        "plm", "plm:awesome-papers/benchmark", "plm:awesome-papers/benchmark Benchmark"}
