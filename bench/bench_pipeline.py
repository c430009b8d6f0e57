"""Benchmark the extraction pipeline on one core.

Parses a generated corpus (``bench.corpus``, the same generator as ``bench_import.py``)
and, separately, the five seed files (about 4 KB each), in one process. Reports
articles per second by CPU time (``time.process_time``: what the pipeline costs, steady
on a shared machine) and by wall time (what a user waits for; lower on a busy machine).

Then the cost per article with 0, 10,000 and 50,000 known people (``--known``): the
corpus's own names plus generated ones, each with the aliases an import records. After
each article the people it named are learnt, as the importer does between files. With
``--rebuild`` the pipeline gets a plain ``WorldKnowledge`` rebuilt after each article,
as before issue 13 (its index of known people is then built again for every article).

    .venv/bin/python bench/bench_pipeline.py [--count 5000] [--seed-rounds 200]
                                             [--known 0,10000,50000] [--known-count 300]
                                             [--rebuild] [--workers 2]

``--workers N`` also parses the generated corpus in N worker processes
(``extraction.parallel.StoryParser``) and reports the wall-clock rate beside one process.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import extraction  # noqa: E402
from bench.corpus import FIRST, LAST, write_corpus  # noqa: E402
from extraction import KnownPerson, WorldKnowledge, parse_article  # noqa: E402

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


# Syllables of generated names (no gazetteer knows them; 32 of them give enough names).
_SYLLABLES = """ka lo mi ren ta vis bor an el dru fen gal hol is jor kel mar nor os pel qui
    ras sten tor ul vin wes yan zel bri cor dal""".split()  # noqa: SIM905 (words read as words)


def known_people(count: int, *, seed: int = 13) -> list[KnownPerson]:
    """``count`` known people: the corpus's names first (so that articles name known
    people, as in a real archive), then generated ones; with the aliases an import records
    (first name, surname, "Mr Surname", sometimes a social handle)."""
    rng = random.Random(seed)
    names = [f"{first} {last}" for first in FIRST for last in LAST]
    seen = set(names)
    while len(names) < count:
        first = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        last = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
        if (name := f"{first} {last}") not in seen:
            seen.add(name)
            names.append(name)
    people = []
    for key, name in enumerate(names[:count]):
        first, last = name.split(" ", 1)
        aliases = [first, last, f"{rng.choice(['Mr', 'Ms', 'Dr'])} {last}"]
        if rng.random() < 0.2:
            aliases.append(f"@{first.lower()}{last.lower()}")
        people.append(KnownPerson(key=key, name=name, aliases=tuple(aliases)))
    return people


def _run_known(count: int, blobs: list[bytes], *, rebuild: bool) -> None:
    """Parse ``blobs`` knowing ``count`` people, learning each article's people after it."""
    people = known_people(count)
    index_class = getattr(extraction, "WorldIndex", None)
    rebuild = rebuild or index_class is None  # before issue 13 there was no index
    t0 = time.process_time()
    if rebuild:
        by_key = {p.key: p for p in people}
        world = WorldKnowledge(people=tuple(people))
    else:
        world = index_class(WorldKnowledge(people=tuple(people)))
    setup = time.process_time() - t0
    next_key = count
    parse_cpu = learn_cpu = 0.0
    named = 0
    for raw in blobs:
        t0 = time.process_time()
        art = parse_article(raw, source_name="bench.txt", world=world)
        t1 = time.process_time()
        # What the importer learns from the file: new people get a key, known ones their
        # new aliases.
        learnt = []
        for person in art.people:
            key = person.known_key
            if key is None:
                key, next_key = next_key, next_key + 1
            learnt.append(KnownPerson(key=key, name=person.name, aliases=tuple(person.aliases)))
        if rebuild:  # the importer before issue 13: a new WorldKnowledge for each file
            by_key.update((p.key, p) for p in learnt)
            world = WorldKnowledge(people=tuple(by_key.values()))
        else:
            world.update(learnt)
        t2 = time.process_time()
        parse_cpu += t1 - t0
        learn_cpu += t2 - t1
        named += len(art.people)
    n = len(blobs)
    print(
        f"  {count:>7,} known  {parse_cpu / n * 1e3:7.2f} ms parse  "
        f"{learn_cpu / n * 1e3:6.2f} ms learn  {(parse_cpu + learn_cpu) / n * 1e3:7.2f} ms "
        f"per article  (index built in {setup:.2f} s; {named / n:.1f} people per article)",
        flush=True,
    )


def _run_workers(workers: int, blobs: list[bytes]) -> None:
    """Wall-clock rate of parsing ``blobs`` in ``workers`` processes, pool start included."""
    from extraction.parallel import StoryParser

    world = WorldKnowledge(people=tuple(known_people(10_000)))
    wall_start = time.perf_counter()
    with StoryParser(world, workers=workers) as parser:
        done = sum(1 for _ in parser.parse(((raw, "bench.txt") for raw in blobs), chunksize=16))
    wall = time.perf_counter() - wall_start
    label = f"{workers} worker process{'es' if workers > 1 else ''}"
    print(f"  {label}: {done / wall:,.0f} articles/s (wall, 10,000 known)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=5000, help="generated articles")
    parser.add_argument("--seed-rounds", type=int, default=200, help="passes over the seeds")
    parser.add_argument("--seed", type=int, default=2026, help="corpus generator seed")
    parser.add_argument("--known", default="0,10000,50000", help="known people, comma-separated")
    parser.add_argument("--known-count", type=int, default=300, help="articles per --known run")
    parser.add_argument(
        "--rebuild", action="store_true", help="a plain WorldKnowledge, rebuilt per article"
    )
    parser.add_argument("--workers", type=int, default=0, help="also parse in N processes")
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
    if args.known:
        rebuild = args.rebuild or not hasattr(extraction, "WorldIndex")
        how = "rebuilt per article" if rebuild else "indexed once, updated in place"
        print(f"\nknown people ({how}), CPU per article over {args.known_count} articles:")
        for count in (int(n) for n in args.known.split(",")):
            _run_known(count, generated[: args.known_count], rebuild=args.rebuild)
    if args.workers:
        print("\nworker processes (extraction.parallel):")
        _run_workers(1, generated)
        _run_workers(args.workers, generated)


if __name__ == "__main__":
    main()
