"""``plmcite export``, ``cite``, ``table``, ``format`` and ``bib``: the catalog as BibTeX and LaTeX.

All of them work offline from the catalog (``refs/catalog.json`` plus ``refs/overrides.toml``)
and import nothing network-related; ``export`` keeps its imports to click and the standard
library so that it starts about as fast as Python does. Output goes to stdout (or ``-o FILE``),
warnings and notes to stderr.
"""

from __future__ import annotations

import sys

import click

from ..errors import InputError
from .common import catalog_option, echo_err, get_config, load_catalog, paused_gc

section_option = click.option(
    "--section", "-s", "sections", multiple=True, metavar="N",
    help="Section: number, slug path or heading text, repeatable; a parent ('1') means its whole subtree "
         "(default: the whole list).",
)
ascii_option = click.option(
    "--ascii", "ascii_only", is_flag=True,
    help="Write non-ASCII characters as LaTeX escapes ({\\'e}) instead of UTF-8.",
)


def _select(cat, sections: tuple[str, ...]):
    """The works of the sections (each once, catalog order).

    A section is named by its number, slug path or heading text (``plmcite.sections``); a name
    that fits no section is an error, and so is a selection with no works (there is nothing to
    export, and an empty file would pass for a result).
    """
    from ..sections import resolve_all

    wanted = resolve_all(sections, cat.known_sections()) if sections else []
    works = cat.in_sections(wanted) if wanted else list(cat.works)
    if not works:
        if sections:
            from ..sections import matches

            unresolved = sum(1 for u in cat.unresolved if any(matches(u.section, w) for w in wanted))
            why = (f"its {unresolved} entries are unresolved (`plmcite resolve` says why)" if unresolved
                   else "it has no resolved entries (run `plmcite resolve`)")
            raise InputError(f"no works in section(s) {', '.join(sections)}: {why}")
        raise InputError("the catalog has no works: run `plmcite resolve` first")
    return works


def _emit(text: str, output: str | None, what: str) -> None:
    """Write to ``output`` atomically, or to stdout as UTF-8 whatever the locale says."""
    if output:
        from ..atomic import write_atomic

        write_atomic(output, text)
        echo_err(f"wrote {what} to {output}")
    else:
        out = sys.stdout.buffer if hasattr(sys.stdout, "buffer") else None
        if out is not None:
            sys.stdout.flush()
            out.write(text.encode("utf-8"))
            out.flush()
        else:  # a text-only stream (tests capturing output)
            sys.stdout.write(text)


def _latex_command(ctx, param, value: str) -> str:
    if not value.isalpha():
        raise click.BadParameter("a LaTeX command name is letters only")
    return value


def _warn_all(warnings: list[str]) -> None:
    for w in warnings:
        echo_err(f"warning: {w}")


@click.command("export")
@section_option
@click.option("--format", "fmt", type=click.Choice(["bibtex", "biblatex", "csl-json"]), default="bibtex",
              show_default=True, help="Output format.")
@click.option("--for", "flavour", type=click.Choice(["natbib", "acl", "acm", "ieee"]), default=None,
              help="The BibTeX style the file is for: natbib (default: plain, plainnat, abbrvnat, unsrtnat), "
                   "acl (acl_natbib), acm (ACM-Reference-Format), ieee (IEEEtran). Each prints every fact once.")
@click.option("--keys-only", is_flag=True, help="Print only the citation keys, one per line.")
@ascii_option
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write to FILE (atomically) instead of stdout.")
@catalog_option
@paused_gc
def export_cmd(sections, fmt, flavour, keys_only, ascii_only, output, catalog_path):
    """Export the catalog (or some sections of it) as BibTeX, biblatex or CSL-JSON.

    \b
    plmcite export --section 1.4 > refs.bib
    plmcite export --for acl > refs.bib          # for acl_natbib (ACL, EMNLP, NAACL...)
    plmcite export -s 1 -s 2.3 --format biblatex -o survey.bib
    """
    if flavour is not None and fmt != "bibtex":
        raise click.UsageError(f"--for chooses a BibTeX flavour; it does not apply to --format {fmt}")
    cat = load_catalog(catalog_path)
    works = _select(cat, sections)
    if keys_only:
        text = "".join(w.key + "\n" for w in works)
    elif fmt == "csl-json":
        import json

        from .. import csl

        text = json.dumps(csl.items(works), ensure_ascii=ascii_only, indent=2) + "\n"
    else:
        from .. import bibtex

        warnings: list[str] = []
        text = bibtex.render(works, fmt, ascii=ascii_only, warnings=warnings,
                             flavour=flavour or bibtex.DEFAULT_FLAVOUR)
        _warn_all(warnings)
    _emit(text, output, f"{len(works)} entries")


