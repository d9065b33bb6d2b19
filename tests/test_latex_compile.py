"""The exported BibTeX compiles, with zero errors and zero warnings, in real LaTeX toolchains.

For every section of the catalog and for the whole list: pdflatex + bibtex with ``plain`` and
with natbib's ``plainnat``, and biblatex + biber (the BibTeX export and the biblatex export).
Every run happens in a fresh temporary directory and nothing is cached between tests. The
documents use the preamble docs/bibtex.md recommends: T1 fonts (lmodern) and the url package.

Warnings that count: anything LaTeX, a package or a class calls a warning (undefined citations
included), missing characters, BibTeX's "Warning--" and error messages, biber's WARN and ERROR.
Over- and underfull boxes do not count.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plmcite import bibtex, latex, refs_bib
from plmcite.model import Person, Work
from plmcite.catalog import load
from plmcite.cli import main

import rendered

pytestmark = pytest.mark.latex

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "catalog" / "catalog.json"
REPO_CATALOG = ROOT / "refs" / "catalog.json"

_missing_tools = [t for t in ("pdflatex", "bibtex", "biber") if shutil.which(t) is None]
requires_tex = pytest.mark.skipif(
    bool(_missing_tools),
    reason=f"needs {', '.join(_missing_tools)} (apt-get install texlive-latex-base "
           "texlive-latex-recommended texlive-bibtex-extra biber)",
)

def _has_sty(name: str) -> bool:
    if not shutil.which("kpsewhich"):
        return False
    return bool(subprocess.run(["kpsewhich", name], capture_output=True, text=True).stdout.strip())


# Latin Modern when installed (Debian's lmodern package); otherwise T1 with the EC fonts, which
# TeX builds from METAFONT sources on first use (slower, same result)
PREAMBLE = ("\\documentclass{article}\n\\usepackage[T1]{fontenc}\n"
            + ("\\usepackage{lmodern}\n" if _has_sty("lmodern.sty") else "")
            + "\\usepackage{url}\n")

# one set of compile helpers for every LaTeX test (tests/rendered.py)
compile_bibtex, compile_biber, latex_problems = rendered.compile_bibtex, rendered.compile_biber, rendered.latex_problems


def keys_of(bib_text: str) -> list[str]:
    return re.findall(r"^@\w+\{([^,\s]+),", bib_text, re.M)


def bibtex_doc(keys: list[str], style: str, bibname: str = "refs") -> str:
    natbib = style != "plain"
    cite = "\\citep" if natbib else "\\cite"
    body = f"{cite}{{{','.join(keys)}}}\n" if keys else "No works.\\nocite{*}\n"
    return (PREAMBLE + ("\\usepackage{natbib}\n" if natbib else "") + "\\begin{document}\n" + body
            + f"\\bibliographystyle{{{style}}}\n\\bibliography{{{bibname}}}\n\\end{{document}}\n")


def biblatex_doc(resources: dict[str, list[str]]) -> str:
    """One refsection per .bib file, each citing all its keys: one biber run checks them all."""
    parts = [PREAMBLE, "\\usepackage[backend=biber]{biblatex}\n\\begin{document}\n"]
    for res, keys in resources.items():
        parts.append(f"\\begin{{refsection}}[{res}]\n\\section*{{{res}}}\n")
        parts.append(f"\\cite{{{','.join(keys)}}}\n" if keys else "\\nocite{*}\n")
        parts.append("\\printbibliography\n\\end{refsection}\n")
    parts.append("\\end{document}\n")
    return "".join(parts)


def export(catalog: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["export", "--catalog", str(catalog), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def _catalogs() -> list:
    out = [pytest.param(FIXTURE, id="fixture")]
    if REPO_CATALOG.exists():
        out.append(pytest.param(REPO_CATALOG, id="repo"))
    return out


def _section_params() -> list:
    """Every section of the repository's catalog (the starting list) and the whole list; the
    fixture's whole list (its sections are the same papers, plus the nasty hand-written ones)."""
    params = [pytest.param(FIXTURE, None, id="fixture-all")]
    if REPO_CATALOG.exists():
        for s in [*refs_bib.sections_of(load(REPO_CATALOG)), None]:
            params.append(pytest.param(REPO_CATALOG, s, id=f"repo-{s or 'all'}"))
    return params


# --- the export of every section, in every toolchain --------------------------------------------


