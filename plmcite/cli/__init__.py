"""The ``plmcite`` command line: a thin click layer over the core modules.

Each command lives in its own module under ``plmcite.cli`` and is imported only when it runs
(``LazyGroup``), so ``plmcite export`` never pays for network or Zotero imports.
"""

from __future__ import annotations

import importlib

import click

#: command name -> "module:attribute" under plmcite.cli
COMMANDS = {
    "parse": "listcmds:parse_cmd",
    "lint": "listcmds:lint_cmd",
    "fix": "listcmds:fix_cmd",
    "add": "listcmds:add_cmd",
    "resolve": "resolvecmd:resolve_cmd",
    "export": "exportcmds:export_cmd",
    "cite": "exportcmds:cite_cmd",
    "table": "exportcmds:table_cmd",
    "format": "exportcmds:format_cmd",
    "bib": "exportcmds:bib_cmd",
    "zotero": "zoterocmd:zotero_group",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        try:
            mod = importlib.import_module(f"plmcite.cli.{module}")
        except ModuleNotFoundError as e:
            if e.name == f"plmcite.cli.{module}":
                return None  # command not built yet
            raise
        return getattr(mod, attr)


@click.group(cls=LazyGroup)
@click.version_option(package_name="plmcite")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), envvar="PLMCITE_CONFIG",
              help="Config file (default: nearest plmcite.toml above the current directory).")
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """plmcite: lint, resolve and cite the papers of a curated awesome list."""
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path
