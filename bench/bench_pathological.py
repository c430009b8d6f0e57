"""Time the extraction pipeline on pathological inputs: does it stay linear? (issue 12)

Each shape repeats a token that once made a stage quadratic or worse (a regular expression
backtracking, or a loop re-scanning the text) up to 10 KB, 100 KB and 1 MB, and times
``extraction.parse_article`` on it, each run in a child process with a time limit (wall
time; the figures are CPU seconds, steady on a shared machine). The table gives the
seconds and the growth factor per ×10 of input: about 10 is linear, 100
quadratic. The pipeline should keep every factor at 12 or less. Figures, not pass/fail.

    .venv/bin/python bench/bench_pathological.py [--sizes 10000,100000,1000000]
                                                  [--timeout 120] [--shape NAME ...]
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import multiprocessing as mp
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FILLER = "The council met on Monday to agree a new budget. "
# The story that hung the importer: 40 dashes in its first line made the headline's
# clean-up pattern backtrack exponentially.
ZONING_LINE = (
    "Council news ---------------------------------------- the council met on Monday to "
    "agree a new budget for the coming year after months of talks.\n\n"
)


def repeat(token: str, size: int, head: str = "Council news\n\n") -> str:
    """``head`` then ``token`` repeated up to ``size`` characters in all."""
    n = max(0, size - len(head))
    return head + (token * (n // len(token) + 1))[:n]


SHAPES = {
    # name: (what it exercised, builder)
    "zoning-dashes": ("headline clean-up (exponential)", lambda n: repeat(FILLER, n, ZONING_LINE)),
    "single-quotes": ("single-quote pairing", lambda n: repeat(" 'ab", n)),
    "quoted-singles": ("single-quote pairing", lambda n: repeat('" \'ab"', n)),
    "mixed-marks": ("quote pairing, double spans", lambda n: repeat("'\"‘“’”", n)),
    "the-the": ("headline splitting", lambda n: repeat("The ", n, "")),
    "short-lines": ("line joining", lambda n: repeat("ab\n", n)),
    "dash-lines": ("line joining", lambda n: repeat("-\n", n)),
    "dash-run": ("headline, separators", lambda n: repeat("-", n, "Council news ")),
    "full-stops": ("sentence boundaries", lambda n: repeat(".", n, "Council news ")),
    "exclamations": ("sentence boundaries", lambda n: repeat("!", n, "Council news ")),
    "affiliate": (
        "affiliate boilerplate",
        lambda n: repeat("If you buy something ", n, "Council news\n\naffiliate "),
    ),
    "surname": (
        "short forms of two people",
        lambda n: repeat("Qabton and ", n, "Council news\n\nAnna Qabton met Brian Qabton and "),
    ),
    "pronouns": ("pronoun antecedents", lambda n: repeat('"Hi," he said. Mary Qedton won. ', n)),
    "descriptions": (
        "definite descriptions",
        lambda n: repeat('"Hi," said the singer. Mary Qedton won. ', n),
    ),
    # Issue 13: shapes of a long, well-formed story.
    "desc-paras": (
        "description, its paragraph",
        lambda n: repeat('"Hi," said the dancer.\n\n', n, "Council news\n\nMary Qedton won.\n\n"),
    ),
    "one-answers": (
        "the asker is not the answerer",
        lambda n: repeat('Mary Qedton asked about it. "Fine," she said. ', n),
    ),
    "continued": (
        "the last speaker goes on",
        lambda n: repeat(
            '"Lovely day."\n\nThe dancer continued: "More."\n\n',
            n,
            "Council news\n\nThe dancer Mary Qedton arrived.\n\n",
        ),
    ),
    "handles": ("handles of many people", lambda n: _people_with_handles(n)),
    "long-story": ("all four, paragraph by paragraph", lambda n: _long_story(n)),
}


def _people_with_handles(size: int) -> str:
    """A new person, and their handle, every 40 characters or so."""
    parts = ["Council news\n\n"]
    n = length = 0
    while length < size:
        parts.append(f"Anna Q{n}ton met @annaq{n}ton. ")
        length += len(parts[-1])
        n += 1
    return "".join(parts)[:size]


def _long_story(size: int) -> str:
    """Paragraphs of quotes and people as a long feature runs them (as in
    ``tests/extraction/test_linear_time.py``)."""
    blocks = [
        '"It was a long night," said the dancer.\n\n',
        'Mary Qedton asked about the plan. "It is fine," she said.\n\n',
        '"Lovely day."\n\nThe dancer continued: "More to come."\n\n',
        'Anna Q{n}ton, who joined in May, posted as @annaq{n}ton: "Yes."\n\n',
    ]
    parts = ["Council news\n\nMary Qedton and Tom Qabton arrived on Monday.\n\n"]
    n = length = 0
    while length < size:
        parts.append(blocks[n % len(blocks)].format(n=n))
        length += len(parts[-1])
        n += 1
    return "".join(parts)[:size]


def _child(name: str, size: int, queue) -> None:
    from extraction import IngestError, parse_article

    raw = SHAPES[name][1](size).encode()
    started = time.process_time()
    with contextlib.suppress(IngestError):  # a shape may leave no article: timed all the same
        parse_article(raw, source_name="bench.txt", max_bytes=max(len(raw), 1))
    queue.put(time.process_time() - started)


def timed(name: str, size: int, timeout: float) -> float | None:
    """CPU seconds to parse the shape at this size, or None when it ran out of time."""
    queue = mp.Queue()
    child = mp.Process(target=_child, args=(name, size, queue))
    child.start()
    child.join(timeout)
    if child.is_alive():
        child.kill()
        child.join()
        return None
    return queue.get() if child.exitcode == 0 else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per run")
    parser.add_argument("--shape", action="append", choices=sorted(SHAPES))
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    names = args.shape or list(SHAPES)
    mp.set_start_method("fork")
    import extraction  # noqa: F401  (loaded once, shared by the forked children)

    head = f"{'shape':<16}{'stage':<30}" + "".join(f"{f'{s // 1000} KB':>11}" for s in sizes)
    head += "".join(f"{f'×{b // a}':>8}" for a, b in itertools.pairwise(sizes))
    print(head)
    print("-" * len(head))
    worst = 0.0
    for name in names:
        times: list[float | None] = []
        for size in sizes:
            # A shape that ran out of time at one size would at the next too.
            runs_out = bool(times) and times[-1] is None
            times.append(None if runs_out else timed(name, size, args.timeout))
        row = f"{name:<16}{SHAPES[name][0]:<30}"
        row += "".join(
            f"{'>' + str(int(args.timeout)) if t is None else f'{t:.3f}':>11}" for t in times
        )
        for a, b in itertools.pairwise(times):
            if a is None or b is None:
                row += f"{'-':>8}"
                continue
            # Below a few milliseconds the fixed cost dominates: compare from 1 ms up.
            factor = max(b, 1e-3) / max(a, 1e-3)
            worst = max(worst, factor)
            row += f"{factor:>8.1f}"
        print(row, flush=True)
    print(f"\nworst growth per ×10: {worst:.1f} (linear ≈ 10; the target is 12 or less)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
