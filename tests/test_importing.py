"""Persisting parsed stories: created/updated/unchanged, editor decisions, failures, dry runs.

These tests replace the extraction pipeline with hand-built results, so they pin down the
persistence rules whatever the extractor finds; tests/test_import_command.py runs the real
pipeline end to end.
"""

import datetime as dt
import hashlib
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

import extraction
from articles import importing
from articles.importing import CREATED, FAILED, UNCHANGED, UPDATED, Importer
from articles.models import Article, Event, Mention, Quote, RemovedQuote, Tag, TagSuggestion
from articles.services import person_merge, quote_set_speaker, quote_set_status, versioned_save
from extraction.types import (
    ExtractedEvent,
    ExtractedMention,
    ExtractedPerson,
    ExtractedQuote,
    IngestError,
    ParsedArticle,
)
from people.models import Person, RejectedName

BODY = (
    'Rose Ayling-Ellis thanked Giovanni Pernice. "It was a dream," Rose said.\n\n'
    '"We did it," Giovanni added. The pair won the trophy on 18 December 2021.'
)
BODY_V2 = BODY + '\n\n"I am so proud," said Rose. A fan said it was "magical".'


def span(body, text, occurrence=0):
    start = -1
    for _ in range(occurrence + 1):
        start = body.index(text, start + 1)
    return start, start + len(text)


def parsed_story(body=BODY, *, name="story.txt", raw=None, extra_quotes=(), people=None):
    raw = raw if raw is not None else f"Headline\n\n{body}".encode()
    people = people or [
        ExtractedPerson(name="Rose Ayling-Ellis", aliases=["Rose"]),
        ExtractedPerson(name="Giovanni Pernice", aliases=["Giovanni"]),
    ]
    quotes = [
        ExtractedQuote(
            "It was a dream", *span(body, "It was a dream"), 0, None, False, "after", 0.9
        ),
        ExtractedQuote("We did it", *span(body, "We did it"), 1, None, False, "after", 0.9),
        *extra_quotes,
    ]
    return ParsedArticle(
        source_name=name,
        sha256=hashlib.sha256(raw).hexdigest(),
        raw_text=raw.decode(),
        headline="Rose and Giovanni celebrate",
        headline_derived=False,
        standfirst="The pair are still in touch",
        body=body,
        published_on=dt.date(2022, 1, 1),
        captions=["The pair on stage"],
        people=people,
        mentions=[
            ExtractedMention(0, *span(body, "Rose Ayling-Ellis")),
            ExtractedMention(1, *span(body, "Giovanni Pernice")),
        ],
        quotes=quotes,
        events=[
            ExtractedEvent(
                "The pair won the trophy",
                *span(body, "The pair won the trophy"),
                dt.date(2021, 12, 18),
                "day",
                (0, 1),
            )
        ],
        suggested_tags=["Strictly Come Dancing"],
    )


@pytest.fixture
def pipeline(monkeypatch):
    """Replace parse_article: files map (by name) to the ParsedArticle tests register."""

    class Results(dict):
        calls = None

    results = Results()

    def fake_parse(raw, *, source_name, world, max_bytes):
        fake_parse.worlds.append(world)
        result = results.get(source_name)
        if isinstance(result, Exception):
            raise result
        if result is None:
            raise IngestError("not registered in the test")
        return result

    fake_parse.worlds = []
    monkeypatch.setattr(extraction, "parse_article", fake_parse, raising=False)
    results.calls = fake_parse
    return results


@pytest.fixture
def story_file(tmp_path):
    def write(name="story.txt", content=b"x"):
        path = tmp_path / name
        path.write_bytes(content)
        return path

    return write


pytestmark = pytest.mark.django_db


