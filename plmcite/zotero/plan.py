"""Decide what a sync writes: catalog + sync state + what Zotero holds -> a plan. No I/O here.

Each field plmcite manages is reconciled three ways: the value the catalog gives now (local), the
value plmcite meant last time (the state's *base* digest) and the value in Zotero (remote). A
remote value that differs from the base was edited by a person; it is kept and reported (or
overwritten with ``prefer="local"``). A value nobody edited follows the catalog. An item found
without a state record (state lost, or created by a run that was killed before it saved) has no
base: a filled-in remote value then counts as a person's, an empty one is filled in.

Tags and collections are lists shared with people: plmcite adds its own and removes only the
ones it added (recorded in the state). A tag the item already had is the person's, even when
plmcite would have written the same text. Without a state record, only an item plmcite created
(its ``extra`` says so) has plmcite's tags: those that equal the tags plmcite wants now.

Items are a person's unless plmcite created them: ``--prune`` moves to the trash only an item
that the state records as created by plmcite *and* that still carries plmcite's mark in
``extra``; an item a person made (adopted by citation key, DOI or arXiv id) only loses
plmcite's tags when its work leaves the list.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Iterable

from ..model import Catalog, Work, section_sort_key
from ..sections import parent as section_parent
from . import mapping
from .mapping import EXTRA, MANAGED_FIELDS
from .state import CollectionState, ItemState, SyncState, digest
from .tags import Scheme

EMPTY = {digest(""), digest([]), digest(None)}
ROOT = "*"  # the root collection's place among the section keys ("" is the list's top level)
OPS = ("create", "update", "retag", "restore", "untag", "trash")


@dataclass
class Remote:
    """What this run read from Zotero."""

    items: dict[str, dict[str, Any]] = field(default_factory=dict)  # zkey -> item data (top-level items)
    deleted: set[str] = field(default_factory=set)  # item keys deleted since the state's version
    collections: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> collection data
    deleted_collections: set[str] = field(default_factory=set)


@dataclass
class Options:
    prefer: str = "remote"  # who wins a field edited on both sides
    prune: bool = False  # trash items whose work left the list
    collections: bool = False  # mirror sections as collections


@dataclass
class Conflict:
    key: str
    field: str
    resolution: str  # "kept" (Zotero's value stays) | "overwritten"
    remote: Any = None  # Zotero's value when it was read this run
    local: Any = None

    def to_json(self) -> dict[str, Any]:
        d = {"key": self.key, "field": self.field, "resolution": self.resolution, "local": self.local}
        if self.remote is not None:
            d["remote"] = self.remote
        return d


@dataclass
class Action:
    """One item write. ``after`` is the state record to store once Zotero accepted it."""

    op: str
    key: str  # citation key
    zkey: str | None
    payload: dict[str, Any]
    after: ItemState
    fields: list[str] = field(default_factory=list)
    tags_added: list[str] = field(default_factory=list)
    tags_removed: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"op": self.op, "key": self.key}
        if self.zkey:
            d["zotero_key"] = self.zkey
        for name in ("fields", "tags_added", "tags_removed"):
            if getattr(self, name):
                d[name] = getattr(self, name)
        return d


@dataclass
class Plan:
    actions: list[Action] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (key, why)
    observed: dict[str, ItemState] = field(default_factory=dict)  # records to store now
    forget: list[str] = field(default_factory=list)  # state records whose item is gone
    adopted: list[str] = field(default_factory=list)  # found by citation key / DOI / arXiv id
    kept: list[tuple[str, str]] = field(default_factory=list)  # (key, why) left the list, not trashed: a person's
    unchanged: int = 0


# --- collections ------------------------------------------------------------------------------


@dataclass
class CollectionPlan:
    keys: dict[str, str] = field(default_factory=dict)  # section (ROOT for the root) -> collection key
    create: list[list[tuple[str, str]]] = field(default_factory=list)  # levels of (section, name)
    rename: list[tuple[str, CollectionState]] = field(default_factory=list)  # (section, state with new name)
    stale: list[str] = field(default_factory=list)  # sections whose collection plmcite made, now gone
    observed: dict[str, CollectionState] = field(default_factory=dict)
    parents: dict[str, str] = field(default_factory=dict)  # section -> parent section (or ROOT)
    names: dict[str, str] = field(default_factory=dict)


def wanted_sections(catalog: Catalog) -> list[str]:
    used = {s for w in catalog.works for s in w.sections}
    return sorted(used | set(catalog.sections), key=section_sort_key)


def plan_collections(catalog: Catalog, scheme: Scheme, state: SyncState, remote: Remote) -> CollectionPlan:
    """Which section collections exist, which to create (parents first) and which to rename."""
    cp = CollectionPlan()
    sections = wanted_sections(catalog)
    cp.names[ROOT] = scheme.collection_root
    for s in sections:
        cp.names[s] = scheme.collection_name(s, catalog.sections.get(s, ""))
        cp.parents[s] = section_parent(s, sections) or ROOT
    remote_by_key = remote.collections
    claimed: set[str] = set()
    for s in [ROOT, *sections]:
        st = state.collections.get(s)
        if st and st.key in remote.deleted_collections:
            st = None
        data = remote_by_key.get(st.key) if st else None
        if st and data and data["version"] > st.version:  # changed in Zotero: renames there are kept
            st = CollectionState(st.key, data["version"], st.name, data.get("parentCollection") or None)
            cp.observed[s] = st
        if st is None:  # find it again by name under the right parent (state lost)
            parent_key = cp.keys.get(cp.parents[s]) if s != ROOT else None
            for key, d in sorted(remote_by_key.items()):
                if key in claimed or d.get("name") != cp.names[s]:
                    continue
                if (d.get("parentCollection") or None) == parent_key:
                    st = CollectionState(key, d["version"], d["name"], d.get("parentCollection") or None)
                    cp.observed[s] = st
                    break
        if st is None:
            depth = 0 if s == ROOT else _depth(s, cp.parents)
            while len(cp.create) <= depth:
                cp.create.append([])
            cp.create[depth].append((s, cp.names[s]))
            continue
        claimed.add(st.key)
        cp.keys[s] = st.key
        data = remote_by_key.get(st.key)
        current_name = data["name"] if data and data["version"] >= st.version else st.name
        if st.name != cp.names[s] and current_name == st.name:
            cp.rename.append((s, CollectionState(st.key, st.version, cp.names[s], st.parent)))
    cp.stale = [s for s in state.collections if s not in cp.names]
    return cp


def _depth(section: str, parents: dict[str, str]) -> int:
    d = 1
    while parents.get(section, ROOT) != ROOT:
        section = parents[section]
        d += 1
    return d


# --- items ------------------------------------------------------------------------------------


def make_plan(catalog: Catalog, scheme: Scheme, state: SyncState, remote: Remote, options: Options,
              collection_keys: dict[str, str] | None = None) -> Plan:
    """The writes that bring Zotero in line with the catalog without undoing anybody's edits."""
    plan = Plan()
    works = {w.key: w for w in catalog.works}
    claimed = {it.zkey for it in state.items.values() if it.zkey not in remote.deleted}
    found = identify([w for w in catalog.works if _record(state, remote, w.key) is None], scheme, remote, claimed)
    for key in sorted(state.items):
        if state.items[key].zkey in remote.deleted:
            plan.forget.append(key)
    setting = digest([repr(scheme), options.collections, sorted((collection_keys or {}).items())])
    for w in catalog.works:
        st = _record(state, remote, w.key)
        data = None
        fp = fingerprint(w, catalog.sections, setting)
        if st is not None:
            d = remote.items.get(st.zkey)
            if d is not None and d["version"] > st.version:
                data = d
            elif st.local == fp and not (st.remote or st.deleted or st.left):
                plan.unchanged += 1  # neither side moved since plmcite last reconciled this item
                continue
        elif w.key in found:
            data = remote.items[found[w.key]]
            plan.adopted.append(w.key)
        _plan_work(plan, w, catalog.sections, scheme, st, data, options, collection_keys, fp)
    # works that left the list
    for key in sorted(state.items):
        if key in works or key in plan.forget:
            continue
        st = state.items[key]
        d = remote.items.get(st.zkey)
        _plan_left(plan, key, st, d if d is not None and d["version"] > st.version else None, scheme, options)
    # (an item nobody's state knows is a person's: plmcite does not touch it, whatever its tags)
    return plan


