"""One content version for everything readers see: the website's and the API's HTTP caches.

Every write to a model that the public site or the API shows bumps the single
:class:`~articles.models.ContentVersion` row *in the writing transaction* (post_save /
post_delete / m2m_changed, connected once from ``ArticlesConfig.ready()``). So:

* the version is committed, or rolled back, together with the data it stands for;
* it lives in the database, not in a per-process cache, so every process — gunicorn
  workers, the import command, the admin — sees an edit on its very next request;
* reading it is one primary-key query, made before any filtering or rendering. Readers
  read the version *before* the data, so under READ COMMITTED they can only pair an old
  version with newer data (harmless: the next bump replaces it), never new with old.

``web.caching`` (ETag, Last-Modified, stored pages) and ``api.caching`` (ETag,
Last-Modified, stored JSON) both key on it. Writes that bypass model signals
(``QuerySet.update()``, ``bulk_create()``) must call :func:`bump_content_version`
themselves; the editorial services end with ``save()`` or ``delete()``, and each import
saves its article, so both are covered.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, models, transaction
from django.db.models.functions import Greatest
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

VERSION_PK = 1


@dataclass(frozen=True)
class ContentState:
    """The current version: ``token`` changes on every bump; ``changed_at`` never goes back."""

    token: str
    changed_at: datetime


def bump_content_version() -> None:
    """Give the public content a new version (call after writes that send no model signal)."""
    from .models import ContentVersion

    token, now = uuid.uuid4().hex, timezone.now()
    # Greatest: a worker whose clock lags must not move Last-Modified backwards.
    changed_at = Greatest(
        models.Value(now, output_field=models.DateTimeField()), models.F("changed_at")
    )
    updated = ContentVersion.objects.filter(pk=VERSION_PK).update(
        token=token, changed_at=changed_at
    )
    if not updated:
        # The row is created by a migration; a flushed database recreates it here.
        with transaction.atomic():
            ContentVersion.objects.update_or_create(
                pk=VERSION_PK, defaults={"token": token, "changed_at": now}
            )


def content_state() -> ContentState:
    """The current content version: one primary-key read.

    What readers see also depends on the publish threshold (``Quote.objects.public()``), so
    the token names it too: pages and responses stored, and ETags handed out, under another
    ``NEWSROOM_PUBLISH_MIN_CONFIDENCE`` are never served after it changes.
    """
    from .models import ContentVersion, publish_min_confidence

    row = _read_version()
    if row is None:
        bump_content_version()
        row = ContentVersion.objects.values_list("token", "changed_at").get(pk=VERSION_PK)
    token, changed_at = row
    return ContentState(f"{token}:{publish_min_confidence()!r}", changed_at)


def _read_version() -> tuple[str, datetime] | None:
    """The version row, read with plain SQL: it is read on every request, and compiling
    the equivalent ORM query cost ten times the query itself (issue 12). The backend's
    converters still turn the stored value into an aware datetime."""
    from .models import ContentVersion

    meta = ContentVersion._meta
    field = meta.get_field("changed_at")
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(meta.get_field('token').column)}, {quote(field.column)}"
            f" FROM {quote(meta.db_table)} WHERE {quote(meta.pk.column)} = %s",
            [VERSION_PK],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    token, changed_at = row
    for convert in connection.ops.get_db_converters(field.get_col(meta.db_table)):
        changed_at = convert(changed_at, field, connection)
    return token, changed_at


def _bump_on_write(**_signal_kwargs) -> None:
    bump_content_version()


def _bump_on_m2m(*, action, **_signal_kwargs) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        bump_content_version()


def tracked_models() -> list[type[models.Model]]:
    """The models whose rows the public site or the API show."""
    from people.models import Alias, Person, PersonRedirect

    from .models import Article, Event, Mention, Quote, Tag

    return [Article, Quote, Event, Mention, Tag, Person, Alias, PersonRedirect]


def connect_signals() -> None:
    """Bump the content version on every write to a tracked model or relation."""
    from .models import Article, Event

    for model in tracked_models():
        uid = f"articles.content_version.{model._meta.label_lower}"
        post_save.connect(_bump_on_write, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_bump_on_write, sender=model, dispatch_uid=f"{uid}.delete")
    for through in (Article.tags.through, Event.people.through):
        m2m_changed.connect(
            _bump_on_m2m,
            sender=through,
            dispatch_uid=f"articles.content_version.{through._meta.label_lower}",
        )
