"""fix and add touch only the lines they must, atomically, and never clobber a concurrent edit."""

from __future__ import annotations

import difflib
from pathlib import Path

from click.testing import CliRunner

from plmcite.atomic import ConcurrentModificationError, Snapshot
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
