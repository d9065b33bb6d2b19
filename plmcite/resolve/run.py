"""The whole run: a parsed list (and the previous catalog) in, the new catalog and a summary out."""

from __future__ import annotations

from typing import Callable, Iterable, Sequence

from .. import match
from ..model import Catalog, Work, section_matches
from .build import Summary, build_catalog
from .claim import Claim, EntryInfo, Outcome
from .engine import Sources, run_rounds
from .merge import merge


def run_claims(entries: Sequence[EntryInfo], sources: Sources, weights: match.TitleWeights,
               progress: Callable[[int, int], None] | None = None, max_rounds: int = 40) -> list[Outcome]:
    """Resolve every entry; returns one Outcome per entry, in order."""
    outcomes = run_rounds([Claim(e, weights) for e in entries], sources, progress, max_rounds)
    return [o if o is not None else Outcome(e, unresolved="resolution did not settle")
            for e, o in zip(entries, outcomes)]


def entry_infos(doc, section_filter: Sequence[str] | None = None) -> tuple[list[EntryInfo], list[EntryInfo]]:
    """(entries to resolve, entries carried over) for a parsed list and an optional section filter."""
    todo, carried = [], []
    for e in doc.entries:
        info = EntryInfo.from_entry(e)
        if section_filter and not any(section_matches(e.section, s.strip().rstrip(".")) for s in section_filter):
            carried.append(info)
        else:
            todo.append(info)
    return todo, carried


def resolve_list(doc, sources: Sources, *, previous: Catalog | None = None, section_filter=None,
                 rekey: bool = False, reserved_keys: Iterable[str] = (), list_path: str | None = None,
                 progress: Callable[[int, int], None] | None = None) -> tuple[Catalog, Summary, list[Outcome]]:
    todo, carried = entry_infos(doc, section_filter)
    weights = match.TitleWeights(e.title for e in doc.entries)
    outcomes = run_claims(todo, sources, weights, progress)
    sections = {s.key: s.title for s in doc.sections if s.number}
    cat, summary = build_catalog(outcomes, previous=previous, sections=sections, list_path=list_path,
                                 carried=carried, reserved_keys=reserved_keys, rekey=rekey)
    http = sources.http
    summary.requests = dict(sorted(http.requests.items()))
    summary.retries = dict(sorted(http.retried.items()))
    summary.cache_hits = dict(sorted(http.cache_hits.items()))
    summary.failures = dict(sorted(http.failures.items()))
    return cat, summary, outcomes


def lookup_identifier(ids: dict[str, str], sources: Sources) -> Work | None:
    """Resolve one paper by identifier (for ``plmcite add``): its merged work, or None.

    The caller opens the sources (``engine.open_sources``), so the same cache and politeness
    apply as in ``plmcite resolve``.
    """
    info = EntryInfo(section="", line=0, title="", ids=dict(ids))
    outcome = run_claims([info], sources, match.TitleWeights([]))[0]
    if not outcome.ok:
        return None
    return merge(outcome.records)
