"""Imports in the background (issue 13): a run of many files, imported by tasks of batches.

``start_import`` records an ``ImportRun`` and queues one ``articles.tasks.import_batch``
task per batch of files on the task backend the settings choose (``NEWSROOM_TASKS``: the
database by default, Redis/RQ in production). Any number of workers, on any number of
machines, take batches; each imports its files through ``articles.importing.import_sources``
(the same code as the foreground command, so the same guarantees: no duplicates under
concurrency, curation-preserving re-import) and adds its outcomes to the run as it goes.

Workers read the files from the paths given, so every worker must see them at the same
path (one machine, or shared storage).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict, deque
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path

from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from . import importing
from .importing import CREATED, FAILED, UNCHANGED, UPDATED, ImportOutcome
from .models import ImportRun, ImportRunFile
from .sources import SourceFile

# Files per task. Each batch loads the importer's knowledge of known people once and is
# one unit of work for a worker: small enough that two workers share a folder of a few
# hundred files, large enough that the per-task cost (a queue round trip, that load) is
# small beside importing the files.
DEFAULT_BATCH_SIZE = 50
# Progress is written for this many outcomes at once, or at least this often: one INSERT
# of the file rows and one UPDATE of the run's counters.
PROGRESS_EVERY_FILES = 10
PROGRESS_EVERY_SECONDS = 1.0
# The outcome statuses the run counts, with the run's field for each.
STATUS_FIELDS = {CREATED: "created", UPDATED: "updated", UNCHANGED: "unchanged", FAILED: "failed"}
SUMMED_FIELDS = ("people_created", "quotes_created", "quotes_removed", "events_created")


def start_import(
    *,
    files: Sequence[SourceFile],
    publish: bool = False,
    user=None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_bytes: int | None = None,
    description: str = "",
    refused: Sequence[tuple[str, str, str]] = (),
    background: bool = True,
) -> ImportRun:
    """Record a run for ``files`` and queue one task per ``batch_size`` of them.

    The tasks are queued when the current transaction commits (at once outside one), so a
    worker never takes a task whose run it cannot see yet. If the queue refuses them (Redis
    down), the run is marked failed and the error raised.

    ``refused`` are files that never reached the importer (an upload too large, a bad zip
    member), as ``(name, key, reason)``: they are recorded as failed files of the run,
    after ``files``. With ``background=False`` nothing is queued: the batches run here, at
    once (a small upload from the admin), and the run returned is finished."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    files = list(files)
    refused = list(refused)
    batches = [files[start : start + batch_size] for start in range(0, len(files), batch_size)]
    now = timezone.now()
    run = ImportRun.objects.create(
        user=user,
        description=description[: ImportRun._meta.get_field("description").max_length],
        publish=publish,
        max_bytes=max_bytes,
        batch_size=batch_size,
        batches=len(batches),
        total=len(files) + len(refused),
        done=len(refused),
        failed=len(refused),
        # Nothing to import is finished at once; no worker would ever finish it.
        status=ImportRun.Status.QUEUED if files else ImportRun.Status.FINISHED,
        finished_at=None if files else now,
    )

    def enqueue():
        from .tasks import import_batch

        task_ids = []
        try:
            for number, batch in enumerate(batches):
                result = import_batch.enqueue(
                    run_id=run.pk,
                    first=number * batch_size,
                    # Absolute paths: a worker's current directory is not the caller's.
                    files=[[str(Path(file.path).absolute()), file.key] for file in batch],
                    publish=publish,
                    max_bytes=max_bytes,
                )
                task_ids.append(str(result.id))
        except Exception as error:
            ImportRun.objects.filter(pk=run.pk).update(
                status=ImportRun.Status.FAILED,
                error=f"could not queue its tasks: {error}",
                finished_at=timezone.now(),
                task_ids=task_ids,
            )
            raise
        ImportRun.objects.filter(pk=run.pk).update(task_ids=task_ids)

    ImportRunFile.objects.bulk_create(
        ImportRunFile(run=run, position=position, path=name, key=key, status=FAILED, reason=reason)
        for position, (name, key, reason) in enumerate(refused, start=len(files))
    )
    if batches and background:
        transaction.on_commit(enqueue)
    elif batches:
        for number, batch in enumerate(batches):
            run_batch(
                run_id=run.pk,
                first=number * batch_size,
                files=[SourceFile(Path(file.path).absolute(), file.key) for file in batch],
                publish=publish,
                max_bytes=max_bytes,
            )
    run.refresh_from_db()
    return run


