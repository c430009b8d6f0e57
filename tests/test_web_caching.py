"""HTTP caching and stored pages for the public website (issue 6).

The Redis tests use database 15 of the local Redis server (flushed before and after): the
page cache is only switched on with a shared cache, so it is tested against the real one.
The content version itself is the database row of ``articles/content_version.py``, shared
with the API.
"""

import threading
import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import http_date
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from articles.content_version import bump_content_version, content_state
from articles.models import Article, ContentVersion, Quote, Tag
from articles.services import article_set_status, quote_set_status
from people.models import PersonRedirect
from tests.factories import (
    build_newsdesk,
    make_alias,
    make_article,
    make_editor,
    make_event,
    make_mention,
    make_person,
    make_quote,
    make_tag,
)
from web.caching import cache_is_shared

pytestmark = pytest.mark.django_db

REDIS_CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/15",
        "KEY_PREFIX": "newsroom-web-tests",
    }
}


@pytest.fixture
def redis_cache():
    with override_settings(CACHES=REDIS_CACHES):
        cache = caches["default"]
        cache.clear()
        yield cache
        cache.clear()


@pytest.fixture
def desk():
    return build_newsdesk()


# --- HTTP headers ---------------------------------------------------------------------


def test_anonymous_pages_are_publicly_cacheable(client, desk):
    """Anonymous pages, feeds and crawler files say `public, max-age=60` with ETag and
    Last-Modified."""
    for url in (
        "/",
        desk.bafta.get_absolute_url(),
        "/people/",
        "/feeds/articles/rss/",
        "/sitemap.xml",
        "/robots.txt",
        "/search/?q=rose",
    ):
        response = client.get(url)
        assert response.status_code == 200
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert directives == {"public", "max-age=60"}, url
        assert response["ETag"] and response["Last-Modified"]


def test_not_found_pages_are_not_marked_public(client):
    """A 404 is never handed to proxies as a public, cacheable page."""
    response = client.get("/articles/nope/")
    assert response.status_code == 404
    assert "public" not in response.get("Cache-Control", "")


def test_matching_etag_gets_304_after_one_version_read(client, desk):
    """Revalidating with the current ETag answers 304 Not Modified after one primary-key
    read of the content version, no other query."""
    etag = client.get("/").headers["ETag"]
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response["ETag"] == etag
    assert len(queries) == 1
    assert "articles_contentversion" in queries[0]["sql"]


def test_if_modified_since_gets_304_until_content_changes(client, desk):
    """`If-Modified-Since` after the content version gets 304; after an edit, the page."""
    since = client.get("/").headers["Last-Modified"]
    assert since == http_date(content_state().changed_at.timestamp())
    assert client.get("/", headers={"If-Modified-Since": since}).status_code == 304
    time.sleep(1.1)  # Last-Modified counts whole seconds
    make_article("Fresh story")
    response = client.get("/", headers={"If-Modified-Since": since})
    assert response.status_code == 200
    assert "Fresh story" in response.content.decode()


