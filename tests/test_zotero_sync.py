"""Zotero sync scenarios: the real pyzotero client against the fake Zotero Web API over HTTP.

Catalogs come from the list's real history (tests/fixtures/upstream, 12 versions): one work per
distinct identifier, sections from the entries, so the replay sees entries added, moved between
sections, removed, and sections renamed and renumbered.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from plmcite.model import Catalog, EntryRef, Person, Work
from plmcite.catalog import save as save_catalog
from plmcite.listfile import parse_file
from plmcite.testing.zotero_fake import FakeZotero
from plmcite.zotero import state as state_mod
from plmcite.zotero.plan import Options
from plmcite.zotero.sync import Syncer, connect
from plmcite.zotero.tags import load_scheme

from conftest import zotero_comparable as comparable, zotero_items

UPSTREAM = sorted((Path(__file__).parent / "fixtures" / "upstream").glob("README.*.md"))
KEY = "k9secretZ0teroKey42"
LIB = "group:42"
ROOT = Path(__file__).resolve().parents[1]


# --- helpers ------------------------------------------------------------------------------------


def catalog_from_list(path: Path) -> Catalog:
    """One Work per distinct identifier (or normalised title), sections from the entries."""
    doc = parse_file(path)
    works: dict[str, Work] = {}
    for e in doc.entries:
        ids = e.ids
        for name in ("arxiv", "doi", "acl", "openreview"):
            if name in ids:
                ident = f"{name}:{ids[name].lower()}"
                break
        else:
            ident = "title:" + re.sub(r"[^a-z0-9]+", " ", e.title.lower()).strip()
        key = "w" + hashlib.sha1(ident.encode()).hexdigest()[:10]
        w = works.get(key)
        if w is None:
            venue = e.tag.venue if e.tag else None
            year = e.tag.year if e.tag else None
            kind = "preprint" if not venue or venue.lower() in ("arxiv", "github") else (
                "workshop" if "workshop" in venue.lower() else "conference")
            w = Work(key=key, title=e.title, kind=kind, year=year,
                     authors=[Person("Author" + key[1:4].upper(), "Ann")],
                     ids={k: v for k, v in ids.items() if k in ("arxiv", "doi", "acl", "openreview")},
                     venue_short=f"{venue} {year}" if kind != "preprint" and year else None,
                     container=f"Proceedings of {venue} {year}" if kind != "preprint" else None)
            works[key] = w
        else:
            w.title = e.title  # a later entry of the same paper may carry the corrected title
        if e.section not in w.sections:
            w.sections.append(e.section)
        w.entries.append(EntryRef(e.section, e.title))
    return Catalog(works=list(works.values()), sections=doc.section_titles(), list_path=str(path))


def synthetic_catalog(n: int, sections: int = 5) -> Catalog:
    works = [Work(key=f"key{i:05d}", title=f"Paper number {i}", kind="conference" if i % 3 == 0 else "preprint",
                  authors=[Person("Doe", "Jane"), Person("Roe", "Rich")], year=2024, month=1 + i % 12,
                  ids={"arxiv": f"2401.{i:05d}"}, container="Proceedings of ICLR 2025" if i % 3 == 0 else None,
                  pages="1--10" if i % 3 == 0 else None, sections=[str(1 + i % sections)])
             for i in range(n)]
    return Catalog(works=works, sections={str(s): f"Section {s}" for s in range(1, sections + 1)})


def run(fake: FakeZotero, catalog: Catalog, state_path: Path, library: str = LIB, **opts):
    dry_run = opts.pop("dry_run", False)
    state = state_mod.load(state_path, library)
    zot = connect(library, KEY, fake.url, backoff=0.01)
    return Syncer(zot, catalog, state, load_scheme(), Options(**opts), dry_run=dry_run, api_key=KEY).run()


def tag_names(item: dict) -> set[str]:
    return {t["tag"] for t in item["tags"]}


@pytest.fixture
def fake(fake_zotero) -> FakeZotero:
    return fake_zotero({KEY: 7}, "group:42", "group:43", "user:7")


@pytest.fixture
def start_catalog() -> Catalog:
    return catalog_from_list(UPSTREAM[0])


# --- first sync, no-op, one change ------------------------------------------------------------


def test_first_sync_of_starting_list(fake, start_catalog, tmp_path):
    state_path = tmp_path / "state.json"
    n = len(start_catalog.works)
    result = run(fake, start_catalog, state_path)
    assert result.counts["create"] == n and not result.failed
    items = zotero_items(fake, LIB)
    assert sorted(items) == sorted(w.key for w in start_catalog.works)
    assert all(len(v) == 1 for v in items.values())
    writes = fake.count("POST")
    assert writes == math.ceil(n / 50)
    assert fake.count() == writes + 1  # one read of an empty library
    scheme = load_scheme()
    for w in start_catalog.works:
        d = items[w.key][0]
        assert d["title"] == w.title
        assert d["itemType"] == {"preprint": "preprint", "conference": "conferencePaper",
                                 "workshop": "conferencePaper"}[w.kind]
        wanted = set(scheme.work_tags(w, start_catalog.sections))
        assert tag_names(d) == wanted
        assert "plm" in wanted and all(f"plm:{s or '0'}" in wanted for s in w.sections)
        assert d["extra"].splitlines()[0] == f"Citation Key: {w.key}"
        if w.arxiv:
            assert f"arXiv: {w.arxiv}" in d["extra"].splitlines()
            if d["itemType"] == "preprint":
                assert d["archiveID"] == f"arXiv:{w.arxiv}" and d["url"] == f"https://arxiv.org/abs/{w.arxiv}"
    saved = json.loads(state_path.read_text())
    assert saved["library"] == LIB and saved["version"] == fake.library(LIB).version
    assert len(saved["items"]) == n


def test_noop_resync_costs_one_request(fake, start_catalog, tmp_path):
    state_path = tmp_path / "state.json"
    run(fake, start_catalog, state_path)
    before = state_path.read_bytes()
    fake.reset_log()
    result = run(fake, start_catalog, state_path)
    assert fake.count() <= 2 and fake.count() == 1
    assert fake.count("POST") == 0
    assert result.counts["unchanged"] == len(start_catalog.works)
    assert json.loads(state_path.read_bytes()) == json.loads(before)


def test_one_changed_work_costs_at_most_three_requests(fake, start_catalog, tmp_path):
    state_path = tmp_path / "state.json"
    run(fake, start_catalog, state_path)
    w = start_catalog.works[7]
    w.title = "A Corrected Title"
    fake.reset_log()
    result = run(fake, start_catalog, state_path)
    assert fake.count() <= 3 and fake.count("POST") == 1
    assert result.counts["update"] == 1
    assert zotero_items(fake, LIB)[w.key][0]["title"] == "A Corrected Title"
    # a re-sync after that is a no-op again: our own write does not look like somebody's edit
    fake.reset_log()
    result = run(fake, start_catalog, state_path)
    assert fake.count() == 1 and result.counts["update"] == 0


def test_first_sync_with_collections_mirrors_sections(fake, start_catalog, tmp_path):
    result = run(fake, start_catalog, tmp_path / "s.json", collections=True)
    lib = fake.library(LIB)
    names = {c["name"] for c in lib.collections.values()}
    root = [c for c in lib.collections.values() if not c["parentCollection"]]
    assert [c["name"] for c in root] == ["Personalized LLMs (plmcite)"]
    assert "1.4 Training-free Methods" in names or any(n.startswith("1.") for n in names)
    by_name = {c["name"]: c for c in lib.collections.values()}
    sub = next(c for n, c in by_name.items() if n.startswith("1.1 "))
    assert lib.collections[sub["parentCollection"]]["name"].startswith("1 ")
    for w in start_catalog.works:
        d = zotero_items(fake, LIB)[w.key][0]
        assert len(d["collections"]) == len(set(w.sections))
    assert result.collections_created
    fake.reset_log()
    run(fake, start_catalog, tmp_path / "s.json", collections=True)
    assert fake.count() == 1


# --- the list's real history ------------------------------------------------------------------


def _user_content(fake: FakeZotero, library: str, catalog: Catalog) -> dict:
    """A person's work in Zotero: a note, a tag, an extra line, a collection, an item of their own."""
    items = zotero_items(fake, library)
    target = items[catalog.works[0].key][0]
    coll_report = fake.library(library)
    coll = "MYCOLL22"
    coll_report.collections[coll] = {"key": coll, "version": coll_report.version + 1, "name": "Reading group",
                                      "parentCollection": False, "relations": {}}
    coll_report.version += 1
    fake.edit_item(library, target["key"], tags=target["tags"] + [{"tag": "to-read"}, {"tag": "auto", "type": 1}],
                   collections=target["collections"] + [coll], extra=target["extra"] + "\nOriginal Date: 2023")
    note = fake.add_item(library, {"itemType": "note", "note": "<p>discussed on Monday</p>", "parentItem": target["key"],
                                   "tags": [{"tag": "plm:1.1"}]})
    own = fake.add_item(library, {"itemType": "book", "title": "A book of our own", "tags": [{"tag": "mine"}]})
    return {"target": target["key"], "note": note, "own": own, "collection": coll}


