"""Zotero sync cost: requests and wall time, real pyzotero against the local fake Zotero over HTTP.

    python benchmarks/bench_zotero.py [--works 10000] [--collections]

Measures a first sync of N works into an empty group library (target: at most ceil(N/50)
write requests plus reads), a no-op re-sync (target: 1-2 requests), a re-sync with one changed
work (target: at most 3 requests) and a sync after the state file was lost (items found again by
citation key, no writes). Wall time includes the fake server, which runs in this process.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from plmcite.model import Catalog, Person, Work  # noqa: E402
from plmcite.testing.zotero_fake import FakeZotero  # noqa: E402
from plmcite.zotero import state as state_mod  # noqa: E402
from plmcite.zotero.plan import Options  # noqa: E402
from plmcite.zotero.sync import Syncer, connect  # noqa: E402
from plmcite.zotero.tags import load_scheme  # noqa: E402

KEY = "benchkey0123456789"
LIB = "group:1"


def catalog(n: int) -> Catalog:
    sections = {"1": "Survey", "1.1": "Frameworks", "2": "Benchmarks", "3": "Memory", "4": "Prompting", "5": "Training"}
    keys = list(sections)
    works = [
        Work(key=f"author{i:05d}word", title=f"A study of personalisation, part {i}",
             kind=("conference", "preprint", "journal")[i % 3],
             authors=[Person(f"Family{i % 97}", "Given"), Person("Second", "Author"), Person("Third", "Writer")],
             year=2020 + i % 6, month=1 + i % 12, ids={"arxiv": f"2{i % 6}0{1 + i % 9}.{i:05d}"},
             container="Proceedings of a Venue" if i % 3 != 1 else None, pages="1--12" if i % 3 != 1 else None,
             volume="7" if i % 3 == 2 else None, sections=[keys[i % len(keys)]])
        for i in range(n)
    ]
    return Catalog(works=works, sections=sections)


def sync(fake: FakeZotero, cat: Catalog, state_path: Path, collections: bool) -> tuple[dict, int, int, float]:
    fake.reset_log()
    started = time.perf_counter()
    state = state_mod.load(state_path, LIB)
    result = Syncer(connect(LIB, KEY, fake.url), cat, state, load_scheme(), Options(collections=collections),
                    api_key=KEY).run()
    elapsed = time.perf_counter() - started
    return result.counts, fake.count(), fake.count("POST"), elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--works", type=int, default=10_000)
    ap.add_argument("--collections", action="store_true", help="also mirror sections as collections")
    args = ap.parse_args()
    n = args.works
    cat = catalog(n)
    fake = FakeZotero()
    fake.add_key(KEY)
    fake.add_library("group", 1)
    with fake, tempfile.TemporaryDirectory() as tmp:
        state_path = Path(tmp) / "state.json"
        rows = []
        counts, total, writes, secs = sync(fake, cat, state_path, args.collections)
        assert counts["create"] == n, counts
        item_writes = math.ceil(n / 50)
        rows.append(("first sync", total, writes, secs, f"<= {item_writes} item writes + reads"))
        counts, total, writes, secs = sync(fake, cat, state_path, args.collections)
        rows.append(("no-op re-sync", total, writes, secs, "<= 2 requests, <= 0.5 s of work"))
        cat.works[n // 2].title += " (revised)"
        counts, total, writes, secs = sync(fake, cat, state_path, args.collections)
        assert counts["update"] == 1, counts
        rows.append(("one changed work", total, writes, secs, "<= 3 requests"))
        state_path.unlink()
        counts, total, writes, secs = sync(fake, cat, state_path, args.collections)
        assert counts["create"] == 0 and writes == 0, counts
        rows.append(("state file lost", total, writes, secs, "reads only, no duplicates"))
        size = None
        sync(fake, cat, state_path, args.collections)
        size = state_path.stat().st_size
    print(f"Zotero sync of {n} works{' with collections' if args.collections else ''} "
          f"(pyzotero over HTTP to the local fake):")
    print(f"{'scenario':<18} {'requests':>8} {'writes':>7} {'seconds':>8}  target")
    for name, total, writes, secs, target in rows:
        print(f"{name:<18} {total:>8} {writes:>7} {secs:>8.2f}  {target}")
    print(f"state file: {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
