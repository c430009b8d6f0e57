"""Importing stories from the browser (issue 14): an editor (not a superuser) drops files
and a zip on the upload page and sees each file's outcome, with links to the articles."""

import io
import zipfile
from io import StringIO

import pytest
from django.core.management import call_command

from articles.models import Article, ImportRun
from tests.conftest import SEEDS_DIR
from tests.factories import make_editor

PASSWORD = "correct horse battery"
SEEDS = sorted(SEEDS_DIR.iterdir())
STORY = (
    "date 2024-05-01\n"
    "Harbour wall to be rebuilt after winter storms\n"
    "The council has approved a plan to repair the damaged sea defences this summer\n\n"
    "Work on the harbour wall will start in June, the council said on Tuesday.\n\n"
    'Mayor Alice Dunmore said: "We cannot let another winter go by without it."\n'
)


def a_zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def log_in(page, live_server, editor):
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", editor.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


def watch_console(page):
    """Console errors (a Content-Security-Policy refusal among them) the page reports."""
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    return errors


@pytest.fixture
def uploads(settings, tmp_path):
    settings.NEWSROOM_UPLOAD_DIR = tmp_path / "uploads"
    settings.NEWSROOM_UPLOAD_FOREGROUND_MAX_FILES = 10
    return settings


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_editor_uploads_files_and_a_zip(live_server, page, artifacts_dir, uploads):
    """From the article list to the outcomes: two stories, a zip of two more (one unsafe)
    and an empty file; each row says what happened and links to its article."""
    editor = make_editor(password=PASSWORD)
    errors = watch_console(page)
    log_in(page, live_server, editor)
    page.goto(f"{live_server.url}/admin/articles/article/")
    page.click("text=Import stories")
    page.wait_for_selector("text=The story-file format")
    page.screenshot(path=str(artifacts_dir / "upload-form.png"), full_page=True)

    page.set_input_files(
        "input[type=file][name=files]",
        [
            {"name": "harbour.txt", "mimeType": "text/plain", "buffer": STORY.encode()},
            {"name": SEEDS[0].name, "mimeType": "text/plain", "buffer": SEEDS[0].read_bytes()},
            {
                "name": "wire.zip",
                "mimeType": "application/zip",
                "buffer": a_zip(
                    {f"day/{SEEDS[1].name}": SEEDS[1].read_bytes(), "../evil.txt": STORY}
                ),
            },
            {"name": "empty.txt", "mimeType": "text/plain", "buffer": b""},
        ],
    )
    page.check("input[name=publish][value='0']")
    page.click("input[type=submit][value=Import]")
    page.wait_for_selector("table.run-files")

    rows = page.locator("table.run-files tbody tr")
    assert rows.count() == 5
    outcomes = {
        rows.nth(i).locator(".file-key").inner_text(): rows.nth(i).locator(".outcome").inner_text()
        for i in range(5)
    }
    assert outcomes == {
        "harbour.txt": "created",
        SEEDS[0].name: "created",
        f"wire/day/{SEEDS[1].name}": "created",
        "wire/../evil.txt": "failed",
        "empty.txt": "failed",
    }
    assert page.locator("text=unsafe path in the zip").count() == 1
    assert page.locator("text=file is empty").count() == 1
    assert "Finished" in page.locator(".run-status").inner_text()
    page.screenshot(path=str(artifacts_dir / "upload-page.png"), full_page=True)

    # Each created story links to its article's admin page: a draft, as chosen.
    page.click("table.run-files a:has-text('Harbour wall to be rebuilt')")
    page.wait_for_selector("#article_form")
    article = Article.objects.get(source_key="harbour.txt")
    assert page.url.endswith(f"/admin/articles/article/{article.pk}/change/")
    assert article.status == Article.Status.DRAFT
    assert not [error for error in errors if "Content Security Policy" in error]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_large_upload_shows_its_progress_until_done(live_server, page, uploads):
    """More stories than the threshold run in the background: the run's page refreshes
    itself (no script) and shows the outcomes once a worker has imported them."""
    uploads.NEWSROOM_UPLOAD_FOREGROUND_MAX_FILES = 1
    editor = make_editor(password=PASSWORD)
    errors = watch_console(page)
    log_in(page, live_server, editor)
    page.goto(f"{live_server.url}/admin/articles/article/import/")
    page.set_input_files(
        "input[type=file][name=files]",
        [
            {"name": seed.name, "mimeType": "text/plain", "buffer": seed.read_bytes()}
            for seed in SEEDS[:3]
        ],
    )
    page.click("input[type=submit][value=Import]")
    page.wait_for_selector(".run-status")
    assert "Queued" in page.locator(".run-status").inner_text()
    assert page.locator("meta[http-equiv=refresh]").count() == 1

    call_command(
        "db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0, stdout=StringIO()
    )
    assert ImportRun.objects.get().status == ImportRun.Status.FINISHED
    page.wait_for_selector(".run-status:has-text('Finished')", timeout=15_000)
    assert page.locator("span.outcome-created").count() == 3
    assert page.locator("table.run-files a").count() == 3
    assert page.locator("meta[http-equiv=refresh]").count() == 0
    assert not [error for error in errors if "Content Security Policy" in error]