def test_new_story_is_created_with_everything_extracted(pipeline, story_file, settings):
    """A new file becomes a draft article with its people, mentions, quotes, events, tags.
    (The quotes here are sure enough to keep their speakers; the publish threshold has
    tests of its own below.)"""
    settings.NEWSROOM_PUBLISH_MIN_CONFIDENCE = 0.5
    pipeline["story.txt"] = parsed_story()
    outcome = Importer().import_path(story_file())
    assert (outcome.status, outcome.people_created, outcome.quotes_created) == (CREATED, 2, 2)
    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT
    assert article.title == "Rose and Giovanni celebrate"
    assert article.published_at.date() == dt.date(2022, 1, 1)
    assert article.captions == ["The pair on stage"]
    rose = Person.objects.get(name="Rose Ayling-Ellis")
    assert list(rose.aliases.values_list("text", "kind")) == [("Rose", "first_name")]
    assert Mention.objects.count() == 2
    quote = Quote.objects.get(text="It was a dream")
    assert quote.speaker == rose and quote.status == Quote.Status.AUTO
    assert article.body[quote.start : quote.end] == "It was a dream"
    event = Event.objects.get()
    assert (event.date, event.date_precision) == (dt.date(2021, 12, 18), "day")
    assert set(event.people.values_list("name", flat=True)) == {
        "Rose Ayling-Ellis",
        "Giovanni Pernice",
    }
    suggestion = TagSuggestion.objects.get()
    assert suggestion.tag.name == "Strictly Come Dancing" and suggestion.status == "pending"
    assert not article.tags.exists(), "suggested tags are not applied until accepted"


def test_publish_flag_publishes_new_articles_only(pipeline, story_file):
    """--publish publishes new articles; re-importing never changes an article's status."""
    pipeline["story.txt"] = parsed_story()
    Importer(publish=True).import_path(story_file())
    article = Article.objects.get()
    assert article.status == Article.Status.PUBLISHED
    article.status = Article.Status.DRAFT
    article.save()
    pipeline["story.txt"] = parsed_story(BODY_V2, raw=b"v2")
    assert Importer(publish=True).import_path(story_file(content=b"v2")).status == UPDATED
    assert Article.objects.get().status == Article.Status.DRAFT


def test_same_bytes_again_are_unchanged_and_duplicate_nothing(pipeline, story_file):
    """Importing identical bytes twice reports 'unchanged' and writes no new rows."""
    pipeline["story.txt"] = parsed_story()
    Importer().import_path(story_file())
    counts = [m.objects.count() for m in (Article, Person, Quote, Event, Mention, Tag)]
    outcome = Importer().import_path(story_file())
    assert outcome.status == UNCHANGED
    assert [m.objects.count() for m in (Article, Person, Quote, Event, Mention, Tag)] == counts


def test_people_are_one_row_across_articles(pipeline, story_file):
    """A second article naming the same people reuses their rows."""
    pipeline["a.txt"] = parsed_story(name="a.txt", raw=b"a")
    pipeline["b.txt"] = parsed_story(name="b.txt", raw=b"b")
    importer = Importer()
    importer.import_path(story_file("a.txt", b"a"))
    outcome = importer.import_path(story_file("b.txt", b"b"))
    assert outcome.people_created == 0
    assert Person.objects.count() == 2
    # ...and the second file's pipeline run was told about them, aliases included.
    known = {p.name: p.aliases for p in pipeline.calls.worlds[-1].people}
    assert known["Rose Ayling-Ellis"] == ("Rose",)


def test_changed_file_updates_its_article(pipeline, story_file):
    """A changed file with the same name updates its article and re-extracts."""
    pipeline["story.txt"] = parsed_story()
    Importer().import_path(story_file())
    extra = ExtractedQuote(
        "I am so proud", *span(BODY_V2, "I am so proud"), 0, None, False, "x", 0.8
    )
    pipeline["story.txt"] = parsed_story(BODY_V2, raw=b"v2", extra_quotes=[extra])
    outcome = Importer().import_path(story_file(content=b"v2"))
    assert outcome.status == UPDATED
    article = Article.objects.get()
    assert article.body == BODY_V2
    assert article.source_sha256 == hashlib.sha256(b"v2").hexdigest()
    assert Quote.objects.count() == 3
    assert Person.objects.count() == 2


