"""A local fake internet: arXiv, Crossref, DBLP, OpenReview, the ACL Anthology and Semantic Scholar on 127.0.0.1.

Public API (stable; other modules and tests build on it)
=========================================================

``FakeInternet(data, **options)`` is a context manager that starts one HTTP server per service,
each on its own port, in threads. ``data`` is a directory of record files (every ``*.json`` in
it holds a list of records, see :mod:`plmcite.testing.records`), a list of such directories or
files, or omitted when ``papers=`` gives already-loaded :class:`~plmcite.testing.records.Paper`
objects::

    from plmcite.testing import FakeInternet

    with FakeInternet("tests/fixtures/metadata") as net:
        net.urls["crossref"]          # "http://127.0.0.1:41234"
        net.env()                      # {"PLMCITE_ARXIV_URL": "http://127.0.0.1:40001/api/query", ...}
        ...                            # run the real clients against them
        net.count("arxiv")             # requests the arXiv fake received
        net["dblp"].requests(path="/search")   # LoggedRequest entries (method, path, query, status, time, fault)

A pytest fixture::

    @pytest.fixture
    def net(monkeypatch):
        with FakeInternet(FIXTURES / "metadata") as net:
            for name, value in net.env().items():
                monkeypatch.setenv(name, value)
            yield net

Base URLs (what ``.urls`` and ``.env()`` give): arXiv is the full query URL ``<root>/api/query``;
the others are the service root with no trailing slash: Crossref ``<root>`` (habanero appends
``/works``), DBLP ``<root>`` (``<root>/search/publ/api``, ``<root>/rec/<key>.bib``), OpenReview
``<root>`` (``<root>/notes?id=``), ACL Anthology ``<root>`` (``<root>/<id>.bib``).

Options (keyword arguments; each applies to every service unless set in ``per_service``):

* ``latency_ms``: delay before every answer.
* ``rate_limit`` / ``rate_window``: at most N requests per window (seconds), else 429 with
  ``Retry-After: <seconds>`` in the service's own body format (``retry_after=False`` leaves the
  header out, as arXiv may do).
* ``fault_rate``, ``faults``, ``seed``, ``hang_s``: random faults with that probability, drawn
  from ``faults`` (``"5xx"``, ``"timeout"``, ``"malformed"``, ``"reset"``), deterministic for a
  seed; a ``timeout`` hangs ``hang_s`` seconds then drops the connection (set it above the client
  timeout; ``stop()`` ends hangs at once).
* ``arxiv_min_interval`` / ``arxiv_strict``: count arXiv requests arriving closer together than
  this many seconds (``net["arxiv"].interval_violations``); in strict mode answer them with 429
  (``arxiv_interval_status=503`` for 503).
* ``arxiv_missing``: ``"none"`` (default; unknown ids get no entry but count in totalResults) or
  ``"empty"`` (an empty ``<entry>`` per unknown id, the 2021 behaviour).
* ``openreview_challenge``: every OpenReview ``/notes`` request gets the 403
  ``ChallengeRequiredError`` of the real site (``/notes/search`` still answers);
  ``openreview_dblp_imports`` (default on): OpenReview also holds notes imported from DBLP.
* ``per_service``: ``{"crossref": {"rate_limit": 2, "rate_window": 5}}``, any :class:`Knobs` field.
* ``port_base``: 0 for random ports, else arxiv=base, crossref=base+1, dblp=base+2,
  openreview=base+3, acl=base+4.
* ``services``: start only some services.
* ``verbose``: one line per request on stderr.

While running: ``net.inject(service, fault, times=1, path=None)`` scripts faults for the next
requests (``"429"``, ``"500"``, ``"502"``, ``"503"``, ``"504"``, ``"timeout"``, ``"malformed"``,
``"reset"``); ``net.configure(service, **knobs)`` changes knobs; ``net.reset_log()`` clears logs
and counters; ``net.counts()`` maps service to request count; ``net.requests(service)`` returns
the log; ``net.errors()`` lists tracebacks of exceptions inside the fakes (should stay empty).
"""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path
from typing import Any, Iterable, Sequence

from .acl import AclService
from .arxiv import ArxivService
from .crossref import CrossrefService
from .dblp import DblpService
from .openreview import OpenReviewService
from .records import Paper, load_records
from .s2 import S2Service
from .server import FAULTS, FakeServer, Knobs, LoggedRequest, Service

SERVICES = ("arxiv", "crossref", "dblp", "openreview", "acl", "s2")
ENV_VARS = {name: f"PLMCITE_{name.upper()}_URL" for name in SERVICES}

__all__ = ["FakeInternet", "Knobs", "LoggedRequest", "SERVICES", "ENV_VARS", "FAULTS", "build_service"]


