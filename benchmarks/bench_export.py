"""How fast `plmcite export` is, as a user feels it.

1. ``plmcite export --section 1.4`` as a whole process, against a bare ``python -c pass``
   (target: within 4x). The catalog is refs/catalog.json when the repository has one, else the
   test fixture.
2. Exporting a 10,000-work catalog (the fixture's works repeated under new keys): loading the
   catalog and rendering all of it, in-process and as a whole process (target: under 1 s).
3. Growth from 10,000 to 100,000 works: catalog load + BibTeX render in CPU seconds, each run a
   fresh process with the GC paused as the command runs it, best of 3 (target: at most 11x).

    python benchmarks/bench_export.py [--runs N]

Prints one line per measurement (best and median of N runs) and exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FIXTURE = ROOT / "tests" / "fixtures" / "catalog" / "catalog.json"
CLI = [sys.executable, "-c", "import sys; from plmcite.cli import main; sys.exit(main())"]


def timed(cmd: list[str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
        out.append(time.perf_counter() - t)
        if p.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed: {p.stderr.decode(errors='replace')}")
    return out


def report(name: str, samples: list[float], unit: str = "ms") -> float:
    best, med = min(samples), statistics.median(samples)
    scale = 1000 if unit == "ms" else 1
    print(f"{name:<48} best {best * scale:8.1f} {unit}   median {med * scale:8.1f} {unit}")
    return med


def big_catalog(path: Path, n: int, source: Path = FIXTURE) -> None:
    """The works of ``source`` repeated, each copy with its own key, title and author names (so
    that nothing is rendered from a cache of identical strings)."""
    data = json.loads(source.read_text(encoding="utf-8"))
    works = data["works"]
    out = []
    for i in range(n):
        w = dict(works[i % len(works)])
        w["key"] = f"{w['key']}x{i:05d}"
        w["title"] = f"{w['title']} (Part {i})"
        w["authors"] = [{**a, "family": f"{a['family']}-{chr(97 + i % 26)}{i}"} for a in w.get("authors", [])]
        out.append(w)
    data["works"] = sorted(out, key=lambda w: w["key"])
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    ok = True

    catalog = ROOT / "refs" / "catalog.json"
    catalog = catalog if catalog.exists() else FIXTURE
    print(f"catalog: {catalog.relative_to(ROOT)}")
    timed(CLI + ["export", "-s", "1.4", "--catalog", str(catalog)], 2)  # warm the disk cache
    base = report("python -c pass", timed([sys.executable, "-c", "pass"], args.runs))
    exp = report("plmcite export --section 1.4", timed(CLI + ["export", "-s", "1.4", "--catalog", str(catalog)],
                                                        args.runs))
    ratio = exp / base
    print(f"{'ratio (median)':<48} {ratio:8.2f} x      target <= 4x {'ok' if ratio <= 4 else 'MISSED'}")
    ok &= ratio <= 4

    from plmcite import bibtex
    from plmcite.catalog import load

    with tempfile.TemporaryDirectory() as d:
        big = Path(d) / "catalog.json"
        big_catalog(big, 10_000, catalog)  # the real catalog's works carry provenance, like real ones
        import gc

        gc.disable()  # as the command does (plmcite.cli.exportcmds.paused_gc)
        loads, renders = [], []
        for _ in range(max(3, args.runs // 3)):
            t = time.perf_counter()
            cat = load(big)
            t1 = time.perf_counter()
            text = bibtex.render(cat.works)
            loads.append(t1 - t)
            renders.append(time.perf_counter() - t1)
        assert text.count("\n@") == 9_999
        report("10,000 works: catalog.load (in-process)", loads, "s")
        report("10,000 works: bibtex.render (in-process)", renders, "s")
        gc.enable()
        inproc = statistics.median(loads) + statistics.median(renders)
        proc = report("10,000 works: plmcite export (process)",
                      timed(CLI + ["export", "--catalog", str(big)], max(3, args.runs // 3)), "s")
        print(f"{'10,000-work export':<48} target < 1 s {'ok' if proc < 1 and inproc < 1 else 'MISSED'}")
        ok &= proc < 1 and inproc < 1

        big100 = Path(d) / "catalog100k.json"
        big_catalog(big100, 100_000, catalog)
        cost = {n: min(_export_cpu(path, n) for _ in range(3)) for n, path in ((10_000, big), (100_000, big100))}
        for n, c in cost.items():
            print(f"{f'{n:,} works: load + render (CPU, process)':<48} best {c:8.2f} s")
        growth = cost[100_000] / cost[10_000]
        print(f"{'growth 10k -> 100k works':<48} {growth:8.1f} x      target <= 11x {'ok' if growth <= 11 else 'MISSED'}")
        ok &= growth <= 11
    return 0 if ok else 1


_CHILD = """
import gc, json, sys, time
gc.disable()  # as the command does
from plmcite import bibtex
from plmcite.catalog import load
t0 = time.process_time()
cat = load(sys.argv[1])
text = bibtex.render(cat.works)
print(json.dumps({"cpu": time.process_time() - t0, "entries": text.count("\\n@") + 1}))
"""


def _export_cpu(path: Path, works: int) -> float:
    """CPU seconds of loading and rendering ``path`` (``works`` works) in a fresh process (no
    cache warmed before)."""
    p = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True, cwd=ROOT, check=True)
    out = json.loads(p.stdout)
    assert out["entries"] == works, out  # every work rendered
    return out["cpu"]


if __name__ == "__main__":
    sys.exit(main())
