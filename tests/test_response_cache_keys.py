"""Response-cache keys the client cannot multiply (issue 12, defect 5): unknown query
parameters reach the entry of the plain URL, known ones are sorted, and oversized bodies
are not stored. Each unique junk query string used to add an entry (about 57 KB each)."""

import uuid

import pytest
from django.core.cache import cache
from django.test import override_settings

from tests.factories import make_article, make_tag

pytestmark = pytest.mark.django_db

REDIS_URL = "redis://127.0.0.1:6379/4"
JUNK_REQUESTS = 1500


@pytest.fixture(autouse=True)
def no_rate_limits(settings):
    settings.NEWSROOM_API_ANON_RATE = "off"
    settings.NEWSROOM_SITE_ANON_RATE = "off"


@pytest.fixture
def content(db):
    tag = make_tag("Budget")
    for n in range(3):
        make_article(f"Council story {n}").tags.add(tag)
    return tag


def entries() -> int:
    return len(cache._cache)  # LocMemCache: the stored keys


def junk() -> str:
    return f"utm_{uuid.uuid4().hex[:8]}={uuid.uuid4().hex}"


@pytest.fixture
def shared_pages(monkeypatch):
    """Page storing on, as with Redis, in this process's cache."""
    monkeypatch.setattr("web.caching.cache_is_shared", lambda: True)


def test_unique_junk_query_strings_add_no_api_cache_entries(client, content):
    """1,500 requests with unique junk parameters store nothing beyond the first response:
    the API refuses a parameter it does not read (issue 15) before any cache is touched."""
    client.get("/api/v1/tags/")
    before = entries()
    assert before >= 1
    for _ in range(JUNK_REQUESTS):
        response = client.get(f"/api/v1/tags/?{junk()}")
        assert response.status_code == 400
        assert "ETag" not in response
    assert entries() == before


def test_unique_junk_query_strings_add_no_page_cache_entries(client, content, shared_pages):
    """The same for public pages: 1,500 junk query strings, one stored home page."""
    assert client.get("/")["X-Page-Cache"] == "miss"
    before = entries()
    for _ in range(JUNK_REQUESTS):
        response = client.get(f"/?{junk()}")
        assert response.status_code == 200
        assert response["X-Page-Cache"] == "hit"
    assert entries() == before


def test_known_parameters_still_vary_and_their_order_does_not(client, content, shared_pages):
    """Filters and pages keep their own entries; their order in the URL does not matter."""
    first = client.get("/api/v1/articles/?page_size=1&ordering=title")
    assert client.get("/api/v1/articles/?ordering=title&page_size=1")["ETag"] == first["ETag"]
    assert client.get("/api/v1/articles/?ordering=-title&page_size=1")["ETag"] != first["ETag"]
    client.get("/search/?q=council&articles_page=2")
    hit = client.get("/search/?articles_page=2&x=1&q=council")
    assert hit["X-Page-Cache"] == "hit"


def test_junk_is_refused_not_echoed_in_pagination_links(client, content):
    """An unknown parameter is a 400 naming it, never a body whose links echo it."""
    response = client.get("/api/v1/articles/?page_size=1&tracking=evil")
    assert response.status_code == 400
    assert response.json()["unknown_parameters"] == ["tracking"]
    assert "evil" not in response.content.decode()


def test_oversized_responses_are_served_but_not_stored(client, content, settings, shared_pages):
    """A body over NEWSROOM_RESPONSE_CACHE_MAX_BYTES is answered normally but not kept."""
    settings.NEWSROOM_RESPONSE_CACHE_MAX_BYTES = 100
    assert client.get("/api/v1/articles/").status_code == 200
    assert client.get("/").status_code == 200
    # Only the list's count (a number, api/pagination.py) is kept; no body is.
    assert [key for key in cache._cache if "api-count:" not in key] == []


@pytest.fixture
def redis_db():
    redis = pytest.importorskip("redis")
    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    backend = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    connection.flushdb()
    with override_settings(CACHES={"default": backend, "throttle": backend}):
        yield connection
    connection.flushdb()


def test_junk_query_strings_do_not_grow_redis(client, content, redis_db):
    """With Redis (db 4): 1,500 junk requests to the API and to a page add no key."""
    client.get("/api/v1/tags/")
    client.get("/")
    keys = redis_db.dbsize()
    memory = redis_db.info("memory")["used_memory"]
    for n in range(JUNK_REQUESTS):
        url, status = ("/api/v1/tags/", 400) if n % 2 else ("/", 200)
        assert client.get(f"{url}?{junk()}").status_code == status
    assert redis_db.dbsize() == keys
    assert redis_db.info("memory")["used_memory"] < memory + 1024 * 1024