@requires_tex
@pytest.mark.parametrize("style", ["plain", "plainnat"])
@pytest.mark.parametrize("catalog,section", _section_params())
def test_section_compiles_with_bibtex(tmp_path, catalog, section, style):
    bib = export(catalog, *(["--section", section] if section else []))
    keys = keys_of(bib)
    assert keys, f"section {section} exported no entries"
    (tmp_path / "refs.bib").write_text(bib, encoding="utf-8")
    (tmp_path / "doc.tex").write_text(bibtex_doc(keys, style), encoding="utf-8")
    works = load(catalog).by_key()
    # only the warnings tests/rendered.py accepts for a fact that does not exist (no authors)
    assert [p for p in compile_bibtex(tmp_path) if not rendered.accepted(style, p, works)] == []
    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8")
    assert bbl.count("\\bibitem") == len(keys)


@requires_tex
@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
@pytest.mark.parametrize("catalog", _catalogs())
def test_every_section_compiles_with_biber(tmp_path, catalog, fmt):
    """Each section's file (and the whole list's) as its own refsection resource.

    The BibTeX dialect is compiled as `plmcite bib` writes it to refs/bib/ (header comment
    included; test_export_cli checks that those files are exactly what `export` prints).
    """
    cat = load(catalog)
    if fmt == "bibtex":
        files = refs_bib.render_files(cat)
    else:
        files = {f"{stem}.bib": export(catalog, "--format", fmt, "--section", s)
                 for s, stem in refs_bib.file_stems(refs_bib.sections_of(cat)).items()}
        files["all.bib"] = export(catalog, "--format", fmt)
    resources = {}
    for name, text in files.items():
        res = "r" + name[:-4].replace(".", "-") + ".bib"
        (tmp_path / res).write_text(text, encoding="utf-8")
        resources[res] = keys_of(text)
    assert len(resources) == len(refs_bib.sections_of(cat)) + 1
    (tmp_path / "doc.tex").write_text(biblatex_doc(resources), encoding="utf-8")
    assert compile_biber(tmp_path) == []
    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8")
    assert bbl.count("\\entry{") == sum(len(k) for k in resources.values())


@requires_tex
def test_ascii_export_compiles_everywhere(tmp_path):
    bib = export(FIXTURE, "--ascii")
    assert bib.isascii()
    keys = keys_of(bib)
    (tmp_path / "refs.bib").write_text(bib, encoding="utf-8")
    (tmp_path / "doc.tex").write_text(bibtex_doc(keys, "plainnat"), encoding="utf-8")
    works = load(FIXTURE).by_key()
    assert [p for p in compile_bibtex(tmp_path) if not rendered.accepted("plainnat", p, works)] == []
    (tmp_path / "bl.tex").write_text(biblatex_doc({"refs.bib": keys}), encoding="utf-8")
    assert compile_biber(tmp_path, "bl") == []


# --- every character the encoder calls portable ----------------------------------------------------


def portable_chars() -> list[str]:
    t = latex.tables()
    chars = sorted(set(t.native) | set(t.chars))
    return [c for c in chars if latex.normalize(c) == c and latex.portable(c)]


@requires_tex
@pytest.mark.parametrize("ascii_mode", [False, True], ids=["utf8", "ascii"])
def test_all_portable_characters_compile(tmp_path, ascii_mode):
    """Every native and table character, in titles and names, through bibtex and biber."""
    chars = portable_chars()
    assert len(chars) > 400
    works = []
    for i in range(0, len(chars), 40):
        chunk = "".join(chars[i:i + 40])
        works.append(Work(key=f"chars{i:04d}", title=f"Characters {chunk} end", kind="preprint",
                          authors=[Person("X" + "a".join(chunk[:20]), "Y" + "a".join(chunk[20:]))], year=2024, ids={"arxiv": "2401.00001"}))
    warnings: list[str] = []
    bib = bibtex.render(works, ascii=ascii_mode, warnings=warnings)
    if ascii_mode:
        # native characters whose LaTeX form would be ambiguous (Ǆ, U+2012...) stay UTF-8
        assert warnings and all("no ASCII LaTeX form; kept as UTF-8" in m for m in warnings)
        assert len({c for c in bib if not c.isascii()}) < 25
    else:
        assert warnings == []
    keys = [w.key for w in works]
    (tmp_path / "refs.bib").write_text(bib, encoding="utf-8")
    (tmp_path / "doc.tex").write_text(bibtex_doc(keys, "plain"), encoding="utf-8")
    assert compile_bibtex(tmp_path) == []
    (tmp_path / "bl.tex").write_text(biblatex_doc({"refs.bib": keys}), encoding="utf-8")
    assert compile_biber(tmp_path, "bl") == []


