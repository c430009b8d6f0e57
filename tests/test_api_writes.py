"""Editors' API writes refuse malformed input with a JSON 4xx, never a 500, and never
overwrite blindly (issue 12, defect 10); so does the admin's one form-less write button."""

import json

import pytest
from django.urls import reverse

from api.parsers import MAX_DEPTH, json_depth_exceeds
from articles.models import Article, Quote
from tests.api_support import *  # noqa: F403  (fixtures)
from tests.factories import make_quote

pytestmark = pytest.mark.django_db

QUOTES = "/api/v1/quotes/"
ARTICLES = "/api/v1/articles/"


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("speaker", ["¹", "٣", "²³", "1²"])
def test_a_speaker_id_in_odd_digits_is_400(editor_api, world, speaker):
    """`speaker=¹` (a digit to str.isdigit(), not to int()) is an unknown person: 400."""
    response = editor_api.patch(
        f"{QUOTES}{world.q_fan.pk}/", {"speaker": speaker, "version": 1}, format="json"
    )
    assert response.status_code == 400
    assert "speaker" in response.json()
    assert Quote.objects.get(pk=world.q_fan.pk).version == 1


@pytest.mark.parametrize("header", ["¹", '"²"', 'W/"٣"'])
def test_an_if_match_in_odd_digits_is_400(editor_api, world, header):
    """A version in If-Match must be ASCII digits; anything else is a 400, not a 500."""
    response = editor_api.post(f"{QUOTES}{world.q_fan.pk}/confirm/", HTTP_IF_MATCH=header)
    assert response.status_code == 400
    assert "If-Match" in response.json()
    assert Quote.objects.get(pk=world.q_fan.pk).status == Quote.Status.AUTO


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1000, 100_000])
def test_deeply_nested_json_is_400(editor_api, world, depth):
    """A JSON body nested deeper than MAX_DEPTH levels is refused with a JSON 400."""
    body = '{"version": 1, "speaker_label": ' + nested(depth) + "}"
    response = editor_api.generic(
        "PATCH", f"{QUOTES}{world.q_fan.pk}/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "nested deeper" in response.json()["detail"]
    assert Quote.objects.get(pk=world.q_fan.pk).version == 1


def test_json_nested_within_the_bound_still_parses(editor_api, world):
    """Nesting up to MAX_DEPTH is parsed as usual (here: ignored extra data)."""
    body = json.dumps({"version": 1, "note": json.loads(nested(MAX_DEPTH - 1))})
    response = editor_api.generic(
        "POST", f"{QUOTES}{world.q_fan.pk}/confirm/", body, content_type="application/json"
    )
    assert response.status_code == 200, response.content


def test_depth_counts_brackets_outside_strings_only():
    assert not json_depth_exceeds('{"a": "' + "[" * 1000 + '"}', limit=2)
    assert not json_depth_exceeds('["\\"[[[[", {"b": [1]}]', limit=3)
    assert json_depth_exceeds('{"a": [[[1]]]}', limit=3)
    assert not json_depth_exceeds('{"a": [[[1]]]}', limit=4)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "quotes/{q}/confirm/"),
        ("post", "quotes/{q}/reject/"),
        ("post", "quotes/{q}/accept-suggestion/"),
        ("patch", "quotes/{q}/"),
        ("post", "articles/{a}/publish/"),
        ("post", "articles/{a}/unpublish/"),
    ],
)
def test_a_write_without_a_version_is_428(editor_api, world, method, path):
    """Every versioned write needs the version the editor saw (body or If-Match): without
    it the API answers 428 Precondition Required with a JSON message and changes nothing."""
    url = "/api/v1/" + path.format(q=world.q_fan.pk, a=world.pub1.slug)
    response = getattr(editor_api, method)(url, {"speaker_label": "a fan"}, format="json")
    assert response.status_code == 428
    assert "version" in response.json()["detail"]
    assert Quote.objects.get(pk=world.q_fan.pk).version == 1
    assert Article.objects.get(pk=world.pub1.pk).version == 1


def test_the_version_in_if_match_is_enough(editor_api, world):
    """If-Match alone (no body) carries the version."""
    response = editor_api.post(f"{QUOTES}{world.q_fan.pk}/reject/", HTTP_IF_MATCH='W/"1"')
    assert response.status_code == 200
    assert response.json()["version"] == 2


@pytest.mark.parametrize("version", [None, "", "¹", "1²"])
def test_admin_accept_suggestion_needs_a_plain_version(editor_client, world, version):
    """The admin's "accept the suggested speaker" button without a usable version writes
    nothing and says why (it was a 500 for "¹", a blind write without one)."""
    quote = make_quote(
        world.pub1, text="won", start=38, suggested_speaker=world.gio, confidence=0.1
    )
    url = reverse("admin:articles_quote_accept_suggestion", args=[quote.pk])
    data = {} if version is None else {"version": version}
    response = editor_client.post(url, data, follow=True)
    assert response.status_code == 200
    assert "Reload the quote" in response.content.decode()
    quote.refresh_from_db()
    assert (quote.speaker, quote.status, quote.version) == (None, Quote.Status.AUTO, 1)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "quotes/{quote}/confirm.json"),
        ("post", "quotes/{quote}/reject.json"),
        ("post", "quotes/{quote}/accept-suggestion.json"),
        ("patch", "quotes/{quote}.json"),
        ("post", "articles/{article}/publish.json"),
        ("post", "articles/{article}/unpublish.json"),
        ("post", "people/{person}/merge.json"),
    ],
)
def test_writes_through_the_json_suffix_are_never_a_500(editor_api, world, method, path):
    """The router also routes ``<action>.json``; each action takes the suffix's ``format``
    (a missing parameter was a TypeError: 500). Without a version: 428, or 400 for merge."""
    url = "/api/v1/" + path.format(
        quote=world.q_fan.pk, article=world.pub1.slug, person=world.gio.slug
    )
    response = getattr(editor_api, method)(url, {}, format="json")
    assert response.status_code < 500, response.content
    assert response.status_code in (400, 404, 428)
