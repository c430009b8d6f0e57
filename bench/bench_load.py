"""Mixed load over real HTTP: readers, editors' API writes and an import, on gunicorn (issue 12).

    .venv/bin/python bench/bench_load.py [--articles 400] [--seconds 20] [--workers 4]
                                         [--worker-class sync] [--corrections 0.1]
                                         [--grace SECONDS] [--import-nice 10] [--import-db-nice 0]
                                         [--skip-sqlite] [--skip-postgres]

For each database (SQLite in a file; PostgreSQL with Redis as the shared cache) it builds a
fresh database from the generated corpus, starts gunicorn on loopback and then:

1. **capacity**: closed-loop readers (as many as the server has workers, times four) fetch
   public pages and API lists as fast as they can for ``--seconds``: the read-only
   throughput the machine sustains;
2. **mixed load**: readers arrive open-loop at *half* that rate (latency counted from the
   moment each request was due, so a stalled server cannot hide its queue), while two
   editors review quotes through the API (confirming each; ``--corrections`` rejects a
   share instead) and an import of new stories runs.

The server runs with the repository's ``gunicorn.conf.py`` (threaded workers), as in
production; ``--worker-class sync`` and ``--grace 0`` measure without either.

It reports throughput, p50/p99 and every error and 5xx. Target: 0 errors, 0 5xx, p99 under
1 s in the mixed phase. Figures, not pass/fail.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import queue
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote as urlquote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_api import free_port  # noqa: E402
from bench.corpus import write_corpus  # noqa: E402

PG_SERVER = os.environ.get("BENCH_POSTGRES_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_DB = "newsroom_bench_load"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
UNLIMITED = "100000000/min"  # every client is 127.0.0.1 here: throttles would measure themselves


def environment(database_url: str, **extra) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SECRET_KEY=env.get("DJANGO_SECRET_KEY") or "bench-" + "x" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",
        NEWSROOM_API_ANON_RATE=UNLIMITED,
        NEWSROOM_API_USER_RATE=UNLIMITED,
        NEWSROOM_SITE_ANON_RATE=UNLIMITED,
        PYTHONWARNINGS="ignore",
    )
    env.pop("DJANGO_DEBUG", None)
    env.update(extra)
    return env


def manage(*args, env) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return result.stdout


# --- the server and the clients ---------------------------------------------------------------


class Server:
    def __init__(self, env: dict, workers: int, worker_class: str | None = None):
        self.port = free_port()
        # Everything else from the repository's gunicorn.conf.py, as in production.
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "newsroom.wsgi:application",
                f"--bind=127.0.0.1:{self.port}",
                f"--workers={workers}",
                *([f"--worker-class={worker_class}"] if worker_class else []),
                "--log-level=warning",
                "--timeout=60",
            ],
            env=env,
            cwd=ROOT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if Client(self.port).request("GET", "/robots.txt")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


class Client:
    """One keep-alive connection; reconnects when the server closes it."""

    def __init__(self, port: int, token: str | None = None):
        self.port, self.token, self.conn = port, token, None

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        headers = {"Accept": "application/json, text/html"}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        payload = None
        if body is not None:
            payload = json.dumps(body)
            headers["Content-Type"] = "application/json"
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.conn.request(method, path, body=payload, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
                continue
            if response.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            return response.status, data
        raise AssertionError("unreachable")


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, status: int | None, failure: str = "") -> None:
        with self.lock:
            self.latencies.append(seconds)
            if status is not None:
                self.statuses[status] = self.statuses.get(status, 0) + 1
            if failure:
                self.failures.append(failure)

    @property
    def errors(self) -> int:
        bad = sum(n for status, n in self.statuses.items() if status >= 400)
        return bad + len(self.failures)

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))]

    def summary(self) -> str:
        p50, p99 = self.percentile(0.5) * 1000, self.percentile(0.99) * 1000
        return (
            f"p50 {p50:6.1f} ms   p99 {p99:7.1f} ms"
            f"   errors {self.errors}   5xx {self.server_errors}"
        )


def reader_paths(port: int) -> list[str]:
    """Public pages and API lists, with real slugs and ids taken from the API."""
    client = Client(port)

    def listing(path):
        status, body = client.request("GET", path)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")
        return json.loads(body)["results"]

    articles = listing("/api/v1/articles/?page_size=20")
    people = listing("/api/v1/people/?page_size=20")
    quotes = listing("/api/v1/quotes/?page_size=20")
    tags = listing("/api/v1/tags/?page_size=20")
    paths = ["/", "/people/", "/events/", "/search/?q=said", "/feeds/articles/rss/"]
    paths += ["/api/v1/articles/", "/api/v1/quotes/", "/api/v1/people/", "/api/v1/events/"]
    paths += [f"/articles/{a['slug']}/" for a in articles]
    paths += [f"/people/{p['slug']}/" for p in people]
    paths += [f"/quotes/{q['id']}/" for q in quotes]
    paths += [f"/tags/{t['slug']}/" for t in tags]
    paths += [f"/api/v1/articles/{a['slug']}/" for a in articles[:5]]
    paths += [f"/search/?q={urlquote(p['name'].split()[-1])}" for p in people[:5]]
    return paths


def read_one(client: Client, path: str, due: float, tally: Tally) -> None:
    try:
        status, _ = client.request("GET", path)
    except OSError as error:
        tally.add(time.perf_counter() - due, None, f"{path}: {error}")
        return
    tally.add(time.perf_counter() - due, status, "" if status < 400 else f"{path}: {status}")


def closed_loop(port: int, paths: list[str], clients: int, seconds: float) -> tuple[Tally, float]:
    tally, stop = Tally(), time.perf_counter() + seconds

    def run(seed):
        rng, client = random.Random(seed), Client(port)
        while time.perf_counter() < stop:
            read_one(client, rng.choice(paths), time.perf_counter(), tally)

    started = time.perf_counter()
    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, len(tally.latencies) / (time.perf_counter() - started)


def open_loop(port: int, paths: list[str], rate: float, seconds: float) -> tuple[Tally, float]:
    """Requests due at a fixed rate, sent by a pool of clients; latency counts from the due
    time, so queueing inside a slow server shows (no coordinated omission)."""
    tally, due_times = Tally(), queue.Queue()
    rng = random.Random(7)
    count = int(rate * seconds)
    start = time.perf_counter() + 0.2
    for n in range(count):
        due_times.put((start + n / rate, rng.choice(paths)))

    def run():
        client = Client(port)
        while True:
            try:
                due, path = due_times.get_nowait()
            except queue.Empty:
                return
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            read_one(client, path, due, tally)

    threads = [threading.Thread(target=run) for _ in range(64)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, len(tally.latencies) / (time.perf_counter() - start)


def editor(
    port: int,
    token: str,
    quote_ids: list[int],
    stop: threading.Event,
    tally: Tally,
    corrections: float,
    seed: int,
):
    """Review this editor's own unreviewed quotes one after another, each write with its
    version: confirm each, except a share ``corrections`` that is rejected instead (a
    correction withdraws a public quote, so it reaches readers at once)."""
    client, rng = Client(port, token), random.Random(seed)
    n = 0
    while not stop.is_set():
        pk = quote_ids[n % len(quote_ids)]
        action = "reject" if rng.random() < corrections else "confirm"
        n += 1
        started = time.perf_counter()
        try:
            status, body = client.request("GET", f"/api/v1/quotes/{pk}/")
            if status != 200:  # no version to send: a write without one is refused (428)
                tally.add(time.perf_counter() - started, status, f"editor GET {pk}: {status}")
                time.sleep(0.1)
                continue
            version = json.loads(body)["version"]
            status, body = client.request(
                "POST", f"/api/v1/quotes/{pk}/{action}/", {"version": version}
            )
        except OSError as error:
            tally.add(time.perf_counter() - started, None, f"editor: {error}")
            continue
        failure = "" if status < 400 else f"editor {action} {pk}: {status} {body[:120]!r}"
        tally.add(time.perf_counter() - started, status, failure)
        time.sleep(0.1)


# --- one database -----------------------------------------------------------------------------


def prepare(env: dict, corpus: Path) -> str:
    manage("migrate", "-v0", env=env)
    manage("collectstatic", "--noinput", "-v0", env=env)
    manage("import_articles", "--publish", str(corpus), env=env)
    manage("ensure_editor", "--username", "bench-editor", env=env)
    out = manage("drf_create_token", "bench-editor", env=env)
    return out.split()[2]  # "Generated token <key> for user bench-editor"


def editor_quote_ids(port: int, token: str, paths: list[str]) -> list[int]:
    """Unreviewed quotes the readers do not fetch (a quote an editor rejects is rightly a
    404 to them): enough for every write of the phase to review a different quote."""
    client, ids, page = Client(port, token), [], 1
    read = {path for path in paths if path.startswith("/quotes/")}
    while len(ids) < 1000:
        status, body = client.request(
            "GET", f"/api/v1/quotes/?status=auto&page_size=100&page={page}"
        )
        if status != 200:
            break
        data = json.loads(body)
        ids += [q["id"] for q in data["results"] if f"/quotes/{q['id']}/" not in read]
        if not data["next"]:
            break
        page += 1
    return ids


IMPORT_APPLICATION = "newsroom-bench-import"


def renice_backends(database_url: str, nice: int, stop: threading.Event) -> None:
    """Give the PostgreSQL backends of the import's sessions the import's nice level, as
    they appear (the bench runs PostgreSQL on this host, as root or as its owner)."""
    import psycopg

    done: set[int] = set()
    with psycopg.connect(database_url, autocommit=True) as conn:
        while not stop.is_set():
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                [IMPORT_APPLICATION],
            ).fetchall()
            for (pid,) in rows:
                if pid not in done:
                    with contextlib.suppress(OSError):
                        os.setpriority(os.PRIO_PROCESS, pid, nice)
                    done.add(pid)
            stop.wait(0.2)


def run_database(label: str, env: dict, args, corpus: Path, extra_corpus: Path) -> None:
    token = prepare(env, corpus)
    server = Server(env, args.workers, args.worker_class)
    try:
        paths = reader_paths(server.port)
        closed_loop(server.port, paths, args.workers, 3)  # warm every worker
        capacity_tally, capacity = closed_loop(server.port, paths, args.workers * 4, args.seconds)
        rate = capacity / 2
        ids = editor_quote_ids(server.port, token, paths)
        stop, editors = threading.Event(), Tally()
        writers = [
            threading.Thread(
                target=editor,
                args=(server.port, token, ids[k::2], stop, editors, args.corrections, k),
            )
            for k in range(2)
        ]
        # A batch job sharing the host with the web workers runs at a lower CPU priority
        # (README, "Production"): readers first, the import takes what is left.
        nice = ["nice", "-n", str(args.import_nice)] if args.import_nice else []
        import_env = env
        renicer = None
        if args.import_db_nice and env["DATABASE_URL"].startswith("postgres"):
            # The import's database session gets the same low priority as the import: on
            # one host its PostgreSQL backend (bulk inserts, index writes) competes with the
            # readers' queries for the same CPUs.
            separator = "&" if "?" in env["DATABASE_URL"] else "?"
            url = f"{env['DATABASE_URL']}{separator}application_name={IMPORT_APPLICATION}"
            import_env = dict(env, DATABASE_URL=url)
            renicer = threading.Thread(
                target=renice_backends,
                args=(env["DATABASE_URL"], args.import_nice, stop),
                daemon=True,
            )
        importer = subprocess.Popen(
            [*nice, sys.executable, "manage.py", "import_articles", "--publish", str(extra_corpus)],
            cwd=ROOT,
            env=import_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        if renicer is not None:
            renicer.start()
        for writer in writers:
            writer.start()
        mixed, achieved = open_loop(server.port, paths, rate, args.seconds)
        stop.set()
        for writer in writers:
            writer.join()
        _, import_err = importer.communicate(timeout=600)
    finally:
        server.stop()

    grace = env.get("NEWSROOM_ADDITIONS_GRACE_SECONDS", "default")
    print(
        f"\n== {label}: {args.workers} gunicorn workers ({args.worker_class or 'gthread'}),"
        f" {len(paths)} URLs, additions grace {grace}, corrections {args.corrections:.0%},"
        f" import nice {args.import_nice}"
        f"{' (its database session too)' if args.import_db_nice else ''}"
    )
    print(f"read-only capacity   {capacity:7.1f} req/s   {capacity_tally.summary()}")
    print(f"mixed: readers       {achieved:7.1f} req/s (offered {rate:.1f})   {mixed.summary()}")
    print(f"mixed: editor writes {len(editors.latencies):7d} done   {editors.summary()}")
    print(
        f"mixed: import        exit {importer.returncode}"
        + (f"   {import_err.strip().splitlines()[-1]}" if importer.returncode else "")
    )
    for failure in (mixed.failures + editors.failures)[:5]:
        print(f"  e.g. {failure}")
    verdict = (
        mixed.errors == 0
        and editors.errors == 0
        and importer.returncode == 0
        and mixed.percentile(0.99) < 1.0
    )
    print(
        f"load {label.split()[0].lower()} capacity={capacity:.1f} offered={rate:.1f} "
        f"p50_ms={mixed.percentile(0.5) * 1000:.1f} p99_ms={mixed.percentile(0.99) * 1000:.1f} "
        f"editor_p99_ms={editors.percentile(0.99) * 1000:.1f} "
        f"errors={mixed.errors + editors.errors} server_errors="
        f"{mixed.server_errors + editors.server_errors} target_met={verdict}"
    )


def postgres_url() -> str | None:
    try:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {PG_DB}")
    except Exception as error:
        print(f"PostgreSQL skipped: {error}")
        return None
    return f"{PG_SERVER}/{PG_DB}"


def redis_available() -> bool:
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.flushdb()
        return True
    except Exception as error:
        print(f"Redis unavailable ({error}): PostgreSQL runs with the per-process cache")
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--import-articles", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=min(4, os.cpu_count() or 2))
    parser.add_argument(
        "--worker-class",
        default=None,
        help="gunicorn worker class (default: gunicorn.conf.py's, threaded); 'sync' to compare",
    )
    parser.add_argument(
        "--corrections",
        type=float,
        default=0.0,
        help="share of editor writes that reject instead of confirm (default 0: confirming)",
    )
    parser.add_argument(
        "--grace",
        type=int,
        default=None,
        help="NEWSROOM_ADDITIONS_GRACE_SECONDS for the server (default: the setting's)",
    )
    parser.add_argument(
        "--import-nice",
        type=int,
        default=10,
        help="nice level of the import in the mixed phase (default 10; 0: same as the server)",
    )
    parser.add_argument(
        "--import-db-nice",
        type=int,
        default=1,
        help="give the import's PostgreSQL backend the import's nice level too (default 1; 0: no)",
    )
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    if args.grace is not None:
        os.environ["NEWSROOM_ADDITIONS_GRACE_SECONDS"] = str(args.grace)

    tmp = Path(tempfile.mkdtemp(prefix="newsroom-load-"))
    try:
        corpus, extra = tmp / "corpus", tmp / "more"
        write_corpus(corpus, args.articles, seed=1)
        write_corpus(extra, args.import_articles, seed=2)
        print(
            f"{args.articles} articles imported before, {args.import_articles} imported during "
            f"the mixed phase; {args.seconds:.0f} s per phase; {os.cpu_count()} CPUs"
        )
        if not args.skip_sqlite:
            env = environment(f"sqlite:///{tmp / 'load.sqlite3'}")
            run_database("SQLite", env, args, corpus, extra)
        if not args.skip_postgres and (url := postgres_url()):
            extra_env = {"REDIS_URL": REDIS_URL} if redis_available() else {}
            run_database("PostgreSQL + Redis", environment(url, **extra_env), args, corpus, extra)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
