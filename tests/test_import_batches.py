"""Imports in batches (issue 13): many files per transaction, each file still atomic; history
rows, slugs and search entries written in bulk; unchanged files never parsed."""

import dataclasses

import pytest

import extraction
from articles import importing
from articles.importing import CREATED, FAILED, UNCHANGED, Importer, import_sources
from articles.models import Article, Event, Mention, Quote
from articles.sources import SourceFile
from extraction.types import ExtractedPerson
from people.models import Alias, Person
from search.models import SearchEntry
from search.services import article_ids, person_ids, quote_ids
from tests.test_importing import BODY, parsed_story

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sure_enough(settings):
    """The quotes here (confidence 0.9) are sure enough to keep their speakers."""
    settings.NEWSROOM_PUBLISH_MIN_CONFIDENCE = 0.5


@pytest.fixture
def pipeline(monkeypatch):
    from tests.test_importing import pipeline as fixture

    return fixture.__wrapped__(monkeypatch)


@pytest.fixture
def story_file(tmp_path):
    from tests.test_importing import story_file as fixture

    return fixture.__wrapped__(tmp_path)


def register(pipeline, story_file, name, **kwargs):
    """A file ``name`` whose parse is ``parsed_story(**kwargs)`` (distinct bytes per name)."""
    raw = f"{name}\n\n{kwargs.get('body', BODY)}".encode()
    pipeline[name] = parsed_story(name=name, raw=raw, **kwargs)
    return SourceFile(story_file(name, raw), name)


def fail_saving(monkeypatch, key):
    """Saving the file keyed ``key`` fails with a database error once its rows are written."""
    sync_events = importing._sync_events

    def fail_on_key(article, *args, **kwargs):
        sync_events(article, *args, **kwargs)
        if article.source_key == key:
            raise importing.DatabaseError("disk full")

    monkeypatch.setattr(importing, "_sync_events", fail_on_key)


def test_a_bad_file_in_the_middle_of_a_batch_rolls_back_alone(pipeline, story_file, monkeypatch):
    """A database error while saving the second of three files (one batch) fails that file
    only: its rows are rolled back, the first and third commit, with their search entries."""
    files = [register(pipeline, story_file, f"{name}.txt") for name in ("a", "b", "c")]
    fail_saving(monkeypatch, "b.txt")
    outcomes = import_sources(files, publish=True)

    assert [o.status for o in outcomes] == [CREATED, FAILED, CREATED]
    assert "disk full" in outcomes[1].reason
    assert sorted(Article.objects.values_list("source_key", flat=True)) == ["a.txt", "c.txt"]
    assert not Quote.objects.exclude(article__source_key__in=["a.txt", "c.txt"]).exists()
    assert Quote.objects.count() == 4 and Mention.objects.count() == 4
    assert Person.objects.count() == 2  # created by a.txt, named again by c.txt
    assert sorted(article_ids("celebrate")) == sorted(o.article_id for o in outcomes[::2])
    assert len(quote_ids("dream")) == 2


def test_aliases_are_written_once_each_even_after_a_file_fails(pipeline, story_file, monkeypatch):
    """A file failing in a batch (the batch is then imported again one file per
    transaction) never makes the import write an alias twice."""
    Person.objects.create(name="Rose Ayling-Ellis")
    Person.objects.create(name="Giovanni Pernice")
    files = [
        register(pipeline, story_file, "a.txt", people=_rose_and_giovanni("Rose")),
        register(pipeline, story_file, "b.txt", people=_rose_and_giovanni("Rose")),
        register(
            pipeline, story_file, "c.txt", people=_rose_and_giovanni("Rose", "Ms Ayling-Ellis")
        ),
    ]
    fail_saving(monkeypatch, "b.txt")
    outcomes = import_sources(files)

    assert [o.status for o in outcomes] == [CREATED, FAILED, CREATED]
    assert sorted(Alias.objects.values_list("text", flat=True)) == [
        "Giovanni",
        "Ms Ayling-Ellis",
        "Rose",
    ]
    assert Alias.history.filter(history_type="+").count() == 3


