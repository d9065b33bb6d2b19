"""What a person relies on when the world misbehaves: the real CLI over real HTTP against fakes.

* a near-miss title stays unresolved, lint says "did you mean" as an error, and `fix` leaves it;
* two `plmcite resolve` runs on one catalog at once lose nothing (compare-and-swap, then merge);
* `resolve` exits 1 when entries could not be checked, names the services, keeps previous records;
* `add` says when its lookup failed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import project_config, run_in

from plmcite.atomic import ConcurrentModificationError
from plmcite.catalog import read_for_update, save
from plmcite.errors import EXIT_FAILED
from plmcite.testing.fakes import FakeInternet

FIXTURES = Path(__file__).parent / "fixtures"
START = FIXTURES / "upstream" / "README.2025-08-08.fcbf0f0.md"
ROOT = Path(__file__).parent.parent

CONFIG = project_config(email=None, retries=1, max_backoff=0.02, overrides=False)

DREAMBENCH_VIDEO = "DreamBench++: A Human-Aligned Benchmark for Personalized Video Generation"
DREAMBENCH_IMAGE = "DreamBench++: A Human-Aligned Benchmark for Personalized Image Generation"


@pytest.fixture(scope="module")
def net():
    with FakeInternet(FIXTURES / "metadata", hang_s=1.0) as net:
        yield net


def make_project(root: Path, list_text: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "plmcite.toml").write_text(CONFIG, encoding="utf-8")
    (root / "list.md").write_text(list_text, encoding="utf-8")
    return root




# --- a near miss is a question for the author, never an answer ----------------------------------


def test_a_near_miss_title_stays_unresolved_and_lint_asks(net, tmp_path):
    text = ("# List\n\n## 1. Benchmarks\n\n"
            f"+ **\\[2025 ICLR\\]** {DREAMBENCH_VIDEO}.\n\n"
            f"+ **\\[2025 ICLR\\]** {DREAMBENCH_IMAGE}.\n")
    root = make_project(tmp_path / "p", text)
    env = {**net.env(), "PLMCITE_CACHE_DIR": str(tmp_path / "cache")}
    r = run_in(root, env, "resolve")
    assert r.exit_code == 0, r.stderr
    cat = json.loads((root / "refs" / "catalog.json").read_text())
    assert [w["title"] for w in cat["works"]] == [DREAMBENCH_IMAGE]  # the Image entry finds its paper
    [u] = cat["unresolved"]
    assert u["title"] == DREAMBENCH_VIDEO and u["line"] == 5
    assert u["nearest"]["title"] == DREAMBENCH_IMAGE and u["nearest"]["ids"] == {"arxiv": "2406.16855"}
    assert "no paper has this title" in u["reason"] and DREAMBENCH_IMAGE in u["reason"]

    lint = run_in(root, env, "lint")
    assert lint.exit_code == EXIT_FAILED
    [finding] = [l for l in lint.stdout.splitlines() if "title-near-miss" in l]
    assert finding.startswith("list.md:5: title-near-miss: ") and f"did you mean {DREAMBENCH_IMAGE!r}" in finding
    assert "video -> image" in finding

    before = (root / "list.md").read_bytes()
    for args in (("fix",), ("fix", "--tags")):
        assert run_in(root, env, *args).exit_code == 0
        assert (root / "list.md").read_bytes() == before  # never "fixed" into another paper


# --- concurrent runs -----------------------------------------------------------------------------


def test_a_stale_snapshot_is_refused_and_nothing_written(tmp_path):
    path = tmp_path / "refs" / "catalog.json"
    path.parent.mkdir()
    path.write_bytes((FIXTURES / "catalog" / "catalog.json").read_bytes())
    snap, mine = read_for_update(path)
    theirs = (FIXTURES / "catalog" / "catalog.json").read_text().replace('"list": ', '"list": "other.md", "x": ', 1)
    path.write_text(theirs)  # another run wrote while this one worked
    mine.works = mine.works[:1]
    with pytest.raises(ConcurrentModificationError):
        save(mine, path, expect=snap)
    assert path.read_text() == theirs


def test_an_unchanged_catalog_is_not_rewritten_even_with_crlf_line_ends(tmp_path):
    """A save that changes nothing writes nothing (no mtime churn, no diff), also when an editor
    turned the file's line ends into CRLF; a real change is written, compare-and-swap passing."""
    path = tmp_path / "catalog.json"
    snap, cat = read_for_update(FIXTURES / "catalog" / "catalog.json")
    path.write_bytes(cat.dumps().replace("\n", "\r\n").encode("utf-8"))
    snap, mine = read_for_update(path)
    assert save(mine, path, expect=snap) is False
    assert b"\r\n" in path.read_bytes()
    mine.works = mine.works[:1]
    assert save(mine, path, expect=snap) is True
    assert path.read_text(encoding="utf-8") == mine.dumps()