def build_service(name: str, papers: list[Paper], *, arxiv_missing: str = "none", openreview_challenge: bool = False,
                  openreview_dblp_imports: bool = True) -> Service:
    if name == "arxiv":
        return ArxivService(papers, missing=arxiv_missing)
    if name == "openreview":
        return OpenReviewService(papers, challenge=openreview_challenge, dblp_imports=openreview_dblp_imports)
    factories = {"crossref": CrossrefService, "dblp": DblpService, "openreview": OpenReviewService, "acl": AclService,
                 "s2": S2Service}
    if name not in factories:
        raise ValueError(f"unknown service {name!r}; known: {', '.join(SERVICES)}")
    return factories[name](papers)


class FakeInternet:
    def __init__(
        self,
        data: str | Path | Iterable[str | Path] | None = None,
        *,
        papers: Sequence[Paper] | None = None,
        latency_ms: float = 0.0,
        rate_limit: int | None = None,
        rate_window: float = 1.0,
        retry_after: bool = True,
        fault_rate: float = 0.0,
        faults: Sequence[str] = FAULTS,
        seed: int = 0,
        hang_s: float = 10.0,
        arxiv_min_interval: float | None = None,
        arxiv_strict: bool = False,
        arxiv_interval_status: int = 429,
        arxiv_missing: str = "none",
        openreview_challenge: bool = False,
        openreview_dblp_imports: bool = True,
        per_service: dict[str, dict[str, Any]] | None = None,
        port_base: int = 0,
        services: Sequence[str] = SERVICES,
        verbose: bool = False,
    ):
        if (data is None) == (papers is None):
            raise ValueError("give either a data directory or papers=")
        self.papers: list[Paper] = list(papers) if papers is not None else load_records(data)  # type: ignore[arg-type]
        unknown = set(services) - set(SERVICES) | set(per_service or {}) - set(SERVICES)
        if unknown:
            raise ValueError(f"unknown service(s) {sorted(unknown)}; known: {', '.join(SERVICES)}")
        base = Knobs(
            latency_ms=latency_ms,
            rate_limit=rate_limit,
            rate_window=rate_window,
            retry_after=retry_after,
            fault_rate=fault_rate,
            faults=tuple(faults),
            seed=seed,
            hang_s=hang_s,
        )
        self.servers: dict[str, FakeServer] = {}
        for i, name in enumerate(SERVICES):
            if name not in services:
                continue
            knobs = base
            if name == "arxiv":
                knobs = dataclasses.replace(
                    knobs, min_interval=arxiv_min_interval, strict_interval=arxiv_strict, interval_status=arxiv_interval_status
                )
            knobs = dataclasses.replace(knobs, **(per_service or {}).get(name, {}))
            service = build_service(name, self.papers, arxiv_missing=arxiv_missing, openreview_challenge=openreview_challenge,
                                    openreview_dblp_imports=openreview_dblp_imports)
            self.servers[name] = FakeServer(service, knobs, port=port_base + i if port_base else 0, verbose=verbose)
        self._running = False

    # lifecycle ----------------------------------------------------------------------------------

    def start(self) -> "FakeInternet":
        started = []
        try:
            for server in self.servers.values():
                server.start()
                started.append(server)
        except BaseException:
            for server in started:
                server.stop()
            raise
        self._running = True
        return self

    def stop(self) -> None:
        # In parallel: each shutdown waits for its serve loop's next poll.
        threads = [threading.Thread(target=server.stop) for server in self.servers.values()]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self._running = False

    def __enter__(self) -> "FakeInternet":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # addresses ----------------------------------------------------------------------------------

    def __getitem__(self, name: str) -> FakeServer:
        return self.servers[name]

    @property
    def urls(self) -> dict[str, str]:
        return {name: server.url for name, server in self.servers.items()}

    def env(self) -> dict[str, str]:
        """``PLMCITE_<SERVICE>_URL`` for every running service (what plmcite.config reads)."""
        return {ENV_VARS[name]: url for name, url in self.urls.items()}

    # controls and observations ------------------------------------------------------------------

    def inject(self, service: str, fault: str, times: int = 1, path: str | None = None, retry_after: int = 1) -> None:
        self.servers[service].inject(fault, times=times, path=path, retry_after=retry_after)

    def configure(self, service: str, **knobs: Any) -> None:
        self.servers[service].configure(**knobs)

    def requests(self, service: str | None = None) -> list[LoggedRequest]:
        names = [service] if service else list(self.servers)
        out = [r for n in names for r in self.servers[n].requests()]
        return sorted(out, key=lambda r: r.time)

    def count(self, service: str, path: str | None = None) -> int:
        return len(self.servers[service].requests(path=path))

    def counts(self) -> dict[str, int]:
        return {name: server.counters["requests"] for name, server in self.servers.items()}

    def reset_log(self) -> None:
        for server in self.servers.values():
            server.reset_log()

    def errors(self) -> list[str]:
        return [e for server in self.servers.values() for e in server.errors]
