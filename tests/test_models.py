"""The data model: database constraints, querysets and model conveniences."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.db.models.deletion import ProtectedError

from articles.models import Article, Event, Quote, Tag
from people.models import Alias, Person
from tests.factories import (
    make_alias,
    make_article,
    make_event,
    make_mention,
    make_person,
    make_quote,
)

pytestmark = pytest.mark.django_db


def refused(callable_):
    """True when the database refuses the write (the transaction is rolled back)."""
    try:
        with transaction.atomic():
            callable_()
    except IntegrityError:
        return True
    return False


class TestConstraints:
    def test_duplicate_person_slug_is_refused(self):
        """Two people cannot share a slug."""
        make_person("Rose Ayling-Ellis", slug="rose")
        assert refused(lambda: make_person("Another Rose", slug="rose"))

    def test_duplicate_article_slug_is_refused(self):
        make_article(slug="same")
        assert refused(lambda: make_article(slug="same"))

    def test_duplicate_tag_slug_is_refused(self):
        Tag.objects.create(name="One", slug="tag")
        assert refused(lambda: Tag.objects.create(name="Two", slug="tag"))

    def test_duplicate_source_sha256_is_refused(self):
        """The same bytes cannot be two articles."""
        make_article(source_sha256="a" * 64)
        assert refused(lambda: make_article(source_sha256="a" * 64))

    def test_malformed_sha256_is_refused(self):
        assert refused(lambda: make_article(source_sha256="not-a-hash"))

    def test_invalid_article_status_is_refused(self):
        """A status outside draft/published is refused by the database, not only by forms."""
        article = make_article()
        assert refused(lambda: Article.objects.filter(pk=article.pk).update(status="archived"))

    def test_invalid_quote_status_is_refused(self):
        quote = make_quote(make_article())
        assert refused(lambda: Quote.objects.filter(pk=quote.pk).update(status="maybe"))

    def test_quote_confidence_outside_unit_range_is_refused(self):
        article = make_article()
        assert refused(lambda: make_quote(article, confidence=1.5))

    @pytest.mark.parametrize(("start", "end"), [(5, 5), (9, 3)])
    def test_quote_offsets_must_be_ordered(self, start, end):
        article = make_article()
        assert refused(lambda: make_quote(article, start=start, end=end))

    def test_mention_offsets_must_be_ordered(self):
        article, person = make_article(), make_person()
        assert refused(lambda: make_mention(article, person, start=4, end=4))

    def test_event_offsets_must_be_ordered(self):
        assert refused(lambda: make_event(make_article(), start=10, end=2))

    def test_invalid_date_precision_is_refused(self):
        article = make_article()
        assert refused(lambda: make_event(article, date=dt.date(2021, 1, 1), date_precision="week"))

    def test_date_and_precision_go_together(self):
        """A date without a precision, or a precision without a date, is refused."""
        article = make_article()
        assert refused(lambda: make_event(article, date=dt.date(2021, 1, 1)))
        assert refused(lambda: make_event(article, date_precision="year"))
        assert not refused(
            lambda: make_event(article, date=dt.date(2021, 1, 1), date_precision="year")
        )

    def test_one_alias_text_per_person(self):
        """The same alias twice for one person is refused, whatever its case."""
        person = make_person()
        make_alias(person, "Rose")
        assert refused(lambda: make_alias(person, "ROSE"))
        # ...but another person may be called Rose too.
        assert not refused(lambda: make_alias(make_person("Rose Matafeo"), "Rose"))

    def test_invalid_alias_kind_is_refused(self):
        person = make_person()
        assert refused(lambda: Alias.objects.create(person=person, text="x", kind="nickname!"))

    def test_person_with_quotes_cannot_be_deleted(self):
        """People with quotes are merged, never deleted."""
        person = make_person()
        make_quote(make_article(), speaker=person)
        with pytest.raises(ProtectedError):
            person.delete()


class TestQuerySets:
    def test_published_articles_exclude_drafts(self):
        published = make_article(status=Article.Status.PUBLISHED)
        make_article(status=Article.Status.DRAFT)
        assert list(Article.objects.published()) == [published]

    def test_latest_first_puts_unknown_dates_last(self):
        undated = make_article(published_at=None)
        old = make_article(published_at=dt.datetime(2021, 1, 1, tzinfo=dt.UTC))
        new = make_article(published_at=dt.datetime(2023, 1, 1, tzinfo=dt.UTC))
        assert list(Article.objects.latest_first()) == [new, old, undated]

    def test_public_quotes_exclude_rejected_and_unpublished(self):
        published = make_article()
        draft = make_article(status=Article.Status.DRAFT)
        visible = make_quote(published, status=Quote.Status.AUTO)
        confirmed = make_quote(published, start=20, status=Quote.Status.CONFIRMED)
        make_quote(published, start=40, status=Quote.Status.REJECTED)
        make_quote(draft, status=Quote.Status.CONFIRMED)
        assert set(Quote.objects.public()) == {visible, confirmed}

    def test_public_events_come_from_published_articles(self):
        shown = make_event(make_article())
        make_event(make_article(status=Article.Status.DRAFT))
        assert list(Event.objects.public()) == [shown]

    def test_events_chronological_with_unknown_dates_last(self):
        article = make_article()
        unknown = make_event(article)
        later = make_event(article, date=dt.date(2022, 1, 1), date_precision="year")
        earlier = make_event(article, date=dt.date(2021, 12, 18), date_precision="day")
        assert list(Event.objects.chronological()) == [earlier, later, unknown]

    def test_person_lookup_by_name_or_alias(self):
        rose = make_person("Rose Ayling-Ellis")
        make_alias(rose, "Rose")
        make_person("Giovanni Pernice")
        assert list(Person.objects.by_name_or_alias("rose")) == [rose]
        assert list(Person.objects.by_name_or_alias("ROSE AYLING-ELLIS")) == [rose]
        assert list(Person.objects.matching("ayling")) == [rose]


class TestModelConveniences:
    def test_slugs_are_made_unique(self):
        first = make_person("Sam Smith")
        second = make_person("Sam Smith")
        assert (first.slug, second.slug) == ("sam-smith", "sam-smith-2")

    def test_str_and_urls(self):
        person = make_person("Rose Ayling-Ellis")
        article = make_article("A headline")
        quote = make_quote(article, text="x" * 80, speaker=person)
        tag = Tag.objects.create(name="Strictly Come Dancing")
        assert str(person) == "Rose Ayling-Ellis"
        assert str(article) == "A headline"
        assert str(quote).endswith("…”") and len(str(quote)) == 62
        assert person.get_absolute_url() == "/people/rose-ayling-ellis/"
        assert article.get_absolute_url() == f"/articles/{article.slug}/"
        assert quote.get_absolute_url() == f"/quotes/{quote.pk}/"
        assert tag.get_absolute_url() == "/tags/strictly-come-dancing/"

    def test_quote_attributed_to(self):
        article = make_article()
        assert make_quote(article, speaker_label="one fan").attributed_to == "one fan"
        assert make_quote(article, start=30).attributed_to == "unattributed"
