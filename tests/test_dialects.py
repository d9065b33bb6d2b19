"""Fifteen real awesome lists in other dialects: every paper row read, nothing else, byte for byte.

The fixtures (tests/fixtures/lists/, sidecars name repository and commit) are tables, plain and
numbered bullets, paragraph entries and HTML rows. For each, the paper rows are found here
*without the parser*, by the list's own regular shape (the rule its sidecar describes), minus
the rows checked by hand to be no papers (blog posts, a website, a code-only project); the
parser must read exactly those rows: recall 100%, garbage 0.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from plmcite import lint
from plmcite.listfile import ENCODING, ERRORS, parse, parse_file

LISTS = Path(__file__).parent / "fixtures" / "lists"
FILES = sorted(p for p in LISTS.glob("*.md") if p.name != "README.md")

_HEADER_OR_RULE = re.compile(r"\*\*Title\*\*|\| ?Title ?\||Paper Title|^\| Paper \||:?-{3,}")

# list -> (how its paper rows look, from where, up to where, a table?), rows that are no papers
PAPER_ROWS = {
    "HqWu-HITCS": ([(r"^\| \[\*\*", None, None, True)], []),
    "JiahongLiu21": ([(r"^\s*\|", "## Personalized Prompting", "## Related Workshops", True),
                      (r"^\* \*\*A Survey of Personalized", None, None, False)], []),
    "Applied-Machine-Learning-Lab": ([(r"\|", "## 📃  Papers", "## 📚 Datasets and Evaluation", True),
                                      (r"^- \[", "### 📚 Surveys", "### 📁 Repositories", False)], []),
    "zhangxulu1996": ([(r"^\|", "# 📃 Paper List", "# 📮 Contact Us", True)], []),
    "Sahandfer": ([(r"^\|", "## Methods", "## Copyright", True)], []),
    "Tomsawyerhu": ([(r"^\|", "## 📄 Related Surveys", "## Star History", True)], []),
    "nuochenpku": ([(r"^\s*-\s+\*\*", None, None, False)], []),
    "DavidZWZ": ([(r"^\s*- \([^)]*\) \S", None, None, False), (r"^\| \[", None, None, True)], []),
    "AIoT-MLSys-Lab": ([(r"^\s*- .*ins>", None, None, False)], ["<ins>Blog, 2023</ins>", "<ins>Website, 2024</ins>"]),
    "GT-RIPL": ([(r"^\s*\* ", "## Surveys", "## Libraries and Tools", False)], ["**GENESIS**"]),
    "WooooDyy": ([(r"^\s*- \[\d{4}[-/]\d{2}\] \*\*", None, None, False)], []),
    "atfortes": ([(r"^\s*\d+\. \*\*\[", None, None, False)], ["**[OpenAI o1.]"]),
    "thunlp": ([(r"^\s*\d+\.\s+\*\*", None, None, False)], []),
    "lavinal712": ([(r"^\*\*.+\*\*\s*<br>\s*$", None, None, False)], []),
    "Trustworthy-AI-Group": ([(r'^\s*<td><a href="http', "## Attacks and Models", "### Models", False)], []),
}

# entries read per list (= its paper rows) and by dialect
COUNTS = {
    "AIoT-MLSys-Lab": (435, {"bullet": 435}),
    "Applied-Machine-Learning-Lab": (128, {"table": 122, "bullet": 6}),
    "DavidZWZ": (222, {"bullet": 185, "table": 37}),
    "GT-RIPL": (180, {"bullet": 180}),
    "HqWu-HITCS": (35, {"table": 35}),
    "JiahongLiu21": (143, {"table": 142, "bullet": 1}),
    "Sahandfer": (60, {"table": 60}),
    "Tomsawyerhu": (166, {"table": 166}),
    "Trustworthy-AI-Group": (122, {"html": 122}),
    "WooooDyy": (325, {"bullet": 325}),
    "atfortes": (144, {"bullet": 144}),
    "lavinal712": (421, {"paragraph": 421}),
    "nuochenpku": (70, {"bullet": 70}),
    "thunlp": (96, {"bullet": 96}),
    "zhangxulu1996": (154, {"table": 154}),
}


def _key(path: Path) -> str:
    return next(k for k in PAPER_ROWS if path.name.startswith(k))


def paper_rows(path: Path) -> set[int]:
    """The paper rows of a fixture by its regular shape alone (no plmcite code involved)."""
    rules, not_papers = PAPER_ROWS[_key(path)]
    lines = path.read_bytes().decode(ENCODING, ERRORS).split("\n")
    rows: set[int] = set()
    for rx, start, stop, table in rules:
        on = start is None
        for no, line in enumerate(lines, start=1):
            on = (on or bool(start and line.startswith(start))) and not (stop and line.startswith(stop))
            if on and re.search(rx, line) and not (table and _HEADER_OR_RULE.search(line)):
                if not any(x in line for x in not_papers):
                    rows.add(no)
    return rows


def test_there_are_fifteen_lists_of_every_dialect():
    assert len(FILES) == 15 and {_key(p) for p in FILES} == set(PAPER_ROWS)
    dialects = {d for _, by in COUNTS.values() for d in by}
    assert dialects == {"table", "bullet", "paragraph", "html"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: _key(p))
def test_every_paper_row_is_read_and_nothing_else(path):
    doc = parse_file(path)
    read = {e.line for e in doc.entries}
    rows = paper_rows(path)
    assert sorted(rows - read) == [], "paper rows not read"
    assert sorted(read - rows) == [], "entries read from rows that are no papers"
    total, by_dialect = COUNTS[_key(path)]
    assert len(doc.entries) == total
    found: dict[str, int] = {}
    for e in doc.entries:
        found[e.dialect] = found.get(e.dialect, 0) + 1
    assert found == by_dialect


@pytest.mark.parametrize("path", FILES, ids=lambda p: _key(p))
def test_round_trip_is_byte_identical(path):
    assert parse_file(path).render_bytes() == path.read_bytes()


@pytest.mark.parametrize("path", FILES, ids=lambda p: _key(p))
def test_titles_are_titles(path):
    """No markup, URL or cell separator left in a title; every entry has a section and a link
    or a venue with a year."""
    for e in parse_file(path).entries:
        assert e.title and not re.search(r"\]\(|https?://|(?<!\\)\||<br|\*\*", e.title), (e.line, e.title)
        assert e.links or (e.tag and e.tag.year), (e.line, e.title)


def _entry(path_key: str, line: int):
    path = next(p for p in FILES if _key(p) == path_key)
    return next(e for e in parse_file(path).entries if e.line == line)


def _facts(e) -> tuple:
    tag = (e.tag.venue, e.tag.year) if e.tag else None
    return (e.section, e.dialect, e.title, tag, [l.url for l in e.links][:2], e.ids)


@pytest.mark.parametrize("key, line, facts", [
    # a bold-link title, a compact venue "Arxiv24", a code column; the section is the slug path
    ("HqWu-HITCS", 25, ("awesome-papers/role-playing", "table",
                        "RoleInteract: Evaluating the Social Interaction of Role-Playing Agents", ("Arxiv", 2024),
                        ["https://arxiv.org/pdf/2403.13679.pdf", "https://github.com/X-PLUG/RoleInteract"],
                        {"arxiv": "2403.13679"})),
    ("HqWu-HITCS", 77, ("awesome-papers/evaluation-personality-of-llm/other-personal-evaluation", "table",
                        "Do personality tests generalize to Large Language Models?", ("NeurIPS Workshop", 2023),
                        ["https://arxiv.org/pdf/2311.05297"], {"arxiv": "2311.05297"})),
    # badge links, the current title after an older one in parentheses, "(arXiv'24) <br> ICLR'25"
    ("JiahongLiu21", 120, ("personalized-prompting/contrastive-prompting", "table",
                           "Context Steering: Controllable Personalization at Inference Time", ("ICLR", 2025),
                           ["https://arxiv.org/abs/2405.01768", "https://openreview.net/forum?id=xQCXInDq0m"],
                           {"arxiv": "2405.01768", "openreview": "xQCXInDq0m"})),
    # a numbered heading with an emoji in front is still its number; a venue with Findings after the year
    ("Applied-Machine-Learning-Lab", 250, ("4.3", "table",
                                           "Enhancing role-playing language models with personality-indicative data",
                                           ("EMNLP Findings", 2024),
                                           ["https://arxiv.org/pdf/2406.18921", "https://github.com/alienet1109/RolePersonality"],
                                           {"arxiv": "2406.18921"})),
    # the arXiv id only in the badge's link; the venue first; ":heavy_minus_sign:" is no venue
    ("Sahandfer", 30, ("methods", "table", "How Far Are We from Believable AI Agents? A Framework for Evaluating "
                       "the Believability of Human Behavior Simulation", None,
                       ["https://arxiv.org/abs/2312.17115", "https://github.com/GAIR-NLP/SimulateBench"],
                       {"arxiv": "2312.17115"})),
    # a date "2022<br>08-02" and a Links cell "[Code](u) <br> [Paper](u)"
    ("zhangxulu1996", 87, ("paper-list/personalized-object-generation", "table",
                           "An Image is Worth One Word: Personalizing Text-to-Image Generation using Textual Inversion",
                           ("ICLR", 2023), ["https://github.com/rinongal/textual_inversion", "https://arxiv.org/pdf/2208.01618"],
                           {"arxiv": "2208.01618"})),
    # a title linked as a reference manager exports it; Year and Source columns
    ("Tomsawyerhu", 53, ("test-time-personalized-alignment/guided-decoding", "table",
                         "Args: Alignment as reward-guided search", ("Arxiv", 2024),
                         ["http://arxiv.org/abs/1912.00180v1", "http://arxiv.org/pdf/1912.00180v1.pdf"],
                         {"arxiv": "1912.00180"})),
    # the venue is the paper link's label
    ("nuochenpku", 40, ("1.1", "bullet", "Characteristic AI Agents via Large Language Models", ("COLING", 2024),
                        ["https://arxiv.org/abs/2403.12368", "https://github.com/nuaa-nlp/Character100"],
                        {"arxiv": "2403.12368"})),
    # a bold title wrapped onto the next line
    ("nuochenpku", 73, ("1.1", "bullet", "Large Language Models are Superpositions of All Characters: Attaining "
                        "Arbitrary Role-play via Self-Alignment", ("Arxiv", None),
                        ["https://arxiv.org/abs/2401.12474", "https://github.com/OFA-Sys/Ditto"], {"arxiv": "2401.12474"})),
    # the venue in parentheses first
    ("DavidZWZ", 135, ("reasoning-enhanced-rag/retrieval-optimization", "bullet",
                       "Query Suggestion for Retrieval-Augmented Generation via Dynamic In-Context Learning",
                       ("Arxiv", 2026), ["https://arxiv.org/pdf/2601.08105"], {"arxiv": "2601.08105"})),
    # a dataset named, not titled, in a "Title" column: the name is kept, the link identifies the paper
    # (the table sits under the last heading before it: the list has no heading of its own for it)
    ("DavidZWZ", 419, ("synergized-rag-and-reasoning/agentic-orchestration/multi-agent", "table", "HotpotQA", ("EMNLP", 2018),
                       ["https://aclanthology.org/D18-1259.pdf", "https://github.com/hotpotqa/hotpot"], {"acl": "D18-1259"})),
    # "Title, <ins>Venue, Year</ins>" under six heading levels
    ("AIoT-MLSys-Lab", 120, ("model-centric-methods/model-compression/quantization/post-training-quantization/"
                             "weight-only-quantization", "bullet",
                             "GuidedQuant: Large Language Model Quantization via Exploiting End Loss Guidance",
                             ("ICML", 2025), ["https://arxiv.org/abs/2505.07004", "https://github.com/snu-mllab/GuidedQuant"],
                             {"arxiv": "2505.07004"})),
    # a quoted title after a bold name, an italic "venue, month year", CRLF line endings
    ("GT-RIPL", 40, ("reasoning", "bullet",
                     "RoboRefer: Towards Spatial Referring with Reasoning in Vision-Language Models for Robotics",
                     ("Arxiv", 2025), ["https://arxiv.org/abs/2506.04308", "https://github.com/Zhoues/RoboRefer"],
                     {"arxiv": "2506.04308"})),
    # a link written bare after its markup broke: "[[https://arxiv.org/abs/1810.08272)]"
    ("GT-RIPL", 213, ("simulation-frameworks", "bullet",
                      "BabyAI: A Platform to Study the Sample Efficiency of Grounded Language Learning", ("ICLR", 2019),
                      ["https://github.com/mila-iqia/babyai/tree/iclr19", "https://arxiv.org/abs/1810.08272"],
                      {"arxiv": "1810.08272"})),
    # "[yyyy/mm]" first, an italic "Author (Affiliation) et al. Venue."; unnumbered leaf under a numbered heading
    ("WooooDyy", 129, ("1.1.1/high-quality-generation", "bullet",
                       "Towards End-to-End Embodied Decision Making via Multi-modal Large Language Model: Explorations "
                       "with GPT4-Vision and Beyond", ("Arxiv", 2023),
                       ["https://arxiv.org/abs/2310.02071", "https://github.com/PKUnlp-icler/PCA-EVAL"], {"arxiv": "2310.02071"})),
    # a numbered item whose venue is on the indented authors line; a year heading under a topic
    ("atfortes", 46, ("survey/2025", "bullet", "Multimodal Chain-of-Thought Reasoning: A Comprehensive Survey",
                      ("Arxiv", 2025), ["https://arxiv.org/abs/2503.12605", "https://github.com/yaotingwangofficial/Awesome-MCoT"],
                      {"arxiv": "2503.12605"})),
    # no link on the title line: the links and the date are on the authors line below
    ("thunlp", 64, ("papers/overview", "bullet",
                    "Pre-train, Prompt, and Predict: A Systematic Survey of Prompting Methods in Natural Language Processing",
                    ("Arxiv", 2021), ["https://arxiv.org/abs/2107.13586", "http://pretrain.nlpedia.ai"], {"arxiv": "2107.13586"})),
    # a paragraph: **Title**<br> / *Authors*<br> / Venue Year. / [PDF](url)
    ("lavinal712", 32, ("personalization-with-diffusion-models/subject-driven-generation", "paragraph",
                        "OmniGen2: Exploration to Advanced Multimodal Generation", ("Arxiv", 2025),
                        ["https://arxiv.org/abs/2506.18871", "https://vectorspacelab.github.io/OmniGen2"], {"arxiv": "2506.18871"})),
])
def test_a_sample_of_each_list_reads_as_written(key, line, facts):
    assert _facts(_entry(key, line)) == facts


def test_html_rows_name_the_paper_and_say_so():
    """A toolbox README links each method as "METHOD (Author et al., Year)": no title to search
    by, so the entry is marked untitled and known by its link and year alone."""
    fgsm = _entry("Trustworthy-AI-Group", 74)
    assert (fgsm.dialect, fgsm.titled, fgsm.name, fgsm.tag.year) == ("html", False, "FGSM", 2015)
    assert fgsm.ids == {"arxiv": "1412.6572"} and fgsm.section == "attacks-and-models/untargeted-attacks"
    path = next(p for p in FILES if _key(p) == "Trustworthy-AI-Group")
    doc = parse_file(path)
    assert not any(e.titled for e in doc.entries)
    # the evaluation tables link the same methods to ./transferattack/*.py: code, no entries
    assert not any(e.line > 716 for e in doc.entries)


@pytest.mark.parametrize("text, reason", [
    ("# Results\n\n| Type | Method | CLIP-T |\n|---|---|---|\n| Object | DreamBooth | 0.29 |\n",
     "lines look like table rows without a title column (line 3)"),
    ("# Tools\n\n- [LLM Reasoners](https://github.com/Ber666/llm-reasoners)\n- [Docs](https://x.readthedocs.io/)\n",
     "list items without a title and a paper link or venue (line 3, 4)"),
])
def test_a_list_with_nothing_to_read_says_why(text, reason):
    doc = parse(text, "l.md")
    assert doc.entries == [] and doc.notes == [reason]


def test_template_rules_see_only_the_tagged_template():
    """Lowercase [[paper]] labels and trailing spaces are another dialect's style, not mistakes;
    duplicates and wrong links are mistakes in any dialect."""
    path = next(p for p in FILES if _key(p) == "WooooDyy")
    rules = {f.rule for f in lint.run(parse_file(path))}
    assert not rules & {"label-case", "missing-tag", "trailing-whitespace", "malformed-entry"}
    assert "duplicate-paper" in rules  # the list repeats papers across sections
    text = ("## Papers\n\n| Title | Venue | Code |\n|---|---|---|\n"
            "| [**A Paper About Things**](https://arxiv.org/abs/2401.00001) | ICLR 2024 | [Code](https://arxiv.org/abs/2401.00001) |\n"
            "| [**A Paper About Thing**](https://arxiv.org/abs/2401.00002) | Arxiv 2024 | - |  \n")
    found = [(f.line, f.rule) for f in lint.run(parse(text))]
    assert found == [(5, "code-link-not-code"), (5, "duplicate-link"), (6, "duplicate-paper")]


# --- lossless on made-up text of every dialect ----------------------------------------------------

pieces = st.sampled_from([
    "| Title | Venue | Date |\n", "|---|:---:|---|\n", "| [**T**](https://arxiv.org/abs/2401.00001) ", "| EMNLP'23 ",
    "| 2024-01-02 |\n", "[![Paper](https://img.shields.io/badge/Paper-blue)](https://arxiv.org/abs/2402.00002)",
    "- ", "* ", "1. ", "**", "\"", "Title Words Here", "(ArXiv 2025) ", "[[Paper]](https://arxiv.org/abs/2403.00003)",
    "<ins>ICML, 2025</ins>", "*arXiv, May 2023*", "<br>", "\n", "\r\n", "  ", "<td><a href=\"https://arxiv.org/abs/1412.6572\">",
    "FGSM (Goodfellow et al., 2015)</a></td>\n", "<h2 id=\"x\">Sec</h2>\n", "## 1. A\n", "### Sub Heading\n", "|", "\\",
    "🔄 ", "[", "]", "(", ")", "<", ">", "$π$",
])
dialect_text = st.lists(st.one_of(pieces, st.text(max_size=6)), max_size=50).map("".join)


@settings(max_examples=400, deadline=None)
@given(dialect_text)
def test_any_dialect_text_round_trips_and_lints(text):
    doc = parse(text)
    assert doc.render() == text
    for f in lint.run(doc):
        assert 1 <= f.line <= max(1, len(doc.lines))
    keys = [s.key for s in doc.sections]
    assert len(keys) == len(set(keys)) or any(s.number for s in doc.sections)  # slug paths are unique
