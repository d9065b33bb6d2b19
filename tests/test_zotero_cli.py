"""`plmcite zotero` as a person and a script use it: real processes, real pyzotero, the fake Zotero.

Also: the API key never shows up anywhere (output, state, error messages), and key or library
problems are one clear sentence, never a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from plmcite.model import Catalog, Person, Work
from plmcite.catalog import save as save_catalog
from plmcite.testing.zotero_fake import FakeZotero

ROOT = Path(__file__).resolve().parents[1]
SECRET = "Zq7SECRETkeyDoNotLeak91"
LIB = "group:42"


@pytest.fixture
def fake(fake_zotero) -> FakeZotero:
    return fake_zotero({SECRET: 5}, "group:42", read_only={"readonlykey123": 6})


@pytest.fixture
def project(tmp_path) -> Path:
    """A checkout with plmcite.toml and a small catalog."""
    (tmp_path / "plmcite.toml").write_text('[catalog]\npath = "refs/catalog.json"\n\n[zotero]\nlibrary = "group:42"\n\n[http]\nbackoff = 0.01\n')
    works = [Work(key=f"doe2024w{i}", title=f"Work {i}", kind="preprint", authors=[Person("Doe", "Jane")],
                  year=2024, ids={"arxiv": f"2402.{i:05d}"}, sections=["1.1" if i % 2 else "2"]) for i in range(7)]
    save_catalog(Catalog(works=works, sections={"1": "One", "1.1": "One One", "2": "Two"}), tmp_path / "refs" / "catalog.json")
    return tmp_path


def plmcite(project: Path, *args: str, key: str | None = SECRET, url: str | None = None, **env_extra: str):
    env = {k: v for k, v in os.environ.items() if k not in ("ZOTERO_API_KEY", "PLMCITE_ZOTERO_LIBRARY", "PLMCITE_ZOTERO_URL")}
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"  # a developer's keyring must not answer
    if key is not None:
        env["ZOTERO_API_KEY"] = key
    if url is not None:
        env["PLMCITE_ZOTERO_URL"] = url
    env.update(env_extra)
    return subprocess.run([sys.executable, "-c", "from plmcite.cli import main; main()", *args], cwd=project,
                          env=env, capture_output=True, text=True, timeout=120)


def one_sentence_error(proc) -> str:
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), proc.stderr
    return lines[0]


def test_sync_json_then_noop(fake, project):
    proc = plmcite(project, "zotero", "sync", "--json", url=fake.url)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["library"] == LIB and summary["counts"]["create"] == 7 and summary["requests"] == 2
    assert "7 create" in proc.stderr  # the human summary goes to stderr
    state = project / "refs" / ".zotero-state.group-42.json"
    assert state.exists()
    proc = plmcite(project, "zotero", "sync", "--json", url=fake.url)
    summary = json.loads(proc.stdout)
    assert summary["counts"]["unchanged"] == 7 and summary["requests"] == 1
    proc = plmcite(project, "zotero", "status", "--json")
    assert json.loads(proc.stdout)["items"] == 7


def test_dry_run_prints_plan(fake, project):
    proc = plmcite(project, "zotero", "sync", "--dry-run", "--collections", url=fake.url)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.count("create   doe2024w") == 7
    assert "would 7 create" in proc.stderr and "create collection '1.1 One One'" in proc.stderr
    assert fake.count("POST") == 0 and not (project / "refs" / ".zotero-state.group-42.json").exists()


def test_library_from_flag_and_environment(fake, project):
    fake.add_library("group", 77)
    proc = plmcite(project, "zotero", "sync", "--library", "group:77", "--json", url=fake.url)
    assert json.loads(proc.stdout)["library"] == "group:77"
    proc = plmcite(project, "zotero", "sync", "--json", url=fake.url, PLMCITE_ZOTERO_LIBRARY="group:77")
    assert json.loads(proc.stdout)["counts"]["unchanged"] == 7
    line = one_sentence_error(plmcite(project, "zotero", "sync", "--library", "team:1", url=fake.url))
    assert "group:ID or user:ID" in line


def test_missing_key_is_one_sentence(fake, project):
    line = one_sentence_error(plmcite(project, "zotero", "sync", key=None, url=fake.url))
    assert "ZOTERO_API_KEY" in line
    assert fake.count() == 0


def test_rejected_key_is_one_sentence(fake, project):
    line = one_sentence_error(plmcite(project, "zotero", "sync", key="wrongkey000", url=fake.url))
    assert "403" in line and "group:42" in line and "wrongkey000" not in line
    line = one_sentence_error(plmcite(project, "zotero", "sync", key="readonlykey123", url=fake.url))
    assert "write access" in line and "readonlykey123" not in line


def test_unreachable_server_is_one_sentence(project):
    line = one_sentence_error(plmcite(project, "zotero", "sync", url="http://127.0.0.1:9"))
    assert "Cannot reach Zotero" in line


def test_api_key_never_leaks(fake, project):
    outputs = []
    for args in (("zotero", "sync", "--json"), ("zotero", "sync", "--dry-run", "--json"),
                 ("zotero", "sync", "--collections", "--prune", "--json"), ("zotero", "status")):
        proc = plmcite(project, *args, url=fake.url)
        assert proc.returncode == 0, proc.stderr
        outputs += [proc.stdout, proc.stderr]
    # a server that echoes the key back in an error body: the message must not repeat it
    fake.inject("GET", r"/items/top$", 500, body=f"internal error for key {SECRET}", times=10)
    (project / "refs" / ".zotero-state.group-42.json").unlink()
    proc = plmcite(project, "zotero", "sync", url=fake.url)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and "[redacted]" in proc.stderr
    outputs += [proc.stdout, proc.stderr]
    for text in outputs:
        assert SECRET not in text
    for path in project.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
    assert any(r.method == "POST" for r in fake.requests)  # the key really was used


def test_in_process_errors_carry_no_key(fake, project):
    from plmcite.catalog import load
    from plmcite.zotero.plan import Options
    from plmcite.zotero.state import SyncState
    from plmcite.zotero.sync import SyncError, Syncer, connect
    from plmcite.zotero.tags import load_scheme

    catalog = load(project / "refs" / "catalog.json")
    fake.inject("POST", r"/items$", 400, body=f"bad request from {SECRET}")
    with pytest.raises(SyncError) as err:
        Syncer(connect(LIB, SECRET, fake.url), catalog, SyncState(LIB), load_scheme(), Options(), api_key=SECRET).run()
    assert SECRET not in str(err.value) and SECRET not in repr(err.value) and "400" in str(err.value)
    assert err.value.__cause__ is None and err.value.__suppress_context__


def test_zotero_command_does_not_import_pyzotero_until_it_runs():
    code = ("import sys, plmcite.cli.zoterocmd, plmcite.zotero.plan, plmcite.zotero.state; "
            "bad = [m for m in ('pyzotero', 'httpx2', 'requests') if m in sys.modules]; print(bad); sys.exit(bool(bad))")
    proc = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