def run_resolve(root: Path, env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "from plmcite.cli import main; main()", "resolve", *args],
                            cwd=root, env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def sections_of(catalog: dict) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for w in catalog["works"]:
        for s in w["sections"]:
            out.setdefault(s.split(".")[0], set()).add(w["key"])
    return out


def test_two_resolves_at_once_lose_nothing(tmp_path):
    """Section 1 and section 2 resolved by two processes at the same time, each reading the same
    (empty) catalog first: the catalog ends with the works of both, as a sequential run gives."""
    with FakeInternet(FIXTURES / "metadata", latency_ms=40) as slow:
        env = {**slow.env(), "PLMCITE_CACHE_DIR": str(tmp_path / "cache-seq")}
        seq = make_project(tmp_path / "seq", START.read_text(encoding="utf-8"))
        assert run_in(seq, env, "resolve").exit_code == 0
        want = sections_of(json.loads((seq / "refs" / "catalog.json").read_text()))
        want.pop("")  # the entries above the first heading are in neither section

        both = make_project(tmp_path / "both", START.read_text(encoding="utf-8"))
        procs = [run_resolve(both, {**slow.env(), "PLMCITE_CACHE_DIR": str(tmp_path / f"cache-{s}")}, "--section", s)
                 for s in ("1", "2")]
        outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    got = sections_of(json.loads((both / "refs" / "catalog.json").read_text()))
    assert got == want
    # both read the empty catalog before either wrote: the second to write merged (and said so)
    assert sum("another run wrote it while this one ran" in err for _, err in outs) == 1


# --- exit codes ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def resolved(net, tmp_path_factory):
    """A project resolved once against the fakes (its cache holds every answer)."""
    root = make_project(tmp_path_factory.mktemp("resolved"), START.read_text(encoding="utf-8"))
    env = {**net.env(), "PLMCITE_CACHE_DIR": str(root / "cache")}
    assert run_in(root, env, "resolve").exit_code == 0
    return root, env


def test_every_service_down_is_exit_1_and_keeps_the_catalog(resolved, tmp_path):
    root, _ = resolved
    before = (root / "refs" / "catalog.json").read_bytes()
    down = {"PLMCITE_CACHE_DIR": str(tmp_path / "empty-cache")}  # the services point at a closed port
    r = run_in(root, down, "resolve", "--refresh")
    assert r.exit_code == EXIT_FAILED
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("error: 102 entries could not be checked because a service failed (")
    assert "arxiv: " in last and "they keep their previous records" in last
    assert (root / "refs" / "catalog.json").read_bytes() == before


def test_offline_without_a_cache_says_so(resolved, tmp_path):
    root, _ = resolved
    before = (root / "refs" / "catalog.json").read_bytes()
    r = run_in(root, {"PLMCITE_CACHE_DIR": str(tmp_path / "empty-cache")}, "resolve", "--offline", "--json")
    assert r.exit_code == EXIT_FAILED
    assert json.loads(r.stdout)["unchecked"] == 102
    assert "not in the cache and --offline forbids the network" in r.stderr
    assert "could not be reached" not in r.stderr and "service failed" not in r.stderr
    assert (root / "refs" / "catalog.json").read_bytes() == before


def test_offline_from_a_full_cache_is_exit_0(resolved):
    root, env = resolved
    r = run_in(root, env, "resolve", "--offline")
    assert r.exit_code == 0 and "error:" not in r.stderr


def test_add_says_its_lookup_failed(tmp_path):
    root = make_project(tmp_path / "p", START.read_text(encoding="utf-8"))
    r = run_in(root, {"PLMCITE_CACHE_DIR": str(tmp_path / "cache")}, "add", "2501.00001", "--section", "1.1")
    assert r.exit_code == EXIT_FAILED
    assert "could not look up arxiv:2501.00001: arxiv did not answer" in r.stderr
    assert "no title known" not in r.stderr


def test_a_section_run_keeps_the_other_works_as_they_were_and_leaves_the_previous_catalog_alone():
    """Works outside the run's section are carried over exactly (to the byte), and building the
    new catalog changes nothing in the previous one it was built over."""
    from plmcite.catalog import load
    from plmcite.resolve.build import build_catalog
    from plmcite.resolve.claim import EntryInfo

    prev = load(ROOT / "refs" / "catalog.json")  # a catalog as resolve built it
    before = prev.dumps()
    carried = [EntryInfo(section=r.section, line=i + 1, title=r.title, ids=dict(w.ids), code=list(w.code))
               for i, (w, r) in enumerate((w, r) for w in prev.works for r in w.entries)]
    cat, _ = build_catalog([], previous=prev, carried=carried, sections=prev.sections)
    assert prev.dumps() == before
    assert len(cat.works) == len(prev.works) > 90
    assert sorted(cat.works, key=lambda w: w.key) == sorted(prev.works, key=lambda w: w.key)
    cat.works[0].authors[0].family = "Changed"
    cat.works[0].ids["doi"] = "10.1/changed"
    assert prev.dumps() == before
