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

Additions and retractions (issue 12, load). A single version that every write bumps
leaves the caches cold under a steady stream of imports and confirmations: every stored
page is unreachable a few milliseconds after it was stored. So the row holds two tokens:

* ``token`` changes on every write;
* ``retraction_token`` changes only on writes that may withdraw or alter something
  readers could already see: every delete and m2m removal, and every update of an
  existing row, except the few service writes known to only *add* (publishing an article,
  confirming a quote, accepting a suggested speaker: :func:`additive_changes`). Creating a
  row only adds, except a correction's (``creating_retracts``): it revises a story readers
  already saw.

Anonymous readers are served at :func:`public_content_state`: the version as it was at
most ``NEWSROOM_ADDITIONS_GRACE_SECONDS`` ago *unless a retraction happened since*, which
shows on the very next request. So a new story or a confirmed quote may reach anonymous
readers a few seconds late (the ``Cache-Control: max-age`` of public responses already
allows a minute), while an unpublished article, a rejected quote or a corrected speaker
never outlives the write. Editors are always served the current version.
"""

from __future__ import annotations

import contextvars
import random
import time
import uuid
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection, models, transaction
from django.db.models.functions import Greatest
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

VERSION_PK = 1
PUBLIC_STATE_KEY = "content:public-state"
REMEMBER_SECONDS = 1.0
PUBLIC_STATE_BUCKETS = 16
_remembered: dict[str, tuple[ContentState, float]] = {}

# Set inside ``additive_changes()``: updates made there only add to what readers see.
_additive = contextvars.ContextVar("additive_content_changes", default=False)
# Set inside ``deferred_bumps()``: the bumps asked for so far (None: not deferring; else
# [asked, any retraction]).
_deferred = contextvars.ContextVar("deferred_content_bumps", default=None)


@dataclass(frozen=True)
class ContentState:
    """The current version: ``token`` changes on every bump, ``retraction`` only on bumps
    that may withdraw or alter public content; ``changed_at`` never goes back."""

    token: str
    changed_at: datetime
    retraction: str = ""


@contextmanager
def additive_changes():
    """Mark the updates made inside as additions: they make content public (publish,
    confirm) and withdraw nothing, so anonymous readers may see them a few seconds late.
    Deletes and m2m removals inside still count as retractions."""
    reset = _additive.set(True)
    try:
        yield
    finally:
        _additive.reset(reset)


@contextmanager
def deferred_bumps():
    """Make the bumps asked for inside one bump, done when the block ends (a retraction if
    any was). For long transactions of many writes (an import batch): the first bump locks
    the version row until the transaction commits, so every editor's write, which bumps it
    too, waited for the whole batch (seconds; issue 13). Use it inside the transaction, so
    the one bump is still committed, or rolled back, with the data. If the block raises,
    nothing is bumped: its transaction is rolled back anyway."""
    if _deferred.get() is not None:  # already deferring: the outer block bumps
        yield
        return
    asked = [False, False]
    reset = _deferred.set(asked)
    try:
        yield
    finally:
        _deferred.reset(reset)
    if asked[0]:
        bump_content_version(retraction=asked[1])


def bump_content_version(*, retraction: bool = True) -> None:
    """Give the public content a new version (call after writes that send no model signal).

    ``retraction=False`` only for writes that add to what readers see and change nothing
    they could already see (new rows; see the module docstring)."""
    from .models import ContentVersion

    deferred = _deferred.get()
    if deferred is not None:
        deferred[0] = True
        deferred[1] = deferred[1] or retraction
        return

    token, now = uuid.uuid4().hex, timezone.now()
    # Greatest: a worker whose clock lags must not move Last-Modified backwards.
    changed_at = Greatest(
        models.Value(now, output_field=models.DateTimeField()), models.F("changed_at")
    )
    values = {"token": token, "changed_at": changed_at}
    if retraction:
        values["retraction_token"] = token
    updated = ContentVersion.objects.filter(pk=VERSION_PK).update(**values)
    if not updated:
        # The row is created by a migration; a flushed database recreates it here.
        with transaction.atomic():
            ContentVersion.objects.update_or_create(
                pk=VERSION_PK,
                defaults={"token": token, "changed_at": now, "retraction_token": token},
            )


def content_state() -> ContentState:
    """The current content version: one primary-key read.

    What readers see also depends on the publish threshold (``Quote.objects.public()``), so
    the token names it too: pages and responses stored, and ETags handed out, under another
    ``NEWSROOM_PUBLISH_MIN_CONFIDENCE`` are never served after it changes.

    The same read brings the time of the next scheduled publication (issue 14): once it
    has passed, the due articles are published first (``articles.scheduling``), so every
    page and response is served, and cached, at a version that includes them.
    """
    from .models import ContentVersion, publish_min_confidence
    from .scheduling import publish_if_due

    row = _read_version()
    if row is None:
        bump_content_version()
        row = (
            *ContentVersion.objects.values_list("token", "changed_at", "retraction_token").get(
                pk=VERSION_PK
            ),
            None,
        )
    token, changed_at, retraction, next_publication = row
    if publish_if_due(next_publication):
        token, changed_at, retraction, _ = _read_version()
    threshold = f"{publish_min_confidence()!r}"
    return ContentState(f"{token}:{threshold}", changed_at, f"{retraction}:{threshold}")


def public_content_state(url: str = "") -> ContentState:
    """The version anonymous readers of ``url`` are served at (see the module docstring): the
    state first read after the latest retraction, for up to
    ``NEWSROOM_ADDITIONS_GRACE_SECONDS``.

    It is kept in the default cache under the retraction token, so a retraction makes it
    unreachable at once, and with a shared cache (Redis) every process serves, and stores
    pages under, the same version. Still one primary-key read per request: the retraction
    token is read from the database, never trusted from the cache.

    URLs fall into ``PUBLIC_STATE_BUCKETS`` groups, each with its own state and a lifetime
    drawn between three quarters of the grace and all of it: if one state served every URL, every
    stored page would expire in the same instant, and under load the whole site would be
    rendered again at once, every few seconds (the p99 of the mixed load, issue 12)."""
    current = content_state()
    seconds = settings.NEWSROOM_ADDITIONS_GRACE_SECONDS
    if seconds <= 0:
        return current
    bucket = zlib.crc32(url.encode()) % PUBLIC_STATE_BUCKETS
    key = f"{PUBLIC_STATE_KEY}:{current.retraction}:{bucket}"
    now = time.time()
    # This process keeps what it read for up to a second (a cache round trip saved per
    # request), never past the shared entry's end: keyed by the retraction token just read,
    # so a retraction still shows at once.
    remembered = _remembered.get(key)
    if remembered is not None and remembered[1] > now:
        return remembered[0]
    lifetime = max(1, round(seconds * random.uniform(0.75, 1.0)))  # whole seconds (Redis)
    entry = (current, now + lifetime)
    stored = cache.get(key)
    if stored is None and not cache.add(key, entry, lifetime):
        stored = cache.get(key)  # another process stored it first: serve the same version
    state, ends = stored or entry
    if len(_remembered) >= 4 * PUBLIC_STATE_BUCKETS:
        _remembered.clear()  # entries of past retraction tokens
    _remembered[key] = (state, min(now + REMEMBER_SECONDS, ends))
    return state


def forget_public_state() -> None:
    """Drop this process's copy of the public version (tests clear caches between cases)."""
    _remembered.clear()


