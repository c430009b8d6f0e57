"""Import stories (plain text, HTML pages, RSS/Atom feeds, IPTC ninjs JSON):
`manage.py import_articles [--publish] [--dry-run] [--source NAME]
[--background [--batch-size N]] PATH...`."""

import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.importing import CREATED, FAILED, UNCHANGED, UPDATED, import_sources
from articles.runs import DEFAULT_BATCH_SIZE, start_import, summary_text
from articles.sources import collect_sources
from articles.statistics import refresh_statistics


class Command(BaseCommand):
    help = (
        "Import articles from files or folders (folders are read recursively for *.txt, "
        "*.html, *.htm, *.xml, *.rss, *.atom and *.json: plain text, HTML pages, RSS/Atom "
        "feeds, IPTC ninjs), extracting people, quotes and events. New articles are drafts unless "
        "--publish is given; re-importing never changes an article's status. Each story is "
        "known by its source key: its path inside the folder named (the folder's name "
        "included), or its name for a file named directly, prefixed with --source. "
        "--background queues the import for the task workers instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument(
            "--publish", action="store_true", help="Publish newly created articles."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )
        parser.add_argument(
            "--max-bytes", type=int, default=None, help="Refuse files larger than this."
        )
        parser.add_argument(
            "--source",
            default="",
            metavar="NAME",
            help="The feed or source these files come from (e.g. reuters): it prefixes their "
            "source keys (reuters:story.txt), so that two feeds never share a key.",
        )
        parser.add_argument(
            "--background",
            action="store_true",
            help="Queue the import as tasks for the workers (`make worker`) and return at "
            "once, printing the run's id; follow it with `manage.py import_status ID`.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            metavar="N",
            help=f"With --background: files per task (default {DEFAULT_BATCH_SIZE}).",
        )

    def handle(self, *args, paths, publish, dry_run, max_bytes, source, verbosity, **options):
        if options["background"] and dry_run:
            raise CommandError("--dry-run runs in the foreground: drop --background.")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            files = collect_sources(paths, source=source)
        except ValueError as error:
            raise CommandError(f"--source: {error}") from error
        if not files:
            raise CommandError("No files to import: no story file under the given paths.")
        if options["background"]:
            self.queue(files, paths, publish, max_bytes, options["batch_size"])
            return
        progress = ProgressBar(len(files)) if sys.stderr.isatty() and len(files) >= 20 else None

        def report(outcome):
            if progress:
                progress.step()
            if outcome.status == FAILED:
                self.stderr.write(f"FAILED {outcome.path}: {outcome.reason}")
            elif verbosity >= 2:
                extra = f" ({'; '.join(outcome.notes)})" if outcome.notes else ""
                key = f" as {outcome.key}" if outcome.key != Path(outcome.path).name else ""
                self.stdout.write(f"{outcome.status:9} {outcome.path}{key}{extra}")

        started = time.perf_counter()
        outcomes = import_sources(
            files, publish=publish, dry_run=dry_run, max_bytes=max_bytes, on_outcome=report
        )
        if progress:
            progress.finish()
        refresh_statistics()  # the planner's view of the grown tables (issue 12)
        self.stdout.write(self.summary(outcomes, time.perf_counter() - started, dry_run))
        failed = sum(o.status == FAILED for o in outcomes)
        if failed:
            raise CommandError(f"{failed} of {len(outcomes)} file(s) failed to import.")

    def queue(self, files, paths, publish, max_bytes, batch_size):
        try:
            run = start_import(
                files=files,
                publish=publish,
                max_bytes=max_bytes,
                batch_size=batch_size,
                description=" ".join(map(str, paths)),
            )
        except Exception as error:
            raise CommandError(f"Could not queue the import: {error}") from error
        tasks = "task" if run.batches == 1 else "tasks"
        self.stdout.write(
            f"Import run {run.pk}: {run.total} file(s) queued in {run.batches} {tasks} "
            f"({settings.NEWSROOM_TASKS} backend, {run.status})."
        )
        if settings.NEWSROOM_TASKS == "db":
            self.stdout.write("Workers run them: `make worker` (manage.py db_worker).")
        elif settings.NEWSROOM_TASKS == "rq":
            self.stdout.write(
                "Workers run them: manage.py rqworker --job-class django_tasks_rq.Job default"
            )
        self.stdout.write(f"Follow it: python manage.py import_status {run.pk} --wait")

    def summary(self, outcomes, seconds, dry_run):
        count = dict.fromkeys((CREATED, UPDATED, UNCHANGED, FAILED), 0)
        for outcome in outcomes:
            count[outcome.status] += 1
        count["files"] = len(outcomes)
        for name in ("people_created", "quotes_created", "quotes_removed", "events_created"):
            count[name] = sum(getattr(outcome, name) for outcome in outcomes)
        title = "Import summary (dry run: nothing was written)" if dry_run else "Import summary"
        return summary_text(count, seconds, title=title)


class ProgressBar:
    """A one-line progress bar on an interactive terminal (stderr)."""

    def __init__(self, total, width=30):
        self.total, self.width, self.done = total, width, 0

    def step(self):
        self.done += 1
        filled = self.width * self.done // self.total
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total}"
        )
        sys.stderr.flush()

    def finish(self):
        sys.stderr.write("\n")
