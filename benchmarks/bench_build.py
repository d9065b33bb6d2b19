"""Building the catalog when most of it is carried over, as a ``resolve --section`` run does.

    python benchmarks/bench_build.py [--sizes 1000,10000,100000]

A previous catalog of N works, every entry outside the run's section: ``build_catalog`` keeps
each previous work, joins it to its group by identifier and pins its key. CPU seconds, GC
paused, best of 3, each size in a fresh process (as a command runs). Target (exit 1 when missed): from 10,000 to 100,000 works at most 15x. That
catches a step gone quadratic (which grows ~100x; the join of kept works was, and 4,000 works took
3.6 s) while allowing for what 100,000 works in memory cost in cache misses (measured 10.9-11.5x).
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from plmcite.model import Catalog, EntryRef, Kind, Person, Work  # noqa: E402
from plmcite.resolve.build import build_catalog  # noqa: E402
from plmcite.resolve.claim import EntryInfo  # noqa: E402


def previous_catalog(n: int) -> tuple[Catalog, list[EntryInfo]]:
    works, carried = [], []
    for i in range(n):
        title = f"Paper number {i} about personalised models"
        ids = {"arxiv": f"24{i // 100000:02d}.{i % 100000:05d}"}
        works.append(Work(key=f"k{i}", title=title, kind=Kind.PREPRINT, authors=[Person(f"Fam{i}", "Given")],
                          year=2024, ids=ids, entries=[EntryRef("1", title)], sections=["1"]))
        carried.append(EntryInfo(section="1", line=i + 1, title=title, ids=dict(ids)))
    return Catalog(works=works, sections={"1": "S"}), carried


def measure(n: int) -> float:
    prev, carried = previous_catalog(n)
    best = float("inf")
    for _ in range(3):
        gc.collect()
        gc.disable()
        try:
            t0 = time.process_time()
            cat, _ = build_catalog([], previous=prev, carried=carried)
            best = min(best, time.process_time() - t0)
        finally:
            gc.enable()
        assert len(cat.works) == n and {w.key for w in cat.works} == {w.key for w in prev.works}
    return best


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(args.child)))
        return 0
    took = {}
    for n in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run([sys.executable, __file__, "--child", str(n)], capture_output=True, text=True, check=True)
        took[n] = json.loads(out.stdout)
        print(f"{n:>7} carried works: build_catalog {took[n]:7.3f} s", flush=True)
    if 10_000 in took and 100_000 in took:
        growth = took[100_000] / took[10_000]
        print(f"growth 10k -> 100k: {growth:.1f}x (target <= 15x: linear)")
        if growth > 15:
            print("MISSED: build growth")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