def fingerprint(w: Work, titles: dict[str, str], setting: str) -> str:
    """Everything the item of ``w`` depends on, in one digest: when it equals the state's and
    Zotero did not change the item, a sync has nothing to look at (the no-op re-sync stays cheap)."""
    # repr, not JSON: ten times cheaper, and as exact (the dataclass shows every field in order)
    raw = repr((w, [titles.get(s, "") for s in w.sections], setting))
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16]


def _record(state: SyncState, remote: Remote, key: str) -> ItemState | None:
    st = state.items.get(key)
    if st is None or st.zkey in remote.deleted:
        return None
    return st


def identify(works: Iterable[Work], scheme: Scheme, remote: Remote, claimed: set[str]) -> dict[str, str]:
    """Citation key -> Zotero key for works the state does not know: by citation key, then DOI, then arXiv id."""
    works = list(works)
    pool = {k: d for k, d in remote.items.items() if k not in claimed and d.get("itemType") not in ("note", "attachment")}
    found: dict[str, str] = {}
    taken: set[str] = set()
    probes = (
        (lambda w: w.key, lambda d: mapping.citation_key_of(d, scheme)),
        (lambda w: (w.doi or "").lower() or None, mapping.doi_of),
        (lambda w: w.arxiv, lambda d: mapping.arxiv_of(d, scheme)),
    )
    for of_work, of_item in probes:
        index: dict[str, str] = {}
        for zkey, d in sorted(pool.items(), key=lambda kv: (bool(kv[1].get("deleted")), kv[0])):
            v = of_item(d)
            if v and zkey not in taken:
                index.setdefault(v, zkey)
        for w in works:
            if w.key in found:
                continue
            v = of_work(w)
            if v and v in index and index[v] not in taken:
                found[w.key] = index[v]
                taken.add(index[v])
    return found


