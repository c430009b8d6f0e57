"""How a background import is going: `manage.py import_status [RUN_ID] [--wait]`."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.timezone import localtime

from articles.importing import FAILED
from articles.models import ImportRun
from articles.runs import run_counts, summary_text

DONE = (ImportRun.Status.FINISHED, ImportRun.Status.FAILED)
# Failed files listed by name; the rest are counted (the admin lists them all).
FAILURES_SHOWN = 50


class Command(BaseCommand):
    help = (
        "Show the progress and outcome of an import queued with `import_articles "
        "--background` (without RUN_ID: the latest runs). --wait follows it to the end; the "
        "exit status is then non-zero if any file failed or a batch stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument("run_id", nargs="?", type=int, metavar="RUN_ID")
        parser.add_argument(
            "--wait", action="store_true", help="Follow the run until it has finished."
        )
        parser.add_argument(
            "--interval", type=float, default=2.0, help="Seconds between checks with --wait."
        )
        parser.add_argument(
            "--timeout", type=float, default=None, help="With --wait: give up after this long."
        )

    def handle(self, *args, run_id, wait, interval, timeout, **options):
        if run_id is None:
            self.list_runs()
            return
        run = ImportRun.objects.filter(pk=run_id).first()
        if run is None:
            raise CommandError(f"No import run {run_id}.")
        if wait:
            run = self.follow(run, interval, timeout)
        self.stdout.write(self.describe(run))
        if run.status in DONE and (run.failed or run.status == ImportRun.Status.FAILED):
            raise CommandError(
                f"Import run {run.pk}: {run.failed} of {run.total} file(s) failed"
                + (f"; {run.error}" if run.error else "")
            )

    def list_runs(self):
        runs = ImportRun.objects.select_related("user")[:20]
        if not runs:
            self.stdout.write("No import runs yet.")
            return
        for run in runs:
            who = f" by {run.user}" if run.user else ""
            self.stdout.write(
                f"{run.pk:>6}  {localtime(run.created_at):%Y-%m-%d %H:%M}  {run.status:<8} "
                f"{run.done:>7}/{run.total:<7} {run.failed:>5} failed{who}  {run.description}"
            )

    def follow(self, run, interval, timeout):
        started = time.monotonic()
        interactive = sys.stderr.isatty()
        while run.status not in DONE:
            if timeout is not None and time.monotonic() - started > timeout:
                raise CommandError(f"Import run {run.pk} still {run.status} after {timeout} s.")
            line = f"{run.status}: {run.done}/{run.total} files, {run.failed} failed"
            if interactive:
                sys.stderr.write(f"\r{line}   ")
                sys.stderr.flush()
            time.sleep(interval)
            run.refresh_from_db()
        if interactive:
            sys.stderr.write("\n")
        return run

    def describe(self, run):
        seconds = None
        if run.started_at and run.finished_at:
            seconds = (run.finished_at - run.started_at).total_seconds()
        title = f"Import run {run.pk}: {run.status}, {run.done} of {run.total} files"
        lines = [
            summary_text(run_counts(run), seconds, title=title),
            f"{'queued':<16}{localtime(run.created_at):%Y-%m-%d %H:%M:%S}",
        ]
        if run.started_at:
            lines.append(f"{'started':<16}{localtime(run.started_at):%Y-%m-%d %H:%M:%S}")
        if run.finished_at:
            lines.append(f"{'finished':<16}{localtime(run.finished_at):%Y-%m-%d %H:%M:%S}")
        if run.error:
            lines.append(f"error: {run.error}")
        failures = run.files.filter(status=FAILED).order_by("position")
        for file in failures[:FAILURES_SHOWN]:
            lines.append(f"FAILED {file.path}: {file.reason}")
        if run.failed > FAILURES_SHOWN:
            lines.append(f"... and {run.failed - FAILURES_SHOWN} more failed (see the admin)")
        return "\n".join(lines)