def _check_user_content(fake: FakeZotero, library: str, marks: dict) -> None:
    lib = fake.library(library)
    target = lib.items[marks["target"]]
    assert {"to-read", "auto"} <= tag_names(target)
    assert {"tag": "auto", "type": 1} in target["tags"]
    assert marks["collection"] in target["collections"]
    assert "Original Date: 2023" in target["extra"].splitlines()
    assert lib.items[marks["note"]]["note"] == "<p>discussed on Monday</p>"
    assert lib.items[marks["note"]]["tags"] == [{"tag": "plm:1.1"}]
    assert lib.items[marks["own"]]["title"] == "A book of our own" and tag_names(lib.items[marks["own"]]) == {"mine"}


@pytest.mark.parametrize("collections", [False, True])
def test_replay_of_list_history_matches_fresh_sync(fake, tmp_path, collections):
    assert len(UPSTREAM) == 12
    state_path = tmp_path / "replay.json"
    catalogs = [catalog_from_list(p) for p in UPSTREAM]
    run(fake, catalogs[0], state_path, prune=True, collections=collections)
    marks = _user_content(fake, LIB, catalogs[0])
    seen_ops: dict[str, int] = {}
    for cat in catalogs[1:]:
        result = run(fake, cat, state_path, prune=True, collections=collections)
        assert not result.failed, result.failed
        for op, n in result.counts.items():
            seen_ops[op] = seen_ops.get(op, 0) + n
    # the history really moved things around
    assert seen_ops["create"] > 50 and seen_ops["retag"] > 10 and seen_ops["trash"] > 50
    assert seen_ops["restore"] > 0
    last = catalogs[-1]
    run(fake, last, tmp_path / "fresh.json", library="group:43", collections=collections)
    replayed, fresh = comparable(fake, LIB), comparable(fake, "group:43")
    # the person's own item and the work they decorated are theirs: compare the rest exactly
    target_ck = catalogs[0].works[0].key
    replayed.pop("zotero:" + marks["own"])
    replayed_target = replayed.pop(target_ck, None)
    fresh_target = fresh.pop(target_ck, None)
    assert replayed == fresh
    if fresh_target is not None:  # still in the list: same as fresh plus the person's additions
        assert set(fresh_target["tags"]) <= set(replayed_target["tags"])
    _check_user_content(fake, LIB, marks)
    # works that left the list are in the trash, untagged; nothing else was trashed
    trashed = [d for d in fake.top_items(LIB, include_trashed=True) if d.get("deleted")]
    left = {w.key for c in catalogs for w in c.works} - {w.key for w in last.works}
    trashed_keys = {re.search(r"Citation Key: (\S+)", d["extra"]).group(1) for d in trashed}
    assert trashed_keys == left
    for d in trashed:
        assert not any(t["tag"].startswith("plm") for t in d["tags"] if t["tag"] != "to-read")


