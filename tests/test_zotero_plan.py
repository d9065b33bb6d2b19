"""The pure parts of the Zotero sync: mapping, tag scheme, three-way field merge, identity."""

from __future__ import annotations

import json

from plmcite.model import Catalog, Person, Work
from plmcite.zotero import mapping
from plmcite.zotero.plan import Options, Remote, make_plan
from plmcite.zotero.state import ItemState, SyncState, digest, load as load_state
from plmcite.zotero.tags import load_scheme, section_parent

SCHEME = load_scheme()
SECTIONS = {"1": "Survey", "1.4": "Training-free Methods", "2": "Benchmarks"}


def work(**kw) -> Work:
    base = dict(key="smith2025tuning", title="Tuning Things", kind="preprint", authors=[Person("Smith", "Ann")],
                year=2025, month=3, ids={"arxiv": "2503.01234"}, sections=["1.4"])
    base.update(kw)
    return Work(**base)


def remote_item(w: Work, zkey: str = "ABCD2345", version: int = 5, **changes) -> dict:
    """The Zotero data plmcite would have created for ``w``, then ``changes`` made by hand."""
    d = {"key": zkey, "version": version, "itemType": mapping.item_type(w, SCHEME)}
    d.update(mapping.work_fields(w, SCHEME))
    d["extra"] = "\n".join([*mapping.extra_lines(w, SCHEME), SCHEME.extra_created])
    d["tags"] = [{"tag": t} for t in SCHEME.work_tags(w, SECTIONS)]
    d["collections"] = []
    d.update(changes)
    return d


def synced_state(w: Work, data: dict) -> SyncState:
    """The state right after plmcite wrote ``data`` for ``w``."""
    itype = mapping.item_type(w, SCHEME)
    base = {f: digest(v) for f, v in mapping.work_fields(w, SCHEME).items()}
    base["itemType"] = digest(itype)
    base["extra"] = digest(mapping.extra_lines(w, SCHEME))
    st = ItemState(data["key"], data["version"], itype, base=base, tags=data["tags"], collections=[],
                   extra=data["extra"], our_tags=[t["tag"] for t in data["tags"] if SCHEME.is_scheme_tag(t["tag"])],
                   created=True)
    return SyncState("group:1", version=data["version"], items={w.key: st})


def plan_for(catalog_works, state, remote_items=(), **opts):
    remote = Remote(items={d["key"]: d for d in remote_items})
    return make_plan(Catalog(works=list(catalog_works), sections=SECTIONS), SCHEME, state, remote, Options(**opts))


def test_mapping_of_a_conference_paper():
    w = work(kind="conference", container="Proceedings of ICLR 2025", venue_short="ICLR 2025", pages="12--20",
             ids={"arxiv": "2503.01234", "doi": "10.1/x"}, authors=[Person("Smith", "Ann"), Person("OpenAI")])
    f = mapping.work_fields(w, SCHEME)
    assert mapping.item_type(w, SCHEME) == "conferencePaper"
    assert f["proceedingsTitle"] == "Proceedings of ICLR 2025" and f["conferenceName"] == "ICLR 2025"
    assert f["pages"] == "12-20" and f["date"] == "2025-03" and f["DOI"] == "10.1/x"
    assert f["creators"] == [{"creatorType": "author", "firstName": "Ann", "lastName": "Smith"},
                             {"creatorType": "author", "name": "OpenAI"}]
    assert f["url"] == "https://arxiv.org/abs/2503.01234"
    assert mapping.extra_lines(w, SCHEME) == ["Citation Key: smith2025tuning", "arXiv: 2503.01234"]
    assert set(f) <= set(__import__("plmcite.testing.zotero_fake", fromlist=["x"]).ITEM_TYPES["conferencePaper"][0]) | {"creators"}


def test_tag_scheme():
    w = work(sections=["2", "1.4"])
    assert SCHEME.work_tags(w, SECTIONS) == ["plm", "plm:1.4", "plm:1.4 Training-free Methods", "plm:2", "plm:2 Benchmarks"]
    assert SCHEME.work_tags(work(sections=[""]), SECTIONS) == ["plm", "plm:0"]
    assert SCHEME.work_tags(work(sections=["Weekly Updates"]), {"Weekly Updates": "Weekly Updates"}) == ["plm", "plm:Weekly Updates"]
    assert SCHEME.is_scheme_tag("plm:3 Memory") and SCHEME.is_scheme_tag("plm") and not SCHEME.is_scheme_tag("plmx")
    assert section_parent("1.4.2", ["1", "1.4"]) == "1.4" and section_parent("1.4", ["2"]) is None
    assert section_parent("2026-04-02", ["2026"]) is None


