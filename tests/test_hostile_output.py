"""Hostile titles, names and URLs through export (bibtex, biblatex), table and format, compiled.

A title, an author name or a link is text someone typed or a service returned: ``Ann {Brace``,
``Robert'); \\input{/etc/passwd} Tables``, a URL with braces, ``%`` or ``#``. Whatever it is,
the BibTeX export must compile with pdflatex + bibtex (plain, plainnat), the biblatex export
with biber, and the table with pdflatex, with no error and no warning (except the accepted
"no authors" ones of tests/rendered.py), and the text must read back as typed: nothing of it is
ever executed as LaTeX (no file read, no command run). ``plmcite format`` prints it as text.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rendered
from plmcite import latex
from plmcite.model import Catalog, Work
from plmcite.names import person_from_name
from plmcite.cli import main

pytestmark = pytest.mark.latex

#: the cases named in issue 9, and their cousins
HOSTILE_NAMES = ["Ann {Brace", "Robert'); \\input{/etc/passwd} Tables", "Bob }{ Close", "#1 Hash", "Ed $x^2$ Math",
                 "Per%cent Sign", "Tilde ~ Person", "x=y, z", "\\relax Backslash", "_under_ Score", "and Others",
                 "\\.\"Quote Mark",  # biber 2.18 looped forever on a '"' in an extended-format name
                 "%¡ Bang", "Left (Paren",  # abbrvnat cut ¡ in two; natbib read "(" as the year's
                 "Dash, -", "- -, Dashes"]  # BibTeX took a part of only hyphens for no part ("comma at the end")
HOSTILE_TITLES = ["\\input{/etc/passwd}", "}{ Unbalanced {", "100% of #1 & $x_i^2$ ~ \\\\ `quotes'' --- -- -",
                  "\\end{document} \\def\\x{y} \\catcode`\\%=12", "[brackets] (parens) <angle> |bar|"]
HOSTILE_URLS = ["https://example.org/a}b{c", "https://example.org/%7Bx%7D?q=a%b#frag", "https://example.org/a\\b c",
                "https://example.org/é?x=ü&y=\"z\"", "javascript:alert(1)", "https://example.org/\\input{x}"]


def hostile_works(titles: list[str], names: list[str], urls: list[str]) -> list[Work]:
    works = []
    kinds = ["conference", "preprint", "other", "journal", "workshop"]
    for i, title in enumerate(titles):
        kind = kinds[i % len(kinds)]
        start = (3 * i) % len(names)  # every name comes first somewhere (natbib labels use the first)
        people = [person_from_name(n) for n in (names[start:] + names[:start])[:3]]
        url = urls[i % len(urls)]
        works.append(Work(
            key=f"hostile{i}", title=title, kind=kind, authors=[p for p in people if p.family],
            year=2024, month=(i % 12) + 1, container=None if kind in ("preprint", "other") else f"Proc. of {title[:20]}",
            venue_short=None if kind in ("preprint", "other") else "X 2024",
            ids={"arxiv": f"2401.{i:05d}"} if kind == "preprint" else {}, url=url, code=[url, "https://github.com/a/b"],
            sections=["1.1"]))
    return works


def write_catalog(path: Path, works: list[Work]) -> Path:
    path.write_text(Catalog(works=works, sections={"1.1": "S"}).dumps(), encoding="utf-8")
    return path


def run(*args: str) -> str:
    return invoke(*args).stdout


def invoke(*args: str):
    r = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return r


#: what a link may be once written: http(s), RFC 3986 characters only (no brace, backslash, space
#: or non-ASCII to break a field or \url{}), every % the start of a %XX escape
SAFE_URL = re.compile(r"(?i)https?://[a-z0-9\-._~:/?#\[\]@!$&'()*+,;=]*(?:%[0-9a-f]{2}[a-z0-9\-._~:/?#\[\]@!$&'()*+,;=]*)*")


def written_urls(bib: str) -> dict[str, list[str]]:
    """Entry key -> the links its entry writes (``url = {...}``, ``\\url{...}`` in any field)."""
    out: dict[str, list[str]] = {}
    for chunk in re.split(r"(?m)^@", bib)[1:]:
        key = re.match(r"\w+\{([^,]*),", chunk).group(1)
        out[key] = re.findall(r"(?m)^\s*url = \{([^}]*)\},?$", chunk) + re.findall(r"\\url\{([^}]*)\}", chunk)
    return out


def check_urls(cat: str, works: list[Work]) -> None:
    """Each work's link is written as an http(s) URL that reads back as typed (percent-decoded),
    or, when it is not an http(s) URL (javascript:, data:, file:), left out with a warning; the
    table writes its links under the same rule."""
    for fmt in ("bibtex", "biblatex"):
        r = invoke("export", "--catalog", cat, "--format", fmt)
        urls = written_urls(r.stdout)
        assert set(urls) == {w.key for w in works}, fmt
        for w in works:
            typed = (w.url or "").strip()
            if re.match(r"(?i)https?://\S", typed):
                assert len(urls[w.key]) == 1 and SAFE_URL.fullmatch(urls[w.key][0]), (fmt, w.url, urls[w.key])
                assert unquote(urls[w.key][0]) == unquote(typed), (fmt, w.url, urls[w.key])
            else:
                assert urls[w.key] == [], (fmt, w.url)
                if typed:
                    assert f"warning: {w.key}: url {w.url!r} is not an http(s) URL; left out" in r.stderr
    table = run("table", "--catalog", cat)
    links = re.findall(r"\\url\{([^}]*)\}", table)
    assert all(SAFE_URL.fullmatch(u) for u in links), links
    typed_links = {c.strip() for w in works for c in w.code} | {(w.url or "").strip() for w in works}
    assert {unquote(u) for u in links} == {unquote(u) for u in typed_links if re.match(r"(?i)https?://\S", u)}


def compile_everything(tmp: Path, works: list[Work]) -> None:
    """Export, table and format of ``works``, compiled; asserts a clean run of each."""
    cat = str(write_catalog(tmp / "catalog.json", works))
    check_urls(cat, works)
    by_key = {w.key: w for w in works}
    for style in ("plainnat", "abbrvnat"):  # abbrvnat makes initials: the byte-counting case
        d = tmp / style
        d.mkdir()
        out = rendered.render_style(d, rendered.STYLES[style], run("export", "--catalog", cat), by_key)
        assert "(/etc/passwd" not in (d / "doc.log").read_text(errors="replace"), style  # never \input: TeX logs "(file"
        assert out.problems == [], style
        assert set(out.refs) == set(by_key), style
    d = tmp / "biber"
    d.mkdir()
    out = rendered.render_style(d, rendered.STYLES["authoryear"], run("export", "--catalog", cat, "--format", "biblatex"),
                                by_key)
    assert "(/etc/passwd" not in (d / "doc.log").read_text(errors="replace")
    assert out.problems == []
    assert set(out.refs) == set(by_key)
    d = tmp / "table"
    d.mkdir()
    table = run("table", "--catalog", cat)
    (d / "refs.bib").write_text(run("export", "--catalog", cat), encoding="utf-8")
    (d / "doc.tex").write_text("\\documentclass[11pt]{article}\n" + rendered.BASE_PREAMBLE + latex.TABLE_PACKAGES
                               + "\n\\begin{document}\n" + table + "\\bibliographystyle{plain}\n\\bibliography{refs}\n"
                               "\\end{document}\n", encoding="utf-8")
    problems = rendered.compile_bibtex(d)
    assert "(/etc/passwd" not in (d / "doc.log").read_text(errors="replace")
    assert [p for p in problems if not rendered.accepted("plain", p, by_key)] == []
    for backend in ("text", "html", "markdown"):
        text = run("format", "--catalog", cat, "--output", backend)
        assert text.count("\n") >= len(works)


def needs_tools():
    missing = rendered.missing_requirements(rendered.STYLES["plainnat"]) + rendered.missing_requirements(
        rendered.STYLES["authoryear"])
    if missing:
        pytest.skip(f"needs {', '.join(sorted(set(missing)))}")


def test_the_named_hostile_inputs_compile_everywhere(tmp_path):
    needs_tools()
    works = hostile_works(HOSTILE_TITLES * 2, HOSTILE_NAMES, HOSTILE_URLS)
    # two authors: natbib's label is "A and B(2024)", and a "(" in it was read as the year's
    works.append(Work(key="paren2024", title="Parenthesis", kind="conference", container="C", year=2024,
                      authors=[person_from_name("\\ \\"), person_from_name("\\ (\\")]))
    compile_everything(tmp_path, works)


def test_hostile_names_read_back_as_typed_under_biber(tmp_path):
    """biber makes initials of name words; a word starting with a symbol gets its initial
    written for it (the extended name format), so the .bbl is valid and the name intact."""
    needs_tools()
    w = Work(key="k", title="T", kind="conference", container="C", year=2024,
             authors=[person_from_name("Ann {Brace"), person_from_name("Robert'); \\input{/etc/passwd} Tables")])
    cat = str(write_catalog(tmp_path / "c.json", [w]))
    bib = run("export", "--catalog", cat, "--format", "biblatex")
    assert "family-i={B}" in bib and "given-i={R}" in bib
    out = rendered.render_style(tmp_path, rendered.STYLES["authoryear"], bib, {"k": w})
    assert out.problems == []
    text = " ".join(out.refs["k"].split())
    assert "{Brace" in text and "\\input{/etc/passwd}" in text


# --- property: any hostile mix ----------------------------------------------------------------------

_SPECIALS = list("\\{}%&#$_^~`<>|'\",.-!?:;()[]/=@*+") + ["\\input{x}", "\\end{document}", "}{", "--", "''"]


def _alphabet() -> list[str]:
    chars = [c for c in sorted(set(latex.tables().native) | set(latex.tables().chars))
             if latex.normalize(c) == c and latex.portable(c)]
    return _SPECIALS + chars[::7] + list("abcXYZ019 ")


hostile_text = st.lists(st.sampled_from(_alphabet()), min_size=1, max_size=24).map("".join).filter(
    lambda s: latex.normalize(s) != "")
hostile_name = st.tuples(hostile_text, hostile_text).map(lambda t: f"{t[0]} {t[1]}")
#: a link as typed: http(s) or another scheme (javascript:, data:, file:), then anything
_URL_STARTS = ["https://example.org/", "http://example.org/", "HTTPS://Example.org", " https://example.org/",
               "javascript:", "JavaScript:alert(1)//", "data:text/html,", "file:///etc/", "ftp://example.org/", "https:/"]
_URL_PARTS = ["}", "{", "%", "%7B", "%zz", "#", "\\", " ", "\\input{x}", "é", "?q=", "&", "/"]
hostile_url = st.tuples(st.sampled_from(_URL_STARTS),
                        st.lists(st.one_of(st.sampled_from(_URL_PARTS), hostile_text), max_size=6)).map(
    lambda t: t[0] + "".join(t[1]))


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(titles=st.lists(hostile_text, min_size=3, max_size=5), names=st.lists(hostile_name, min_size=2, max_size=4),
       urls=st.lists(hostile_url, min_size=1, max_size=3))
def test_any_hostile_title_name_and_url_compiles(tmp_path_factory, titles, names, urls):
    needs_tools()
    works = hostile_works(titles, names, urls)
    compile_everything(tmp_path_factory.mktemp("hostile"), works)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(urls=st.lists(hostile_url, min_size=1, max_size=6))
def test_any_link_is_written_safe_or_left_out(tmp_path_factory, urls):
    """Without compiling: many more links than the compiled property above can afford."""
    works = hostile_works([f"Title {i}" for i in range(len(urls))], ["Ann Bee", "Cee Dee"], urls)
    check_urls(str(write_catalog(tmp_path_factory.mktemp("urls") / "catalog.json", works)), works)
