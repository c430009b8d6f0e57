"""The events and tags endpoints: fields, visibility, filters, ordering, query counts."""

import pytest

from tests.api_support import *  # noqa: F403  (fixtures)
from tests.api_support import ids, query_count, results, slugs

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/events/"
TAGS = "/api/v1/tags/"


def test_event_fields(anon, world):
    """An event carries summary, ISO date, precision, people and its article."""
    event = results(anon.get(EVENTS))[1]
    assert event.pop("updated_at")  # tests/test_api_updated_after.py
    assert event == {
        "id": world.e_win.pk,
        "summary": "Won a BAFTA TV Award",
        "date": "2024-05-11",
        "date_precision": "day",
        "people": [
            {"name": "Giovanni Pernice", "slug": "giovanni-pernice"},
            {"name": "Rose Ayling-Ellis", "slug": "rose-ayling-ellis"},
        ],
        "article": {"id": world.pub1.pk, "slug": world.pub1.slug, "title": world.pub1.title},
    }


def test_events_are_chronological_without_drafts(anon, editor_api, world):
    """Oldest first, undated last; events of drafts only for editors."""
    assert ids(anon.get(EVENTS)) == [world.e_join.pk, world.e_win.pk, world.e_undated.pk]
    assert world.e_draft.pk in ids(editor_api.get(EVENTS))


def test_undated_event_has_null_date_and_precision(anon, world):
    """An event with an unknown date has date and precision null."""
    data = anon.get(f"{EVENTS}{world.e_undated.pk}/").json()
    assert (data["date"], data["date_precision"]) == (None, None)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("person=rose-ayling-ellis", ["e_join", "e_win"]),
        ("person=giovanni-pernice", ["e_win", "e_undated"]),
        ("date_after=2024-01-01", ["e_win"]),
        ("date_before=2023-12-31", ["e_join"]),
        ("precision=month", ["e_join"]),
        ("precision=unknown", ["e_undated"]),
        ("ordering=-date", ["e_win", "e_join", "e_undated"]),
    ],
)
def test_event_filters(anon, world, query, expected):
    """Each event filter and ordering behaves as documented."""
    assert ids(anon.get(f"{EVENTS}?{query}")) == [getattr(world, name).pk for name in expected]


@pytest.mark.parametrize(
    "query", ["precision=week", "date_after=2024-02-30", "person=secret-sam", "ordering=summary"]
)
def test_event_invalid_values_are_400(anon, world, query):
    """Unknown precisions, impossible dates, hidden people and orderings are 400s."""
    response = anon.get(f"{EVENTS}?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_tags_list_and_detail(anon, world):
    """Tags are listed by name and opened by slug with id, slug, name and url."""
    assert slugs(anon.get(TAGS)) == ["bafta", "strictly-come-dancing"]
    assert slugs(anon.get(f"{TAGS}?ordering=-name")) == ["strictly-come-dancing", "bafta"]
    data = anon.get(f"{TAGS}bafta/").json()
    assert data.pop("updated_at")  # tests/test_api_updated_after.py
    assert data == {
        "id": world.bafta.pk,
        "slug": "bafta",
        "name": "BAFTA",
        "url": "http://testserver/tags/bafta/",
    }
    assert anon.get(f"{TAGS}nope/").status_code == 404


def test_events_query_count_is_constant(anon, many):
    """Events: page size 1 and 100 run the same number of queries."""
    assert query_count(anon, f"{EVENTS}?page_size=1") == query_count(
        anon, f"{EVENTS}?page_size=100"
    )
    person = many.people[3].slug
    assert query_count(anon, f"{EVENTS}?person={person}&page_size=1") == query_count(
        anon, f"{EVENTS}?person={person}&page_size=100"
    )


def test_tags_query_count_is_constant(anon, many):
    """Tags: page size 1 and 100 run the same number of queries."""
    assert query_count(anon, f"{TAGS}?page_size=1") == query_count(anon, f"{TAGS}?page_size=100")
