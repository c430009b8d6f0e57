"""Lists count their rows once per content version, keyed by what decides the rows (the
view, who asks, the filters) rather than by compiling the count's SQL (issue 12, API ratio):
each distinct list still gets its own, right count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.pagination import list_key
from articles.models import Article
from articles.services import article_set_status
from tests.api_support import *  # noqa: F403  (fixtures)

pytestmark = pytest.mark.django_db


def count(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()["count"]


@pytest.mark.parametrize(
    ("url", "public", "editors"),
    [
        ("/api/v1/events/", 3, 4),
        ("/api/v1/events/?person=rose-ayling-ellis", 2, 2),
        ("/api/v1/events/?person=giovanni-pernice", 2, 2),
        ("/api/v1/events/?precision=day", 1, 2),
        ("/api/v1/articles/", 3, 4),
        ("/api/v1/articles/?tag=strictly-come-dancing", 2, 2),
        ("/api/v1/articles/?person=giovanni-pernice", 2, 2),
    ],
)
def test_each_list_audience_and_filter_has_its_own_count(
    anon, editor_api, world, url, public, editors
):
    # Asked in turn within one content version: a count keyed too loosely would be reused.
    assert count(anon, url) == public
    assert count(editor_api, url) == editors
    assert count(anon, url) == public


def test_filters_sharing_a_count_key_would_be_a_bug(anon, world):
    for url in ("/api/v1/events/?person=rose-ayling-ellis", "/api/v1/events/"):
        count(anon, url)
    assert count(anon, "/api/v1/events/?person=giovanni-pernice") == 2
    assert count(anon, "/api/v1/events/?date_after=2024-01-01") == 1


def test_timelines_of_two_people_are_counted_apart(anon, world):
    rose = count(anon, f"/api/v1/people/{world.rose.slug}/timeline/")
    gio = count(anon, f"/api/v1/people/{world.gio.slug}/timeline/")
    assert rose != gio


def test_a_write_makes_the_stored_count_unreadable(anon, editor, world):
    assert count(anon, "/api/v1/events/") == 3
    article_set_status(article=world.draft, status=Article.Status.PUBLISHED, user=editor)
    assert count(anon, "/api/v1/events/") == 4


def test_a_stored_count_is_read_without_counting_again(anon, world):
    count(anon, "/api/v1/events/?page_size=1")
    with CaptureQueriesContext(connection) as queries:
        assert count(anon, "/api/v1/events/?page_size=1&page=2") == 3
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)


def test_paging_parameters_do_not_split_the_key(rf):
    class View:
        kwargs = {}
        action = "list"

    from django.contrib.auth.models import AnonymousUser
    from rest_framework.request import Request

    def key(query):
        request = Request(rf.get(f"/x/?{query}"))
        request.user = AnonymousUser()
        return list_key(request, View())

    assert key("page=2&page_size=5&person=a") == key("person=a")
    assert key("person=a") != key("person=b")
    assert key("tag=a&person=b") == key("person=b&tag=a")