@requires_tex
def test_accent_macros_of_non_native_letters_compile_with_bibtex(tmp_path):
    """Vietnamese letters: no UTF-8 form pdflatex reads, but BibTeX passes {\\~{\\^e}} through."""
    w = Work(key="nguyen2024", title="Tiếng Việt: Đặng, Nguyễn", authors=[Person("Nguyễn", "Thị Minh")],
             kind="preprint", year=2024, ids={"arxiv": "2401.00002"})
    warnings: list[str] = []
    bib = bibtex.render([w], warnings=warnings)
    assert "{\\~{\\^e}}" in bib
    assert any("accent macros" in m and "biber" in m for m in warnings)
    (tmp_path / "refs.bib").write_text(bib, encoding="utf-8")
    (tmp_path / "doc.tex").write_text(bibtex_doc([w.key], "plain"), encoding="utf-8")
    assert compile_bibtex(tmp_path) == []


# --- LaTeX snippets -----------------------------------------------------------------------------


@requires_tex
@pytest.mark.skipif(not _has_sty("booktabs.sty"), reason="needs booktabs.sty (apt-get install texlive-latex-recommended)")
def test_table_and_cite_compile(tmp_path):
    runner = CliRunner()
    table = runner.invoke(main, ["table", "--catalog", str(FIXTURE), "--command", "citep"], catch_exceptions=False)
    assert table.exit_code == 0, table.output
    cite = runner.invoke(main, ["cite", "--catalog", str(FIXTURE), "-s", "1.4"], catch_exceptions=False)
    assert cite.exit_code == 0
    (tmp_path / "refs.bib").write_text(export(FIXTURE), encoding="utf-8")
    doc = (PREAMBLE + latex.TABLE_PACKAGES + "\n\\usepackage{natbib}\n\\begin{document}\n"
           + cite.stdout + "\n" + table.stdout
           + "\\bibliographystyle{plainnat}\n\\bibliography{refs}\n\\end{document}\n")
    (tmp_path / "doc.tex").write_text(doc, encoding="utf-8")
    works = load(FIXTURE).by_key()
    assert [p for p in compile_bibtex(tmp_path) if not rendered.accepted("plainnat", p, works)] == []


# --- property: any portable text compiles -----------------------------------------------------------

_PORTABLE = None


def _portable_alphabet() -> list[str]:
    global _PORTABLE
    if _PORTABLE is None:
        specials = list("\\{}%&@#$_^~`<>|'\",.-!?:;()[]/")
        _PORTABLE = specials + portable_chars()
    return _PORTABLE


portable_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("abcXYZ019 ")),
        st.deferred(lambda: st.sampled_from(_portable_alphabet())),
    ),
    min_size=1, max_size=40,
).filter(lambda s: latex.normalize(s) != "")


# a name word starts with a letter: biber cannot make an initial of "#x" or "{x" (see
# bibtex.odd_initials); inside a word any portable character goes
name_word = st.builds(lambda first, rest: first + rest,
                      st.sampled_from(list("AbÉłΩzQ")),
                      portable_text.map(lambda s: "".join(s.split()).replace("-", "")) | st.just(""))
portable_name = st.lists(name_word, min_size=1, max_size=3).map(" ".join)


@requires_tex
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                              HealthCheck.too_slow])
@given(titles=st.lists(portable_text, min_size=4, max_size=8),
       names=st.lists(st.tuples(portable_name, portable_name), min_size=4, max_size=8))
def test_any_portable_title_and_name_compiles(tmp_path_factory, titles, names):
    works = [Work(key=f"w{i}", title=t, authors=[Person(*names[i % len(names)])], kind="conference",
                  container="Proceedings & {Things}", year=2024) for i, t in enumerate(titles)]
    bib = bibtex.render(works)
    keys = [w.key for w in works]
    d = tmp_path_factory.mktemp("prop")
    (d / "refs.bib").write_text(bib, encoding="utf-8")
    (d / "doc.tex").write_text(bibtex_doc(keys, "plainnat"), encoding="utf-8")
    assert compile_bibtex(d) == [], bib
    (d / "bl.tex").write_text(biblatex_doc({"refs.bib": keys}), encoding="utf-8")
    assert compile_biber(d, "bl") == [], bib
