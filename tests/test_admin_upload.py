"""Importing stories uploaded in the admin (issue 14): files and zips, limits, bad files,
at once or in the background, each file's outcome on the run's page."""

import io
import os
import time
import zipfile
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from articles.models import Article, ImportRun, ImportRunFile
from tests.conftest import SEEDS_DIR

pytestmark = pytest.mark.django_db

UPLOAD = reverse("admin:articles_article_import")
SEEDS = sorted(SEEDS_DIR.iterdir())
STORY = (
    "date 2024-05-01\n"
    "Harbour wall to be rebuilt after winter storms\n"
    "The council has approved a plan to repair the damaged sea defences this summer\n\n"
    "Work on the harbour wall will start in June, the council said on Tuesday.\n\n"
    'Mayor Alice Dunmore said: "We cannot let another winter go by without it."\n'
)


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.NEWSROOM_UPLOAD_DIR = tmp_path / "uploads"
    settings.NEWSROOM_UPLOAD_FOREGROUND_MAX_FILES = 10
    return settings.NEWSROOM_UPLOAD_DIR


def seed(n, name=None):
    return SimpleUploadedFile(name or SEEDS[n].name, SEEDS[n].read_bytes())


def text_file(name, content):
    return SimpleUploadedFile(name, content if isinstance(content, bytes) else content.encode())


def zipped(name, members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in members.items():
            if member.endswith("/"):
                archive.writestr(zipfile.ZipInfo(member), b"")
            else:
                archive.writestr(member, content)
    return SimpleUploadedFile(name, buffer.getvalue())


def upload(client, *files, publish=False):
    response = client.post(UPLOAD, {"files": list(files), "publish": "1" if publish else "0"})
    assert response.status_code == 302, response.content[:2000]
    run = ImportRun.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[1])
    return run, client.get(response.url)


def outcomes(run):
    return {file.key: (file.status, file.reason) for file in run.files.all()}


class TestAccess:
    def test_editor_finds_the_page_from_the_article_list(self, editor_client):
        """A staff editor (not a superuser) sees "Import stories" among the object tools,
        and the page documents the story-file format and the limits."""
        changelist = editor_client.get(reverse("admin:articles_article_changelist"))
        assert f'href="{UPLOAD}"' in changelist.content.decode()
        page = editor_client.get(UPLOAD)
        assert page.status_code == 200
        html = page.content.decode()
        for words in ("The story-file format", "date YYYY-MM-DD", "Standfirst", "Boilerplate"):
            assert words in html
        assert 'type="file"' in html and "multiple" in html
        assert "500 stories per upload" in html

    def test_staff_without_the_permission_and_anonymous_users_are_refused(self, client):
        """Only those who may add articles upload; the anonymous are sent to log in."""
        assert client.get(UPLOAD).status_code == 302
        staff = get_user_model().objects.create_user("clerk", password="x", is_staff=True)
        client.force_login(staff)
        assert client.get(UPLOAD).status_code == 403
        assert client.post(UPLOAD, {"files": [seed(0)], "publish": "0"}).status_code == 403
        run = ImportRun.objects.create(total=0, batch_size=1)
        url = reverse("admin:articles_article_import_run", args=[run.pk])
        assert client.get(url).status_code == 403
        assert not Article.objects.exists()

    def test_no_file_is_a_form_error(self, editor_client):
        response = editor_client.post(UPLOAD, {"publish": "0"})
        assert response.status_code == 200
        assert "Choose one or more story files." in response.content.decode()
        assert not ImportRun.objects.exists()