def test_a_batch_of_several_files_writes_no_savepoint_per_file_and_its_aliases_at_once(
    pipeline, story_file
):
    """New aliases go in with the batch's bulk writes (one INSERT), not one per file; and
    no file has a savepoint of its own (two statements per file, a round trip each on
    PostgreSQL): a batch that meets a database error is imported again file by file."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Person.objects.create(name="Rose Ayling-Ellis")
    Person.objects.create(name="Giovanni Pernice")

    def import_batch(names, alias):
        files = [
            register(pipeline, story_file, name, people=_rose_and_giovanni(alias)) for name in names
        ]
        with CaptureQueriesContext(connection) as queries:
            outcomes = import_sources(files)
        assert [o.status for o in outcomes] == [CREATED] * len(names)
        sql = [q["sql"] for q in queries.captured_queries]
        alias_inserts = [q for q in sql if 'INTO "people_alias"' in q]
        return len(alias_inserts), len([q for q in sql if q.upper().startswith("SAVEPOINT")])

    three = import_batch(["a.txt", "b.txt", "c.txt"], "Rose")
    six = import_batch([f"{n}.txt" for n in "defghi"], "Ms Ayling-Ellis")
    assert three[0] == six[0] == 1
    assert three[1] == six[1]  # the batch's own (search index, tags), none per file
    assert Alias.objects.count() == 3


def _rose_and_giovanni(*rose_aliases):
    return [
        ExtractedPerson(name="Rose Ayling-Ellis", aliases=list(rose_aliases)),
        ExtractedPerson(name="Giovanni Pernice", aliases=["Giovanni"]),
    ]


def test_a_file_refused_when_the_batch_is_written_fails_alone(pipeline, story_file):
    """Rows written in bulk at the end of the batch: if the database refuses them, the
    batch is redone a file at a time, and only the file at fault fails."""
    good = [register(pipeline, story_file, f"{name}.txt") for name in ("a", "c")]
    bad = register(pipeline, story_file, "b.txt")
    broken = dataclasses.replace(pipeline["b.txt"].quotes[0], start=5, end=5)  # empty span
    pipeline["b.txt"].quotes[0] = broken
    outcomes = import_sources([good[0], bad, good[1]])

    assert [o.status for o in outcomes] == [CREATED, FAILED, CREATED]
    assert sorted(Article.objects.values_list("source_key", flat=True)) == ["a.txt", "c.txt"]
    assert Quote.objects.count() == 4
    assert Person.objects.count() == 2


def test_bulk_created_rows_have_their_history(pipeline, story_file):
    """Every row the import creates has its creation record, marked as the importer's."""
    import_sources([register(pipeline, story_file, "a.txt")])
    for model in (Article, Person, Alias, Quote, Event):
        rows = set(model.objects.values_list("pk", flat=True))
        assert rows, model
        records = model.history.filter(history_type="+", history_change_reason="import")
        assert set(records.values_list("id", flat=True)) == rows, model


def test_slugs_stay_unique_within_a_batch_and_against_the_database(pipeline, story_file):
    """Two stories with one headline in one batch, and two people whose names make the
    same slug, get numbered slugs past those already taken."""
    Person.objects.create(name="Someone Else", slug="rose-ayling-ellis")
    Person.objects.create(name="Someone Else", slug="rose-ayling-ellis-other")
    people = [
        ExtractedPerson(name="Rose Ayling-Ellis", aliases=["Rose"]),
        ExtractedPerson(name="Giovanni Pernice", aliases=["Giovanni"]),
    ]
    first = register(pipeline, story_file, "a.txt", people=people)
    people_b = [
        ExtractedPerson(name="Rose Ayling Ellis", aliases=["Rose"]),
        ExtractedPerson(name="Giovanni Pernice", aliases=["Giovanni"]),
    ]
    second = register(pipeline, story_file, "b.txt", people=people_b)
    Article.objects.create(
        title="x", slug="rose-and-giovanni-celebrate", body="x", source_key="old",
        source_name="old", source_sha256="0" * 64, raw_text="x",
    )  # fmt: skip

    outcomes = import_sources([first, second])

    assert [o.status for o in outcomes] == [CREATED, CREATED]
    assert sorted(Article.objects.values_list("slug", flat=True)) == [
        "rose-and-giovanni-celebrate",
        "rose-and-giovanni-celebrate-2",
        "rose-and-giovanni-celebrate-3",
    ]
    roses = Person.objects.filter(name__startswith="Rose").order_by("pk")
    assert [p.slug for p in roses] == ["rose-ayling-ellis-2", "rose-ayling-ellis-3"]


def test_a_numbered_slug_taken_while_its_base_is_free_is_still_skipped(pipeline, story_file):
    """Only bases already taken have their numbered slugs read; a base that a file of
    the same batch takes first still finds "-2" taken (say by a story headlined "… 2")."""
    Article.objects.create(
        title="x", slug="rose-and-giovanni-celebrate-2", body="x", source_key="old",
        source_name="old", source_sha256="0" * 64, raw_text="x",
    )  # fmt: skip
    files = [register(pipeline, story_file, f"{name}.txt") for name in ("a", "b")]

    outcomes = import_sources(files)

    assert [o.status for o in outcomes] == [CREATED, CREATED]
    assert sorted(Article.objects.values_list("slug", flat=True)) == [
        "rose-and-giovanni-celebrate",
        "rose-and-giovanni-celebrate-2",
        "rose-and-giovanni-celebrate-3",
    ]


def test_slugs_of_new_titles_are_read_in_one_query(pipeline, story_file):
    """A batch of new headlines: one probe of the slug index for all of them, no range
    look-up per title."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    files = [register(pipeline, story_file, f"{n}.txt") for n in range(12)]
    for n, file in enumerate(files):
        pipeline[file.key] = dataclasses.replace(
            pipeline[file.key], headline=f"Headline number {n} here"
        )
    with CaptureQueriesContext(connection) as queries:
        import_sources(files)
    slug_reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "articles_article"."slug" AS "slug" FROM')
    ]
    assert len(slug_reads) == 1, slug_reads
    assert len(set(Article.objects.values_list("slug", flat=True))) == 12


def test_slug_reads_walk_the_slug_index_not_the_archive():
    """The reads of taken slugs (a batch of titles, then the numbered slugs of those taken)
    probe the slug index: the model's ordering once made SQLite walk its ordering index over
    every article instead, a cost growing with the archive (issue 13's growth bench: 1 ms
    per repeated title at 20,000 articles)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from articles.importing import SlugBook

    Article.objects.bulk_create(
        Article(
            title=f"Title {n}", slug=f"title-{n % 7}" + (f"-{n}" if n >= 7 else ""),
            body="x", source_key=f"k{n}", source_name=f"k{n}", source_sha256=f"{n:064x}",
            raw_text="x",
        )
        for n in range(40)
    )  # fmt: skip
    book = SlugBook()
    with CaptureQueriesContext(connection) as queries:
        book.load(Article, [f"Title {n}" for n in range(10)], fallback="article")
    reads = [q["sql"] for q in queries.captured_queries]
    assert len(reads) == 2  # the bases, then the numbered slugs of those taken
    assert book.take(Article, "Title 3", fallback="article") == "title-3-2"
    with connection.cursor() as cursor:
        for sql in reads:
            assert "ORDER BY" not in sql, sql
            if connection.vendor == "sqlite":
                cursor.execute("EXPLAIN QUERY PLAN " + sql)
                plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
                # The slug index alone (which covers the read), whether probed or, on a
                # small table whose statistics say so, scanned; never another index.
                assert "COVERING INDEX" in plan and "TEMP B-TREE" not in plan, plan


