"""``python -m plmcite.testing``: run the fake bibliographic services until Ctrl-C.

Prints ``export PLMCITE_<SERVICE>_URL=...`` lines on stdout (so ``eval "$(python -m
plmcite.testing ... &)"``-style setups and copy-paste both work); request lines and the final
request counts go to stderr.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import threading

from .fakes import SERVICES, FakeInternet
from .records import RecordError
from .server import FAULTS, INJECTABLE


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m plmcite.testing",
        description="Serve fake arXiv, Crossref, DBLP, OpenReview and ACL Anthology APIs on 127.0.0.1.",
    )
    p.add_argument("--data", action="append", required=True, metavar="DIR",
                   help="directory of *.json paper records (repeatable), e.g. tests/fixtures/metadata")  # fmt: skip
    p.add_argument("--latency-ms", type=float, default=0.0, help="delay before every answer")
    p.add_argument("--fault-rate", type=float, default=0.0, help="probability of a random fault per request (0-1)")
    p.add_argument("--faults", default=",".join(FAULTS), help=f"fault kinds to draw from (of: {', '.join(INJECTABLE)})")
    p.add_argument("--seed", type=int, default=0, help="seed of the fault draws (same seed, same faults)")
    p.add_argument("--hang-s", type=float, default=30.0, help="how long a 'timeout' fault hangs (default 30)")
    p.add_argument("--rate-limit", action="append", default=[], metavar="[SERVICE=]N[/SECONDS]",
                   help="allow N requests per window, then 429; per service with crossref=5/1 (repeatable)")  # fmt: skip
    p.add_argument("--rate-window", type=float, default=1.0, metavar="SECONDS", help="rate-limit window (default 1)")
    p.add_argument("--no-retry-after", action="store_true", help="send 429 without a Retry-After header")
    p.add_argument("--arxiv-min-interval", type=float, default=None, metavar="SECONDS",
                   help="count arXiv requests closer together than this (see --arxiv-strict)")  # fmt: skip
    p.add_argument("--arxiv-strict", action="store_true", help="answer arXiv requests that come too early with 429")
    p.add_argument("--arxiv-missing", choices=("none", "empty"), default="none",
                   help="unknown arXiv ids: no entry (2025 behaviour, default) or an empty entry (2021)")  # fmt: skip
    p.add_argument("--openreview-challenge", action="store_true",
                   help="answer every OpenReview /notes request with 403 ChallengeRequiredError (/notes/search still answers)")
    p.add_argument("--no-openreview-dblp-imports", action="store_true",
                   help="serve no DBLP-imported notes from OpenReview")
    p.add_argument("--services", default=",".join(SERVICES), help="services to start (default: all)")
    p.add_argument("--port-base", type=int, default=0,
                   help="0: random ports; else arxiv=N, crossref=N+1, dblp=N+2, openreview=N+3, acl=N+4")  # fmt: skip
    p.add_argument("--quiet", action="store_true", help="do not log requests on stderr")
    return p.parse_args(argv)


def parse_rate_limits(specs: list[str], window: float) -> tuple[int | None, float, dict[str, dict]]:
    """``["3", "crossref=5/1"]`` -> (3, window, {"crossref": {"rate_limit": 5, "rate_window": 1.0}})."""
    default: int | None = None
    per: dict[str, dict] = {}
    for spec in specs:
        service, _, limit = spec.rpartition("=")
        n, _, win = limit.partition("/")
        try:
            knobs = {"rate_limit": int(n), "rate_window": float(win) if win else window}
        except ValueError:
            raise ValueError(f"--rate-limit {spec!r}: expected N, N/SECONDS or SERVICE=N[/SECONDS]") from None
        if not service:
            default, window = knobs["rate_limit"], knobs["rate_window"]
        elif service in SERVICES:
            per[service] = knobs
        else:
            raise ValueError(f"--rate-limit {spec!r}: unknown service {service!r}; known: {', '.join(SERVICES)}")
    return default, window, per


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        rate_limit, rate_window, per_service = parse_rate_limits(args.rate_limit, args.rate_window)
        net = FakeInternet(
            args.data,
            latency_ms=args.latency_ms,
            fault_rate=args.fault_rate,
            faults=[f for f in args.faults.split(",") if f],
            seed=args.seed,
            hang_s=args.hang_s,
            rate_limit=rate_limit,
            rate_window=rate_window,
            per_service=per_service,
            retry_after=not args.no_retry_after,
            arxiv_min_interval=args.arxiv_min_interval,
            arxiv_strict=args.arxiv_strict,
            arxiv_missing=args.arxiv_missing,
            openreview_challenge=args.openreview_challenge,
            openreview_dblp_imports=not args.no_openreview_dblp_imports,
            services=[s for s in args.services.split(",") if s],
            port_base=args.port_base,
            verbose=not args.quiet,
        )
        net.start()
    except (RecordError, ValueError, OSError) as e:
        print(f"plmcite.testing: {e}", file=sys.stderr)
        return 2
    stop = threading.Event()
    # Both signals stop the servers, even when SIGINT was ignored at startup (background jobs of
    # non-interactive shells start that way, so `kill -INT` from a script would do nothing).
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        for name, value in net.env().items():
            print(f"export {name}={shlex.quote(value)}")
        sys.stdout.flush()
        print(f"serving {len(net.papers)} papers; Ctrl-C to stop", file=sys.stderr)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        net.stop()
        counts = ", ".join(f"{k} {v}" for k, v in net.counts().items())
        print(f"requests served: {counts}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
