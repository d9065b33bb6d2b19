"""Parse and lint generated lists of 1,000, 10,000 and 100,000 entries, and how they grow.

    python benchmarks/bench_list.py [--sizes 1000,10000,100000] [--repeat 3]

Each run is a fresh process, as a command is: no heap left over from another size and no cache
(``ids.extract``'s, the title-form cache) warmed by an earlier run of the same list, which would
flatter the sizes that fit in those caches. The best of ``--repeat`` runs counts, in CPU seconds
(a benchmark sharing the machine with other work still measures the work itself).

Three lists per size, built from the starting list's real lines (every tag, link and mess it
has) with arXiv ids and titles varied:

- ``realistic``: titles of 4 to 10 words drawn from the vocabulary of every upstream version of
  the list, 14% of them ending in "Large Language Models" (as in the real list), 1% near-copies
  of an earlier title (a dropped letter), so the duplicate detection has real work to do;
- ``shared-prefix``: every title starts "Towards Personalized Large Language Models:";
- ``table``: the realistic titles as rows of a markdown table (the table dialect).

Both commands run with the garbage collector paused, as ``plmcite parse`` and ``plmcite lint``
do. Targets (exit 1 when one is missed): at 10,000 realistic entries lint takes at most 3x the
parse time; lint of 10,000 shared-prefix titles takes at most 2 s; from 10,000 to 100,000 entries
parse and lint grow at most 11x.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from plmcite import lint  # noqa: E402
from plmcite.listfile import parse  # noqa: E402

START = ROOT / "tests" / "fixtures" / "upstream" / "README.2025-08-08.fcbf0f0.md"
UPSTREAM = ROOT / "tests" / "fixtures" / "upstream"


def _titles(n: int, kind: str, rng: random.Random) -> list[str]:
    words = sorted({w for p in UPSTREAM.glob("*.md") for e in parse(p.read_text()).entries for w in e.title.split()})
    out: list[str] = []
    for _ in range(n):
        if out and rng.random() < 0.01:  # a near-copy of an earlier title: one letter dropped
            src = rng.choice(out)
            k = rng.randrange(len(src))
            out.append(src[:k] + src[k + 1:])
            continue
        t = " ".join(rng.choice(words) for _ in range(rng.randint(4, 10))).capitalize()
        if kind == "shared-prefix":
            t = "Towards Personalized Large Language Models: " + t
        elif rng.random() < 0.14:
            t += " Large Language Models"
        out.append(t)
    return out


def generate(n: int, kind: str = "realistic", seed: int = 7) -> str:
    rng = random.Random(seed)
    titles = _titles(n, kind, rng)
    template = [l for l in START.read_text().splitlines() if l.startswith("+ **")]
    out = ["# Generated list", ""]
    per_section = max(1, n // 40)
    for i, title in enumerate(titles):
        if i % per_section == 0:
            out += [f"### {i // per_section // 10 + 1}.{i // per_section % 10 + 1} Section {i // per_section}", ""]
            if kind == "table":
                out += ["| Title | Venue | Date | Code |", "|---|---|---|---|"]
        aid = f"{rng.randint(20, 25):02d}{rng.randint(1, 12):02d}.{i:05d}"
        if kind == "table":
            venue = rng.choice(["Arxiv'24", "EMNLP'23 Findings", "ICLR 2025", "NeurIPS23-Workshop", "arXiv"])
            out.append(f"| [**{title}**](https://arxiv.org/abs/{aid}) | {venue} | 20{aid[:2]}-{aid[2:4]}-01 | "
                       f"[code](https://github.com/a/r{i}) |")
            continue
        line = re.sub(r"\d{4}\.\d{4,5}", aid, rng.choice(template))
        line = re.sub(r"(\*\*\s)(.*?)(\.? \(\[|$)", lambda m: m.group(1) + title + m.group(3), line, count=1)
        out += [line, ""]
    return "\n".join(out) + "\n"


def measure(text: str) -> dict:
    """Parse and lint times of one run, in CPU seconds of this process (GC paused, as the
    commands run): the CPU a step costs, not the wait for a core on a busy machine; entries and
    findings."""
    gc.collect()
    gc.disable()
    try:
        t0 = time.process_time()
        doc = parse(text)
        t1 = time.process_time()
        findings = lint.run(doc)
        t2 = time.process_time()
    finally:
        gc.enable()
    return {"parse": t1 - t0, "lint": t2 - t1, "entries": len(doc.entries), "findings": len(findings)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--child", nargs=2, metavar=("KIND", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:  # one run in a fresh process, as a command runs
        print(json.dumps(measure(generate(int(args.child[1]), args.child[0]))))
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[tuple[str, int], tuple[float, float]] = {}
    for kind in ("realistic", "shared-prefix", "table"):
        for n in sizes:
            runs = []
            for _ in range(args.repeat):  # each run a fresh process: no cache warmed by an earlier run
                out = subprocess.run([sys.executable, __file__, "--child", kind, str(n)],
                                     capture_output=True, text=True, check=True)
                runs.append(json.loads(out.stdout))
            r = runs[0]
            p, l = min(x["parse"] for x in runs), min(x["lint"] for x in runs)
            results[(kind, n)] = (p, l)
            assert r["entries"] == n, (kind, n, r["entries"])
            print(f"{kind:14} {n:>7} entries: parse {p:7.3f} s  lint {l:7.3f} s  (lint/parse {l / p:4.1f}x, "
                  f"{r['findings']} findings)", flush=True)
    failed = []
    if 10_000 in sizes:
        p, l = results[("realistic", 10_000)]
        print(f"target: lint <= 3x parse at 10,000 realistic entries: {l / p:.1f}x")
        failed += [] if l <= 3 * p else ["lint > 3x parse"]
        l = results[("shared-prefix", 10_000)][1]
        print(f"target: lint <= 2 s at 10,000 shared-prefix titles: {l:.2f} s")
        failed += [] if l <= 2.0 else ["shared-prefix lint > 2 s"]
    if 10_000 in sizes and 100_000 in sizes:
        for kind in ("realistic", "shared-prefix", "table"):
            (p1, l1), (p2, l2) = results[(kind, 10_000)], results[(kind, 100_000)]
            print(f"growth 10k -> 100k ({kind}): parse {p2 / p1:.1f}x, lint {l2 / l1:.1f}x (target <= 11x)")
            failed += [f"{kind} growth"] if max(p2 / p1, l2 / l1) > 11 else []
    if failed:
        print("MISSED: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
