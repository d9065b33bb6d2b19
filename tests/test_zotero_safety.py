"""A person's Zotero items and tags are theirs: `plmcite zotero sync` through the real CLI, the real
pyzotero client and real HTTP against the fake Zotero server.

Each scenario asserts the exact library contents after: which items exist, which are in the
trash, and every tag on the items a person made.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from plmcite.catalog import save as save_catalog
from plmcite.model import Catalog, Person, Work
from plmcite.testing.zotero_fake import FakeZotero

from conftest import zotero_comparable

ROOT = Path(__file__).resolve().parents[1]
KEY = "Zq7SafetyKey0000042"
LIB = "group:42"


def works(n: int, sections=("1.1", "2")) -> list[Work]:
    return [Work(key=f"doe2024w{i}", title=f"Work {i}", kind="preprint", authors=[Person("Doe", "Jane")], year=2024,
                 ids={"arxiv": f"2402.{i:05d}", "doi": f"10.9999/w{i}"}, sections=[sections[i % len(sections)]])
            for i in range(n)]


def write_catalog(project: Path, ws: list[Work]) -> None:
    save_catalog(Catalog(works=ws, sections={"1": "One", "1.1": "One One", "2": "Two"}),
                 project / "refs" / "catalog.json")


@pytest.fixture
def fake(fake_zotero) -> FakeZotero:
    return fake_zotero({KEY: 5}, "group:42", "group:43")


@pytest.fixture
def project(tmp_path) -> Path:
    (tmp_path / "plmcite.toml").write_text('[catalog]\npath = "refs/catalog.json"\n[zotero]\nlibrary = "group:42"\n'
                                           '[http]\nbackoff = 0.01\n')
    return tmp_path


def sync(project: Path, fake: FakeZotero, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ZOTERO_API_KEY": KEY, "PLMCITE_ZOTERO_URL": fake.url, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", "from plmcite.cli import main; main()", "zotero", "sync", *args],
                          cwd=project, env=env, capture_output=True, text=True, timeout=120)


def tags(d: dict) -> list[str]:
    return sorted(t["tag"] for t in d["tags"])


def test_a_persons_item_keeps_its_tags_and_is_never_trashed(fake, project):
    ws = works(4)
    mine = fake.add_item(LIB, {"itemType": "preprint", "title": "Work 1, as I typed it", "DOI": "10.9999/w1",
                               "extra": "Note: for chapter 3",
                               "tags": [{"tag": "plm"}, {"tag": "plm:todo"}, {"tag": "to-read"}]})
    write_catalog(project, ws)
    first = sync(project, fake, "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["counts"]["create"] == 3  # work 1 is the person's item, adopted by DOI
    d = fake.library(LIB).items[mine]
    assert d["title"] == "Work 1, as I typed it"  # their value is kept (and reported as a conflict)
    assert tags(d) == ["plm", "plm:2", "plm:2 Two", "plm:todo", "to-read"]
    assert "plmcite: created" not in d["extra"] and "Note: for chapter 3" in d["extra"]

    write_catalog(project, [w for w in ws if w.key not in ("doe2024w1", "doe2024w2")])  # two works leave
    second = sync(project, fake, "--prune", "--json")
    assert second.returncode == 0, second.stderr
    out = json.loads(second.stdout)
    assert out["counts"]["trash"] == 1 and out["kept"] == [{"key": "doe2024w1", "reason": "made in Zotero, not by plmcite"}]
    assert "1 item(s) left the list but are yours" in second.stderr
    lib = fake.library(LIB).items
    d = lib[mine]
    assert not d.get("deleted") and tags(d) == ["plm", "plm:todo", "to-read"]  # only plmcite's tags went
    assert d["title"] == "Work 1, as I typed it" and "Note: for chapter 3" in d["extra"]
    trashed = sorted(re.search(r"Citation Key: (\S+)", x["extra"]).group(1) for x in lib.values() if x.get("deleted"))
    assert trashed == ["doe2024w2"]  # the item plmcite created for work 2
    live = sorted(re.search(r"Citation Key: (\S+)", x["extra"]).group(1)
                  for x in lib.values() if not x.get("deleted") and x["key"] != mine)
    assert live == ["doe2024w0", "doe2024w3"]


def test_a_plmcite_item_a_person_unmarked_is_theirs(fake, project):
    ws = works(2)
    write_catalog(project, ws)
    assert sync(project, fake).returncode == 0
    lib = fake.library(LIB).items
    key = next(k for k, d in lib.items() if "Citation Key: doe2024w0" in d["extra"])
    fake.edit_item(LIB, key, extra=lib[key]["extra"].replace("\nplmcite: created", ""), tags=lib[key]["tags"] + [{"tag": "mine"}])
    write_catalog(project, ws[1:])
    r = sync(project, fake, "--prune", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["kept"] == [{"key": "doe2024w0", "reason": "plmcite's mark was removed from its extra field"}]
    d = fake.library(LIB).items[key]
    assert not d.get("deleted") and tags(d) == ["mine"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_sync_under_20_percent_server_errors_finishes_in_one_run(fake, project, seed):
    ws = works(400)
    write_catalog(project, ws)
    fake.rng.seed(seed)
    fake.fault_rate = 0.2
    r = sync(project, fake, "--json", "--collections")
    fake.fault_rate = 0.0
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    errors = [q for q in fake.requests if q.status >= 500]
    assert len(errors) >= 2 and out["retries"] >= 2 and not out["failed"]
    # the same library as a sync without a single fault (no duplicates, nothing missing)
    clean = project / "clean"
    clean.mkdir()
    (clean / "plmcite.toml").write_text('[catalog]\npath = "refs/catalog.json"\n[zotero]\nlibrary = "group:43"\n')
    write_catalog(clean, ws)
    assert sync(clean, fake, "--collections").returncode == 0
    # collections compared as name paths: the faults left no second copy of a section's collection
    assert zotero_comparable(fake, LIB, include_trashed=True) == zotero_comparable(fake, "group:43", include_trashed=True)
    assert len(zotero_comparable(fake, LIB, include_trashed=True)) == 400


def test_a_write_answer_with_keys_only_loses_no_item(fake, project):
    """Reports that carry ``success`` (index -> key) but no ``successful`` objects, as older servers
    answer: the created keys are kept, so the next sync creates nothing again."""
    recorded = json.loads((ROOT / "tests" / "fixtures" / "wire" / "zotero" /
                           "write-post-items-legacy-success-only.json").read_text())
    assert "success" in recorded and "successful" not in recorded  # the shape this test stands for
    ws = works(60)
    write_catalog(project, ws)
    fake.keys_only_reports = True
    first = sync(project, fake, "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["counts"]["create"] == 60
    state = json.loads((project / "refs" / ".zotero-state.group-42.json").read_text())
    assert len({it["zkey"] for it in state["items"].values()}) == 60
    second = sync(project, fake, "--json")
    assert json.loads(second.stdout)["counts"]["create"] == 0 and len(fake.top_items(LIB)) == 60