def test_replay_without_prune_untags_but_keeps_items(fake, tmp_path):
    state_path = tmp_path / "s.json"
    a, b = catalog_from_list(UPSTREAM[6]), catalog_from_list(UPSTREAM[7])  # 250 entries -> 71
    run(fake, a, state_path)
    result = run(fake, b, state_path)
    gone = {w.key for w in a.works} - {w.key for w in b.works}
    assert result.counts["untag"] == len(gone) and result.counts["trash"] == 0
    items = zotero_items(fake, LIB)
    for key in gone:
        (d,) = items[key]
        assert not d.get("deleted") and not tag_names(d)
    # a later --prune trashes exactly those
    result = run(fake, b, state_path, prune=True)
    assert result.counts["trash"] == len(gone)


# --- interrupted, concurrent, rate-limited ------------------------------------------------------


SYNC_SCRIPT = """
import sys
from plmcite.cli import main
sys.argv = ["plmcite"] + sys.argv[1:]
main()
"""


def test_sync_killed_half_way_then_rerun(fake, tmp_path):
    catalog = synthetic_catalog(260)
    cat_path = tmp_path / "refs" / "catalog.json"
    save_catalog(catalog, cat_path)
    reached, release = threading.Event(), threading.Event()
    posts = {"n": 0}

    def after_write(f, method, path):
        if method == "POST" and path.endswith("/items"):
            posts["n"] += 1
            if posts["n"] == 3:  # the third batch is written, but its answer never arrives
                reached.set()
                release.wait(30)

    fake.after_write = after_write
    env = {**os.environ, "ZOTERO_API_KEY": KEY, "PLMCITE_ZOTERO_URL": fake.url, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", SYNC_SCRIPT, "zotero", "sync", "--catalog", str(cat_path),
                             "--library", LIB], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert reached.wait(60), proc.stderr.read().decode() if proc.poll() is not None else "no third write"
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        release.set()
        fake.after_write = None
    assert len(fake.top_items(LIB)) == 150  # three batches landed
    result = run(fake, catalog, tmp_path / "refs" / ".zotero-state.group-42.json")
    assert result.counts["create"] == 110 and not result.failed
    items = zotero_items(fake, LIB)
    assert sorted(items) == sorted(w.key for w in catalog.works)
    assert all(len(v) == 1 for v in items.values())
    fake.reset_log()
    assert run(fake, catalog, tmp_path / "refs" / ".zotero-state.group-42.json").counts["update"] == 0
    assert fake.count() == 1


