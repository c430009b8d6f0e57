"""Full-text search latency at 10,000 and 100,000 articles, on SQLite and PostgreSQL (issue 7).

    .venv/bin/python bench/bench_search.py [--sizes 10000 100000] [--skip-postgres]
                                           [--skip-sqlite] [--repeat 5] [--rebuild-only]

For each engine, in a child process with its own database (a temporary SQLite file; the
PostgreSQL database ``newsroom_bench_search``, created and dropped here): migrate,
generate a deterministic corpus straight into the tables (articles, people, aliases,
mentions, quotes; bulk SQL, no signals), rebuild the search index with
``search.index.rebuild()`` (timed; from an emptied index whose planner statistics were
gathered while empty, as ``migrate`` leaves a fresh install), then run a fixed set of
queries through ``search.services.search`` (all three kinds, first page of 20 with
snippets), each ``--repeat`` times after a warm-up. The corpus then grows to the next
size and the index is rebuilt again. Prints the median and 95th percentile per engine and
size, and the slowest queries; then the rebuild times and how they grow from one size
to the next (linear: the time grows by the same factor as the articles). With
``--rebuild-only`` no queries are run, e.g. ``--sizes 5000 10000 20000 40000
--rebuild-only --skip-postgres``. Figures, not a pass/fail test.

Synthetic text: a Zipf-distributed vocabulary (real news words first, then made-up
words), so a query's selectivity ranges from a handful of stories to most of them, as on
a real desk; people's names recur across stories, some accented.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_SERVER = os.environ.get("BENCH_POSTGRES_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_DB = "newsroom_bench_search"
SEED = 7

NEWS_WORDS = """government minister police council election football league club season
match player coach manager fans stadium team goal victory defeat title final cup
school hospital doctor patient nurse health care plan budget money tax price energy
bill cost family children parents mother father daughter son wedding birthday music
album singer band concert festival tour film actor actress director award ceremony
television series episode show star dance dancing danced dancer judge audience viewers
weather storm rain flood wind snow heat summer winter spring autumn traffic road
train bus airport flight travel holiday beach island city town village country
business company market shares workers strike union jobs report study research science
climate summit transport bridge tunnel housing homes rent court trial judge jury crime
charity community volunteer museum gallery book author novel theatre stage comedy""".split()  # noqa: SIM905
SYLLABLES = "ka lo mi ra ven tor sil dra pen quo zu bel mar ost fen gri lux tam vor nel".split()  # noqa: SIM905
FIRST = """Amelia Oliver Isla George Ava Noah Mia Arthur Ivy Leo Freya Oscar Lily Harry Grace
Jack Sophia Charlie Priya Tomasz Chidi Aisha Mateo Yuki Sven Zara Kwame Elif Rafael Niamh
Declan Ingrid Omar Leila Hamish Carys Dev Anya Felix Rose Giovanni Holly Tom Maeve Amara
Luis Ed Natalia Sam Zoë Jowita Łukasz Søren Chloé""".split()  # noqa: SIM905
LAST = """Smith Jones Taylor Brown Williams Wilson Evans Thomas Roberts Okafor Nowak Patel
Khan Murphy Kelly Walsh Ahmed Ali Chen Wang Kowalski Przystał Müller Dubois García Rossi
Bianchi Novak Horvat Ayling-Ellis Pernice Sugg Walker Ball Mensah Osei Nakamura Sato
Lindqvist Jensen Hansen Larsen Fernández López Martín Silva Costa Øberg Brontë""".split()  # noqa: SIM905

QUERIES = [
    "government",  # very common word
    "minister budget",  # two common words
    "football league final",  # three words
    "climate summit",  # a recurring topic
    '"transport minister"',  # phrase
    '"climate summit" storm',  # phrase and word
    "danc",  # prefix, stemmed family
    "dancing",  # stemming
    "gov",  # short prefix
    "Amelia Okafor",  # a person
    "Przystal",  # accent-insensitive name
    "Zoe Ball",  # accented first name
    "Soren",  # ø folded
    "okaf",  # name prefix as you type
    "lorvenkamar",  # made-up, rare
    "quomar silra",  # rare combination
    "the and of",  # stop words only
    "xyzzy nothing matches",  # no match
    'NEAR(football, "cup") OR *',  # hostile
    "award ceremony actress",  # mid-frequency combination
]


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f}"


# --- The child process: one engine ------------------------------------------------------


def words_for(rng: random.Random, vocabulary, cum_weights, count: int) -> list[str]:
    return rng.choices(vocabulary, cum_weights=cum_weights, k=count)


def make_vocabulary(rng: random.Random):
    made_up = set()
    while len(made_up) < 30_000:
        made_up.add("".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))))
    vocabulary = NEWS_WORDS + sorted(made_up)
    weights = [1.0 / (rank + 10) ** 1.05 for rank in range(len(vocabulary))]
    return vocabulary, list(itertools.accumulate(weights))


class Generator:
    """Deterministic rows, written in bulk with executemany (no ORM, no signals)."""

    def __init__(self):
        from django.db import connection

        self.connection = connection
        self.rng = random.Random(SEED)
        self.vocabulary, self.cum_weights = make_vocabulary(self.rng)
        self.people: list[tuple[int, str]] = []
        self.articles = 0
        self.now = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)

    def q(self, name: str) -> str:
        return self.connection.ops.quote_name(name)

    def insert(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        sql = (
            f"INSERT INTO {self.q(table)} ({', '.join(self.q(c) for c in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        with self.connection.cursor() as cursor:
            for start in range(0, len(rows), 5000):
                cursor.executemany(sql, rows[start : start + 5000])

    def ids(self, table: str, after: int) -> list[int]:
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {self.q(table)} WHERE id > %s ORDER BY id", [after])
            return [row[0] for row in cursor.fetchall()]

    def max_id(self, table: str) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {self.q(table)}")
            return cursor.fetchone()[0]

    def sentence(self, low: int, high: int) -> str:
        words = words_for(self.rng, self.vocabulary, self.cum_weights, self.rng.randint(low, high))
        return " ".join(words).capitalize() + "."

    def add_people(self, count: int) -> None:
        rng, start = self.rng, len(self.people)
        rows, names = [], []
        for n in range(start, start + count):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            if n >= len(FIRST) * len(LAST) // 4:
                name += f" {rng.choice(SYLLABLES).capitalize()}{n}"
            names.append(name)
            slug = f"person-{n}"
            role = rng.choice(["Actress", "Minister", "Coach", "Singer"])
            description = f"{role} from {rng.choice(['Leeds', 'Kraków', 'Cork', 'Oslo'])}"
            rows.append((name, name.casefold(), slug, description, self.now, self.now))
        before = self.max_id("people_person")
        self.insert(
            "people_person",
            ["name", "name_normalized", "slug", "description", "created_at", "updated_at"],
            rows,
        )
        new_ids = self.ids("people_person", before)
        self.people.extend(zip(new_ids, names, strict=True))
        aliases = []
        for person_id, name in zip(new_ids, names, strict=True):
            first, last = name.split()[0], name.split()[1]
            aliases.append((person_id, first, first.casefold(), "first_name"))
            aliases.append(
                (person_id, f"@{first}{last}".lower(), f"@{first}{last}".lower(), "handle")
            )
        self.insert("people_alias", ["person_id", "text", "normalized", "kind"], aliases)

    def add_articles(self, count: int) -> None:
        rng = self.rng
        start = self.articles
        articles = []
        plans = []  # (people named, quotes) per article
        for n in range(start, start + count):
            named = rng.sample(self.people, k=rng.randint(1, 3))
            paragraphs = [self.sentence(10, 25) for _ in range(rng.randint(4, 8))]
            for _, name in named:
                index = rng.randrange(len(paragraphs))
                paragraphs[index] = f"{name} was there. " + paragraphs[index]
            if rng.random() < 0.08:
                paragraphs[0] += " The transport minister spoke at the climate summit."
            body = "\n\n".join(paragraphs)
            title_person = named[0][1] if rng.random() < 0.4 else ""
            title = (f"{title_person}: " if title_person else "") + self.sentence(4, 9)[:-1]
            standfirst = self.sentence(10, 18)
            published = rng.random() < 0.9
            raw = f"{title}\n\n{body}"
            articles.append(
                (
                    title[:300],
                    False,
                    f"story-{n}",
                    standfirst,
                    body,
                    "[]",
                    self.now - dt.timedelta(hours=count - n),
                    "published" if published else "draft",
                    f"story-{n}.txt",
                    f"story-{n}.txt",
                    hashlib.sha256(f"{n}:{raw}".encode()).hexdigest(),
                    raw,
                    "{}",
                    self.now,
                    self.now,
                    1,
                )
            )
            plans.append((named, [(body.find(name), name) for _, name in named]))
        before = self.max_id("articles_article")
        self.insert(
            "articles_article",
            [
                "title", "title_derived", "slug", "standfirst", "body", "captions",
                "published_at", "status", "source_name", "source_key", "source_sha256", "raw_text",
                "imported_values", "imported_at", "updated_at", "version",
            ],
            articles,
        )  # fmt: skip
        article_ids = self.ids("articles_article", before)
        mentions, quotes = [], []
        for article_id, (named, spans) in zip(article_ids, plans, strict=True):
            seen = set()
            for (person_id, name), (at, _) in zip(named, spans, strict=True):
                if at >= 0 and at not in seen:
                    seen.add(at)
                    mentions.append((article_id, person_id, at, at + len(name)))
            for k in range(rng.randint(1, 3)):
                speaker = named[k % len(named)][0] if rng.random() < 0.8 else None
                text = self.sentence(8, 20)
                status = "rejected" if rng.random() < 0.05 else "auto"
                quotes.append(
                    (
                        article_id, text, speaker, "" if speaker else "one fan", k * 10,
                        k * 10 + 5, False, "bench", 0.9, status, False, 1,
                    )
                )  # fmt: skip
        self.insert("articles_mention", ["article_id", "person_id", "start", "end"], mentions)
        self.insert(
            "articles_quote",
            [
                "article_id", "text", "speaker_id", "speaker_label", "start", "end", "partial",
                "attribution_rule", "confidence", "status", "speaker_corrected", "version",
            ],
            quotes,
        )  # fmt: skip
        self.articles += count


def run_engine(sizes: list[int], repeat: int, rebuild_only: bool = False) -> list[dict]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from articles.statistics import refresh_statistics
    from search import index
    from search.models import SearchEntry
    from search.services import search

    call_command("migrate", verbosity=0)
    generator = Generator()
    rows = []
    for size in sizes:
        started = time.perf_counter()
        with transaction.atomic():
            people_wanted = max(2000, size // 5)
            generator.add_people(people_wanted - len(generator.people))
            generator.add_articles(size - generator.articles)
        generated = time.perf_counter() - started
        # The state a fresh install's `migrate` leaves: an empty index, analysed empty.
        with transaction.atomic():
            SearchEntry.objects.all().delete()
            index.get_backend().clear()
        refresh_statistics()
        started = time.perf_counter()
        counts = index.rebuild()
        indexed = time.perf_counter() - started
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        timings: dict[str, list[float]] = {}
        matches: dict[str, int] = {}
        load = os.getloadavg()[0]
        for query in [] if rebuild_only else QUERIES:
            results = search(query)  # warm-up
            matches[query] = results.articles.total
            for _ in range(repeat):
                began = time.perf_counter()
                search(query)
                timings.setdefault(query, []).append(time.perf_counter() - began)
        every = sorted(t for values in timings.values() for t in values) or [0.0]
        p95 = every[min(len(every) - 1, max(0, round(0.95 * len(every)) - 1))]
        rows.append(
            {
                "engine": connection.vendor,
                "size": size,
                "entries": SearchEntry.objects.count(),
                "counts": counts,
                "generate_s": generated,
                "index_s": indexed,
                "median": statistics.median(every),
                "p95": p95,
                "per_query": {q: statistics.median(v) for q, v in timings.items()},
                "matches": matches,
                "load": (load + os.getloadavg()[0]) / 2,
            }
        )
        print(f"  {connection.vendor} {size}: indexed in {indexed:.1f}s", file=sys.stderr)
    return rows


# --- The parent: one child per engine, then the table -------------------------------------


def child(database_url: str, sizes: list[int], repeat: int, rebuild_only: bool) -> list[dict]:
    env = dict(os.environ, DATABASE_URL=database_url, DJANGO_SECRET_KEY="bench-only-key")
    env.pop("DJANGO_DEBUG", None)
    command = [sys.executable, __file__, "--child", "--sizes", *map(str, sizes)]
    command += ["--repeat", str(repeat)] + (["--rebuild-only"] if rebuild_only else [])
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    if result.returncode:
        raise SystemExit(f"benchmark child failed for {database_url}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def postgres_url() -> str | None:
    try:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {PG_DB}")
    except Exception as error:  # any failure: skip the engine
        print(f"PostgreSQL unavailable ({error}); skipping it")
        return None
    return f"{PG_SERVER}/{PG_DB}"


def drop_postgres():
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--rebuild-only", action="store_true", help="time rebuilds only")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_engine(args.sizes, args.repeat, args.rebuild_only)))
        return

    started = time.perf_counter()
    load_before = os.getloadavg()
    results = []
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            results += child(
                f"sqlite:///{folder}/bench.sqlite3", args.sizes, args.repeat, args.rebuild_only
            )
    if not args.skip_postgres and (url := postgres_url()):
        try:
            results += child(url, args.sizes, args.repeat, args.rebuild_only)
        finally:
            drop_postgres()

    print_rebuilds(results)
    if not args.rebuild_only:
        print_latency(results, args.repeat)
    print(f"\ntotal bench time {time.perf_counter() - started:.0f}s")
    load_after = os.getloadavg()
    print(
        f"load average (1, 5, 15 min) before {' '.join(f'{x:.2f}' for x in load_before)},"
        f" after {' '.join(f'{x:.2f}' for x in load_after)}"
    )


def print_rebuilds(results: list[dict]) -> None:
    """Rebuild time per size, and its growth from the previous size (linear: the same
    factor as the articles')."""
    print("\nsearch.index.rebuild(), from an empty index analysed empty")
    print("engine       articles   entries  rebuild  µs/article  growth (time for articles)")
    for engine in dict.fromkeys(row["engine"] for row in results):
        previous = None
        for row in (row for row in results if row["engine"] == engine):
            growth = ""
            if previous and previous["index_s"] > 0:
                growth = (
                    f"×{row['index_s'] / previous['index_s']:.2f}"
                    f" for ×{row['size'] / previous['size']:.2f}"
                )
            print(
                f"{engine:<12} {row['size']:>8} {row['entries']:>9} {row['index_s']:>7.1f}s"
                f" {row['index_s'] / row['size'] * 1e6:>10.0f}  {growth}"
            )
            previous = row


def print_latency(results: list[dict], repeat: int) -> None:
    print(f"\nsearch() latency, {len(QUERIES)} queries × {repeat} runs, all kinds, page 1")
    print("engine       articles   entries  generate  index   median ms   p95 ms   load")
    for row in results:
        print(
            f"{row['engine']:<12} {row['size']:>8} {row['entries']:>9} {row['generate_s']:>8.1f}s"
            f" {row['index_s']:>6.1f}s {fmt_ms(row['median'])}     {fmt_ms(row['p95'])}"
            f"  {row['load']:5.2f}"
        )
    for engine in dict.fromkeys(row["engine"] for row in results):
        rows = [row for row in results if row["engine"] == engine]
        if len(rows) >= 2:
            small, large = rows[0], rows[-1]
            print(
                f"{engine}: {large['size']} vs {small['size']} articles: median ×"
                f"{large['median'] / small['median']:.2f}, p95 ×{large['p95'] / small['p95']:.2f}"
            )
    print("\nper query, median ms (articles matched) at each size:")
    header = "".join(f"  {r['engine'][:6]}:{r['size'] // 1000}k" for r in results)
    print(f"{'query':<32}{header}")
    for query in QUERIES:
        cells = "".join(
            f"  {fmt_ms(r['per_query'][query])} ({r['matches'][query]:>6})" for r in results
        )
        print(f"{query[:31]:<32}{cells}")


if __name__ == "__main__":
    main()
