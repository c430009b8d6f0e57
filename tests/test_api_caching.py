"""HTTP caching and throttling: ETag/Last-Modified, 304 without serialising, invalidation
on every edit, Cache-Control and Vary, and 429 for anonymous floods."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import content_version
from articles.models import ContentVersion, Quote
from tests.api_support import *  # noqa: F403  (fixtures)
from tests.api_support import make_article, make_tag

pytestmark = pytest.mark.django_db

URL = "/api/v1/articles/"


def test_list_and_detail_carry_validators(anon, world):
    """Lists and details have ETag, Last-Modified, public Cache-Control and Vary."""
    for url in (URL, f"{URL}{world.pub1.slug}/", "/api/v1/people/rose-ayling-ellis/timeline/"):
        response = anon.get(url)
        assert response["ETag"].startswith('"')
        assert response["Last-Modified"].endswith("GMT")
        assert response["Cache-Control"].startswith("public, max-age=")
        vary = {v.strip() for v in response["Vary"].split(",")}
        assert {"Authorization", "Cookie", "Accept"} <= vary


def test_editor_responses_are_private(editor_api, world):
    """Editors' responses (drafts included) are never stored by shared caches."""
    assert editor_api.get(URL)["Cache-Control"] == "private, no-cache"


def test_editor_and_public_etags_differ(anon, editor_api, world):
    """The same URL has different validators for the public and for editors."""
    assert anon.get(URL)["ETag"] != editor_api.get(URL)["ETag"]


def test_etag_depends_on_query(anon, world):
    """Different filters give different validators."""
    assert anon.get(URL)["ETag"] != anon.get(f"{URL}?tag=bafta")["ETag"]


def test_conditional_get_is_304_without_serialising(anon, world):
    """If-None-Match with the current ETag answers 304 after one version read, no data query."""
    etag = anon.get(URL)["ETag"]
    with CaptureQueriesContext(connection) as queries:
        response = anon.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert len(queries) == 1
    assert "articles_contentversion" in queries[0]["sql"]


def test_if_modified_since_is_304(anon, world):
    """If-Modified-Since with the Last-Modified date answers 304."""
    last_modified = anon.get(URL)["Last-Modified"]
    assert anon.get(URL, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304


def test_repeated_get_is_served_from_the_response_cache(anon, world):
    """A second identical GET reuses the rendered JSON: one query, same body."""
    first = anon.get(URL)
    with CaptureQueriesContext(connection) as queries:
        second = anon.get(URL)
    assert second.content == first.content
    assert len(queries) == 1


@pytest.mark.parametrize(
    "edit",
    [
        lambda w: Quote.objects.get(pk=w.q_rose.pk).save(),
        lambda w: w.rose.save(),
        lambda w: w.pub1.tags.add(make_tag("New topic")),
        lambda w: w.e_win.people.remove(w.gio),
        lambda w: make_article("Fresh story"),
        lambda w: w.q_fan.delete(),
    ],
    ids=["quote-save", "person-save", "tag-add", "event-people", "new-article", "quote-delete"],
)
def test_any_edit_changes_the_etag(anon, world, edit):
    """After any write to an API-visible model, the old ETag no longer matches."""
    etag = anon.get(URL)["ETag"]
    edit(world)
    response = anon.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_api_write_changes_etag_and_content(anon, editor_api, world):
    """An editor's rejection via the API invalidates the cached public list of quotes."""
    url = "/api/v1/quotes/"
    before = anon.get(url)
    assert editor_api.post(f"{url}{world.q_rose.pk}/reject/", {"version": 1}).status_code == 200
    after = anon.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after.json()["count"] == before.json()["count"] - 1


def test_version_survives_a_missing_row(anon, world):
    """If the version row is gone (flushed database), it is recreated, not a 500."""
    ContentVersion.objects.all().delete()
    assert anon.get(URL).status_code == 200
    state = content_version.content_state()
    content_version.bump_content_version()
    assert content_version.content_state().token != state.token


def test_anonymous_flood_is_429_with_retry_after(anon, settings, world):
    """Beyond the anonymous rate a client gets 429 with a Retry-After header."""
    settings.NEWSROOM_API_ANON_RATE = "3/min"
    codes = [anon.get("/api/v1/tags/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = anon.get("/api/v1/tags/")
    assert int(response["Retry-After"]) > 0
    assert "throttled" in response.json()["detail"].lower()


def test_editors_are_not_throttled(editor_api, settings, world):
    """Editors are not limited by the anonymous rate."""
    settings.NEWSROOM_API_ANON_RATE = "2/min"
    assert {editor_api.get("/api/v1/tags/").status_code for _ in range(5)} == {200}
