"""The search page's cost does not grow with the archive, and SQLite's planner statistics
are kept current (issue 12: 40 s at 100,000 articles on SQLite)."""

import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from search.index import flush
from tests.factories import make_story

pytestmark = pytest.mark.django_db

GOOD_STORY = (
    " date 2024-03-08 Minister opens new bridge\n\n"
    "The transport minister, Ms Ada Okafor, opened the bridge on Friday.\n\n"
    '"This bridge joins two communities," Ms Okafor said.\n'
)


def _ids_in_one_query(sql: str) -> int:
    """The longest `IN (...)` list of the statement."""
    return max((group.count(",") + 1 for group in re.findall(r" IN \(([^()]*)\)", sql)), default=0)


def test_search_page_counts_and_loads_without_probing_every_match(client):
    """The page counts the matches from the search itself and loads only the page shown
    by primary key: no statement over the articles names all the matching ids (SQLite
    ran the count by probing that list once per published article)."""
    for n in range(25):
        make_story(f"Harbour story {n}", ["The harbour master spoke."])
    make_story("Harbour draft", ["The harbour master spoke."], status=Article.Status.DRAFT)
    flush()  # index the stories now, not inside the request
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/search/", {"q": "harbour"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "25 results" in page and "Harbour draft" not in page
    article_queries = [q["sql"] for q in queries if 'FROM "articles_article"' in q["sql"]]
    assert article_queries
    assert max(_ids_in_one_query(sql) for sql in article_queries) <= 10
    assert not any("COUNT(" in sql.upper() for sql in article_queries)


def test_search_page_pages_keep_rank_order_and_never_show_drafts(client):
    """Page 2 holds the next matches; a page never shows an article that is not public,
    even if the index still lists it."""
    stories = [make_story(f"Harbour story {n}", ["The harbour master."]) for n in range(12)]
    first = client.get("/search/", {"q": "harbour"}).content.decode()
    second = client.get("/search/", {"q": "harbour", "articles_page": 2}).content.decode()
    assert len(re.findall(r"story \d+", first)) == 10
    assert len(re.findall(r"story \d+", second)) == 2
    assert not set(re.findall(r"story \d+", first)) & set(re.findall(r"story \d+", second))
    Article.objects.filter(pk=stories[0].pk).update(status=Article.Status.DRAFT)  # no signal
    pages = (
        client.get("/search/", {"q": "harbour"}).content.decode()
        + client.get("/search/", {"q": "harbour", "articles_page": 2}).content.decode()
    )
    assert "story 0<" in first + second and "story 0<" not in pages


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite planner statistics")
def test_migrate_leaves_sqlite_statistics():
    """`migrate` (post_migrate) gathers planner statistics: sqlite_stat1 has the articles."""
    make_story("Harbour", ["The harbour master."])  # ANALYZE skips empty tables
    with connection.cursor() as cursor:
        if _has_stat1(cursor):
            cursor.execute("DELETE FROM sqlite_stat1")
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        assert _stat_rows(cursor, "articles_article")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite planner statistics")
def test_import_refreshes_sqlite_statistics(tmp_path):
    """An import ends with fresh planner statistics for the tables it grew."""
    with connection.cursor() as cursor:
        if _has_stat1(cursor):
            cursor.execute("DELETE FROM sqlite_stat1")
    (tmp_path / "bridge.txt").write_text(GOOD_STORY)
    call_command("import_articles", str(tmp_path), "--publish", stdout=None)
    with connection.cursor() as cursor:
        assert _stat_rows(cursor, "articles_article")
        assert _stat_rows(cursor, "articles_quote")


def _has_stat1(cursor) -> bool:
    cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
    return cursor.fetchone() is not None


def _stat_rows(cursor, table: str) -> int:
    if not _has_stat1(cursor):
        return 0
    cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [table])
    return cursor.fetchone()[0]
