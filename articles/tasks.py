"""Background tasks of the articles app (issue 13), on Django's Tasks API.

``django_tasks`` is the backport of Django 6's ``django.tasks``: on Django 6 the import
below becomes ``from django.tasks import task`` and nothing else changes. Which backend
runs them (the database, Redis/RQ, or at once) is the ``TASKS`` setting
(``NEWSROOM_TASKS``). Arguments are plain JSON: every backend stores them as such.
"""

from __future__ import annotations

from pathlib import Path

from django_tasks import task

from .runs import run_batch
from .sources import SourceFile


@task()
def import_batch(
    *,
    run_id: int,
    first: int,
    files: list[list[str]],
    publish: bool = False,
    max_bytes: int | None = None,
) -> dict:
    """Import one batch of the ``ImportRun`` ``run_id``: ``files`` is a list of
    ``[path, source key]``, the run's files from position ``first`` on. Progress and each
    file's outcome are written to the run as they are known (``articles.runs``)."""
    return run_batch(
        run_id=run_id,
        first=first,
        files=[SourceFile(Path(path), key) for path, key in files],
        publish=publish,
        max_bytes=max_bytes,
    )


@task()
def publish_scheduled_article(*, article_id: int) -> bool:
    """Publish the article ``article_id`` if it is still scheduled and its time has come
    (enqueued with ``run_after`` at that time by ``articles.scheduling``). A no-op if it was
    published, unscheduled or moved to a later time since: that move enqueued a new task."""
    from .scheduling import publish_scheduled

    return publish_scheduled(article_id=article_id)
