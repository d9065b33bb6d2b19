"""What every source shares: the cache in front of lookups and searches, and failure bookkeeping.

A source offers

* ``lookup(keys)``: records by the service's own identifier (arXiv id, DOI, forum id, anthology id),
  batched where the service allows it;
* ``search(title)``: candidate records for a title (for the services that can search).

:class:`Source` adds the persistent cache in front of both, so a warm run asks the network nothing,
and keeps transient failures apart from definite answers: a ``missing`` key ("the service says there
is no such record") is cached, a ``failed`` one (retries exhausted, offline) never is, and neither
is a ``refused`` one (the service would not answer this client: OpenReview's anti-bot challenge),
which the resolver sees as "not found here" so that it asks the other services instead.

Every record passes through :func:`plmcite.clean.canonical_record` before it is cached or handed
on: the one place where wire text (markup, entities, line wraps, split corporate authors, page
ranges) becomes canonical.
"""

from __future__ import annotations

from datetime import date
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from ..clean import canonical_record
from ..http import Cache, FetchError, Http, Refused, namespace
from ..model import Record

__all__ = ["Lookup", "Source", "SearchResult"]


@dataclass
class Lookup:
    """Answers to a batch of lookups: found, definitely missing, or failed (with the reason)."""

    found: dict[str, Record] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)  # key -> what the service said
    failed: dict[str, str] = field(default_factory=dict)  # key -> why we could not ask / got no answer
    #: key -> why the service would not answer this client (a challenge, a block): reported as
    #: missing to the resolver (so it falls back to other services), never cached
    refused: dict[str, str] = field(default_factory=dict)

    def answer(self, keys, records, missing: str) -> None:
        """Each of ``keys`` found (its record in ``records``) or missing (with the service's
        words): a batch answer names what it found and is silent about the rest."""
        for key in keys:
            rec = records.get(key)
            if rec is None:
                self.missing[key] = missing
            else:
                self.found[key] = rec

    def merge(self, other: "Lookup") -> None:
        self.found.update(other.found)
        self.missing.update(other.missing)
        self.failed.update(other.failed)
        self.refused.update(other.refused)


@dataclass
class SearchResult:
    records: list[Record] = field(default_factory=list)
    failed: str | None = None  # reason, when the search could not be made


