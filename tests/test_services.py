"""Editorial services: the writes the admin, the API and commands share."""

import pytest

from articles import services
from articles.models import Article, Quote, TagSuggestion
from people.models import Person, PersonRedirect, RejectedName
from tests.factories import (
    make_alias,
    make_article,
    make_event,
    make_mention,
    make_person,
    make_quote,
    make_tag,
    make_tag_suggestion,
)

pytestmark = pytest.mark.django_db


class TestQuotes:
    def test_set_status_records_reason_and_review_time(self):
        """Rejecting a quote bumps its version, stamps reviewed_at and records why."""
        quote = make_quote(make_article())
        services.quote_set_status(quote=quote, status=Quote.Status.REJECTED)
        quote.refresh_from_db()
        assert (quote.status, quote.version) == ("rejected", 2)
        assert quote.reviewed_at is not None
        assert quote.history.first().history_change_reason == "status set to rejected"

    def test_set_status_refuses_stale_version(self):
        """A status change based on an old version raises StaleEdit and writes nothing."""
        quote = make_quote(make_article())
        Quote.objects.filter(pk=quote.pk).update(version=5)
        with pytest.raises(services.StaleEdit, match="changed by someone else"):
            services.quote_set_status(quote=quote, status="confirmed", expected_version=1)
        assert Quote.objects.get(pk=quote.pk).status == "auto"

    def test_set_speaker_confirms_and_marks_corrected(self):
        """A corrected speaker is confirmed, marked corrected, and clears the label."""
        quote = make_quote(make_article(body="It was a dream"), speaker_label="a friend")
        rose = make_person()
        services.quote_set_speaker(quote=quote, speaker=rose)
        quote.refresh_from_db()
        assert (quote.speaker, quote.speaker_label, quote.status, quote.speaker_corrected) == (
            rose,
            "",
            "confirmed",
            True,
        )

    def test_bulk_status_change_records_each_quote(self):
        """quotes_set_status changes each quote through quote_set_status (one history row
        each) and skips quotes already in that status."""
        article = make_article()
        a, b = make_quote(article, start=0), make_quote(article, start=1)
        c = make_quote(article, start=2, status=Quote.Status.REJECTED)
        changed = services.quotes_set_status(
            quotes=Quote.objects.filter(pk__in=[a.pk, b.pk, c.pk]), status="rejected"
        )
        assert changed == 2
        assert set(Quote.objects.values_list("status", flat=True)) == {"rejected"}
        assert a.history.count() == 2 and c.history.count() == 1


class TestVersionedSave:
    def test_saves_and_bumps_version(self):
        """versioned_save writes the edit and claims the next version."""
        article = make_article("Old")
        article.title = "New"
        services.versioned_save(obj=article, expected_version=1, reason="edited: title")
        article.refresh_from_db()
        assert (article.title, article.version) == ("New", 2)
        assert article.history.first().history_change_reason == "edited: title"

    def test_refuses_stale_version(self):
        """versioned_save refuses to overwrite a newer version."""
        article = make_article("Old")
        Article.objects.filter(pk=article.pk).update(title="Theirs", version=2)
        article.title = "Mine"
        with pytest.raises(services.StaleEdit):
            services.versioned_save(obj=article, expected_version=1)
        assert Article.objects.get(pk=article.pk).title == "Theirs"


class TestArticles:
    def test_publish(self):
        """article_set_status publishes and records the change."""
        article = make_article(status=Article.Status.DRAFT)
        services.article_set_status(article=article, status="published")
        article.refresh_from_db()
        assert article.is_published and article.version == 2


class TestPeople:
    def test_merge_moves_everything(self):
        """person_merge moves quotes, mentions, events, aliases, and redirects the slug."""
        keep, lose = make_person("Rose Ayling-Ellis"), make_person("Rose A")
        make_alias(lose, "Rosie")
        article = make_article()
        quote = make_quote(article, speaker=lose)
        make_mention(article, lose)
        event = make_event(article, people=[lose])
        services.person_merge(source=lose, target=keep)
        quote.refresh_from_db()
        assert quote.speaker == keep
        assert list(event.people.all()) == [keep]
        assert set(keep.aliases.values_list("text", flat=True)) == {"Rosie", "Rose A"}
        assert PersonRedirect.objects.get(old_slug="rose-a").person == keep

    def test_reject_as_not_person(self):
        """person_reject_as_not_person deletes the person and records the name."""
        bogus = make_person("Come Dancing")
        quote = make_quote(make_article(), speaker=bogus)
        services.person_reject_as_not_person(person=bogus)
        assert not Person.objects.filter(name="Come Dancing").exists()
        assert RejectedName.objects.get().normalized == "come dancing"
        quote.refresh_from_db()
        assert quote.speaker is None


class TestTagSuggestions:
    def test_accept_tags_the_article(self):
        """Accepting a suggestion adds the tag to the article."""
        article, tag = make_article(), make_tag()
        suggestion = make_tag_suggestion(article, tag)
        services.tag_suggestion_accept(suggestion=suggestion)
        assert list(article.tags.all()) == [tag]
        assert TagSuggestion.objects.get().status == "accepted"

    def test_dismiss_after_accept_removes_the_tag(self):
        """Dismissing an accepted suggestion takes the tag off the article again."""
        article, tag = make_article(), make_tag()
        suggestion = make_tag_suggestion(article, tag)
        services.tag_suggestion_accept(suggestion=suggestion)
        services.tag_suggestion_dismiss(suggestion=suggestion)
        assert not article.tags.exists()
        assert TagSuggestion.objects.get().status == "dismissed"