def test_reimport_keeps_every_editor_decision(pipeline, story_file):
    """Rejected quotes, corrected speakers, edited headlines and merges survive re-import."""
    pipeline["story.txt"] = parsed_story()
    Importer().import_path(story_file())
    article = Article.objects.get()
    rose, giovanni = (
        Person.objects.get(name="Rose Ayling-Ellis"),
        Person.objects.get(name="Giovanni Pernice"),
    )
    dream, did_it = Quote.objects.get(text="It was a dream"), Quote.objects.get(text="We did it")
    quote_set_status(quote=dream, status=Quote.Status.REJECTED)
    quote_set_speaker(quote=did_it, speaker=None, speaker_label="the couple")
    article.title = "An editor's better headline"
    article.save()
    duplicate = Person.objects.create(name="Giovanni P.")
    person_merge(source=giovanni, target=duplicate)  # keep the other row on purpose

    for content, body in ((b"x", BODY), (b"v2", BODY_V2)):  # same bytes, then a new version
        pipeline["story.txt"] = parsed_story(body, raw=content)
        Importer().import_path(story_file(content=content))
        dream.refresh_from_db()
        did_it.refresh_from_db()
        assert dream.status == Quote.Status.REJECTED
        assert (did_it.speaker, did_it.speaker_label) == (None, "the couple")
        assert Article.objects.get().title == "An editor's better headline"
        assert not Person.objects.filter(name="Giovanni Pernice").exists()
        assert Quote.objects.filter(text="It was a dream").count() == 1
    assert Person.objects.filter(pk=rose.pk).exists()


def test_reviewed_quote_follows_its_words_when_the_text_moves(pipeline, story_file):
    """A confirmed quote keeps its review and gets new offsets when the body shifts."""
    pipeline["story.txt"] = parsed_story()
    Importer().import_path(story_file())
    quote = Quote.objects.get(text="We did it")
    quote_set_status(quote=quote, status=Quote.Status.CONFIRMED)
    moved = "A new first paragraph.\n\n" + BODY
    pipeline["story.txt"] = parsed_story(moved, raw=b"moved")
    Importer().import_path(story_file(content=b"moved"))
    quote.refresh_from_db()
    assert quote.status == Quote.Status.CONFIRMED
    assert Article.objects.get().body[quote.start : quote.end] == "We did it"


def test_names_rejected_by_editors_are_not_created_again(pipeline, story_file):
    """A name an editor marked as not a person is never created again."""
    RejectedName.objects.create(name="Giovanni Pernice")
    pipeline["story.txt"] = parsed_story()
    Importer().import_path(story_file())
    assert list(Person.objects.values_list("name", flat=True)) == ["Rose Ayling-Ellis"]
    assert Quote.objects.get(text="We did it").speaker is None
    assert "giovanni pernice" in pipeline.calls.worlds[0].rejected_names


def test_failure_midway_leaves_nothing_half_written(pipeline, story_file, monkeypatch):
    """A database error while saving a file rolls the whole file back."""
    pipeline["story.txt"] = parsed_story()

    def explode(*args, **kwargs):
        raise importing.DatabaseError("disk full")

    monkeypatch.setattr(importing, "_sync_events", explode)
    outcome = Importer().import_path(story_file())
    assert outcome.status == FAILED and "disk full" in outcome.reason
    assert not Article.objects.exists() and not Person.objects.exists()
    assert not Quote.objects.exists()


def test_dry_run_reports_but_writes_nothing(pipeline, story_file):
    """--dry-run reports what would be created and leaves the database untouched."""
    pipeline["story.txt"] = parsed_story()
    outcome = Importer(dry_run=True).import_path(story_file())
    assert (outcome.status, outcome.people_created, outcome.quotes_created) == (CREATED, 2, 2)
    assert not Article.objects.exists() and not Person.objects.exists()


def test_command_reports_failures_by_name_and_imports_the_rest(pipeline, tmp_path):
    """One bad file is named with its reason, the others import, the exit is non-zero."""
    (tmp_path / "good.txt").write_bytes(b"good")
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "bad.txt").write_bytes(b"bad")
    (tmp_path / "ignored.md").write_bytes(b"not a story")
    pipeline["good.txt"] = parsed_story(name="good.txt", raw=b"good")
    pipeline["bad.txt"] = IngestError("binary file (contains NUL bytes)")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 of 2 file"):
        call_command("import_articles", str(tmp_path), stdout=out, stderr=err)
    assert "bad.txt: binary file (contains NUL bytes)" in err.getvalue()
    assert Article.objects.filter(source_name="good.txt").exists()
    summary = out.getvalue()
    assert "created" in summary and "failed" in summary
    assert summary.split("failed")[1].split()[0] == "1"