def test_unchanged_files_are_not_parsed(tmp_path, monkeypatch):
    """Re-importing the same bytes is a hash look-up: the pipeline is not run, and the
    search entries are still checked (and repaired)."""
    path = tmp_path / "ferry.txt"
    path.write_text(
        "Ferry timetable changes\n\nAmelia Okafor said: “The new timetable starts on "
        "Monday.” The ferry runs every hour.\n"
    )
    files = [SourceFile(path, "ferry.txt")]
    (first,) = import_sources(files)
    assert first.status == CREATED
    SearchEntry.objects.filter(kind=SearchEntry.Kind.ARTICLE).delete()

    def parse_fails(*args, **kwargs):
        raise AssertionError("an unchanged file was parsed")

    monkeypatch.setattr(extraction, "parse_article", parse_fails)
    (again,) = import_sources(files)

    assert again.status == UNCHANGED and again.article_id == first.article_id
    assert any("search index repaired" in note for note in again.notes)
    assert article_ids("ferry", include_drafts=True) == [first.article_id]


def test_a_persons_index_entry_is_their_names_not_their_quotes(pipeline, story_file):
    """A person's entry holds their name and aliases; what they said is in quote entries
    (re-indexing a person then costs the same however much they have said)."""
    import_sources([register(pipeline, story_file, "a.txt")], publish=True)
    rose = Person.objects.get(name="Rose Ayling-Ellis")
    entry = SearchEntry.objects.get(kind=SearchEntry.Kind.PERSON, object_id=rose.pk)
    text = " ".join([entry.title, entry.extra, entry.body, entry.names])
    assert "Rose Ayling-Ellis" in text and "Rose" in entry.extra
    assert "dream" not in text.casefold()
    assert person_ids("ayling") == [rose.pk]
    assert person_ids("dream") == []
    assert quote_ids("dream") == list(
        Quote.objects.filter(speaker=rose).values_list("pk", flat=True)
    )


@pytest.mark.parametrize("read_batch", [2, 500])
def test_outcomes_are_reported_after_their_batch_commits(
    pipeline, story_file, monkeypatch, read_batch
):
    """``on_outcome`` hears of each file, in order, once it is committed, however the
    files are split into batches read and written."""
    monkeypatch.setattr(importing, "BATCH_FILES", 2)
    monkeypatch.setattr(importing, "READ_BATCH_FILES", read_batch)
    files = [register(pipeline, story_file, f"{name}.txt") for name in ("a", "b", "c")]
    seen = []

    def on_outcome(outcome):
        seen.append((outcome.key, Article.objects.filter(pk=outcome.article_id).exists()))

    Importer().import_files(files, on_outcome=on_outcome)
    assert seen == [("a.txt", True), ("b.txt", True), ("c.txt", True)]


def _snapshot():
    """What an import made of the stories, independent of row ids."""
    return {
        "people": sorted(Person.objects.values_list("name", flat=True)),
        "aliases": sorted(Alias.objects.values_list("person__name", "text")),
        "mentions": sorted(
            Mention.objects.values_list("article__source_key", "start", "end", "person__name")
        ),
        "quotes": sorted(
            Quote.objects.values_list("article__source_key", "start", "speaker__name", "status")
        ),
        "events": sorted(Event.objects.values_list("article__source_key", "start", "summary")),
    }


@pytest.mark.parametrize(
    "parser_process, read_batch", [("never", 500), ("always", 500), ("always", 2)]
)
def test_a_batch_parsed_ahead_gives_what_files_imported_one_by_one_give(
    settings, monkeypatch, parser_process, read_batch
):
    """Stories of one batch are all parsed before any is saved (here, or in the parser
    process beside the importer, which also parses the next batch while this one's last
    transaction is written); each still knows the people the stories before it named
    (under a provisional key until saved), so the result is that of importing the files
    one at a time, each after the last committed."""
    from pathlib import Path

    monkeypatch.setattr(importing, "READ_BATCH_FILES", read_batch)
    if read_batch == 2:
        monkeypatch.setattr(importing, "BATCH_FILES", 1)
    settings.NEWSROOM_IMPORT_PARSER_PROCESS = parser_process
    seeds = sorted(Path(settings.BASE_DIR, "fixtures", "seeds").glob("*.txt"))
    files = [SourceFile(path, path.name) for path in seeds]
    outcomes = import_sources(files, publish=True)
    assert [o.status for o in outcomes] == [CREATED] * len(seeds)
    together = _snapshot()
    Article.objects.all().delete()
    Person.objects.all().delete()
    settings.NEWSROOM_IMPORT_PARSER_PROCESS = "never"
    for file in files:
        assert import_sources([file], publish=True)[0].status == CREATED
    assert _snapshot() == together
    assert together["quotes"] and together["people"]