class Source:
    """Base class: caching and failure bookkeeping around ``_fetch`` / ``_search``.

    Subclasses set ``name`` and implement ``_fetch(keys) -> Lookup`` (network only, may raise
    FetchError for the whole batch) and optionally ``_search(query) -> list[Record]``.
    """

    name = "source"
    #: days a cached *negative* answer (missing record, empty search) stays trusted: papers get
    #: published and indexed after the fact, so "not found" ages; positive records never do.
    negative_ttl_days = 30

    def __init__(self, http: Http, base_url: str):
        self.http = http
        self.base_url = base_url.rstrip("/")
        self._memo: dict[tuple[str, str], Any] = {}
        #: set by the service's first refusal (an anti-bot challenge): no lookup by id is sent to
        #: it again in this run; those entries are resolved through the other services
        self._refusal: str | None = None

    # --- cache helpers --------------------------------------------------------------------

    def _ns(self, kind: str) -> str:
        return namespace(self.name, self.base_url, kind)

    def _cached(self, kind: str, key: str) -> tuple[Any, str] | None:
        cache: Cache | None = self.http.cache
        if cache is None or self.http.refresh:
            return None
        entry = cache.get(self._ns(kind), key)
        if entry is None:
            return None
        value = entry.value
        if _is_negative(value) and self.negative_ttl_days is not None:
            try:
                age = (self.http.today() - date.fromisoformat(entry.retrieved)).days
            except ValueError:
                return None
            if age > self.negative_ttl_days:
                return None  # "not found" has aged: ask again
        with self.http._lock:
            self.http.cache_hits[self.name] += 1
        return value, entry.retrieved

    def _store(self, kind: str, key: str, value: Any, retrieved: str) -> None:
        if self.http.cache is not None:
            self.http.cache.put(self._ns(kind), key, value, retrieved)

    # --- public interface -------------------------------------------------------------------

    def _fetch_each(self, keys: list[str], get_one: Callable[[str], "Record | None"], missing: str) -> Lookup:
        """Fetch one id per request (services without batch lookups): ``get_one`` returns the
        record, None when the service says it has no such paper, or raises FetchError."""
        out = Lookup()
        for key in keys:
            if self._refusal is None:
                try:
                    rec = get_one(key)
                except Refused as e:
                    self._refusal = str(e)
                except FetchError as e:
                    out.failed[key] = str(e)
                    continue
                else:
                    out.answer([key], {key: rec}, missing)
                    continue
            out.refused[key] = f"{self._refusal}; asked the other services instead"
            self.http.note_refused(self.name, self._refusal)
        return out

    def normalize_key(self, key: str) -> str:
        return key.strip()

    def lookup(self, keys: Iterable[str]) -> Lookup:
        """Records for ``keys`` (the service's own ids), from memory, the cache or the network."""
        out = Lookup()
        todo: list[str] = []
        for raw in keys:
            key = self.normalize_key(raw)
            if key in out.found or key in out.missing or key in todo:
                continue
            memo = self._memo.get(("lookup", key))
            if memo is not None:
                _put(out, key, memo)
                continue
            hit = self._cached("record", key)
            if hit is not None:
                value, retrieved = hit
                res = ("missing", value["missing"]) if _is_negative(value) else ("found", Record.from_json(value, retrieved))
                self._memo[("lookup", key)] = res
                _put(out, key, res)
                continue
            todo.append(key)
        if not todo:
            return out
        today = self.http.today().isoformat()
        try:
            fetched = self._fetch(todo)
        except FetchError as e:
            fetched = Lookup(failed={k: str(e) for k in todo})
        for key in todo:
            if key in fetched.found:
                rec = canonical_record(fetched.found[key])
                rec.retrieved = today
                self._store("record", key, rec.to_json(), today)
                res = ("found", rec)
            elif key in fetched.missing:
                self._store("record", key, {"missing": fetched.missing[key]}, today)
                res = ("missing", fetched.missing[key])
            elif key in fetched.refused:
                res = ("missing", fetched.refused[key])  # not cached: ask again next run
            else:
                res = ("failed", fetched.failed.get(key, f"{self.name} gave no answer for {key}"))
            if res[0] != "failed":
                self._memo[("lookup", key)] = res
            _put(out, key, res)
        return out

    def search(self, query: str) -> SearchResult:
        """Candidate records for a title query (cached under the normalised query)."""
        key = " ".join(query.split())
        known = self._known_answer("search", key)
        if known is not None:
            return known
        today = self.http.today().isoformat()
        try:
            found = self._search(key)
        except Refused as e:  # this service turned us away: no hits here, ask again next run
            self.http.note_refused(self.name, str(e))
            res = SearchResult([])
            self._memo[("search", key)] = res
            return res
        except FetchError as e:
            return SearchResult(failed=str(e))
        return self._keep_answer("search", key, found, today)

    def search_many(self, op: str, queries: Iterable[str]) -> dict[str, SearchResult]:
        """Answers to many queries of a batched kind (``op``: "titles" at arXiv, "toc" at DBLP),
        each cached like a search; the service decides how many requests they take."""
        out: dict[str, SearchResult] = {}
        todo: list[str] = []
        for raw in queries:
            key = " ".join(raw.split())
            known = self._known_answer(op, key)
            if known is not None:
                out[raw] = known
            else:
                todo.append(key)
        if todo:
            today = self.http.today().isoformat()
            try:
                found = self._search_many(op, sorted(set(todo)))
            except FetchError as e:
                found, failed = {}, str(e)
            else:
                failed = f"{self.name} gave no answer"
            for raw in queries:
                key = " ".join(raw.split())
                if raw in out:
                    continue
                if key not in found or isinstance(found[key], str):  # left out, or the reason it failed
                    out[raw] = SearchResult(failed=found.get(key) or failed)
                    continue
                out[raw] = self._keep_answer(op, key, found[key], today)
        return out

    def _known_answer(self, op: str, key: str) -> SearchResult | None:
        """A search answer this run already has, or the cache holds (None: ask the service)."""
        memo = self._memo.get((op, key))
        if memo is not None:
            return memo
        hit = self._cached(op, key)
        if hit is None:
            return None
        value, retrieved = hit
        res = self._memo[(op, key)] = SearchResult([Record.from_json(r, retrieved) for r in value.get("records", [])])
        return res

    def _keep_answer(self, op: str, key: str, found: list[Record], today: str) -> SearchResult:
        """A search answer the service just gave: canonical records, cached (an empty answer as
        "no hits") and remembered for the run."""
        records = [canonical_record(r) for r in found]
        for r in records:
            r.retrieved = today
        value: dict[str, Any] = {"records": [r.to_json() for r in records]}
        if not records:
            value["missing"] = "no hits"
        self._store(op, key, value, today)
        res = self._memo[(op, key)] = SearchResult(records)
        return res

    # --- to implement -------------------------------------------------------------------------

    def _search_many(self, op: str, queries: list[str]) -> dict[str, "list[Record] | str"]:  # pragma: no cover
        """Records per query of a batched kind; a query that failed maps to the reason, or is left
        out (it is asked again next time)."""
        raise FetchError(f"{self.name} has no batched {op!r} queries")

    def _fetch(self, keys: list[str]) -> Lookup:  # pragma: no cover - abstract
        raise NotImplementedError

    def _search(self, query: str) -> list[Record]:  # pragma: no cover - abstract
        raise FetchError(f"{self.name} cannot search")


def _is_negative(value: Any) -> bool:
    return isinstance(value, dict) and "missing" in value


def _put(out: Lookup, key: str, res: tuple[str, Any]) -> None:
    kind, value = res
    if kind == "found":
        out.found[key] = value
    elif kind == "missing":
        out.missing[key] = value
    else:
        out.failed[key] = value
