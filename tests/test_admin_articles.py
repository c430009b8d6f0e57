"""The articles admin, used by an editor (staff in the Editors group, not a superuser)."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models.fields.files import FieldFile
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Quote, TagSuggestion
from tests.factories import (
    make_article,
    make_event,
    make_mention,
    make_person,
    make_quote,
    make_tag,
    make_tag_suggestion,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_article_changelist")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def form_data(response):
    """The POST data the change form would send back unchanged."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, FieldFile):
            continue  # a browser sends no file back: the stored one stays
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = field.widget.format_value(value) if name == "published_at" else value
    if "published_at" in form.fields and form["published_at"].value():
        when = timezone.localtime(form.initial["published_at"])
        data.pop("published_at", None)
        data["published_at_0"] = when.strftime("%d/%m/%Y")
        data["published_at_1"] = when.strftime("%H:%M:%S")
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for inline_form in formset.formset.forms:
            for name in inline_form.fields:
                value = inline_form[name].value()
                if value is not None and value is not False:
                    data[inline_form.add_prefix(name)] = value
    return data


def rows(response):
    return list(response.context["cl"].result_list)


class TestList:
    def test_list_shows_counts_of_quotes_people_and_tags(self, editor_client):
        """Each row carries its quote, unreviewed, people and tag counts (annotated)."""
        article = make_article("Counted story", body="Rose said it was a dream. Giovanni agreed.")
        rose, gio = make_person("Rose Ayling-Ellis"), make_person("Giovanni Pernice")
        make_quote(article, text="it was a dream", start=10, status=Quote.Status.AUTO)
        make_quote(article, text="agreed", start=35, status=Quote.Status.CONFIRMED)
        make_mention(article, rose, start=0, end=4)
        make_mention(article, gio, start=26, end=34)
        make_mention(article, rose, start=40, end=41)
        article.tags.add(make_tag("Strictly"), make_tag("BBC"))
        response = editor_client.get(CHANGELIST)
        assert response.status_code == 200
        [row] = rows(response)
        assert (row.quote_count, row.unreviewed_count, row.people_count, row.tag_count) == (
            2,
            1,
            2,
            2,
        )

    def test_filter_by_status(self, editor_client):
        """The status filter lists drafts only."""
        make_article("Published one")
        draft = make_article("Draft one", status=Article.Status.DRAFT)
        assert rows(editor_client.get(CHANGELIST, {"status__exact": "draft"})) == [draft]

    def test_filter_by_tag(self, editor_client):
        """The tag filter lists the articles with that tag."""
        tag = make_tag("Strictly")
        tagged = make_article("Tagged")
        tagged.tags.add(tag)
        make_article("Untagged")
        assert rows(editor_client.get(CHANGELIST, {"tags__id__exact": tag.pk})) == [tagged]

    def test_filter_by_date_and_date_hierarchy(self, editor_client):
        """Date filter and date hierarchy narrow the list to a year."""
        old = make_article("Old", published_at=dt.datetime(2020, 5, 1, tzinfo=dt.UTC))
        make_article("New", published_at=dt.datetime(2024, 5, 1, tzinfo=dt.UTC))
        assert rows(editor_client.get(CHANGELIST, {"published_at__year": 2020})) == [old]
        response = editor_client.get(
            CHANGELIST,
            {
                "published_at__gte": "2020-01-01 00:00:00+00:00",
                "published_at__lt": "2021-01-01 00:00:00+00:00",
            },
        )
        assert rows(response) == [old]

    def test_filter_has_unreviewed_quotes(self, editor_client):
        """ "Has unreviewed quotes" keeps articles with at least one quote in status auto."""
        pending = make_article("Pending")
        make_quote(pending, status=Quote.Status.AUTO)
        done = make_article("Done")
        make_quote(done, status=Quote.Status.CONFIRMED)
        assert rows(editor_client.get(CHANGELIST, {"unreviewed": "yes"})) == [pending]
        assert rows(editor_client.get(CHANGELIST, {"unreviewed": "no"})) == [done]

    def test_filter_has_unattributed_quotes(self, editor_client):
        """ "Has unattributed quotes" keeps articles with a quote with no speaker nor label."""
        orphan = make_article("Orphan quote")
        make_quote(orphan)
        labelled = make_article("Labelled")
        make_quote(labelled, speaker_label="one fan")
        assert rows(editor_client.get(CHANGELIST, {"unattributed": "yes"})) == [orphan]

    def test_search_by_headline_and_body(self, editor_client):
        """Search matches the headline and the body text."""
        by_title = make_article("Deaf actress wins")
        by_body = make_article("Other", body="The sign language routine was silent.")
        make_article("Unrelated")
        assert rows(editor_client.get(CHANGELIST, {"q": "actress"})) == [by_title]
        assert rows(editor_client.get(CHANGELIST, {"q": "sign language"})) == [by_body]

    def test_publish_and_unpublish_actions(self, editor_client):
        """The publish and unpublish actions change the status through the service."""
        draft = make_article(status=Article.Status.DRAFT)
        response = editor_client.post(
            CHANGELIST, {"action": "publish", "_selected_action": [draft.pk]}
        )
        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.status == Article.Status.PUBLISHED
        assert draft.version == 2
        assert draft.history.first().history_change_reason == "status set to published"
        editor_client.post(CHANGELIST, {"action": "unpublish", "_selected_action": [draft.pk]})
        draft.refresh_from_db()
        assert draft.status == Article.Status.DRAFT

    def test_editor_may_write_an_article(self, editor_client):
        """Editors write stories in the admin (issue 14; tests/test_admin_add_article.py)."""
        assert editor_client.get(reverse("admin:articles_article_add")).status_code == 200