def _story_files(tmp_path, count):
    for n in range(count):
        (tmp_path / f"{n}.txt").write_text(
            f'Story {n}\n\nJane Qorvath said: "We did it {n}."\n', encoding="utf-8"
        )
    return [SourceFile(path, path.name) for path in sorted(tmp_path.glob("*.txt"))]


def test_the_next_batch_is_parsed_while_the_last_transaction_of_this_one_is_written(
    tmp_path, settings, monkeypatch
):
    """The parser process gets the next batch's files as the current batch's last
    transaction starts, not after it commits: the importer waited for the next batch's
    first files at every batch's start (a tenth of its time, issue 13)."""
    settings.NEWSROOM_IMPORT_PARSER_PROCESS = "always"
    monkeypatch.setattr(importing, "READ_BATCH_FILES", 4)
    monkeypatch.setattr(importing, "BATCH_FILES", 2)
    events = []
    submit, commit = importing.ParserProcess.submit, importing.Importer._commit

    def recording_submit(self, reads, max_bytes):
        events.append(("parse", [read.key for read in reads]))
        return submit(self, reads, max_bytes)

    def recording_commit(self, batch, chunk, results, unchanged):
        events.append(("write", [batch[i].key for i in chunk]))
        return commit(self, batch, chunk, results, unchanged)

    monkeypatch.setattr(importing.ParserProcess, "submit", recording_submit)
    monkeypatch.setattr(importing.Importer, "_commit", recording_commit)
    outcomes = Importer().import_files(_story_files(tmp_path, 8))

    assert [o.status for o in outcomes] == [CREATED] * 8
    assert events == [
        ("parse", ["0.txt", "1.txt"]),
        ("parse", ["2.txt", "3.txt"]),
        ("write", ["0.txt", "1.txt"]),
        ("parse", ["4.txt", "5.txt"]),
        ("parse", ["6.txt", "7.txt"]),
        ("write", ["2.txt", "3.txt"]),
        ("write", ["4.txt", "5.txt"]),
        ("write", ["6.txt", "7.txt"]),
    ]
    assert Person.objects.filter(name="Jane Qorvath").count() == 1


def test_files_that_cannot_be_listed_fail_the_import_after_the_batch_before_is_reported(
    tmp_path, settings, monkeypatch
):
    """The next batch's files are read ahead, but an error listing them is raised only
    once the batch before has committed and reported each of its files."""
    settings.NEWSROOM_IMPORT_PARSER_PROCESS = "always"
    monkeypatch.setattr(importing, "READ_BATCH_FILES", 2)
    monkeypatch.setattr(importing, "BATCH_FILES", 1)
    files = _story_files(tmp_path, 2)

    def listing():
        yield from files
        raise PermissionError("the folder went away")

    heard = []
    with pytest.raises(PermissionError):
        Importer().import_files(listing(), on_outcome=heard.append)
    assert [(o.key, o.status) for o in heard] == [("0.txt", CREATED), ("1.txt", CREATED)]
    assert Article.objects.count() == 2


def test_stories_are_parsed_before_the_importers_lock_is_taken(tmp_path, monkeypatch):
    """The lock serialising importers is held for writing only: a second worker parses
    its batch while the first writes (issue 13: two workers gave 1.13× one)."""
    from articles import formats

    calls = []
    parse, lock = formats.Story.parse, importing._serialise_imports

    def recording_parse(self, **kwargs):
        calls.append("parse")
        return parse(self, **kwargs)

    def recording_lock():
        calls.append("lock")
        lock()

    monkeypatch.setattr(formats.Story, "parse", recording_parse)
    monkeypatch.setattr(importing, "_serialise_imports", recording_lock)
    for n in range(3):
        (tmp_path / f"{n}.txt").write_text(
            f"Story {n}\n\n" + 'Rose Ayling-Ellis said: "We did it." ' * (n + 1) + "\n",
            encoding="utf-8",
        )
    files = [SourceFile(path, path.name) for path in sorted(tmp_path.glob("*.txt"))]
    assert [o.status for o in import_sources(files)] == [CREATED] * 3
    assert calls == ["parse", "parse", "parse", "lock"]


def test_a_person_first_named_in_a_batch_is_known_to_its_next_stories_once(tmp_path):
    """A person the first story names is one person for the batch: found by name when the
    next story is saved (never created twice), and the provisional entry is forgotten."""
    story = 'Jane Qorvath won.\n\nJane Qorvath said: "It is {}." Qorvath smiled.\n'
    for n, word in enumerate(["great", "wonderful", "lovely"]):
        (tmp_path / f"{n}.txt").write_text(f"Headline {n}\n\n" + story.format(word))
    importer = Importer()
    files = [SourceFile(path, path.name) for path in sorted(tmp_path.glob("*.txt"))]
    outcomes = importer.import_files(files)
    assert [o.people_created for o in outcomes] == [1, 0, 0]
    assert Person.objects.filter(name="Jane Qorvath").count() == 1
    person = Person.objects.get(name="Jane Qorvath")
    known = importer.world.person(importer.world.known_full["jane qorvath"])
    assert known.key == person.pk
    assert len(importer.world) == Person.objects.count()


