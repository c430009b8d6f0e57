"""Counting public articles and quotes reads indexes, not tables (issue 12).

Every paginated list counts its rows. At 100,000 articles the count of published articles
was a full scan of the article table, and the count of public quotes a join of full scans
of both tables: most of the API's article and quote lists' time. Each is now answered
from indexes alone (SQLite: a covering index; PostgreSQL: an index-only scan, planned
with sequential scans, bitmap scans and nested loops priced out, as on a big table).
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article, Quote
from tests.factories import make_person, make_quote_in, make_story

# Transactional: PostgreSQL's VACUUM runs outside a transaction only. serialized_rollback,
# as every transactional test here: the flush then skips post_migrate, so later
# serialized-rollback tests can restore the migrated rows (content types) without clashes.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TABLES = ("articles_article", "articles_quote")


def count_plan(queryset) -> list[str]:
    """The plan of the query ``queryset.count()`` runs."""
    with CaptureQueriesContext(connection) as queries:
        queryset.count()
    (sql,) = [query["sql"] for query in queries.captured_queries]
    return explain(sql)


def explain(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            return [row[-1] for row in cursor.fetchall()]
        # A few rows would make any plan cheap: price out what a big table rules out.
        off = ("enable_seqscan", "enable_bitmapscan", "enable_nestloop")
        for setting in off:
            cursor.execute(f"SET {setting} = off")
        try:
            cursor.execute("EXPLAIN " + sql)
            return [row[0] for row in cursor.fetchall()]
        finally:
            for setting in off:
                cursor.execute(f"RESET {setting}")


def table_reads(plan: list[str]) -> list[str]:
    """The plan's reads of article or quote rows themselves (not only an index)."""
    reads = []
    for line in plan:
        line = line.strip()
        if connection.vendor == "sqlite":
            match = re.match(r"(?:SCAN|SEARCH) (\w+)", line)
            index_only = "COVERING INDEX" in line or "INTEGER PRIMARY KEY" in line
        else:
            match = re.search(r"Scan .*\bon (\w+)", line)
            index_only = line.lstrip("-> ").startswith("Index Only Scan")
        if match and match.group(1) in TABLES and not index_only:
            reads.append(line)
    return reads


@pytest.fixture
def desk():
    speaker = make_person("Ada Speaker")
    for n in range(3):
        story = make_story(f"Story {n}", [f"“Words number {n},” said Ada Speaker."])
        make_quote_in(story, f"Words number {n},", speaker=speaker)
    if connection.vendor == "postgresql":
        # What autovacuum does after an import: without a visibility map PostgreSQL
        # prices an index-only scan like a plain one.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) articles_article, articles_quote")


def test_counting_published_articles_reads_an_index_only(desk):
    assert table_reads(count_plan(Article.objects.published())) == []


def test_counting_public_quotes_reads_indexes_only(desk):
    """Quotes: the article's status and the quote's status and confidence, by article."""
    assert table_reads(count_plan(Quote.objects.public())) == []


def test_the_latest_change_of_a_published_article_is_read_from_an_index(desk):
    """The sitemap index's lastmod: no scan and sort of every published article."""
    latest = Article.objects.published().order_by("-updated_at").values_list("updated_at")[:1]
    with CaptureQueriesContext(connection) as queries:
        list(latest)
    (sql,) = [query["sql"] for query in queries.captured_queries]
    plan = explain(sql)
    assert not [line for line in plan if "SORT" in line.upper() or "B-TREE" in line.upper()]
    assert table_reads(plan) == []
