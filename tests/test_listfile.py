"""The parser reads every real version of the list and gives it back byte for byte."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from plmcite import lint
from plmcite.listfile import parse, parse_file

from conftest import START, UPSTREAM


def test_all_upstream_versions_are_present():
    assert len(UPSTREAM) == 12


@pytest.mark.parametrize("path", UPSTREAM, ids=lambda p: p.name)
def test_round_trip_is_byte_identical(path):
    doc = parse_file(path)
    assert doc.render_bytes() == path.read_bytes()
    assert doc.entries, "every version of the list has entries"


@pytest.mark.parametrize("path", UPSTREAM, ids=lambda p: p.name)
def test_every_bullet_line_is_an_entry_or_an_empty_bullet(path):
    doc = parse_file(path)
    for no, line in enumerate(doc.lines, start=1):
        if line.text.startswith("+ ") and line.text.strip() != "+":
            assert line.kind == "entry", (path.name, no, line.text)
        if line.text.strip() == "+":
            assert line.kind == "bullet", (path.name, no, line.text)


def test_starting_list_structure():
    doc = parse_file(START)
    assert len(doc.entries) == 102
    assert [s.key for s in doc.sections] == ["1", "1.1", "1.2", "1.3", "1.4", "2", "2.1", "2.2", "2.3", "2.4"]
    assert doc.section("2.3").title.startswith("Retrieval-Augmented Generation")
    # the two surveys before the first numbered heading belong to the top-level section
    assert [e.section for e in doc.entries[:2]] == ["", ""]
    assert sum(1 for e in doc.entries if e.section == "1.4") == 10


def test_entry_fields():
    doc = parse_file(START)
    e = next(e for e in doc.entries if e.title.startswith("PAD:"))
    assert (e.section, e.line) == ("1.4", 83)
    assert (e.tag.year, e.tag.venue, e.tag.arxiv_month) == (2025, "ICLR", None)
    assert e.title == "PAD: Personalized Alignment of LLMs at Decoding-Time"
    assert [(l.label, l.url) for l in e.links] == [("Paper", "https://arxiv.org/pdf/2410.04070")]
    assert e.ids == {"arxiv": "2410.04070"}
    drift = next(e for e in doc.entries if e.title.startswith("Drift"))
    assert (drift.tag.year, drift.tag.venue, drift.tag.arxiv_month) == (2025, "Arxiv", "2502")


def test_messy_entries():
    doc = parse_file(START)
    by_title = {e.title: e for e in doc.entries}
    judge = by_title["Can LLM be a Personalized Judge?"]
    assert [l.url for l in judge.links] == ["https://arxiv.org/pdf/2406.11657",
                                            "https://github.com/dong-river/Personalized-Judge"]
    assert all(l.nested for l in judge.links)
    assert judge.ids == {"arxiv": "2406.11657"} and judge.code == ["https://github.com/dong-river/Personalized-Judge"]
    persona_judge = next(e for e in doc.entries if e.title.startswith("Persona-judge"))
    assert persona_judge.links == [] and persona_judge.tag.arxiv_month == "2504"
    dyn = by_title["Dynamic Generation of Personalities with Large Language Models"]
    assert dyn.ids == {"arxiv": "2404.07084"} and dyn.problems == ["empty item after the last link"]
    orca = next(e for e in doc.entries if e.title.startswith("Orca"))
    assert orca.raw.endswith(" ") and orca.links[0].url == "https://arxiv.org/pdf/2411.10006"


def test_later_versions_mess():
    doc = parse_file(next(p for p in UPSTREAM if "2026-04-07" in p.name))
    assert sum(1 for l in doc.lines if l.kind == "bullet") == 65  # "+" alone on a line
    doc = parse_file(next(p for p in UPSTREAM if "2026-06-09" in p.name))
    untagged = next(e for e in doc.entries if e.title.startswith("Awesome Personalization in MLLMs"))
    assert untagged.tag is None and untagged.links[0].label == "Website"
    unescaped = [e for p in UPSTREAM for e in parse_file(p).entries if e.tag and not e.tag.escaped]
    assert unescaped and all(e.tag.year for e in unescaped)


def test_unnumbered_headings_and_weekly_updates():
    doc = parse_file(next(p for p in UPSTREAM if "2026-04-02" in p.name))
    # an unnumbered heading is the slug path of the headings it sits under
    weekly = [e for e in doc.entries if e.section == "weekly-updates-automated/2026-04-02"]
    assert len(weekly) == 20, "entries under an unnumbered sub-heading get its slug path as their section"
    assert [(s.key, s.title) for s in doc.sections[:2]] == [
        ("weekly-updates-automated", "Weekly Updates (Automated)"), ("weekly-updates-automated/2026-04-02", "2026-04-02")]
    assert doc.section("1.3").title == "Training-based Methods"


def test_headings_variants():
    text = "# Title\n+ **\\[2024 X\\]** Top. ([Paper](https://arxiv.org/abs/2401.00001))\n## 1. A\n### 1.4 B c\n## 2 C\n#### 2.1.3 Deep\n"
    doc = parse(text)
    assert [(s.key, s.title) for s in doc.sections] == [("1", "A"), ("1.4", "B c"), ("2", "C"), ("2.1.3", "Deep")]
    assert doc.entries[0].section == ""


def test_crlf_and_no_final_newline_and_invalid_utf8():
    raw = b"## 1 A\r\n+ **\\[2024 X\\]** T\xe9\xff. ([Paper](http://arxiv.org/abs/2401.00001v2))\r\n\r\nlast"
    from plmcite.listfile import ENCODING, ERRORS

    doc = parse(raw.decode(ENCODING, ERRORS))
    assert doc.render_bytes() == raw
    assert doc.entries[0].ids == {"arxiv": "2401.00001"}


def test_math_and_dashes_in_titles():
    doc = parse("+ **\\[2024 ICML\\]** $π$-Tuning — fast (really) tuning. ([Paper](https://arxiv.org/pdf/2402.00002))\n")
    e = doc.entries[0]
    assert e.title == "$π$-Tuning — fast (really) tuning"
    assert e.ids == {"arxiv": "2402.00002"}


# --- the starting list and its 12 upstream versions read exactly as before the dialects ----------

PINNED = Path(__file__).parent / "fixtures" / "upstream-pinned" / "parse-and-lint.json"


def _old_shape(doc) -> dict:
    """What `plmcite parse --json` said of a list before the other dialects, field for field."""
    def entry(e):
        tag = None if e.tag is None else {"raw": e.tag.raw, "year": e.tag.year, "venue": e.tag.venue,
                                          "arxiv_month": e.tag.arxiv_month}
        links = [{"label": l.label, "url": l.url, "target": l.target, **({"ids": l.ids} if l.ids else {})} for l in e.links]
        return {"section": e.section, "line": e.line, "tag": tag, "title": e.title, "links": links, "ids": e.ids,
                "code": e.code, "problems": e.problems}
    return {"sections": [[s.key, s.number, s.title, s.level, s.line] for s in doc.sections],
            "line_sections": [l.section for l in doc.lines], "entries": [entry(e) for e in doc.entries]}


@pytest.mark.parametrize("path", UPSTREAM, ids=lambda p: p.name)
def test_every_upstream_version_reads_and_lints_as_before(path):
    """Pinned from the parser and linter before tables, bullets and slug paths existed (the one
    deliberate change: the weekly-updates headings of 2026-04-02 are now keyed by their slug path,
    "weekly-updates-automated/2026-04-02", where they were keyed by their text)."""
    pinned = json.loads(PINNED.read_text(encoding="utf-8"))[path.name]
    doc = parse_file(path)
    blob = json.dumps(_old_shape(doc), sort_keys=True, ensure_ascii=False).encode()
    assert len(doc.entries) == pinned["entries"]
    assert hashlib.sha256(blob).hexdigest() == pinned["parse_sha256"]
    assert [[f.line, f.rule, f.message] for f in lint.run(doc)] == pinned["findings"]
    assert all(e.dialect == "tagged" for e in doc.entries)
