"""HTTP caching for the API: one content version, ETag/Last-Modified, a response cache.

Design (issue 4, point 7): every write to a model the API shows bumps a single
``ContentVersion`` row *in the writing transaction* (post_save / post_delete / m2m_changed).
The version is therefore committed — or rolled back — together with the data, every process
sees it (it lives in the database, not in a per-process cache), and the validator of a
response is ``hash(version token, URL with query, visibility, media type)``: one primary-key
read, made before any filtering or serialisation. A conditional GET that matches answers
304 without touching the data. The same hash keys a server-side cache of rendered JSON.

Writes that bypass model signals (``QuerySet.update()``, ``bulk_create()``) must call
``bump_content_version()`` themselves; the editorial services always end with ``save()`` or
``delete()``, so they are covered.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

VERSION_PK = 1


@dataclass(frozen=True)
class ContentState:
    token: str
    changed_at: datetime


def bump_content_version(**_signal_kwargs) -> None:
    """Give the API content a new version (call after writes that send no model signal)."""
    from .models import ContentVersion

    token, now = uuid.uuid4().hex, timezone.now()
    updated = ContentVersion.objects.filter(pk=VERSION_PK).update(token=token, changed_at=now)
    if not updated:
        # The row is created by the migration; a flushed database recreates it here.
        with transaction.atomic():
            ContentVersion.objects.update_or_create(
                pk=VERSION_PK, defaults={"token": token, "changed_at": now}
            )


def content_state() -> ContentState:
    """The current content version: one primary-key read."""
    from .models import ContentVersion

    row = ContentVersion.objects.filter(pk=VERSION_PK).values_list("token", "changed_at").first()
    if row is None:
        bump_content_version()
        row = ContentVersion.objects.values_list("token", "changed_at").get(pk=VERSION_PK)
    return ContentState(*row)


def _tracked_models():
    from articles.models import Article, Event, Mention, Quote, Tag
    from people.models import Alias, Person

    return [Article, Event, Mention, Quote, Tag, Person, Alias]


def connect_signals() -> None:
    """Bump the content version on every write to a model whose data the API serves."""
    from articles.models import Article, Event

    for model in _tracked_models():
        uid = f"api-content-version-{model._meta.label_lower}"
        post_save.connect(bump_content_version, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(bump_content_version, sender=model, dispatch_uid=uid + "-delete")
    for through in (Article.tags.through, Event.people.through):
        m2m_changed.connect(
            _bump_on_m2m, sender=through, dispatch_uid=f"api-content-version-{through}"
        )


def _bump_on_m2m(*, action, **kwargs) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        bump_content_version()


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
