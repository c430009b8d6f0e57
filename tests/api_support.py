"""Shared fixtures and helpers of the API tests (imported by every tests/test_api_*.py)."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from articles.models import Article, Quote
from search import index as search_index
from tests.factories import (
    make_alias,
    make_article,
    make_editor,
    make_event,
    make_mention,
    make_person,
    make_quote,
    make_tag,
)

UTC = dt.UTC


@pytest.fixture(autouse=True)
def api_environment(settings):
    """A generous anonymous rate and an empty cache, so no test throttles or reuses another's
    responses (the throttle test sets a tiny rate itself)."""
    settings.NEWSROOM_API_ANON_RATE = "100000/min"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def editor(db):
    return make_editor(username="api-editor")


@pytest.fixture
def editor_api(editor):
    """An API client authenticated with the editor's token (as partner tools would be)."""
    client = APIClient()
    token = Token.objects.create(user=editor)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def world(db):
    """Published and draft articles with people, tags, quotes and events."""
    w = SimpleNamespace()
    w.rose = make_person("Rose Ayling-Ellis", description="EastEnders actress")
    make_alias(w.rose, "Rose")
    w.gio = make_person("Giovanni Pernice")
    make_alias(w.gio, "Gio")
    w.secret = make_person("Secret Sam")  # appears only in a draft
    w.loner = make_person("Nobody Known")  # appears nowhere
    w.strictly = make_tag("Strictly Come Dancing")
    w.bafta = make_tag("BAFTA")
    body = (
        "Rose Ayling-Ellis and Giovanni Pernice won. “It was a dream,” Rose said. "
        "One fan called it magical."
    )
    w.pub1 = make_article(
        "Strictly pair win BAFTA",
        body=body,
        standfirst="A silent dance",
        published_at=dt.datetime(2024, 5, 12, 18, 0, tzinfo=UTC),
    )
    w.pub1.tags.add(w.strictly, w.bafta)
    make_mention(w.pub1, w.rose, start=0, end=16)
    make_mention(w.pub1, w.gio, start=21, end=38)
    make_mention(w.pub1, w.rose, start=63, end=67)
    w.pub2 = make_article(
        "Rose joins EastEnders",
        body="Rose is joining the soap.",
        published_at=dt.datetime(2023, 1, 5, 9, 0, tzinfo=UTC),
    )
    w.pub2.tags.add(w.strictly)
    make_mention(w.pub2, w.rose, start=0, end=4)
    w.undated = make_article("Undated story", body="Giovanni danced.", published_at=None)
    make_mention(w.undated, w.gio, start=0, end=8)
    w.draft = make_article(
        "Secret scoop",
        body="Secret Sam said “nothing yet”.",
        status=Article.Status.DRAFT,
        published_at=dt.datetime(2024, 6, 1, tzinfo=UTC),
    )
    make_mention(w.draft, w.secret, start=0, end=10)
    w.q_rose = make_quote(
        w.pub1, text="It was a dream", speaker=w.rose, start=45, status=Quote.Status.CONFIRMED
    )
    w.q_fan = make_quote(
        w.pub1, text="magical", speaker_label="one fan", start=body.index("magical"), partial=True
    )
    w.q_rejected = make_quote(
        w.pub1, text="rejected words", speaker=w.gio, start=20, status=Quote.Status.REJECTED
    )
    w.q_old = make_quote(w.pub2, text="I am joining", speaker=w.rose, start=0)
    w.q_draft = make_quote(w.draft, text="nothing yet", speaker=w.secret, start=17)
    w.e_win = make_event(
        w.pub1,
        summary="Won a BAFTA TV Award",
        date=dt.date(2024, 5, 11),
        date_precision="day",
        people=[w.rose, w.gio],
    )
    w.e_join = make_event(
        w.pub2,
        summary="Joined EastEnders",
        date=dt.date(2023, 1, 1),
        date_precision="month",
        people=[w.rose],
    )
    w.e_undated = make_event(w.undated, summary="Danced", people=[w.gio])
    w.e_draft = make_event(
        w.draft,
        summary="Secret happening",
        date=dt.date(2024, 6, 1),
        date_precision="day",
        people=[w.secret],
    )
    return w


def results(response):
    """The ``results`` of a paginated response, asserting it was a 200."""
    assert response.status_code == 200, response.content
    return response.json()["results"]


def slugs(response):
    return [item["slug"] for item in results(response)]


def ids(response):
    return [item["id"] for item in results(response)]


@pytest.fixture
def many(db):
    """120 published articles, each with two tags, two people (with aliases), quotes and an
    event: enough rows for query-count tests at page sizes 1 and 100."""
    tags = [make_tag(f"Topic {n}") for n in range(6)]
    people = []
    for n in range(12):
        person = make_person(f"Person Number{n}")
        make_alias(person, f"Alias{n}")
        people.append(person)
    for n in range(120):
        article = make_article(
            f"Bulk story {n}",
            body="Person Number spoke. “Words here,” they said.",
            published_at=dt.datetime(2024, 1, 1, tzinfo=UTC) + dt.timedelta(hours=n),
        )
        article.tags.add(tags[n % 6], tags[(n + 1) % 6])
        first, second = people[n % 12], people[(n + 5) % 12]
        make_mention(article, first, start=0, end=6)
        make_mention(article, second, start=7, end=13)
        make_quote(article, text="Words here", speaker=first, start=21)
        make_quote(article, text="they said", speaker_label="a spokesman", start=33)
        make_event(
            article,
            summary=f"Thing {n} happened",
            date=dt.date(2024, 1, 1) + dt.timedelta(days=n),
            date_precision="day",
            people=[first, second],
        )
    # Tests run inside a transaction that never commits, so the search index writes queued
    # for commit are made now rather than inside the first request a test measures.
    search_index.flush()
    return SimpleNamespace(tags=tags, people=people)


def query_count(client, url):
    """How many SQL queries one GET of ``url`` runs (asserting a 200)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()  # neither the response cache nor the throttle may hide queries
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries)
