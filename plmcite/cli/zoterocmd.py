"""``plmcite zotero sync|status``: mirror the catalog into a Zotero group or user library.

Only this module imports pyzotero (through ``plmcite.zotero.sync``), and only when a Zotero
command runs. Human output goes to stderr; ``--json`` puts a machine-readable summary on stdout.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import EXIT_FAILED

from .common import catalog_option, echo_err, get_config, is_tty, load_catalog
from .common import catalog_path as catalog_file

STATE_HELP = "Sync state file (default: .zotero-state.<library>.json beside the catalog)."


@click.group("zotero")
def zotero_group() -> None:
    """Mirror the catalog into a Zotero library (see docs/zotero.md)."""


def _library(cli_value: str | None) -> str:
    from ..zotero.auth import library_spec

    return library_spec(cli_value, get_config().section("zotero").get("library"))


def _paths(catalog_path: str | None, state_path: str | None, library: str) -> tuple[Path, Path]:
    from ..zotero.state import default_path

    cat = catalog_file(catalog_path)
    return cat, Path(state_path) if state_path else default_path(cat, library)


@zotero_group.command("sync")
@catalog_option
@click.option("--library", help="group:ID or user:ID (default: $PLMCITE_ZOTERO_LIBRARY, then [zotero] library).")
@click.option("--dry-run", is_flag=True, help="Read Zotero and print the plan; write nothing.")
@click.option("--prefer", type=click.Choice(["remote", "local"]), default="remote", show_default=True,
              help="Who wins a field edited in Zotero that the catalog also changed.")
@click.option("--prune", is_flag=True, help="Move items whose work left the list to the Zotero trash.")
@click.option("--collections", is_flag=True, help="Also mirror the sections as a collection tree.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary on stdout.")
@click.option("--state", "state_path", type=click.Path(dir_okay=False), help=STATE_HELP)
def sync_cmd(catalog_path, library, dry_run, prefer, prune, collections, as_json, state_path) -> None:
    """Create, update and retag Zotero items so they mirror the catalog.

    Fields edited in Zotero are kept (and reported) unless --prefer local; tags, notes,
    attachments and collections that plmcite did not add are never touched.
    """
    from ..http import HttpSettings
    from ..zotero import auth, state as state_mod
    from ..zotero.plan import Options
    from ..zotero.sync import Syncer, connect
    from ..zotero.tags import load_scheme

    library = _library(library)
    key = auth.api_key()
    cat_path, st_path = _paths(catalog_path, state_path, library)
    cfg = get_config()
    catalog = load_catalog(str(cat_path))
    state = state_mod.load(st_path, library)
    http = HttpSettings.from_config(cfg)
    zot = connect(library, key, cfg.source_url("zotero"), backoff=http.backoff, max_backoff=http.max_backoff)
    bar = _Progress() if is_tty() and not as_json else None
    syncer = Syncer(zot, catalog, state, load_scheme(), Options(prefer=prefer, prune=prune, collections=collections),
                    dry_run=dry_run, progress=bar, api_key=key)
    try:
        result = syncer.run()
    finally:
        if bar:
            bar.close()
    _print_human(result, st_path)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=1, ensure_ascii=False))
    if result.failed:
        raise SystemExit(EXIT_FAILED)


class _Progress:
    """A click progress bar on stderr, opened when the number of writes is known."""

    def __init__(self):
        self.bar = None
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="Writing to Zotero", file=click.get_text_stream("stderr"))
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _print_human(result, state_path: Path) -> None:
    c = result.counts
    verb = "would" if result.dry_run else ""
    if result.dry_run:
        for a in result.actions:
            detail = []
            if a.fields:
                detail.append("fields: " + ", ".join(a.fields))
            if a.tags_added:
                detail.append("+" + " +".join(a.tags_added))
            if a.tags_removed:
                detail.append("-" + " -".join(a.tags_removed))
            echo_err(f"  {a.op:<8} {a.key}" + (f"  ({'; '.join(detail)})" if detail else ""))
        for name in result.collections_created:
            echo_err(f"  create collection {name!r}")
    for conflict in result.conflicts:
        how = "kept Zotero's value" if conflict.resolution == "kept" else "overwrote Zotero's value"
        echo_err(f"  {conflict.key}: {conflict.field} was edited in Zotero; {how}")
    for key, why in result.skipped:
        echo_err(f"  {key}: skipped, {why}")
    for key, code, message in result.failed:
        echo_err(f"  {key}: Zotero refused the write (HTTP {code}): {message}")
    if result.kept:
        echo_err(f"  {len(result.kept)} item(s) left the list but are yours (made in Zotero, not by plmcite): "
                 "plmcite's tags removed, items kept" + (f" ({', '.join(k for k, _ in result.kept[:5])}"
                                                         + (", ..." if len(result.kept) > 5 else "") + ")"))
    for name in result.collections_stale:
        echo_err(f"  section {name} is gone; its collection was left in place")
    parts = [f"{c.get(op, 0)} {op}" for op in ("create", "update", "retag", "restore", "untag", "trash")]
    head = f"{result.library}: {verb + ' ' if verb else ''}" + ", ".join(parts)
    tail = f"; {c.get('unchanged', 0)} unchanged"
    if c.get("kept"):
        tail += f"; {c['kept']} field(s) edited in Zotero kept (--prefer local overwrites them)"
    if c.get("overwritten"):
        tail += f"; {c['overwritten']} field(s) edited in Zotero overwritten"
    if c.get("skipped"):
        tail += f"; {c['skipped']} skipped"
    if c.get("failed"):
        tail += f"; {c['failed']} failed"
    echo_err(head + tail + f" ({result.requests} requests, {result.seconds:.1f}s, library version {result.version})")
    if not result.dry_run:
        echo_err(f"state: {state_path}")


@zotero_group.command("status")
@catalog_option
@click.option("--library", help="group:ID or user:ID (default: $PLMCITE_ZOTERO_LIBRARY, then [zotero] library).")
@click.option("--state", "state_path", type=click.Path(dir_okay=False), help=STATE_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary on stdout.")
def status_cmd(catalog_path, library, state_path, as_json) -> None:
    """What the last sync left behind (reads only the state file; no network)."""
    from ..zotero import state as state_mod

    library = _library(library)
    _, st_path = _paths(catalog_path, state_path, library)
    state = state_mod.load(st_path, library)
    items = state.items.values()
    summary = {
        "library": library,
        "state": str(st_path),
        "exists": st_path.exists(),
        "library_version": state.version,
        "items": sum(1 for i in items if not i.left),
        "left_list": sum(1 for i in items if i.left),
        "in_trash": sum(1 for i in items if i.deleted),
        "edited_in_zotero": sum(1 for i in items if i.remote),
        "collections": len(state.collections),
    }
    if as_json:
        click.echo(json.dumps(summary, indent=1))
        return
    if not summary["exists"]:
        echo_err(f"{library}: never synced from here (no {st_path})")
        return
    echo_err(f"{library}: library version {state.version}; {summary['items']} items synced, "
             f"{summary['left_list']} left the list, {summary['in_trash']} in the trash, "
             f"{summary['edited_in_zotero']} with fields edited in Zotero, {summary['collections']} collections")
