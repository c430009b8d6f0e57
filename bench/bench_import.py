"""End-to-end import speed on SQLite and PostgreSQL, against the bare pipeline.

    .venv/bin/python bench/bench_import.py [--count 3000] [--skip-postgres]

Writes a generated corpus to a temporary folder, then for each database: migrates a fresh
database, runs `manage.py import_articles` on the corpus and reads the command's own
timing (so Django start-up is not counted). The pipeline alone is timed on the same files
in the same run, so the ratio shows what persistence costs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import write_corpus  # noqa: E402
from extraction import parse_article  # noqa: E402

PG_SERVER = os.environ.get("BENCH_POSTGRES_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_DB = "newsroom_bench_import"


def manage(*args, database_url):
    env = dict(os.environ, DATABASE_URL=database_url, DJANGO_SECRET_KEY="bench-only-key")
    env.pop("DJANGO_DEBUG", None)
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return result.stdout


def import_rate(corpus: Path, count: int, database_url: str) -> tuple[float, str]:
    manage("migrate", "-v0", database_url=database_url)
    out = manage("import_articles", str(corpus), database_url=database_url)
    seconds = float(
        next(line for line in out.splitlines() if line.startswith("seconds")).split()[1]
    )
    return count / seconds, out


def pipeline_rate(paths: list[Path]) -> float:
    blobs = [(p.name, p.read_bytes()) for p in paths]
    started = time.perf_counter()
    for name, raw in blobs:
        parse_article(raw, source_name=name)
    return len(blobs) / (time.perf_counter() - started)


def postgres_database() -> str | None:
    try:
        import psycopg
    except ImportError:
        return None
    try:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
            conn.execute(f"CREATE DATABASE {PG_DB}")
    except psycopg.Error as error:
        print(f"PostgreSQL unavailable ({error}); skipping it")
        return None
    return f"{PG_SERVER}/{PG_DB}"


def drop_postgres_database():
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        paths = write_corpus(corpus, args.count)
        rows = [("pipeline only (1 core)", pipeline_rate(paths), "")]

        sqlite_url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        rate, out = import_rate(corpus, args.count, sqlite_url)
        rows.append(("import, SQLite", rate, out))

        if not args.skip_postgres and (pg_url := postgres_database()):
            try:
                rate, out = import_rate(corpus, args.count, pg_url)
                rows.append(("import, PostgreSQL", rate, out))
            finally:
                drop_postgres_database()

    baseline = rows[0][1]
    print(f"\n{args.count} generated articles")
    print(f"{'measurement':<26}{'articles/s':>12}{'vs pipeline':>13}")
    for label, value, _ in rows:
        print(f"{label:<26}{value:>12.0f}{value / baseline:>13.2f}")
    for label, _, out in rows[1:]:
        print(f"\n{label}:\n{out}")


if __name__ == "__main__":
    main()
