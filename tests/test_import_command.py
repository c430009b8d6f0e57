"""`import_articles` end to end: the real pipeline on the seeds and on hostile files."""

import codecs
import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Q

from articles.models import Article, Event, Mention, Quote
from people.models import Person
from tests.conftest import SEEDS_DIR

pytestmark = pytest.mark.django_db

GOOD_STORY = (
    " date 2024-03-08 Minister opens new bridge\n\n"
    "The transport minister, Ms Ada Okafor, opened the bridge on Friday.\n\n"
    '"This bridge joins two communities," Ms Okafor said.\n'
)


def run_import(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("import_articles", *map(str, args), stdout=out, stderr=err)
    except CommandError as error:
        return 1, out.getvalue(), err.getvalue() + str(error)
    return 0, out.getvalue(), err.getvalue()


def summary_value(output, label):
    for line in output.splitlines():
        if line.startswith(label):
            return int(line[len(label) :].split()[0])
    raise AssertionError(f"no {label!r} line in summary:\n{output}")


def test_seeds_import_with_people_quotes_and_events():
    """The five seeds import cleanly with people, quotes and dated events."""
    code, out, err = run_import("--publish", SEEDS_DIR)
    assert code == 0, err
    assert summary_value(out, "created") == 5
    assert summary_value(out, "failed") == 0
    assert Article.objects.published().count() == 5
    names = list(Person.objects.values_list("name", flat=True))
    assert names.count("Rose Ayling-Ellis") == 1
    assert "Rose" not in names and "Strictly Come Dancing" not in names
    rose = Person.objects.get(name="Rose Ayling-Ellis")
    assert rose.aliases.filter(text="Rose").exists()
    # Her quotes name her, or suggest her while they wait below the publish threshold.
    assert Quote.objects.filter(Q(speaker=rose) | Q(suggested_speaker=rose)).count() >= 5
    assert Mention.objects.filter(person=rose).count() >= 10
    dates = set(Event.objects.values_list("date", "date_precision"))
    assert (dt.date(2021, 12, 18), "day") in dates
    assert (dt.date(2021, 12, 31), "day") in dates
    for quote in Quote.objects.select_related("article"):
        assert 0 <= quote.start < quote.end <= len(quote.article.body)


def test_reimporting_the_seeds_changes_nothing():
    """A second import of the same files reports them unchanged and adds no rows."""
    run_import(SEEDS_DIR)
    counts = [m.objects.count() for m in (Article, Person, Quote, Event, Mention)]
    code, out, _ = run_import(SEEDS_DIR)
    assert code == 0
    assert summary_value(out, "unchanged") == 5
    assert [m.objects.count() for m in (Article, Person, Quote, Event, Mention)] == counts


def test_new_articles_are_drafts_without_publish():
    run_import(SEEDS_DIR)
    assert not Article.objects.published().exists()


def test_dry_run_writes_nothing():
    """--dry-run reports what it would create and leaves the database empty."""
    code, out, _ = run_import("--dry-run", SEEDS_DIR)
    assert code == 0
    assert "dry run" in out
    assert summary_value(out, "created") == 5
    assert summary_value(out, "quotes created") > 0
    assert not Article.objects.exists() and not Person.objects.exists()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"   \n\t\n  ", "empty"),
        (b"Headline\x00\x01\x02 binary", "binary"),
        ("Caf\xe9 story with latin-1 bytes".encode("latin-1"), "UTF-8"),
    ],
)
def test_hostile_files_are_refused_with_a_reason(tmp_path, content, reason):
    """A broken file is named with a clear reason; the good file beside it imports."""
    (tmp_path / "good.txt").write_text(GOOD_STORY, encoding="utf-8")
    (tmp_path / "broken.txt").write_bytes(content)
    code, out, err = run_import(tmp_path)
    assert code == 1
    failure = next(line for line in err.splitlines() if "broken.txt" in line)
    assert reason.lower() in failure.lower()
    assert summary_value(out, "failed") == 1
    assert list(Article.objects.values_list("source_name", flat=True)) == ["good.txt"]


def test_oversized_file_is_refused(tmp_path):
    (tmp_path / "big.txt").write_text(GOOD_STORY * 50, encoding="utf-8")
    code, _, err = run_import("--max-bytes", 1000, tmp_path)
    assert code == 1 and "big.txt" in err
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    "encoded",
    [
        codecs.BOM_UTF8 + GOOD_STORY.encode("utf-8"),
        codecs.BOM_UTF16_LE + GOOD_STORY.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + GOOD_STORY.encode("utf-16-be"),
    ],
    ids=["utf-8-bom", "utf-16-le", "utf-16-be"],
)
def test_byte_order_marks_are_read(tmp_path, encoded):
    """UTF-8 with a BOM and UTF-16 with a BOM import as the same text."""
    (tmp_path / "story.txt").write_bytes(encoded)
    code, _, err = run_import(tmp_path)
    assert code == 0, err
    article = Article.objects.get()
    assert article.published_at.date() == dt.date(2024, 3, 8)
    assert "\ufeff" not in article.body and "opened the bridge" in article.body


def test_markup_in_a_story_is_stored_as_text(tmp_path):
    """Imported markup is kept verbatim as text (pages escape it)."""
    (tmp_path / "x.txt").write_text(
        "Headline <script>alert(1)</script>\n\nBody with <b>tags</b> in it.\n", encoding="utf-8"
    )
    assert run_import(tmp_path)[0] == 0
    article = Article.objects.get()
    assert "<script>" in article.title + article.standfirst + article.body


def test_no_files_is_an_error(tmp_path):
    code, _, err = run_import(tmp_path)
    assert code == 1 and "No files" in err


def test_two_import_processes_at_once_never_duplicate(tmp_path):
    """Two `import_articles` processes on one SQLite file create each row once."""
    import os
    import sqlite3
    import subprocess
    import sys

    from django.conf import settings

    database = tmp_path / "concurrent.sqlite3"
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_SECRET_KEY=settings.SECRET_KEY,
    )
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, timeout=120)
    runs = [
        subprocess.Popen(
            [*manage, "import_articles", str(SEEDS_DIR)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
    with sqlite3.connect(database) as db:
        articles = db.execute("SELECT COUNT(*) FROM articles_article").fetchone()[0]
        duplicates = db.execute(
            "SELECT name_normalized FROM people_person GROUP BY name_normalized HAVING COUNT(*) > 1"
        ).fetchall()
    assert articles == 5
    assert duplicates == []