def test_extra_keeps_other_peoples_lines():
    merged = mapping.merge_extra("Citation Key: old\nOriginal Date: 2020\narXiv: 1\nPMID: 5", ["Citation Key: new"], SCHEME)
    assert merged == "Citation Key: new\nOriginal Date: 2020\nPMID: 5"


def test_nothing_changed_means_no_action():
    w = work()
    d = remote_item(w)
    plan = plan_for([w], synced_state(w, d))
    assert plan.actions == [] and plan.unchanged == 1 and plan.conflicts == []


def test_catalog_change_updates_only_that_field():
    w = work()
    d = remote_item(w)
    state = synced_state(w, d)
    w.title = "Tuning Things, Revised"
    (a,) = plan_for([w], state).actions
    assert a.op == "update" and a.fields == ["title"]
    assert a.payload == {"key": "ABCD2345", "version": 5, "title": "Tuning Things, Revised"}


def test_field_edited_in_zotero_is_kept_and_reported():
    w = work()
    d0 = remote_item(w)
    state = synced_state(w, d0)
    edited = remote_item(w, version=9, title="Tuning things (hand-fixed)")
    plan = plan_for([w], state, [edited])
    assert plan.actions == []
    assert [(c.field, c.resolution, c.remote) for c in plan.conflicts] == [("title", "kept", "Tuning things (hand-fixed)")]
    # and when the catalog also changes the title, Zotero still wins unless told otherwise
    w.title = "Catalog Title"
    w.year = 2026
    plan = plan_for([w], state, [edited])
    (a,) = plan.actions
    assert a.fields == ["date"] and "title" not in a.payload
    plan = plan_for([w], state, [edited], prefer="local")
    (a,) = plan.actions
    assert sorted(a.fields) == ["date", "title"] and plan.conflicts[0].resolution == "overwritten"


def test_kept_edit_stays_kept_without_rereading():
    """After a sync that kept an edit, the state alone knows the field is somebody's."""
    w = work()
    state = synced_state(w, remote_item(w))
    edited = remote_item(w, version=9, date="2024")
    plan = plan_for([w], state, [edited])
    state.items.update(plan.observed)  # what the sync stores
    state.version = 9
    w.year = 2026  # the catalog moves on; Zotero (unchanged since) is not read again
    plan = plan_for([w], state)
    assert plan.actions == [] and [(c.field, c.resolution) for c in plan.conflicts] == [("date", "kept")]


def test_adopting_a_hand_made_item_fills_blanks_only():
    w = work(ids={"arxiv": "2503.01234", "doi": "10.5/abc"})
    hand_made = {"key": "HAND2345", "version": 3, "itemType": "preprint", "title": "My title", "creators": [],
                 "date": "", "DOI": "10.5/ABC", "url": "", "extra": "Note: mine", "tags": [{"tag": "x"}], "collections": []}
    plan = plan_for([w], SyncState("group:1"), [hand_made])
    (a,) = plan.actions
    assert plan.adopted == [w.key] and a.zkey == "HAND2345"
    assert "title" not in a.payload and a.payload["date"] == "2025-03" and a.payload["creators"]
    assert a.payload["extra"] == "Citation Key: smith2025tuning\narXiv: 2503.01234\nNote: mine"
    assert [t["tag"] for t in a.payload["tags"]][0] == "x"
    assert ("title", "kept") in {(c.field, c.resolution) for c in plan.conflicts}


def test_identity_prefers_citation_key_over_doi():
    w1 = work(key="a2025", ids={"doi": "10.1/same"})
    w2 = work(key="b2025", ids={"doi": "10.1/other"})
    i1 = remote_item(w1, zkey="AAAA2345", extra="Citation Key: b2025")
    i2 = remote_item(w2, zkey="BBBB2345", extra="", DOI="10.1/same")
    plan = plan_for([w1, w2], SyncState("group:1"), [i1, i2])
    found = {a.key: a.zkey for a in plan.actions} | {k: s.zkey for k, s in plan.observed.items()}
    assert found == {"b2025": "AAAA2345", "a2025": "BBBB2345"}