def run_batch(
    *,
    run_id: int,
    first: int,
    files: Sequence[SourceFile],
    publish: bool,
    max_bytes: int | None,
) -> dict:
    """Import one batch of a run (the body of ``articles.tasks.import_batch``): the files
    at positions ``first``, ``first + 1``… of the run, recording each outcome.

    Files already recorded for the run are skipped, so a batch queued again (a retry after a
    worker died) finishes the run without counting a file twice."""
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None:  # deleted meanwhile: nobody is waiting for it
        return {"run": run_id, "files": 0, "skipped": "no such import run"}
    now = timezone.now()
    ImportRun.objects.filter(pk=run_id, started_at=None).update(started_at=now)
    ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.QUEUED).update(
        status=ImportRun.Status.RUNNING
    )
    recorded = set(
        ImportRunFile.objects.filter(
            run_id=run_id, position__gte=first, position__lt=first + len(files)
        ).values_list("position", flat=True)
    )
    todo = [
        (position, file)
        for position, file in enumerate(files, start=first)
        if position not in recorded
    ]
    progress = RunProgress(run_id, todo)
    try:
        importing.import_sources(
            [file for _, file in todo],
            publish=publish,
            dry_run=False,
            max_bytes=max_bytes,
            on_outcome=progress.record,
            keep_world=True,  # a worker's next batch reuses its index of known people
        )
        finished = progress.flush()
    except BaseException as error:
        # Keep what was imported; the run says the rest was not.
        with suppress(DatabaseError):
            progress.flush()
        with suppress(DatabaseError):
            ImportRun.objects.filter(pk=run_id).update(
                status=ImportRun.Status.FAILED,
                error=f"batch from file {first + 1} stopped: {type(error).__name__}: {error}",
                finished_at=timezone.now(),
                updated_at=timezone.now(),
            )
        raise
    if finished:
        from .statistics import refresh_statistics

        refresh_statistics()  # the planner's view of the grown tables, as the command does
    return {"run": run_id, "files": len(todo), **progress.counts}


class RunProgress:
    """Adds a batch's outcomes to its run: the file rows and the run's counters, written
    together (one transaction) every few outcomes."""

    def __init__(self, run_id: int, todo: Sequence[tuple[int, SourceFile]]):
        self.run_id = run_id
        # Outcomes are matched to positions by file and key (in order for a file listed
        # twice), not by arrival order, which an importer parsing in parallel may not keep.
        self._positions: dict[tuple[str, str], deque[int]] = defaultdict(deque)
        self._by_path: dict[str, deque[int]] = defaultdict(deque)
        for position, file in todo:
            self._positions[(str(file.path), file.key)].append(position)
            self._by_path[str(file.path)].append(position)
        self._unclaimed = dict.fromkeys(position for position, _ in todo)
        self._pending: list[tuple[int, ImportOutcome]] = []
        self._last_write = time.monotonic()
        self.counts: Counter[str] = Counter()

    def record(self, outcome: ImportOutcome) -> None:
        """Add one story's outcome. A file holds one story, or several (a feed: their keys
        are the file's key and ``#entry``): the file's row takes its first story's outcome,
        and every story counts in the run's totals."""
        position = self._claim(self._positions.get((outcome.path, outcome.key)))
        if position is None:
            position = self._claim(self._by_path.get(outcome.path))
        self._pending.append((position, outcome))
        if (
            len(self._pending) >= PROGRESS_EVERY_FILES
            or time.monotonic() - self._last_write >= PROGRESS_EVERY_SECONDS
        ):
            self.flush()

    def _claim(self, queue: deque[int] | None) -> int | None:
        """The first position of ``queue`` not yet claimed (None: the file's row is taken,
        this is another story of it)."""
        while queue:
            position = queue.popleft()
            if position in self._unclaimed:
                del self._unclaimed[position]
                return position
        return None

    def flush(self) -> bool:
        """Write the pending outcomes; True if they completed the run (this call marked it
        finished: exactly one worker sees True)."""
        pending, self._pending = self._pending, []
        self._last_write = time.monotonic()
        if pending:
            counts: Counter[str] = Counter()
            for _, outcome in pending:
                counts[STATUS_FIELDS[outcome.status]] += 1
                for name in SUMMED_FIELDS:
                    counts[name] += getattr(outcome, name)
            now = timezone.now()
            with transaction.atomic():
                ImportRunFile.objects.bulk_create(
                    ImportRunFile(
                        run_id=self.run_id,
                        position=position,
                        path=outcome.path,
                        key=outcome.key,
                        status=outcome.status,
                        reason=outcome.reason,
                        notes="; ".join(outcome.notes),
                        article_id=outcome.article_id if outcome.status != FAILED else None,
                    )
                    for position, outcome in pending
                    if position is not None
                )
                ImportRun.objects.filter(pk=self.run_id).update(
                    done=F("done") + sum(position is not None for position, _ in pending),
                    updated_at=now,
                    **{name: F(name) + value for name, value in counts.items() if value},
                )
            self.counts.update(counts)
        return bool(
            ImportRun.objects.filter(
                pk=self.run_id,
                status=ImportRun.Status.RUNNING,
                finished_at=None,
                done__gte=F("total"),
            ).update(status=ImportRun.Status.FINISHED, finished_at=timezone.now())
        )


def summary_text(counts: dict, seconds: float | None, *, title: str = "Import summary") -> str:
    """The import summary table (the command's, also shown for a background run)."""
    rows = [
        ("files", counts["files"]),
        ("created", counts[CREATED]),
        ("updated", counts[UPDATED]),
        ("unchanged", counts[UNCHANGED]),
        ("failed", counts[FAILED]),
        ("people created", counts["people_created"]),
        ("quotes created", counts["quotes_created"]),
        ("quotes removed", counts["quotes_removed"]),
        ("events created", counts["events_created"]),
    ]
    lines = [title, "-" * len(title)]
    lines += [f"{label:<16}{value:>8}" for label, value in rows]
    if seconds is not None:
        lines.append(f"{'seconds':<16}{seconds:>8.2f}")
    return "\n".join(lines)


def run_counts(run: ImportRun) -> dict:
    """A run's counts, keyed as ``summary_text`` expects."""
    return {
        "files": run.done,
        **{status: getattr(run, name) for status, name in STATUS_FIELDS.items()},
        **{name: getattr(run, name) for name in SUMMED_FIELDS},
    }
