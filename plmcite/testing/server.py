"""The HTTP machinery every fake service shares: threads, knobs, faults, rate limits, request log.

A :class:`Service` turns a parsed :class:`Request` into a :class:`Response` (pure, no sockets).
A :class:`FakeServer` puts one service on ``127.0.0.1:<port>`` in a ``ThreadingHTTPServer`` and
wraps every request in the same pipeline, in this order:

1. log the arrival; track in-flight requests (``max_concurrency``) and, when ``min_interval`` is
   set, the spacing between requests (``interval_violations``; answered with 429/503 in strict
   mode, to check a client's "one request every 3 seconds" rule);
2. rate limit: at most ``rate_limit`` requests per ``rate_window`` seconds (sliding window over
   the requests let through), else 429 with ``Retry-After`` in the service's own error format;
3. faults: first any scripted ones (:meth:`FakeServer.inject`), then random ones with probability
   ``fault_rate``. The random draw for a request depends only on ``seed``, the service, the
   request line and how many times that same request line was seen before, so a run with a given
   seed injects the same faults at the same requests even when threads interleave differently;
4. latency (``latency_ms``), then the answer, or the fault: ``5xx`` (500/502/503 in the service's
   error format), ``timeout`` (hang ``hang_s`` seconds, then close without answering: set it
   longer than the client timeout), ``malformed`` (the real body cut in half, with a matching
   Content-Length), ``reset`` (TCP RST without a response).
"""

from __future__ import annotations

import collections
import dataclasses
import math
import random
import socket
import struct
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

#: fault kinds drawn at random (``5xx`` picks 500, 502 or 503)
FAULTS = ("5xx", "timeout", "malformed", "reset")
#: fault kinds :meth:`FakeServer.inject` accepts
INJECTABLE = FAULTS + ("429", "500", "502", "503", "504")


@dataclass
class Knobs:
    """Behaviour switches of one fake server (all off by default). See the module docstring."""

    latency_ms: float = 0.0
    rate_limit: int | None = None  # requests allowed per rate_window
    rate_window: float = 1.0  # seconds
    retry_after: bool = True  # send Retry-After with 429 (arXiv is not known to send it)
    fault_rate: float = 0.0  # probability of a random fault per request
    faults: tuple[str, ...] = FAULTS  # kinds drawn from
    seed: int = 0
    hang_s: float = 10.0  # how long a "timeout" fault hangs before dropping the connection
    min_interval: float | None = None  # seconds between two requests (arXiv's 3-second rule)
    strict_interval: bool = False  # reject requests arriving closer than min_interval
    interval_status: int = 429  # status for those rejections (429 or 503)

    def __post_init__(self) -> None:
        unknown = set(self.faults) - set(INJECTABLE)
        if unknown:
            raise ValueError(f"unknown fault kind(s) {sorted(unknown)}; known: {', '.join(INJECTABLE)}")
        if not 0.0 <= self.fault_rate <= 1.0:
            raise ValueError(f"fault_rate must be between 0 and 1, got {self.fault_rate}")
        if self.interval_status not in (429, 503):
            raise ValueError(f"interval_status must be 429 or 503, got {self.interval_status}")
        if self.rate_limit is not None and self.rate_limit < 1:
            raise ValueError("rate_limit must be at least 1 request per window")


@dataclass
class Request:
    method: str
    path: str  # percent-decoded path
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    raw_query: str = ""
    body: bytes = b""  # of a POST (Semantic Scholar's /paper/batch takes a JSON body)

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def args(self, name: str) -> list[str]:
        return self.query.get(name, [])


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def text(cls, status: int, text: str, content_type: str = "text/plain; charset=utf-8", **headers: str) -> "Response":
        return cls(status, text.encode("utf-8"), content_type, dict(headers))


@dataclass(frozen=True)
class LoggedRequest:
    """One request as the server saw it. ``status`` is 0 when no response was sent (timeout, reset)."""

    service: str
    method: str
    path: str
    query: dict[str, str]  # first value of each parameter
    raw_query: str
    status: int
    time: float  # wall clock (epoch seconds) at arrival
    elapsed_ms: float
    fault: str | None = None  # "timeout", "reset", "malformed", "5xx", "rate_limit", "interval", "injected:429"...
    user_agent: str | None = None


