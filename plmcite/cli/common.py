"""Helpers shared by the CLI modules: config loading, the --list option, error reporting."""

from __future__ import annotations

import sys

import click

from ..config import Config, ConfigError, load_config


def get_config(ctx: click.Context | None = None) -> Config:
    ctx = ctx or click.get_current_context()
    root = ctx.find_root()
    obj = root.obj if isinstance(root.obj, dict) else {}
    if "config" not in obj:
        try:
            obj["config"] = load_config(obj.get("config_path"))
        except ConfigError as e:
            raise click.ClickException(str(e)) from None
        root.obj = obj
    return obj["config"]


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


def echo_err(message: str) -> None:
    """Messages for people go to stderr; stdout is kept for machine output."""
    click.echo(message, err=True)


def is_tty(stream=None) -> bool:
    stream = stream or sys.stderr
    return hasattr(stream, "isatty") and stream.isatty()
