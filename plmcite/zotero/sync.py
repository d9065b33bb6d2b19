"""Apply a plan to a Zotero library through pyzotero, incrementally and safely.

Reads use pyzotero's public calls (``top(since=…)`` with ``follow()`` for the pages,
``deleted``, ``collections``, ``items(itemKey=…)``). Writes use pyzotero's own request machinery
(``_write``, ``_check_backoff``, ``_post_check``: the same client, headers, session and backoff
timer) rather than ``create_items``/``update_items``, because those cannot do what a safe sync
needs: ``update_items`` ignores the write report (per-object failures vanish) and silently
drops a 429; ``create_items`` cannot retry a 429 and does not keep its write token for a retry;
and both may spend an extra ``/itemFields`` request. Every write is one ``POST`` of at most 50
objects carrying a ``Zotero-Write-Token`` and ``If-Unmodified-Since-Version``.

Cost: an unchanged library and catalog is one request; a catalog change is that read plus one
write per 50 changed works; a library changed by people adds a ``/deleted`` read.
"""

from __future__ import annotations

from ..errors import PlmciteError

import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from pyzotero import zotero
from pyzotero import errors as ze
from pyzotero._utils import build_url

from ..http import SERVER_ERRORS, HttpSettings, backoff_delay
from ..model import Catalog
from .auth import redact
from .plan import ROOT, Action, CollectionPlan, Options, Plan, Remote, make_plan, plan_collections
from .state import CollectionState, ItemState, SyncState
from .tags import Scheme

BATCH = 50  # the API's limit per write
MAX_ROUNDS = 8  # re-reads after conflicts before giving up
MAX_429 = 5  # attempts per write while the server rate-limits
MAX_5XX = 6  # attempts per request while the server answers 5xx (plmcite.http.SERVER_ERRORS)


class SyncError(PlmciteError):
    """A sync could not finish; one sentence, without the API key."""


@dataclass
class SyncResult:
    library: str
    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)
    actions: list[Action] = field(default_factory=list)
    conflicts: list = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, int, str]] = field(default_factory=list)  # (key, code, message)
    kept: list[tuple[str, str]] = field(default_factory=list)  # (key, why): left the list, a person's item
    retries: int = 0  # requests sent again after a 5xx answer
    collections_created: list[str] = field(default_factory=list)
    collections_renamed: list[str] = field(default_factory=list)
    collections_stale: list[str] = field(default_factory=list)
    requests: int = 0
    version: int = 0
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "library": self.library,
            "dry_run": self.dry_run,
            "counts": self.counts,
            "actions": [a.to_json() for a in self.actions],
            "conflicts": [c.to_json() for c in self.conflicts],
            "skipped": [{"key": k, "reason": r} for k, r in self.skipped],
            "failed": [{"key": k, "code": c, "message": m} for k, c, m in self.failed],
            "kept": [{"key": k, "reason": r} for k, r in self.kept],
            "retries": self.retries,
            "collections": {"created": self.collections_created, "renamed": self.collections_renamed,
                            "stale": self.collections_stale},
            "requests": self.requests,
            "library_version": self.version,
            "seconds": round(self.seconds, 3),
        }


def connect(library: str, api_key: str, endpoint: str, backoff: float = HttpSettings.backoff,
            max_backoff: float = HttpSettings.max_backoff) -> zotero.Zotero:
    """A pyzotero client for ``"group:ID"``/``"user:ID"`` at ``endpoint``, counting its requests;
    ``backoff`` is the first pause before a request that got a 5xx is sent again (it doubles, up
    to ``max_backoff``): ``[http] backoff`` and ``max_backoff``, as for the bibliographic services."""
    kind, lib_id = library.split(":")
    zot = zotero.Zotero(lib_id, kind, api_key)
    zot.endpoint = endpoint.rstrip("/")
    zot.plmcite_backoff = backoff  # type: ignore[attr-defined]
    zot.plmcite_max_backoff = max_backoff  # type: ignore[attr-defined]
    zot.plmcite_requests = 0  # type: ignore[attr-defined]
    zot.plmcite_status = 0  # type: ignore[attr-defined]  # of the last answer, to tell 5xx apart

    def count(_request: Any) -> None:
        zot.plmcite_requests += 1  # type: ignore[attr-defined]

    def status(response: Any) -> None:
        zot.plmcite_status = response.status_code  # type: ignore[attr-defined]

    zot.client.event_hooks["request"].append(count)
    zot.client.event_hooks["response"].append(status)
    return zot