def _view(st: ItemState | None, data: dict[str, Any] | None) -> dict[str, Any]:
    """The remote item as far as known: read this run (``data``) or remembered in the state."""
    if data is not None:
        return {"version": data["version"], "itemType": data.get("itemType", ""), "tags": list(data.get("tags", [])),
                "collections": list(data.get("collections", [])), "extra": data.get("extra", ""),
                "deleted": bool(data.get("deleted")), "fresh": True}
    assert st is not None
    return {"version": st.version, "itemType": st.item_type, "tags": list(st.tags), "collections": list(st.collections),
            "extra": st.extra, "deleted": st.deleted, "fresh": False}


def _remote_digest(f: str, st: ItemState | None, data: dict[str, Any] | None, scheme: Scheme) -> str | None:
    if data is not None:
        return digest(mapping.managed_value(data, f, scheme))
    if st is None:
        return None
    return st.remote.get(f, st.base.get(f))


def _plan_work(plan: Plan, w: Work, titles: dict[str, str], scheme: Scheme, st: ItemState | None,
               data: dict[str, Any] | None, options: Options, collection_keys: dict[str, str] | None,
               fp: str = "") -> None:
    local_type = mapping.item_type(w, scheme)
    desired_tags = scheme.work_tags(w, titles)
    desired_colls = sorted({collection_keys[s] for s in w.sections if s in collection_keys}) if (
        options.collections and collection_keys is not None) else None

    if st is None and data is None:  # a new item
        payload: dict[str, Any] = {"itemType": local_type}
        values = mapping.work_fields(w, scheme)
        payload.update({k: v for k, v in values.items() if v not in ("", [])})
        payload["extra"] = "\n".join([*mapping.extra_lines(w, scheme), scheme.extra_created])
        payload["tags"] = [{"tag": t} for t in desired_tags]
        if desired_colls:
            payload["collections"] = desired_colls
        after = ItemState("", 0, local_type, base=_digests(values, w, scheme, local_type), remote={},
                          tags=payload["tags"], collections=desired_colls or [], extra=payload["extra"],
                          our_tags=desired_tags, our_collections=desired_colls or [], created=True, local=fp)
        plan.actions.append(Action("create", w.key, None, payload, after, fields=sorted(k for k, v in values.items() if v),
                                   tags_added=desired_tags))
        return

    view = _view(st, data)
    zkey = st.zkey if st is not None else data["key"]  # type: ignore[index]
    base = dict(st.base) if st is not None else {}
    marked = created_mark(view["extra"], scheme)
    if st is not None:
        ours_now = list(st.our_tags)
    else:  # found again without a record: only an item plmcite made has plmcite's tags
        current = {t["tag"] for t in view["tags"]}
        ours_now = [t for t in desired_tags if t in current] if marked else []
    observed = ItemState(zkey, view["version"], view["itemType"], base=dict(base), remote={},
                         tags=view["tags"], collections=view["collections"], extra=view["extra"],
                         our_tags=ours_now, our_collections=list(st.our_collections) if st else [],
                         deleted=view["deleted"], trashed_by_us=bool(st and st.trashed_by_us),
                         created=bool(st.created) if st is not None else marked)
    payload = {"key": zkey, "version": view["version"]}

    if view["deleted"] and not observed.trashed_by_us:
        plan.skipped.append((w.key, "in the Zotero trash (restore it there to sync it again)"))
        _remember_remote(observed, st, data, scheme, local_type, w)
        plan.observed[w.key] = observed
        return
    restoring = view["deleted"] and observed.trashed_by_us
    if restoring:
        payload["deleted"] = 0

    # -- the item type first: a type changed in Zotero is a person's decision
    written: list[str] = []
    new_base: dict[str, str] = {}
    new_remote: dict[str, str] = {}
    eff_type = _reconcile(plan, w.key, "itemType", local_type, view["itemType"], st, data, scheme, options,
                          payload, written, new_base, new_remote, fresh_value=view["itemType"])
    values = mapping.work_fields(w, scheme, eff_type) if eff_type in MANAGED_FIELDS else {}
    type_changes = "itemType" in written
    for f, local in values.items():
        remote_val = data.get(f, "") if data is not None else None
        if type_changes and f not in MANAGED_FIELDS.get(view["itemType"], ()):
            rd = None  # the field is new to this item: nothing of anybody's to keep
        else:
            rd = _remote_digest(f, st, data, scheme)
        _reconcile(plan, w.key, f, local, remote_val, st, data, scheme, options, payload, written, new_base,
                   new_remote, remote_digest=rd)
    # -- plmcite's lines in extra
    lines = mapping.extra_lines(w, scheme)
    remote_lines = mapping.split_extra(view["extra"], scheme)[0]
    _reconcile(plan, w.key, EXTRA, lines, remote_lines if data is not None else None, st, data, scheme, options,
               payload, written, new_base, new_remote, remote_digest=digest(remote_lines))
    if EXTRA in payload:
        payload["extra"] = mapping.merge_extra(view["extra"], lines, scheme)

    # -- tags and collections
    ours_before = set(observed.our_tags)
    tags, added, removed = _merge_list([t["tag"] for t in view["tags"]], ours_before, desired_tags)
    new_tags = _tag_dicts(view["tags"], tags)
    if added or removed:
        payload["tags"] = new_tags
    new_colls = view["collections"]
    our_colls = observed.our_collections
    if desired_colls is not None:
        new_colls, c_added, c_removed = _merge_list(view["collections"], set(observed.our_collections), desired_colls)
        our_colls = desired_colls
        if c_added or c_removed:
            payload["collections"] = new_colls

    after = ItemState(zkey, view["version"], eff_type, base=new_base, remote=new_remote,
                      tags=new_tags, collections=new_colls, extra=payload.get("extra", view["extra"]),
                      our_tags=[t for t in desired_tags if t in ours_before or t in added], our_collections=our_colls,
                      created=observed.created, local=fp)
    changed = set(payload) - {"key", "version"}
    if not changed:
        plan.unchanged += 1
        plan.observed[w.key] = after  # nothing to write: what Zotero holds is the reconciled state
        return
    _remember_remote(observed, st, data, scheme, eff_type, w)
    plan.observed[w.key] = observed
    op = "restore" if restoring else "update" if written else "retag"
    plan.actions.append(Action(op, w.key, zkey, payload, after, fields=written, tags_added=added, tags_removed=removed))