class TestChangePage:
    def test_body_highlights_quotes_and_mentions_escaped(self, editor_client):
        """The body shows quotes and mentions (nested) in <mark>, with HTML escaped."""
        body = 'Rose said "Rose <b>loves</b> it" & left.'
        article = make_article("Highlight", body=body)
        rose = make_person("Rose Ayling-Ellis")
        make_quote(article, text="Rose <b>loves</b> it", start=11)
        make_mention(article, rose, start=0, end=4)
        make_mention(article, rose, start=11, end=15)  # inside the quote
        html = editor_client.get(change_url(article)).content.decode()
        assert '<mark class="mention" title="Rose Ayling-Ellis">Rose</mark> said' in html
        assert (
            '<mark class="quote" title="unattributed (unreviewed)">'
            '<mark class="mention" title="Rose Ayling-Ellis">Rose</mark></mark>'
        ) in html
        assert "&lt;b&gt;loves&lt;/b&gt;" in html
        assert "<b>loves</b>" not in html
        assert "&amp; left." in html

    def test_raw_source_shown_in_pre(self, editor_client):
        """The raw source is shown as received, escaped, in a <pre>."""
        article = make_article(raw_text="HEADLINE <script>x</script>\n\nBody")
        html = editor_client.get(change_url(article)).content.decode()
        assert '<pre class="raw-source">HEADLINE &lt;script&gt;x&lt;/script&gt;' in html

    def test_inline_quotes_and_events_link_to_their_pages(self, editor_client):
        """Quotes and events are listed inline with links to their change pages."""
        article = make_article()
        quote = make_quote(article)
        event = make_event(article, people=[make_person()])
        html = editor_client.get(change_url(article)).content.decode()
        assert reverse("admin:articles_quote_change", args=[quote.pk]) in html
        assert reverse("admin:articles_event_change", args=[event.pk]) in html

    def test_edit_headline_bumps_version_and_records_history(self, editor_client):
        """Saving the form changes the headline, bumps the version and records who did it."""
        article = make_article("Old headline")
        data = form_data(editor_client.get(change_url(article)))
        data["title"] = "New headline"
        response = editor_client.post(change_url(article), data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        article.refresh_from_db()
        assert (article.title, article.version) == ("New headline", 2)
        assert article.history.first().history_user.username == "editor"

    def test_stale_save_is_refused(self, editor_client):
        """A save based on an outdated version is refused with a clear form error."""
        article = make_article("Original")
        data = form_data(editor_client.get(change_url(article)))
        Article.objects.filter(pk=article.pk).update(title="Someone else's", version=2)
        data["title"] = "Mine"
        response = editor_client.post(change_url(article), data)
        assert response.status_code == 200
        assert "changed by someone else since you opened it" in response.content.decode()
        article.refresh_from_db()
        assert article.title == "Someone else's"

    def test_tags_autocomplete_and_add_popup(self, editor_client):
        """Tags use the autocomplete widget with a "+" popup; the popup creates a tag."""
        article = make_article()
        html = editor_client.get(change_url(article)).content.decode()
        assert 'class="admin-autocomplete' in html
        assert reverse("admin:articles_tag_add") in html
        response = editor_client.post(
            reverse("admin:articles_tag_add") + "?_to_field=id&_popup=1",
            {"name": "Sign language", "slug": "sign-language", "_popup": "1"},
        )
        assert response.status_code == 200
        autocomplete = editor_client.get(
            reverse("admin:autocomplete"),
            {
                "term": "sign",
                "app_label": "articles",
                "model_name": "article",
                "field_name": "tags",
            },
        )
        assert [r["text"] for r in autocomplete.json()["results"]] == ["Sign language"]

    def test_tags_saved_from_the_form(self, editor_client):
        """Choosing tags in the form saves them on the article."""
        article = make_article()
        tag = make_tag("Strictly")
        data = form_data(editor_client.get(change_url(article)))
        data["tags"] = [str(tag.pk)]
        editor_client.post(change_url(article), data)
        assert list(article.tags.all()) == [tag]

    def test_pending_tag_suggestions_accepted_from_the_article_page(self, editor_client):
        """Setting a pending suggestion to accepted on the article page tags the article."""
        article = make_article()
        accepted = make_tag_suggestion(article, make_tag("Strictly"))
        dismissed = make_tag_suggestion(article, make_tag("EastEnders"))
        data = form_data(editor_client.get(change_url(article)))
        prefix = "tag_suggestions"
        for i in range(2):
            pk = int(data[f"{prefix}-{i}-id"])
            data[f"{prefix}-{i}-status"] = "accepted" if pk == accepted.pk else "dismissed"
        response = editor_client.post(change_url(article), data)
        assert response.status_code == 302
        assert list(article.tags.all()) == [accepted.tag]
        accepted.refresh_from_db()
        dismissed.refresh_from_db()
        assert (accepted.status, dismissed.status) == (
            TagSuggestion.Status.ACCEPTED,
            TagSuggestion.Status.DISMISSED,
        )


def count_queries(client, url, params=None):
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx)