def retrying(zot: zotero.Zotero, call: Callable[[], Any]) -> Any:
    """``call()`` sent again after a 5xx answer (500, 502, 503, 504), pausing as
    :func:`plmcite.http.backoff_delay` says for the client's backoff (see :func:`connect`), up to
    :data:`MAX_5XX` attempts; other errors go to the caller."""
    for attempt in range(MAX_5XX):
        try:
            return call()
        except ze.PyZoteroError:
            if getattr(zot, "plmcite_status", 0) not in SERVER_ERRORS or attempt == MAX_5XX - 1:
                raise
        zot.plmcite_retries = getattr(zot, "plmcite_retries", 0) + 1  # type: ignore[attr-defined]
        time.sleep(backoff_delay(attempt, zot.plmcite_backoff, zot.plmcite_max_backoff))  # type: ignore[attr-defined]
    raise AssertionError("unreachable")  # pragma: no cover


# --- reads ------------------------------------------------------------------------------------


def _pages(zot: zotero.Zotero, first: Callable[[], list]) -> list:
    """Every page of a multi-object read (each request retried on 5xx)."""
    out = list(retrying(zot, first))
    while zot.links and zot.links.get("next"):
        out.extend(retrying(zot, zot.follow))
    return out


def read_items(zot: zotero.Zotero, since: int) -> tuple[dict[str, dict[str, Any]], int]:
    """Top-level items changed after ``since`` (all when 0), trashed ones included; and the library version."""
    version = [0]

    def first() -> list:
        page = zot.top(since=since, includeTrashed=1, limit=100)
        version[0] = int(zot.request.headers.get("Last-Modified-Version", 0))
        return page

    items = _pages(zot, first)
    return {it["key"]: it["data"] for it in items}, version[0]