class Service:
    """One fake web service. Subclasses implement :meth:`handle` and the error body formats."""

    name = "service"
    #: URL path the clients are given (arXiv: ``/api/query``; the others the root)
    base_path = ""
    server_header = "fake"

    def handle(self, req: Request) -> Response:  # pragma: no cover - abstract
        raise NotImplementedError

    def error(self, status: int, message: str) -> Response:
        """A 4xx/5xx answer in the service's error format."""
        return Response.text(status, message)

    def rate_limited(self, status: int, retry_after: int | None) -> Response:
        """The 429 (or 503) a client gets when it goes too fast."""
        return self.error(status, "Too Many Requests")

    def extra_headers(self, req: Request) -> dict[str, str]:
        """Headers the real service puts on every response."""
        return {}


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    fake: "FakeServer"

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out or disconnect mid-response are expected here: stay quiet.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, BrokenPipeError, OSError)):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out as two writes: without TCP_NODELAY every keep-alive request
    # stalls ~40 ms on Nagle + delayed ACK
    disable_nagle_algorithm = True
    sys_version = ""
    server_version = "fake"
    timeout = 30  # idle keep-alive connections end after this
    server: _HTTPServer

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self.server.fake._serve(self)

    do_POST = do_GET
    do_HEAD = do_GET

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # the FakeServer keeps its own log


