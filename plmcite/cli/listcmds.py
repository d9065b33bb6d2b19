"""Commands over the list itself: parse, lint, fix, add."""

from __future__ import annotations

import json
import sys

import click

from ..errors import EXIT_FAILED, EXIT_OK, InputError
from .common import catalog_option, echo_err, get_config, list_option, load_catalog, paused_gc, read_list


def _write_list(snap, text: str) -> None:
    """Write the edited list atomically, unless someone changed it since it was read."""
    from ..listfmt import ENCODING, ERRORS

    snap.write(text.encode(ENCODING, ERRORS))


def _nothing_read(doc) -> str | None:
    """"0 entries read" and why, for a list plmcite cannot read an entry from."""
    if doc.entries:
        return None
    why = "; ".join(doc.notes) or "no line looks like a paper entry (the dialects plmcite reads: docs/list-and-lint.md)"
    return f"{doc.path}: 0 entries read: {why}"


def _entry_json(e) -> dict:
    tag = None
    if e.tag is not None:
        tag = {"raw": e.tag.raw, "year": e.tag.year, "venue": e.tag.venue, "arxiv_month": e.tag.arxiv_month}
    return {
        "section": e.section,
        "line": e.line,
        "tag": tag,
        "title": e.title,
        "links": [{"label": l.label, "url": l.url, "target": l.target, **({"ids": l.ids} if l.ids else {})}
                  for l in e.links],
        "ids": e.ids,
        "code": e.code,
        "problems": e.problems,
        "dialect": e.dialect,
        "last_line": e.last_line,
        "name": e.name,
        "titled": e.titled,
    }


@click.command("parse")
@list_option
@click.option("--json", "as_json", is_flag=True, help="Print {\"entries\": [...], \"sections\": [...]} for scripts.")
@paused_gc
def parse_cmd(list_path, as_json):
    """Show the sections and entries plmcite reads from the list."""
    doc, _ = read_list(list_path)
    if as_json:
        out = {
            "file": doc.path,
            "sections": [{"key": s.key, "number": s.number, "title": s.title, "line": s.line} for s in doc.sections],
            "entries": [_entry_json(e) for e in doc.entries],
        }
        click.echo(json.dumps(out, ensure_ascii=False, indent=1))
        if not doc.entries:
            echo_err(_nothing_read(doc))
        return
    titles = doc.section_titles()
    current = None
    for e in doc.entries:
        if e.section != current:
            current = e.section
            click.echo(f"\n[{current or 'top'}] {titles.get(current, '')}".rstrip())
        tag = e.tag.raw if e.tag else "-"
        ids = " ".join(f"{k}:{v}" for k, v in e.ids.items())
        click.echo(f"  {e.line:>5}  {tag:<18} {e.title[:80]}  {ids}".rstrip())
    echo_err(_nothing_read(doc) or f"{doc.path}: {len(doc.entries)} entries in {len(doc.sections)} sections")


def _maybe_catalog(use_catalog: bool, catalog_path: str | None = None):
    """The catalog for the rules that need one; a broken catalog only skips those rules."""
    if not use_catalog:
        return None
    from ..catalog import CatalogError

    try:
        return load_catalog(catalog_path, required=False)
    except CatalogError as e:
        echo_err(f"warning: {e}; catalog rules skipped")
        return None


@click.command("lint")
@list_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True)
@click.option("--select", multiple=True, help="Only these rule ids (repeatable).")
@click.option("--ignore", multiple=True, help="Skip these rule ids (repeatable).")
@catalog_option
@click.option("--no-catalog", is_flag=True,
              help="Skip the rules that need resolved metadata (they run when a catalog exists).")
@click.option("--rules", "show_rules", is_flag=True, help="List the rules with their rationale and exit.")
@paused_gc
def lint_cmd(list_path, fmt, select, ignore, catalog_path, no_catalog, show_rules):
    """Check the list; exit 1 when any error-level finding exists.

    Findings are printed as `file:line: rule-id: message`.
    """
    from .. import lint

    if show_rules:
        for r in lint.all_rules():
            extra = ", fixable" if r.fixable else ""
            extra += ", needs catalog" if r.needs_catalog else ""
            extra += f", {'/'.join(r.dialects)} entries only" if r.dialects else ""
            click.echo(f"{r.id} ({r.severity}{extra})\n    {r.doc}\n")
        return
    known = {r.id for r in lint.all_rules()}
    unknown = [r for r in (*select, *ignore) if r not in known]
    if unknown:
        raise click.UsageError(f"unknown rule id(s): {', '.join(unknown)} (see `plmcite lint --rules`)")
    doc, _ = read_list(list_path)
    nothing = _nothing_read(doc)
    if nothing:  # a check that checked nothing must not pass
        raise InputError(nothing)
    findings = lint.run(doc, _maybe_catalog(not no_catalog, catalog_path), select=select, ignore=ignore)
    if fmt == "json":
        click.echo(json.dumps({"findings": [f.to_json() for f in findings]}, ensure_ascii=False, indent=1))
    elif fmt == "github":
        level = {"error": "error", "warning": "warning", "info": "notice"}
        for f in findings:
            msg = f.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            click.echo(f"::{level[f.severity]} file={f.file},line={f.line},title={f.rule}::{msg}")
    else:
        for f in findings:
            click.echo(f"{f.file}:{f.line}: {f.rule}: {f.message}")
    counts = {s: sum(1 for f in findings if f.severity == s) for s in lint.SEVERITIES}
    echo_err(f"{counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} note(s)")
    sys.exit(EXIT_FAILED if counts["error"] else EXIT_OK)


