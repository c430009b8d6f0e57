"""The API lists' lean JSON path (issue 12: the lists serialise at ≥ 0.9 × a hand-written
view) answers byte for byte what DRF's own path answers, for the public and for editors,
and skips DRF's generic machinery only where its answer is known."""

import pytest
from rest_framework import mixins
from rest_framework import serializers as drf_serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from api import serializers, views
from api.renderers import ContentNegotiation
from articles.models import Article
from tests.api_support import *  # noqa: F403  (fixtures)

pytestmark = pytest.mark.django_db

LISTS = ["articles", "people", "quotes", "events", "tags"]
QUERIES = ["", "?page_size=1&page=2", "?ordering=-id&page_size=2"]


def _drf_generic_path(monkeypatch):
    """DRF's ListModelMixin.list and its field-by-field serialisation, as before issue 12."""
    monkeypatch.setattr(
        views.CachedReadMixin,
        "_list",
        lambda self, request, *args, **kwargs: mixins.ListModelMixin.list(
            self, request, *args, **kwargs
        ),
    )
    monkeypatch.setattr(
        serializers.FastOutput, "to_representation", serializers.FastOutput.generic_representation
    )


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("who", ["anon", "editor_api"])
def test_lists_answer_what_drfs_generic_path_answers(
    request, settings, monkeypatch, world, name, who
):
    """Same bytes, with drafts (editors), nulls (undated articles and events, quotes without
    a speaker or label), pagination links and filters."""
    settings.NEWSROOM_API_RESPONSE_CACHE_SECONDS = 0
    client = request.getfixturevalue(who)
    urls = [f"/api/v1/{name}/{query}" for query in QUERIES]
    lean = [client.get(url) for url in urls]
    _drf_generic_path(monkeypatch)
    generic = [client.get(url) for url in urls]
    for url, got, expected in zip(urls, lean, generic, strict=True):
        assert got.status_code == expected.status_code == 200, url
        assert got.content == expected.content, url
        assert got["Content-Type"] == expected["Content-Type"]
    if who == "editor_api" and name == "articles":
        assert b"Secret scoop" in lean[0].content  # a draft, seen by editors only


def test_lean_list_builds_no_list_serializer(anon, world, settings, monkeypatch):
    """A JSON list builds its rows with ``represent()``; DRF's list serializer (a bound copy
    of the row serializer per response) is not made. The browsable API still uses it."""
    settings.NEWSROOM_API_RESPONSE_CACHE_SECONDS = 0
    made = []
    original = drf_serializers.ListSerializer.__init__

    def counting_init(self, *args, **kwargs):
        made.append(type(kwargs.get("child")))
        original(self, *args, **kwargs)

    monkeypatch.setattr(drf_serializers.ListSerializer, "__init__", counting_init)
    for name in LISTS:
        assert anon.get(f"/api/v1/{name}/").status_code == 200
    assert made == []
    page = anon.get("/api/v1/tags/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert made


def test_article_rows_do_not_build_the_serializers_fields(world):
    """Rendering ``published_at`` does not bind every field of the serializer per response
    (DRF's ``fields``), and renders as DRF's DateTimeField does, null included."""
    articles = list(Article.objects.prefetch_related(*views._article_prefetches()))
    assert any(a.published_at is None for a in articles)
    rows = serializers.ArticleSerializer(articles, many=True, context={}).data
    child = serializers.ArticleSerializer(context={})
    assert [child.represent(a) for a in articles] == rows
    assert "fields" not in child.__dict__
    field = drf_serializers.DateTimeField()
    assert [r["published_at"] for r in rows] == [
        None if a.published_at is None else field.to_representation(a.published_at)
        for a in articles
    ]


ACCEPTS = [
    None,
    "",
    "*/*",
    "application/json",
    "application/json; indent=4",
    "application/json;q=0.5, text/html",
    "text/html",
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "*/*; q=0.1",
    "image/png",
]


@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize("query", ["", "?format=json", "?format=api", "?format=xml"])
def test_content_negotiation_answers_as_drfs(accept, query):
    """The shortcut for plain JSON requests picks what DRF's negotiation picks, always."""
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    django_request = APIRequestFactory().get(f"/api/v1/tags/{query}", **headers)
    view = views.TagViewSet()
    renderers = [renderer() for renderer in view.renderer_classes]

    def outcome(negotiation):
        try:
            renderer, media_type = negotiation.select_renderer(Request(django_request), renderers)
        except Exception as exc:  # 404 for an unknown format, 406 for nothing acceptable
            return type(exc)
        return type(renderer), media_type

    assert outcome(ContentNegotiation()) == outcome(DefaultContentNegotiation())


def test_plain_json_requests_skip_media_type_parsing(monkeypatch):
    """No Accept header, ``*/*`` or ``application/json``: JSON without DRF's parsing."""

    def refuse(*args, **kwargs):
        raise AssertionError("DRF's negotiation ran")

    monkeypatch.setattr(DefaultContentNegotiation, "select_renderer", refuse)
    renderers = [renderer() for renderer in views.TagViewSet().renderer_classes]
    for headers in ({}, {"HTTP_ACCEPT": "*/*"}, {"HTTP_ACCEPT": "application/json"}):
        request = Request(APIRequestFactory().get("/api/v1/tags/", **headers))
        renderer, media_type = ContentNegotiation().select_renderer(request, renderers)
        assert (renderer.format, media_type) == ("json", "application/json")
