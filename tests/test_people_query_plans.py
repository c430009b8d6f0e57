"""People's public queries are probes of the person indexes, never reads of every article
(issue 12: at 100,000 articles the people list, a person's page and the API people list
were over the 200 ms target because PostgreSQL read every mention, quote, event and article
for them).

``EXISTS ... OR EXISTS ...`` and ``IN (...) OR IN (...)`` are what PostgreSQL turns into
"hashed SubPlans" (each subquery read in full, then hashed), whatever the page's ``LIMIT``;
the queries now use one ``EXISTS`` / one ``IN`` over a ``UNION``, which cannot be hashed
that way. The plans are checked on PostgreSQL; the results on both databases.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article, Quote
from people.models import Person
from tests.factories import make_event_in, make_mention_in, make_person, make_quote_in, make_story
from web.queries import (
    add_public_counts,
    featured_article_ids,
    featuring,
    public_people,
    timeline_count,
    timeline_rows,
)

pytestmark = pytest.mark.django_db

DRAFT = Article.Status.DRAFT


def plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def desk():
    """Who names whom: one person per way of being public, and people named only in drafts
    (or by a rejected quote, or nowhere)."""
    story = make_story("Story", ["Ann Said spoke. Bo Quoted said: “Yes.” Cy Event met."])
    draft = make_story("Draft", ["Di Draft spoke. Ed Draft said: “No.”"], status=DRAFT)
    people = {name: make_person(name) for name in ("Ann", "Bo", "Cy", "Di", "Ed", "Flo", "Gil")}
    make_mention_in(story, people["Ann"], "Ann Said")
    make_quote_in(story, "Yes.", speaker=people["Bo"], status=Quote.Status.CONFIRMED)
    make_event_in(story, "A meeting", "Cy Event met.", people=[people["Cy"]])
    make_mention_in(draft, people["Di"], "Di Draft")
    make_quote_in(draft, "No.", speaker=people["Ed"], status=Quote.Status.CONFIRMED)
    make_quote_in(story, "Yes.", speaker=people["Gil"], status=Quote.Status.REJECTED)
    return people, story, draft


def test_public_people_are_those_named_by_published_content(desk):
    _people, _story, _draft = desk
    names = set(public_people().values_list("name", flat=True))
    assert names == {"Ann", "Bo", "Cy"}
    assert Person.objects.count() == 7


@pytest.mark.parametrize("lookup", ["featuring", "featured_article_ids"])
def test_featuring_finds_the_articles_naming_a_person_by_any_means(desk, lookup):
    people, story, draft = desk

    def articles(name, queryset=None):
        queryset = Article.objects.all() if queryset is None else queryset
        if lookup == "featuring":
            return list(queryset.filter(featuring(people[name])))
        return list(queryset.filter(pk__in=featured_article_ids(people[name])))

    for name in ("Ann", "Bo", "Cy"):
        assert articles(name) == [story]
    assert articles("Di") == [draft]
    assert articles("Ed", Article.objects.published()) == []
    assert articles("Gil") == []  # rejected quote
    assert articles("Flo") == []


def test_public_people_is_one_probe_per_person(desk):
    """One EXISTS (over a UNION of the three probes), not three joined by OR."""
    sql = str(public_people().order_by("name", "pk")[:50].query).upper()
    assert sql.count("EXISTS") == 1
    assert " OR EXISTS" not in sql


def test_featured_article_ids_is_one_lookup_of_the_persons_rows(desk):
    people, _story, _draft = desk
    articles = Article.objects.published().filter(pk__in=featured_article_ids(people["Ann"]))
    sql = str(articles.query).upper()
    assert sql.count(" IN (") == 1
    assert "UNION" in sql


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plan")
def test_postgres_never_hashes_every_row_for_a_page_of_people(desk):
    people, _story, _draft = desk
    assert "hashed SubPlan" not in plan(public_people().order_by("name", "pk")[:50])
    assert "hashed SubPlan" not in plan(public_people())
    articles = Article.objects.published().filter(pk__in=featured_article_ids(people["Bo"]))
    assert "hashed SubPlan" not in plan(articles)


# --- The API's people count: once per content version ------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    return response.json()["count"], counts


def test_api_people_count_is_counted_once_per_content_version(client, desk, settings):
    """The count of public people is stored under the content version: the next request
    does not count again, and any write (a new version) counts afresh."""
    settings.NEWSROOM_API_RESPONSE_CACHE_SECONDS = 0  # the JSON itself is built each time
    people, story, _draft = desk
    count, queries = count_queries(client, "/api/v1/people/")
    assert (count, len(queries)) == (3, 1)
    count, queries = count_queries(client, "/api/v1/people/")
    assert (count, queries) == (3, [])
    make_mention_in(story, people["Flo"], "Cy Event")  # Flo is now public: a new version
    count, queries = count_queries(client, "/api/v1/people/")
    assert (count, len(queries)) == (4, 1)
    # Each filter has its own count.
    count, _queries = count_queries(client, "/api/v1/people/?q=nobody-at-all")
    assert count == 0


# --- A person's page: the timeline's size from the counts already made ---------------------


def test_timeline_count_is_the_number_of_timeline_items(desk):
    """The person page pages the timeline with ``timeline_count`` (its articles, quotes and
    events) instead of counting the UNION of every item again: the two agree."""
    people, story, _draft = desk
    make_quote_in(story, "Yes.", speaker=people["Ann"], status=Quote.Status.CONFIRMED)
    make_event_in(story, "Another", "Ann Said spoke.", people=[people["Ann"]])
    for name in ("Ann", "Bo", "Cy", "Di", "Flo"):
        person = add_public_counts([people[name]])[0]
        every = timeline_rows(person).count()  # counts the UNION of every item
        assert timeline_count(person) == every == len(list(timeline_rows(person)[:100]))


def test_api_quotes_count_is_counted_once_per_content_version(client, desk, settings):
    """Counting every public quote grows with the archive (issue 12): the API's quote list
    counts once per content version, like the people list; a write counts afresh."""
    settings.NEWSROOM_API_RESPONSE_CACHE_SECONDS = 0
    people, story, _draft = desk
    count, queries = count_queries(client, "/api/v1/quotes/")
    assert (count, len(queries)) == (1, 1)
    count, queries = count_queries(client, "/api/v1/quotes/")
    assert (count, queries) == (1, [])
    make_quote_in(story, "Yes.", speaker=people["Ann"], status=Quote.Status.CONFIRMED)
    count, queries = count_queries(client, "/api/v1/quotes/")
    assert (count, len(queries)) == (2, 1)