def test_lost_state_finds_items_again(fake, start_catalog, tmp_path):
    state_path = tmp_path / "s.json"
    run(fake, start_catalog, state_path, collections=True)
    state_path.unlink()
    fake.reset_log()
    result = run(fake, start_catalog, state_path, collections=True)
    assert result.counts["create"] == 0 and fake.count("POST") == 0
    assert not result.collections_created
    assert result.counts["unchanged"] == len(start_catalog.works)
    assert all(len(v) == 1 for v in zotero_items(fake, LIB).values())


def test_concurrent_edit_in_zotero_is_preserved(fake, start_catalog, tmp_path):
    state_path = tmp_path / "s.json"
    run(fake, start_catalog, state_path)
    a, b = start_catalog.works[3], start_catalog.works[4]
    a.title, b.pages = "Title From The Catalog", "5--9"
    a_key = zotero_items(fake, LIB)[a.key][0]["key"]
    edited = {"done": False}

    def before_write(f, method, path):
        if method == "POST" and not edited["done"]:
            edited["done"] = True  # a person saves an edit between plmcite's read and its write
            f.edit_item(LIB, a_key, title="Title Fixed By Hand", date="2025-02-03")

    fake.before_write = before_write
    fake.reset_log()
    result = run(fake, start_catalog, state_path)
    fake.before_write = None
    statuses = [r.status for r in fake.requests if r.method == "POST"]
    assert statuses[0] == 412 and statuses[-1] == 200
    d = fake.library(LIB).items[a_key]
    assert d["title"] == "Title Fixed By Hand" and d["date"] == "2025-02-03"
    # both fields edited by hand are kept and reported, the catalog's other changes went through
    assert [(c.key, c.field, c.resolution) for c in result.conflicts] == [(a.key, "date", "kept"), (a.key, "title", "kept")]
    bd = zotero_items(fake, LIB)[b.key][0]
    assert bd.get("pages", "") == "5-9" or bd["itemType"] == "preprint"
    # the edit survives later syncs, and --prefer local overrides it
    assert run(fake, start_catalog, state_path).counts["kept"] == 2
    assert fake.library(LIB).items[a_key]["title"] == "Title Fixed By Hand"
    result = run(fake, start_catalog, state_path, prefer="local")
    assert result.counts["overwritten"] == 2
    assert fake.library(LIB).items[a_key]["title"] == "Title From The Catalog"