class TestQueryCounts:
    def test_changelist_queries_do_not_grow_with_rows(self, editor_client):
        """The article list runs the same number of queries for 5 and for 50 rows."""
        tag = make_tag()
        person = make_person()

        def add(n):
            for _ in range(n):
                article = make_article()
                article.tags.add(tag)
                make_quote(article)
                make_mention(article, person)

        add(5)
        five = count_queries(editor_client, CHANGELIST)
        add(45)
        fifty = count_queries(editor_client, CHANGELIST)
        assert five == fifty

    def test_change_page_queries_do_not_grow_with_quotes(self, editor_client):
        """An article page costs the same number of queries with 5 or 50 quotes and events."""
        people = [make_person(f"Person {i}") for i in range(3)]

        def build(n):
            article = make_article(body="x" * 2000)
            for i in range(n):
                make_quote(article, text="x" * 5, start=i * 10, speaker=people[i % 3])
                make_mention(article, people[i % 3], start=i * 10 + 6, end=i * 10 + 8)
                make_event(article, start=i * 10, end=i * 10 + 5, people=people)
                make_tag_suggestion(article, make_tag(f"Tag {article.pk}-{i}"))
            return article

        small, big = build(5), build(50)
        assert count_queries(editor_client, change_url(small)) == count_queries(
            editor_client, change_url(big)
        )