def test_a_parser_process_that_dies_leaves_the_parsing_to_the_importer(
    tmp_path, settings, monkeypatch
):
    """The parser process is help, not a dependency: if it dies, the stories are parsed
    in the importer and every file is imported."""
    import os

    settings.NEWSROOM_IMPORT_PARSER_PROCESS = "always"

    def dying(files, max_bytes):
        os._exit(3)

    monkeypatch.setattr(importing, "_parse_files", dying)
    for n in range(3):
        (tmp_path / f"{n}.txt").write_text(
            f'Story {n}\n\nJane Qorvath said: "We did it {n}."\n', encoding="utf-8"
        )
    files = [SourceFile(path, path.name) for path in sorted(tmp_path.glob("*.txt"))]
    importer = Importer()
    outcomes = importer.import_files(files)
    assert [o.status for o in outcomes] == [CREATED] * 3
    assert importer._parser is None and importer._parser_refused
    assert Person.objects.filter(name="Jane Qorvath").count() == 1


def test_new_quotes_are_grouped_before_they_are_written_not_updated_after(tmp_path):
    """Each new quote is written once, with its canonical group (issue 15): grouping after
    the insert rewrote every new quote (a bulk UPDATE of them all: 40 % of an import)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(3):
        (tmp_path / f"{n}.txt").write_text(
            f'Story {n}\n\nJane Qorvath said: "We will build the new harbour wall by next '
            f'spring, whatever it takes {n}." Qorvath smiled.\n',
            encoding="utf-8",
        )
    files = [SourceFile(path, path.name) for path in sorted(tmp_path.glob("*.txt"))]
    with CaptureQueriesContext(connection) as queries:
        assert [o.status for o in import_sources(files)] == [CREATED] * 3
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert not [sql for sql in updates if '"articles_quote"' in sql.split(" SET ")[0]]
    quotes = list(Quote.objects.order_by("pk"))
    assert len(quotes) == 3 and all(q.canonical_id for q in quotes)
    # Near-duplicates (one word differs in fourteen): one group, first reported in the first.
    assert len({q.canonical_id for q in quotes}) == 1


# --- New articles inserted with the batch's (issue 13) ---------------------------------------


def _inserts_into(queries, table: str) -> list[str]:
    """The captured statements that insert rows into ``table`` (INSERT, or PostgreSQL's COPY)."""
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(("INSERT", "COPY")) and f'"{table}"' in q["sql"]
    ]


def test_a_batch_inserts_its_new_articles_in_one_statement(pipeline, story_file):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    files = [register(pipeline, story_file, f"{name}.txt") for name in ("a", "b", "c")]
    with CaptureQueriesContext(connection) as queries:
        outcomes = import_sources(files)

    assert [o.status for o in outcomes] == [CREATED] * 3
    writes = _inserts_into(queries, "articles_article")
    assert len(writes) == 1
    ids = [o.article_id for o in outcomes]
    assert None not in ids
    assert sorted(Article.objects.values_list("pk", "source_key")) == sorted(
        zip(ids, ["a.txt", "b.txt", "c.txt"], strict=True)
    )
    assert Article.history.filter(history_type="+").count() == 3
    assert set(
        SearchEntry.objects.filter(kind="article").values_list("object_id", flat=True)
    ) == set(ids)


def _seed(tmp_path, name: str, extra: str = ""):
    from pathlib import Path

    seed = sorted(Path("fixtures/seeds").glob("*.txt"))[0].read_text(encoding="utf-8")
    path = tmp_path / name
    path.write_text(seed + extra, encoding="utf-8")
    return path


def test_a_story_revised_within_one_batch_updates_the_article_the_batch_created(tmp_path):
    """The batch's new articles wait to be inserted together; a later file of the batch
    that is a revision of one (same key) finds it, inserted first, and updates it."""
    files = [
        SourceFile(_seed(tmp_path, "first.txt"), "story.txt"),
        SourceFile(
            _seed(tmp_path, "second.txt", "\nThe story was updated on Tuesday.\n"), "story.txt"
        ),
    ]
    outcomes = import_sources(files)

    assert [o.status for o in outcomes] == [CREATED, importing.UPDATED]
    assert outcomes[0].article_id == outcomes[1].article_id is not None
    article = Article.objects.get()
    assert article.raw_text.endswith("updated on Tuesday.\n")
    rows = (Quote.objects.count(), Mention.objects.count(), Event.objects.count())
    assert rows[0] and rows[1]
    # The same rows as the revision imported alone: none written twice.
    Article.objects.all().delete()
    import_sources([files[1]])
    assert (Quote.objects.count(), Mention.objects.count(), Event.objects.count()) == rows


def test_the_same_bytes_twice_in_one_batch_are_one_article(tmp_path):
    files = [
        SourceFile(_seed(tmp_path, "first.txt"), "first.txt"),
        SourceFile(_seed(tmp_path, "copy.txt"), "copy.txt"),
    ]
    outcomes = import_sources(files)

    assert [o.status for o in outcomes] == [CREATED, UNCHANGED]
    assert outcomes[0].article_id == outcomes[1].article_id is not None
    assert "same content as first.txt" in outcomes[1].notes
    assert Article.objects.count() == 1


