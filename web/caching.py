"""HTTP and page caching for the public website (issue 6).

One global *content version* — a timestamp kept in the cache — stands for "everything the
public site shows". Any save or delete of an article, quote, event, person, alias, tag or
mention bumps it once the transaction commits, so:

* ``ETag`` / ``Last-Modified`` come from it without touching the database, and a client or
  reverse proxy revalidating a page gets ``304 Not Modified`` until editors change content;
* with a shared cache (Redis, ``REDIS_URL``) rendered pages are stored under a key that
  includes the version: a bump makes every stored page unreachable at once, and the stale
  entries simply expire.

With the default per-process memory cache, other worker processes never see a bump, so
there the version lives only ``LOCAL_VERSION_SECONDS`` (the same staleness a proxy has
with ``max-age=60``) and rendered pages are not stored at all.

The REST API keeps its own caching; this module is the website's alone.
"""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.http import condition

VERSION_KEY = "web:content-version"
PAGE_KEY_PREFIX = "web:page"
MAX_AGE = 60  # seconds a browser or reverse proxy may reuse an anonymous page
PAGE_CACHE_SECONDS = 60 * 60  # a stored page is found only while the version is current
LOCAL_VERSION_SECONDS = 60
LOCAL_BACKENDS = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


def cache_is_shared() -> bool:
    """Whether the default cache is shared by every process (e.g. Redis), not per-process."""
    return settings.CACHES["default"]["BACKEND"] not in LOCAL_BACKENDS


def _version_timeout() -> int | None:
    return None if cache_is_shared() else LOCAL_VERSION_SECONDS


def content_version() -> float:
    """The current content version (a Unix timestamp); starts a new one if none is stored."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = time.time()
        if not cache.add(VERSION_KEY, version, timeout=_version_timeout()):
            version = cache.get(VERSION_KEY, version)
    return float(version)


def bump_content_version() -> float:
    """Start a new content version: every page's ETag changes and stored pages go stale."""
    previous = cache.get(VERSION_KEY) or 0.0
    version = max(time.time(), float(previous) + 0.001)
    cache.set(VERSION_KEY, version, timeout=_version_timeout())
    return version


def _bump_on_commit(**kwargs) -> None:
    # After commit: a reader that renders between the write and the bump can only store
    # fresh content under the old version, never old content under the new one.
    transaction.on_commit(bump_content_version)


def connect_signals() -> None:
    """Bump the content version whenever something the public site shows changes."""
    from articles.models import Article, Event, Mention, Quote, Tag
    from people.models import Alias, Person, PersonRedirect

    for model in (Article, Quote, Event, Person, Tag, Alias, Mention, PersonRedirect):
        uid = f"web.caching.{model._meta.label_lower}"
        post_save.connect(_bump_on_commit, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_bump_on_commit, sender=model, dispatch_uid=f"{uid}.delete")
    for through in (Article.tags.through, Event.people.through):
        m2m_changed.connect(
            _bump_on_commit, sender=through, dispatch_uid=f"web.caching.{through._meta.label}"
        )


def _last_modified(request, *args, **kwargs) -> datetime:
    return datetime.fromtimestamp(content_version(), tz=UTC)


def _etag(request, *args, **kwargs) -> str:
    key = f"{content_version():.6f}|{request.get_full_path()}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _page_key(request) -> str:
    digest = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    return f"{PAGE_KEY_PREFIX}:{content_version():.6f}:{request.method}:{digest}"


def public_page(view):
    """Make a public view cacheable: conditional GET, ``Cache-Control: public`` and, with a
    shared cache, stored rendered pages. Logged-in users (editors) always get a fresh page
    that no one may cache, so they see their changes at once."""

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
        if shared and response.status_code == 200 and not response.streaming:
            cache.set(key, (response.content, response["Content-Type"]), PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
        return response

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            response = view(request, *args, **kwargs)
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
            return response
        response = anonymous_view(request, *args, **kwargs)
        if response.status_code in (200, 304):
            patch_cache_control(response, public=True, max_age=MAX_AGE)
        return response

    return wrapped
