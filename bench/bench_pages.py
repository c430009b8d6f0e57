"""Every public page at 100,000 articles, on SQLite and PostgreSQL (issue 12).

    .venv/bin/python bench/bench_pages.py [--articles 100000] [--repeat 5]
                                          [--skip-sqlite] [--skip-postgres]
                                          [--page-timeout 20]
                                          [--database-name bench_pages] [--keep-database]
                                          [--sqlite-file PATH]

For each engine, in a child process with its own database (a temporary SQLite file; the
PostgreSQL database ``bench_pages``, created and dropped here): migrate, write a
deterministic archive straight into the tables (``bench_search.Generator``: articles, 10%
drafts, people, aliases, mentions, quotes; plus tags, events and one person quoted about
13,000 times; bulk SQL, no signals, then the quotes' and mentions' copy of their article's
status and date, as ``copy_article_state`` writes it), build the search index, refresh the planner's
statistics (as an import does), then request every public page in-process (Django's test
client; page and API response caches off, throttles lifted): home, an article, a quote,
the people list, a person and the much-quoted person, events, a large and a small tag,
search with a common and a rare word, the sitemap (and its first section when it is an
index), the feeds and the API lists. Prints p50 and max milliseconds and the SQL query count
per page, flags pages over the 200 ms target, and lists every sequential scan (PostgreSQL,
``EXPLAIN``) or full table scan (SQLite, ``EXPLAIN QUERY PLAN``) of a big table in the
page's queries. A request is cut off after ``--page-timeout`` seconds (statement timeout
on PostgreSQL, a progress handler on SQLite) and reported as a timeout.

Figures, not a pass/fail test; it requests main's URLs, so it reports what is slow before
and after a change.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_SERVER = os.environ.get("BENCH_POSTGRES_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_DB = "bench_pages"  # --database-name: two benches on one server need two names
TARGET_MS = 200
BIG_QUOTES = 13_000
BIG_TABLES = {
    "articles_article",
    "articles_article_tags",
    "articles_quote",
    "articles_mention",
    "articles_event",
    "articles_event_people",
    "people_person",
    "people_alias",
    "search_searchentry",
}


# --- The child: one engine ----------------------------------------------------------------


def build(articles: int) -> dict:
    """Write the archive; return the slugs and ids the pages need."""
    from django.db import connection, transaction

    from articles.models import Quote, copy_article_state
    from articles.statistics import refresh_statistics
    from bench.bench_search import Generator
    from search import index

    generator = Generator()
    rng = generator.rng
    started = time.perf_counter()
    with transaction.atomic():
        generator.add_people(max(2000, articles // 5))
        step = 10_000
        while generator.articles < articles:
            generator.add_articles(min(step, articles - generator.articles))
        tags = [(f"Topic {n}", f"topic-{n}", "") for n in range(300)]
        generator.insert("articles_tag", ["name", "slug", "description"], tags)
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM articles_tag ORDER BY id")
            tag_ids = [row[0] for row in cursor.fetchall()]
            cursor.execute("SELECT id FROM articles_article ORDER BY id")
            article_ids = [row[0] for row in cursor.fetchall()]
        # Skewed: the first tag is on about a third of the stories.
        weights = [1.0 / (rank + 2) for rank in range(len(tag_ids))]
        article_tags, events, plans = [], [], []
        for article_id in article_ids:
            chosen = set(rng.choices(tag_ids, weights=weights, k=rng.randint(1, 3)))
            article_tags += [(article_id, tag_id) for tag_id in chosen]
            if rng.random() < 0.5:
                day = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(1600))
                events.append((article_id, generator.sentence(4, 9)[:400], day, "day", 0, 10))
                plans.append(rng.sample(generator.people, k=rng.randint(1, 2)))
        generator.insert("articles_article_tags", ["article_id", "tag_id"], article_tags)
        before = generator.max_id("articles_event")
        generator.insert(
            "articles_event",
            ["article_id", "summary", "date", "date_precision", "start", "end"],
            events,
        )
        event_ids = generator.ids("articles_event", before)
        generator.insert(
            "articles_event_people",
            ["event_id", "person_id"],
            [
                (event_id, person_id)
                for event_id, people in zip(event_ids, plans, strict=True)
                for person_id, _ in people
            ],
        )
        # One person quoted in BIG_QUOTES published stories (a prolific minister).
        generator.add_people(1)
        big_id, big_name = generator.people[-1]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM articles_article WHERE status = 'published'"
                " ORDER BY id DESC LIMIT %s",
                [BIG_QUOTES],
            )
            quoted = [row[0] for row in cursor.fetchall()]
        generator.insert(
            "articles_mention",
            ["article_id", "person_id", "start", "end"],
            [(article_id, big_id, 900_000, 900_000 + len(big_name)) for article_id in quoted],
        )
        generator.insert(
            "articles_quote",
            [
                "article_id", "text", "speaker_id", "speaker_label", "start", "end", "partial",
                "attribution_rule", "confidence", "status", "speaker_corrected", "version",
            ],
            [
                (article_id, generator.sentence(8, 20), big_id, "", 600, 640, False, "bench",
                 0.95, "confirmed", False, 1)
                for article_id in quoted
            ],
        )  # fmt: skip
        # Most quotes sure enough to be public (the publish gate's default is 0.98).
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE articles_quote SET confidence = 0.99 WHERE status = 'auto' AND id % 5 <> 0"
            )
        # Raw SQL bypasses the models: give quotes and mentions their copy of the article.
        copy_article_state()
    generated = time.perf_counter() - started
    started = time.perf_counter()
    index.rebuild()
    indexed = time.perf_counter() - started
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        # What autovacuum does after a bulk load (it may be off on a test server): fresh
        # statistics and a visibility map, without which no index-only scan is planned.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    else:
        refresh_statistics()
    analysed = time.perf_counter() - started
    print(
        f"{connection.vendor}: {articles} articles written in {generated:.0f}s, search index"
        f" built in {indexed:.0f}s, statistics in {analysed:.1f}s",
        flush=True,
    )
    with connection.cursor() as cursor:

        def one(sql, params=()):
            cursor.execute(sql, params)
            row = cursor.fetchone()
            return row[0] if row else None

        return {
            "article": one(
                "SELECT slug FROM articles_article WHERE status = 'published'"
                " ORDER BY published_at DESC LIMIT 1"
            ),
            "person": one(
                "SELECT p.slug FROM people_person p JOIN articles_mention m ON m.person_id = p.id"
                " JOIN articles_article a ON a.id = m.article_id AND a.status = 'published'"
                " WHERE p.id = %s LIMIT 1",
                [generator.people[len(generator.people) // 2][0]],
            ),
            "big_person": one("SELECT slug FROM people_person WHERE id = %s", [big_id]),
            "quote": Quote.objects.public().order_by("-pk").values_list("pk", flat=True)[0],
            "big_tag": "topic-0",
            "small_tag": "topic-299",
            "rare_word": generator.vocabulary[-1],
        }


def pages(found: dict) -> list[tuple[str, str]]:
    return [
        ("home", "/"),
        ("article", f"/articles/{found['article']}/"),
        ("quote", f"/quotes/{found['quote']}/"),
        ("people list", "/people/"),
        ("people list p.50", "/people/?page=50"),
        ("person", f"/people/{found['person']}/"),
        (f"person, {BIG_QUOTES} quotes", f"/people/{found['big_person']}/"),
        ("events", "/events/"),
        ("events of a person", f"/events/?person={found['person']}"),
        ("tag (1/3 of stories)", f"/tags/{found['big_tag']}/"),
        ("tag (small)", f"/tags/{found['small_tag']}/"),
        ("search, common word", "/search/?q=government"),
        ("search, two words", "/search/?q=minister+budget"),
        ("search, rare word", f"/search/?q={found['rare_word']}"),
        ("sitemap.xml", "/sitemap.xml"),
        ("feed articles rss", "/feeds/articles/rss/"),
        ("feed tag rss", f"/feeds/tags/{found['big_tag']}/rss/"),
        ("feed person rss", f"/feeds/people/{found['big_person']}/rss/"),
        ("api articles", "/api/v1/articles/"),
        ("api people", "/api/v1/people/"),
        ("api quotes", "/api/v1/quotes/"),
        ("api events", "/api/v1/events/"),
        ("api tags", "/api/v1/tags/"),
        ("api person timeline", f"/api/v1/people/{found['big_person']}/timeline/"),
        ("api search", "/api/v1/articles/?q=government"),
    ]


class Deadline:
    """Cuts off a request's SQL after ``seconds``: statement_timeout on PostgreSQL (every
    connection), ``interrupt()`` from a timer thread on SQLite."""

    def __init__(self, seconds: float):
        from django.db import connections
        from django.db.backends.signals import connection_created

        self.seconds = seconds
        # This thread's wrapper (django.db.connection would be the timer thread's).
        self.connection = connection = connections["default"]
        self.timer = None
        connection_created.connect(self._install, weak=False)
        if connection.connection is not None:
            self._install(None, connection)

    def _install(self, sender, connection, **kwargs):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = {int(self.seconds * 1000)}")

    def _interrupt(self):
        if (raw := self.connection.connection) is not None:
            raw.interrupt()

    def start(self):
        if self.connection.vendor == "sqlite":
            self.timer = threading.Timer(self.seconds, self._interrupt)
            self.timer.start()

    def stop(self):
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None


def scans(connection, sql_list: list[str]) -> list[str]:
    """Big tables read in full by the page's queries: 'table (rows)' per scan."""
    found = []
    with connection.cursor() as cursor:
        for sql in sql_list:
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            try:
                if connection.vendor == "postgresql":
                    cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
                    plan = cursor.fetchone()[0]
                    plan = plan[0]["Plan"] if isinstance(plan, list) else plan
                    stack = [plan]
                    while stack:
                        node = stack.pop()
                        stack += node.get("Plans", [])
                        table = node.get("Relation Name")
                        if node.get("Node Type") == "Seq Scan" and table in BIG_TABLES:
                            found.append(f"Seq Scan {table} (~{node.get('Plan Rows')} rows)")
                else:
                    cursor.execute("EXPLAIN QUERY PLAN " + sql)
                    for row in cursor.fetchall():
                        detail = row[-1]
                        match = re.match(r"SCAN (\w+)", detail)
                        if match and match.group(1) in BIG_TABLES and "INDEX" not in detail:
                            found.append(f"SCAN {match.group(1)}")
            except Exception:  # a statement EXPLAIN cannot take as text: skip it
                continue
    return sorted(set(found))


