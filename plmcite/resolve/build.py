"""From outcomes to the catalog: group duplicate entries, merge, pin keys, keep provenance.

A failed run never degrades the catalog: an entry whose needed request failed keeps the work (or
the unresolved reason) the previous catalog had for it. Keys once written never move, and a field
whose value did not change keeps its old provenance, so a re-run with nothing new changes no byte.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from .. import keys as keymod
from ..model import Catalog, Record, Unresolved, Work
from .claim import EntryInfo, Outcome
from .merge import merge
from .people import reconcile as reconcile_people
from .roles import identity_ids, ids_of


@dataclass
class Summary:
    entries: int = 0
    works: int = 0
    resolved_entries: int = 0
    published: int = 0
    upgraded: int = 0  # works whose list entries cite only the preprint, found published
    unresolved: int = 0
    kept_previous: int = 0
    unchecked: int = 0  # entries a needed answer failed for: not checked this run
    unchecked_by_service: dict[str, int] = field(default_factory=dict)  # entries per failing service
    requests: dict[str, int] = field(default_factory=dict)
    retries: dict[str, int] = field(default_factory=dict)
    cache_hits: dict[str, int] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)  # lookups a service refused (OpenReview's challenge)
    name_conflicts: list[str] = field(default_factory=list)  # spellings of one person left unsettled (people.py)
    changed: bool = False

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _union_groups(items: list[set[str]]) -> list[list[int]]:
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, ids in enumerate(items):
        for x in sorted(ids):
            if x in owner:
                a, b = find(i), find(owner[x])
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                owner[x] = i
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(items)):
        groups[find(i)].append(i)
    return [groups[g] for g in sorted(groups)]


def build_catalog(
    outcomes: Sequence[Outcome],
    *,
    previous: Catalog | None = None,
    sections: dict[str, str] | None = None,
    list_path: str | None = None,
    carried: Sequence[EntryInfo] = (),
    reserved_keys: Iterable[str] = (),
    rekey: bool = False,
    key_rules: keymod.KeyRules | None = None,
) -> tuple[Catalog, Summary]:
    """Turn outcomes into the catalog: group duplicates, merge, keep pinned keys and provenance.

    ``carried`` entries were not resolved this run (outside ``--section``): their previous work
    (or previous unresolved reason) is kept as it was.
    """
    previous = previous or Catalog()
    prev_by_ref = previous.by_entry()
    prev_unres = {u.ref: u for u in previous.unresolved}
    summary = Summary(entries=len(outcomes) + len(carried))

    fresh: list[tuple[dict[str, Record], list[EntryInfo]]] = []
    keep_prev: dict[int, tuple[Work, list[EntryInfo]]] = {}  # id(prev work) -> (work, entries)
    unresolved: list[Unresolved] = []

    def keep_or_unresolve(e: EntryInfo, reason: str, is_failure: bool, nearest: dict | None = None) -> None:
        """A failed run never degrades the catalog: what the last complete run said stands."""
        pw = prev_by_ref.get(e.ref)
        pu = prev_unres.get(e.ref)
        if is_failure and pw is not None:
            keep_prev.setdefault(id(pw), (pw, []))[1].append(e)
            summary.kept_previous += 1
        elif is_failure and pu is not None:
            unresolved.append(Unresolved(e.section, e.title, pu.reason, e.line, pu.nearest))
            summary.kept_previous += 1
        else:
            unresolved.append(Unresolved(e.section, e.title, reason, e.line, nearest))

    for o in outcomes:
        if o.failures:
            summary.unchecked += 1
            for s in o.failed_sources:
                summary.unchecked_by_service[s] = summary.unchecked_by_service.get(s, 0) + 1
            keep_or_unresolve(o.entry, "could not complete: " + "; ".join(o.failures), True)
        elif o.unresolved or not o.records:
            keep_or_unresolve(o.entry, o.unresolved or "no record found", False,
                              o.nearest.to_json(o.entry.title) if o.nearest else None)
        else:
            fresh.append((o.records, [o.entry]))
    for e in carried:
        pw = prev_by_ref.get(e.ref)
        if pw is not None:
            keep_prev.setdefault(id(pw), (pw, []))[1].append(e)
        else:
            u = prev_unres.get(e.ref)
            unresolved.append(Unresolved(e.section, e.title, u.reason if u else "not resolved yet (outside the --section run)",
                                         e.line, u.nearest if u else None))

    # group fresh claims that name the same work (duplicate entries, different links)
    id_sets = [identity_ids(ids_of(recs)) for recs, _ in fresh]
    works: list[Work] = []
    merged_groups: list[tuple[Work, list[EntryInfo]]] = []
    for group in _union_groups(id_sets):
        records: dict[str, Record] = {}
        entries: list[EntryInfo] = []
        # the claim with the most records leads; others fill roles it lacks
        for i in sorted(group, key=lambda i: (-len(fresh[i][0]), i)):
            for role, r in fresh[i][0].items():
                records.setdefault(role, r)
            entries.extend(fresh[i][1])
        merged_groups.append((merge(records), entries))

    # previous works kept because their refresh failed (or lay outside --section): joined to the
    # first group that shares an identifier, else kept as they were (indexed by identifier, so a
    # --section run over a large catalog stays linear)
    owner: dict[str, int] = {}

    def index(g: int) -> None:
        for x in identity_ids(merged_groups[g][0].ids):
            owner.setdefault(x, g)

    for g in range(len(merged_groups)):
        index(g)
    for pw, entries in keep_prev.values():
        shared = [owner[x] for x in identity_ids(pw.ids) if x in owner]
        if shared:
            merged_groups[min(shared)][1].extend(entries)
            continue
        merged_groups.append((pw.copy(), entries))
        index(len(merged_groups) - 1)

    for w, entries in merged_groups:
        w.entries = sorted({e.ref for e in entries})
        w.sections = sorted({e.section for e in entries})
        w.code = sorted({c for e in entries for c in e.code})
        works.append(w)

    summary.name_conflicts = reconcile_people(works)  # one person, one spelling, across the catalog
    _pin_keys(works, previous, prev_by_ref, rekey, reserved_keys, key_rules)
    _keep_provenance(works, previous)
    cat = Catalog(works=works, sections=dict(sections or previous.sections), unresolved=_dedupe_unresolved(unresolved),
                  list_path=list_path if list_path is not None else previous.list_path)
    summary.works = len(works)
    summary.resolved_entries = sum(len(w.entries) for w in works)
    summary.unresolved = len(cat.unresolved)
    summary.published = sum(1 for w in works if w.published)
    summary.upgraded = sum(1 for w, es in merged_groups if w.published and _cites_preprint_only(es))
    return cat, summary


def _cites_preprint_only(entries: list[EntryInfo]) -> bool:
    """Every list entry of the work cites it as a preprint (arXiv tag, or only an arXiv link)."""
    for e in entries:
        arxiv_tag = (e.tag_venue or "").lower() == "arxiv"
        only_arxiv = bool(e.ids) and set(e.ids) <= {"arxiv"}
        if not (arxiv_tag or only_arxiv):
            return False
    return bool(entries)


def _dedupe_unresolved(items: list[Unresolved]) -> list[Unresolved]:
    seen: set[tuple] = set()
    out = []
    for u in items:
        k = (u.section, u.title, u.line)
        if k not in seen:
            seen.add(k)
            out.append(u)
    return out


def _pin_keys(works: list[Work], previous: Catalog, by_ref: dict, rekey: bool, reserved: Iterable[str],
              rules: keymod.KeyRules | None) -> None:
    """Keys once written never move: a work takes the key of the previous work it continues."""
    reserved = set(reserved)
    if rekey:
        for w in works:
            w.key = ""
        keymod.assign(works, reserved, rules)
        return
    by_id: dict[str, Work] = {}
    by_key: dict[str, Work] = {}
    for pw in previous.works:
        by_key.setdefault(pw.key, pw)
        for x in identity_ids(pw.ids):
            by_id.setdefault(x, pw)
    used: set[str] = set()
    for w in sorted(works, key=lambda w: (w.key or "~", sorted(identity_ids(w.ids)), w.title)):
        prev = w.key and by_key.get(w.key)
        if not prev:
            prev = next((by_id[x] for x in sorted(identity_ids(w.ids)) if x in by_id), None)
        if prev is None:
            prev = next((by_ref[r] for r in w.entries if r in by_ref), None)
        if prev is not None and prev.key not in used:
            w.key = prev.key
            used.add(prev.key)
        else:
            w.key = ""
    # keys of previous works that no longer exist stay out of reach for one run, so a LaTeX
    # document citing a removed paper does not silently cite a new one under its key
    keymod.assign(works, reserved | ({pw.key for pw in previous.works} - used), rules)


def _keep_provenance(works: list[Work], previous: Catalog) -> None:
    """A field whose value did not change keeps its old provenance (so a re-run changes no byte)."""
    prev = previous.by_key()
    for w in works:
        pw = prev.get(w.key)
        if pw is None:
            continue
        for name, pv in pw.provenance.items():
            if name in w.provenance and field_value(w, name) == field_value(pw, name):
                w.provenance[name] = pv


def field_value(work: Work, name: str) -> Any:
    """A work's value for a provenance name: a field ("title") or one identifier ("ids.doi")."""
    if name.startswith("ids."):
        return work.ids.get(name[4:])
    return getattr(work, name, None)
