"""Benchmark: cold and warm resolve against the local fake services, and the modelled cost at scale.

    python benchmarks/bench_resolve.py [--latency-ms 100] [--copies 98] [--skip-scale]

1. The starting list (102 entries), cold, with every service held to the politeness interval
   plmcite keeps with the real one (arXiv 3 s, DBLP 1 s, Semantic Scholar 1 s, OpenReview 0.5 s,
   the Anthology 0.2 s, Crossref 0.1 s) and ``--latency-ms`` per answer: requests per service, the
   *modelled* time (the slowest service's requests x its interval: services run in parallel) next
   to the measured wall time. Then warm (target: no request, no byte changed).
2. A list of ``--copies`` copies of the starting list (98: 9,996 entries; every copy's papers are
   distinct papers with the same mix of links, venues and kinds, ``benchmarks/scale.py``), cold,
   without intervals: the request counts per service, and the modelled time at the same intervals
   (the real run would take that long; no need to wait for it).

Targets (issue 11): starting list <= 1.0 request per entry and <= 30 s modelled; 10,000 entries
<= 20 minutes modelled.
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

from plmcite.http import DEFAULT_MIN_INTERVAL, Cache, Http, HttpSettings  # noqa: E402
from plmcite.listfile import parse, parse_file  # noqa: E402
from plmcite.model import Catalog  # noqa: E402
from plmcite.resolve import Sources, resolve_list  # noqa: E402
from plmcite.testing.fakes import FakeInternet  # noqa: E402
from plmcite.testing.records import parse_record  # noqa: E402

LIST = ROOT / "tests" / "fixtures" / "upstream" / "README.2025-08-08.fcbf0f0.md"
DATA = ROOT / "tests" / "fixtures" / "metadata"


def run(net: FakeInternet, doc, cache_dir: Path, intervals: dict[str, float], previous: Catalog | None):
    settings = HttpSettings(contact="bench@example.org", timeout=10.0, backoff=0.2, max_backoff=2.0, min_interval=intervals)
    urls = {s: net.env()[f"PLMCITE_{s.upper()}_URL"] for s in net.servers}
    net.reset_log()
    t0 = time.perf_counter()
    with Http(settings, cache=Cache(cache_dir), today=lambda: date(2026, 1, 15)) as http:
        cat, summary, _ = resolve_list(doc, Sources(http, urls), previous=previous)
    return cat, summary, time.perf_counter() - t0, net.counts()


def modelled(counts: dict[str, int]) -> dict[str, float]:
    return {s: c * DEFAULT_MIN_INTERVAL.get(s, 0.0) for s, c in counts.items()}


def report(title: str, n: int, summary, counts: dict[str, int], wall: float | None) -> float:
    model = modelled(counts)
    total = sum(counts.values())
    slowest = max(model, key=model.get)
    print(f"\n{title}: {n} entries, {total} requests ({total / n:.3f} per entry); modelled "
          f"{model[slowest]:.0f} s ({model[slowest] / 60:.1f} min, {slowest})"
          + (f"; measured wall {wall:.1f} s" if wall is not None else ""))
    print(f"  {'service':<11}{'requests':>9}{'per entry':>11}{'interval':>10}{'modelled s':>12}")
    for s in sorted(counts):
        print(f"  {s:<11}{counts[s]:>9}{counts[s] / n:>11.3f}{DEFAULT_MIN_INTERVAL.get(s, 0):>10.1f}{model[s]:>12.1f}")
    print(f"  result: {summary.works} works, {summary.resolved_entries} entries resolved, {summary.published} published, "
          f"{summary.unresolved} unresolved")
    return model[slowest]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--latency-ms", type=float, default=100.0)
    ap.add_argument("--copies", type=int, default=98, help="copies of the starting list for the scale model")
    ap.add_argument("--skip-scale", action="store_true")
    args = ap.parse_args()

    doc = parse_file(LIST)
    n = len(doc.entries)
    with FakeInternet(DATA, latency_ms=args.latency_ms, arxiv_min_interval=3.0, hang_s=8.0) as net, \
            tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        cat, summary, wall, counts = run(net, doc, cache, dict(DEFAULT_MIN_INTERVAL), None)
        report(f"starting list, cold, polite intervals, {args.latency_ms:.0f} ms latency", n, summary, counts, wall)
        print(f"  arXiv 3-s rule violations seen by the fake: {net['arxiv'].interval_violations}")
        warm, summary2, wall2, counts2 = run(net, doc, cache, dict(DEFAULT_MIN_INTERVAL), cat)
        print(f"\nstarting list, warm: {sum(counts2.values())} requests, {wall2:.2f} s; "
              f"catalog identical: {warm.dumps() == cat.dumps()}")

    if args.skip_scale:
        return 0
    import scale

    text, records = scale.scaled(args.copies)
    papers = [parse_record(r, f"scaled record #{i}") for i, r in enumerate(records)]
    big = parse(text, "scaled.md")
    with FakeInternet(papers=papers, hang_s=8.0) as net, tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        _, summary, _, counts = run(net, big, Path(tmp) / "cache", {}, None)
        took = time.perf_counter() - t0
    minutes = report(f"{args.copies} copies of the starting list, cold (no intervals; run took {took:.0f} s)",
                     len(big.entries), summary, counts, None) / 60
    print(f"\nmodelled cold resolve of {len(big.entries)} entries: {minutes:.1f} min (target <= 20)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