def run_engine(articles: int, repeat: int, page_timeout: float) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    django.setup()
    from django.core.management import call_command
    from django.core.signals import request_started
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import override_settings

    call_command("migrate", verbosity=0)
    found = build(articles)
    # Static files as in development (no collectstatic manifest in a throw-away checkout).
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override_settings(STORAGES=storages).enable()
    request_started.disconnect(reset_queries)  # queries are collected here, per request
    deadline = Deadline(page_timeout)
    client = Client()
    todo = pages(found)
    done: set[str] = set()
    rows = []
    while todo:
        name, url = todo.pop(0)
        if url in done:
            continue
        done.add(url)
        timings, status, error = [], None, ""
        for attempt in range(repeat + 1):  # the first is a warm-up
            deadline.start()
            began = time.perf_counter()
            try:
                response = client.get(url)
            except Exception as exc:  # cut off (or broken): report, go on
                error = f"{type(exc).__name__}: {str(exc)[:60]}"
                break
            finally:
                deadline.stop()
            elapsed = time.perf_counter() - began
            status = response.status_code
            if attempt:
                timings.append(elapsed)
            if elapsed > 2 and attempt >= 1:  # slow: one timed run is enough
                break
        queries, flags = 0, []
        if not error:
            connection.force_debug_cursor = True
            connection.queries_log.clear()
            try:
                deadline.start()
                response = client.get(url)
            finally:
                deadline.stop()
                connection.force_debug_cursor = False
            sql = [query["sql"] for query in connection.queries_log]
            queries = len(sql)
            flags = scans(connection, sql)
            body = response.content.decode(errors="replace")
            if "<sitemapindex" in body and (
                section := re.search(r"<loc>https?://[^/]+(/[^<]*)", body)
            ):
                todo.insert(0, ("sitemap section", section.group(1).replace("&amp;", "&")))
        rows.append((name, url, status, timings, queries, flags, error))
        p50 = statistics.median(timings) * 1000 if timings else float("nan")
        print(f"  {name:<26} {p50:9.1f} ms", file=sys.stderr, flush=True)

    print(f"\n{connection.vendor}, {articles} articles: {repeat} timed requests per page")
    print(f"{'page':<26} {'status':>6} {'p50 ms':>9} {'max ms':>9} {'SQL':>5}  notes")
    slow = []
    for name, url, status, timings, queries, flags, error in rows:
        if error:
            print(f"{name:<26} {'-':>6} {'-':>9} {'-':>9} {'-':>5}  {error}  {url}")
            slow.append(name)
            continue
        p50 = statistics.median(timings) * 1000
        worst = max(timings) * 1000
        over = worst > TARGET_MS
        if over:
            slow.append(name)
        notes = ("OVER TARGET  " if over else "") + "; ".join(flags)
        print(f"{name:<26} {status:>6} {p50:9.1f} {worst:9.1f} {queries:>5}  {notes}")
    print(
        f"{connection.vendor}: {len(rows) - len(slow)} of {len(rows)} pages under"
        f" {TARGET_MS} ms" + (f"; over: {', '.join(slow)}" if slow else ""),
        flush=True,
    )


