"""``plmcite export``, ``cite``, ``table``, ``format`` and ``bib`` as a user runs them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import bibtexparser
import pytest
from bibtexparser.bparser import BibTexParser
from click.testing import CliRunner

from plmcite import bibtex, refs_bib
from plmcite.catalog import load
from plmcite.cli import main

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "catalog" / "catalog.json"
NETWORK_MODULES = ("httpx2", "httpx", "habanero", "pyzotero", "requests", "urllib3")


def run(*args: str, catalog: Path = FIXTURE):
    return CliRunner().invoke(main, [args[0], "--catalog", str(catalog), *args[1:]], catch_exceptions=False)


def entries(text: str) -> list[dict]:
    parser = BibTexParser(common_strings=True, ignore_nonstandard_types=False)
    return bibtexparser.loads(text, parser=parser).entries


@pytest.fixture
def catalog_copy(tmp_path) -> Path:
    p = tmp_path / "refs" / "catalog.json"
    p.parent.mkdir()
    shutil.copy(FIXTURE, p)
    return p


# --- export ------------------------------------------------------------------------------------


def test_export_whole_list_by_default():
    r = run("export")
    assert r.exit_code == 0
    assert [e["ID"] for e in entries(r.stdout)] == [w.key for w in load(FIXTURE).works]


def test_export_sections_each_work_once():
    cat = load(FIXTURE)
    shared = [w for w in cat.works if {"1.4", "2.3"} <= set(w.sections)]
    assert shared, "the fixture has a work in both 1.4 and 2.3"
    r = run("export", "--section", "1.4", "--section", "2.3")
    keys = [e["ID"] for e in entries(r.stdout)]
    assert len(keys) == len(set(keys))
    assert set(keys) == {w.key for w in cat.works if set(w.sections) & {"1.4", "2.3"}}


def test_export_top_level_section_means_all_subsections():
    cat = load(FIXTURE)
    r = run("export", "-s", "1")
    keys = {e["ID"] for e in entries(r.stdout)}
    assert keys == {w.key for w in cat.works if any(s.startswith("1.") or s == "1" for s in w.sections)}
    assert keys == {e["ID"] for e in entries(run("export", "-s", "1.").stdout)}


def test_unknown_section_is_an_error():
    r = run("export", "--section", "9.9")
    assert r.exit_code == 1
    assert "no section '9.9'" in r.output and "1.4" in r.output


def test_keys_only():
    r = run("export", "-s", "1.4", "--keys-only")
    assert r.stdout.splitlines() == [w.key for w in load(FIXTURE).select(["1.4"])]


def test_biblatex_format():
    r = run("export", "-s", "1.4", "--format", "biblatex")
    assert "eprinttype = {arxiv}" in r.stdout and "archiveprefix" not in r.stdout
    assert "date = {" in r.stdout and "year = {" not in r.stdout


def test_output_file_and_warnings_go_elsewhere(tmp_path):
    out = tmp_path / "refs.bib"
    r = run("export", "-o", str(out))
    assert r.exit_code == 0
    assert r.stdout == ""
    assert "wrote" in r.stderr and "warning: anon2024personalized: no authors" in r.stderr
    assert out.read_text(encoding="utf-8").startswith("@")


def test_ascii_option():
    r = run("export", "--ascii")
    assert r.stdout.isascii()
    assert "M{\\\"u}ller-L{\\\"u}denscheidt" in r.stdout
    assert "Müller" in run("export").stdout


def test_stdout_is_utf8_whatever_the_locale():
    env = dict(os.environ, LANG="C", LC_ALL="C", PYTHONIOENCODING="ascii", PYTHONUTF8="0")
    p = subprocess.run([sys.executable, "-c", "from plmcite.cli import main; main()", "export", "-s", "1.4",
                        "--catalog", str(FIXTURE)], env=env, capture_output=True, cwd=ROOT, timeout=60)
    assert p.returncode == 0, p.stderr
    # "Świątek": its first letter in ASCII LaTeX (BibTeX makes initials and sort keys of it), the rest UTF-8
    assert "{\\'S}wiątek".encode() in p.stdout


def test_missing_catalog_is_a_clear_error(tmp_path):
    r = run("export", catalog=tmp_path / "nope.json")
    assert r.exit_code == 1
    assert "nope.json" in r.output and "plmcite resolve" in r.output


def test_export_imports_nothing_network_related(tmp_path):
    """The export path loads neither network nor Zotero libraries, nor pybtex/bibtexparser."""
    out = tmp_path / "modules.json"
    code = (
        "import sys, json\n"
        "from plmcite.cli import main\n"
        "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\n"
        f"json.dump({{'code': code, 'modules': sorted(sys.modules)}}, open({str(out)!r}, 'w'))\n"
    )
    for args in (["export", "-s", "1.4"], ["export", "--format", "csl-json"], ["cite", "-s", "1"],
                 ["table", "-s", "2.3"], ["bib", "--check", "--dir", str(tmp_path / "bib")]):
        p = subprocess.run([sys.executable, "-c", code, *args, "--catalog", str(FIXTURE)],
                           capture_output=True, cwd=ROOT, timeout=60)
        data = json.loads(out.read_text())
        assert data["code"] in (0, 1, None), p.stderr
        loaded = {m.split(".")[0] for m in data["modules"]}
        assert not loaded & {*NETWORK_MODULES, "pybtex", "bibtexparser", "latexcodec"}, (args, loaded)


# --- cite, table, format --------------------------------------------------------------------------


def test_cite():
    keys = [w.key for w in load(FIXTURE).select(["1.4"])]
    assert run("cite", "-s", "1.4").stdout == "\\cite{" + ",".join(keys) + "}\n"
    assert run("cite", "-s", "1.4", "--command", "citep").stdout.startswith("\\citep{")
    assert run("cite", "-s", "1.4", "--command", "cite}{x").exit_code == 2


def test_table():
    r = run("table", "-s", "1.4")
    assert r.exit_code == 0
    text = r.stdout
    assert "\\toprule" in text and "\\midrule" in text and text.rstrip().endswith("\\end{longtable}\n\\endgroup")
    cat = load(FIXTURE)
    for w in cat.select(["1.4"]):
        assert f"\\cite{{{w.key}}}" in text
    rlhf = next(l for l in text.splitlines() if "vanderberg2024rlhf" in l)
    assert rlhf.startswith("RLHF for LLMs: 100\\% of the PAD \\& \\#1 Trick\\_s")
    # the year once, in its own column
    assert "& ICLR & 2024 & \\url{https://github.com/example/rlhf_pad} \\\\" in rlhf
    assert text.startswith("% plmcite table: needs \\usepackage{booktabs,longtable,array,url}")


@pytest.mark.parametrize("backend,needle", [
    ("text", "Jan van der Berg, María José de la Cruz, and Maartje Ter Hoeve. RLHF for LLMs: 100% of the PAD"),
    ("html", "&amp; #1 trick_s with {braces} and \\backslashes"),
    ("markdown", "Jan van der Berg"),
])
def test_format_through_pybtex(backend, needle):
    r = run("format", "-s", "1.4", "--style", "plain", "--output", backend)
    assert r.exit_code == 0, r.output
    assert needle in r.stdout


def test_format_styles_differ():
    alpha = run("format", "-s", "1.4", "--style", "alpha").stdout
    plain = run("format", "-s", "1.4", "--style", "plain").stdout
    assert alpha.startswith("[") and not alpha.startswith("[1]") and plain.startswith("[1]")
    assert "{PAD}" not in plain and "PAD: personalized alignment of LLMs at decoding-time" in plain


# --- bib -----------------------------------------------------------------------------------------


def test_bib_writes_checks_and_cleans(tmp_path, catalog_copy):
    bib_dir = tmp_path / "refs" / "bib"
    r = run("bib", "--dir", str(bib_dir), catalog=catalog_copy)
    assert r.exit_code == 0, r.output
    names = sorted(p.name for p in bib_dir.iterdir())
    cat = load(catalog_copy)
    assert names == sorted(["all.bib"] + [f"{s}.bib" for s in refs_bib.sections_of(cat)])
    assert "1.bib" in names and "1.4.bib" in names
    one = (bib_dir / "1.4.bib").read_text(encoding="utf-8")
    assert one.startswith(refs_bib.HEADER + "\n% section 1.4 Training-free Methods (")
    assert [e["ID"] for e in entries(one)] == [w.key for w in cat.select(["1.4"])]
    assert run("bib", "--check", "--dir", str(bib_dir), catalog=catalog_copy).exit_code == 0
    again = run("bib", "--dir", str(bib_dir), catalog=catalog_copy)
    assert "0 written, 0 removed" in again.stderr

    # the catalog changes: --check fails and names the stale file, bib fixes it
    data = json.loads(catalog_copy.read_text(encoding="utf-8"))
    w = next(w for w in data["works"] if "1.4" in w.get("sections", []))
    w["title"] = "A Changed Title"
    catalog_copy.write_text(json.dumps(data), encoding="utf-8")
    (bib_dir / "9.9.bib").write_text(refs_bib.HEADER + "\n", encoding="utf-8")  # left over
    (bib_dir / "mine.bib").write_text("@misc{x, title={mine}}\n", encoding="utf-8")  # not ours
    r = run("bib", "--check", "--dir", str(bib_dir), catalog=catalog_copy)
    assert r.exit_code == 1
    assert "1.4.bib: stale" in r.stderr and "all.bib: stale" in r.stderr and "9.9.bib: left over" in r.stderr
    assert "run `plmcite bib`" in r.output
    assert run("bib", "--dir", str(bib_dir), catalog=catalog_copy).exit_code == 0
    assert not (bib_dir / "9.9.bib").exists() and (bib_dir / "mine.bib").exists()
    assert "A Changed Title" in (bib_dir / "1.4.bib").read_text(encoding="utf-8")
    assert run("bib", "--check", "--dir", str(bib_dir), catalog=catalog_copy).exit_code == 0


def test_generated_files_are_exactly_what_export_prints():
    cat = load(FIXTURE)
    files = refs_bib.render_files(cat)
    for s in refs_bib.sections_of(cat):
        head, _, body = files[f"{s}.bib"].partition("\n\n")
        assert head.startswith(refs_bib.HEADER)
        assert body == run("export", "-s", s).stdout
    assert files["all.bib"].partition("\n\n")[2] == run("export").stdout


def test_sections_that_slug_alike_get_a_file_each():
    """Headings named, not numbered, become file names; two that slug alike (or one called
    "all") must not overwrite each other's file."""
    stems = refs_bib.file_stems(["1.4", "Tools / Agents", "tools-agents", "All", "2026/04"])
    assert stems == {"1.4": "1.4", "Tools / Agents": "Tools-Agents", "tools-agents": "tools-agents-2",
                     "All": "All-2", "2026/04": "2026-04"}
    assert "/" not in "".join(stems.values())