def test_type_change_sends_the_new_types_fields():
    w = work()
    state = synced_state(w, remote_item(w))
    w.kind, w.container, w.venue_short = "conference", "Proceedings of ACL 2025", "ACL 2025"
    (a,) = plan_for([w], state).actions
    assert a.payload["itemType"] == "conferencePaper"
    assert a.payload["proceedingsTitle"] == "Proceedings of ACL 2025" and "archiveID" not in a.payload


def test_retag_touches_only_plmcite_tags():
    w = work()
    d = remote_item(w, version=8)
    d["tags"] = d["tags"] + [{"tag": "to-read"}, {"tag": "plm:9 by hand"}]
    state = synced_state(w, remote_item(w))
    w.sections = ["2"]
    (a,) = plan_for([w], state, [d]).actions
    assert a.op == "retag"
    assert [t["tag"] for t in a.payload["tags"]] == ["plm", "to-read", "plm:9 by hand", "plm:2", "plm:2 Benchmarks"]
    assert a.tags_removed == ["plm:1.4", "plm:1.4 Training-free Methods"]


def test_work_leaving_the_list_is_untagged_then_trashed_with_prune():
    w = work()
    d = remote_item(w)
    d["tags"].append({"tag": "to-read"})
    state = synced_state(w, d)
    (a,) = plan_for([], state).actions
    assert a.op == "untag" and a.payload["tags"] == [{"tag": "to-read"}] and "deleted" not in a.payload
    (a,) = plan_for([], state, prune=True).actions
    assert a.op == "trash" and a.payload["deleted"] == 1 and a.after.trashed_by_us


def test_an_adopted_item_is_never_trashed_and_keeps_its_own_tags():
    """A person's item, found by DOI on the first sync, with their own plm and plm:todo tags."""
    w = work(ids={"arxiv": "2503.01234", "doi": "10.5/abc"})
    theirs = {"key": "HAND2345", "version": 3, "itemType": "preprint", "title": "Tuning Things", "creators": [],
              "date": "", "DOI": "10.5/abc", "url": "", "extra": "", "collections": [],
              "tags": [{"tag": "plm"}, {"tag": "plm:todo"}]}
    (a,) = plan_for([w], SyncState("group:1"), [theirs]).actions
    assert [t["tag"] for t in a.payload["tags"]] == ["plm", "plm:todo", "plm:1.4", "plm:1.4 Training-free Methods"]
    assert a.after.our_tags == ["plm:1.4", "plm:1.4 Training-free Methods"]  # "plm" was theirs already
    assert not a.after.created and "plmcite: created" not in a.payload["extra"]
    state = SyncState("group:1", items={w.key: a.after})
    a.after.zkey, a.after.version = "HAND2345", 4
    after_write = dict(theirs, version=4, tags=a.payload["tags"], extra=a.payload["extra"])
    plan = plan_for([], state, [after_write], prune=True)
    (left,) = plan.actions
    assert left.op == "untag" and "deleted" not in left.payload
    assert [t["tag"] for t in left.payload["tags"]] == ["plm", "plm:todo"]
    assert plan.kept == [(w.key, "made in Zotero, not by plmcite")]


def test_an_item_whose_mark_was_removed_is_the_persons():
    w = work()
    d = remote_item(w, version=9)
    state = synced_state(w, remote_item(w))
    d["extra"] = "\n".join(mapping.extra_lines(w, SCHEME))  # they deleted "plmcite: created"
    (a,) = plan_for([], state, [d], prune=True).actions
    assert a.op == "untag" and "deleted" not in a.payload


def test_without_a_record_only_a_marked_item_has_plmcite_tags():
    w = work()
    marked = remote_item(w, zkey="MARK2345")
    marked["tags"].append({"tag": "plm:9"})  # a tag plmcite would not write now: not provably plmcite's
    plan = plan_for([w], SyncState("group:1"), [marked])
    st = plan.observed[w.key]  # nothing to write: it is as plmcite wants it
    assert plan.actions == [] and st.created and st.our_tags == SCHEME.work_tags(w, SECTIONS)
    unmarked = dict(marked, key="HAND2345", extra="Citation Key: smith2025tuning")
    st = plan_for([w], SyncState("group:1"), [unmarked]).observed[w.key]
    assert not st.created and st.our_tags == []


def test_state_file_round_trip_and_no_secrets(tmp_path):
    w = work()
    state = synced_state(w, remote_item(w))
    path = tmp_path / "s.json"
    state.save(path)
    again = load_state(path, "group:1")
    assert again.to_json() == state.to_json()
    assert set(json.loads(path.read_text())) == {"format", "library", "version", "collections", "items"}
