"""Shared fixtures: paths to the fixture data copied into the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
UPSTREAM = sorted((FIXTURES / "upstream").glob("README.*.md"))
START = FIXTURES / "upstream" / "README.2025-08-08.fcbf0f0.md"


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