def test_bib_check_reports_missing_files(tmp_path):
    r = run("bib", "--check", "--dir", str(tmp_path / "none"))
    assert r.exit_code == 1 and "all.bib: missing" in r.stderr


@pytest.mark.skipif(not (ROOT / "refs" / "catalog.json").exists(), reason="no refs/catalog.json yet")
def test_repository_refs_bib_is_up_to_date():
    """CI's guarantee: refs/bib/ is what `plmcite bib` makes of the checked-in catalog."""
    r = CliRunner().invoke(main, ["--config", str(ROOT / "plmcite.toml"), "bib", "--check"])
    assert r.exit_code == 0, r.output + "\n(run `plmcite bib` and commit refs/bib/)"


def test_the_for_option_offers_every_flavour_of_the_data_file():
    """`--for` is a fixed click.Choice (the CLI does not read bibtex.toml to start): it must name
    exactly the flavours data/bibtex.toml defines, and its help each one's styles."""
    from plmcite.cli.exportcmds import export_cmd

    opt = next(p for p in export_cmd.params if p.name == "flavour")
    assert tuple(opt.type.choices) == tuple(bibtex.rules().flavours)
    for f in bibtex.rules().flavours.values():
        assert f.styles.split(" (")[0].split(",")[0] in opt.help


def test_export_for_a_style_writes_its_flavour():
    preprint = next(w for w in load(FIXTURE).works if w.kind == "preprint" and w.arxiv)
    default = entries(run("export").stdout)
    acl = entries(run("export", "--for", "acl").stdout)
    d = next(e for e in default if e["ID"] == preprint.key)
    a = next(e for e in acl if e["ID"] == preprint.key)
    assert d["howpublished"] == f"arXiv preprint arXiv:{preprint.arxiv}" and "eprint" not in d
    assert a["eprint"] == preprint.arxiv and "howpublished" not in a
    assert run("export", "--for", "natbib").stdout == run("export").stdout


def test_for_applies_to_bibtex_only():
    r = run("export", "--for", "acl", "--format", "biblatex")
    assert r.exit_code == 2 and "--for chooses a BibTeX flavour" in r.output
