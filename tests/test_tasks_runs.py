"""Background imports (issue 13): runs, batches and their tasks, inside the test process.

The tasks run on the immediate backend (at once, when the enqueuing transaction commits),
are only recorded by the dummy backend, or are taken by the database worker run in this
process. Real worker processes are in test_tasks_workers.py.
"""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError
from django_tasks import task_backends
from django_tasks.backends.dummy import DummyBackend
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from articles import importing, runs
from articles.importing import FAILED, ImportOutcome
from articles.models import Article, Event, ImportRun, ImportRunFile, Quote
from articles.sources import collect_sources
from articles.tasks import import_batch
from people.models import Person
from tests.conftest import SEEDS_DIR

IMMEDIATE = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
pytestmark = pytest.mark.django_db


def background(*args):
    out = StringIO()
    call_command("import_articles", "--background", *map(str, args), stdout=out)
    return out.getvalue()


def status(*args):
    out = StringIO()
    call_command("import_status", *map(str, args), stdout=out)
    return out.getvalue()


def test_the_default_backend_is_the_database_one():
    """Zero set-up: the tasks queue in the project's own database unless told otherwise."""
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert type(task_backends["default"]).__name__ == "DatabaseBackend"


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"NEWSROOM_TASKS": "celery"}, "NEWSROOM_TASKS must be one of db, rq, immediate"),
        ({"NEWSROOM_TASKS": "rq", "REDIS_URL": "", "NEWSROOM_RQ_URL": ""}, "needs"),
    ],
)
def test_a_wrong_task_backend_stops_start_up(environment, message):
    env = dict(os.environ, DJANGO_SECRET_KEY=settings.SECRET_KEY, **environment)
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0 and message in done.stderr