def test_etag_changes_when_editors_change_content(client, desk):
    """Publishing a story changes every page's ETag, so revalidation fetches the new page."""
    etag = client.get("/").headers["ETag"]
    person_etag = client.get("/people/").headers["ETag"]
    article_set_status(article=desk.draft, status=Article.Status.PUBLISHED)
    response = client.get("/", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "Embargoed" in response.content.decode()
    assert client.get("/people/").headers["ETag"] != person_etag


def test_etag_differs_between_pages_and_queries(client, desk):
    """Two URLs (or two queries of one page) never share an ETag."""
    assert client.get("/").headers["ETag"] != client.get("/?page=2").headers["ETag"]
    assert client.get("/").headers["ETag"] != client.get("/people/").headers["ETag"]


def test_logged_in_users_get_pages_nobody_may_cache(client, desk):
    """Editors browsing the site get `private, no-cache, no-store` pages and no validators,
    so they see their changes at once."""
    user = get_user_model().objects.create_user("ed", password="x" * 20, is_staff=True)
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-cache", "no-store"} <= directives
    assert "public" not in directives
    assert "ETag" not in response


# --- Content version ------------------------------------------------------------------


def _edit_article(desk):
    desk.bafta.title = "Edited"
    desk.bafta.save()


EDITS = {
    "article saved": _edit_article,
    "article created": lambda d: make_article("New"),
    "article deleted": lambda d: d.draft.delete(),
    "quote saved": lambda d: quote_set_status(quote=d.giovanni_quote, status="rejected"),
    "quote created": lambda d: make_quote(d.bafta, text="Rose", start=0),
    "event created": lambda d: make_event(d.bafta),
    "event people changed": lambda d: d.award.people.remove(d.giovanni),
    "person created": lambda d: make_person("Someone New"),
    "alias created": lambda d: make_alias(d.rose, "Rosie"),
    "tag created": lambda d: make_tag("New tag"),
    "article tags changed": lambda d: d.tour.tags.add(d.baftas),
    "mention created": lambda d: make_mention(d.bafta, d.fan, start=100, end=104),
    "person redirect created": lambda d: PersonRedirect.objects.create(
        old_slug="rosie-ellis", person=d.rose
    ),
}


@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_each_kind_of_edit_bumps_the_content_version(desk, edit):
    """Saving, creating or deleting anything a page shows starts a new content version."""
    before = content_state()
    edit(desk)
    after = content_state()
    assert after.token != before.token
    assert after.changed_at >= before.changed_at


def test_version_changes_only_with_the_data(desk):
    """The bump is part of the writing transaction: a write that rolls back leaves the
    version as it was, so no reader sees a new version without the data."""
    before = content_state()

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        make_article("Pending")
        assert content_state().token != before.token
        raise Abort
    assert content_state() == before


def test_versions_always_increase():
    """Two bumps in the same instant still give two versions, and Last-Modified never goes
    back, even when the stored time is ahead of this worker's clock."""
    first = content_state()
    bump_content_version()
    second = content_state()
    assert second.token != first.token and second.changed_at >= first.changed_at
    ahead = timezone.now() + timedelta(hours=1)
    ContentVersion.objects.update(changed_at=ahead)
    bump_content_version()
    assert content_state().changed_at == ahead


def test_per_process_cache_holds_no_version_and_stores_no_pages(client, desk):
    """With the default per-process cache the version is not kept in it (clearing it
    changes nothing) and rendered pages are not stored."""
    assert not cache_is_shared()
    etag = client.get("/").headers["ETag"]
    caches["default"].clear()
    assert client.get("/", headers={"If-None-Match": etag}).status_code == 304
    assert "X-Page-Cache" not in client.get("/")


# serialized_rollback: start from the migrated data (the version row) and leave the database
# as later serialized-rollback tests (the browser tests) expect it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_edit_in_another_worker_is_seen_by_the_next_request(client):
    """A write committed by another worker — its own database connection and its own cache
    — changes this worker's ETag on the very next request."""
    etag = client.get("/").headers["ETag"]

    def other_worker():
        try:
            make_article("Written elsewhere")
        finally:
            connection.close()

    # The other worker shares no cache with this one.
    dummy = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    with override_settings(CACHES=dummy):
        worker = threading.Thread(target=other_worker)
        worker.start()
        worker.join()
    response = client.get("/", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "Written elsewhere" in response.content.decode()


def test_one_version_serves_the_website_and_the_api(client, desk):
    """An editor's write through the API changes the website's ETag, and a publish through
    the editorial services changes the API's ETag: both read one content version."""
    editor_api = APIClient()
    token = Token.objects.create(user=make_editor(username="api-editor"))
    editor_api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    quote_url = f"/api/v1/quotes/{desk.giovanni_quote.pk}/reject/"

    page_etag = client.get("/").headers["ETag"]
    assert editor_api.post(quote_url, {"version": 1}).status_code == 200
    assert client.get("/", headers={"If-None-Match": page_etag}).status_code == 200

    api_etag = APIClient().get("/api/v1/articles/")["ETag"]
    article_set_status(article=desk.draft, status=Article.Status.PUBLISHED)
    response = APIClient().get("/api/v1/articles/", HTTP_IF_NONE_MATCH=api_etag)
    assert response.status_code == 200
    assert desk.draft.slug in {article["slug"] for article in response.json()["results"]}


# --- Stored pages (Redis) -------------------------------------------------------------


def test_pages_are_stored_in_redis_and_served_with_one_version_read(redis_cache, client, desk):
    """With Redis, the second request for a page is served from the cache; the only query
    is the content version's primary-key read."""
    assert cache_is_shared()
    first = client.get(desk.bafta.get_absolute_url())
    assert first["X-Page-Cache"] == "miss"
    with CaptureQueriesContext(connection) as queries:
        second = client.get(desk.bafta.get_absolute_url())
    assert len(queries) == 1
    assert "articles_contentversion" in queries[0]["sql"]
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == "text/html; charset=utf-8"
    assert second["Cache-Control"] == first["Cache-Control"]


def test_stored_page_is_reused_until_an_editor_changes_content(redis_cache, client, desk):
    """A write that bypasses the editors' path (no signal) leaves the stored page in place;
    publishing through the service shows up at once."""
    client.get("/")
    Article.objects.filter(pk=desk.bafta.pk).update(title="Changed behind our back")
    assert "Changed behind our back" not in client.get("/").content.decode()
    article_set_status(article=desk.draft, status=Article.Status.PUBLISHED)
    response = client.get("/")
    assert response["X-Page-Cache"] == "miss"
    page = response.content.decode()
    assert "Embargoed" in page and "Changed behind our back" in page


def test_rejecting_a_quote_removes_it_from_stored_pages(redis_cache, client, desk):
    """Rejecting a quote invalidates the stored article, person and quote pages."""
    quote_url = desk.giovanni_quote.get_absolute_url()
    for url in (desk.bafta.get_absolute_url(), desk.giovanni.get_absolute_url(), quote_url):
        assert quote_url in client.get(url).content.decode() or url == quote_url
    assert client.get(quote_url)["X-Page-Cache"] == "hit"
    quote_set_status(quote=desk.giovanni_quote, status=Quote.Status.REJECTED)
    assert quote_url not in client.get(desk.bafta.get_absolute_url()).content.decode()
    assert quote_url not in client.get(desk.giovanni.get_absolute_url()).content.decode()
    assert client.get(quote_url).status_code == 404


def test_logged_in_users_never_get_stored_pages(redis_cache, client, desk):
    """Editors always get a freshly rendered page, never one from the cache."""
    client.get("/")
    Article.objects.filter(pk=desk.bafta.pk).update(title="Fresh for editors")
    user = get_user_model().objects.create_user("ed", password="x" * 20, is_staff=True)
    client.force_login(user)
    response = client.get("/")
    assert "X-Page-Cache" not in response
    assert "Fresh for editors" in response.content.decode()


def test_stored_pages_are_per_url(redis_cache, client, desk):
    """Each URL (query string included) is stored under its own key."""
    assert client.get("/search/?q=rose")["X-Page-Cache"] == "miss"
    assert client.get("/search/?q=giovanni")["X-Page-Cache"] == "miss"
    page = client.get("/search/?q=giovanni")
    assert page["X-Page-Cache"] == "hit"
    assert "Giovanni Pernice" in page.content.decode()


def test_error_responses_are_not_stored(redis_cache, client, desk):
    """A 404 is not stored: a tag created later (even without a version bump) appears."""
    assert client.get("/tags/later/").status_code == 404
    # No signal, so the same version; on a published story, so the tag is public.
    (tag,) = Tag.objects.bulk_create([Tag(name="Later", slug="later")])
    Article.tags.through.objects.bulk_create(
        [Article.tags.through(article_id=desk.bafta.pk, tag_id=tag.pk)]
    )
    assert client.get("/tags/later/").status_code == 200
