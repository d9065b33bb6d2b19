"""Parse and lint a generated list of 10,000 entries (target: under 1 s together).

    python benchmarks/bench_list.py [--entries 10000] [--repeat 5]

Entries are built from the starting list's real lines (every tag, link and mess it has) with
the arXiv ids and titles varied, so the duplicate detection does real work.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import time
from pathlib import Path

from plmcite import lint
from plmcite.listfile import parse

ROOT = Path(__file__).resolve().parent.parent
START = ROOT / "tests" / "fixtures" / "upstream" / "README.2025-08-08.fcbf0f0.md"
UPSTREAM = ROOT / "tests" / "fixtures" / "upstream"


def generate(n: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    # the vocabulary of every title the list ever had: realistic word frequencies
    words = sorted({w for p in UPSTREAM.glob("*.md") for e in parse(p.read_text()).entries for w in e.title.split()})
    template = [l for l in START.read_text().splitlines() if l.startswith("+ **")]
    out = ["# Generated list", ""]
    per_section = max(1, n // 40)
    for i in range(n):
        if i % per_section == 0:
            out += [f"### {i // per_section // 10 + 1}.{i // per_section % 10 + 1} Section {i // per_section}", ""]
        line = rng.choice(template)
        aid = f"{rng.randint(20, 25):02d}{rng.randint(1, 12):02d}.{i:05d}"
        line = re.sub(r"\d{4}\.\d{4,5}", aid, line)
        title = " ".join(rng.choice(words) for _ in range(rng.randint(5, 12))).capitalize() + f" {i}"
        line = re.sub(r"(\*\*\s)(.*?)(\.? \(\[|$)", lambda m: m.group(1) + title + m.group(3), line, count=1)
        out += [line, ""]
    return "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    text = generate(args.entries)
    times_parse, times_lint = [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        doc = parse(text)
        t1 = time.perf_counter()
        findings = lint.run(doc)
        t2 = time.perf_counter()
        times_parse.append(t1 - t0)
        times_lint.append(t2 - t1)
    assert len(doc.entries) == args.entries, len(doc.entries)
    total = [a + b for a, b in zip(times_parse, times_lint)]
    print(f"entries: {len(doc.entries)}  findings: {len(findings)}")
    print(f"parse:  median {statistics.median(times_parse):.3f} s")
    print(f"lint:   median {statistics.median(times_lint):.3f} s")
    print(f"total:  median {statistics.median(total):.3f} s  (best {min(total):.3f} s; target < 1 s)")


if __name__ == "__main__":
    main()