@click.command("fix")
@list_option
@click.option("--tags", is_flag=True,
              help="Also correct tags the catalog shows to be stale or wrong (Arxiv tag of a published paper, wrong venue or year).")
@catalog_option
@click.option("--dry-run", is_flag=True, help="Show the diff, write nothing.")
def fix_cmd(list_path, tags, catalog_path, dry_run):
    """Apply safe, mechanical fixes; every other line is left byte for byte."""
    import difflib

    from ..edit import apply_edits, plan_fixes

    catalog = None
    if tags:
        catalog = _maybe_catalog(True, catalog_path)
        if catalog is None:
            raise InputError("--tags needs the catalog: run `plmcite resolve` first")
    doc, snap = read_list(list_path)
    edits = plan_fixes(doc, catalog)
    if not edits:
        echo_err(f"{doc.path}: nothing to fix")
        return
    new = apply_edits(doc, edits)
    for ed in edits:
        echo_err(f"{doc.path}:{ed.line}: {ed.reason}")
    if dry_run:
        diff = difflib.unified_diff(doc.render().splitlines(True), new.splitlines(True),
                                    f"a/{doc.path}", f"b/{doc.path}")
        click.echo("".join(diff), nl=False)
        return
    _write_list(snap, new)
    echo_err(f"{doc.path}: {len(edits)} line(s) fixed")


@click.command("add")
@click.argument("identifier")
@click.option("--section", required=True, help="Section: number (2.3), slug path or heading text.")
@click.option("--code", help="Code repository URL (http or https).")
@click.option("--title", help="Title (default: from the catalog or the resolver).")
@click.option("--tag", help='Tag text, e.g. "2025 ICLR" (default: from the resolved metadata).')
@list_option
@click.option("--dry-run", is_flag=True, help="Print the new entry, write nothing.")
def add_cmd(identifier, section, code, title, tag, list_path, dry_run):
    """Insert an entry for IDENTIFIER (arXiv id, DOI, OpenReview or ACL Anthology id, or URL).

    The entry is written like the section's other entries (the tagged template, a table row
    with the same columns, a list item) and goes to its place (newest first where the section
    is). Title, tag and links are checked and escaped. A paper that is already in the list is
    refused, with the line where it is.
    """
    from ..edit import add_entry, find_existing, resolve_section
    from ..ids import parse_identifier
    from ..listfmt.write import safe_tag, safe_title, safe_url
    from ..retag import arxiv_tag

    ids = given = parse_identifier(identifier)
    if not ids:
        raise click.UsageError(f"{identifier!r} is not an arXiv id, DOI, OpenReview id, Anthology id or paper URL")
    for value, check in ((title, safe_title), (tag, safe_tag), (code, lambda u: safe_url(u, "code link"))):
        if value is not None:
            check(value)  # a bad --title, --tag or --code is refused before anything else happens
    doc, snap = read_list(list_path)
    key = resolve_section(doc, section)
    existing = find_existing(doc, ids, title)
    if tag is None and title is not None and "arxiv" in ids:
        tag = arxiv_tag(ids["arxiv"])  # all a preprint's tag needs; no network
    given_title = title is not None
    looked_up = False
    if existing is None and (title is None or tag is None):
        meta = _lookup_metadata(ids)
        looked_up = True
        if meta is not None:
            title = title or meta.get("title")
            tag = tag or meta.get("tag")
            ids = {**meta.get("ids", {}), **ids}
            existing = find_existing(doc, ids, title)
    if existing is not None:
        raise InputError(
            f"{doc.path}:{existing.line}: already in the list (section {existing.section or 'top'}): {existing.title}")
    if "arxiv" in ids and tag is None:
        tag = arxiv_tag(ids["arxiv"])
    if not title:
        why = "the resolver does not know it" if looked_up else "no catalog entry"
        raise InputError(f"no title known for {identifier} ({why}): pass --title (and --tag), or run `plmcite resolve` first")
    text, at, lines = add_entry(doc, key, given, title, tag, code, given_title=given_title)
    if dry_run:
        click.echo("\n".join(lines))
        return
    _write_list(snap, text)
    echo_err(f"{doc.path}:{at}: added to section {key}")


def _lookup_metadata(ids: dict[str, str]) -> dict | None:
    """Title, tag and identifiers for a new paper: the catalog first, then the resolver."""
    from ..retag import tag_for

    cat = _maybe_catalog(True)
    if cat is not None:
        for w in cat.works:
            if any(w.ids.get(k, "").lower() == v.lower() for k, v in ids.items()):
                return {"title": w.title, "tag": tag_for(w), "ids": w.ids}
    from ..resolve import lookup_identifier, open_sources

    with open_sources(get_config()) as sources:
        work = lookup_identifier(ids, sources)
    if work is None:
        return None
    return {"title": work.title, "tag": tag_for(work), "ids": work.ids}