# --- The parent: one child per engine ---------------------------------------------------------


def child(database_url: str, args) -> None:
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        DJANGO_SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY") or "bench-" + "x" * 50,
        DJANGO_ALLOWED_HOSTS="testserver,localhost,127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        NEWSROOM_API_RESPONSE_CACHE_SECONDS="0",
        NEWSROOM_API_ANON_RATE="100000000/min",
        # Building the archive (the search index's GIN index) may exceed the server-side
        # limit on a busy machine; requests are cut off by --page-timeout instead.
        NEWSROOM_DB_STATEMENT_TIMEOUT="0",
        PYTHONWARNINGS="ignore",
    )
    for name in ("DJANGO_DEBUG", "REDIS_URL", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)  # no shared cache: pages are computed, never served stored
    command = [sys.executable, __file__, "--child", "--articles", str(args.articles)]
    command += ["--repeat", str(args.repeat), "--page-timeout", str(args.page_timeout)]
    if subprocess.run(command, cwd=ROOT, env=env).returncode:
        print(f"benchmark child failed for {database_url}")


def postgres_url(name: str) -> str | None:
    try:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
    except Exception as error:  # any failure: skip the engine
        print(f"PostgreSQL unavailable ({error}); skipping it")
        return None
    return f"{PG_SERVER}/{name}"


