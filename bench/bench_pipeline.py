"""Benchmark the extraction pipeline on one core.

Parses a generated corpus (``bench.corpus``, the same generator as ``bench_import.py``)
and, separately, the five seed files (about 4 KB each), in one process. Reports
articles per second by CPU time (``time.process_time``: what the pipeline costs, steady
on a shared machine) and by wall time (what a user waits for; lower on a busy machine).

    .venv/bin/python bench/bench_pipeline.py [--count 5000] [--seed-rounds 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import write_corpus  # noqa: E402
from extraction import parse_article  # noqa: E402

SEEDS = ROOT / "fixtures" / "seeds"


def _calibrate() -> float:
    """CPU seconds for 10M iterations of a pure-Python loop (an idle modern core: ~0.4 s)."""
    t0 = time.process_time()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.process_time() - t0


def _run(label: str, blobs: list[bytes]) -> None:
    """Parse every blob once; print CPU and wall throughput and per-article latency."""
    timings = []
    quotes = people = events = 0
    cpu_start = time.process_time()
    wall_start = time.perf_counter()
    for raw in blobs:
        t0 = time.perf_counter()
        art = parse_article(raw, source_name="bench.txt")
        timings.append(time.perf_counter() - t0)
        quotes += len(art.quotes)
        people += len(art.people)
        events += len(art.events)
    wall = time.perf_counter() - wall_start
    cpu = time.process_time() - cpu_start
    n = len(blobs)
    size = sum(map(len, blobs))
    p95 = sorted(timings)[int(0.95 * len(timings))]
    print(f"\n{label}: {n} articles, {size / 1e6:.2f} MB, mean {size / n:,.0f} bytes")
    print(f"  extracted:         {quotes} quotes, {people} people, {events} events")
    print(f"  time:              {cpu:.2f} s CPU, {wall:.2f} s wall")
    print(f"  throughput (CPU):  {n / cpu:,.0f} articles/s ({size / cpu / 1e6:.2f} MB/s)")
    print(f"  throughput (wall): {n / wall:,.0f} articles/s")
    print(
        f"  per article:       mean {statistics.mean(timings) * 1e3:.2f} ms, "
        f"p95 {p95 * 1e3:.2f} ms, max {max(timings) * 1e3:.2f} ms (wall)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=5000, help="generated articles")
    parser.add_argument("--seed-rounds", type=int, default=200, help="passes over the seeds")
    parser.add_argument("--seed", type=int, default=2026, help="corpus generator seed")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        paths = write_corpus(Path(tmp), args.count, seed=args.seed)
        generated = [p.read_bytes() for p in paths]
    seeds = [p.read_bytes() for p in sorted(SEEDS.glob("*.txt"))]
    for raw in generated[:50] + seeds:  # warm caches (gazetteer, regexes)
        parse_article(raw, source_name="warm.txt")

    print(f"one process, one core; calibration {_calibrate():.2f} s CPU per 10M-step loop")
    _run("generated corpus (bench.corpus)", generated)
    _run(f"seeds ({len(seeds)} files x {args.seed_rounds})", seeds * args.seed_rounds)


if __name__ == "__main__":
    main()
