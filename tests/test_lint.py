"""Lint finds the starting list's real problems, and nothing on clean entries."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from plmcite import lint
from plmcite.cli import main
from plmcite.listfile import parse, parse_file

from conftest import START, UPSTREAM

# The real problems of the starting list, checked by hand against the file.
EXPECTED_START = [
    (25, "label-mismatch"),        # [Code] -> hannahkirk.github.io project page
    (27, "duplicate-link"),        # [website] == [Paper]
    (27, "label-case"),
    (27, "label-mismatch"),        # [website] -> arXiv PDF
    (40, "no-link"),               # Persona-judge
    (42, "label-mismatch"),        # [Code] -> idanshen.github.io
    (62, "code-link-not-code"),    # [Code] -> Anthology PDF
    (62, "duplicate-link"),
    (70, "label-case"),
    (85, "label-case"),
    (113, "label-case"),
    (113, "tag-arxiv-mismatch"),   # "2024 Arxiv-2502"
    (115, "label-case"),
    (115, "tag-arxiv-mismatch"),   # "2024 Arxiv-2503"
    (121, "duplicate-paper"),      # Neuron-based ... in 1.4 and 2.2
    (123, "duplicate-paper"),      # Personality Alignment ... in 1.3 and 2.2
    (129, "tag-arxiv-mismatch"),   # LaMP-QA: Arxiv-2505 but 2506.00137
    (139, "duplicate-paper"),      # PersonalWAB twice in 2.2 (same arXiv id)
    (139, "label-mismatch"),
    (143, "label-mismatch"),
    (147, "label-mismatch"),
    (173, "tag-arxiv-mismatch"),   # Unims-rag: Arxiv-2411 but 2401.13256
    (177, "trailing-whitespace"),
    (183, "malformed-entry"),      # ", )"
    (191, "code-link-not-code"),   # [Code] -> ACM PDF
    (191, "duplicate-link"),
    (204, "no-link"),              # Energy-Based Reward Models
    (206, "shared-code-link"),     # DiffPO's Code is MC-LLaVA's repository
    (218, "duplicate-paper"),      # MC-LLaVA twice, two arXiv ids
    (230, "malformed-entry"),      # [Paper]([link](...))
    (230, "malformed-entry"),      # [Code]([link](...))
    (234, "duplicate-paper"),      # Guided Profile Generation in 2.3 and 2.4
    (242, "code-link-not-code"),   # HYDRA [Code] -> arXiv PDF
    (242, "duplicate-link"),
]


def test_starting_list_findings_are_pinned():
    findings = lint.run(parse_file(START))
    assert [(f.line, f.rule) for f in findings] == EXPECTED_START


def test_flagged_lines_are_exactly_the_problem_lines():
    doc = parse_file(START)
    flagged = {f.line for f in lint.run(doc)}
    clean = [e for e in doc.entries if e.line not in flagged]
    # 102 entries, 25 of them with a problem: the other 77 are clean and raise nothing
    assert flagged <= {e.line for e in doc.entries}
    assert (len(flagged), len(clean)) == (25, 77)


def test_messages_name_the_problem():
    msgs = {(f.line, f.rule): f.message for f in lint.run(parse_file(START))}
    assert "2506.00137" in msgs[(129, "tag-arxiv-mismatch")]
    assert "line 87 (section 1.4)" in msgs[(121, "duplicate-paper")]
    assert "2503.18854 vs 2411.11706" in msgs[(218, "duplicate-paper")]
    assert "line 208" in msgs[(206, "shared-code-link")]


@pytest.mark.parametrize("path", UPSTREAM, ids=lambda p: p.name)
def test_lint_runs_on_every_version(path):
    findings = lint.run(parse_file(path))
    assert all(f.severity in lint.SEVERITIES for f in findings)


def test_stray_lines_in_later_version():
    path = next(p for p in UPSTREAM if "2026-04-07" in p.name)
    stray = [f for f in lint.run(parse_file(path)) if f.rule == "stray-line"]
    assert len(stray) == 65


@pytest.mark.parametrize("line", [
    "+ **\\[2025 ICLR\\]** Clean Title. ([Paper](https://openreview.net/forum?id=abcdefghij))",
    "+ **\\[2024 Arxiv-2410\\]** Clean: Title. ([Paper](https://arxiv.org/pdf/2410.12327), [Code](https://github.com/a/b))",
    "+ **[2026 Arxiv-2603]** Unescaped Brackets. ([Paper](https://arxiv.org/pdf/2603.24535v1))",
    "+ **\\[2024 NeurIPS\\]** Published Later. ([Paper](https://arxiv.org/pdf/2312.07401))",
    "+ **\\[2024 ACL\\]** Anthology. ([Paper](https://aclanthology.org/2024.acl-long.468.pdf), [Code](https://github.com/x/y))",
])
def test_clean_entries_raise_nothing(line):
    assert lint.run(parse(line + "\n")) == []


def test_cli_formats_and_exit_code(tmp_path):
    runner = CliRunner()
    res = runner.invoke(main, ["lint", "--list", str(START), "--no-catalog"])
    assert res.exit_code == 1
    assert f"{START}:129: tag-arxiv-mismatch: " in res.stdout
    res = runner.invoke(main, ["lint", "--list", str(START), "--format", "json", "--no-catalog"])
    data = json.loads(res.stdout)
    assert {"file", "line", "rule", "severity", "message"} == set(data["findings"][0])
    assert len(data["findings"]) == len(EXPECTED_START)
    res = runner.invoke(main, ["lint", "--list", str(START), "--format", "github", "--no-catalog"])
    assert f"::error file={START},line=40,title=no-link::" in res.stdout
    clean = tmp_path / "clean.md"
    clean.write_text("## 1 A\n\n+ **\\[2025 ICLR\\]** T. ([Paper](https://openreview.net/forum?id=abcdefghij))\n")
    res = runner.invoke(main, ["lint", "--list", str(clean), "--no-catalog"])
    assert res.exit_code == 0 and res.stdout == ""


def test_select_and_ignore():
    runner = CliRunner()
    res = runner.invoke(main, ["lint", "--list", str(START), "--select", "no-link", "--no-catalog"])
    assert res.stdout.count("no-link") == 2 and res.exit_code == 1
    res = runner.invoke(main, ["lint", "--list", str(START), "--select", "label-case", "--no-catalog"])
    assert res.exit_code == 0  # info only
    res = runner.invoke(main, ["lint", "--list", str(START), "--select", "nope"])
    assert res.exit_code == 2 and "unknown rule" in res.output


def test_every_rule_documents_its_rationale():
    assert len(lint.RULES) >= 10
    for r in lint.RULES.values():
        assert len(r.doc) > 40, r.id


def test_docs_describe_every_rule():
    from pathlib import Path

    text = (Path(__file__).parent.parent / "docs" / "list-and-lint.md").read_text()
    assert lint.rules_markdown() in text, "regenerate the table with plmcite.lint.rules_markdown()"
    assert len(lint.all_rules()) >= 15


# --- near-identical titles ---------------------------------------------------------------------------

from plmcite.lint.list_rules import one_word_apart, title_matches  # noqa: E402
from plmcite.match import normalize_title  # noqa: E402


@pytest.mark.parametrize("a, b, same", [
    ("Personalized Soups: Model Merging", "Personalised Soups: Model Merging", True),  # British spelling
    ("Learning to Rewrite Prompts", "Learning to Rewirte Prompts", True),  # two letters swapped
    ("A Survey of Personalized LLMs", "Survey of Personalized LLMs", True),  # a small word dropped
    ("A Survey of Personalized LLMs", "A Survey on Personalized LLMs", True),  # a small word exchanged
    ("Large Language Models are Agents", "LargeLanguage Models are Agents", True),  # run together
    ("Large Language Models are Agents", "Small Language Models are Agents", False),  # a content word
    ("DreamBench++: Personalized Image Generation", "DreamBench++: Personalized Video Generation", False),
    ("LLaMA 2: Open Foundation Models", "LLaMA 3: Open Foundation Models", False),  # a number
    ("Personalized Multimodal Models: A Survey", "Personalized Models: A Survey", False),  # a content word dropped
    ("Learning to Rewrite Prompts Fast", "Learning to Rewrite Prompts", False),
])
def test_near_identical_titles(a, b, same):
    na, nb = normalize_title(a), normalize_title(b)
    assert (1 in title_matches([na, nb])) == same
    assert one_word_apart(na.split(), nb.split()) == (same and na.replace(" ", "") != nb.replace(" ", ""))


def test_a_title_listed_three_times_is_reported_against_the_first_two():
    lines = ["## 1 A", ""] + [f"+ **\\[2024 X\\]** The Same Title Thrice. ([Paper](https://arxiv.org/abs/2401.0000{i}))"
                              for i in range(1, 4)]
    found = [(f.line, f.message) for f in lint.run(parse("\n".join(lines) + "\n"), select=["duplicate-paper"])]
    assert found == [(4, "same title as line 3 (section 1) (different arxiv ids: 2401.00001 vs 2401.00002; check which one is right)"),
                     (5, "same title as line 3 (section 1) (different arxiv ids: 2401.00001 vs 2401.00003; check which one is right)"),
                     (5, "same title as line 4 (section 1) (different arxiv ids: 2401.00002 vs 2401.00003; check which one is right)")]


def test_duplicate_titles_among_many_that_share_their_beginning():
    """Titles that share a long prefix do not make the check slow or noisy: only the real copy is reported."""
    import random

    rng = random.Random(3)
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "theta", "kappa", "lambda", "sigma", "omega"]
    titles = ["Towards Personalized Large Language Models: " + " ".join(rng.choice(words) for _ in range(8)) + f" {i}"
              for i in range(3000)]
    titles.append(titles[1234].replace("Personalized", "Personalised"))
    norms = [normalize_title(t) for t in titles]
    assert title_matches(norms) == {3000: [1234]}