def test_changed_stories_read_what_their_articles_hold_once_per_batch(pipeline, story_file):
    """Re-importing a batch of changed stories reads their articles' mentions, quotes,
    events, event people and editors' changes in a few queries for the batch, not five
    per story, and keeps the editors' work as before."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    names = ["a.txt", "b.txt", "c.txt"]
    import_sources([register(pipeline, story_file, name) for name in names])
    confirmed = Quote.objects.filter(article__source_key="b.txt").first()
    confirmed.status = Quote.Status.CONFIRMED
    confirmed.save()
    changed = [
        register(pipeline, story_file, name, body=BODY + " The pair were seen again.")
        for name in names
    ]
    with CaptureQueriesContext(connection) as queries:
        outcomes = import_sources(changed)

    assert [o.status for o in outcomes] == [importing.UPDATED] * 3
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    whole_rows = [
        'SELECT "articles_mention"."id", ',
        'SELECT "articles_quote"."id", ',
        'SELECT "articles_event"."id", ',
        'SELECT "articles_event_people"."id" AS "pk", ',
    ]
    for start in whole_rows:
        assert len([q for q in reads if q.startswith(start)]) == 1, start
    assert Quote.objects.get(pk=confirmed.pk).status == Quote.Status.CONFIRMED
    assert Quote.objects.count() == 6 and Mention.objects.count() == 6


def test_alias_reads_do_not_join_every_person():
    """The importer's reads of aliases (the pipeline's knowledge, a batch's people) take the
    aliases' rows alone: ordered as the model is (by person, so by the person's name), they
    joined and sorted people, the whole table for the pipeline's index."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from articles.importing import BatchCache, known_people
    from tests.factories import make_alias, make_person

    rose, zed = make_person("Rose Ayling-Ellis"), make_person("Aaron Zed")
    make_alias(rose, "Rose"), make_alias(rose, "Ayling-Ellis"), make_alias(zed, "Zed")
    cache = BatchCache()
    with CaptureQueriesContext(connection) as queries:
        knowledge = known_people()
        aliases = cache.aliases_of([rose.pk, zed.pk])
        cache.people_by_name(["zed"])
    alias_reads = [q["sql"] for q in queries.captured_queries if '"people_alias"' in q["sql"]]
    assert len(alias_reads) == 3
    for sql in alias_reads[:2]:
        assert "JOIN" not in sql, sql
    assert knowledge[rose.pk].aliases == ("Ayling-Ellis", "Rose")
    assert set(aliases[rose.pk].values()) == {"Rose", "Ayling-Ellis"}


def test_a_new_draft_reindexes_only_the_people_whose_entries_it_changes(
    pipeline, story_file, monkeypatch
):
    """A new draft story names people: their entries are re-indexed only if the batch
    created them or gave them an alias (a draft makes nobody public). A published story
    re-indexes everyone it names, who become public with it. Re-indexing everyone named
    read and compared a person's entry per story (issue 13)."""
    from search import index as search_index

    import_sources([register(pipeline, story_file, "a.txt")])  # draft: both people new
    rose = Person.objects.get(name="Rose Ayling-Ellis")
    entry = SearchEntry.objects.get(kind=SearchEntry.Kind.PERSON, object_id=rose.pk)
    assert not entry.published and person_ids("ayling", include_drafts=True) == [rose.pk]

    reindexed = []
    rewrite = search_index._rewrite
    monkeypatch.setattr(
        search_index,
        "_rewrite",
        lambda kind, ids: reindexed.append((kind, set(ids))) or rewrite(kind, ids),
    )
    (second,) = import_sources([register(pipeline, story_file, "b.txt")])
    people = set().union(*(ids for kind, ids in reindexed if kind == SearchEntry.Kind.PERSON))
    assert second.status == CREATED and people == set()
    assert len(quote_ids("dream", include_drafts=True)) == 2  # the new quotes are indexed
    assert article_ids("celebrate", include_drafts=True) != []

    reindexed.clear()
    (third,) = import_sources([register(pipeline, story_file, "c.txt")], publish=True)
    people = set().union(*(ids for kind, ids in reindexed if kind == SearchEntry.Kind.PERSON))
    assert third.status == CREATED and rose.pk in people
    assert SearchEntry.objects.get(kind=SearchEntry.Kind.PERSON, object_id=rose.pk).published
    assert person_ids("ayling") == [rose.pk]


