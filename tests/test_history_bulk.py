"""The importer's fast history rows (``articles.history``) are the rows django-simple-history
writes itself: same columns, same values, on both databases (issue 13)."""

import datetime as dt

import pytest

from articles.history import historical_model, insert_history
from articles.models import Article, Quote
from people.models import Person

pytestmark = pytest.mark.django_db


def _rows(model, object_id):
    historical = historical_model(model)
    names = [f.attname for f in historical.tracked_fields] + [
        "history_type",
        "history_change_reason",
        "history_user_id",
    ]
    return list(historical.objects.filter(id=object_id).order_by("history_id").values(*names))


def test_fast_history_rows_equal_simple_historys_own():
    person = Person.objects.create(name="Ada Example")
    article = Article.objects.create(
        title="A title",
        slug="a-title",
        body="Body “with” quotes.",
        captions=["One caption", "Two"],
        published_at=dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC),
        source_key="k",
        source_name="k.txt",
        source_sha256="0" * 64,
        raw_text="raw",
        imported_values={"title": "abc"},
    )
    quote = Quote.objects.create(
        article=article, text="Hello there", start=6, end=17, speaker=person, confidence=0.75
    )
    for model, obj in ((Article, article), (Quote, quote), (Person, person)):
        historical = historical_model(model)
        historical.objects.filter(id=obj.pk).delete()
        model.history.bulk_history_create([obj], default_change_reason="imported")
        expected = _rows(model, obj.pk)
        historical.objects.filter(id=obj.pk).delete()

        insert_history(model, [(obj, "+")], reason="imported")

        assert _rows(model, obj.pk) == expected
        record = historical.objects.get(id=obj.pk)
        assert record.history_date is not None and record.history_date.tzinfo is not None


def test_deleted_rows_are_recorded_as_deletions():
    person = Person.objects.create(name="Bo Example")
    insert_history(Person, [(person, "-")], reason="imported")
    assert historical_model(Person).objects.filter(id=person.pk, history_type="-").exists()


def _article_with_tags_and_authors():
    from articles.models import Tag

    author = Person.objects.create(name="Cy Writer")
    article = Article.objects.create(
        title="Tagged", slug="tagged", body="Body.", source_key="t", source_name="t.txt",
        source_sha256="1" * 64, raw_text="raw",
    )  # fmt: skip
    article.tags.add(Tag.objects.create(name="Music", slug="music"))
    article.tags.add(Tag.objects.create(name="Film", slug="film"))
    article.authors.add(author)
    return article


def _m2m_rows(record):
    return (
        sorted(record.tags.values_list("article_id", "tag_id")),
        sorted(record.authors.values_list("article_id", "person_id")),
    )


def test_a_changed_record_keeps_its_tags_and_authors_as_simple_history_does():
    """The many-to-many fields the history tracks (an article's tags and authors) are
    recorded with the fast rows exactly as django-simple-history records them on save."""
    article = _article_with_tags_and_authors()
    article.title = "Tagged again"
    article.save()  # django-simple-history's own record, with its m2m rows
    expected = _m2m_rows(article.history.latest("history_id"))
    assert expected[0] and expected[1]

    insert_history(Article, [(article, "~")], reason="imported")

    record = article.history.latest("history_id")
    assert record.history_change_reason == "imported"
    assert _m2m_rows(record) == expected


def test_reimporting_a_changed_story_records_its_tags_in_a_few_queries_per_batch(tmp_path):
    """An import of changed stories writes each article's history record, tags included,
    without reading each article and its tags back one by one (issue 13: that was two
    thirds of the time such an import spent saving an article)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from articles.importing import import_sources
    from articles.models import Tag
    from articles.sources import collect_sources

    story = " date 2024-05-01 Band news\n\nThe band Quiet Hours played in Leeds on Monday.\n"
    for n in range(3):
        (tmp_path / f"{n}.txt").write_text(story.replace("Leeds", f"Leeds {n}"))
    import_sources(collect_sources([str(tmp_path)]))
    tag = Tag.objects.create(name="Music", slug="music")
    for article in Article.objects.all():
        article.tags.add(tag)
    for n in range(3):
        with (tmp_path / f"{n}.txt").open("a") as f:
            f.write("The band played an encore after the show on Monday.\n")

    with CaptureQueriesContext(connection) as queries:
        outcomes = import_sources(collect_sources([str(tmp_path)]))

    assert [o.status for o in outcomes] == ["updated"] * 3
    tag_reads = [q for q in queries.captured_queries if '"articles_article_tags"' in q["sql"]]
    assert len(tag_reads) <= 2, [q["sql"][:120] for q in tag_reads]
    for article in Article.objects.all():
        record = article.history.latest("history_id")
        assert record.history_type == "~"
        assert list(record.tags.values_list("tag_id", flat=True)) == [tag.pk]
