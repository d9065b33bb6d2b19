"""Which record plays which role for a work, and whose word wins: ``data/roles.toml`` as code.

The resolver never names a source in its logic; it asks this module. ``ROLES.lookup`` says which
source looks up an identifier kind, ``ROLES.search`` the order of title searches, and the
``resolving`` / ``merge`` precedence lists say whose value wins. The helpers below answer the
questions the claim procedure asks of the records gathered so far.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Iterator

from .. import venues
from ..model import Kind, Record
from ..sources import REGISTRY

#: the pseudo-role of the venue table in ``merge`` lists
VENUES = "venues"
#: DBLP's record of the arXiv preprint, as opposed to its record of the published version
CORR = "dblp-corr"


@dataclass(frozen=True)
class Pick:
    """One step of a precedence list: a role, and whether it counts when its record is unpublished."""

    role: str
    any_status: bool = False


@dataclass(frozen=True)
class Roles:
    lookup: dict[str, str]  # identifier kind -> source
    doi_prefix: dict[str, str]  # DOI prefix -> source answering those DOIs
    search: tuple[str, ...]
    deferred: frozenset[str]
    identity: tuple[str, ...]
    collected: tuple[str, ...]
    resolving: dict[str, tuple[str, ...]]
    merge: dict[str, tuple[Pick, ...]]
    journal_only: dict[str, frozenset[str]]
    index: str
    submissions: frozenset[str]
    identify: str
    identify_kinds: tuple[str, ...]

    @classmethod
    def from_toml(cls, text: str) -> "Roles":
        d = tomllib.loads(text)
        roles = set(REGISTRY) | {CORR}
        merge = {f: tuple(Pick(r.rstrip("*"), r.endswith("*")) for r in order) for f, order in d["merge"].items()}
        for where, names in [("lookup", d["lookup"].values()), ("doi_prefix", d["doi_prefix"].values()),
                             ("search", d["search"]["order"]), ("batching", d["batching"]["deferred"]),
                             ("completion", [d["completion"]["index"], *d["completion"]["submissions"]]),
                             ("identify", [d["identify"]["source"]])]:
            unknown = set(names) - set(REGISTRY)
            if unknown:
                raise ValueError(f"roles.toml [{where}]: unknown source(s) {', '.join(sorted(unknown))}")
        for f, picks in merge.items():
            unknown = {p.role for p in picks} - roles - {VENUES}
            if unknown:
                raise ValueError(f"roles.toml [merge] {f}: unknown role(s) {', '.join(sorted(unknown))}")
        for f, order in d["resolving"].items():
            if set(order) - roles:
                raise ValueError(f"roles.toml [resolving] {f}: unknown role(s) {', '.join(sorted(set(order) - roles))}")
        return cls(
            lookup=dict(d["lookup"]),
            doi_prefix=dict(d["doi_prefix"]),
            search=tuple(d["search"]["order"]),
            deferred=frozenset(d["batching"]["deferred"]),
            identity=tuple(d["roles"]["identity"]),
            collected=tuple(d["roles"]["collected"]),
            resolving={f: tuple(v) for f, v in d["resolving"].items()},
            merge=merge,
            journal_only={f: frozenset(v) for f, v in d.get("journal_only", {}).items()},
            index=d["completion"]["index"],
            submissions=frozenset(d["completion"]["submissions"]),
            identify=d["identify"]["source"],
            identify_kinds=tuple(d["identify"]["kinds"]),
        )


#: the roles table, read once at import
ROLES = Roles.from_toml(resources.files("plmcite.data").joinpath("roles.toml").read_text(encoding="utf-8"))

Records = dict[str, Record]  # role -> record


def role_of(rec: Record) -> str:
    """The role a record found on its own (by link or search) plays."""
    if rec.source == ROLES.index and rec.kind == Kind.PREPRINT:
        return CORR
    return rec.source


def is_submission(rec: Record) -> bool:
    """A rejected or pending submission (OpenReview): no version to cite."""
    return rec.source in ROLES.submissions and not rec.published


def lookup_key(kind: str, value: str) -> tuple[str, str, str]:
    """(source, "lookup", key) for an identifier of a link or record."""
    from ..ids import strip_arxiv_version

    if kind == "doi":
        for prefix, source in ROLES.doi_prefix.items():
            if value.lower().startswith(prefix.lower()):
                return (source, "lookup", value[len(prefix):])
        return (ROLES.lookup["doi"], "lookup", value.lower())
    if kind == "arxiv":
        return (ROLES.lookup["arxiv"], "lookup", strip_arxiv_version(value))
    return (ROLES.lookup[kind], "lookup", value)


def doi_has_own_source(doi: str) -> bool:
    """A DOI some source other than Crossref answers (the Anthology's)."""
    return any(doi.lower().startswith(p.lower()) for p in ROLES.doi_prefix)


def in_order(recs: Records, field: str) -> Iterator[tuple[str, Record]]:
    """(role, record) for the roles of a ``resolving`` list that are present."""
    for role in ROLES.resolving[field]:
        if role in recs:
            yield role, recs[role]


def arxiv_of(recs: Records) -> str | None:
    return next((r.ids["arxiv"] for _, r in in_order(recs, "arxiv") if r.ids.get("arxiv")), None)


def ids_of(recs: Records) -> dict[str, str]:
    """Every identifier the records state, first role first (CoRR records give only arXiv)."""
    out: dict[str, str] = {}
    for role, r in in_order(recs, "ids"):
        for kind in ROLES.collected:
            v = r.ids.get(kind)
            if v and kind not in out and (role != CORR or kind == "arxiv"):
                out[kind] = v
    return out


def best_title(recs: Records) -> str | None:
    return next((r.title for _, r in in_order(recs, "title")), None)


def matching_authors(recs: Records):
    return next((r.authors for _, r in in_order(recs, "authors") if r.authors), [])


def identity(r: Record) -> str:
    for kind in ROLES.identity:
        if r.ids.get(kind):
            return f"{kind}:{r.ids[kind]}"
    return f"{r.source}:{r.key}"


def identity_ids(ids: dict[str, str]) -> set[str]:
    return {f"{k}:{ids[k].lower()}" for k in ROLES.identity if ids.get(k)}


def venue_string(role: str, r: Record) -> str | None:
    """The string each service names a venue by (OpenReview's venue id is the stable one)."""
    if role == "openreview":
        return r.extra.get("venueid")
    if role == "crossref":
        return r.container or r.venue_raw
    return r.venue_raw


def venue_of(role: str, r: Record) -> "venues.VenueInfo | None":
    """The venue of the venue table a record of ``role`` names (by its venue string, year and
    electronic editions), or None when the table does not know it."""
    return venues.identify(role, venue_string(role, r), r.year, ee=r.extra.get("ee", ()))


def kind_rank(r: Record) -> int:
    """Published versions first (a workshop after the main venue), then the rest."""
    return {Kind.CONFERENCE: 0, Kind.JOURNAL: 0, Kind.WORKSHOP: 1}.get(r.kind, 2)
