"""Helpers shared by the CLI modules: config loading, the --list option, error reporting."""

from __future__ import annotations

import sys

import click

from ..config import Config, load_config


def get_config(ctx: click.Context | None = None) -> Config:
    ctx = ctx or click.get_current_context()
    root = ctx.find_root()
    obj = root.obj if isinstance(root.obj, dict) else {}
    if "config" not in obj:
        obj["config"] = load_config(obj.get("config_path"))
        root.obj = obj
    return obj["config"]


def catalog_path(catalog_path: str | None = None):
    """The catalog file: ``--catalog``, else ``[catalog] path`` of plmcite.toml."""
    from pathlib import Path

    return Path(catalog_path) if catalog_path else get_config().catalog_path


def load_catalog(path: str | None = None, *, required: bool = True):
    """The one way commands read the catalog to use it: ``--catalog`` or the configured one, with
    the overrides laid over it (``resolve`` reads it for update instead, ``catalog.read_for_update``,
    and never bakes the overrides in). With ``required=False`` a missing catalog is None; a broken
    one is always a CatalogError."""
    from .. import catalog

    file = catalog_path(path)
    if not required and not file.exists():
        return None
    return catalog.load(file, get_config().overrides_path)


def read_list(list_path: str | None):
    """The parsed list and a snapshot of its bytes (so an edit never overwrites a concurrent change)."""
    from ..atomic import Snapshot
    from ..errors import InputError
    from ..listfmt import ENCODING, ERRORS, parse

    path = resolve_list_path(list_path)
    snap, raw = Snapshot.take(path)
    if raw is None:
        raise InputError(f"{path}: list file not found (pass --list PATH, or set [list] path in plmcite.toml)")
    return parse(raw.decode(ENCODING, ERRORS), path), snap


list_option = click.option(
    "--list", "list_path", type=click.Path(dir_okay=False), default=None,
    help="The markdown list (default: [list] path in plmcite.toml).",
)

catalog_option = click.option(
    "--catalog", "catalog_path", type=click.Path(dir_okay=False), default=None,
    help="Catalog file (default: [catalog] path in plmcite.toml).",
)


def display_path(path) -> str:
    """A path as the user should see it: relative to the cwd when it is inside it."""
    import os

    path = str(path)
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def resolve_list_path(list_path: str | None) -> str:
    return list_path or display_path(get_config().list_path)


def paused_gc(fn):
    """Run a command with the cyclic garbage collector paused.

    Reading a list or a catalog builds hundreds of thousands of small objects that never form
    cycles; letting the collector rescan them as they pile up costs a third of the time of a
    large parse, lint or export. The collector is back on when the command returns.
    """
    import functools
    import gc

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return wrapper


def echo_err(message: str) -> None:
    """Messages for people go to stderr; stdout is kept for machine output."""
    click.echo(message, err=True)


def is_tty(stream=None) -> bool:
    stream = stream or sys.stderr
    return hasattr(stream, "isatty") and stream.isatty()
