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


# --- the fake Zotero (tests/test_zotero_*.py) ------------------------------------------------------


@pytest.fixture
def fake_zotero():
    """Start a fake Zotero Web API, stopped after the test:
    ``fake_zotero({"key": user_id}, "group:42", "user:7", read_only={"other": 6})``."""
    from plmcite.testing.zotero_fake import FakeZotero

    started = []

    def start(keys: dict[str, int], *libraries: str, read_only: dict[str, int] | None = None):
        fake = FakeZotero()
        for key, user in keys.items():
            fake.add_key(key, user_id=user)
        for key, user in (read_only or {}).items():
            fake.add_key(key, user_id=user, write=False)
        for spec in libraries:
            kind, _, lib_id = spec.partition(":")
            fake.add_library(kind, int(lib_id))
        started.append(fake.start())
        return fake

    yield start
    for fake in started:
        fake.stop()


def zotero_items(fake, library: str, *, include_trashed: bool = False) -> dict[str, list[dict]]:
    """A fake library's top-level items by citation key (``zotero:<key>`` for an item without one)."""
    import re

    out: dict[str, list[dict]] = {}
    for d in fake.top_items(library, include_trashed):
        m = re.search(r"^Citation Key: (.+)$", d.get("extra", ""), re.M)
        out.setdefault(m.group(1) if m else "zotero:" + d["key"], []).append(d)
    return out


def zotero_comparable(fake, library: str, *, include_trashed: bool = False) -> dict[str, dict]:
    """A fake library's items as two syncs of one catalog must leave them alike: by citation key
    (one item each), without keys, versions and dates, tags sorted, collections as name paths."""
    colls = fake.library(library).collections

    def path(k: str) -> str:
        parts = []
        while k:
            parts.append(colls[k]["name"])
            k = colls[k]["parentCollection"] or ""
        return "/".join(reversed(parts))

    out = {}
    for ck, items in zotero_items(fake, library, include_trashed=include_trashed).items():
        assert len(items) == 1, f"duplicate items for {ck}"
        d = {k: v for k, v in items[0].items() if k not in ("key", "version", "dateAdded", "dateModified")}
        d["tags"] = sorted(t["tag"] for t in d["tags"])
        d["collections"] = sorted(path(c) for c in d["collections"])
        out[ck] = d
    return out
