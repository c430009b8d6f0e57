"""The people admin, used by an editor: counts, search, aliases, merge, "not a person"."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Quote
from people.models import Alias, Person, PersonRedirect, RejectedName
from tests.factories import (
    make_alias,
    make_article,
    make_event,
    make_mention,
    make_person,
    make_quote,
)

pytestmark = pytest.mark.django_db

PEOPLE = reverse("admin:people_person_changelist")


def rows(response):
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


class TestList:
    def test_counts_of_quotes_mentions_and_articles(self, editor_client):
        """Each person's row shows their aliases and their quote, mention and article counts."""
        rose = make_person("Rose Ayling-Ellis")
        make_alias(rose, "Rose")
        one, two = make_article(), make_article()
        make_quote(one, speaker=rose)
        make_mention(one, rose, start=0)
        make_mention(one, rose, start=10, end=14)
        make_mention(two, rose, start=0)
        response = editor_client.get(PEOPLE)
        [row] = rows(response)
        assert (row.quote_count, row.mention_count, row.article_count) == (1, 3, 2)
        assert '<td class="field-aliases_list">Rose</td>' in response.content.decode()

    def test_search_by_name_and_alias(self, editor_client):
        """Search finds a person by name and by alias."""
        rose = make_person("Rose Ayling-Ellis")
        make_alias(rose, "Rosie")
        make_person("Giovanni Pernice")
        assert rows(editor_client.get(PEOPLE, {"q": "ayling"})) == [rose]
        assert rows(editor_client.get(PEOPLE, {"q": "rosie"})) == [rose]

    def test_aliases_edited_inline(self, editor_client):
        """The person page edits aliases inline."""
        rose = make_person("Rose Ayling-Ellis")
        url = reverse("admin:people_person_change", args=[rose.pk])
        response = editor_client.post(
            url,
            {
                "name": rose.name,
                "slug": rose.slug,
                "description": "Actress",
                "aliases-TOTAL_FORMS": "1",
                "aliases-INITIAL_FORMS": "0",
                "aliases-0-text": "Rosie",
                "aliases-0-kind": Alias.Kind.FIRST_NAME,
            },
        )
        assert response.status_code == 302
        assert list(rose.aliases.values_list("text", flat=True)) == ["Rosie"]

    def test_list_queries_do_not_grow_with_rows(self, editor_client):
        """The people list runs the same number of queries for 5 and for 50 people."""
        article = make_article()

        def add(start, stop):
            for i in range(start, stop):
                person = make_person(f"Person {i}")
                make_alias(person, f"P{i}")
                make_quote(article, start=i, speaker=person)

        add(0, 5)
        with CaptureQueriesContext(connection) as five:
            editor_client.get(PEOPLE)
        add(5, 50)
        with CaptureQueriesContext(connection) as fifty:
            editor_client.get(PEOPLE)
        assert len(five) == len(fifty)


class TestMerge:
    def test_merge_asks_which_person_to_keep(self, editor_client):
        """The merge action first shows a page to choose the person to keep."""
        a, b = make_person("Rose Ayling-Ellis"), make_person("Rose Ayling")
        response = editor_client.post(PEOPLE, {"action": "merge", "_selected_action": [a.pk, b.pk]})
        assert response.status_code == 200
        html = response.content.decode()
        assert "Choose the person to keep" in html
        assert f'value="{a.pk}"' in html and f'value="{b.pk}"' in html
        assert Person.objects.count() == 2

    def test_merge_moves_everything_to_the_kept_person(self, editor_client):
        """Confirming moves quotes, mentions, events and aliases, keeps the old name as an
        alias and makes the old URL redirect."""
        keep, lose = make_person("Rose Ayling-Ellis"), make_person("Rose Ayling")
        make_alias(lose, "Rosie")
        article = make_article()
        quote = make_quote(article, speaker=lose)
        make_mention(article, lose)
        event = make_event(article, people=[lose])
        old_slug = lose.slug
        response = editor_client.post(
            PEOPLE,
            {"action": "merge", "_selected_action": [keep.pk, lose.pk], "keep": keep.pk},
        )
        assert response.status_code == 302
        assert not Person.objects.filter(pk=lose.pk).exists()
        quote.refresh_from_db()
        assert quote.speaker == keep
        assert keep.mentions.count() == 1
        assert list(event.people.all()) == [keep]
        assert set(keep.aliases.values_list("text", flat=True)) == {"Rosie", "Rose Ayling"}
        assert PersonRedirect.objects.get(old_slug=old_slug).person == keep
        redirect = editor_client.get(reverse("web:person", kwargs={"slug": old_slug}))
        assert redirect.status_code == 301
        assert redirect["Location"].endswith(keep.get_absolute_url())

    def test_merge_needs_two_people(self, editor_client):
        """Merging a single person is refused with a message."""
        a = make_person()
        response = editor_client.post(
            PEOPLE, {"action": "merge", "_selected_action": [a.pk]}, follow=True
        )
        assert "Select at least two people" in response.content.decode()


class TestRejectAndDelete:
    def test_mark_as_not_a_person(self, editor_client):
        """ "Not a person" removes the person, records the name, and sends quotes to review."""
        bogus = make_person("Strictly Come")
        quote = make_quote(make_article(), speaker=bogus, status=Quote.Status.CONFIRMED)
        response = editor_client.post(
            PEOPLE, {"action": "reject_as_not_person", "_selected_action": [bogus.pk]}
        )
        assert response.status_code == 302
        assert not Person.objects.filter(pk=bogus.pk).exists()
        assert RejectedName.objects.filter(name="Strictly Come").exists()
        quote.refresh_from_db()
        assert (quote.speaker, quote.status) == (None, Quote.Status.AUTO)

    def test_deleting_a_person_with_quotes_points_to_merge(self, editor_client):
        """Deleting a person who has quotes is refused, and the message points to merge."""
        rose = make_person("Rose Ayling-Ellis")
        make_quote(make_article(), speaker=rose)
        url = reverse("admin:people_person_delete", args=[rose.pk])
        response = editor_client.post(url, {"post": "yes"}, follow=True)
        html = response.content.decode()
        assert "cannot be deleted" in html and "merge them instead" in html
        assert Person.objects.filter(pk=rose.pk).exists()

    def test_bulk_delete_of_people_with_quotes_is_refused(self, editor_client):
        """The "delete selected" action refuses people who have quotes, pointing to merge."""
        rose = make_person("Rose Ayling-Ellis")
        make_quote(make_article(), speaker=rose)
        response = editor_client.post(
            PEOPLE,
            {"action": "delete_selected", "_selected_action": [rose.pk], "post": "yes"},
            follow=True,
        )
        assert "merge them instead" in response.content.decode()
        assert Person.objects.filter(pk=rose.pk).exists()

    def test_person_without_quotes_can_be_deleted(self, editor_client):
        """A person with no quotes (only mentions and aliases) can be deleted by an editor."""
        person = make_person("Nobody Special")
        make_alias(person, "Nobody")
        make_mention(make_article(), person)
        url = reverse("admin:people_person_delete", args=[person.pk])
        assert editor_client.post(url, {"post": "yes"}).status_code == 302
        assert not Person.objects.filter(pk=person.pk).exists()
