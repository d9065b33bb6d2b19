"""The one place where plmcite talks HTTP to bibliographic services.

Everything about being a polite, robust client lives here, so the sources only say *what* to
ask for and how to read the answer:

* a User-Agent naming plmcite and a contact address (the services' "polite pool" asks for it);
* per-host minimum intervals between the starts of requests (arXiv's terms ask for one request
  every 3 s, one connection at a time), enforced across threads;
* timeouts, and retries with exponential backoff for transient failures (429, 5xx, timeouts,
  resets, malformed bodies), honouring ``Retry-After``;
* request counting per source, so a run can report what it cost;
* a persistent cache of *normalised records* (not raw responses) in the user cache dir, so a
  second run makes no request at all; ``refresh`` skips reading it, ``offline`` forbids the
  network. Only bodies that parsed are ever cached: a malformed answer is retried, never stored.
* an unexpected body (an HTML page where JSON was due, JSON of another shape, a key missing) is
  :class:`Malformed` whatever the parser tripped on: a failed request for that one key, reported
  with the service's name, never a crash of the run;
* a refusal (:class:`Refused`: an anti-bot challenge) is counted per source (``refused``) so
  that the run summary can say which service turned plmcite away.

``call`` wraps the same retry/rate-limit/counting policy around a callable that does its own
HTTP (habanero for Crossref), so there is still a single policy.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import os
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable, Mapping, TypeVar
from urllib.parse import urlsplit

from .atomic import write_atomic
from .errors import PlmciteError, Signal

T = TypeVar("T")

__all__ = [
    "Cache", "Http", "HttpSettings", "Response", "FetchError", "Malformed", "OfflineError", "Refused",
    "RETRY_STATUSES", "SERVER_ERRORS", "backoff_delay", "default_cache_dir", "user_agent",
]

#: server trouble worth a retry (the Zotero sync retries these; its 429s are pyzotero's to wait out)
SERVER_ERRORS = frozenset({500, 502, 503, 504})
#: statuses worth retrying: rate limits, overload, gateway trouble
RETRY_STATUSES = frozenset({408, 425, 429}) | SERVER_ERRORS


def backoff_delay(attempt: int, first: float, most: float) -> float:
    """The pause before retry ``attempt`` (0 for the first): ``first`` seconds, doubling each
    time, at most ``most`` (``[http] backoff`` and ``max_backoff``); callers add jitter."""
    return min(most, first * (2 ** attempt))


#: bump when the shape of cached records changes, so stale caches are ignored, not misread
#: (2: records are canonical, ``plmcite.clean.canonical_record``; authors may be literal names)
CACHE_FORMAT = 2


class FetchError(PlmciteError):
    """A request failed for good (retries exhausted, or a non-retryable answer)."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


class OfflineError(FetchError):
    """``--offline`` forbids the network and the answer was not in the cache."""


class Malformed(PlmciteError):
    """A response body that could not be parsed: treated as a transient fault and retried."""


class Refused(FetchError):
    """The service refused to answer this client (an anti-bot challenge, a block): not the
    paper's absence, and not worth retrying in a loop. The resolver asks other services instead."""


#: what a parser may trip on when a body has an unexpected shape (a missing key, a list where an
#: object was due, a number that is not one): all of it is a Malformed body, never a crash
SHAPE_ERRORS = (KeyError, IndexError, TypeError, AttributeError, ValueError)


@dataclass
class Response:
    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as e:
            raise Malformed(f"{self.url}: body is not valid JSON ({e})") from None


def default_cache_dir() -> Path:
    """``PLMCITE_CACHE_DIR`` or the platform's user cache dir (``~/.cache/plmcite`` on Linux)."""
    env = os.environ.get("PLMCITE_CACHE_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("plmcite"))


def user_agent(contact: str | None) -> str:
    from . import __version__

    ua = f"plmcite/{__version__}"
    return ua + (f" (mailto:{contact})" if contact else "")


@dataclass
class HttpSettings:
    """Knobs of the client; ``from_config`` reads ``[http]`` and ``[sources.<name>]`` tables."""

    contact: str | None = None
    timeout: float = 20.0
    retries: int = 5  # attempts after the first
    backoff: float = 1.0  # first retry waits this long, doubling each time (with jitter)
    max_backoff: float = 60.0
    max_retry_after: float = 300.0  # a server asking for a longer pause makes the request fail
    #: after this many requests in a row to one source failed for good, the source counts as down
    #: for the rest of the run: later requests fail at once instead of hammering a dead service
    circuit_breaker: int = 3
    #: minimum seconds between the starts of two requests to the same host, per source name
    min_interval: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_MIN_INTERVAL))
    #: added to every interval: a request's start here and its arrival there differ by the
    #: network's jitter (a reused connection arrives sooner than a new one)
    interval_margin: float = 0.1

    @classmethod
    def from_config(cls, config) -> "HttpSettings":
        http = config.section("http")
        s = cls(contact=config.contact_email)
        for name in ("timeout", "backoff", "max_backoff", "max_retry_after"):
            if name in http:
                setattr(s, name, float(http[name]))
        if "retries" in http:
            s.retries = int(http["retries"])
        if "circuit_breaker" in http:
            s.circuit_breaker = int(http["circuit_breaker"])
        for src, table in config.section("sources").items():
            if isinstance(table, dict) and "min_interval" in table:
                s.min_interval[src] = float(table["min_interval"])
        return s