class TestSmallUploads:
    def test_files_are_imported_at_once_as_drafts_with_links(self, editor_client, upload_dir):
        """A few files import while the editor waits: each one's outcome and a link to its
        article's admin page; drafts by default; the uploaded copies are removed."""
        run, page = upload(editor_client, seed(0), seed(1))
        assert run.status == ImportRun.Status.FINISHED and (run.created, run.done) == (2, 2)
        assert run.user.username == "editor"
        html = page.content.decode()
        for article in Article.objects.all():
            assert article.status == Article.Status.DRAFT
            assert reverse("admin:articles_article_change", args=[article.pk]) in html
        assert html.count('class="outcome outcome-created"') == 2
        assert 'http-equiv="refresh"' not in html  # finished: nothing to wait for
        assert set(Article.objects.values_list("source_key", flat=True)) == {
            SEEDS[0].name,
            SEEDS[1].name,
        }
        assert not any(upload_dir.rglob("*.txt"))

    def test_publish_choice_and_uploading_again(self, editor_client):
        """Published at once when chosen; the same file again is unchanged, a revised one
        updates its article (found by its file name)."""
        run, _ = upload(editor_client, text_file("harbour.txt", STORY), publish=True)
        article = Article.objects.get()
        assert article.status == Article.Status.PUBLISHED
        assert article.title == "Harbour wall to be rebuilt after winter storms"
        run, _ = upload(editor_client, text_file("harbour.txt", STORY))
        assert outcomes(run) == {"harbour.txt": ("unchanged", "")}
        revised = STORY + "\nThe work is expected to take three months, the council said.\n"
        run, _ = upload(editor_client, text_file("harbour.txt", revised))
        assert outcomes(run) == {"harbour.txt": ("updated", "")}
        assert Article.objects.get().status == Article.Status.PUBLISHED

    def test_bad_files_fail_with_reasons_and_never_stop_the_others(self, editor_client, settings):
        """Empty, undecodable, too large, not a story file: each fails with its reason; the
        good file among them is imported."""
        settings.NEWSROOM_UPLOAD_MAX_FILE_BYTES = 2000
        run, page = upload(
            editor_client,
            text_file("empty.txt", b""),
            text_file(
                "latin1.txt", "Caf\xe9 owner wins award\n\nShe said it was great.".encode("latin-1")
            ),
            text_file("huge.txt", "word " * 1000),
            text_file("report.pdf", b"%PDF-1.4"),
            text_file("harbour.txt", STORY),
        )
        result = outcomes(run)
        assert result["harbour.txt"] == ("created", "")
        assert result["empty.txt"] == ("failed", "file is empty")
        assert "not valid UTF-8" in result["latin1.txt"][1]
        assert "too large" in result["huge.txt"][1] and "2,000" in result["huge.txt"][1]
        assert "not a story file" in result["report.pdf"][1]
        assert (run.status, run.total, run.done, run.failed, run.created) == (
            "finished",
            5,
            5,
            4,
            1,
        )
        assert page.content.decode().count('class="outcome outcome-failed"') == 4

    def test_the_other_formats_import_too(self, editor_client):
        """A feed of two entries and an HTML page: each file's row, every story counted."""
        feed = (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
            "<item><guid>a-1</guid><title>Harbour wall to be rebuilt</title>"
            "<pubDate>Wed, 01 May 2024 09:00:00 GMT</pubDate>"
            "<description>Work on the harbour wall will start in June, the council said."
            "</description></item>"
            "<item><guid>a-2</guid><title>Lifeboat crew honoured for rescue</title>"
            "<description>The crew rescued three fishermen in a force nine gale last winter."
            "</description></item></channel></rss>"
        )
        page = (
            "<!doctype html><html><head><title>Pier reopens</title></head><body><article>"
            "<h1>Pier reopens after repairs</h1><p>The pier reopened on Saturday after two "
            "years of repairs, the council said.</p></article></body></html>"
        )
        run, _ = upload(editor_client, text_file("wire.rss", feed), text_file("pier.html", page))
        assert (run.status, run.total, run.done, run.created) == ("finished", 2, 2, 3)
        assert Article.objects.filter(source_key__startswith="wire.rss#").count() == 2
        assert outcomes(run)["pier.html"] == ("created", "")

    def test_names_are_escaped(self, editor_client):
        """A file's name is shown as text, never as markup."""
        _run, page = upload(editor_client, text_file("<img src=x onerror=alert(1)>.doc", b"hi"))
        html = page.content.decode()
        assert "&lt;img src=x onerror=alert(1)&gt;.doc" in html and "<img src=x" not in html


class TestZips:
    def test_a_zip_of_stories_is_unpacked_safely(self, editor_client, upload_dir):
        """Members are keyed by the zip's name and their path inside it; an unsafe path, a
        zip inside the zip and a non-story file fail alone; folders and Mac clutter are
        skipped; nothing is ever written outside the upload folder."""
        bundle = zipped(
            "wire.zip",
            {
                "2024/": b"",
                "2024/harbour.txt": STORY.encode(),
                "2024/more/" + SEEDS[0].name: SEEDS[0].read_bytes(),
                "../escape.txt": STORY.encode(),
                "/etc/absolute.txt": STORY.encode(),
                "inner.zip": b"PK...",
                "notes.docx": b"x",
                "__MACOSX/2024/._harbour.txt": b"junk",
            },
        )
        run, _ = upload(editor_client, bundle)
        result = outcomes(run)
        assert result["wire/2024/harbour.txt"] == ("created", "")
        assert result[f"wire/2024/more/{SEEDS[0].name}"] == ("created", "")
        assert "unsafe path" in result["wire/../escape.txt"][1]
        assert "unsafe path" in result["wire/etc/absolute.txt"][1]
        assert "zip inside a zip" in result["wire/inner.zip"][1]
        assert "not a story file" in result["wire/notes.docx"][1]
        assert len(result) == 6
        assert not (upload_dir.parent / "escape.txt").exists()
        assert Article.objects.count() == 2

    def test_a_damaged_zip_and_a_zip_bomb_are_refused(self, editor_client, settings):
        """A file that is no zip fails; a member that unpacks past the per-file limit is
        refused (its stated size, or at most one byte past the limit is ever read)."""
        settings.NEWSROOM_UPLOAD_MAX_FILE_BYTES = 10_000
        bomb = zipped("bomb.zip", {"big.txt": b"a" * 5_000_000, "ok.txt": STORY.encode()})
        assert bomb.size < 50_000
        run, _ = upload(editor_client, text_file("broken.zip", b"not a zip at all"), bomb)
        result = outcomes(run)
        assert result["broken.zip"] == ("failed", "not a readable zip archive")
        assert "too large" in result["bomb/big.txt"][1]
        assert result["bomb/ok.txt"] == ("created", "")

    def test_a_zip_whose_sizes_lie_is_read_no_further_than_the_limit(
        self, editor_client, settings, monkeypatch
    ):
        """A zip bomb may state small sizes: what it holds past them is never unpacked (the
        member fails its checksum), and nothing of it is imported."""
        settings.NEWSROOM_UPLOAD_MAX_FILE_BYTES = 10_000
        real = zipfile.ZipFile.infolist

        def lying(self):
            infos = real(self)
            for info in infos:
                info.file_size = 10
            return infos

        monkeypatch.setattr(zipfile.ZipFile, "infolist", lying)
        run, _ = upload(editor_client, zipped("bomb.zip", {"big.txt": b"a" * 5_000_000}))
        status, reason = outcomes(run)["bomb/big.txt"]
        assert status == "failed" and "cannot read it from the zip" in reason
        assert not Article.objects.exists()


