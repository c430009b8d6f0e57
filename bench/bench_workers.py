"""Background import with one worker against two, on PostgreSQL (issue 13).

    .venv/bin/python bench/bench_workers.py [--count 1000] [--batch-size N] [--workers 1,2]
                                            [--sqlite]

Writes a generated corpus (people recur across stories), then for each number of workers:
migrates a fresh database, queues the corpus with `import_articles --background`, starts
that many `db_worker --batch` processes at once and waits for them to drain the queue. The
rate is the run's own: files divided by the time from its first batch starting to its last
outcome (`ImportRun.started_at` .. `finished_at`), so Django's start-up is not counted.

Tasks are of the command's default size (``articles.runs.DEFAULT_BATCH_SIZE``) unless
``--batch-size`` says otherwise. It also times the pipeline alone on the same files, and
samples the workers' database sessions and the import lock (articles/importing.py takes
one advisory lock per batch transaction, so that people are never created twice): if one
worker holds the lock a share L of its run, no number of workers can run faster than 1 / L
times one, as the lock is held by one at a time. And it reads the
machine's CPU time (``/proc/stat``, every process: the workers, their parser processes and
PostgreSQL's backends) during each run: if one worker already keeps C of the machine's N
CPUs busy, N workers or more cannot run faster than N / C times one, whatever the lock.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import write_corpus  # noqa: E402
from extraction import parse_article  # noqa: E402

PG_SERVER = os.environ.get("BENCH_POSTGRES_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_DB = "newsroom_bench_workers"
IMPORT_LOCK = 0x4E_65_77_73  # the key of articles.importing's advisory lock
MANAGE = [sys.executable, str(ROOT / "manage.py")]


def environment(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_DEBUG", "NEWSROOM_TASKS"}}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SECRET_KEY="bench-only-key",
        DJANGO_SETTINGS_MODULE="newsroom.settings",
    )
    return env


def manage(*args, env) -> str:
    result = subprocess.run(
        [*MANAGE, *map(str, args)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(map(str, args))} failed:\n{result.stderr[-2000:]}")
    return result.stdout


def fresh_postgres() -> str | None:
    import psycopg

    try:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {PG_DB}")
    except psycopg.Error as error:
        print(f"PostgreSQL unavailable ({error})")
        return None
    return f"{PG_SERVER}/{PG_DB}"


def drop_postgres() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def run_seconds(env, run_id: int) -> float:
    script = (
        "import django; django.setup(); from articles.models import ImportRun; "
        f"r = ImportRun.objects.get(pk={run_id}); "
        "assert r.status == 'finished' and r.failed == 0, (r.status, r.failed, r.error); "
        "print((r.finished_at - r.started_at).total_seconds())"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if out.returncode:
        raise SystemExit(out.stderr[-2000:])
    return float(out.stdout)


class ActivitySampler(threading.Thread):
    """Samples what the workers' PostgreSQL sessions are doing, ten times a second: waiting
    for the import lock, running a statement, idle inside a transaction (Python at work
    while the transaction, and so the lock, is held) or idle between transactions."""

    def __init__(self):
        super().__init__(daemon=True)
        self.samples: Counter[str] = Counter()
        self.lock_samples = self.lock_held = 0
        self.stopping = threading.Event()

    def run(self):
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            while not self.stopping.wait(0.1):
                rows = conn.execute(
                    "SELECT state, wait_event_type, wait_event FROM pg_stat_activity"
                    " WHERE datname = %s AND backend_type = 'client backend'",
                    [PG_DB],
                ).fetchall()
                for state, wait_type, wait_event in rows:
                    if wait_type == "Lock" and wait_event == "advisory":
                        self.samples["waiting for the import lock"] += 1
                    elif wait_type == "Lock":
                        self.samples[f"waiting for a row lock ({wait_event})"] += 1
                    elif state == "active":
                        self.samples["running SQL"] += 1
                    elif state == "idle in transaction":
                        self.samples["in a transaction, Python working"] += 1
                    else:
                        self.samples["between transactions (Python, no lock)"] += 1
                # Whether an importer holds the import lock now (its key's two halves).
                (held,) = conn.execute(
                    "SELECT EXISTS (SELECT FROM pg_locks JOIN pg_database d"
                    " ON d.oid = pg_locks.database WHERE d.datname = %s"
                    " AND locktype = 'advisory' AND granted AND classid = %s AND objid = %s)",
                    [PG_DB, IMPORT_LOCK >> 32, IMPORT_LOCK & 0xFFFFFFFF],
                ).fetchone()
                self.lock_samples += 1
                self.lock_held += held

    def lock_share(self) -> float | None:
        """The share of the run's time an importer held the import lock: what other workers
        cannot overlap (its other transactions, claiming tasks or recording progress, take
        no lock, and are not counted)."""
        return self.lock_held / self.lock_samples if self.lock_samples else None

    def report(self) -> str:
        total = sum(self.samples.values()) or 1
        return "\n".join(
            f"  {share / total:>5.0%}  {label}" for label, share in self.samples.most_common()
        )


def busy_cpu_jiffies() -> tuple[int, int] | None:
    """(busy, all) CPU time of the whole machine so far, in jiffies (Linux only)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    values = [int(v) for v in fields[:8]]  # user nice system idle iowait irq softirq steal
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def import_with_workers(corpus: Path, workers: int, batch_size: int, database_url: str):
    env = environment(database_url)
    manage("migrate", "-v0", env=env)
    size = [] if batch_size is None else ["--batch-size", batch_size]
    out = manage("import_articles", "--background", *size, corpus, env=env)
    run_id = int(re.search(r"Import run (\d+):", out).group(1))
    command = [*MANAGE, "db_worker", "--batch", "--no-startup-delay", "--no-reload", "-v0"]
    sampler = None if database_url.startswith("sqlite") else ActivitySampler()
    started = time.perf_counter()
    cpu_before = busy_cpu_jiffies()
    processes = [subprocess.Popen(command, cwd=ROOT, env=env) for _ in range(workers)]
    if sampler:
        sampler.start()
    try:
        for process in processes:
            if process.wait():
                raise SystemExit(f"a worker failed (exit {process.returncode})")
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
                process.wait()
        if sampler:
            sampler.stopping.set()
            sampler.join()
    wall = time.perf_counter() - started
    cpu_after = busy_cpu_jiffies()
    busy = None
    if cpu_before and cpu_after:
        spent, elapsed = (a - b for a, b in zip(cpu_after, cpu_before, strict=True))
        busy = (os.cpu_count() or 1) * spent / max(elapsed, 1)  # CPUs busy on average
    return run_seconds(env, run_id), wall, busy, sampler


