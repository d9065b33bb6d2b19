"""Property tests: the parser never crashes and the round trip always holds."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from plmcite import lint
from plmcite.edit import apply_edits, plan_fixes
from plmcite.listfile import ENCODING, ERRORS, parse

# text built from the pieces the list is made of, so the parser's branches are exercised
pieces = st.sampled_from([
    "+ ", "**\\[", "\\]**", "**[", "]**", "2025 ", "Arxiv-2503", "ICLR", " Title", ". ", "(", ")",
    "[Paper]", "[Code]", "(https://arxiv.org/pdf/2503.02614v1)", "([link](https://github.com/a/b))",
    ", ", "\n", "\r\n", "\r", "## 1.4 Sec\n", "### 2 X\n", "# T\n", "> q\n", "<!-- c", "-->", "```",
    "$π$", "—", "  ", "\t", "+\n", "- ", "* ", "%", "&", "\\", "@", "{", "}",
])
markdownish = st.lists(st.one_of(pieces, st.text(max_size=8)), max_size=60).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_any_text_round_trips(text):
    doc = parse(text)
    assert doc.render() == text
    lint.run(doc)


@settings(max_examples=400, deadline=None)
@given(markdownish)
def test_listlike_text_round_trips_and_lints(text):
    doc = parse(text)
    assert doc.render() == text
    for f in lint.run(doc):
        assert 1 <= f.line <= max(1, len(doc.lines))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_round_trip(raw):
    assert parse(raw.decode(ENCODING, ERRORS)).render_bytes() == raw


@settings(max_examples=300, deadline=None)
@given(markdownish)
def test_fix_changes_only_entry_and_stray_lines(text):
    doc = parse(text)
    edits = plan_fixes(doc)
    new = apply_edits(doc, edits)
    edited = {e.line for e in edits}
    kept = [l.text + l.eol for no, l in enumerate(doc.lines, 1) if no not in edited]
    # every untouched line survives, in order
    rest = new
    for piece in kept:
        idx = rest.find(piece)
        assert idx >= 0
        rest = rest[idx + len(piece):]
    # fixing is idempotent
    assert plan_fixes(parse(new)) == []
