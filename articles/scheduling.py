"""Scheduled publishing (issue 14): an article published by itself at its publication date.

A scheduled article is an ordinary hidden article (``Article.Status.SCHEDULED``: quotes
and mentions copy it as not published, the search index, feeds, sitemaps and the API
all see it as not public) until ``articles.services.article_set_status`` publishes it.
Publication is that one service call, never a query-time rule: it keeps the quotes' and
mentions' copy of the article, its history, the search index and the content version
right, so every cache, feed and sitemap follows through the version bump.

Two things call it, so no cron job is needed:

1. a task (``articles.tasks.publish_scheduled_article``) enqueued with ``run_after`` at
   the publication time, on backends that defer (the database and RQ backends): on time
   to the second when a worker runs;
2. a safety net that needs no worker: the content version's row also holds the earliest
   publication time of any scheduled article (``ContentVersion.next_publication_at``,
   kept by :func:`schedule_changed` in the writing transaction, so every process sees
   it at once), and every public page and API response already reads that row first
   (``content_state``). When the time has passed, the due articles are published before
   the page is rendered. No extra query while nothing is due; the editor's change list
   and the public pages an editor opens check it too.

Both are idempotent and safe to run at once: the due article is locked and read again
(``select_for_update``, conditional on its status and time), and the service claims the
article's next version by compare-and-swap, so two processes never publish it twice.
"""

from __future__ import annotations

import contextvars
import logging
from datetime import datetime
from functools import partial

from django.core.cache import cache
from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone

from .content_version import VERSION_PK

logger = logging.getLogger(__name__)

LOCK_KEY = "articles:scheduling:publishing"
LOCK_SECONDS = 30
# Set while this thread publishes: the publication's own reads of the version must not
# publish again.
_publishing = contextvars.ContextVar("publishing_scheduled_articles", default=False)


def publish_if_due(next_publication: datetime | None) -> int:
    """Publish the scheduled articles that are due if ``next_publication`` (the earliest
    publication time, as the content version's row holds it) has passed; return how many.
    A failure is logged, never raised: the reader still gets the page, and the next
    request tries again."""
    if next_publication is None or next_publication > timezone.now() or _publishing.get():
        return 0
    # A soft lock, so that the many requests arriving at the publication time do not all
    # queue on the article's row lock; the database guards double publication anyway.
    if not cache.add(LOCK_KEY, 1, LOCK_SECONDS):
        return 0
    reset = _publishing.set(True)
    try:
        return publish_due()
    except Exception:
        logger.exception("Scheduled publishing failed; the next request tries again")
        return 0
    finally:
        _publishing.reset(reset)
        cache.delete(LOCK_KEY)


def check_schedule() -> int:
    """Publish what is due, reading the time from the content version (one primary-key
    read): for the pages that do not read the version anyway (editors')."""
    from .content_version import _read_version

    row = _read_version()
    return publish_if_due(row[3]) if row else 0


def publish_due(*, now: datetime | None = None) -> int:
    """Publish every scheduled article whose time has come; return how many this call
    published. Refreshes the cached time of the next publication."""
    from .models import Article

    now = now or timezone.now()
    published = 0
    for pk in Article.objects.due(now).order_by("published_at", "pk").values_list("pk", flat=True):
        published += publish_scheduled(article_id=pk, now=now)
    if not published:
        # Nothing was due after all (the schedule changed by a write that bypassed
        # ``Article.save``): store the true next time, or every request would look again.
        with transaction.atomic():
            refresh_next_publication()
    return published


def publish_scheduled(*, article_id: int, now: datetime | None = None) -> bool:
    """Publish the article ``article_id`` if it is still scheduled and due (it may have
    been published, rescheduled or unscheduled since the caller looked). True if this
    call published it."""
    from . import services
    from .models import Article

    now = now or timezone.now()
    with transaction.atomic():
        article = Article.objects.select_for_update().due(now).filter(pk=article_id).first()
        if article is None:
            return False
        try:
            services.article_set_status(
                article=article,
                status=Article.Status.PUBLISHED,
                reason="published at its scheduled time",
            )
        except services.StaleEdit:
            return False  # another process claimed this version first
    logger.info("Published scheduled article %s (%s)", article.pk, article.published_at)
    return True


def refresh_next_publication() -> None:
    """Store the earliest publication time of a scheduled article in the content
    version's row (one indexed subquery), in the caller's transaction."""
    from .models import Article, ContentVersion

    earliest = Article.objects.scheduled().order_by("published_at").values("published_at")[:1]
    ContentVersion.objects.filter(pk=VERSION_PK).update(next_publication_at=Subquery(earliest))


def schedule_changed(article) -> None:
    """Called by ``Article.save`` when an article enters, leaves or moves in the schedule:
    store the new next publication time with the write, and, if it is scheduled, enqueue
    its publication task for the commit."""
    refresh_next_publication()
    if article.is_scheduled and article.published_at is not None:
        transaction.on_commit(
            partial(enqueue_publication, article_id=article.pk, at=article.published_at)
        )


def enqueue_publication(*, article_id: int, at: datetime) -> bool:
    """Enqueue the task publishing ``article_id`` at ``at``, if the task backend can defer
    a task (the immediate backend cannot: then the middleware publishes it). A failure
    is logged, not raised: the schedule is saved, and the safety net still publishes it."""
    from .tasks import publish_scheduled_article

    try:
        if not publish_scheduled_article.get_backend().supports_defer:
            return False
        publish_scheduled_article.using(run_after=at).enqueue(article_id=article_id)
    except Exception:
        logger.exception("Could not enqueue the publication of article %s", article_id)
        return False
    return True