def test_command_names_a_missing_file(pipeline, tmp_path):
    """A path that does not exist is a failure with a reason, not a crash."""
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_articles", str(tmp_path / "missing.txt"), stdout=StringIO(), stderr=err
        )
    assert "missing.txt: cannot read file" in err.getvalue()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_imports_never_duplicate(pipeline, story_file):
    """Two importers running at once create each article and each person once."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; the concurrent path is PostgreSQL's")
    for name in ("a.txt", "b.txt", "c.txt"):
        pipeline[name] = parsed_story(name=name, raw=name.encode())
        story_file(name, name.encode())
    paths = sorted(story_file("a.txt", b"a.txt").parent.glob("*.txt"))
    errors = []

    def run():
        try:
            importer = Importer()
            for path in paths:
                importer.import_path(path)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert Article.objects.count() == 3
    assert Person.objects.count() == 2


def test_reimport_keeps_events_an_editor_edited(pipeline, story_file):
    """An event an editor corrected is kept as corrected when the story is re-imported."""
    pipeline["story.txt"] = parsed_story()
    Importer().import_path(story_file())
    event = Event.objects.get()
    event.date, event.date_precision = dt.date(2021, 12, 19), "day"
    event.save()
    pipeline["story.txt"] = parsed_story(BODY_V2, raw=b"v2")
    Importer().import_path(story_file(content=b"v2"))
    assert list(Event.objects.values_list("date", flat=True)) == [dt.date(2021, 12, 19)]


def test_a_reimport_without_editor_changes_refreshes_events(pipeline, story_file):
    """Events nobody touched are re-extracted from the new text, not duplicated."""
    pipeline["story.txt"] = parsed_story()
    Importer().import_path(story_file())
    pipeline["story.txt"] = parsed_story(BODY_V2, raw=b"v2")
    Importer().import_path(story_file(content=b"v2"))
    assert Event.objects.count() == 1


# --- The publish gate: unsure quotes are stored without a speaker ---------------------------


def unsure_story(confidence, *, body=BODY, raw=None, label_quote=False):
    """The usual story, but Giovanni's "We did it" found with ``confidence``."""
    story = parsed_story(body, raw=raw)
    story.quotes[1] = ExtractedQuote(
        "We did it", *span(body, "We did it"), 1, None, False, "after", confidence
    )
    if label_quote:
        story.quotes.append(
            ExtractedQuote(
                "magical", *span(body, "magical"), None, "a fan", True, "label", confidence
            )
        )
    return story


def test_unsure_quote_is_stored_without_a_speaker_and_suggested(pipeline, story_file, settings):
    """Below the threshold the quote gets no speaker, its candidate kept as the suggestion;
    at or above it the speaker is stored as usual, with no suggestion."""
    settings.NEWSROOM_PUBLISH_MIN_CONFIDENCE = 0.7
    pipeline["story.txt"] = unsure_story(0.4)
    Importer(publish=True).import_path(story_file())
    giovanni = Person.objects.get(name="Giovanni Pernice")
    unsure = Quote.objects.get(text="We did it")
    assert (unsure.speaker, unsure.suggested_speaker, unsure.speaker_label) == (
        None,
        giovanni,
        "",
    )
    assert (unsure.status, unsure.confidence, unsure.attribution_rule) == ("auto", 0.4, "after")
    sure = Quote.objects.get(text="It was a dream")
    assert (sure.speaker.name, sure.suggested_speaker) == ("Rose Ayling-Ellis", None)
    assert list(Quote.objects.public()) == [sure]


@pytest.mark.parametrize(
    ("threshold", "held_back"),
    [(0.95, {"It was a dream", "We did it"}), (0.9, {"We did it"}), (0.5, set()), (0.0, set())],
)
def test_import_honours_the_threshold_setting(pipeline, story_file, settings, threshold, held_back):
    """NEWSROOM_PUBLISH_MIN_CONFIDENCE decides which quotes are held back (a quote exactly
    at the threshold is not): here 0.9 and 0.6."""
    settings.NEWSROOM_PUBLISH_MIN_CONFIDENCE = threshold
    pipeline["story.txt"] = unsure_story(0.6)
    Importer().import_path(story_file())
    without_speaker = set(
        Quote.objects.filter(speaker=None, suggested_speaker__isnull=False).values_list(
            "text", flat=True
        )
    )
    assert without_speaker == held_back
    assert Quote.objects.filter(speaker__isnull=False).count() == 2 - len(held_back)