def test_rate_limiting_and_backoff_are_honoured(fake, tmp_path):
    catalog = synthetic_catalog(120)
    fake.inject("GET", r"/items/top$", 429, headers={"Retry-After": "1"})
    fake.inject("POST", r"/items$", 429, headers={"Retry-After": "1"})
    fake.backoff_next = ["1"]
    started = time.monotonic()
    result = run(fake, catalog, tmp_path / "s.json")
    elapsed = time.monotonic() - started
    assert not result.failed and result.counts["create"] == 120
    assert elapsed >= 3.0  # Retry-After of the two 429s, and the Backoff sent with the next answer
    assert [r.status for r in fake.requests][:3] == [429, 200, 429]
    items = zotero_items(fake, LIB)
    assert len(items) == 120 and all(len(v) == 1 for v in items.values())


def test_write_answer_lost_then_retried_creates_no_duplicates(fake, tmp_path):
    catalog = synthetic_catalog(60)
    # the first write is applied, but the client is told 503: the same run sends it again with
    # the same write token, is told the token was used, reads what changed and writes the rest
    fake.inject("POST", r"/items$", 503, apply_write=True)
    result = run(fake, catalog, tmp_path / "s.json")
    assert not result.failed and result.retries == 1
    assert result.counts["create"] == 10  # the 50 of the lost answer were found again, not recreated
    assert all(len(v) == 1 for v in zotero_items(fake, LIB).values()) and len(zotero_items(fake, LIB)) == 60
    fake.reset_log()
    assert run(fake, catalog, tmp_path / "s.json").counts["create"] == 0 and fake.count() == 1


# --- safety -------------------------------------------------------------------------------------


def test_moves_between_sections_retag_only_plmcite_tags(fake, start_catalog, tmp_path):
    state_path = tmp_path / "s.json"
    run(fake, start_catalog, state_path)
    w = start_catalog.works[10]
    zkey = zotero_items(fake, LIB)[w.key][0]["key"]
    d = fake.library(LIB).items[zkey]
    fake.edit_item(LIB, zkey, tags=d["tags"] + [{"tag": "plm:9.9 my own"}, {"tag": "favourite"}])
    old = set(load_scheme().work_tags(w, start_catalog.sections))
    w.sections = ["2.1" if w.sections != ["2.1"] else "1.1"]
    result = run(fake, start_catalog, state_path)
    assert result.counts["retag"] == 1 and result.counts["update"] == 0
    tags = tag_names(fake.library(LIB).items[zkey])
    new = set(load_scheme().work_tags(w, start_catalog.sections))
    assert new <= tags and not (old - new) & tags
    assert {"plm:9.9 my own", "favourite"} <= tags  # a person's tags, even in plmcite's namespace