def _remember_remote(observed: ItemState, st: ItemState | None, data: dict[str, Any] | None, scheme: Scheme,
                     itype: str, w: Work) -> None:
    """Keep in the state what Zotero holds now, while the base stays what plmcite meant last time."""
    if data is None:
        if st is not None:
            observed.remote = dict(st.remote)
        return
    fields = ["itemType", *MANAGED_FIELDS.get(itype, ()), EXTRA]
    for f in fields:
        d = digest(mapping.managed_value(data, f, scheme))
        if observed.base.get(f) != d:
            observed.remote[f] = d


def _reconcile(plan: Plan, key: str, f: str, local: Any, remote_val: Any, st: ItemState | None,
               data: dict[str, Any] | None, scheme: Scheme, options: Options, payload: dict[str, Any],
               written: list[str], new_base: dict[str, str], new_remote: dict[str, str],
               remote_digest: str | None = None, fresh_value: Any = None) -> Any:
    """Three-way merge of one field; returns the value Zotero will hold."""
    ld = digest(local)
    if f == "itemType":
        rd = digest(fresh_value)
        remote_val = fresh_value
    else:
        rd = remote_digest
    bd = st.base.get(f) if st is not None else None
    new_base[f] = ld
    if rd == ld:
        return local
    if rd is None:
        edited = False  # unknown remote value of a field new to this item
    elif bd is None:
        edited = rd not in EMPTY  # no base: a filled-in value is somebody's
    else:
        edited = rd != bd
    if not edited or options.prefer == "local":
        if edited:
            plan.conflicts.append(Conflict(key, f, "overwritten", remote_val if data is not None else None, local))
        if f != EXTRA:
            payload[f] = local
        else:
            payload[EXTRA] = local  # replaced by the merged text by the caller
        written.append(f)
        return local
    plan.conflicts.append(Conflict(key, f, "kept", remote_val if data is not None else None, local))
    new_remote[f] = rd
    return remote_val if f == "itemType" else local


