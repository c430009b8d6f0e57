"""Requests per second of the API's public lists (``GET /api/v1/<list>/?page_size=20``)
against hand-written plain Django views returning the same JSON (``bench/bench_urls.py``),
over real HTTP on loopback (issues 4 and 12).

    .venv/bin/python bench/bench_api.py [--articles 200] [--requests 2000] [--threads 4]
                                        [--rounds 10] [--lists articles people quotes events tags]

Builds a throw-away SQLite database, starts gunicorn (2 workers) on a free port twice —
once with the API's response cache on (the default; articles only), once with it off (every
list) — and drives each URL with a bounded number of keep-alive requests from a few
threads, the two alternating in short rounds. Prints each side's best rate and the median
ratio API / hand-written of neighbouring rounds per list (target ≥ 0.9 with the cache off)
and whether the JSON is identical. The rate limits are off on both sides. A measurement,
not a pass/fail test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LISTS = ("articles", "people", "quotes", "events", "tags")


def paths(name: str) -> tuple[str, str]:
    return f"/api/v1/{name}/?page_size=20", f"/bench/{name}/?page_size=20"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(db_path: Path, **extra) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.bench_settings",
        DATABASE_URL=f"sqlite:///{db_path}",
        DJANGO_SECRET_KEY=env.get("DJANGO_SECRET_KEY") or "bench-" + "x" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",
        # Every client is 127.0.0.1: the rate limits are off on both sides (the API's
        # throttle, and the public-page limit that would answer /bench/ with 429s). Counting
        # in the file cache costs the same on both sides (several ms, a rename per request)
        # and would only dilute and blur the ratio; its directory is this run's own anyway.
        NEWSROOM_API_ANON_RATE="off",
        NEWSROOM_SITE_ANON_RATE="off",
        NEWSROOM_THROTTLE_CACHE_DIR=str(db_path.parent / "throttle"),
        PYTHONPATH=str(ROOT),
        PYTHONWARNINGS="ignore",
    )
    env.pop("DJANGO_DEBUG", None)
    env.update(extra)
    return env


POPULATE = """
import datetime as dt, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from tests.factories import (make_alias, make_article, make_event, make_mention, make_person,
                             make_quote, make_tag)
tags = [make_tag(f"Topic {n}") for n in range(10)]
people = [make_person(f"Person Number{n}", description=f"Role {n}") for n in range(40)]
for n, person in enumerate(people):
    make_alias(person, f"Number{n}")
for n in range(ARTICLES):
    a = make_article(f"Story {n}", body="Words " * 300,
                     published_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=n))
    a.tags.add(tags[n % 10], tags[(n + 3) % 10])
    for k in range(3):
        make_mention(a, people[(n + k * 7) % 40], start=k * 10, end=k * 10 + 5)
    make_quote(a, text="Words Words", speaker=people[n % 40], start=0, end=11)
    make_quote(a, text="Words", speaker=None, speaker_label="one fan", start=12, end=17)
    make_event(a, summary=f"Event {n}", date=dt.date(2024, 1, 1) + dt.timedelta(days=n % 300),
               date_precision="day", people=[people[n % 40], people[(n + 1) % 40]])
"""


def populate(db_path: Path, articles: int) -> None:
    code = POPULATE.replace("ARTICLES", str(articles))
    subprocess.run([sys.executable, "-c", code], env=environment(db_path), cwd=ROOT, check=True)


class Server:
    def __init__(self, db_path: Path, **extra_env):
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "newsroom.wsgi:application",
                f"--bind=127.0.0.1:{self.port}",
                "--workers=2",
                "--log-level=warning",
            ],
            env=environment(db_path, **extra_env),
            cwd=ROOT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                status, _ = get(self.port, "/api/v1/tags/")
                if status == 200:
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def requests_per_second(port: int, path: str, total: int, threads: int) -> float:
    """Bounded load: ``total`` keep-alive GETs split over ``threads`` client threads."""
    per_thread = total // threads
    errors = []

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for _ in range(per_thread):
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(response.status)
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
        conn.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    start = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"{len(errors)} failed requests, e.g. {errors[0]}")
    return per_thread * threads / elapsed


def measure(port: int, api_path: str, plain_path: str, total: int, threads: int, rounds: int):
    """Each side's best requests per second, and the median of the ratios of paired rounds.

    The two sides alternate in short rounds; on a machine shared with other work the load
    changes between rounds, and a ratio of two neighbouring rounds is far steadier than a
    ratio of two bests taken minutes apart."""
    for path in (api_path, plain_path):  # warm up both workers and caches
        requests_per_second(port, path, 40, 4)
    apis, plains = [], []
    for _ in range(rounds):
        apis.append(requests_per_second(port, api_path, total // rounds, threads))
        plains.append(requests_per_second(port, plain_path, total // rounds, threads))
    return (
        max(apis),
        max(plains),
        statistics.median(a / p for a, p in zip(apis, plains, strict=True)),
    )


def show_difference(api: dict, plain: dict) -> None:
    for key in api:
        if api[key] != plain.get(key):
            first = api[key][0] if key == "results" else api[key]
            other = plain.get(key)[0] if key == "results" else plain.get(key)
            print(f"  differs in {key}: API {first!r}\n  hand-written {other!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=10, help="alternating rounds per list")
    parser.add_argument("--lists", nargs="+", choices=LISTS, default=list(LISTS))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.sqlite3"
        populate(db_path, args.articles)
        print(
            f"{args.articles} published articles; {args.requests} requests per figure, "
            f"{args.threads} client threads, gunicorn 2 workers, {dt.date.today()}"
        )
        for label, extra, lists in (
            ("response cache on (default)", {}, [n for n in args.lists if n == "articles"]),
            ("response cache off", {"NEWSROOM_API_RESPONSE_CACHE_SECONDS": "0"}, args.lists),
        ):
            if not lists:
                continue
            server = Server(db_path, **extra)
            try:
                for name in lists:
                    api_path, plain_path = paths(name)
                    _, api_body = get(server.port, api_path)
                    _, plain_body = get(server.port, plain_path)
                    same = json.loads(api_body) == json.loads(plain_body)
                    if not same:
                        show_difference(json.loads(api_body), json.loads(plain_body))
                    api, plain, ratio = measure(
                        server.port, api_path, plain_path, args.requests, args.threads, args.rounds
                    )
                    print(
                        f"{name:<9} {label:<28} API {api:6.0f} req/s   hand-written "
                        f"{plain:6.0f} req/s   ratio {ratio:.2f}   identical JSON: {same}"
                    )
            finally:
                server.stop()


if __name__ == "__main__":
    main()
