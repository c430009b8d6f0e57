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
2. a safety net that needs no worker, ``publish_if_due``, run by
   ``ScheduledPublishingMiddleware`` on every request: it compares now with the earliest
   publication time of any scheduled article, kept in the default cache (one cache read
   per request; one indexed query a minute at most to refresh it), and publishes the
   articles that are due.

Both are idempotent and safe to run at once: the due article is locked and read again
(``select_for_update``, conditional on its status and time), and the service claims the
article's next version by compare-and-swap, so two processes never publish it twice.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime
from functools import partial

from django.core.cache import cache
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

logger = logging.getLogger(__name__)

NEXT_KEY = "articles:scheduling:next"
LOCK_KEY = "articles:scheduling:publishing"
# How long a process trusts the cached time. Changes of schedule delete it at once, but
# a per-process cache (no REDIS_URL) only in the process making them: the others see a
# new schedule within this time (the task, when a worker runs, is on time regardless).
RECHECK_SECONDS = 60
LOCK_SECONDS = 30
NEVER = math.inf


def forget_next() -> None:
    """Drop the cached time of the next publication (after a change of schedule)."""
    cache.delete(NEXT_KEY)


def next_publication() -> float:
    """The earliest publication time of a scheduled article, as a POSIX timestamp
    (``math.inf`` if none), read from the database and cached."""
    from .models import Article

    earliest = Article.objects.scheduled().aggregate(at=Min("published_at"))["at"]
    at = earliest.timestamp() if earliest else NEVER
    cache.set(NEXT_KEY, at, RECHECK_SECONDS)
    return at


def publish_if_due() -> int:
    """Publish the scheduled articles that are due, if any; return how many.

    The common case costs one cache read and no query."""
    at = cache.get(NEXT_KEY)
    if at is None:
        at = next_publication()
    if at > timezone.now().timestamp():
        return 0
    # A soft lock, so that the many requests arriving at the publication time do not all
    # queue on the article's row lock; the database guards double publication anyway.
    if not cache.add(LOCK_KEY, 1, LOCK_SECONDS):
        return 0
    try:
        return publish_due()
    finally:
        cache.delete(LOCK_KEY)


def publish_due(*, now: datetime | None = None) -> int:
    """Publish every scheduled article whose time has come; return how many this call
    published. Refreshes the cached time of the next publication."""
    from .models import Article

    now = now or timezone.now()
    published = 0
    for pk in Article.objects.due(now).order_by("published_at", "pk").values_list("pk", flat=True):
        published += publish_scheduled(article_id=pk, now=now)
    next_publication()
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


def schedule_changed(article) -> None:
    """Called by ``Article.save`` when an article enters, leaves or moves in the schedule:
    forget the cached next time (now, and again when the transaction commits, so that no
    process caches the old schedule in between) and, if it is scheduled, enqueue its
    publication task for the commit."""
    forget_next()
    transaction.on_commit(forget_next)
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


class ScheduledPublishingMiddleware:
    """Publish due scheduled articles before the request is served (see the module
    docstring). A failure to publish never fails the reader's request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            publish_if_due()
        except Exception:
            logger.exception("Scheduled publishing failed; the next request tries again")
        return self.get_response(request)