def pipeline_seconds(paths: list[Path]) -> float:
    blobs = [(p.name, p.read_bytes()) for p in paths]
    started = time.process_time()
    for name, raw in blobs:
        parse_article(raw, source_name=name)
    return time.process_time() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument(
        "--batch-size", type=int, default=None, help="files per task (default: the command's)"
    )
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        paths = write_corpus(corpus, args.count)
        pipeline = pipeline_seconds(paths)
        for workers in counts:
            if args.sqlite:
                url = f"sqlite:///{Path(tmp) / f'workers-{workers}.sqlite3'}"
            elif not (url := fresh_postgres()):
                return
            try:
                seconds, wall, busy, activity = import_with_workers(
                    corpus, workers, args.batch_size, url
                )
            finally:
                if not args.sqlite:
                    drop_postgres()
            rows.append((workers, seconds, wall, busy, activity))

    engine = "SQLite" if args.sqlite else "PostgreSQL"
    size = "the command's default" if args.batch_size is None else args.batch_size
    print(f"\n{args.count} generated articles, batches of {size}, {engine}")
    print(f"CPUs on this machine: {os.cpu_count()}")
    print(
        f"{'workers':<9}{'run s':>8}{'articles/s':>12}{'speed-up':>10}{'wall s':>9}"
        f"{'CPUs busy':>11}"
    )
    base = rows[0][1]
    for workers, seconds, wall, busy, _ in rows:
        print(
            f"{workers:<9}{seconds:>8.1f}{args.count / seconds:>12.1f}"
            f"{base / seconds:>10.2f}{wall:>9.1f}{'' if busy is None else f'{busy:>11.2f}'}"
        )
    print(f"\npipeline alone: {pipeline:.1f} CPU s, {pipeline / base:.0%} of one worker's run")
    locked = rows[0][4].lock_share() if rows[0][4] else None
    if locked:
        # The lock is one at a time: however many workers, it is held at most all the time.
        for workers, *_ in rows[1:]:
            print(
                f"lock bound with {workers} workers: one worker held the import lock"
                f" {locked:.0%} of the time sampled, so at most {min(workers, 1 / locked):.2f}x"
            )
    one_busy = rows[0][3]
    if one_busy:
        cpus = os.cpu_count() or 1
        for workers, *_ in rows[1:]:
            bound = min(workers, cpus / one_busy)
            print(
                f"CPU bound with {workers} workers: one kept {one_busy:.2f} of {cpus} CPUs busy"
                f" (workers, parsers and PostgreSQL), so at most {bound:.2f}x"
            )
    for workers, _, _, _, sampler in rows:
        if sampler:
            print(f"\nworkers' database sessions with {workers} worker(s), share of samples:")
            print(sampler.report())
            if (share := sampler.lock_share()) is not None:
                print(f"  the import lock was held {share:.0%} of the time sampled")


if __name__ == "__main__":
    main()
