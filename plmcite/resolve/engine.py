"""The round engine: claims register what they need, each round fetches it all together.

Network work happens in *rounds*: every claim (an entry being resolved) is re-evaluated from the
start against what is known, registering what it still needs (``Knowledge.get`` raises
:class:`Pending`); all needs of a round are then fetched together (arXiv ids in one batched
request, each service in its own thread). A claim's logic is therefore a plain function of the
answers, and a cached run replays it with no request.
"""

from __future__ import annotations

import contextlib
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Protocol, Sequence

from ..errors import Signal
from ..sources import REGISTRY, source_class
from .roles import ROLES


class Pending(Signal):
    """A claim needs answers that are not known yet (they have been registered)."""


@dataclass(frozen=True)
class Missing:
    """The service says it has no such record (an answer, cached)."""

    reason: str


@dataclass(frozen=True)
class Failed:
    """No answer could be had (retries exhausted, offline, service down)."""

    reason: str


Answer = Any  # Record | Missing | Failed | SearchResult
Need = tuple[str, str, str]  # (source, "lookup" | "search" | a batched query kind, key)


class Knowledge:
    """Answers by (source, op, key); needs registered during a round, fetched between rounds."""

    def __init__(self) -> None:
        self.answers: dict[Need, Answer] = {}
        self.needs: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))

    def get_all(self, wanted: Sequence[Need]) -> list[Answer]:
        missing = [w for w in wanted if w not in self.answers]
        if missing:
            for source, op, key in missing:
                self.needs[source][op].add(key)
            raise Pending()
        return [self.answers[w] for w in wanted]

    def get(self, source: str, op: str, key: str) -> Answer:
        return self.get_all([(source, op, key)])[0]

    def take_needs(self) -> dict[str, dict[str, set[str]]]:
        needs, self.needs = self.needs, defaultdict(lambda: defaultdict(set))
        return needs


class Sources:
    """The registered sources of one run (``plmcite.sources.REGISTRY``), sharing one Http client.
    Each is built on first use."""

    def __init__(self, http, urls: dict[str, str]):
        self.http = http
        self.urls = urls
        self._built: dict[str, Any] = {}

    @classmethod
    def from_config(cls, config, http) -> "Sources":
        return cls(http, {name: config.source_url(name) for name in REGISTRY})

    def __getitem__(self, name: str):
        if name not in self._built:
            self._built[name] = source_class(name)(self.http, self.urls[name])
        return self._built[name]


@contextlib.contextmanager
def open_sources(config, *, offline: bool = False, refresh: bool = False) -> Iterator[Sources]:
    """The sources of a run over one polite, cached HTTP client (closed on exit)."""
    from ..http import Cache, Http, HttpSettings, default_cache_dir

    with Http(HttpSettings.from_config(config), cache=Cache(default_cache_dir()), offline=offline,
              refresh=refresh) as http:
        yield Sources.from_config(config, http)


def fetch(sources: Sources, needs: dict[str, dict[str, set[str]]], k: Knowledge) -> None:
    """Answer one round's needs: each service in its own thread, lookups batched per service."""
    lock = threading.Lock()

    def work(source_name: str, ops: dict[str, set[str]]) -> None:
        src = sources[source_name]
        results: dict[Need, Answer] = {}
        keys = sorted(ops.get("lookup", ()))
        if keys:
            lk = src.lookup(keys)
            for key in keys:
                nk = src.normalize_key(key)
                if nk in lk.found:
                    results[(source_name, "lookup", key)] = lk.found[nk]
                elif nk in lk.missing:
                    results[(source_name, "lookup", key)] = Missing(lk.missing[nk])
                else:
                    results[(source_name, "lookup", key)] = Failed(lk.failed.get(nk, "no answer"))
        for q in sorted(ops.get("search", ())):
            results[(source_name, "search", q)] = src.search(q)
        for op in sorted(set(ops) - {"lookup", "search"}):  # batched queries ("titles", "toc")
            for q, res in src.search_many(op, sorted(ops[op])).items():
                results[(source_name, op, q)] = res
        with lock:
            k.answers.update(results)

    items = sorted(needs.items())
    if len(items) == 1:
        work(*items[0])
        return
    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        for f in [pool.submit(work, name, ops) for name, ops in items]:
            f.result()


class Runnable(Protocol):
    def run(self, k: Knowledge) -> Any: ...


def run_rounds(claims: Sequence[Runnable], sources: Sources, progress: Callable[[int, int], None] | None = None,
               max_rounds: int = 40) -> list[Any | None]:
    """Run every claim to its outcome; None for a claim that needed more rounds than allowed."""
    k = Knowledge()
    outcomes: list[Any | None] = [None] * len(claims)
    for _ in range(max_rounds):
        for i, c in enumerate(claims):
            if outcomes[i] is not None:
                continue
            try:
                outcomes[i] = c.run(k)
            except Pending:
                pass  # its needs are registered; answered next round
        if progress:
            progress(sum(o is not None for o in outcomes), len(claims))
        needs = k.take_needs()
        if not needs:
            break
        # a rate-limited service (arXiv: one request per 3 s) waits until nothing else can make
        # progress, so that its ids pile up into as few batched requests as possible; the claims
        # that need it register the same needs again next round
        cheap = {s: ops for s, ops in needs.items() if s not in ROLES.deferred}
        fetch(sources, cheap or needs, k)
    return outcomes
