"""The API's written-out row serialisation (``FastOutput.represent``) gives exactly what
DRF's generic serialisation of the declared fields gives, and the lists stay free of
per-row queries (issue 12: the lists ran at 0.66 × a hand-written view)."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIRequestFactory

from api import serializers, views
from articles.models import Article, Event, Quote, Tag
from people.models import Person
from tests.factories import build_newsdesk, make_article, make_quote

pytestmark = pytest.mark.django_db


def _same(serializer_class, objects, request=None):
    context = {"request": request} if request is not None else {}
    fast = serializer_class(objects, many=True, context=context)
    generic = serializer_class(context=context)
    expected = [generic.generic_representation(obj) for obj in objects]
    got = fast.data
    assert objects, "nothing compared"
    # Byte-identical once rendered, as the API renders it.
    assert JSONRenderer().render(got) == JSONRenderer().render(expected)
    return got


@pytest.mark.parametrize("with_request", [True, False])
def test_fast_rows_equal_drf_generic_rows(with_request):
    """Every public output serializer: same keys, order, types and values as DRF's own."""
    build_newsdesk()
    draft = make_article("Draft with no date", status=Article.Status.DRAFT, published_at=None)
    make_quote(draft, text="Body", speaker=None, speaker_label="", confidence=0.2)
    request = APIRequestFactory().get("/api/v1/articles/") if with_request else None
    articles = list(Article.objects.prefetch_related(*views._article_prefetches()))
    _same(serializers.ArticleSerializer, articles, request)
    _same(serializers.ArticleDetailSerializer, articles, request)
    _same(serializers.PersonSerializer, list(Person.objects.prefetch_related("aliases")), request)
    _same(serializers.TagSerializer, list(Tag.objects.all()), request)
    quotes = list(Quote.objects.select_related("speaker", "article", "suggested_speaker"))
    _same(serializers.QuoteSerializer, quotes, request)
    _same(serializers.QuoteEditorSerializer, quotes, request)
    events = list(Event.objects.select_related("article").prefetch_related("people"))
    _same(serializers.EventSerializer, events, request)


def test_urls_are_built_as_reverse_builds_them():
    """The per-request URL pattern gives what get_absolute_url() + build_absolute_uri give."""
    desk = build_newsdesk()
    request = APIRequestFactory().get("/api/v1/articles/")
    serializer = serializers.TagSerializer(context={"request": request})
    for obj in [desk.strictly, desk.bafta, desk.rose, *Quote.objects.all()]:
        expected = request.build_absolute_uri(obj.get_absolute_url())
        assert serializers.absolute_url(serializer, obj) == expected


@pytest.mark.parametrize("name", ["articles", "people", "quotes", "events", "tags"])
def test_api_lists_render_without_per_row_queries(client, settings, name):
    """A list page's queries do not grow with its rows (the response cache off)."""
    settings.NEWSROOM_API_RESPONSE_CACHE_SECONDS = 0
    build_newsdesk()
    small = client.get(f"/api/v1/{name}/", {"page_size": 1})
    with CaptureQueriesContext(connection) as one:
        small = client.get(f"/api/v1/{name}/", {"page_size": 1})
    with CaptureQueriesContext(connection) as many:
        large = client.get(f"/api/v1/{name}/", {"page_size": 100})
    assert small.status_code == large.status_code == 200
    assert len(json.loads(large.content)["results"]) >= 1
    assert len(many) == len(one)


def test_events_list_reads_people_from_the_link_table_as_the_prefetch_gives_them(
    client, settings, monkeypatch
):
    """The events list takes its people's names and slugs from one narrow query (no person
    objects: building them was a tenth of each response), in the order and shape DRF's
    generic serialisation of ``event.people.all()`` gives."""
    settings.NEWSROOM_API_RESPONSE_CACHE_SECONDS = 0
    build_newsdesk()
    events = list(
        Event.objects.public()
        .select_related("article")
        .prefetch_related("people")
        .order_by("date", "pk")
    )
    assert any(len(event.people.all()) > 1 for event in events), "no event with two people"
    built = []
    original = Person.from_db.__func__

    def counting_from_db(cls, *args, **kwargs):
        built.append(cls)
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(Person, "from_db", classmethod(counting_from_db))
    response = client.get("/api/v1/events/", {"page_size": 100})
    assert response.status_code == 200
    assert built == []
    generic = serializers.EventSerializer(context={})
    expected = {event.pk: generic.generic_representation(event)["people"] for event in events}
    got = {row["id"]: row["people"] for row in json.loads(response.content)["results"]}
    assert got == {pk: json.loads(json.dumps(people)) for pk, people in expected.items()}