def _digests(values: dict[str, Any], w: Work, scheme: Scheme, itype: str) -> dict[str, str]:
    d = {f: digest(v) for f, v in values.items()}
    d["itemType"] = digest(itype)
    d[EXTRA] = digest(mapping.extra_lines(w, scheme))
    return d


def _merge_list(current: list[str], ours_before: set[str], desired: list[str]) -> tuple[list[str], list[str], list[str]]:
    """``current`` minus what plmcite added and no longer wants, plus what it wants now."""
    out = [x for x in current if x not in ours_before or x in desired]
    removed = [x for x in current if x in ours_before and x not in desired]
    added = [x for x in desired if x not in current]
    out += added
    return out, added, removed


def _tag_dicts(before: list[dict[str, Any]], names: list[str]) -> list[dict[str, Any]]:
    by_name = {t["tag"]: t for t in before}
    return [dict(by_name.get(n, {"tag": n})) for n in names]


def created_mark(extra: str, scheme: Scheme) -> bool:
    """The item carries plmcite's mark of having created it (people can delete it to keep the item)."""
    return scheme.extra_created in (extra or "").splitlines()


def _plan_left(plan: Plan, key: str, st: ItemState, data: dict[str, Any] | None, scheme: Scheme,
               options: Options) -> None:
    """A work that left the list: remove the tags and collections plmcite added; with ``prune``,
    move the item to the trash only if plmcite created it (state record *and* mark on the item)."""
    view = _view(st, data)
    zkey = st.zkey
    ours, our_colls = set(st.our_tags), set(st.our_collections)
    tags = [t for t in view["tags"] if t["tag"] not in ours]
    colls = [c for c in view["collections"] if c not in our_colls]
    removed = [t["tag"] for t in view["tags"] if t["tag"] in ours]
    payload: dict[str, Any] = {"key": zkey, "version": view["version"]}
    if removed:
        payload["tags"] = tags
    if colls != view["collections"]:
        payload["collections"] = colls
    ours_to_trash = st.created and created_mark(view["extra"], scheme)
    trash = options.prune and not view["deleted"] and ours_to_trash
    if options.prune and not view["deleted"] and not ours_to_trash and not st.left:
        plan.kept.append((key, "made in Zotero, not by plmcite" if not st.created
                          else "plmcite's mark was removed from its extra field"))
    if trash:
        payload["deleted"] = 1
    after = ItemState(zkey, view["version"], view["itemType"], base=dict(st.base), remote=dict(st.remote),
                      tags=tags, collections=colls, extra=view["extra"],
                      deleted=view["deleted"] or trash, trashed_by_us=trash or st.trashed_by_us, left=True,
                      created=st.created)
    if len(payload) == 2:
        if not st.left or data is not None:
            plan.observed[key] = after
        return
    op = "trash" if trash else "untag"
    plan.actions.append(Action(op, key, zkey, payload, after, tags_removed=removed))
