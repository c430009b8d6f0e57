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