#: arXiv: "no more than one request every 3 seconds"; DBLP FAQ: wait 1-2 s; Crossref polite pool:
#: 10 requests/s; OpenReview and the Anthology publish no number, so stay gentle.
DEFAULT_MIN_INTERVAL = {"arxiv": 3.0, "dblp": 1.0, "crossref": 0.1, "openreview": 0.5, "acl": 0.2, "s2": 1.0}


class Http:
    """A polite, retrying, counting HTTP client shared by every source of one run.

    Thread-safe: requests to different hosts may run in parallel, requests to one host are
    serialised and spaced by that host's minimum interval.
    """

    def __init__(
        self,
        settings: HttpSettings | None = None,
        *,
        cache: "Cache | None" = None,
        offline: bool = False,
        refresh: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        today: Callable[[], date] | None = None,
        rng: random.Random | None = None,
    ):
        self.settings = settings or HttpSettings()
        self.cache = cache
        self.offline = offline
        self.refresh = refresh
        self._sleep = sleep
        self._clock = clock
        self.today = today or (lambda: datetime.now(timezone.utc).date())
        self._rng = rng or random.Random()
        self._host_locks: dict[str, threading.Lock] = {}
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()
        self.requests: Counter[str] = Counter()  # attempts that went over the network, per source
        self.retried: Counter[str] = Counter()  # of which were retries
        self.failures: Counter[str] = Counter()  # requests that failed for good
        self.cache_hits: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()  # lookups a service refused (challenge), per source
        self.refusals: dict[str, str] = {}  # source -> what it said the first time
        self._down: Counter[str] = Counter()  # consecutive requests that failed for good, per source
        self._client = None

    # --- plumbing ----------------------------------------------------------------------

    def _httpx(self):
        with self._lock:
            if self._client is None:
                import httpx2

                self._client = httpx2.Client(
                    timeout=self.settings.timeout,
                    headers={"User-Agent": user_agent(self.settings.contact)},
                    follow_redirects=True,
                )
            return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> "Http":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def note_refused(self, source: str, reason: str, n: int = 1) -> None:
        """Count ``n`` lookups ``source`` refused to answer (for the run summary)."""
        with self._lock:
            self.refused[source] += n
            self.refusals.setdefault(source, reason)

    def _host_lock(self, host: str) -> threading.Lock:
        with self._lock:
            return self._host_locks.setdefault(host, threading.Lock())

    def _wait_turn(self, source: str, host: str) -> None:
        """Sleep until ``host`` may be asked again (caller holds the host lock)."""
        interval = self.settings.min_interval.get(source, 0.0)
        last = self._last.get(host)
        if last is not None and interval > 0:
            wait = last + interval + self.settings.interval_margin - self._clock()
            if wait > 0:
                self._sleep(wait)

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        base = backoff_delay(attempt, self.settings.backoff, self.settings.max_backoff)
        wait = base * (0.5 + self._rng.random() / 2)  # jitter: never all clients in step
        if retry_after is not None:
            wait = max(wait, retry_after)
        return wait

    # --- the policy ----------------------------------------------------------------------

    def call(self, source: str, host: str, attempt_fn: Callable[[], T], what: str) -> T:
        """Run ``attempt_fn`` under the retry / rate-limit / counting policy.

        ``attempt_fn`` performs one request and returns the parsed result, or raises
        :class:`Retry` (transient: retry after backoff, honouring its ``retry_after``) or
        :class:`FetchError` (permanent). Other exceptions propagate.
        """
        if self.offline:
            raise OfflineError(f"{what}: not in the cache and --offline forbids the network")
        breaker = self.settings.circuit_breaker
        if breaker and self._down[source] >= breaker:
            raise FetchError(f"{what}: not asked: {source} looks down ({self._down[source]} requests in a row failed)")
        lock = self._host_lock(host)
        last_reason = ""
        for attempt in range(self.settings.retries + 1):
            with lock:
                self._wait_turn(source, host)
                # spacing counts from the start of a request (what the services' etiquette means:
                # "one request every 3 s"), so a slow answer does not add to the next wait
                self._last[host] = self._clock()
                with self._lock:
                    self.requests[source] += 1
                    if attempt:
                        self.retried[source] += 1
                try:
                    result = attempt_fn()
                    with self._lock:
                        self._down[source] = 0
                    return result
                except Retry as r:
                    last_reason = r.reason
                    retry_after = r.retry_after
            if retry_after is not None and retry_after > self.settings.max_retry_after:
                break
            if attempt < self.settings.retries:
                self._sleep(self._backoff(attempt, retry_after))
        with self._lock:
            self.failures[source] += 1
            self._down[source] += 1
        raise FetchError(f"{what}: gave up after {attempt + 1} attempt(s): {last_reason}")

    def get(
        self,
        source: str,
        url: str,
        params: Mapping[str, Any] | None = None,
        *,
        parse: Callable[[Response], T],
        headers: Mapping[str, str] | None = None,
    ) -> T:
        """GET ``url`` and return ``parse(response)``.

        Retryable statuses (429, 5xx, ...) and transport errors are retried; so is a body that
        ``parse`` rejects with :class:`Malformed`. Any other status is handed to ``parse``, which
        decides (a 404 usually means "no such record", an answer worth caching).
        """
        return self.request(source, "GET", url, params, parse=parse, headers=headers)

    def post(
        self,
        source: str,
        url: str,
        params: Mapping[str, Any] | None = None,
        *,
        json_body: Any,
        parse: Callable[[Response], T],
        headers: Mapping[str, str] | None = None,
    ) -> T:
        """POST a JSON body (a read that takes many ids at once, such as Semantic Scholar's
        ``/paper/batch``), under the same policy as :meth:`get`."""
        return self.request(source, "POST", url, params, json_body=json_body, parse=parse, headers=headers)

    def request(
        self,
        source: str,
        method: str,
        url: str,
        params: Mapping[str, Any] | None = None,
        *,
        parse: Callable[[Response], T],
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
    ) -> T:
        import httpx2

        host = urlsplit(url).netloc
        client = self._httpx()

        def attempt() -> T:
            try:
                if method == "GET":
                    r = client.get(url, params=params, headers=headers)
                else:
                    r = client.request(method, url, params=params, headers=headers, json=json_body)
                body = r.content
            except httpx2.TimeoutException as e:
                raise Retry(f"timeout ({type(e).__name__})") from None
            except httpx2.TransportError as e:
                raise Retry(f"connection error ({type(e).__name__}: {e})") from None
            if r.status_code in RETRY_STATUSES:
                raise Retry(f"HTTP {r.status_code}", retry_after=parse_retry_after(r.headers.get("Retry-After")))
            resp = Response(str(r.url), r.status_code, r.headers, body)
            try:
                return parse(resp)
            except Malformed as e:
                raise Retry(f"malformed body: {e}") from None
            except FetchError:
                raise
            except SHAPE_ERRORS as e:  # the parser met a body of another shape than the service's
                raise Retry(f"malformed body: unexpected shape ({type(e).__name__}: {str(e)[:80]})") from None

        return self.call(source, host, attempt, f"{source} {url}")


