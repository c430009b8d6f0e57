"""The Editors role, the local editor command, and history with restore in the admin."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db.models.fields.files import FieldFile
from django.urls import reverse

from articles.models import Article, Quote
from tests.factories import (
    make_article,
    make_event,
    make_person,
    make_quote,
    make_tag,
)

pytestmark = pytest.mark.django_db


def form_data(response):
    """The POST data a (history) form would send back unchanged."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if isinstance(value, FieldFile):
            continue  # a browser sends no file back: the stored one stays
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        else:
            data[name] = "on" if value is True else value
    return data


class TestEditorsRole:
    def test_group_has_exactly_the_curation_permissions(self):
        """The data migration creates Editors with the permissions curation needs, no more."""
        perms = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in Group.objects.get(name="Editors").permissions.select_related("content_type")
        }
        expected_changes = {
            "articles.change_article",
            "articles.change_quote",
            "articles.change_event",
            "articles.change_tag",
            "articles.change_tagsuggestion",
            "people.change_person",
            "people.change_alias",
        }
        assert expected_changes <= perms
        assert {"articles.add_tag", "people.add_alias", "articles.add_event"} <= perms
        assert {"people.delete_alias", "articles.delete_tag", "articles.delete_event"} <= perms
        assert {"articles.view_historicalarticle", "articles.view_historicalquote"} <= perms
        # Writing and uploading stories (issue 14) adds articles through the importer.
        assert "articles.add_article" in perms
        forbidden = {
            "articles.delete_article",
            "articles.add_quote",
            "articles.delete_quote",
            "auth.change_user",
            "auth.add_group",
        }
        assert not perms & forbidden

    @pytest.mark.parametrize(
        "url_name",
        [
            "admin:articles_article_changelist",
            "admin:articles_quote_changelist",
            "admin:articles_event_changelist",
            "admin:articles_tag_changelist",
            "admin:articles_tagsuggestion_changelist",
            "admin:people_person_changelist",
            "admin:people_alias_changelist",
        ],
    )
    def test_editor_sees_every_editorial_list(self, editor_client, url_name):
        """An editor (staff, not superuser) opens every editorial list."""
        assert editor_client.get(reverse(url_name)).status_code == 200

    def test_editor_cannot_delete_articles_or_quotes_nor_manage_users(self, editor_client):
        """Articles are unpublished and quotes rejected, never deleted; users are off limits."""
        article = make_article()
        quote = make_quote(article)
        assert (
            editor_client.get(reverse("admin:articles_article_delete", args=[article.pk]))
        ).status_code == 403
        assert (
            editor_client.get(reverse("admin:articles_quote_delete", args=[quote.pk]))
        ).status_code == 403
        assert editor_client.get(reverse("admin:auth_user_changelist")).status_code == 403

    def test_ensure_editor_creates_a_staff_editor_not_a_superuser(self):
        """`ensure_editor` makes a staff account in Editors that is not a superuser."""
        out = StringIO()
        call_command("ensure_editor", stdout=out)
        user = get_user_model().objects.get(username="editor")
        assert user.is_staff and not user.is_superuser
        assert user.groups.filter(name="Editors").exists()
        assert "password:" in out.getvalue()
        call_command("ensure_editor", stdout=out)
        assert "already exists" in out.getvalue()


class TestHistory:
    def test_article_history_shows_who_changed_what(self, editor_client):
        """An article's history page lists the editor's change and its reason."""
        article = make_article(status=Article.Status.DRAFT)
        editor_client.post(
            reverse("admin:articles_article_changelist"),
            {"action": "publish", "_selected_action": [article.pk]},
        )
        html = editor_client.get(
            reverse("admin:articles_article_history", args=[article.pk])
        ).content.decode()
        assert "status set to published" in html
        assert "editor" in html

    def test_article_restored_to_an_earlier_version(self, editor_client):
        """Reverting an article from its history restores the old headline (raw text kept)."""
        article = make_article("First headline", raw_text="RAW as received")
        first = article.history.earliest()
        article.title = "Second headline"
        article.version = 2
        article.save()
        url = reverse("admin:articles_article_simple_history", args=[article.pk, first.pk])
        data = form_data(editor_client.get(url))
        assert data["version"] == 2  # the version now, not the historical one
        response = editor_client.post(url, data)
        assert response.status_code == 302
        article.refresh_from_db()
        assert (article.title, article.version, article.raw_text) == (
            "First headline",
            3,
            "RAW as received",
        )

    def test_article_history_records_tag_changes(self):
        """Adding or removing a tag makes a historical record that lists the tags then."""
        article = make_article()
        tag = make_tag("BAFTA")
        article.tags.add(tag)
        assert [row.tag for row in article.history.latest().tags.all()] == [tag]
        article.tags.remove(tag)
        assert not article.history.latest().tags.exists()
        assert article.history.count() == 3

    def test_quote_speaker_restored_from_history(self, editor_client):
        """Reverting a quote to an earlier speaker goes through the speaker service."""
        rose, gio = make_person("Rose"), make_person("Gio")
        quote = make_quote(make_article(body="It was a dream"), speaker=rose)
        first = quote.history.earliest()
        Quote.objects.filter(pk=quote.pk).update(speaker=gio, version=2)
        url = reverse("admin:articles_quote_simple_history", args=[quote.pk, first.pk])
        response = editor_client.post(url, form_data(editor_client.get(url)))
        assert response.status_code == 302
        quote.refresh_from_db()
        assert (quote.speaker, quote.status, quote.version) == (rose, "confirmed", 3)

    @pytest.mark.parametrize(
        ("url_name", "factory"),
        [
            ("admin:people_person_history", lambda: make_person()),
            ("admin:articles_event_history", lambda: make_event(make_article())),
            ("admin:articles_tag_history", lambda: make_tag()),
            ("admin:articles_quote_history", lambda: make_quote(make_article())),
        ],
    )
    def test_history_pages_open_for_editors(self, editor_client, url_name, factory):
        """People, events, tags and quotes each have a history page editors can open."""
        obj = factory()
        assert editor_client.get(reverse(url_name, args=[obj.pk])).status_code == 200
