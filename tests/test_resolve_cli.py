"""``plmcite resolve`` through the real CLI, and the catalog lint rules on its output."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import project_config, run_in

from plmcite.catalog import load
from plmcite.testing.fakes import FakeInternet

FIXTURES = Path(__file__).parent / "fixtures"
START = FIXTURES / "upstream" / "README.2025-08-08.fcbf0f0.md"

CONFIG = project_config()


@pytest.fixture(scope="module")
def net():
    with FakeInternet(FIXTURES / "metadata", hang_s=1.0) as net:
        yield net


@pytest.fixture(scope="module")
def project(net, tmp_path_factory):
    """A project dir with config and list, resolved once through the CLI."""
    root = tmp_path_factory.mktemp("proj")
    (root / "plmcite.toml").write_text(CONFIG, encoding="utf-8")
    (root / "list.md").write_bytes(START.read_bytes())
    env = {**net.env(), "PLMCITE_CACHE_DIR": str(root / "cache")}
    r = run_in(root, env, "resolve", "--json")
    assert r.exit_code == 0, r.output
    return root, env, r




def test_json_summary_on_stdout_and_catalog_written(project):
    root, env, r = project
    out = json.loads(r.stdout)
    assert out["entries"] == 102 and out["works"] == 96 and out["unresolved"] == 1
    assert sum(out["requests"].values()) <= 102 and out["changed"] is True
    assert out["unresolved_entries"][0]["line"] == 16
    cat = load(root / "refs" / "catalog.json")
    assert cat.list_path == "list.md" and cat.sections["1.4"] == "Training-free Methods"
    assert len(cat.works) == 96


def test_second_run_makes_no_request_and_writes_nothing(project, net):
    root, env, _ = project
    before = (root / "refs" / "catalog.json").stat().st_mtime_ns
    net.reset_log()
    r = run_in(root, env, "resolve")
    assert r.exit_code == 0
    assert r.stdout == ""  # people's messages go to stderr
    assert "requests: 0" in r.stderr and "unchanged" in r.stderr
    assert sum(net.counts().values()) == 0
    assert (root / "refs" / "catalog.json").stat().st_mtime_ns == before


def test_offline_and_refresh_flags(project, net):
    root, env, _ = project
    r = run_in(root, {**env, "PLMCITE_CACHE_DIR": str(root / "nocache")}, "resolve", "--offline", "--json")
    out = json.loads(r.stdout)
    assert out["kept_previous"] == 102 and out["changed"] is False and sum(out["requests"].values()) == 0
    r = run_in(root, env, "resolve", "--refresh", "--offline")
    assert r.exit_code != 0 and "contradict" in r.output + r.stderr


def test_section_option(project, net):
    root, env, _ = project
    net.reset_log()
    r = run_in(root, {**env, "PLMCITE_CACHE_DIR": str(root / "cache-section")}, "resolve", "--section", "2.1", "--json")
    out = json.loads(r.stdout)
    assert out["changed"] is False and 0 < sum(out["requests"].values()) < 25


def test_unreadable_catalog_is_not_overwritten(project, tmp_path, net):
    root, env, _ = project
    other = tmp_path / "bad.json"
    other.write_text("{broken", encoding="utf-8")
    r = run_in(root, env, "resolve", "--catalog", str(other))
    assert r.exit_code == 1 and "not valid JSON" in r.stderr
    assert other.read_text() == "{broken"


def test_catalog_lint_rules_on_the_resolved_catalog(project):
    root, env, _ = project
    rules = ["stale-arxiv-tag", "tag-venue-mismatch", "tag-year-mismatch", "title-differs", "link-other-paper"]
    args = ["lint"]
    for rid in rules:
        args += ["--select", rid]
    r = run_in(root, env, *args)
    text = r.stdout + r.stderr
    expected = [
        "list.md:8: stale-arxiv-tag: tagged '2025 Arxiv-2503' but published as ACL 2025; tag it [2025 ACL]",
        "list.md:56: tag-venue-mismatch: tag says 'EMNLP' but the paper appeared at Findings of EMNLP 2024",
        "list.md:70: tag-venue-mismatch: tag says 'NeurIPS Workshop' but the paper appeared at NeurIPS 2024",
        "list.md:70: link-other-paper: links OpenReview zsXKtupv2I, but this paper is OpenReview gRG6SzbW9p",
        "list.md:72: tag-venue-mismatch: tag says 'PMLR' but the paper appeared at ICML 2024; tag it [2024 ICML]",
        "list.md:52: link-other-paper: links OpenReview bqUsdBeRjQ, which is not an identifier of this paper",
        "list.md:218: link-other-paper: links arXiv 2411.11706, but this paper is arXiv 2503.18854",
        "list.md:240: title-differs: official title: 'Personalized Video Comment Generation'",
        "list.md:187: tag-venue-mismatch: tag says 'CIKM' but no published version was found",
        "list.md:226: title-differs: official title: 'P-React: Synthesizing Topic-Adaptive Reactions",
    ]
    for line in expected:
        assert line in text, line
    # an entry whose tag, title and links all agree with its work gets no finding
    assert "list.md:21:" not in text  # DreamBench++ [2025 ICLR], OpenReview link
    assert "list.md:16:" not in text  # unresolved: nothing to compare with


def test_lint_rules_read_overrides(project, tmp_path):
    """A pinned venue in refs/overrides.toml silences the finding it answers."""
    root, env, _ = project
    ov = root / "refs" / "overrides.toml"
    ov.write_text('["arxiv:2310.20081"]\nkind = "conference"\nvenue = "cikm"\nvenue_short = "CIKM 2023"\nyear = 2023\n', encoding="utf-8")
    try:
        r = run_in(root, env, "lint", "--select", "tag-venue-mismatch")
        assert "list.md:187:" not in r.stdout + r.stderr
        # and resolve never writes to the overrides file
        run_in(root, env, "resolve")
        assert "cikm" in ov.read_text()
    finally:
        ov.unlink()


def test_killed_run_leaves_the_old_catalog_intact(tmp_path):
    root = tmp_path
    (root / "plmcite.toml").write_text(CONFIG, encoding="utf-8")
    (root / "list.md").write_bytes(START.read_bytes())
    (root / "refs").mkdir()
    old = '{"format": "plmcite-catalog/1", "works": [], "unresolved": []}\n'
    (root / "refs" / "catalog.json").write_text(old, encoding="utf-8")
    with FakeInternet(FIXTURES / "metadata", latency_ms=100) as net:
        env = {**os.environ, **net.env(), "PLMCITE_CACHE_DIR": str(root / "cache")}
        p = subprocess.Popen([sys.executable, "-m", "plmcite.cli", "resolve"], cwd=root, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 20
        while sum(net.counts().values()) < 20 and time.time() < deadline:
            time.sleep(0.05)
        p.send_signal(signal.SIGKILL)
        p.wait()
    assert (root / "refs" / "catalog.json").read_text() == old
    assert [x.name for x in (root / "refs").iterdir()] == ["catalog.json"]  # no half-written temp file
    # the cache the killed run filled is whole: every entry file is valid JSON
    for f in (root / "cache").rglob("*.json"):
        json.loads(f.read_text())
