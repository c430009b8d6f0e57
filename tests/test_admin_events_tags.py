"""The events, tags and tag-suggestion admins, used by an editor."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Event, Tag, TagSuggestion
from tests.factories import (
    make_article,
    make_event,
    make_person,
    make_tag,
    make_tag_suggestion,
)

pytestmark = pytest.mark.django_db

EVENTS = reverse("admin:articles_event_changelist")
TAGS = reverse("admin:articles_tag_changelist")
SUGGESTIONS = reverse("admin:articles_tagsuggestion_changelist")


def rows(response):
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


class TestEvents:
    def test_list_shows_date_precision_people_and_article(self, editor_client):
        """The events list shows date, precision, people and a link to the article."""
        article = make_article("The final")
        make_event(
            article,
            summary="Crowned winners",
            date=dt.date(2021, 12, 18),
            date_precision="day",
            people=[make_person("Rose Ayling-Ellis"), make_person("Giovanni Pernice")],
        )
        html = editor_client.get(EVENTS).content.decode()
        assert "Crowned winners" in html
        assert "Giovanni Pernice, Rose Ayling-Ellis" in html
        assert reverse("admin:articles_article_change", args=[article.pk]) in html

    def test_filter_by_precision_and_year(self, editor_client):
        """Events filter by date precision and by year."""
        article = make_article()
        old = make_event(article, date=dt.date(2020, 1, 1), date_precision="year")
        new = make_event(article, date=dt.date(2021, 12, 18), date_precision="day")
        make_event(article)  # date unknown
        assert rows(editor_client.get(EVENTS, {"date_precision__exact": "year"})) == [old]
        assert rows(editor_client.get(EVENTS, {"year": "2021"})) == [new]
        response = editor_client.get(EVENTS)
        years = [
            c["display"]
            for c in response.context["cl"].filter_specs[1].choices(response.context["cl"])
        ]
        assert years == ["All", "2021", "2020"]

    def test_edit_people_with_autocomplete(self, editor_client):
        """The event form uses autocomplete for people and article, and saves changes."""
        article = make_article()
        event = make_event(article, summary="Won a BAFTA")
        rose = make_person("Rose Ayling-Ellis")
        url = reverse("admin:articles_event_change", args=[event.pk])
        html = editor_client.get(url).content.decode()
        assert 'data-model-name="person"' in html or "admin-autocomplete" in html
        response = editor_client.post(
            url,
            {
                "summary": "Won a BAFTA TV Award",
                "date": "2022-05-08",
                "date_precision": "day",
                "people": [rose.pk],
                "article": article.pk,
                "start": 0,
                "end": 10,
            },
        )
        assert response.status_code == 302
        event.refresh_from_db()
        assert (event.summary, list(event.people.all())) == ("Won a BAFTA TV Award", [rose])
        assert event.history.first().history_user.username == "editor"

    def test_list_queries_do_not_grow_with_rows(self, editor_client):
        """The events list runs the same number of queries for 5 and for 50 events."""
        article = make_article()
        people = [make_person("A"), make_person("B")]
        for _ in range(5):
            make_event(article, date=dt.date(2021, 1, 1), date_precision="day", people=people)
        five = queries(editor_client, EVENTS)
        for _ in range(45):
            make_event(article, date=dt.date(2021, 1, 1), date_precision="day", people=people)
        assert queries(editor_client, EVENTS) == five

    def test_editor_can_add_and_delete_events(self, editor_client):
        """Editors may add an event and delete one."""
        article = make_article()
        response = editor_client.post(
            reverse("admin:articles_event_add"),
            {"summary": "New", "article": article.pk, "start": 0, "end": 3},
        )
        assert response.status_code == 302
        event = Event.objects.get(summary="New")
        delete = reverse("admin:articles_event_delete", args=[event.pk])
        assert editor_client.post(delete, {"post": "yes"}).status_code == 302
        assert not Event.objects.exists()


class TestTags:
    def test_list_shows_article_counts(self, editor_client):
        """The tags list counts each tag's articles and pending suggestions."""
        strictly, bbc = make_tag("Strictly"), make_tag("BBC")
        for _ in range(3):
            make_article().tags.add(strictly)
        make_tag_suggestion(make_article(), bbc)
        counts = {
            t.name: (t.article_count, t.pending_suggestions) for t in rows(editor_client.get(TAGS))
        }
        assert counts == {"Strictly": (3, 0), "BBC": (0, 1)}

    def test_list_queries_do_not_grow_with_rows(self, editor_client):
        """The tags list runs the same number of queries for 5 and for 50 tags."""
        article = make_article()
        for i in range(5):
            article.tags.add(make_tag(f"Tag {i}"))
        five = queries(editor_client, TAGS)
        for i in range(5, 50):
            article.tags.add(make_tag(f"Tag {i}"))
        assert queries(editor_client, TAGS) == five

    def test_accept_suggestions_tags_the_article(self, editor_client):
        """Accepting a suggestion adds the tag to its article."""
        article, tag = make_article(), make_tag("Strictly")
        suggestion = make_tag_suggestion(article, tag)
        editor_client.post(SUGGESTIONS, {"action": "accept", "_selected_action": [suggestion.pk]})
        suggestion.refresh_from_db()
        assert suggestion.status == TagSuggestion.Status.ACCEPTED
        assert list(article.tags.all()) == [tag]

    def test_dismiss_suggestions(self, editor_client):
        """Dismissing a suggestion leaves the article untagged."""
        article, tag = make_article(), make_tag("Strictly")
        suggestion = make_tag_suggestion(article, tag)
        editor_client.post(SUGGESTIONS, {"action": "dismiss", "_selected_action": [suggestion.pk]})
        suggestion.refresh_from_db()
        assert suggestion.status == TagSuggestion.Status.DISMISSED
        assert not article.tags.exists()

    def test_suggestions_list_pending_first(self, editor_client):
        """The suggestions list puts pending suggestions first."""
        article = make_article()
        done = make_tag_suggestion(article, make_tag("A"), status="accepted")
        pending = make_tag_suggestion(article, make_tag("B"))
        assert rows(editor_client.get(SUGGESTIONS)) == [pending, done]

    def test_tag_created_and_deleted_by_editor(self, editor_client):
        """Editors may create a tag and delete one (its suggestions go with it)."""
        response = editor_client.post(
            reverse("admin:articles_tag_add"), {"name": "Sign language", "slug": "sign-language"}
        )
        assert response.status_code == 302
        tag = Tag.objects.get(slug="sign-language")
        make_tag_suggestion(make_article(), tag)
        delete = reverse("admin:articles_tag_delete", args=[tag.pk])
        assert editor_client.post(delete, {"post": "yes"}).status_code == 302
        assert not Tag.objects.exists()