def test_renamed_section_retags_cleanly(fake, start_catalog, tmp_path):
    state_path = tmp_path / "s.json"
    run(fake, start_catalog, state_path, collections=True)
    sec = start_catalog.works[0].sections[0] or "1.1"
    members = [w for w in start_catalog.works if sec in w.sections]
    old_title = start_catalog.sections[sec]
    start_catalog.sections[sec] = "Renamed Section"
    result = run(fake, start_catalog, state_path, collections=True)
    assert result.counts["retag"] == len(members)
    assert result.collections_renamed == [f"{sec} Renamed Section"]
    for w in members:
        tags = tag_names(zotero_items(fake, LIB)[w.key][0])
        assert f"plm:{sec} Renamed Section" in tags and f"plm:{sec} {old_title}" not in tags and f"plm:{sec}" in tags


def test_item_trashed_by_a_person_is_left_alone(fake, start_catalog, tmp_path):
    state_path = tmp_path / "s.json"
    run(fake, start_catalog, state_path)
    w = start_catalog.works[2]
    zkey = zotero_items(fake, LIB)[w.key][0]["key"]
    fake.edit_item(LIB, zkey, deleted=1)
    w.title = "Changed"
    result = run(fake, start_catalog, state_path)
    assert [k for k, _ in result.skipped] == [w.key] and result.counts["update"] == 0
    assert fake.library(LIB).items[zkey].get("deleted") == 1


def test_item_deleted_in_zotero_is_recreated(fake, start_catalog, tmp_path):
    state_path = tmp_path / "s.json"
    run(fake, start_catalog, state_path)
    w = start_catalog.works[2]
    fake.delete_item(LIB, zotero_items(fake, LIB)[w.key][0]["key"])
    fake.reset_log()
    result = run(fake, start_catalog, state_path)
    assert result.counts["create"] == 1 and fake.count() == 3  # changes, /deleted, one write
    assert len(zotero_items(fake, LIB)[w.key]) == 1


def test_dry_run_writes_nothing(fake, start_catalog, tmp_path):
    state_path = tmp_path / "s.json"
    result = run(fake, start_catalog, state_path, dry_run=True, collections=True)
    assert result.counts["create"] == len(start_catalog.works) and result.collections_created
    assert fake.count("POST") == 0 and not state_path.exists() and not fake.top_items(LIB)


def test_user_library_and_adoption_of_hand_made_items(fake, start_catalog, tmp_path):
    w = next(w for w in start_catalog.works if w.arxiv)
    own = fake.add_item("user:7", {"itemType": "preprint", "title": "My own spelling of the title",
                                   "url": f"http://arxiv.org/abs/{w.arxiv}v2", "tags": [{"tag": "mine"}]})
    result = run(fake, start_catalog, tmp_path / "u.json", library="user:7")
    assert result.counts["create"] == len(start_catalog.works) - 1
    d = fake.library("user:7").items[own]
    assert d["title"] == "My own spelling of the title"  # the person's value is kept
    assert "mine" in tag_names(d) and "plm" in tag_names(d)
    assert d["extra"].startswith(f"Citation Key: {w.key}")
    assert ("title", "kept") in {(c.field, c.resolution) for c in result.conflicts if c.key == w.key}


def test_preprint_published_changes_item_type_like_a_fresh_sync(fake, start_catalog, tmp_path):
    state_path = tmp_path / "s.json"
    run(fake, start_catalog, state_path)
    preprints = [w for w in start_catalog.works if w.kind == "preprint"][:3]
    for w in preprints:
        w.kind, w.container, w.venue_short, w.pages = "conference", "Proceedings of ICLR 2026", "ICLR 2026", "1--9"
    result = run(fake, start_catalog, state_path)
    assert result.counts["update"] == 3 and not result.conflicts
    run(fake, start_catalog, tmp_path / "fresh.json", library="group:43")
    assert comparable(fake, LIB) == comparable(fake, "group:43")
    d = zotero_items(fake, LIB)[preprints[0].key][0]
    assert d["itemType"] == "conferencePaper" and "archiveID" not in d and d["pages"] == "1-9"


