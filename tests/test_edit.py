"""fix and add touch only the lines they must, atomically, and never clobber a concurrent edit."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from click.testing import CliRunner

from plmcite.atomic import ConcurrentModificationError, Snapshot
from plmcite.errors import InputError
from plmcite.cli import main
from plmcite.edit import apply_edits, plan_fixes
from plmcite.listfile import parse, parse_file
from plmcite import lint

from conftest import START, UPSTREAM


def _changed_lines(old: str, new: str) -> list[str]:
    return [l for l in difflib.ndiff(old.splitlines(), new.splitlines()) if l[:1] in "+-"]


def test_fix_touches_only_fixed_lines(start_list):
    before = start_list.read_text()
    res = CliRunner().invoke(main, ["fix", "--list", str(start_list)])
    assert res.exit_code == 0, res.output
    after = start_list.read_text()
    changed = [l for l in _changed_lines(before, after) if l.startswith("-")]
    assert len(changed) == 8
    doc = parse(after, str(start_list))
    rules = {f.rule for f in lint.run(doc)}
    assert not rules & {"malformed-entry", "trailing-whitespace", "label-case"}
    # every entry keeps its tag, title and link targets
    old = parse(before)
    assert [(e.title, e.tag, [l.url for l in e.links]) for e in old.entries] == \
           [(e.title, e.tag, [l.url for l in e.links]) for e in doc.entries]
    # and a second run has nothing left to do
    res = CliRunner().invoke(main, ["fix", "--list", str(start_list)])
    assert "nothing to fix" in res.output and start_list.read_text() == after


def test_fix_removes_stray_bullets_only():
    path = next(p for p in UPSTREAM if "2026-04-07" in p.name)
    doc = parse_file(path)
    new = apply_edits(doc, plan_fixes(doc))
    removed = [l for l in _changed_lines(doc.render(), new) if l.startswith("-")]
    assert len(removed) == 65 and all(l.strip() == "- +" for l in removed)
    assert [e.title for e in parse(new).entries] == [e.title for e in doc.entries]


def test_fix_dry_run_writes_nothing(start_list):
    before = start_list.read_bytes()
    res = CliRunner().invoke(main, ["fix", "--list", str(start_list), "--dry-run"])
    assert res.exit_code == 0
    assert "+++ b/" in res.stdout and "[Paper](https://arxiv.org/pdf/2406.11657)" in res.stdout
    assert start_list.read_bytes() == before


def test_concurrent_change_is_never_overwritten(tmp_path):
    p = tmp_path / "l.md"
    p.write_text("a\n")
    snap, _ = Snapshot.take(p)
    p.write_text("changed by someone else\n")
    try:
        snap.write("ours\n")
    except ConcurrentModificationError as e:
        assert str(p) in str(e)
    else:
        raise AssertionError("overwrote a concurrent change")
    assert p.read_text() == "changed by someone else\n"


def test_add_inserts_newest_first(start_list):
    before = start_list.read_text()
    res = CliRunner().invoke(main, ["add", "2505.01234", "--section", "1.4", "--list", str(start_list),
                                    "--title", "A New Decoding Method", "--code", "https://github.com/a/b"])
    assert res.exit_code == 0, res.output
    after = start_list.read_text()
    diff = _changed_lines(before, after)
    assert diff == ["+ + **\\[2025 Arxiv-2505\\]** A New Decoding Method. ([Paper](https://arxiv.org/pdf/2505.01234), [Code](https://github.com/a/b))",
                    "+ "]
    doc = parse(after)
    sec = [e for e in doc.entries if e.section == "1.4"]
    assert sec[0].title == "A New Decoding Method"
    problems = lambda d: [(f.rule, f.message) for f in lint.run(d, select=["malformed-entry", "no-link"])]
    assert problems(doc) == problems(parse(before))  # the new line is clean


def test_add_goes_after_newer_entries(start_list):
    res = CliRunner().invoke(main, ["add", "2301.00001", "--section", "1.4", "--list", str(start_list),
                                    "--title", "Old Paper"])
    assert res.exit_code == 0, res.output
    sec = [e for e in parse_file(start_list).entries if e.section == "1.4"]
    assert sec[-1].title == "Old Paper"  # 2023 is older than everything in 1.4
    assert start_list.read_text().count("\n\n+ **\\[2023 Arxiv-2301\\]** Old Paper.") == 1


def test_add_refuses_duplicates_and_says_where(start_list):
    before = start_list.read_bytes()
    res = CliRunner().invoke(main, ["add", "arXiv:2410.04070v2", "--section", "2.3", "--list", str(start_list)])
    assert res.exit_code == 1
    assert ":83: already in the list (section 1.4)" in res.output
    res = CliRunner().invoke(main, ["add", "https://aclanthology.org/2024.emnlp-main.85/", "--section", "2.3",
                                    "--list", str(start_list), "--title", "x", "--tag", "2024 EMNLP"])
    assert res.exit_code == 1 and "Controllable Preference Optimization" in res.output
    assert start_list.read_bytes() == before


def test_add_unknown_section(start_list):
    res = CliRunner().invoke(main, ["add", "2505.01234", "--section", "9.9", "--list", str(start_list), "--title", "T"])
    assert res.exit_code == 1 and "no section '9.9'" in res.output


CATALOG = Path(__file__).resolve().parent.parent / "refs" / "catalog.json"


def test_fix_tags_corrects_stale_tags_from_the_catalog(start_list):
    before = start_list.read_text()
    res = CliRunner().invoke(main, ["fix", "--tags", "--list", str(start_list), "--catalog", str(CATALOG)])
    assert res.exit_code == 0, res.output
    after = start_list.read_text()
    lines = after.splitlines()
    # published papers get their venue tag, in the author's bracket style
    assert lines[138].startswith("+ **\\[2025 WWW\\]** Large Language Models Empowered Personalized Web Agents.")
    assert lines[90].startswith("+ **\\[2024 EMNLP Findings\\]** Conditioned Language Policy")
    # a preprint whose Arxiv-YYMM contradicts its own link gets the link's month
    assert lines[172].startswith("+ **\\[2024 Arxiv-2401\\]** Unims-rag")
    # a preprint with a venue tag and no published version found is left for a human
    assert lines[186] == before.splitlines()[186]
    # nothing but tags and mechanical markup changed: titles and links are the same
    old, new = parse(before), parse(after)
    assert [(e.title, [l.url for l in e.links]) for e in old.entries] == [(e.title, [l.url for l in e.links]) for e in new.entries]
    # and the catalog lint rules about tags are satisfied
    from plmcite.catalog import load

    stale = [f for f in lint.run(new, load(CATALOG)) if f.rule in ("stale-arxiv-tag", "tag-arxiv-mismatch")]
    assert stale == []


def test_fix_tags_needs_a_catalog(start_list, tmp_path):
    res = CliRunner().invoke(main, ["fix", "--tags", "--list", str(start_list), "--catalog", str(tmp_path / "none.json")])
    assert res.exit_code == 1 and "needs the catalog" in res.output


# --- add writes only what it means to: one line, no markup from the title, http(s) links only ------

import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

from hypothesis import given, settings, strategies as st  # noqa: E402

from plmcite.edit import add_entry  # noqa: E402
from plmcite.listfmt.write import UnsafeInput  # noqa: E402
from plmcite.match import normalize_title  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LISTS = Path(__file__).parent / "fixtures" / "lists"


def plmcite(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The real command line, as a person runs it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "plmcite.cli", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=60)


def test_a_title_with_a_newline_never_writes_a_heading(start_list):
    before = start_list.read_bytes()
    r = plmcite("add", "2501.00001", "--section", "1.4", "--list", str(start_list), "--title", "Evil\n## 9. Injected")
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.startswith("Error: the title must be one line") and r.stderr.count("\n") == 1
    assert start_list.read_bytes() == before


def test_a_title_cannot_make_a_link(start_list):
    r = plmcite("add", "2501.00001", "--section", "1.4", "--list", str(start_list), "--tag", "2025 Arxiv-2501",
                "--title", "x](javascript:alert(1)) ([Paper](https://e")
    assert r.returncode == 0, r.stderr
    doc = parse_file(start_list)
    new = next(e for e in doc.entries if e.ids.get("arxiv") == "2501.00001")
    assert [(l.label, l.url) for l in new.links] == [("Paper", "https://arxiv.org/pdf/2501.00001")]
    assert not any("javascript" in l.url for e in doc.entries for l in e.links)
    assert new.title == r"x\](javascript:alert(1)) (\[Paper\](https://e"  # shown as typed, markup escaped
    problems = lambda d: [(f.rule, f.message) for f in lint.run(d, select=["malformed-entry", "no-link"])]
    assert problems(doc) == problems(parse(START.read_text()))  # the new line is clean


@pytest.mark.parametrize("args, message", [
    (["--code", "javascript:alert(1)"], "Error: the code link must be an http(s) URL, not 'javascript:alert(1)'"),
    (["--code", "file:///etc/passwd"], "Error: the code link must be an http(s) URL"),
    (["--tag", "2025 ICLR\\]** [x](javascript:y) **\\["], "Error: the tag must be a short label"),
    (["--title", "tab\tand bell\x07"], "Error: the title holds control characters"),
])
def test_bad_links_and_tags_are_one_clear_error(start_list, args, message):
    before = start_list.read_bytes()
    r = plmcite("add", "2501.00001", "--section", "1.4", "--list", str(start_list), "--title", "T", *args)
    assert r.returncode == 1 and r.stderr.startswith(message) and r.stderr.count("\n") == 1, r.stderr
    assert "Traceback" not in r.stderr and start_list.read_bytes() == before


def test_a_code_url_cannot_end_its_link_early(start_list):
    r = plmcite("add", "2501.00001", "--section", "1.4", "--list", str(start_list), "--title", "Safe Code Link",
                "--code", "https://github.com/a/b) [x](javascript:y")
    assert r.returncode == 0, r.stderr
    new = next(e for e in parse_file(start_list).entries if e.ids.get("arxiv") == "2501.00001")
    assert [l.url for l in new.links] == ["https://arxiv.org/pdf/2501.00001", "https://github.com/a/b%29%20%5Bx%5D%28javascript:y"]


hostile = st.text(alphabet=st.sampled_from(list("ab |[]()<>*_`\\!#:$%\"'&") + ["\n", "\u2028", "\x00", "é", "π"]),
                  min_size=1, max_size=40)
#: titles add accepts: words with markup between them (a random string of hostile characters is
#: mostly refused, which would leave the read-back check below with few examples)
_word = st.text(alphabet=st.sampled_from(list("abcxyzABZ019éπ")), min_size=1, max_size=8)
_markup = st.sampled_from(list("|[]()<>*_`\\!#:$%\"'&.,-") + ["**", "__", "[x](javascript:y)", "`code`", "<b>",
                                                                   "$x^2$", "\\[", "](", "| - |", "\u00a0"])
_token = st.one_of(_word, _word, _markup)
wordy = st.builds(lambda before, word, after, sep: sep.join(before + [word] + after),
                  st.lists(_token, max_size=5), _word, st.lists(_token, max_size=5), st.sampled_from([" ", " ", ""]))


@settings(max_examples=300, deadline=None)
@given(st.one_of(wordy, wordy, wordy, hostile), st.sampled_from(["tagged", "table", "bullet"]))
def test_any_title_is_refused_or_reads_back_as_itself(title, dialect):
    """Whatever the title, add either refuses it or writes exactly one entry, in its section, whose
    title reads back as the given one and whose only links are the ones asked for; every other
    entry stays as it was."""
    path = {"tagged": START, "table": LISTS / "HqWu-HITCS__Awesome-Personalized-LLM.md",
            "bullet": LISTS / "nuochenpku__Awesome-Role-Play-Papers.md"}[dialect]
    section = {"tagged": "1.4", "table": "awesome-papers/personalized-chat", "bullet": "1.1"}[dialect]
    doc = parse_file(path)
    try:
        text, at, _ = add_entry(doc, section, {"arxiv": "2501.00001"}, title, "2025 ICLR", "https://github.com/x/y")
    except UnsafeInput:
        return
    except InputError as e:  # the title reads back differently (e.g. it is only punctuation): nothing written
        assert "would not read back" in str(e) or "empty" in str(e)
        return
    new = parse(text)
    assert len(new.entries) == len(doc.entries) + 1
    added = next(e for e in new.entries if e.line == at)
    assert added.section == section
    assert normalize_title(added.title) == normalize_title(title)
    assert {l.url for l in added.links} == {"https://arxiv.org/pdf/2501.00001", "https://github.com/x/y"}
    assert [(e.section, e.title, [l.url for l in e.links]) for e in new.entries if e is not added] == \
           [(e.section, e.title, [l.url for l in e.links]) for e in doc.entries]


# --- add in the list's own dialect ------------------------------------------------------------------


def _copy(tmp_path, name: str) -> Path:
    p = tmp_path / name
    p.write_bytes((LISTS / name).read_bytes())
    return p


def test_add_writes_a_table_row_like_its_neighbours(tmp_path):
    path = _copy(tmp_path, "HqWu-HITCS__Awesome-Personalized-LLM.md")
    before = path.read_text()
    r = plmcite("add", "2501.00001", "--section", "Personalized Chat", "--list", str(path), "--title",
                "Persona Tables: A Test | With a Pipe", "--tag", "2025 ICLR", "--code", "https://github.com/x/y")
    assert r.returncode == 0, r.stderr
    assert r.stderr == f"{path}:43: added to section awesome-papers/personalized-chat\n"
    diff = _changed_lines(before, path.read_text())
    assert diff == ["+ | [**Persona Tables: A Test \\| With a Pipe**](https://arxiv.org/pdf/2501.00001) | ICLR25 | 2025 "
                    "| [Code](https://github.com/x/y) | - |"]
    e = next(e for e in parse_file(path).entries if e.line == 43)
    assert (e.dialect, e.title, e.tag.venue, e.tag.year, e.code) == (
        "table", "Persona Tables: A Test | With a Pipe", "ICLR", 2025, ["https://github.com/x/y"])
    rules_before = sorted(f.rule for f in lint.run(parse(before, str(path))))
    assert sorted(f.rule for f in lint.run(parse_file(path))) == rules_before


def test_add_writes_a_list_item_like_its_neighbours(tmp_path):
    path = _copy(tmp_path, "nuochenpku__Awesome-Role-Play-Papers.md")
    before = path.read_text()
    r = plmcite("add", "2501.00001", "--section", "1.1", "--list", str(path), "--title", "A Role-Play Test Paper",
                "--tag", "2025 ACL")
    assert r.returncode == 0, r.stderr
    assert _changed_lines(before, path.read_text()) == [
        "+ - **A Role-Play Test Paper** [[ACL 2025]](https://arxiv.org/pdf/2501.00001)", "+ "]
    e = next(e for e in parse_file(path).entries if e.title == "A Role-Play Test Paper")
    assert (e.dialect, e.section, e.tag.venue, e.tag.year, e.ids) == ("bullet", "1.1", "ACL", 2025, {"arxiv": "2501.00001"})


def test_add_refuses_an_html_section_and_a_parent_of_several(tmp_path):
    path = _copy(tmp_path, "Trustworthy-AI-Group__TransferAttack.md")
    r = plmcite("add", "2501.00001", "--section", "untargeted-attacks", "--list", str(path), "--title", "A B C")
    assert r.returncode == 1 and "does not write HTML table rows" in r.stderr
    path = _copy(tmp_path, "HqWu-HITCS__Awesome-Personalized-LLM.md")
    r = plmcite("add", "2501.00001", "--section", "evaluation-personality-of-llm", "--list", str(path), "--title", "A B C")
    assert r.returncode == 1 and "no table to add a row to" in r.stderr
    r = plmcite("add", "2501.00001", "--section", "nonesuch", "--list", str(path), "--title", "A B C")
    assert r.returncode == 1 and r.stderr.startswith("Error: no section 'nonesuch' (sections: awesome-datasets,")


def test_fix_leaves_other_dialects_as_written(tmp_path):
    """Lowercase [[paper]] labels and trailing spaces are those lists' style; fix repairs the
    tagged template only."""
    for name in ("WooooDyy__LLM-Agent-Paper-List.md", "Tomsawyerhu__Awesome-Personalized-Alignment.md"):
        path = _copy(tmp_path, name)
        before = path.read_bytes()
        r = CliRunner().invoke(main, ["fix", "--list", str(path)])
        assert r.exit_code == 0 and "nothing to fix" in r.output, r.output
        assert path.read_bytes() == before