def _render_to_stdout(render, sections, catalog_path, **options) -> None:
    """Select the sections' works, render them, print the text; warnings go to stderr."""
    works = _select(load_catalog(catalog_path), sections)
    warnings: list[str] = []
    text = render(works, warnings=warnings, **options)
    _warn_all(warnings)
    _emit(text, None, "")


@click.command("cite")
@section_option
@click.option("--command", "command", default="cite", show_default=True, callback=_latex_command,
              help="Citation command: cite, citep, citet, nocite, parencite, ...")
@catalog_option
@paused_gc
def cite_cmd(sections, command, catalog_path):
    """Print one \\cite{...} with every key of the sections."""
    cat = load_catalog(catalog_path)
    works = _select(cat, sections)
    if works:
        _emit(f"\\{command}{{{','.join(w.key for w in works)}}}\n", None, "")


@click.command("table")
@section_option
@ascii_option
@click.option("--command", "command", default="cite", show_default=True, callback=_latex_command,
              help="Citation command.")
@catalog_option
@paused_gc
def table_cmd(sections, ascii_only, command, catalog_path):
    """Print a LaTeX (booktabs) table of the sections: work with citation, venue, year, code.

    The table needs \\usepackage{booktabs,longtable,array,url} (hyperref may stand in for url).
    """
    from ..latex import table

    _render_to_stdout(table, sections, catalog_path, ascii=ascii_only, command=command)


@click.command("format")
@section_option
@click.option("--style", type=click.Choice(["plain", "unsrt", "alpha", "unsrtalpha"]), default="plain",
              show_default=True, help="pybtex formatting style.")
@click.option("--output", "backend", type=click.Choice(["text", "html", "markdown"]), default="text",
              show_default=True, help="Output format.")
@catalog_option
@paused_gc
def format_cmd(sections, style, backend, catalog_path):
    """Render a formatted reference list of the sections through pybtex."""
    from ..reflist import reflist

    _render_to_stdout(reflist, sections, catalog_path, style=style, backend=backend)


@click.command("bib")
@click.option("--check", is_flag=True, help="Change nothing; fail when refs/bib/ is not up to date.")
@click.option("--dir", "bib_dir", type=click.Path(file_okay=False), default=None,
              help="Directory of the generated files (default: [catalog] bib_dir in plmcite.toml).")
@catalog_option
@paused_gc
def bib_cmd(check, bib_dir, catalog_path):
    """Regenerate refs/bib/<section>.bib and refs/bib/all.bib from the catalog."""
    from .. import refs_bib

    cat = load_catalog(catalog_path)
    target = bib_dir or get_config().bib_dir
    p = refs_bib.plan(cat, target)
    if check:
        if p.clean:
            echo_err(f"{target}: {len(p.unchanged)} files up to date")
            return
        for name in sorted(p.write):
            state = "stale" if name not in p.unchanged and _exists(target, name) else "missing"
            echo_err(f"{target}/{name}: {state}")
        for name in p.remove:
            echo_err(f"{target}/{name}: left over (no section needs it)")
        raise InputError(f"{target} is not up to date with the catalog; run `plmcite bib`")
    refs_bib.apply(p, target)
    echo_err(f"{target}: {len(p.write)} written, {len(p.remove)} removed, {len(p.unchanged)} unchanged")


def _exists(directory, name) -> bool:
    from pathlib import Path

    return (Path(directory) / name).exists()