def test_a_state_missing_fingerprints_is_written_again_by_a_noop_sync(fake, start_catalog, tmp_path):
    """A sync that changes nothing in Zotero (same library version) but learns something about its
    items (here: each item's fingerprint, stripped from the file) still saves the state."""
    state_path = tmp_path / "s.json"
    run(fake, start_catalog, state_path)
    saved = json.loads(state_path.read_text())
    assert all(it.get("local") for it in saved["items"].values())
    for it in saved["items"].values():
        del it["local"]
    state_path.write_text(json.dumps(saved))
    fake.reset_log()
    result = run(fake, start_catalog, state_path)
    assert fake.count("POST") == 0 and result.version == saved["version"]  # nothing written, library unmoved
    again = json.loads(state_path.read_text())
    assert again["version"] == saved["version"]
    assert sorted(again["items"]) == sorted(saved["items"])
    assert all(it.get("local") for it in again["items"].values())


@pytest.mark.parametrize("status, applied", [(412, False), (503, True)])
def test_a_conflict_on_the_collections_write_rereads_and_creates_each_once(fake, start_catalog, tmp_path, status, applied):
    """The collections POST answered 412 (the library moved meanwhile), or 503 after the server did
    apply it (sent again with the same write token: 412): the sync reads the library again, finds
    what is there and creates each section's collection exactly once."""
    fake.inject("POST", r"/collections$", status, apply_write=applied)
    result = run(fake, start_catalog, tmp_path / "s.json", collections=True)
    assert not result.failed
    seen = [(r.method, r.path.rsplit("/", 1)[-1], r.status) for r in fake.requests]
    conflict = [("POST", "collections", 412)] if not applied else [("POST", "collections", 503), ("POST", "collections", 412)]
    assert seen[:2 + len(conflict) + 3] == [("GET", "top", 200), ("GET", "collections", 200), *conflict,
                                            ("GET", "top", 200), ("GET", "collections", 200), ("POST", "collections", 200)]
    assert sum(1 for m, p, _ in seen if m == "GET" and p == "collections") == 2  # one read more, after the conflict
    names = [c["name"] for c in fake.library(LIB).collections.values()]
    assert len(names) == len(set(names)) and "Personalized LLMs (plmcite)" in names
    root_found = {"Personalized LLMs (plmcite)"} if applied else set()  # its write did land: found, not created
    assert sorted(result.collections_created) == sorted(set(names) - root_found)
    fresh = run(fake, start_catalog, tmp_path / "fresh.json", library="group:43", collections=True)
    assert comparable(fake, LIB) == comparable(fake, "group:43")
    assert len(fake.library("group:43").collections) == len(names) and not fresh.failed
    fake.reset_log()
    assert run(fake, start_catalog, tmp_path / "s.json", collections=True).counts["create"] == 0 and fake.count() == 1


def test_server_errors_are_retried_with_the_configured_backoff(fake, tmp_path, monkeypatch):
    """``[http] backoff`` doubles up to ``[http] max_backoff`` between the attempts of a request
    answered 5xx, as for the bibliographic services (the pauses are recorded, not slept)."""
    from types import SimpleNamespace

    import plmcite.zotero.sync as sync_mod
    from conftest import run_in

    slept: list[float] = []
    monkeypatch.setattr(sync_mod, "time", SimpleNamespace(sleep=slept.append, monotonic=time.monotonic))
    save_catalog(synthetic_catalog(3), tmp_path / "refs" / "catalog.json")
    (tmp_path / "plmcite.toml").write_text('[catalog]\npath = "refs/catalog.json"\n[zotero]\nlibrary = "group:42"\n'
                                           '[http]\nbackoff = 2\nmax_backoff = 5\n')
    fake.inject("GET", r"/items/top$", 503, times=5)  # the sixth and last attempt gets through
    r = run_in(tmp_path, {"ZOTERO_API_KEY": KEY, "PLMCITE_ZOTERO_URL": fake.url}, "zotero", "sync", "--json")
    assert r.exit_code == 0, r.stderr
    assert slept == [2, 4, 5, 5, 5]
    out = json.loads(r.stdout)
    assert out["retries"] == 5 and out["counts"]["create"] == 3
