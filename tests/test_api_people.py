"""The people endpoint and a person's timeline: visibility, aliases, search, query counts."""

import datetime as dt

import pytest

from articles.models import Article
from tests.api_support import *  # noqa: F403  (fixtures)
from tests.api_support import (
    make_article,
    make_event,
    make_mention,
    make_person,
    make_quote,
    query_count,
    results,
    slugs,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/people/"


def test_public_list_shows_only_people_of_published_articles(anon, world):
    """People only in drafts, or in no article, are invisible to the public (and uncounted)."""
    response = anon.get(URL)
    assert slugs(response) == ["giovanni-pernice", "rose-ayling-ellis"]
    assert response.json()["count"] == 2
    assert anon.get(f"{URL}secret-sam/").status_code == 404
    assert anon.get(f"{URL}nobody-known/").status_code == 404


def test_speaker_of_a_public_quote_is_visible(anon, world):
    """Someone never mentioned but quoted in a published article is listed."""
    speaker = world.loner
    make_quote(world.pub2, text="Hello there", speaker=speaker, start=5)
    assert speaker.slug in slugs(anon.get(URL))


def test_speaker_of_a_rejected_quote_only_is_invisible(anon, world):
    """A rejected quote does not make its speaker public."""
    make_quote(world.pub2, text="No", speaker=world.loner, start=9, status="rejected")
    assert world.loner.slug not in slugs(anon.get(URL))


def test_editor_sees_everyone(editor_api, world):
    """Editors list every person."""
    assert editor_api.get(URL).json()["count"] == 4


def test_person_detail_fields(anon, world):
    """A person has id, slug, name, aliases as strings and an absolute url."""
    data = anon.get(f"{URL}rose-ayling-ellis/").json()
    assert data["id"] == world.rose.pk
    assert data["name"] == "Rose Ayling-Ellis"
    assert data["aliases"] == ["Rose"]
    assert data["url"] == "http://testserver/people/rose-ayling-ellis/"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=gio", ["giovanni-pernice"]),
        ("q=PERNICE", ["giovanni-pernice"]),
        ("q=rose", ["rose-ayling-ellis"]),
        ("q=secret", []),
        ("ordering=-name", ["rose-ayling-ellis", "giovanni-pernice"]),
    ],
)
def test_search_and_ordering(anon, world, query, expected):
    """`q` matches names and aliases case-insensitively, among visible people only."""
    assert slugs(anon.get(f"{URL}?{query}")) == expected


def test_unknown_ordering_is_400(anon, world):
    """Ordering by a field outside the whitelist is a 400."""
    assert anon.get(f"{URL}?ordering=description").status_code == 400


def test_timeline_merges_events_quotes_and_articles_by_date(anon, world):
    """Rose's timeline: oldest first, each item typed and dated, undated items last."""
    items = results(anon.get(f"{URL}rose-ayling-ellis/timeline/"))
    summary = [
        (item["type"], item["date"], item["date_precision"], item[item["type"]]["id"])
        for item in items
    ]
    assert summary == [
        ("event", "2023-01-01", "month", world.e_join.pk),
        ("article", "2023-01-05", "day", world.pub2.pk),
        ("quote", "2023-01-05", "day", world.q_old.pk),
        ("event", "2024-05-11", "day", world.e_win.pk),
        ("article", "2024-05-12", "day", world.pub1.pk),
        ("quote", "2024-05-12", "day", world.q_rose.pk),
    ]
    assert all(
        item[other] is None
        for item in items
        for other in {"event", "quote", "article"} - {item["type"]}
    )


def test_timeline_puts_unknown_dates_last_and_hides_rejected(anon, world):
    """Giovanni's undated article and event come last; his rejected quote is absent."""
    items = results(anon.get(f"{URL}giovanni-pernice/timeline/"))
    assert [(i["type"], i["date"]) for i in items] == [
        ("event", "2024-05-11"),
        ("article", "2024-05-12"),
        ("article", None),
        ("event", None),
    ]
    assert items[-1]["date_precision"] is None


def test_timeline_is_paginated(anon, world):
    """The timeline pages like every list."""
    data = anon.get(f"{URL}rose-ayling-ellis/timeline/?page_size=4&page=2").json()
    assert data["count"] == 6
    assert len(data["results"]) == 2
    assert anon.get(f"{URL}rose-ayling-ellis/timeline/?page=9").status_code == 404


def test_timeline_of_a_draft_only_person_is_404_for_public(anon, editor_api, world):
    """The public cannot reach a hidden person's timeline; editors can, drafts included."""
    assert anon.get(f"{URL}secret-sam/timeline/").status_code == 404
    items = results(editor_api.get(f"{URL}secret-sam/timeline/"))
    assert {item["type"] for item in items} == {"event", "quote", "article"}


def test_people_list_query_count_is_constant(anon, many):
    """People: page size 1 and 100 run the same number of queries."""
    assert query_count(anon, f"{URL}?page_size=1") == query_count(anon, f"{URL}?page_size=100")
    assert query_count(anon, f"{URL}?q=number&page_size=1") == query_count(
        anon, f"{URL}?q=number&page_size=100"
    )


def test_timeline_query_count_is_bounded(anon, many):
    """The timeline runs a fixed number of queries: a page holding all three item types costs
    the same at size 3 as at size 100 (a page of one type skips the other types' look-ups)."""
    person = make_person("Timeline Tester")
    first = make_article("Early story", published_at=dt.datetime(2020, 1, 1, 12, tzinfo=dt.UTC))
    make_mention(first, person)
    make_quote(first, text="Early words", speaker=person)
    make_event(first, date=dt.date(2020, 1, 1), date_precision="day", people=[person])
    for article in Article.objects.filter(title__startswith="Bulk story"):
        make_mention(article, person, start=20, end=24)
        make_quote(article, text="More words", speaker=person, start=30)
    url = f"{URL}{person.slug}/timeline/"
    full = query_count(anon, f"{url}?page_size=100")
    assert query_count(anon, f"{url}?page_size=3") == full
    assert query_count(anon, f"{url}?page_size=1") <= full
    # The person, the count, per source (stories, events, quotes) a short read of its first
    # rows and of the rest of the last row's day, undated rows when the dated ones end, then
    # the page's objects: never a sort of all the person's items (issue 12).
    assert full <= 16