class Retry(Signal):
    """Raised inside an attempt: a transient failure worth another try."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def parse_retry_after(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, when.timestamp() - now())


# --- the cache ---------------------------------------------------------------------------


class Cache:
    """Normalised records on disk, one small JSON file per key, written atomically.

    Keys live in namespaces (``arxiv@<hash of base URL>/id``) so that answers from a test server
    never masquerade as answers from the real service. Each entry remembers the day it was
    retrieved: that date becomes the provenance of the fields it supplies.
    """

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, namespace: str, key: str) -> Path:
        h = hashlib.sha256(key.encode("utf-8")).hexdigest()
        safe_ns = "".join(c if c.isalnum() or c in "-_.@" else "_" for c in namespace)
        return self.root / f"v{CACHE_FORMAT}" / safe_ns / h[:2] / f"{h}.json"

    def get(self, namespace: str, key: str) -> "CacheEntry | None":
        path = self._path(namespace, key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return None  # a damaged cache file is a miss, never an error
        if not isinstance(data, dict) or data.get("key") != key or "value" not in data:
            return None
        return CacheEntry(data["value"], str(data.get("retrieved", "")))

    def put(self, namespace: str, key: str, value: Any, retrieved: str) -> None:
        path = self._path(namespace, key)
        text = json.dumps({"key": key, "retrieved": retrieved, "value": value}, ensure_ascii=False, sort_keys=True)
        write_atomic(path, text + "\n")


@dataclass
class CacheEntry:
    value: Any
    retrieved: str  # ISO date


def namespace(source: str, base_url: str, kind: str) -> str:
    """Cache namespace of one kind of answer from one deployment of a source."""
    h = hashlib.sha256(base_url.encode("utf-8")).hexdigest()[:10]
    return f"{source}@{h}.{kind}"
