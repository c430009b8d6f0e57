"""HTTP caching for the API: ETag/Last-Modified, 304 without serialising, a response cache.

Design (issue 4, point 7): the validator of a response is ``hash(content version token,
URL with query, visibility, media type)``. The content version is the one the website uses
too (``articles/content_version.py``): a single database row bumped in the writing
transaction by every write to something the API shows, so every process sees it and it is
committed or rolled back with the data. Reading it is one primary-key query, made before
any filtering or serialisation; a conditional GET that matches answers 304 without
touching the data. The same hash keys a server-side cache of rendered JSON.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

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
    if settings.NEWSROOM_API_RESPONSE_CACHE_SECONDS:
        cache.set(f"api:response:{etag}", body, settings.NEWSROOM_API_RESPONSE_CACHE_SECONDS)