def test_described_speaker_is_a_suggestion_under_its_label(pipeline, story_file, settings):
    """A quote attributed to a description ("the dancer said") names nobody, however sure:
    it is stored and published under its label, with the person only suggested."""
    settings.NEWSROOM_PUBLISH_MIN_CONFIDENCE = 0.7
    story = parsed_story(BODY)
    story.quotes[1] = ExtractedQuote(
        "We did it", *span(BODY, "We did it"), None, "the dancer", False, "description", 0.9, 1
    )
    pipeline["story.txt"] = story
    Importer(publish=True).import_path(story_file())
    described = Quote.objects.get(text="We did it")
    assert (described.speaker, described.speaker_label, described.suggested_speaker.name) == (
        None,
        "the dancer",
        "Giovanni Pernice",
    )
    assert described in Quote.objects.public()


def test_unsure_label_quote_keeps_its_label_and_has_no_suggestion(pipeline, story_file, settings):
    """An unsure quote credited to a label ("a fan") keeps the label; nothing to suggest."""
    settings.NEWSROOM_PUBLISH_MIN_CONFIDENCE = 0.7
    pipeline["story.txt"] = unsure_story(0.3, body=BODY_V2, label_quote=True)
    Importer().import_path(story_file())
    fan = Quote.objects.get(text="magical")
    assert (fan.speaker, fan.suggested_speaker, fan.speaker_label) == (None, None, "a fan")


def test_reimport_keeps_an_accepted_suggestion_and_refreshes_unreviewed_ones(
    pipeline, story_file, settings
):
    """An editor's acceptance survives re-import; a held-back quote nobody reviewed is
    re-extracted, and gets its speaker if the extractor is now sure."""
    from articles.services import quote_accept_suggestion

    settings.NEWSROOM_PUBLISH_MIN_CONFIDENCE = 0.7
    story = unsure_story(0.4)
    story.quotes[0] = ExtractedQuote(
        "It was a dream", *span(BODY, "It was a dream"), 0, None, False, "after", 0.2
    )
    pipeline["story.txt"] = story
    Importer(publish=True).import_path(story_file())
    accepted = quote_accept_suggestion(quote=Quote.objects.get(text="It was a dream"))

    pipeline["story.txt"] = unsure_story(0.95, body=BODY_V2, raw=b"v2")
    assert Importer().import_path(story_file(content=b"v2")).status == UPDATED
    accepted.refresh_from_db()
    assert (accepted.speaker.name, accepted.status, accepted.suggested_speaker) == (
        "Rose Ayling-Ellis",
        Quote.Status.CONFIRMED,
        None,
    )
    assert Quote.objects.filter(text="It was a dream").count() == 1
    refreshed = Quote.objects.get(text="We did it")
    assert (refreshed.speaker.name, refreshed.suggested_speaker) == ("Giovanni Pernice", None)
    assert set(Quote.objects.public().values_list("text", flat=True)) == {
        "It was a dream",
        "We did it",
    }


# --- Stable identities (issue 11): rows follow their words from one version to the next ------


def moved(body=BODY):
    """The story with a new first paragraph that moves Rose's name to where Giovanni's was:
    mentions swap places, and each start is unique in an article."""
    prefix = "x" * (span(body, "Giovanni Pernice")[0] - 2) + "\n\n"
    return prefix + body