def drop_postgres(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def database_name(name: str) -> str:
    """A plain identifier: it is written into CREATE and DROP DATABASE statements."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise argparse.ArgumentTypeError(f"not a plain lower-case identifier: {name!r}")
    return name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--page-timeout", type=float, default=20.0)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument(
        "--database-name",
        default=PG_DB,
        type=database_name,
        help=f"PostgreSQL database to create and drop (default {PG_DB})",
    )
    parser.add_argument(
        "--keep-database",
        action="store_true",
        help="leave the PostgreSQL database in place afterwards (to EXPLAIN queries by hand)",
    )
    parser.add_argument(
        "--sqlite-file",
        type=Path,
        help="build the SQLite database in this (new) file and keep it, instead of a temporary one",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_engine(args.articles, args.repeat, args.page_timeout)
        return
    started = time.perf_counter()
    if not args.skip_sqlite and args.sqlite_file:
        if args.sqlite_file.exists():
            parser.error(f"{args.sqlite_file} exists")
        child(f"sqlite:///{args.sqlite_file.resolve()}", args)
    elif not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            child(f"sqlite:///{folder}/bench.sqlite3", args)
    if not args.skip_postgres and (url := postgres_url(args.database_name)):
        try:
            child(url, args)
        finally:
            if not args.keep_database:
                drop_postgres(args.database_name)
    print(f"\ntotal bench time {time.perf_counter() - started:.0f}s")


if __name__ == "__main__":
    main()
