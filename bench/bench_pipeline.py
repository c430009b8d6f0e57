"""Benchmark the extraction pipeline on one core.

Builds a deterministic corpus of synthetic articles (seeded random recombination of
sentence templates with names, quotes, dates and boilerplate) plus the seed files,
then reports articles per second. Run: ``.venv/bin/python bench/bench_pipeline.py [N]``.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from articles.ingest import parse_article  # noqa: E402

FIRST = [
    "Rose",
    "Giovanni",
    "Holly",
    "Tom",
    "Priya",
    "Kwame",
    "Maeve",
    "Chidi",
    "Amara",
    "Luis",
    "Grace",
    "Ed",
    "Isla",
    "Natalia",
    "Sam",
]
LAST = [
    "Ayling-Ellis",
    "Pernice",
    "Willoughby",
    "Hale",
    "Sharma",
    "Mensah",
    "O'Brien",
    "Okafor",
    "Romero",
    "Adeyemi",
]
LAST += ["Harrington", "McKenzie", "Petrova", "Doyle", "Whitfield"]
ORGS = [
    "Northfield Council",
    "Harbour City FC",
    "the BBC",
    "Westbrook Brands",
    "Strictly Come Dancing",
]
ROLES = ["actress", "dancer", "spokesman", "striker", "chief executive", "campaigner", "judge"]
WHEN = [
    "on Sunday",
    "on Thursday",
    "last year",
    "in 2021",
    "on 18 December 2021",
    "yesterday",
    "on New Year's Eve",
    "earlier this month",
    "in December",
    "18-12-2021",
    "last week",
]
VERBS = ["won", "lifted", "celebrated", "shared", "announced", "signed", "married", "visited"]
OBJECTS = ["the trophy", "a new deal", "the award", "a photograph", "the title", "a statement"]
SAY = ["said", "added", "told reporters", "wrote", "explained", "admitted"]
LINES = [
    "It was a very special moment for all of us.",
    "We have still got a long way to go, but it's such a great start.",
    "I honestly don't know what's happening right now!",
    "Nobody came into this job to make cuts, but the money isn't there.",
    "She said to me 'keep going', and I did.",
    "Thank you to everyone who believed in us [heart emoji].",
]


def _article(rng: random.Random) -> str:
    people = [(rng.choice(FIRST), rng.choice(LAST)) for _ in range(rng.randint(2, 4))]
    full = [f"{a} {b}" for a, b in people]
    out = []
    if rng.random() < 0.7:
        out.append(
            f" date 20{rng.randint(15, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} "
        )
    if rng.random() < 0.2:
        out.append(
            "We may earn a commission for products purchased through some links in this article\n\n"
        )
    head = f"{full[0]} {rng.choice(VERBS)} {rng.choice(OBJECTS)} as fans react"
    if rng.random() < 0.3:
        head += " The star is said to be thrilled"
    out.append(head + "\n\n")
    for _ in range(rng.randint(6, 14)):
        i = rng.randrange(len(people))
        first, last = people[i]
        kind = rng.random()
        if kind < 0.25:
            para = (
                f"{rng.choice(ROLES).capitalize()} {full[i]} {rng.choice(VERBS)} "
                f"{rng.choice(OBJECTS)} {rng.choice(WHEN)} with {rng.choice(ORGS)}."
            )
        elif kind < 0.45:
            para = f'{first} {rng.choice(SAY)}: "{rng.choice(LINES)} {rng.choice(LINES)}"'
        elif kind < 0.6:
            para = (
                f'"{rng.choice(LINES)[:-1]}," {rng.choice(["he", "she", last])} {rng.choice(SAY)}.'
            )
        elif kind < 0.7:
            para = f'"{rng.choice(LINES)}\n\n"{rng.choice(LINES)}" the {rng.choice(ROLES)} added.'
        elif kind < 0.8:
            para = f'Mr {last} said he was "delighted" after the film "Heat" {rng.choice(WHEN)}.'
        elif kind < 0.87:
            para = rng.choice(
                ["MORE: Another story here", "Loading the player...", f"{first} on stage"]
            )
        else:
            what = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(WHEN)}"
            para = f"The pair {what}, one fan wrote."
        out.append(para + "\n\n")
    return "".join(out)


def _calibrate() -> float:
    """CPU seconds for 10M iterations of a pure-Python loop (an idle modern core: ~0.5 s)."""
    t0 = time.process_time()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.process_time() - t0


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    rng = random.Random(20240501)
    corpus = [_article(rng).encode() for _ in range(n)]
    corpus += [p.read_bytes() for p in sorted((ROOT / "fixtures" / "seeds").glob("*.txt"))]
    for raw in corpus[:50]:  # warm caches (gazetteer, regexes)
        parse_article(raw, source_name="warm.txt")
    timings = []
    quotes = people = events = 0
    cpu_start = time.process_time()
    start = time.perf_counter()
    for raw in corpus:
        t0 = time.perf_counter()
        art = parse_article(raw, source_name="bench.txt")
        timings.append(time.perf_counter() - t0)
        quotes += len(art.quotes)
        people += len(art.people)
        events += len(art.events)
    total = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    size = sum(map(len, corpus))
    mean = size / len(corpus)
    print(f"articles:          {len(corpus)} ({size / 1e6:.1f} MB, mean {mean:.0f} bytes)")
    print(f"extracted:         {quotes} quotes, {people} people, {events} events")
    print(f"total time:        {total:.2f} s wall, {cpu:.2f} s CPU (one core, one process)")
    print(f"throughput (CPU):  {len(corpus) / cpu:,.0f} articles/s ({size / cpu / 1e6:.2f} MB/s)")
    print(f"throughput (wall): {len(corpus) / total:,.0f} articles/s (lower on a busy machine)")
    p95 = sorted(timings)[int(0.95 * len(timings))]
    print(
        f"per article:       mean {statistics.mean(timings) * 1e3:.2f} ms, "
        f"p95 {p95 * 1e3:.2f} ms, max {max(timings) * 1e3:.2f} ms (wall)"
    )
    print(f"calibration:       {_calibrate():.2f} s CPU per 10M-iteration Python loop")
    seeds = corpus[-5:]
    t0 = time.process_time()
    for _ in range(200):
        for raw in seeds:
            parse_article(raw, source_name="seed.txt")
    print(f"seeds only (CPU):  {1000 / (time.process_time() - t0):,.0f} articles/s (~4 KB each)")


if __name__ == "__main__":
    main()