def read_by_keys(zot: zotero.Zotero, keys: list[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for i in range(0, len(keys), BATCH):
        chunk = ",".join(keys[i:i + BATCH])
        for it in retrying(zot, lambda: zot.items(itemKey=chunk, includeTrashed=1, limit=100)):
            out[it["key"]] = it["data"]
    return out


def read_deleted(zot: zotero.Zotero, since: int) -> tuple[set[str], set[str]]:
    d = retrying(zot, lambda: zot.deleted(since=since))
    return set(d.get("items", [])), set(d.get("collections", []))


def read_collections(zot: zotero.Zotero, since: int) -> dict[str, dict[str, Any]]:
    colls = _pages(zot, lambda: zot.collections(since=since, limit=100))
    return {c["key"]: c["data"] for c in colls}


# --- writes -----------------------------------------------------------------------------------


def post_objects(zot: zotero.Zotero, kind: str, objs: list[dict[str, Any]], library_version: int) -> tuple[dict, int]:
    """One multi-object write; returns (write report, new library version).

    Raises pyzotero's ``PreConditionFailedError`` when the library moved past ``library_version``.
    A 429 is waited out (pyzotero's backoff timer) and retried with the same write token, which
    the server only stores for a write that succeeded.
    """
    assert 0 < len(objs) <= BATCH
    url = build_url(zot.endpoint, f"/{zot.library_type}/{zot.library_id}/{kind}")
    headers = {"Zotero-Write-Token": uuid.uuid4().hex, "If-Unmodified-Since-Version": str(library_version),
               "Content-Type": "application/json"}
    def send():
        zot._check_backoff()
        resp = zot._write("POST", url=url, json=objs, headers=headers)
        zot.request = resp
        zot._post_check(resp)  # raises on errors; on 429 records Retry-After/Backoff and returns
        return resp

    for _ in range(MAX_429):
        # a 5xx is sent again with the same write token: a write the server did apply is then
        # refused (412, "write token already used") and the caller re-reads instead of repeating it
        resp = retrying(zot, send)
        if resp.status_code == 429:
            continue
        try:
            report = resp.json()
        except ValueError:
            raise SyncError(f"Zotero answered a write with a body that is not JSON (HTTP {resp.status_code}); "
                            "run the sync again: nothing is written twice") from None
        return report, int(resp.headers.get("Last-Modified-Version", library_version))
    raise SyncError(f"Zotero kept answering 'too many requests' after {MAX_429} attempts; try again later.")


# --- the sync ---------------------------------------------------------------------------------


class Syncer:
    """One sync run: read what changed, plan, write in batches, remember."""

    def __init__(self, zot: zotero.Zotero, catalog: Catalog, state: SyncState, scheme: Scheme, options: Options,
                 dry_run: bool = False, progress: Callable[[int, int], None] | None = None,
                 save_every: float = 2.0, api_key: str | None = None):
        self.zot, self.catalog, self.state, self.scheme, self.options = zot, catalog, state, scheme, options
        self.dry_run, self.progress, self.save_every, self.api_key = dry_run, progress, save_every, api_key
        self.remote = Remote()
        self.result = SyncResult(library=state.library, dry_run=dry_run)
        self._saved_at = time.monotonic()
        self._conflicts: dict[tuple[str, str], Any] = {}
        self._first = Plan()
        self._kept: list[tuple[str, str]] = []
        self._dirty = False  # the state changed: only then is it written (re-serialising 10k items costs)
        self._version_at_start = state.version

    # -- entry point

    def run(self) -> SyncResult:
        started = time.monotonic()
        try:
            self._run()
        except ze.UserNotAuthorisedError:
            raise SyncError(
                f"Zotero refused access to {self.state.library} (HTTP 403): check that the API key exists "
                "and has write access to this library.") from None
        except ze.ResourceNotFoundError:
            raise SyncError(f"Zotero has no library {self.state.library} (HTTP 404): check --library.") from None
        except ze.PyZoteroError as e:
            raise SyncError(redact(_one_line(e), self.api_key)) from None
        except OSError as e:  # connection refused, timeouts (httpx errors are not OSError: see below)
            raise SyncError(f"Cannot reach Zotero at {self.zot.endpoint}: {e}") from None
        except Exception as e:
            if type(e).__module__.startswith(("httpx", "httpcore")):
                raise SyncError(redact(f"Cannot reach Zotero at {self.zot.endpoint}: {e}", self.api_key)) from None
            raise
        finally:
            dirty = self._dirty or self.state.version != self._version_at_start
            if not self.dry_run and dirty and self.state.path is not None and (self.state.version or self.state.items):
                self.state.save()
            self.result.requests = getattr(self.zot, "plmcite_requests", 0)
            self.result.retries = getattr(self.zot, "plmcite_retries", 0)
            self.result.version = self.state.version
            self.result.seconds = time.monotonic() - started
        return self.result

    def _run(self) -> None:
        since = self.state.version
        items, version = read_items(self.zot, since)
        self.remote.items.update(items)
        changed = version != since
        if since and changed:
            self.remote.deleted, self.remote.deleted_collections = read_deleted(self.zot, since)
        keys: dict[str, str] | None = None
        if self.options.collections:
            if changed or not since or not self.state.collections:
                self.remote.collections = read_collections(self.zot, since)
            for _ in range(MAX_ROUNDS):
                try:
                    keys, version = self._collections(version)
                    break
                except ze.PreConditionFailedError:  # moved meanwhile, or a lost answer retried: re-read
                    items, version = read_items(self.zot, since)
                    self.remote.items.update(items)
                    self.remote.collections.update(read_collections(self.zot, since))
            else:
                raise SyncError("The Zotero library kept changing during the sync; run it again.")
        plan = self._plan(keys)
        self._absorb(plan)
        self._first = plan
        self._note_conflicts(plan)
        if not self.dry_run:
            self.state.version = version  # everything read up to here is now in the state
        if self.dry_run:
            self._report(plan, plan.actions)
            return
        total = len(plan.actions)
        written: list[Action] = []
        for _ in range(MAX_ROUNDS):
            if not plan.actions:
                break
            refetch, conflict = self._write(plan.actions, written, total)
            if conflict:  # somebody wrote meanwhile: read what changed, plan again
                items, version = read_items(self.zot, self.state.version)
                deleted, _ = read_deleted(self.zot, self.state.version)
                self.remote.items.update(items)
                self.remote.deleted |= deleted
                refetch = []
            if refetch:
                self.remote.items.update(read_by_keys(self.zot, refetch))
            plan = self._plan(keys)
            self._absorb(plan)
            self._note_conflicts(plan)
            if conflict:
                self.state.version = max(self.state.version, version)
            if not conflict and not refetch:
                break
        else:
            raise SyncError("The Zotero library kept changing during the sync; run it again.")
        self._report(plan, written)

    def _plan(self, keys: dict[str, str] | None) -> Plan:
        return make_plan(self.catalog, self.scheme, self.state, self.remote, self.options, keys)

    def _absorb(self, plan: Plan) -> None:
        """Remember what was read before writing anything (a later failure must not lose it)."""
        if self.dry_run:
            return
        for key in plan.forget:
            self.state.items.pop(key, None)
        self.state.items.update(plan.observed)
        self._dirty = self._dirty or bool(plan.forget or plan.observed)

    def _note_conflicts(self, plan: Plan) -> None:
        for c in plan.conflicts:
            self._conflicts[(c.key, c.field)] = c
        for k in plan.kept:
            if k not in self._kept:
                self._kept.append(k)

    def _report(self, plan: Plan, actions: list[Action]) -> None:
        r = self.result
        r.actions = actions
        counts = {k: 0 for k in ("create", "update", "retag", "restore", "untag", "trash")}
        for a in actions:
            counts[a.op] += 1
        counts["unchanged"] = self._first.unchanged
        r.conflicts = sorted(self._conflicts.values(), key=lambda c: (c.key, c.field))
        counts["kept"] = sum(1 for c in r.conflicts if c.resolution == "kept")
        counts["overwritten"] = sum(1 for c in r.conflicts if c.resolution == "overwritten")
        r.skipped = plan.skipped
        counts["skipped"] = len(plan.skipped)
        r.kept = self._kept
        counts["kept_yours"] = len(self._kept)
        counts["failed"] = len(r.failed)
        r.counts = counts

    # -- items

    def _write(self, actions: list[Action], written: list[Action], total: int) -> tuple[list[str], bool]:
        """Write ``actions`` in batches; return (keys to re-read, whole-library conflict?)."""
        refetch: list[str] = []
        for i in range(0, len(actions), BATCH):
            batch = actions[i:i + BATCH]
            try:
                report, version = post_objects(self.zot, "items", [a.payload for a in batch], self.state.version)
            except ze.PreConditionFailedError:
                return refetch, True
            self.state.version = version
            successful, success = report.get("successful") or {}, report.get("success") or {}
            for idx, a in enumerate(batch):
                s = str(idx)
                if s in successful:
                    self._finish(a, successful[s])
                    written.append(a)
                elif s in success:  # only the key (older servers, and some write answers): the
                    # object now has the library version the write produced
                    self._finish(a, {"key": success[s], "version": version, "data": {}})
                    written.append(a)
                elif s in report.get("unchanged", {}):
                    self._finish(a, None)
                    written.append(a)
                elif s in report.get("failed", {}):
                    f = report["failed"][s]
                    code = int(f.get("code", 0))
                    if code == 412 and a.zkey:
                        refetch.append(a.zkey)
                    elif code == 404 and a.zkey:
                        self.state.items.pop(a.key, None)  # deleted meanwhile: recreated next round
                        self._dirty = True
                        refetch.append(a.zkey)
                    else:
                        self.result.failed.append((a.key, code, redact(str(f.get("message", "")), self.api_key)))
            if self.progress:
                self.progress(min(len(written), total), total)
            if time.monotonic() - self._saved_at > self.save_every and self.state.path is not None:
                self.state.save()
                self._saved_at = time.monotonic()
        return refetch, False

    def _finish(self, a: Action, obj: dict[str, Any] | None) -> None:
        after: ItemState = a.after
        if obj is not None:
            data = obj["data"]
            after.zkey = obj["key"]
            after.version = obj["version"]
            after.item_type = data.get("itemType", after.item_type)
            after.tags = data.get("tags", after.tags)
            after.collections = data.get("collections", after.collections)
            after.extra = data.get("extra", after.extra)
            after.deleted = bool(data.get("deleted"))
        self.state.items[a.key] = after
        self._dirty = True

    # -- collections

    def _collections(self, version: int) -> tuple[dict[str, str], int]:
        """Find or create the section collections; return their keys and the library version after."""
        cp: CollectionPlan = plan_collections(self.catalog, self.scheme, self.state, self.remote)
        if not self.dry_run:
            self._dirty = self._dirty or bool(cp.observed or cp.create or cp.rename)
            for s, st in cp.observed.items():
                self.state.collections[s] = st
            for s in list(self.state.collections):
                if self.state.collections[s].key in self.remote.deleted_collections:
                    del self.state.collections[s]
                    self._dirty = True
        keys = dict(cp.keys)
        self.result.collections_stale = cp.stale
        lib_version = version
        for level in cp.create:
            if self.dry_run:
                for s, name in level:
                    keys[s] = f"new:{s}"
                    self.result.collections_created.append(name)
                continue
            for i in range(0, len(level), BATCH):
                chunk = level[i:i + BATCH]
                objs = [{"name": name, "parentCollection": keys[cp.parents[s]] if s != ROOT else False} for s, name in chunk]
                report, lib_version = post_objects(self.zot, "collections", objs, lib_version)
                for idx, (s, name) in enumerate(chunk):
                    got = report["successful"].get(str(idx))
                    if got is None:
                        f = report["failed"].get(str(idx), {})
                        raise SyncError(f"Zotero refused to create collection {name!r}: {f.get('message', 'unknown error')}")
                    keys[s] = got["key"]
                    self.state.collections[s] = CollectionState(got["key"], got["version"], name,
                                                                got["data"].get("parentCollection") or None)
                    self.result.collections_created.append(name)
        if cp.rename and not self.dry_run:
            for i in range(0, len(cp.rename), BATCH):
                chunk = cp.rename[i:i + BATCH]
                objs = [{"key": st.key, "version": st.version, "name": st.name} for _, st in chunk]
                report, lib_version = post_objects(self.zot, "collections", objs, lib_version)
                for idx, (s, st) in enumerate(chunk):
                    got = report["successful"].get(str(idx))
                    if got is not None:
                        self.state.collections[s] = CollectionState(st.key, got["version"], st.name, st.parent)
                        self.result.collections_renamed.append(st.name)
        elif cp.rename:
            self.result.collections_renamed = [st.name for _, st in cp.rename]
        # our own collection writes moved the library; nothing else did (If-Unmodified-Since-Version)
        return keys, lib_version


def _one_line(e: Exception) -> str:
    """pyzotero's multi-line error text as one sentence."""
    parts = [p.strip() for p in str(e).strip().splitlines() if p.strip()]
    fields = dict(p.split(": ", 1) for p in parts if ": " in p)
    if "Code" in fields:
        return f"Zotero answered HTTP {fields['Code']} to {fields.get('Method', '')} {fields.get('URL', '')}: {fields.get('Response', '')}".strip()
    return " ".join(parts) or type(e).__name__
