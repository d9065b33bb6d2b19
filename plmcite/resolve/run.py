"""The whole run: a parsed list (and the previous catalog) in, the new catalog and a summary out."""

from __future__ import annotations

from typing import Callable, Iterable, Sequence

from .. import match
from ..errors import PlmciteError
from ..model import Catalog, Work, section_matches
from .build import Summary, build_catalog
from .claim import Claim, EntryInfo, Outcome
from .engine import Sources, run_rounds
from .merge import merge


def run_claims(entries: Sequence[EntryInfo], sources: Sources, weights: match.TitleWeights,
               progress: Callable[[int, int], None] | None = None) -> list[Outcome]:
    """Resolve every entry; returns one Outcome per entry, in order."""
    outcomes = run_rounds([Claim(e, weights) for e in entries], sources, progress)
    return [o if o is not None else Outcome(e, unresolved="resolution did not settle")
            for e, o in zip(entries, outcomes)]


def entry_infos(doc, section_filter: Sequence[str] | None = None) -> tuple[list[EntryInfo], list[EntryInfo]]:
    """(entries to resolve, entries carried over) for a parsed list and an optional section filter
    (numbers, slug paths or heading texts, as ``plmcite.sections.resolve`` reads them)."""
    from ..sections import resolve_all

    wanted = resolve_all(section_filter, doc.section_titles()) if section_filter else []
    todo, carried = [], []
    for e in doc.entries:
        info = EntryInfo.from_entry(e)
        if section_filter and not any(section_matches(e.section, s) for s in wanted):
            carried.append(info)
        else:
            todo.append(info)
    return todo, carried


def resolve_list(doc, sources: Sources, *, previous: Catalog | None = None, section_filter=None,
                 rekey: bool = False, reserved_keys: Iterable[str] = (), list_path: str | None = None,
                 progress: Callable[[int, int], None] | None = None) -> tuple[Catalog, Summary, list[Outcome]]:
    """Resolve the list's entries (those of ``section_filter``) and build the new catalog."""
    todo, carried = entry_infos(doc, section_filter)
    weights = match.TitleWeights(e.title for e in doc.entries)
    outcomes = run_claims(todo, sources, weights, progress)
    cat, summary = catalog_from(doc, outcomes, carried, previous=previous, rekey=rekey,
                                reserved_keys=reserved_keys, list_path=list_path)
    count_requests(summary, sources.http)
    return cat, summary, outcomes


def catalog_from(doc, outcomes: Sequence[Outcome], carried: Sequence[EntryInfo], *, previous: Catalog | None,
                 rekey: bool = False, reserved_keys: Iterable[str] = (),
                 list_path: str | None = None) -> tuple[Catalog, Summary]:
    """The catalog this run's outcomes make over ``previous`` (no network: a run that finds the
    catalog rewritten by another run meanwhile builds again over that one, losing nothing).
    ``carried``: the entries outside this run's sections (:func:`entry_infos`), kept as they were."""
    sections = doc.section_titles()  # numbered and slug-path sections alike
    return build_catalog(outcomes, previous=previous, sections=sections, list_path=list_path,
                         carried=carried, reserved_keys=reserved_keys, rekey=rekey)


def count_requests(summary: Summary, http) -> None:
    summary.requests = dict(sorted(http.requests.items()))
    summary.retries = dict(sorted(http.retried.items()))
    summary.cache_hits = dict(sorted(http.cache_hits.items()))
    summary.failures = dict(sorted(http.failures.items()))
    summary.refused = dict(sorted(http.refused.items()))


class LookupFailed(PlmciteError):
    """A paper's identifier could not be looked up because a service failed (not: it has no record)."""


def lookup_identifier(ids: dict[str, str], sources: Sources) -> Work | None:
    """Resolve one paper by identifier (for ``plmcite add``): its merged work, or None when the
    services say there is no such paper. :class:`LookupFailed` when a service could not answer.

    The caller opens the sources (``engine.open_sources``), so the same cache and politeness
    apply as in ``plmcite resolve``.
    """
    info = EntryInfo(section="", line=0, title="", ids=dict(ids))
    outcome = run_claims([info], sources, match.TitleWeights([]))[0]
    if outcome.failures:
        which = ", ".join(sorted(outcome.failed_sources))
        raise LookupFailed(f"could not look up {', '.join(f'{k}:{v}' for k, v in ids.items())}: {which} did not answer "
                           f"({outcome.failures[0]}); pass --title and --tag, or try again later")
    if not outcome.ok:
        return None
    return merge(outcome.records)