def test_rq_backend_is_chosen_by_the_environment():
    env = dict(
        os.environ,
        DJANGO_SECRET_KEY=settings.SECRET_KEY,
        NEWSROOM_TASKS="rq",
        NEWSROOM_RQ_URL="redis://127.0.0.1:6379/13",
    )
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.TASKS['default']['BACKEND'], settings.RQ_QUEUES['default']['URL'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.split() == ["django_tasks_rq.RQBackend", "redis://127.0.0.1:6379/13"]


def test_background_import_records_the_summary_of_a_foreground_one(
    settings, django_capture_on_commit_callbacks
):
    """Five seeds in three batches on the immediate backend: the run holds the counts the
    command's summary gives, and one row per file pointing at its article."""
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        out = background("--batch-size", 2, SEEDS_DIR)
    run = ImportRun.objects.get()
    assert f"Import run {run.pk}: 5 file(s) queued in 3 tasks" in out
    assert f"import_status {run.pk}" in out
    assert run.status == ImportRun.Status.FINISHED
    assert (run.total, run.done, run.batches, len(run.task_ids)) == (5, 5, 3, 3)
    assert (run.created, run.updated, run.unchanged, run.failed) == (5, 0, 0, 0)
    assert run.people_created == Person.objects.count() > 0
    assert run.quotes_created == Quote.objects.count() > 0
    assert run.events_created == Event.objects.count() > 0
    assert run.started_at <= run.finished_at
    files = list(ImportRunFile.objects.filter(run=run))
    assert [file.position for file in files] == [0, 1, 2, 3, 4]
    assert {file.article.source_key for file in files} == set(
        Article.objects.values_list("source_key", flat=True)
    )
    assert all(Path(file.path).is_absolute() for file in files)
    # New articles are drafts unless --publish was given, as in the foreground.
    assert set(Article.objects.values_list("status", flat=True)) == {"draft"}

    # import_status shows the command's summary table with the run's counts.
    shown = dict(line.rsplit(None, 1) for line in status(run.pk).splitlines()[2:11])
    assert {label.strip(): int(value) for label, value in shown.items()} == {
        "files": 5,
        "created": 5,
        "updated": 0,
        "unchanged": 0,
        "failed": 0,
        "people created": Person.objects.count(),
        "quotes created": Quote.objects.count(),
        "quotes removed": 0,
        "events created": Event.objects.count(),
    }


def test_a_background_reimport_counts_unchanged_files_and_publishes(
    settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        background("--publish", SEEDS_DIR)
    assert set(Article.objects.values_list("status", flat=True)) == {"published"}
    with django_capture_on_commit_callbacks(execute=True):
        background(SEEDS_DIR)
    again = ImportRun.objects.first()  # newest first
    assert (again.created, again.unchanged, again.people_created) == (0, 5, 0)
    assert Article.objects.count() == 5


def test_tasks_are_queued_with_json_arguments_one_per_batch(
    settings, django_capture_on_commit_callbacks
):
    """A backend stores arguments as JSON: paths and keys, the batch's first position."""
    settings.TASKS = DUMMY
    files = collect_sources([SEEDS_DIR])
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.start_import(files=files, publish=True, batch_size=2, max_bytes=1000)
    results = task_backends["default"].results
    assert [result.kwargs["first"] for result in results] == [0, 2, 4]
    assert [len(result.kwargs["files"]) for result in results] == [2, 2, 1]
    first = results[0].kwargs
    assert first["run_id"] == run.pk and first["publish"] is True and first["max_bytes"] == 1000
    assert first["files"][0] == [str(files[0].path.absolute()), files[0].key]
    run.refresh_from_db()
    assert run.status == ImportRun.Status.QUEUED
    assert run.task_ids == [str(result.id) for result in results]
    assert "queued" in status(run.pk)


def test_tasks_wait_for_the_transaction_that_records_the_run(settings):
    """Queued on commit: a worker never takes a task whose run it cannot see yet."""
    settings.TASKS = DUMMY
    runs.start_import(files=collect_sources([SEEDS_DIR]))
    assert task_backends["default"].results == []  # the test's transaction never commits


def test_nothing_to_import_is_finished_at_once():
    run = runs.start_import(files=[])
    assert run.status == ImportRun.Status.FINISHED and run.batches == 0


class RefusingBackend(DummyBackend):
    """A queue that is down."""

    def enqueue(self, task, args, kwargs):
        raise ConnectionError("Redis is down")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_queue_that_refuses_the_tasks_fails_the_run(settings):
    """Outside a transaction (as the command runs) the tasks are queued at once: a refusal
    fails the command and the run."""
    settings.TASKS = {"default": {"BACKEND": f"{__name__}.RefusingBackend"}}
    with pytest.raises(CommandError, match="Could not queue the import: Redis is down"):
        background(SEEDS_DIR)
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED and "Redis is down" in run.error


def test_a_batch_run_twice_counts_each_file_once():
    """A batch queued again (a retry after its worker died) skips the files it recorded."""
    files = collect_sources([SEEDS_DIR])
    run = ImportRun.objects.create(total=len(files), batches=1, batch_size=len(files))
    arguments = {
        "run_id": run.pk,
        "first": 0,
        "files": [[str(file.path), file.key] for file in files],
    }
    import_batch.call(**arguments)
    again = import_batch.call(**arguments)
    run.refresh_from_db()
    assert again["files"] == 0
    assert (run.done, run.created, run.status) == (5, 5, ImportRun.Status.FINISHED)
    assert ImportRunFile.objects.filter(run=run).count() == 5


def test_a_failed_file_is_recorded_with_its_reason(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    for seed in sorted(SEEDS_DIR.iterdir())[:2]:
        (tmp_path / seed.name).write_bytes(seed.read_bytes())
    (tmp_path / "empty.txt").write_bytes(b"")
    with django_capture_on_commit_callbacks(execute=True):
        background(tmp_path)
    run = ImportRun.objects.get()
    assert (run.status, run.created, run.failed, run.done) == ("finished", 2, 1, 3)
    failed = ImportRunFile.objects.get(run=run, status=FAILED)
    assert failed.path.endswith("empty.txt") and failed.reason and failed.article is None
    # import_status lists the failure and, the run being over, exits non-zero.
    with pytest.raises(CommandError, match="1 of 3 file"):
        status(run.pk)


def test_a_batch_that_stops_on_an_error_fails_the_run_and_keeps_what_it_did(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    """The database goes away in the middle of a batch: the files already imported stay
    recorded, the run is failed with the reason, and the task fails (the backend says so)."""
    settings.TASKS = IMMEDIATE
    real = importing.import_sources

    def dies_after_two(files, **kwargs):
        real(files[:2], **kwargs)
        raise DatabaseError("server closed the connection unexpectedly")

    monkeypatch.setattr(importing, "import_sources", dies_after_two)
    with django_capture_on_commit_callbacks(execute=True):
        background(SEEDS_DIR)
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED
    assert "server closed the connection" in run.error
    assert (run.done, run.created) == (2, 2)
    assert ImportRunFile.objects.filter(run=run).count() == 2
    with pytest.raises(CommandError, match="server closed"):
        status(run.pk)


def test_the_database_worker_runs_queued_imports(monkeypatch, django_capture_on_commit_callbacks):
    """The default backend end to end, in this process: queued rows in the database, then
    `db_worker --batch` takes every task and exits."""
    # The worker drops connections between tasks, as a request does: here that would be
    # the test's own transaction (worker processes are in test_tasks_workers.py).
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    with django_capture_on_commit_callbacks(execute=True):
        background("--batch-size", 2, SEEDS_DIR)
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.QUEUED
    assert DBTaskResult.objects.filter(status="READY").count() == 3
    call_command(
        "db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0, stdout=StringIO()
    )
    run.refresh_from_db()
    assert (run.status, run.done, run.created) == ("finished", 5, 5)
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 3
    assert "finished, 5 of 5 files" in status(run.pk, "--wait", "--interval", 0)


def test_import_status_lists_runs_and_refuses_unknown_ones():
    assert "No import runs yet" in status()
    run = ImportRun.objects.create(total=3, batch_size=1, description="feeds/a")
    assert "feeds/a" in status()
    with pytest.raises(CommandError, match="No import run"):
        status(run.pk + 1)
    with pytest.raises(CommandError, match="still queued"):
        status(run.pk, "--wait", "--interval", 0, "--timeout", 0)


def test_background_refuses_a_dry_run():
    with pytest.raises(CommandError, match="--dry-run runs in the foreground"):
        background("--dry-run", SEEDS_DIR)


def test_outcomes_are_matched_to_their_files_whatever_their_order(monkeypatch):
    """An importer may report outcomes out of order (parsing in parallel): each is recorded
    at its own file's position."""
    files = collect_sources([SEEDS_DIR])

    def backwards(files, *, on_outcome, **kwargs):
        for file in reversed(files):
            on_outcome(ImportOutcome(str(file.path), "unchanged", key=file.key))

    run = ImportRun.objects.create(total=len(files), batch_size=5, batches=1)
    monkeypatch.setattr(importing, "import_sources", backwards)
    runs.run_batch(run_id=run.pk, first=0, files=files, publish=False, max_bytes=None)
    recorded = ImportRunFile.objects.filter(run=run).values_list("position", "key")
    assert list(recorded) == [(n, file.key) for n, file in enumerate(files)]


def test_the_admin_shows_runs_and_their_files_read_only(
    client, settings, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import User

    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        background(SEEDS_DIR)
    run = ImportRun.objects.get()
    client.force_login(User.objects.create_superuser("boss", "b@example.org", "pw-Long-enough-1"))
    _check_run_pages(client, run)


def test_editors_who_are_not_superusers_follow_runs_too(
    client, settings, django_capture_on_commit_callbacks
):
    from tests.factories import make_editor

    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        background(SEEDS_DIR)
    client.force_login(make_editor(username="desk-editor"))
    _check_run_pages(client, ImportRun.objects.get())


def _check_run_pages(client, run):
    listing = client.get("/admin/articles/importrun/")
    assert listing.status_code == 200 and "5/5 (100%)" in listing.content.decode()
    page = client.get(f"/admin/articles/importrun/{run.pk}/change/")
    assert page.status_code == 200
    assert f"?run__id__exact={run.pk}" in page.content.decode()
    assert b'name="_save"' not in page.content  # nothing to edit
    files = client.get(f"/admin/articles/importrunfile/?run__id__exact={run.pk}")
    assert files.status_code == 200 and b"seeds/000_" in files.content
    assert client.get("/admin/articles/importrun/add/").status_code == 403


def test_a_feed_of_several_stories_in_a_background_run(
    tmp_path, settings, django_capture_on_commit_callbacks
):
    """A feed is one file of several stories: its row takes the first story's outcome, every
    story counts in the run's totals, and the run finishes (a feed's second entry used to
    claim another file's row, and a batch of feeds ran out of rows and crashed)."""
    import shutil

    settings.TASKS = IMMEDIATE
    folder = tmp_path / "wire"
    folder.mkdir()
    fixtures = Path(__file__).parent / "fixtures" / "formats"
    shutil.copy(fixtures / "wire.rss", folder / "wire.rss")
    shutil.copy(next(SEEDS_DIR.glob("*.txt")), folder / "story.txt")
    with django_capture_on_commit_callbacks(execute=True):
        background("--batch-size", 5, folder)
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FINISHED
    assert (run.total, run.done) == (2, 2)
    stories = Article.objects.count()
    assert stories >= 3  # the feed's entries and the story
    assert run.created == stories
    rows = {Path(row.path).name: row for row in ImportRunFile.objects.filter(run=run)}
    assert set(rows) == {"wire.rss", "story.txt"}
    assert rows["story.txt"].status == "created" and rows["story.txt"].article_id
