"""The importer reads only regular files of a bounded size, and any number of new people
fits in one story (issue 12)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from articles.importing import FAILED, Importer, read_story
from articles.models import Article
from extraction import IngestError
from people.models import Person
from tests.deadlines import deadline
from tests.test_import_command import GOOD_STORY, run_import, summary_value

pytestmark = pytest.mark.django_db

# A story naming this many people who are not in the database yet: more than SQLite's
# limit of 1,000 on the depth of an expression.
MANY = 1_500
GIVEN = """Anna Brian Clara David Emma Frank Grace Henry Irene James Karen Louis Maria Nora
    Oliver Paula Quentin Rachel Simon Teresa Victor Wendy Adam Bella Carl Diana Edward Fiona
    George Helen""".split()  # noqa: SIM905 (a list of words reads better as words)
# Invented surnames (no gazetteer or lexicon knows them): "Qabton", "Qedton", ...
SURNAMES = [f"Q{vowel}{consonant}ton" for vowel in "aeiou" for consonant in "bdfglmnprstvz"]


def bytes_read() -> int:
    """Bytes this process has read through system calls so far (Linux)."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/self/io")


def failure_line(err: str, name: str) -> str:
    return next(line for line in err.splitlines() if name in line)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_dev_zero_named_on_the_command_line_is_refused_unread(tmp_path):
    """/dev/zero is refused as a device at once; the story named beside it imports."""
    (tmp_path / "good.txt").write_text(GOOD_STORY, encoding="utf-8")
    with deadline(20):
        code, out, err = run_import("/dev/zero", tmp_path / "good.txt")
    assert code == 1
    assert "not a regular file: it is a character device" in failure_line(err, "/dev/zero")
    assert summary_value(out, "failed") == 1
    assert list(Article.objects.values_list("source_name", flat=True)) == ["good.txt"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
@pytest.mark.parametrize("named", ["folder", "file"])
def test_a_fifo_is_refused_without_waiting(tmp_path, named):
    """A named pipe, in a folder or named itself, is reported (not skipped, not waited on)."""
    (tmp_path / "good.txt").write_text(GOOD_STORY, encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.txt")
    paths = [tmp_path] if named == "folder" else [tmp_path / "pipe.txt", tmp_path / "good.txt"]
    with deadline(20):
        code, out, err = run_import(*paths)
    assert code == 1
    assert "not a regular file: it is a named pipe (FIFO)" in failure_line(err, "pipe.txt")
    assert summary_value(out, "failed") == 1
    assert list(Article.objects.values_list("source_name", flat=True)) == ["good.txt"]


@pytest.mark.skipif(not Path("/proc/self/io").exists(), reason="needs /proc/self/io")
def test_an_oversized_sparse_file_is_refused_without_reading_it(tmp_path):
    """A 64 MiB file (sparse: it costs no disk) is refused by its size, before any read."""
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(64 * 1024 * 1024)
    (tmp_path / "good.txt").write_text(GOOD_STORY, encoding="utf-8")
    before = bytes_read()
    with deadline(60):
        code, out, err = run_import(tmp_path)
    read = bytes_read() - before
    assert code == 1
    assert "file is too large (67,108,864 bytes; the limit is" in failure_line(err, "big.txt")
    assert summary_value(out, "created") == 1
    assert read < 16 * 1024 * 1024, f"{read:,} bytes read for a refused 64 MiB file"


def test_read_story_reads_at_most_the_cap(tmp_path):
    """A file at the cap is read whole; one byte more is refused, on size or on reading."""
    story = tmp_path / "story.txt"
    story.write_bytes(b"x" * 100)
    assert read_story(story, max_bytes=100) == b"x" * 100
    with pytest.raises(IngestError, match="too large"):
        read_story(story, max_bytes=99)


def test_a_story_naming_1500_new_people_imports(tmp_path):
    """Every new person of a crowded story is created with a slug of their own."""
    names = [f"{given} {surname}" for surname in SURNAMES for given in GIVEN][:MANY]
    assert len(set(names)) == MANY
    Person.objects.create(name="Someone Else", slug="anna-qabton")  # a slug already taken
    body = "\n\n".join(f"{name} attended the meeting on Monday." for name in names)
    story = tmp_path / "crowd.txt"
    story.write_text(f"Council meeting draws a crowd\n\n{body}\n", encoding="utf-8")

    outcome = Importer().import_path(story)

    assert outcome.status != FAILED, outcome.reason
    assert outcome.people_created == MANY
    slugs = dict(Person.objects.values_list("name", "slug"))
    assert len(set(slugs.values())) == MANY + 1
    assert slugs["Anna Qabton"] == "anna-qabton-2"
    assert slugs["Brian Qabton"] == "brian-qabton"