class FakeServer:
    """One service on its own port. Thread-safe; knobs can change while it runs."""

    def __init__(self, service: Service, knobs: Knobs | None = None, *, port: int = 0, verbose: bool = False):
        self.service = service
        self.knobs = knobs or Knobs()
        self.requested_port = port
        self.verbose = verbose
        self.log: list[LoggedRequest] = []
        self.errors: list[str] = []  # tracebacks of exceptions inside the service (fake bugs)
        self.counters: collections.Counter[str] = collections.Counter()
        self.max_concurrency = 0
        self.interval_violations = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._in_flight = 0
        self._last_arrival: float | None = None
        self._window: collections.deque[float] = collections.deque()
        self._seen: collections.Counter[str] = collections.Counter()
        self._scripted: list[list[Any]] = []  # [fault, remaining, path prefix, retry_after]
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self) -> "FakeServer":
        handler = type(f"{self.service.name}Handler", (_Handler,), {"server_version": self.service.server_header})
        self._httpd = _HTTPServer(("127.0.0.1", self.requested_port), handler)
        self._httpd.fake = self
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name=f"fake-{self.service.name}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()  # wakes hanging "timeout" faults and latency sleeps
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError(f"fake {self.service.name} server is not running")
        return self._httpd.server_address[1]

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """The base URL a client is configured with."""
        return self.root_url + self.service.base_path

    # --- test controls -------------------------------------------------------------------------

    def configure(self, **changes: Any) -> None:
        """Change knobs while running, e.g. ``configure(rate_limit=2, rate_window=10)``."""
        with self._lock:
            self.knobs = dataclasses.replace(self.knobs, **changes)
            self._window.clear()

    def inject(self, fault: str, times: int = 1, path: str | None = None, retry_after: int = 1) -> None:
        """Answer the next ``times`` requests (whose path starts with ``path``) with ``fault``."""
        if fault not in INJECTABLE:
            raise ValueError(f"unknown fault {fault!r}; known: {', '.join(INJECTABLE)}")
        with self._lock:
            self._scripted.append([fault, times, path, retry_after])

    def reset_log(self) -> None:
        with self._lock:
            self.log.clear()
            self.counters.clear()
            self.errors.clear()
            self.max_concurrency = 0
            self.interval_violations = 0
            self._last_arrival = None
            self._window.clear()

    def requests(self, path: str | None = None, status: int | None = None) -> list[LoggedRequest]:
        """Logged requests, optionally only those whose path starts with ``path`` / with ``status``."""
        with self._lock:
            items = list(self.log)
        return [
            r for r in items if (path is None or r.path.startswith(path)) and (status is None or r.status == status)
        ]

    # --- the pipeline --------------------------------------------------------------------------

    def _decide(self, req: Request, arrival: float) -> tuple[str | None, int | None]:
        """Under the lock: which rejection or fault (if any) applies, and its Retry-After."""
        k = self.knobs
        self._in_flight += 1
        self.max_concurrency = max(self.max_concurrency, self._in_flight)
        self.counters["requests"] += 1
        decision: tuple[str | None, int | None] = (None, None)
        if k.min_interval:
            if self._last_arrival is not None and arrival - self._last_arrival < k.min_interval:
                self.interval_violations += 1
                if k.strict_interval:
                    wait = k.min_interval - (arrival - self._last_arrival)
                    decision = ("interval", max(1, math.ceil(wait)))
            self._last_arrival = arrival
        if decision[0] is None and k.rate_limit:
            while self._window and self._window[0] <= arrival - k.rate_window:
                self._window.popleft()
            if len(self._window) >= k.rate_limit:
                decision = ("rate_limit", max(1, math.ceil(self._window[0] + k.rate_window - arrival)))
            else:
                self._window.append(arrival)
        target = f"{req.method} {req.path}?{req.raw_query}"
        self._seen[target] += 1
        if decision[0] is None:
            for entry in self._scripted:
                fault, remaining, prefix, retry_after = entry
                if remaining > 0 and (prefix is None or req.path.startswith(prefix)):
                    entry[1] -= 1
                    decision = (f"injected:{fault}", retry_after)
                    break
            self._scripted = [e for e in self._scripted if e[1] > 0]
        if decision[0] is None and k.fault_rate > 0:
            rng = random.Random(f"{k.seed}|{self.service.name}|{target}|{self._seen[target]}")
            if rng.random() < k.fault_rate:
                fault = rng.choice(k.faults)
                if fault == "5xx":
                    fault = str(rng.choice((500, 502, 503)))
                decision = (f"random:{fault}", 1)
        return decision

    def _serve(self, h: _Handler) -> None:
        arrival, wall = time.monotonic(), time.time()
        split = urlsplit(h.path)
        headers = {k.lower(): v for k, v in h.headers.items()}
        raw_query = split.query
        body = b""
        length = int(headers.get("content-length") or 0)
        if length:
            body = h.rfile.read(length)
        if h.command == "POST" and headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            raw_query = "&".join(q for q in (raw_query, body.decode("utf-8", "replace")) if q)
        req = Request(
            method=h.command,
            path=unquote(split.path),
            query=parse_qs(raw_query, keep_blank_values=True),
            headers=headers,
            raw_query=raw_query,
            body=body,
        )
        with self._lock:
            fault, retry_after = self._decide(req, arrival)
        kind = fault.split(":", 1)[1] if fault and ":" in fault else fault
        logged = False

        def record(status: int) -> None:
            # Logged before the client can see the answer, so a test reading the log right after
            # its request returns always finds it.
            nonlocal logged
            logged = True
            entry = LoggedRequest(
                service=self.service.name,
                method=req.method,
                path=req.path,
                query={k: v[0] for k, v in req.query.items() if v},
                raw_query=req.raw_query,
                status=status,
                time=wall,
                elapsed_ms=(time.monotonic() - arrival) * 1000,
                fault=fault,
                user_agent=headers.get("user-agent"),
            )
            with self._lock:
                self.log.append(entry)
                self.counters[f"status:{status}"] += 1
                if fault:
                    self.counters[f"fault:{fault.split(':', 1)[-1]}"] += 1
            if self.verbose:
                note = f" [{fault}]" if fault else ""
                q = f"?{req.raw_query}" if req.raw_query else ""
                print(f"{self.service.name}: {req.method} {req.path}{q} -> {status or 'no response'}{note}", file=sys.stderr)

        try:
            if self.knobs.latency_ms:
                self._stop.wait(self.knobs.latency_ms / 1000)
            if kind == "timeout":
                record(0)
                self._stop.wait(self.knobs.hang_s)
                h.close_connection = True
                return
            if kind == "reset":
                record(0)
                h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                h.close_connection = True
                return
            if kind in ("rate_limit", "interval", "429"):
                st = self.knobs.interval_status if kind == "interval" else 429
                resp = self.service.rate_limited(st, retry_after if self.knobs.retry_after else None)
                if self.knobs.retry_after and retry_after:
                    resp.headers.setdefault("Retry-After", str(retry_after))
            elif kind in ("500", "502", "503", "504"):
                resp = self.service.error(int(kind), _REASONS[int(kind)])
            else:
                resp = self._answer(req)
                if kind == "malformed":
                    resp = dataclasses.replace(resp, status=200, body=resp.body[: max(1, len(resp.body) // 2)])
            record(resp.status)
            self._write(h, req, resp)
        finally:
            if not logged:  # an exception before the answer was ready
                record(0)
            with self._lock:
                self._in_flight -= 1

    def _answer(self, req: Request) -> Response:
        try:
            return self.service.handle(req)
        except Exception:  # a bug in the fake: answer like a real server would, keep the trace
            tb = traceback.format_exc()
            with self._lock:
                self.errors.append(tb)
            print(f"fake {self.service.name}: internal error\n{tb}", file=sys.stderr)
            return self.service.error(500, "Internal Server Error")

    def _write(self, h: _Handler, req: Request, resp: Response) -> None:
        h.send_response(resp.status)
        h.send_header("Content-Type", resp.content_type)
        h.send_header("Content-Length", str(len(resp.body)))
        for name, value in {**self.service.extra_headers(req), **resp.headers}.items():
            h.send_header(name, value)
        h.end_headers()
        if req.method != "HEAD":
            h.wfile.write(resp.body)


_REASONS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}
