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
