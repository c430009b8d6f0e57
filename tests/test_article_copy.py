"""Quotes and mentions carry a copy of their article's status and date (issue 12), kept in
step by every write: creation (one by one, in bulk, by import), publishing, unpublishing,
a new publication date; and the public queries read the copy, never a join to the article,
so that a much-quoted person's page reads only the person's own index entries."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, Mention, Quote, copy_article_state
from articles.services import article_set_status
from tests.factories import make_mention_in, make_person, make_quote_in, make_story
from web.queries import (
    _timeline_parts,
    add_public_counts,
    timeline_count,
    timeline_rows,
    timeline_years,
)

pytestmark = pytest.mark.django_db

DRAFT, PUBLISHED = Article.Status.DRAFT, Article.Status.PUBLISHED
WHEN = timezone.make_aware(dt.datetime(2023, 5, 1, 9, 0))


def copies(article):
    rows = [*Quote.objects.filter(article=article), *Mention.objects.filter(article=article)]
    assert rows
    return {(row.article_published, row.article_published_at) for row in rows}


@pytest.fixture
def story():
    speaker = make_person("Ann Speaker")
    article = make_story("Story", ["Ann Speaker said: “Yes.”"], status=DRAFT, published_at=WHEN)
    make_quote_in(article, "Yes.", speaker=speaker, status=Quote.Status.CONFIRMED)
    make_mention_in(article, speaker, "Ann Speaker")
    return speaker, article


def test_new_rows_copy_their_article(story):
    _speaker, article = story
    assert copies(article) == {(False, WHEN)}


def test_publishing_and_unpublishing_update_the_copy(story):
    speaker, article = story
    article_set_status(article=article, status=PUBLISHED)
    assert copies(article) == {(True, WHEN)}
    assert list(Quote.objects.public().filter(speaker=speaker).values_list("text", flat=True))
    article_set_status(article=Article.objects.get(pk=article.pk), status=DRAFT)
    assert copies(article) == {(False, WHEN)}
    assert not Quote.objects.public().filter(speaker=speaker).exists()
    assert not Mention.objects.published().filter(person=speaker).exists()


def test_a_new_publication_date_updates_the_copy(story):
    _speaker, article = story
    later = WHEN + dt.timedelta(days=400)
    article = Article.objects.get(pk=article.pk)
    article.published_at = later
    article.save()
    assert copies(article) == {(False, later)}


def test_an_unchanged_save_writes_no_copy(story):
    """A new headline is not copied (only its quotes' ``updated_at`` moves, since the API
    shows the headline on them: tests/test_api_updated_after.py); a new standfirst, which
    no quote shows, writes nothing to the quotes at all."""
    _speaker, article = story
    article = Article.objects.get(pk=article.pk)
    article.title = "New headline"
    with CaptureQueriesContext(connection) as queries:
        article.save()
    quote_writes = [q["sql"] for q in queries.captured_queries if "articles_quote" in q["sql"]]
    assert not [sql for sql in quote_writes if "article_published" in sql]
    article.standfirst = "New standfirst"
    with CaptureQueriesContext(connection) as queries:
        article.save()
    assert not [q for q in queries.captured_queries if "articles_quote" in q["sql"]]


def test_bulk_create_copies_the_article(story):
    speaker, article = story
    article_set_status(article=article, status=PUBLISHED)
    Quote.objects.bulk_create(
        [
            Quote(article=article, text="Yes.", speaker=speaker, start=0, end=4, confidence=1),
            Quote(article_id=article.pk, text="Yes.", speaker=speaker, start=1, end=4),
        ]
    )
    assert copies(article) == {(True, WHEN)}


def test_copy_article_state_repairs_rows_written_around_the_models(story):
    _speaker, article = story
    Article.objects.filter(pk=article.pk).update(status=PUBLISHED, published_at=None)
    assert copies(article) == {(False, WHEN)}
    copy_article_state(article_ids=[article.pk])
    assert copies(article) == {(True, None)}


def test_import_copies_status_and_date(pipeline, story_file):
    from articles.importing import Importer
    from tests.test_importing import parsed_story

    pipeline["story.txt"] = parsed_story()
    Importer(publish=True).import_path(story_file())
    article = Article.objects.get()
    assert article.published_at is not None
    assert copies(article) == {(True, article.published_at)}


@pytest.fixture
def pipeline(monkeypatch):
    from tests.test_importing import pipeline as fixture

    return fixture.__wrapped__(monkeypatch)


@pytest.fixture
def story_file(tmp_path):
    from tests.test_importing import story_file as fixture

    return fixture.__wrapped__(tmp_path)


# --- What the person page reads ------------------------------------------------------------


@pytest.fixture
def quoted():
    """A person quoted and mentioned in three published stories and one draft."""
    person = make_person("Bo Quoted")
    for n in range(4):
        article = make_story(
            f"Story {n}",
            [f"Bo Quoted said: “Line {n}.”"],
            status=DRAFT if n == 3 else PUBLISHED,
            published_at=WHEN + dt.timedelta(days=200 * n),
        )
        make_quote_in(article, f"Line {n}.", speaker=person, status=Quote.Status.CONFIRMED)
        make_mention_in(article, person, "Bo Quoted")
    return person


def test_person_queries_never_join_quotes_or_mentions_to_articles(quoted):
    """The public quote and the person's stories are read from the copy (old code: a join
    to the article for every quote and mention of the person)."""
    quotes = Quote.objects.public().filter(speaker=quoted).order_by()
    assert "articles_article" not in str(quotes.query)
    for kind, queryset, _key, _field in _timeline_parts(quoted):
        if queryset.model in (Quote, Mention):
            assert "articles_article" not in str(queryset.order_by().query), kind


def test_the_timeline_still_shows_the_published_stories_only_in_order(quoted):
    (person,) = add_public_counts([quoted])
    assert (person.quote_count, person.article_count) == (3, 3)
    assert timeline_count(person) == 6
    assert timeline_years(person) == [2023, 2024]
    rows = list(timeline_rows(person, count=6)[0:10])
    assert [(kind, at) for kind, _id, _u, at, _o in rows] == [
        (kind, WHEN + dt.timedelta(days=200 * n)) for n in range(3) for kind in ("article", "quote")
    ]
    assert timeline_rows(person, year=2023).count() == 4


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plan")
def test_postgres_reads_a_persons_quotes_and_stories_from_their_indexes(quoted):
    """Among thousands of other rows, each of the person's sources is a scan of the
    person's own index entries, with no article read and no full scan."""
    other = make_person("Someone Else")
    article = make_story("Busy story", ["Someone Else spoke."], published_at=WHEN)
    Quote.objects.bulk_create(
        Quote(article=article, text="x", speaker=other, start=n, end=n + 1, confidence=1)
        for n in range(3000)
    )
    Mention.objects.bulk_create(
        Mention(article=article, person=other, start=n, end=n + 1) for n in range(3000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_quote")
        cursor.execute("ANALYZE articles_mention")

    def plan(queryset):
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}", params)
            return "\n".join(row[0] for row in cursor.fetchall())

    for kind, queryset, key, field in _timeline_parts(quoted):
        if queryset.model not in (Quote, Mention):
            continue
        text = plan(queryset.order_by().values_list(key, field))
        assert "Seq Scan" not in text, text
        assert "articles_article" not in text, text
        column = "speaker_id" if queryset.model is Quote else "person_id"
        conditions = [line for line in text.splitlines() if "Index Cond" in line]
        assert any(f"{column} = {quoted.pk}" in line for line in conditions), (kind, text)


@pytest.mark.parametrize("newest_first", [False, True])
def test_timeline_pages_are_slices_of_the_whole_timeline_in_order(newest_first):
    """Merged from short reads per source, every page is exactly its slice of the whole
    timeline: stories named several ways once, same-time ties by kind then id (newest
    first: id descending, as each source is read), events at the start of their day,
    undated items last (stories, events, then quotes)."""
    from tests.factories import make_event_in

    person = make_person("Cy Many")
    midnight = timezone.make_aware(dt.datetime(2022, 3, 1), dt.UTC)
    expected = []
    for n in range(9):
        dated = n % 4 != 3
        when = midnight + dt.timedelta(days=n // 2) if dated else None  # ties in pairs
        article = make_story(
            f"Cy story {n}",
            [f"Cy Many said: “Word {n}.” Cy Many met Cy Many."],
            published_at=when,
        )
        quote = make_quote_in(article, f"Word {n}.", speaker=person, status="confirmed")
        make_mention_in(article, person, "Cy Many")
        make_mention_in(article, person, "Cy Many", occurrence=2)
        key = (1, 0) if when is None else (0, when.timestamp())
        expected += [(*key, 0, article.pk, "article"), (*key, 2, quote.pk, "quote")]
        if n % 3 == 0:
            day = None if n == 6 else dt.date(2022, 3, 1 + n)
            event = make_event_in(
                article, "A meeting", "Cy Many met Cy Many.", date=day, people=[person]
            )
            at = (
                (1, 0)
                if day is None
                else (0, dt.datetime(2022, 3, 1 + n, tzinfo=dt.UTC).timestamp())
            )
            expected.append((*at, 1, event.pk, "event"))
    make_story("Cy draft", ["Cy Many said: “Hidden.”"], status=DRAFT, published_at=midnight)
    if newest_first:
        dated = sorted((row for row in expected if row[0] == 0), key=lambda r: -r[3])
        dated.sort(key=lambda r: r[2])
        dated.sort(key=lambda r: r[1], reverse=True)
        expected = dated + sorted(row for row in expected if row[0] == 1)
    else:
        expected = sorted(expected)
    expected = [(kind, pk) for *_key, pk, kind in expected]

    (person,) = add_public_counts([person])
    rows = timeline_rows(person, count=timeline_count(person), newest_first=newest_first)
    assert rows.count() == len(expected) == timeline_rows(person).count()
    for size in (1, 4, 7, len(expected)):
        for start in range(0, len(expected), size):
            page = [(kind, pk) for kind, pk, *_ in rows[start : start + size]]
            assert page == expected[start : start + size], (size, start)


def test_api_timeline_pages_are_slices_of_the_whole_timeline_by_day(client, settings):
    """The API orders by day (in the site's time zone), then type, then id: within a day a
    later-published story with a smaller id comes first, however short the pages."""
    from tests.factories import make_event_in

    settings.NEWSROOM_API_RESPONSE_CACHE_SECONDS = 0
    person = make_person("Di Daily")
    expected = []
    for n in range(8):
        hour = 20 - 2 * n  # later ids published earlier in the day
        when = None if n == 7 else timezone.make_aware(dt.datetime(2022, 6, 1 + n // 3, hour))
        article = make_story(
            f"Di story {n}", [f"Di Daily said: “Say {n}.” Di Daily met."], published_at=when
        )
        quote = make_quote_in(article, f"Say {n}.", speaker=person, status="confirmed")
        make_mention_in(article, person, "Di Daily")
        make_mention_in(article, person, "Di Daily", occurrence=2)
        day = (1, None) if when is None else (0, timezone.localdate(when).isoformat())
        expected += [(*day, "article", article.pk), (*day, "quote", quote.pk)]
        if n % 3 == 1:
            event = make_event_in(
                article, "A meeting", "Di Daily met.", date=dt.date(2022, 6, 2), people=[person]
            )
            expected.append((0, "2022-06-02", "event", event.pk))
    expected = [
        (kind, pk)
        for _u, _d, kind, pk in sorted(expected, key=lambda e: (e[0], e[1] or "", e[2], e[3]))
    ]
    url = f"/api/v1/people/{person.slug}/timeline/"
    for size in (1, 2, 5, 100):
        got = []
        for page in range(1, len(expected) // size + 2):
            response = client.get(url, {"page_size": size, "page": page})
            if response.status_code == 404:
                break
            got += [(item["type"], item[item["type"]]["id"]) for item in response.json()["results"]]
        assert got == expected, size


def test_a_timeline_page_reads_each_source_in_index_order(quoted):
    """A page's reads of the person's quotes and mentions walk their index in date order
    and stop: no sort of all of the person's quotes or stories (issue 12)."""
    (person,) = add_public_counts([quoted])
    with CaptureQueriesContext(connection) as queries:
        timeline_rows(person, count=timeline_count(person))[0:2]
    reads = [
        q["sql"]
        for q in queries.captured_queries
        if re.search(r'FROM "articles_(quote|mention)"', q["sql"]) and "LIMIT" in q["sql"]
    ]
    assert len(reads) == 3  # stories by mention, by quote; quotes
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
        for sql in reads:
            prefix = "EXPLAIN " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
            cursor.execute(prefix + sql)
            plan = "\n".join(
                str(row[-1] if connection.vendor == "sqlite" else row[0])
                for row in cursor.fetchall()
            )
            assert re.search(r"(quote_speaker|mention_person)_public_idx|published_idx", plan), plan
            # SQLite: no full sort. (PostgreSQL, with a few rows, may sort the one row it
            # expects; at 100,000 articles it plans an incremental sort of the index order.)
            assert "TEMP B-TREE FOR ORDER BY" not in plan, plan