def test_a_batch_inserts_its_new_people_in_one_statement(pipeline, story_file):
    """A batch's new people are given keys as its stories name them and inserted together
    at its end (issue 13: one INSERT per story that named someone new was the import's most
    frequent statement). Every row that refers to them gets those keys."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    files = [
        register(
            pipeline,
            story_file,
            f"{n}.txt",
            people=[
                ExtractedPerson(name=f"Ada Newcomer{n}", aliases=[]),
                ExtractedPerson(name="Giovanni Pernice", aliases=["Giovanni"]),
            ],
        )
        for n in "abcd"
    ]
    with CaptureQueriesContext(connection) as queries:
        outcomes = import_sources(files)

    assert [o.status for o in outcomes] == [CREATED] * 4
    inserts = _inserts_into(queries, "people_person")
    assert len(inserts) == 1
    assert [o.people_created for o in outcomes] == [2, 1, 1, 1]
    people = dict(Person.objects.values_list("name", "pk"))
    assert sorted(people) == [
        "Ada Newcomera",
        "Ada Newcomerb",
        "Ada Newcomerc",
        "Ada Newcomerd",
        "Giovanni Pernice",
    ]
    for outcome, n in zip(outcomes, "abcd", strict=True):
        mentioned = set(
            Mention.objects.filter(article_id=outcome.article_id).values_list(
                "person_id", flat=True
            )
        )
        assert mentioned == {people[f"Ada Newcomer{n}"], people["Giovanni Pernice"]}
        speakers = set(
            Quote.objects.filter(article_id=outcome.article_id).values_list("speaker_id", flat=True)
        )
        assert speakers == mentioned
        assert (
            set(
                Event.objects.get(article_id=outcome.article_id).people.values_list("pk", flat=True)
            )
            == mentioned
        )
    assert set(Person.history.filter(history_type="+").values_list("id", flat=True)) == set(
        people.values()
    )
    assert set(Alias.objects.values_list("person_id", "text")) == {
        (people["Giovanni Pernice"], "Giovanni")
    }
    assert person_ids("Newcomerc", include_drafts=True) == [people["Ada Newcomerc"]]
    assert all(p.sort_name for p in Person.objects.all())
    # A person created later gets a key of their own, after the batch's.
    assert Person.objects.create(name="Later Person").pk > max(people.values())


def test_a_batch_whose_people_insert_fails_is_redone_file_by_file(
    pipeline, story_file, monkeypatch
):
    """The batch's people go in as it ends: if that insert fails, nothing of the batch
    stays, and the files are imported again one per transaction, with their people."""
    from people.models import PersonQuerySet

    files = [
        register(
            pipeline,
            story_file,
            f"{n}.txt",
            people=[ExtractedPerson(name=f"Bo Newcomer{n}", aliases=[])],
        )
        for n in "ab"
    ]
    for name in ("a.txt", "b.txt"):
        pipeline[name].mentions = pipeline[name].mentions[:1]
        pipeline[name].quotes = pipeline[name].quotes[:1]
        pipeline[name].events = []
    bulk_create = PersonQuerySet.bulk_create
    calls = []

    def refuse_a_batch(self, objs, *args, **kwargs):
        objs = list(objs)
        calls.append(len(objs))
        if len(objs) > 1:
            raise importing.DatabaseError("disk full")
        return bulk_create(self, objs, *args, **kwargs)

    monkeypatch.setattr(PersonQuerySet, "bulk_create", refuse_a_batch)
    outcomes = import_sources(files)

    assert [o.status for o in outcomes] == [CREATED, CREATED]
    assert calls == [2, 1, 1]
    assert sorted(Person.objects.values_list("name", flat=True)) == ["Bo Newcomera", "Bo Newcomerb"]
    assert Mention.objects.count() == 2


def test_a_batchs_new_events_are_recorded_with_their_people_without_reading_them_back(
    pipeline, story_file
):
    """Each new event's history record lists its people, as django-simple-history records
    them, from the rows the batch has just written: the old code read every event's
    people back from the table to copy them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    files = [register(pipeline, story_file, name) for name in ("a.txt", "b.txt", "c.txt")]
    with CaptureQueriesContext(connection) as queries:
        outcomes = import_sources(files)

    assert [o.status for o in outcomes] == [CREATED] * 3
    assert not [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "articles_event_people".')
    ]
    events = Event.objects.prefetch_related("people")
    assert events.count() == 3
    for event in events:
        record = event.history.get()
        assert record.history_type == "+"
        recorded = sorted(record.people.values_list("event_id", "person_id"))
        assert recorded == sorted((event.pk, p.pk) for p in event.people.all()) != []


