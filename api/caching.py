"""HTTP caching for the API: ETag/Last-Modified, 304 without serialising, a response cache.

Design (issue 4, point 7): the validator of a response is ``hash(content version token,
URL with query, visibility, media type)``. The content version is the one the website uses
too (``articles/content_version.py``): a single database row bumped in the writing
transaction by every write to something the API shows, so every process sees it and it is
committed or rolled back with the data. Reading it is one primary-key query, made before
any filtering or serialisation; a conditional GET that matches answers 304 without
touching the data. The same hash keys a server-side cache of rendered JSON.

Issue 12: the key must not be the client's to multiply. Query parameters the view does not
read (filters, pagination, ``format``) are dropped from the request before anything runs,
so ``?junk=<random>`` reaches the same key, and the same body (whose pagination links
echo the query), as no junk at all; keys are fixed-length hashes; a body over
``NEWSROOM_RESPONSE_CACHE_MAX_BYTES`` is served but not stored.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.http import QueryDict
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

# --- Query normalisation ----------------------------------------------------------------


def known_query_params(view) -> frozenset[str]:
    """The query parameters ``view`` reads: its filters, pagination and DRF's ``format``."""
    from rest_framework.settings import api_settings

    names = {api_settings.URL_FORMAT_OVERRIDE, *getattr(view, "extra_query_params", ())}
    filterset = getattr(view, "filterset_class", None)
    if filterset is not None and getattr(view, "filter_backends", None):  # not on timeline
        names.update(filterset.base_filters)
    paginator = getattr(view, "paginator", None)
    if paginator is not None:
        names.update(
            (
                getattr(paginator, "page_query_param", None),
                getattr(paginator, "page_size_query_param", None),
            )
        )
    return frozenset(name for name in names if name)


def drop_unknown_params(request, known: frozenset[str]) -> None:
    """Make ``request`` (Django's or DRF's) look as if only ``known`` parameters were sent:
    ``GET`` and ``QUERY_STRING`` (read by links built from the request) both lose the rest."""
    request = getattr(request, "_request", request)
    query = request.GET
    if all(name in known for name in query):
        return
    kept = QueryDict(mutable=True)
    for name in query:
        if name in known:
            kept.setlist(name, query.getlist(name))
    kept._mutable = False
    request.GET = kept
    request.META["QUERY_STRING"] = kept.urlencode()


# --- Conditional requests ---------------------------------------------------------------


def request_etag(request, *, token: str, visibility: str, media_type: str) -> str:
    """A strong validator for this request's response at content version ``token``."""
    query = "&".join(sorted(request.GET.urlencode().split("&")))
    parts = [token, visibility, media_type, request.get_host(), request.scheme, request.path, query]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]
    return f'"{digest}"'


def not_modified_response(request, *, etag: str, last_modified: datetime):
    """A 304 response if the client's copy is current (If-None-Match / If-Modified-Since)."""
    response = get_conditional_response(
        request, etag=etag, last_modified=int(last_modified.timestamp())
    )
    if response is not None and response.status_code == 304:
        return response
    return None


def set_caching_headers(response, *, etag: str, last_modified: datetime, editor: bool):
    """ETag, Last-Modified, Cache-Control and Vary on a 200 or 304 API response."""
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified.timestamp())
    if editor:
        # Editors see drafts: never in a shared cache, always revalidated.
        response["Cache-Control"] = "private, no-cache"
    else:
        response["Cache-Control"] = f"public, max-age={settings.NEWSROOM_API_MAX_AGE}"
    patch_vary_headers(response, ("Accept", "Authorization", "Cookie"))
    return response


def cached_body(etag: str) -> bytes | None:
    if not settings.NEWSROOM_API_RESPONSE_CACHE_SECONDS:
        return None
    return cache.get(f"api:response:{etag}")


def store_body(etag: str, body: bytes) -> None:
    if len(body) > settings.NEWSROOM_RESPONSE_CACHE_MAX_BYTES:
        return  # a few such bodies would push everything else out of the cache
    if settings.NEWSROOM_API_RESPONSE_CACHE_SECONDS:
        cache.set(f"api:response:{etag}", body, settings.NEWSROOM_API_RESPONSE_CACHE_SECONDS)
