"""HTTP and page caching for the public website (issue 6).

Everything the public site shows stands behind one *content version*, the same one the
REST API uses (``articles/content_version.py``): a database row bumped in the writing
transaction by every save or delete of an article, quote, event, person, alias, redirect,
tag or mention, and by tag or event-people changes. Every process sees a bump on its next
request, so:

* ``ETag`` / ``Last-Modified`` come from it after one primary-key read, before the view
  runs, and a client or reverse proxy revalidating a page gets ``304 Not Modified`` until
  editors change content;
* rendered pages are stored under a key that includes the version: a bump makes every
  stored page unreachable at once, and the stale entries simply expire.

Pages are stored only in a shared cache (Redis, ``REDIS_URL``). Correctness does not
need that — a page stored in one process under an old version is never served after a
bump, wherever it happened — but a per-process memory cache would hold a copy of every page
in every worker (memory times workers, hit rate divided by them) and LocMemCache culls at
300 entries, so pages would evict the API's stored JSON and the throttle counters. Without
``REDIS_URL`` (development, tests, a single small host) pages are rendered afresh and
conditional GET still saves the transfer.

Issue 12: the URL is the client's to vary, so the key is built from the query parameters
the site reads (``PAGE_QUERY_PARAMS``) and the view sees only those: ``?junk=<random>``
reaches the page stored for the plain URL instead of adding one. Keys are fixed-length
hashes, and a page over ``NEWSROOM_RESPONSE_CACHE_MAX_BYTES`` is not stored.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.http import condition

from api.caching import drop_unknown_params
from articles.content_version import ContentState, public_content_state
from articles.scheduling import check_schedule

PAGE_KEY_PREFIX = "web:page"
MAX_AGE = 60  # seconds a browser or reverse proxy may reuse an anonymous page
PAGE_CACHE_SECONDS = 60 * 60  # a stored page is found only while the version is current
# Every query parameter a public page reads (pagination, search, filters, Django's sitemap
# pages). Others are dropped before the view runs: a page that starts reading a new
# parameter must add it here (or pass ``params=`` to ``public_page``).
PAGE_QUERY_PARAMS = frozenset(
    {
        "page",
        "p",
        "q",
        "year",
        "person",
        "after",
        "before",
        "letter",
        "people_page",
        "quotes_page",
        "articles_page",
    }
)
LOCAL_BACKENDS = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


def cache_is_shared() -> bool:
    """Whether the default cache is shared by every process (e.g. Redis), not per-process."""
    return settings.CACHES["default"]["BACKEND"] not in LOCAL_BACKENDS


def _state(request) -> ContentState:
    # Read once per request, so the ETag, Last-Modified and page key name the same version.
    # Only anonymous requests get here (editors bypass the page cache): they are served at
    # the public version, which lets additions wait a few seconds (content_version.py).
    if not hasattr(request, "_content_state"):
        request._content_state = public_content_state(request.path)
    return request._content_state


def _last_modified(request, *args, **kwargs) -> datetime:
    return _state(request).changed_at


def _normal_url(request, *, absolute: bool) -> str:
    """The URL with its (already filtered) query parameters in sorted order."""
    query = "&".join(sorted(request.GET.urlencode().split("&")))
    url = request.build_absolute_uri(request.path) if absolute else request.path
    return f"{url}?{query}"


def _etag(request, *args, **kwargs) -> str:
    key = f"{_state(request).token}|{_normal_url(request, absolute=False)}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _page_key(request) -> str:
    digest = hashlib.sha256(_normal_url(request, absolute=True).encode()).hexdigest()
    return f"{PAGE_KEY_PREFIX}:{_state(request).token}:{request.method}:{digest}"


def public_page(view=None, *, params: frozenset[str] = PAGE_QUERY_PARAMS):
    """Make a public view cacheable: conditional GET, ``Cache-Control: public`` and, with a
    shared cache, stored rendered pages. Logged-in users (editors) always get a fresh page
    that no one may cache, so they see their changes at once. Anonymous requests reach the
    view with only the query parameters in ``params``."""
    if view is None:
        return lambda view: public_page(view, params=params)

    @condition(etag_func=_etag, last_modified_func=_last_modified)
    def anonymous_view(request, *args, **kwargs):
        shared = cache_is_shared()
        key = _page_key(request) if shared else None
        if shared:
            stored = cache.get(key)
            if stored is not None:
                content, content_type = stored
                response = HttpResponse(content, content_type=content_type)
                response["X-Page-Cache"] = "hit"
                return response
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if (
            shared
            and response.status_code == 200
            and not response.streaming
            and len(response.content) <= settings.NEWSROOM_RESPONSE_CACHE_MAX_BYTES
        ):
            cache.set(key, (response.content, response["Content-Type"]), PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
        return response

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            # Editors' pages skip the version read that publishes due scheduled articles
            # (issue 14): they read the schedule themselves.
            check_schedule()
            response = view(request, *args, **kwargs)
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
            return response
        drop_unknown_params(request, params)
        response = anonymous_view(request, *args, **kwargs)
        if response.status_code in (200, 304):
            patch_cache_control(response, public=True, max_age=MAX_AGE)
        return response

    return wrapped
