"""Benchmark: cold and warm resolve of the starting list against the local fake services.

    python benchmarks/bench_resolve.py [--latency-ms 100] [--polite] [--faults 0.0]

Cold run: empty cache, every service answering after ``--latency-ms`` (default 100 ms), arXiv held
to its 3-second rule (one request every 3 s; the fake counts violations). Warm run: the same list
again with the cache of the cold run (target: zero requests). By default the other services get
no minimum interval, so the numbers show the cost of latency and batching; ``--polite`` uses the
intervals plmcite uses against the real services (DBLP 1 s, OpenReview 0.5 s, ...).

Prints requests per source, requests per entry per source, and wall time for both runs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from plmcite.model import Catalog  # noqa: E402
from plmcite.http import DEFAULT_MIN_INTERVAL, Cache, Http, HttpSettings  # noqa: E402
from plmcite.listfile import parse_file  # noqa: E402
from plmcite.resolve import Sources, resolve_list  # noqa: E402
from plmcite.testing.fakes import FakeInternet  # noqa: E402

LIST = ROOT / "tests" / "fixtures" / "upstream" / "README.2025-08-08.fcbf0f0.md"
DATA = ROOT / "tests" / "fixtures" / "metadata"
SOURCES = ("arxiv", "crossref", "dblp", "openreview", "acl")


def run(net: FakeInternet, doc, cache_dir: Path, intervals: dict[str, float], previous: Catalog | None):
    settings = HttpSettings(contact="bench@example.org", timeout=5.0, backoff=0.2, max_backoff=2.0, min_interval=intervals)
    urls = {s: net.env()[f"PLMCITE_{s.upper()}_URL"] for s in SOURCES}
    net.reset_log()
    t0 = time.perf_counter()
    with Http(settings, cache=Cache(cache_dir), today=lambda: date(2026, 1, 15)) as http:
        cat, summary, _ = resolve_list(doc, Sources(http, urls), previous=previous)
    wall = time.perf_counter() - t0
    return cat, summary, wall, net.counts(), net["arxiv"].interval_violations


def report(title: str, n: int, summary, wall: float, counts: dict[str, int], violations: int) -> None:
    total = sum(counts.values())
    print(f"\n{title}: wall {wall:.1f} s, {total} requests ({total / n:.2f} per entry), "
          f"{sum(summary.retries.values())} retries, arXiv 3-s rule violations: {violations}")
    print(f"  {'source':<11}{'requests':>9}{'per entry':>11}")
    for s in SOURCES:
        print(f"  {s:<11}{counts.get(s, 0):>9}{counts.get(s, 0) / n:>11.3f}")
    print(f"  result: {summary.works} works, {summary.resolved_entries} entries resolved, "
          f"{summary.published} published ({summary.upgraded} upgraded from a preprint), {summary.unresolved} unresolved")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--latency-ms", type=float, default=100.0)
    ap.add_argument("--polite", action="store_true", help="use the real-service intervals for every host")
    ap.add_argument("--faults", type=float, default=0.0, help="fault rate to inject (e.g. 0.2)")
    args = ap.parse_args()

    doc = parse_file(LIST)
    n = len(doc.entries)
    intervals = dict(DEFAULT_MIN_INTERVAL) if args.polite else {"arxiv": DEFAULT_MIN_INTERVAL["arxiv"]}
    print(f"list: {LIST.name}, {n} entries; latency {args.latency_ms:.0f} ms; min intervals {intervals}"
          + (f"; fault rate {args.faults}" if args.faults else ""))
    with FakeInternet(DATA, latency_ms=args.latency_ms, arxiv_min_interval=3.0, fault_rate=args.faults, seed=1,
                      hang_s=8.0) as net, tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        cat, summary, wall, counts, viol = run(net, doc, cache, intervals, None)
        report("cold", n, summary, wall, counts, viol)
        warm, summary2, wall2, counts2, viol2 = run(net, doc, cache, intervals, cat)
        report("warm", n, summary2, wall2, counts2, viol2)
        print(f"\nwarm catalog identical to cold: {warm.dumps() == cat.dumps()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
