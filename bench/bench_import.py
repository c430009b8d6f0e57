"""Import speed on SQLite and PostgreSQL, against the pipeline alone and a bulk-insert
baseline, in one run on one machine.

    .venv/bin/python bench/bench_import.py [--count 5000] [--skip-postgres]
        [--growth 20000] [--growth-postgres]

Writes a generated corpus (``bench/corpus.py``) to a temporary folder, then for each
database, on a freshly migrated database each time:

- **import**: ``manage.py import_articles`` on the corpus, rate read from the command's own
  timing (Django start-up not counted);
- **unchanged**: the same command again on the same files (files/s);
- **changed**: every file edited (a sentence appended) and imported again (articles/s);
- **baseline**: the same rows (articles, people, aliases, mentions, quotes, events and
  their people, history rows, and since issue 15 the canonical groups and quote keys, and
  the search entries the import writes in the same transaction) written by
  ``write_baseline`` with batched bulk inserts and no pipeline: it is fed results parsed
  beforehand, so it measures the writes alone. The "plain" baseline leaves the groups,
  keys and search entries out (the yardstick of the first measurements); both are shown;
- **pipeline**: ``extraction.parse_article`` alone on the same files, one core.

``--growth N`` imports N generated articles into one fresh database (SQLite; PostgreSQL too
with ``--growth-postgres``) and compares the rate of the last 1,000 with the first 1,000.

Targets (issue 13): import ≥ 0.8 × baseline and ≥ 0.7 × pipeline; unchanged ≥ 2,000
files/s; changed ≥ 0.5 × the first import; growth last/first ≥ 0.8.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import write_corpus  # noqa: E402
from extraction import parse_article  # noqa: E402

PG_SERVER = os.environ.get("BENCH_POSTGRES_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_DB = os.environ.get("BENCH_POSTGRES_DB", "newsroom_bench_import")
GROWTH_WINDOW = 1000


def _env(database_url: str) -> dict:
    env = dict(os.environ, DATABASE_URL=database_url, DJANGO_SECRET_KEY="bench-only-key")
    env.pop("DJANGO_DEBUG", None)
    return env


def manage(*args, database_url):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_env(database_url),
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return result.stdout


def worker(mode: str, *args, database_url: str) -> dict:
    """Run this script's ``--worker`` mode in a child process (Django set up there)."""
    result = subprocess.run(
        [sys.executable, __file__, "--worker", mode, *args],
        cwd=ROOT,
        env=dict(_env(database_url), DJANGO_SETTINGS_MODULE="newsroom.settings"),
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise SystemExit(f"worker {mode} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.splitlines()[-1])


def command_seconds(out: str) -> float:
    return float(next(line for line in out.splitlines() if line.startswith("seconds")).split()[1])


def fresh_database(vendor: str, tmp: Path, tag: str) -> str:
    if vendor == "sqlite":
        return f"sqlite:///{tmp / f'bench-{tag}.sqlite3'}"
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    return f"{PG_SERVER}/{PG_DB}"


def drop_postgres_database():
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True):
            return True
    except Exception as error:  # any failure means: skip it
        print(f"PostgreSQL unavailable ({error}); skipping it")
        return False


def pipeline_rate(paths: list[Path]) -> float:
    blobs = [(p.name, p.read_bytes()) for p in paths]
    started = time.process_time()
    for name, raw in blobs:
        parse_article(raw, source_name=name)
    return len(blobs) / (time.process_time() - started)


def change_corpus(paths: list[Path]) -> None:
    """A revision of every story: one sentence appended (still the same story)."""
    for path in paths:
        with path.open("a", encoding="utf-8") as story:
            story.write("\nThe story was updated with a correction on Tuesday.\n")


def measure_database(vendor: str, corpus: Path, paths: list[Path], tmp: Path) -> dict:
    count = len(paths)
    results = {}
    url = fresh_database(vendor, tmp, "baseline")
    manage("migrate", "-v0", database_url=url)
    results["baseline"] = worker("baseline", str(corpus), database_url=url)["rate"]
    url = fresh_database(vendor, tmp, "baseline-plain")
    manage("migrate", "-v0", database_url=url)
    results["baseline_plain"] = worker("baseline-plain", str(corpus), database_url=url)["rate"]

    url = fresh_database(vendor, tmp, "import")
    manage("migrate", "-v0", database_url=url)
    out = manage("import_articles", str(corpus), database_url=url)
    results["import"] = count / command_seconds(out)
    results["import_summary"] = out
    out = manage("import_articles", str(corpus), database_url=url)
    results["unchanged"] = count / command_seconds(out)
    change_corpus(paths)
    try:
        out = manage("import_articles", str(corpus), database_url=url)
        results["changed"] = count / command_seconds(out)
        results["changed_summary"] = out
    finally:
        write_corpus(corpus, count)  # the original files again, for the next database
    if vendor == "postgresql":
        drop_postgres_database()
    return results


def measure_growth(vendor: str, count: int, tmp: Path) -> dict:
    corpus = tmp / f"growth-{count}"
    write_corpus(corpus, count, seed=2027)
    url = fresh_database(vendor, tmp, "growth")
    manage("migrate", "-v0", database_url=url)
    result = worker("growth", str(corpus), database_url=url)
    if vendor == "postgresql":
        drop_postgres_database()
    return result


# --- Child-process modes (Django set up) ------------------------------------------------------


def _setup_django():
    import django

    django.setup()


def _pre_parse(paths: list[Path]):
    """Parse every file as the importer would, the known people growing file by file (the
    pipeline's cost is not what the baseline measures)."""
    from extraction.types import KnownPerson, WorldKnowledge
    from people.models import normalize_name

    known: dict[str, KnownPerson] = {}
    keys: dict[str, int] = {}
    results = []
    for path in paths:
        world = WorldKnowledge(people=tuple(known.values()))
        parsed = parse_article(path.read_bytes(), source_name=path.name, world=world)
        ids = []
        for person in parsed.people:
            by_key = next((p for p in known.values() if p.key == person.known_key), None)
            name = by_key.name if by_key else person.name
            normalized = normalize_name(name)
            key = keys.setdefault(normalized, len(keys) + 1)
            aliases = set(known[normalized].aliases) if normalized in known else set()
            aliases.update([person.name, *person.aliases])
            known[normalized] = KnownPerson(key=key, name=name, aliases=tuple(sorted(aliases)))
            ids.append(key)
        results.append((path, parsed, ids))
    return results


def write_baseline(parsed_files, *, batch: int = 100, derived: bool = True) -> None:
    """The rows an import writes, written with batched bulk inserts, nothing else: the
    yardstick the importer is measured against (no pipeline, no look-ups, no re-import
    checks). ``parsed_files``: [(path, ParsedArticle, [person id per extracted person]),
    ...]. ``derived``: also the rows derived from them that an import writes in the same
    transaction: canonical groups (one per distinct wording: the grouping's decisions are
    the importer's work, not writes), quote keys (at most ``MAX_POSTINGS`` per key) and
    search entries with their full-text rows."""
    from django.db import transaction
    from django.utils.text import slugify

    from articles.canonical import GROUP_REASON, MAX_POSTINGS
    from articles.importing import (
        IMPORT_REASON,
        _alias_kind,
        _article_values,
        _clip,
        _event_values,
        _fingerprint,
        _quote_values,
    )
    from articles.models import (
        Article,
        CanonicalQuote,
        Event,
        Mention,
        Quote,
        QuoteKey,
        publish_min_confidence,
    )
    from extraction import canonical as words_of
    from people.models import Alias, Person, normalize_name
    from search.backends import get_backend
    from search.index import ARTICLE, PERSON, QUOTE, _text
    from search.models import SearchEntry, entry_id
    from search.query import name_key

    def history(model, rows):
        model.history.bulk_history_create(rows, default_change_reason=IMPORT_REASON)

    min_confidence = publish_min_confidence()
    people: dict[int, Person] = {}
    aliases: dict[int, set[str]] = {}
    slugs = {Article: set(), Person: set()}
    groups: dict[str, CanonicalQuote] = {}  # fingerprint -> its group
    postings: dict[int, int] = defaultdict(int)  # quote key -> quotes holding it

    def slug(model, text, fallback):
        base = slugify(text)[:200].strip("-") or fallback
        value, n = base, 2
        while value in slugs[model]:
            value, n = f"{base}-{n}", n + 1
        slugs[model].add(value)
        return value

    for start in range(0, len(parsed_files), batch):
        part = parsed_files[start : start + batch]
        with transaction.atomic():
            new_people = []
            for _, parsed, ids in part:
                for extracted, key in zip(parsed.people, ids, strict=True):
                    if key not in people:
                        name = _clip(extracted.name, 200)
                        people[key] = Person(
                            name=name,
                            name_normalized=normalize_name(name),
                            slug=slug(Person, name, "person"),
                        )
                        new_people.append(people[key])
            history(Person, Person.objects.bulk_create(new_people))
            new_aliases = []
            for _, parsed, ids in part:
                for extracted, key in zip(parsed.people, ids, strict=True):
                    person = people[key]
                    seen = aliases.setdefault(key, {person.name_normalized})
                    for text in [extracted.name, *extracted.aliases]:
                        text = _clip(" ".join(text.split()), 200)
                        if text and normalize_name(text) not in seen:
                            seen.add(normalize_name(text))
                            new_aliases.append(
                                Alias(
                                    person=person,
                                    text=text,
                                    normalized=normalize_name(text),
                                    kind=_alias_kind(text, person.name),
                                )
                            )
            history(Alias, Alias.objects.bulk_create(new_aliases))
            articles = []
            for path, parsed, _ in part:
                values = _article_values(parsed)
                articles.append(
                    Article(
                        **values,
                        slug=slug(Article, values["title"], "article"),
                        source_key=path.name,
                        source_name=parsed.source_name,
                        source_sha256=parsed.sha256,
                        raw_text=parsed.raw_text,
                        imported_values=_fingerprint(values),
                    )
                )
            history(Article, Article.objects.bulk_create(articles))
            mentions, quotes, events, links = [], [], [], []
            for article, (_, parsed, ids) in zip(articles, part, strict=True):
                resolved = [people[key] for key in ids]
                starts = set()
                for mention in parsed.mentions:
                    if mention.start not in starts:
                        starts.add(mention.start)
                        mentions.append(
                            Mention(
                                article=article,
                                person=resolved[mention.person],
                                start=mention.start,
                                end=mention.end,
                            )
                        )
                quotes += [
                    Quote(article=article, **_quote_values(quote, resolved, min_confidence))
                    for quote in parsed.quotes
                ]
                for event in parsed.events:
                    events.append(Event(article=article, **_event_values(event)))
                    links.append({resolved[i].pk for i in event.people})
            Mention.objects.bulk_create(mentions)
            quote_words = [words_of.words(quote.text) for quote in quotes]
            if derived:
                new_groups = []
                for quote, words in zip(quotes, quote_words, strict=True):
                    quote.fingerprint = words_of.fingerprint(words)
                    if quote.fingerprint not in groups:
                        groups[quote.fingerprint] = CanonicalQuote(
                            text=quote.text, speaker_id=quote.speaker_id
                        )
                        new_groups.append(groups[quote.fingerprint])
                history_rows = CanonicalQuote.objects.bulk_create(new_groups)
                CanonicalQuote.history.bulk_history_create(
                    history_rows, default_change_reason=GROUP_REASON
                )
                for quote in quotes:
                    quote.canonical_id = groups[quote.fingerprint].pk
            history(Quote, Quote.objects.bulk_create(quotes))
            events = Event.objects.bulk_create(events)
            history(Event, events)
            through = Event.people.through
            through.objects.bulk_create(
                [
                    through(event_id=event.pk, person_id=person_id)
                    for event, people_ids in zip(events, links, strict=True)
                    for person_id in sorted(people_ids)
                ]
            )
            if not derived:
                continue
            keys = []
            for quote, words in zip(quotes, quote_words, strict=True):
                for key in sorted(words_of.shingle_keys(words)):
                    if postings[key] < MAX_POSTINGS:
                        postings[key] += 1
                        keys.append(QuoteKey(quote_id=quote.pk, key=key))
            QuoteKey.objects.bulk_create(keys)
            published = Article.Status.PUBLISHED
            entries = [
                SearchEntry(
                    id=entry_id(ARTICLE, a.pk),
                    kind=ARTICLE,
                    object_id=a.pk,
                    published=a.status == published,
                    title=_text(a.title),
                    extra=_text(a.standfirst),
                    body=_text(a.body),
                )
                for a in articles
            ]
            entries += [
                SearchEntry(
                    id=entry_id(QUOTE, q.pk),
                    kind=QUOTE,
                    object_id=q.pk,
                    published=False,
                    rejected=q.status == Quote.Status.REJECTED,
                    title=_text(q.speaker.name if q.speaker_id else q.speaker_label),
                    extra=_text(q.text),
                )
                for q in quotes
            ]
            entries += [
                SearchEntry(
                    id=entry_id(PERSON, p.pk),
                    kind=PERSON,
                    object_id=p.pk,
                    published=False,
                    title=_text(p.name),
                    names=name_key(p.name),
                )
                for p in new_people
            ]
            get_backend().add(SearchEntry.objects.bulk_create(entries))


def _worker_baseline(corpus: str, *, derived: bool = True) -> dict:
    paths = sorted(Path(corpus).glob("*.txt"))
    parsed_files = _pre_parse(paths)
    started = time.perf_counter()
    write_baseline(parsed_files, derived=derived)
    return {"rate": len(paths) / (time.perf_counter() - started)}


def _worker_baseline_plain(corpus: str) -> dict:
    return _worker_baseline(corpus, derived=False)


def _worker_growth(corpus: str) -> dict:
    from articles.importing import import_sources
    from articles.sources import collect_sources

    files = collect_sources([corpus])
    stamps = []
    started = time.perf_counter()
    import_sources(files, on_outcome=lambda outcome: stamps.append(time.perf_counter()))
    # Outcomes arrive batch by batch: a window is timed from the batch boundary before it.
    first = stamps[GROWTH_WINDOW - 1] - started
    last = stamps[-1] - stamps[-GROWTH_WINDOW - 1]
    return {
        "count": len(files),
        "first": GROWTH_WINDOW / first,
        "last": GROWTH_WINDOW / last,
        "overall": len(files) / (stamps[-1] - started),
    }


# --- Report ---------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--growth", type=int, default=0, metavar="N")
    parser.add_argument("--growth-postgres", action="store_true")
    parser.add_argument("--worker", nargs=2, metavar=("MODE", "CORPUS"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        _setup_django()
        mode, corpus = args.worker
        result = {
            "baseline": _worker_baseline,
            "baseline-plain": _worker_baseline_plain,
            "growth": _worker_growth,
        }[mode](corpus)
        print(json.dumps(result))
        return

    vendors = ["sqlite"]
    if not args.skip_postgres and postgres_available():
        vendors.append("postgresql")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        measured, pipeline = {}, 0.0
        if args.count:  # --count 0: the growth measurement alone
            corpus = tmp / "corpus"
            paths = write_corpus(corpus, args.count)
            pipeline = pipeline_rate(paths)
            measured = {v: measure_database(v, corpus, paths, tmp) for v in vendors}
        growth = {}
        if args.growth:
            growth["sqlite"] = measure_growth("sqlite", args.growth, tmp)
            if args.growth_postgres and "postgresql" in vendors:
                growth["postgresql"] = measure_growth("postgresql", args.growth, tmp)

    if measured:
        print(f"\n{args.count} generated articles; pipeline alone {pipeline:.0f} articles/CPU s")
        print(
            "baseline: the same rows in bulk inserts; 'plain': without the canonical groups,"
            " quote keys and search entries"
        )
        print(
            f"{'database':<12}{'import/s':>10}{'baseline/s':>12}{'vs base':>9}"
            f"{'plain/s':>9}{'vs plain':>10}{'vs pipe':>9}"
            f"{'unchanged/s':>13}{'changed/s':>11}{'vs import':>11}"
        )
    for vendor, r in measured.items():
        print(
            f"{vendor:<12}{r['import']:>10.0f}{r['baseline']:>12.0f}"
            f"{r['import'] / r['baseline']:>9.2f}{r['baseline_plain']:>9.0f}"
            f"{r['import'] / r['baseline_plain']:>10.2f}{r['import'] / pipeline:>9.2f}"
            f"{r['unchanged']:>13.0f}{r['changed']:>11.0f}{r['changed'] / r['import']:>11.2f}"
        )
    for vendor, g in growth.items():
        print(
            f"growth {vendor}, {g['count']} articles: first {GROWTH_WINDOW} {g['first']:.0f}/s,"
            f" last {GROWTH_WINDOW} {g['last']:.0f}/s, last/first {g['last'] / g['first']:.2f}"
            f" (overall {g['overall']:.0f}/s)"
        )
    for vendor, r in measured.items():
        print(f"\n{vendor}, first import:\n{r['import_summary']}")
        print(f"\n{vendor}, changed files:\n{r['changed_summary']}")


if __name__ == "__main__":
    main()
