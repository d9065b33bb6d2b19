"""Section identity: numbers as written, else the slug path of the headings; --section takes any
name a person would use, and the same key goes to the catalog, BibTeX and Zotero."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from plmcite.cli import main
from plmcite.listfile import parse
from plmcite.model import Catalog, Work, section_sort_key
from plmcite.sections import AmbiguousSection, UnknownSection, parent, resolve, slug
from plmcite.zotero.tags import load_scheme, section_parent

DOC = """# My Awesome List
intro
## Awesome Papers
### Role-Playing
### Personalized Chat
#### Myers–Briggs Type Indicator (MBTI) Evaluation
## 📃  Papers
### 1. Pre-retrieval
#### 🔄 1.1 Query Rewriting
##### Dense Retrieval
## Survey
### 2025
## Analysis
### 2025
<h2 id="technique">Technique</h2>
### <h3 id="mllm">🧠 Multimodal Reasoning<h3/>
## Analysis
# Citation
"""


def test_keys_from_every_kind_of_heading():
    doc = parse(DOC)
    assert [(s.key, s.title) for s in doc.sections] == [
        ("awesome-papers", "Awesome Papers"),
        ("awesome-papers/role-playing", "Role-Playing"),
        ("awesome-papers/personalized-chat", "Personalized Chat"),
        ("awesome-papers/personalized-chat/myers-briggs-type-indicator-mbti-evaluation",
         "Myers–Briggs Type Indicator (MBTI) Evaluation"),
        ("papers", "Papers"),  # emoji and double spaces go
        ("1", "Pre-retrieval"),  # a number is the key wherever it sits
        ("1.1", "Query Rewriting"),  # ... also behind an emoji
        ("1.1/dense-retrieval", "Dense Retrieval"),
        ("survey", "Survey"),
        ("survey/2025", "2025"),  # a year heading is no section number
        ("analysis", "Analysis"),
        ("analysis/2025", "2025"),
        ("technique", "Technique"),  # an HTML heading is a heading
        ("technique/multimodal-reasoning", "Multimodal Reasoning"),
        ("analysis-2", "Analysis"),  # a repeated path stays unique
        ("citation", "Citation"),  # a later level-1 heading opens a section; the first is the title
    ]
    assert doc.lines[1].section == ""  # before the first section: the top level, as before


@pytest.mark.parametrize("wanted, keys", [
    ("1", ["1"]), ("1.1.", ["1.1"]), ("1.1 Query Rewriting", ["1.1"]), ("query rewriting", ["1.1"]),
    ("role-playing", ["awesome-papers/role-playing"]), ("Role-Playing", ["awesome-papers/role-playing"]),
    ("PERSONALIZED CHAT", ["awesome-papers/personalized-chat"]), ("awesome-papers", ["awesome-papers"]),
    ("myers-briggs-type-indicator-mbti-evaluation",
     ["awesome-papers/personalized-chat/myers-briggs-type-indicator-mbti-evaluation"]),
    ("Personalized Chat/Myers–Briggs Type Indicator (MBTI) Evaluation",
     ["awesome-papers/personalized-chat/myers-briggs-type-indicator-mbti-evaluation"]),
    ("survey/2025", ["survey/2025"]), ("dense-retrieval", ["1.1/dense-retrieval"]),
])
def test_section_by_number_slug_or_heading_text(wanted, keys):
    known = {s.key: s.title for s in parse(DOC).sections}
    assert resolve(wanted, known) == keys


def test_unknown_and_ambiguous_sections_say_so():
    known = {s.key: s.title for s in parse(DOC).sections}
    with pytest.raises(AmbiguousSection, match="'2025' is ambiguous: it could be analysis/2025, survey/2025"):
        resolve("2025", known)
    with pytest.raises(UnknownSection, match=r"^no section '9\.9' \(sections: 1, 1\.1, 1\.1/dense-retrieval,"):
        resolve("9.9", known)


def test_subtrees_and_order():
    assert parent("1.1/dense-retrieval", ["1", "1.1"]) == "1.1" and parent("a/b/c", ["a"]) == "a"
    assert section_parent("1.4.2", ["1", "1.4"]) == "1.4" and section_parent("2026-04-02", ["2026"]) is None
    assert sorted(["b", "1.10", "a/z", "1.9", "1/x", "1.1", ""], key=section_sort_key) == \
        ["1/x", "1.1", "1.9", "1.10", "", "a/z", "b"]
    assert slug("Myers–Briggs (MBTI) Évaluation 2.0") == "myers-briggs-mbti-evaluation-2-0"


def test_catalog_select_and_zotero_tags_use_the_same_identity():
    works = [Work(key=f"k{i}", title=f"T{i}", sections=[s]) for i, s in
             enumerate(["awesome-papers/role-playing", "awesome-papers/personalized-chat", "1.1", "1.1/dense-retrieval"])]
    cat = Catalog(works=works, sections={"awesome-papers/role-playing": "Role-Playing", "1.1": "Query Rewriting"})
    assert [w.key for w in cat.select(["Role-Playing"])] == ["k0"]
    assert [w.key for w in cat.select(["awesome-papers"])] == ["k0", "k1"]
    assert [w.key for w in cat.select(["1"])] == ["k2", "k3"]
    assert cat.select(["nonesuch"]) == []
    scheme = load_scheme()
    assert scheme.work_tags(works[0], cat.sections) == ["plm", "plm:awesome-papers/role-playing",
                                                        "plm:awesome-papers/role-playing Role-Playing"]
    assert scheme.collection_name("awesome-papers/role-playing", "Role-Playing") == "Role-Playing"


def test_parse_and_lint_say_when_nothing_was_read(tmp_path):
    path = tmp_path / "results.md"
    path.write_text("# Results\n\n| Type | Method | CLIP-T |\n|---|---|---|\n| Object | DreamBooth | 0.29 |\n")
    r = CliRunner().invoke(main, ["parse", "--list", str(path), "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["entries"] == []
    assert r.stderr == (f"{path}: 0 entries read: lines look like table rows without a title column (line 3)\n")
    r = CliRunner().invoke(main, ["lint", "--list", str(path), "--no-catalog"])
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr.startswith(f"Error: {path}: 0 entries read: lines look like table rows without a title column")


def test_parse_json_of_a_table_row(tmp_path):
    path = tmp_path / "l.md"
    path.write_text("## Chat\n\n| Method | Paper Title | Published At | Link |\n|---|---|---|---|\n"
                    "| *CoS* | Context Steering: Controllable Personalization at Inference Time | (arXiv'24) <br> ICLR'25 "
                    "| [![Paper](https://img.shields.io/badge/Paper-blue)](https://arxiv.org/abs/2405.01768) |\n")
    r = CliRunner().invoke(main, ["parse", "--list", str(path), "--json"])
    e = json.loads(r.stdout)["entries"][0]
    assert (e["section"], e["line"], e["dialect"], e["name"], e["titled"]) == ("chat", 5, "table", "CoS", True)
    assert e["tag"] == {"raw": "(arXiv'24) <br> ICLR'25", "year": 2025, "venue": "ICLR", "arxiv_month": None}
    assert e["links"] == [{"label": "Paper", "url": "https://arxiv.org/abs/2405.01768", "target": "paper",
                           "ids": {"arxiv": "2405.01768"}}]
