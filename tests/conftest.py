"""Shared fixtures: paths to the fixture data copied into the repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from plmcite.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
UPSTREAM = sorted((FIXTURES / "upstream").glob("README.*.md"))
START = FIXTURES / "upstream" / "README.2025-08-08.fcbf0f0.md"


SERVICES = ("arxiv", "dblp", "crossref", "openreview", "acl", "s2")


def project_config(*, email: str | None = "cli-test@example.org", timeout: float = 0.5,
                   retries: int | None = None, max_backoff: float = 0.05, overrides: bool = True,
                   zotero: str | None = None) -> str:
    """A plmcite.toml for a project in a temporary folder (list.md, refs/catalog.json) whose
    services are local fakes: no politeness spacing, short timeouts and backoffs."""
    out = ['[list]\npath = "list.md"', '[catalog]\npath = "refs/catalog.json"'
           + ('\noverrides = "refs/overrides.toml"' if overrides else "")]
    if email:
        out.append(f'[contact]\nemail = "{email}"')
    if zotero:
        out.append(f'[zotero]\nlibrary = "{zotero}"')
    out.append(f"[http]\ntimeout = {timeout}" + (f"\nretries = {retries}" if retries is not None else "")
               + f"\nbackoff = 0.01\nmax_backoff = {max_backoff}")
    out += [f"[sources.{s}]\nmin_interval = 0" for s in SERVICES]
    return "\n".join(out) + "\n"


def run_in(root: Path, env: dict, *args: str):
    """``plmcite ARGS`` run from the project folder ``root`` (where its plmcite.toml is found),
    with ``env`` added to the environment; stdout and stderr apart, exceptions raised."""
    old = os.getcwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    finally:
        os.chdir(old)


@pytest.fixture
def start_list(tmp_path) -> Path:
    """A writable copy of the starting list."""
    p = tmp_path / "list.md"
    p.write_bytes(START.read_bytes())
    return p


@pytest.fixture(autouse=True)
def _no_real_network(monkeypatch, tmp_path_factory):
    """No test may reach a real service or the user's cache: every service URL points at a
    closed local port (connection refused at once) unless a test starts a fake and says so."""
    for name in ("ARXIV", "CROSSREF", "DBLP", "OPENREVIEW", "ACL", "S2", "ZOTERO"):
        monkeypatch.setenv(f"PLMCITE_{name}_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("PLMCITE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
