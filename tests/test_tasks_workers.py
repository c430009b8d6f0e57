"""Background imports with real worker processes (issue 13).

A folder of generated stories that name the same people over and over is queued in
several batches, then taken by two worker processes at once: the database worker
(`db_worker`, the default backend) on the suite's database engine, and RQ workers on
Redis (database 13 of the local server; skipped when Redis is down). Afterwards no
person, article or quote exists twice and the run's counts are the rows written.

The workers need a database they can see, which the test's own (inside a transaction, or
in memory) is not: each test migrates a database of its own, a file for SQLite and
``<test database>_workers`` on the PostgreSQL server of the suite. Every process started
is stopped, whatever happens.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from bench.corpus import write_corpus

ROOT = Path(settings.BASE_DIR)
MANAGE = [sys.executable, str(ROOT / "manage.py")]
STORIES = 120
BATCH = 4  # thirty tasks: imports are fast (batched), so both workers must find work left
RQ_DATABASE = 13  # the only Redis database these tests may use
WORKER_TIMEOUT = 600


@pytest.fixture
def live_database(tmp_path):
    """(DATABASE_URL, run(sql) -> rows) for a fresh database on the suite's engine."""
    if connection.vendor == "sqlite":
        path = tmp_path / "workers.sqlite3"

        def query(sql):
            with closing(sqlite3.connect(path)) as db:
                return db.execute(sql).fetchall()

        yield f"sqlite:///{path}", query
        return
    import psycopg

    params = connection.settings_dict
    # Named after the suite's test database, so that two suites side by side never meet.
    name = f"{params['NAME']}_workers"
    server = {
        "host": params["HOST"] or "127.0.0.1",
        "port": params["PORT"] or 5432,
        "user": params["USER"],
        "password": params["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    auth = server["user"] + (f":{server['password']}" if server["password"] else "")
    url = f"postgres://{auth}@{server['host']}:{server['port']}/{name}"

    def query(sql):
        with psycopg.connect(dbname=name, **server) as db:
            return db.execute(sql).fetchall()

    try:
        yield url, query
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def environment(database_url, **extra):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_DEBUG", "REDIS_URL", "NEWSROOM_RQ_URL", "NEWSROOM_TASKS"}
    }
    env.update(DATABASE_URL=database_url, DJANGO_SECRET_KEY=settings.SECRET_KEY, **extra)
    return env


def manage(*args, env):
    done = subprocess.run(
        [*MANAGE, *map(str, args)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@contextmanager
def workers(commands, *, env, logs: Path):
    """Start one process per command (each in its own process group, so that RQ's forked
    work horses go with it); stop them all on the way out, however it is left."""
    started = []
    try:
        for number, command in enumerate(commands):
            log = (logs / f"worker-{number}.log").open("w")
            started.append(
                subprocess.Popen(
                    command,
                    env=env,
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        yield started
    finally:
        for process in started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_for(processes, logs: Path):
    for number, process in enumerate(processes):
        try:
            process.wait(timeout=WORKER_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"worker {number} still running after {WORKER_TIMEOUT} s")
        log = (logs / f"worker-{number}.log").read_text()
        assert process.returncode == 0, log[-3000:]


def queue_corpus(tmp_path, env):
    corpus = tmp_path / "stories"
    write_corpus(corpus, STORIES)
    manage("migrate", "-v0", env=env)
    out = manage("import_articles", "--background", "--batch-size", BATCH, corpus, env=env)
    return int(re.search(r"Import run (\d+):", out).group(1))


def check_imported_once(query, run_id):
    """No person, article or quote twice; the run counted exactly the rows written."""
    people = query("SELECT COUNT(*) FROM people_person")[0][0]
    articles = query("SELECT COUNT(*) FROM articles_article")[0][0]
    quotes = query("SELECT COUNT(*) FROM articles_quote")[0][0]
    assert people > 10 and articles == STORIES and quotes > STORIES
    assert (
        query(
            "SELECT name_normalized FROM people_person GROUP BY name_normalized HAVING COUNT(*) > 1"
        )
        == []
    )
    assert (
        query(
            "SELECT source_sha256 FROM articles_article GROUP BY source_sha256 HAVING COUNT(*) > 1"
        )
        == []
    )
    assert (
        query(
            'SELECT article_id, "start", "end" FROM articles_quote'
            ' GROUP BY article_id, "start", "end" HAVING COUNT(*) > 1'
        )
        == []
    )
    (run,) = query(
        "SELECT status, total, done, created, updated, unchanged, failed, people_created,"
        f" quotes_created FROM articles_importrun WHERE id = {run_id}"
    )
    assert run == ("finished", STORIES, STORIES, STORIES, 0, 0, 0, people, quotes)
    files = query(
        f"SELECT COUNT(DISTINCT position) FROM articles_importrunfile WHERE run_id = {run_id}"
    )
    assert files == [(STORIES,)]


@pytest.mark.django_db  # the suite's test database names the workers' one
def test_two_database_workers_import_overlapping_stories_once(tmp_path, live_database):
    """The default backend: two `db_worker` processes share the batches of one run."""
    database_url, query = live_database
    env = environment(database_url, NEWSROOM_TASKS="db")
    run_id = queue_corpus(tmp_path, env)
    command = [*MANAGE, "db_worker", "--batch", "--no-startup-delay", "--no-reload"]
    with workers(
        [[*command, "--worker-id", f"worker-{n}"] for n in (1, 2)], env=env, logs=tmp_path
    ) as processes:
        wait_for(processes, tmp_path)
    check_imported_once(query, run_id)
    # Both workers took batches, and every task succeeded.
    tasks = query("SELECT status, worker_ids FROM django_tasks_database_dbtaskresult")
    assert len(tasks) == STORIES // BATCH
    assert {status for status, _ in tasks} == {"SUCCESSFUL"}
    assert {worker for _, ids in tasks for worker in re.findall(r"worker-\d", str(ids))} == {
        "worker-1",
        "worker-2",
    }


@pytest.fixture
def redis_queue():
    """Database 13 of the local Redis, empty before and after; skip when Redis is down."""
    import redis

    url = f"redis://127.0.0.1:6379/{RQ_DATABASE}"
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis is not reachable: {error}")
    client.flushdb()
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


@pytest.mark.django_db
def test_two_rq_workers_import_overlapping_stories_once(tmp_path, live_database, redis_queue):
    """Production's backend: the tasks go to Redis and two RQ workers run them."""
    database_url, query = live_database
    env = environment(database_url, NEWSROOM_TASKS="rq", NEWSROOM_RQ_URL=redis_queue)
    run_id = queue_corpus(tmp_path, env)
    command = [*MANAGE, "rqworker", "--job-class", "django_tasks_rq.Job", "--burst", "default"]
    with workers([command, command], env=env, logs=tmp_path) as processes:
        wait_for(processes, tmp_path)
    check_imported_once(query, run_id)
    status = manage("import_status", run_id, env=env)
    assert f"Import run {run_id}: finished, {STORIES} of {STORIES} files" in status