def test_a_batchs_new_quotes_are_indexed_from_their_objects_as_a_rebuild_would(
    pipeline, story_file
):
    """The entries of a batch's new quotes are built from the quotes the batch wrote (their
    speaker's name, label and article's status as a read would give them) and written with
    no read: the old code read every new quote back, joined to its speaker and article,
    and looked for entries they could not have yet. The entries equal a rebuild's."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from search import index as search_index

    files = [register(pipeline, story_file, name) for name in ("a.txt", "b.txt")]
    with CaptureQueriesContext(connection) as queries:
        outcomes = import_sources(files, publish=True)
    files = [register(pipeline, story_file, "c.txt")]  # a draft in a second batch
    outcomes += import_sources(files)

    assert [o.status for o in outcomes] == [CREATED] * 3
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert not [sql for sql in reads if sql.startswith('SELECT "articles_quote"."id" AS "pk"')]
    assert not [sql for sql in reads if "search_searchentry" in sql and "'quote'" in sql]
    fields = ["object_id", "published", "rejected", "title", "extra", "body", "names"]
    entries = SearchEntry.objects.filter(kind=SearchEntry.Kind.QUOTE).order_by("object_id")
    imported = list(entries.values(*fields))
    search_index.rebuild()
    assert imported == list(entries.values(*fields))
    assert len(imported) == Quote.objects.count() == 6
    assert {e["published"] for e in imported} == {True, False}
    assert {e["title"] for e in imported} >= {"Rose Ayling-Ellis"}
    assert len(quote_ids("dream")) == 2 and len(quote_ids("dream", include_drafts=True)) == 3


def test_an_import_writes_its_batches_with_fewer_collections(pipeline, story_file, monkeypatch):
    """The collector runs less often while batches are written (newsroom.memory), and as
    before once the import ends."""
    import gc

    from newsroom.memory import BULK_THRESHOLDS

    seen = []
    import_batch = importing.Importer._import_batch

    def spy(self, plan, **kwargs):
        seen.append(gc.get_threshold())
        return import_batch(self, plan, **kwargs)

    monkeypatch.setattr(importing.Importer, "_import_batch", spy)
    before = gc.get_threshold()
    (outcome,) = import_sources([register(pipeline, story_file, "a.txt")])
    assert outcome.status == CREATED
    assert seen == [BULK_THRESHOLDS] and gc.get_threshold() == before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_import_checkpoints_sqlites_log_less_often_and_once_as_it_ends(
    pipeline, story_file, monkeypatch
):
    """SQLite checkpointed its write-ahead log after nearly every batch (at 1,000 pages):
    while files are imported, at IMPORT_WAL_CHECKPOINT_PAGES; once the import ends, as
    before, after one last checkpoint. PostgreSQL is left alone."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def pages():
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            return cursor.fetchone()[0]

    seen = []
    import_batch = importing.Importer._import_batch

    def spy(self, plan, **kwargs):
        seen.append(pages() if connection.vendor == "sqlite" else None)
        return import_batch(self, plan, **kwargs)

    monkeypatch.setattr(importing.Importer, "_import_batch", spy)
    before = pages() if connection.vendor == "sqlite" else None
    with CaptureQueriesContext(connection) as queries:
        (outcome,) = import_sources([register(pipeline, story_file, "a.txt")])
    assert outcome.status == CREATED
    pragmas = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("PRAGMA")]
    if connection.vendor != "sqlite":
        assert pragmas == [] and seen == [None]
        return
    assert seen == [importing.IMPORT_WAL_CHECKPOINT_PAGES] and pages() == before == 1000
    assert pragmas[-1] == "PRAGMA wal_checkpoint(PASSIVE)"


def _knowledge(index):
    """What an index of known people knows, comparable between two indexes."""
    people = {(p.key, p.name, tuple(sorted(p.aliases))) for p in index.people}
    return people, index.rejected_names


def test_a_workers_next_import_reuses_its_index_of_people_brought_up_to_date(pipeline, story_file):
    """A worker's background tasks keep one index of known people: the next task reads
    only the people stamped since the last began and the keys of everyone (the old code
    read every person and alias for every task: 0.5 s at 50,000 people). What changed
    meanwhile (a person added, renamed, given an alias through their page, deleted, a name
    rejected) is known to it as to an index built afresh."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from extraction.knowledge import WorldIndex
    from people.models import RejectedName
    from tests.factories import make_person

    gone, renamed = make_person("Ann Gone"), make_person("Bob Oldname")
    import_sources([register(pipeline, story_file, "a.txt")], keep_world=True)
    kept = importing._kept_world
    assert kept is not None and gone.pk in kept.index.known_keys()

    gone.delete()
    renamed.name = "Bob Newname"
    renamed.save()
    renamed.aliases.create(text="Bobby", kind="stage_name")
    renamed.save()  # an editor's change of the person, with its aliases, stamps them
    added = make_person("Cat Added")
    RejectedName.objects.create(name="Strictly Come")
    with CaptureQueriesContext(connection) as queries:
        (outcome,) = import_sources([register(pipeline, story_file, "b.txt")], keep_world=True)

    assert outcome.status == CREATED
    assert importing._kept_world.index is kept.index  # the same index, brought up to date
    assert _knowledge(kept.index) == _knowledge(WorldIndex(importing.load_world()))
    assert added.pk in kept.index.known_keys() and gone.pk not in kept.index.known_keys()
    whole_reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "people_person"."id", "people_person"."name" FROM')
        and "WHERE" not in q["sql"]
    ]
    assert whole_reads == []


def test_an_import_that_stops_keeps_no_index_and_an_old_one_is_built_afresh(
    pipeline, story_file, monkeypatch
):
    """An import that stopped half-way may have taught its index people whose transaction
    never committed: the next one builds its own. And an index older than
    WORLD_REUSE_SECONDS is built afresh (it catches what no stamp shows)."""
    import_sources([register(pipeline, story_file, "a.txt")], keep_world=True)
    first = importing._kept_world

    def stop(self, plan, **kwargs):
        raise RuntimeError("the worker stops")

    with monkeypatch.context() as patch:
        patch.setattr(importing.Importer, "_import_batch", stop)
        with pytest.raises(RuntimeError):
            import_sources([register(pipeline, story_file, "b.txt")], keep_world=True)
    assert importing._kept_world is None

    import_sources([register(pipeline, story_file, "c.txt")], keep_world=True)
    second = importing._kept_world
    assert second.index is not first.index
    monkeypatch.setattr(importing, "WORLD_REUSE_SECONDS", -1)
    import_sources([register(pipeline, story_file, "d.txt")], keep_world=True)
    third = importing._kept_world
    assert third.index is not second.index
    # A dry run or a foreground import neither takes nor keeps one.
    import_sources([register(pipeline, story_file, "e.txt")], dry_run=True, keep_world=True)
    import_sources([register(pipeline, story_file, "f.txt")])
    assert importing._kept_world is third
