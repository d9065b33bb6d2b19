"""The ``plmcite`` command line: a thin click layer over the core modules.

Each command lives in its own module under ``plmcite.cli`` and is imported only when it runs
(``LazyGroup``), so ``plmcite export`` never pays for network or Zotero imports.
"""

from __future__ import annotations

import importlib

import click

from ..errors import EXIT_FAILED, PlmciteError, describe_os_error

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


class Failure(click.ClickException, PlmciteError):
    """A PlmciteError or OSError as click prints it: ``Error: <one line>`` and the exit code."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code


class LazyGroup(click.Group):
    def invoke(self, ctx: click.Context):
        """Run the command; every PlmciteError and OSError ends here as one line (``--debug``:
        the traceback)."""
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # the reader of stdout went away (``plmcite export | head``): nothing more to say
            import os
            import sys

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(EXIT_FAILED)
        except PlmciteError as e:
            if _debug(ctx):
                raise
            raise Failure(str(e), e.exit_code) from None
        except OSError as e:
            if _debug(ctx):
                raise
            raise Failure(describe_os_error(e), EXIT_FAILED) from None

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
@click.option("--debug", is_flag=True, envvar="PLMCITE_DEBUG",
              help="Show the full traceback of an error instead of its one-line message.")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, debug: bool) -> None:
    """plmcite: lint, resolve and cite the papers of a curated awesome list.

    Exit codes: 0 success, 1 findings of error level or something failed (the message says
    what), 2 the command line is wrong.
    """
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path
    ctx.obj["debug"] = debug


def _debug(ctx: click.Context) -> bool:
    return bool(isinstance(ctx.obj, dict) and ctx.obj.get("debug"))