def _read_version() -> tuple[str, datetime, str, datetime | None] | None:
    """The version row (and the next scheduled publication), read with plain SQL: it is
    read on every request, and compiling the equivalent ORM query cost ten times the query
    itself (issue 12). The backend's converters still turn the stored values into aware
    datetimes."""
    from .models import ContentVersion

    meta = ContentVersion._meta
    changed, scheduled = meta.get_field("changed_at"), meta.get_field("next_publication_at")
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(meta.get_field('token').column)}, {quote(changed.column)},"
            f" {quote(meta.get_field('retraction_token').column)}, {quote(scheduled.column)}"
            f" FROM {quote(meta.db_table)} WHERE {quote(meta.pk.column)} = %s",
            [VERSION_PK],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    token, changed_at, retraction, next_publication = row
    for convert in connection.ops.get_db_converters(changed.get_col(meta.db_table)):
        changed_at = convert(changed_at, changed, connection)
        if next_publication is not None:
            next_publication = convert(next_publication, scheduled, connection)
    return token, changed_at, retraction, next_publication


def _bump_on_save(*, sender, created, **_signal_kwargs) -> None:
    # A new row only adds; an update may alter what readers saw, unless the service making
    # it declared it an addition (publish, confirm). A model whose new rows revise what
    # readers saw (a correction: ``creating_retracts``) is a retraction even when created.
    if created and getattr(sender, "creating_retracts", False):
        bump_content_version()
        return
    bump_content_version(retraction=not (created or _additive.get()))


def _bump_on_delete(**_signal_kwargs) -> None:
    bump_content_version()


def _bump_on_m2m(*, action, **_signal_kwargs) -> None:
    if action == "post_add":
        bump_content_version(retraction=False)
    elif action in {"post_remove", "post_clear"}:
        bump_content_version()


def tracked_models() -> list[type[models.Model]]:
    """The models whose rows the public site or the API show."""
    from corrections.models import Correction
    from people.models import Alias, Person, PersonRedirect

    from .models import Article, CanonicalQuote, Event, Mention, Quote, Tag

    return [
        *(Article, Quote, CanonicalQuote, Event, Mention, Tag),
        *(Person, Alias, PersonRedirect, Correction),
    ]


def connect_signals() -> None:
    """Bump the content version on every write to a tracked model or relation."""
    from .models import Article, Event

    for model in tracked_models():
        uid = f"articles.content_version.{model._meta.label_lower}"
        post_save.connect(_bump_on_save, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_bump_on_delete, sender=model, dispatch_uid=f"{uid}.delete")
    for through in (Article.tags.through, Article.authors.through, Event.people.through):
        m2m_changed.connect(
            _bump_on_m2m,
            sender=through,
            dispatch_uid=f"articles.content_version.{through._meta.label_lower}",
        )