def test_reimport_keeps_the_ids_of_everything_still_in_the_story(pipeline, story_file, settings):
    """Quotes, mentions and events whose words are still there keep their ids with new
    offsets; an unreviewed quote is re-extracted in place (here the extractor is now unsure,
    so its speaker becomes a suggestion), one an editor edited keeps its speaker."""
    settings.NEWSROOM_PUBLISH_MIN_CONFIDENCE = 0.7
    pipeline["story.txt"] = parsed_story()
    Importer().import_path(story_file())
    article = Article.objects.get()
    before = {m: set(m.objects.values_list("pk", flat=True)) for m in (Quote, Mention, Event)}
    dream = Quote.objects.get(text="It was a dream")
    dream.partial = True
    versioned_save(obj=dream, expected_version=dream.version, reason="edited: partial")

    body = moved()
    story = unsure_story(0.4, body=body, raw=b"moved")
    story.quotes[0] = ExtractedQuote(
        "It was a dream", *span(body, "It was a dream"), 1, None, False, "after", 0.3
    )
    pipeline["story.txt"] = story
    outcome = Importer().import_path(story_file(content=b"moved"))
    assert (outcome.status, outcome.quotes_created, outcome.quotes_removed) == (UPDATED, 0, 0)
    assert {m: set(m.objects.values_list("pk", flat=True)) for m in (Quote, Mention, Event)} == (
        before
    )
    article.refresh_from_db()
    for row in [*Quote.objects.all(), *Mention.objects.all(), *Event.objects.all()]:
        assert row.start >= len(body) - len(BODY), "offsets follow the words"
    for quote in Quote.objects.all():
        assert article.body[quote.start : quote.end] == quote.text
    rose = Mention.objects.get(person__name="Rose Ayling-Ellis")
    assert article.body[rose.start : rose.end] == "Rose Ayling-Ellis"
    did_it = Quote.objects.get(text="We did it")
    assert (did_it.speaker, did_it.suggested_speaker.name, did_it.confidence) == (
        None,
        "Giovanni Pernice",
        0.4,
    )
    assert did_it.version == 2
    dream.refresh_from_db()
    assert (dream.speaker.name, dream.partial) == ("Rose Ayling-Ellis", True)
    assert not RemovedQuote.objects.exists()


def test_a_quote_that_left_the_story_is_removed_and_remembered(pipeline, story_file):
    """A quote whose words are gone is removed and its id kept as a RemovedQuote (its
    permalink then answers 410); a new quote is created beside the ones that stay."""
    extra = ExtractedQuote(
        "I am so proud", *span(BODY_V2, "I am so proud"), 0, None, False, "x", 0.8
    )
    pipeline["story.txt"] = parsed_story(BODY_V2, extra_quotes=[extra])
    Importer().import_path(story_file())
    proud = Quote.objects.get(text="I am so proud")
    kept = set(Quote.objects.exclude(pk=proud.pk).values_list("pk", flat=True))
    body = BODY + '\n\n"I am thrilled," said Rose.'
    new = ExtractedQuote("I am thrilled", *span(body, "I am thrilled"), 0, None, False, "x", 0.8)
    pipeline["story.txt"] = parsed_story(body, raw=b"v3", extra_quotes=[new])
    outcome = Importer().import_path(story_file(content=b"v3"))
    assert (outcome.quotes_created, outcome.quotes_removed) == (1, 1)
    assert not Quote.objects.filter(pk=proud.pk).exists()
    assert kept <= set(Quote.objects.values_list("pk", flat=True))
    removed = RemovedQuote.objects.get()
    assert (removed.quote_id, removed.article) == (proud.pk, Article.objects.get())
    assert Quote.history.filter(id=proud.pk, history_type="-").exists()


def test_reimport_writes_in_bulk_whatever_the_number_of_quotes(pipeline, story_file):
    """Re-importing a changed story takes the same number of queries for 3 quotes as for
    30: rows are updated, created and removed in bulk, never one by one."""

    def story(count, *, version):
        lines = [f'"Line {n} was said," Rose said on day {n}.' for n in range(count)]
        body = BODY
        if version:  # everything moves, one quote goes, one is new, speakers change
            lines = [*lines[1:], '"A new line," Giovanni said.']
            body = "A new first paragraph.\n\n" + BODY
        body = "\n\n".join([body, *lines])
        quotes = [
            ExtractedQuote(text, *span(body, text), version % 2, None, False, "after", 0.9)
            for text in (line.split('"')[1] for line in lines if '"' in line)
        ]
        mentions = [ExtractedMention(0, *span(body, "Rose", n)) for n in range(body.count("Rose"))]
        parsed = parsed_story(body, raw=f"{count}-{version}".encode())
        parsed.quotes, parsed.mentions = quotes, mentions
        return parsed

    def queries_to_reimport(count):
        name = f"s{count}.txt"
        pipeline[name] = story(count, version=0)
        Importer().import_path(story_file(name, b"0"))
        pipeline[name] = story(count, version=1)
        importer = Importer()
        with CaptureQueriesContext(connection) as queries:
            outcome = importer.import_path(story_file(name, b"1"))
        assert (outcome.status, outcome.quotes_created, outcome.quotes_removed) == (
            UPDATED,
            1,
            1,
        )
        return len(queries)

    assert queries_to_reimport(3) == queries_to_reimport(30)