class TestLimits:
    def test_stories_past_the_count_and_total_limits_are_refused(self, editor_client, settings):
        """The limits are settings; stories past them fail with the reason, the rest import."""
        settings.NEWSROOM_UPLOAD_MAX_FILES = 2
        run, _ = upload(editor_client, seed(0), seed(1), seed(2))
        result = outcomes(run)
        assert result[SEEDS[2].name] == (
            "failed",
            "not imported: an upload holds at most 2 stories",
        )
        assert run.created == 2
        settings.NEWSROOM_UPLOAD_MAX_FILES = 100
        settings.NEWSROOM_UPLOAD_MAX_TOTAL_BYTES = len(STORY) + 10
        run, _ = upload(editor_client, text_file("a.txt", STORY), text_file("b.txt", STORY + "x"))
        assert outcomes(run)["b.txt"][0] == "failed"
        assert "limit of" in outcomes(run)["b.txt"][1]

    def test_a_zip_past_the_count_limit_is_cut_short(self, editor_client, settings):
        """Members past the count limit are refused in one row, never read one by one."""
        settings.NEWSROOM_UPLOAD_MAX_FILES = 2
        bundle = zipped("day.zip", {seed.name: seed.read_bytes() for seed in SEEDS})
        run, _ = upload(editor_client, bundle)
        result = outcomes(run)
        assert len(result) == 3 and run.created == 2
        assert result["day/…"] == (
            "failed",
            "3 more files in the zip not imported: an upload holds at most 2 stories",
        )


class TestBackground:
    def test_large_uploads_run_as_tasks_with_progress(
        self, editor_client, settings, monkeypatch, django_capture_on_commit_callbacks
    ):
        """More stories than the threshold are queued as tasks (the database backend); the
        run's page refreshes itself until a worker has imported them, then shows links."""
        settings.NEWSROOM_UPLOAD_FOREGROUND_MAX_FILES = 2
        monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
        with django_capture_on_commit_callbacks(execute=True):
            run, page = upload(editor_client, seed(0), seed(1), seed(2), text_file("x.pdf", b"x"))
        assert run.status == ImportRun.Status.QUEUED and (run.total, run.done) == (4, 1)
        assert DBTaskResult.objects.filter(status="READY").count() == 1
        html = page.content.decode()
        assert 'http-equiv="refresh"' in html and "1 of 4 files" in html
        assert not Article.objects.exists()
        # The files wait where the worker reads them.
        paths = [file.path for file in ImportRunFile.objects.all()]
        assert len(paths) == 1  # only the refused one so far
        call_command(
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--no-reload",
            verbosity=0,
            stdout=StringIO(),
        )
        run.refresh_from_db()
        assert (run.status, run.done, run.created, run.failed) == ("finished", 4, 3, 1)
        html = editor_client.get(
            reverse("admin:articles_article_import_run", args=[run.pk])
        ).content.decode()
        assert 'http-equiv="refresh"' not in html
        for article in Article.objects.all():
            assert reverse("admin:articles_article_change", args=[article.pk]) in html


def test_folders_of_old_uploads_are_removed(editor_client, settings, upload_dir):
    """A background upload's folder is removed a week later, when another upload arrives."""
    settings.NEWSROOM_UPLOAD_FOREGROUND_MAX_FILES = 0
    upload(editor_client, text_file("harbour.txt", STORY))
    (old,) = upload_dir.iterdir()
    week_ago = time.time() - 8 * 24 * 3600
    os.utime(old, (week_ago, week_ago))
    upload(editor_client, text_file("harbour.txt", STORY))
    folders = list(upload_dir.iterdir())
    assert len(folders) == 1 and folders[0] != old
