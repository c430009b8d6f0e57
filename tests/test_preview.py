"""Editors' preview of unpublished articles (issue 14): the public layout, for staff who
may view articles only, never cached, never indexed; "View on site" points to it."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.models import Article, Quote
from tests.factories import make_article, make_editor, make_person, make_quote_in, make_story
from tests.test_scheduling import shared_locmem

pytestmark = pytest.mark.django_db

HEADLINE = "Secret merger talks collapse"
PARAGRAPHS = ["The talks ended on Friday.", "“We walked away,” Ada Okafor said. “Never again.”"]


@pytest.fixture
def draft():
    article = make_story(HEADLINE, PARAGRAPHS, status=Article.Status.DRAFT)
    ada = make_person("Ada Okafor")
    make_quote_in(article, "We walked away,", speaker=ada, status=Quote.Status.CONFIRMED)
    make_quote_in(article, "Never again.", status=Quote.Status.REJECTED)
    return article


def test_editor_sees_a_draft_in_the_public_layout_marked_as_preview(editor_client, draft):
    """A staff editor (not a superuser) gets the article page with its quotes, the preview
    banner and a noindex robots tag."""
    response = editor_client.get(draft.get_preview_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert f"<h1>{HEADLINE}</h1>" in page
    assert "Preview — not published." in page and "A draft: readers cannot see it." in page
    assert '<meta name="robots" content="noindex' in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "We walked away," in page  # a confirmed quote, public once published
    assert "Never again." not in page.split('id="quotes-heading"')[1]  # rejected: never
    assert 'class="story-body"' in page  # the public article template


def test_preview_is_private_and_never_stored(editor_client, draft, settings):
    """``Cache-Control: private, no-store``; with a shared cache the page cache stores
    public pages (the control) but never a preview."""
    shared_locmem(settings)
    make_article("A public story")
    response = editor_client.get(draft.get_preview_url())
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store", "no-cache"} <= cache_control
    assert "X-Page-Cache" not in response
    assert not [key for key in cache._cache if "web:page" in key]
    editor_client.logout()
    assert editor_client.get("/")["X-Page-Cache"] == "miss"  # anonymous pages are stored
    assert [key for key in cache._cache if "web:page" in key]


def test_anonymous_visitors_are_sent_to_log_in_and_see_nothing(client, draft):
    """No title, no body, whatever the visitor asks for."""
    response = client.get(draft.get_preview_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    followed = client.get(draft.get_preview_url(), follow=True).content.decode()
    assert HEADLINE not in followed and "walked away" not in followed
    assert client.get(draft.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    ("kind", "status"),
    [("reader", 404), ("staff without permission", 404), ("inactive editor", 302)],
)
def test_users_who_may_not_view_articles_see_nothing(client, draft, kind, status):
    """A logged-in reader and a staff member without ``view_article`` get the same 404 as
    an unknown article; a deactivated editor's session no longer counts: sent to log in."""
    users = get_user_model().objects
    if kind == "reader":
        user = users.create_user("reader", password="x")
    elif kind == "staff without permission":
        user = users.create_user("intern", password="x", is_staff=True)
    else:
        user = make_editor()
        user.is_active = False
        user.save()
    client.force_login(user)
    response = client.get(draft.get_preview_url())
    assert response.status_code == status
    assert HEADLINE not in response.content.decode()


def test_staff_with_only_the_view_permission_may_preview(client, draft):
    """The permission is ``articles.view_article``: no need to be a superuser or editor."""
    user = get_user_model().objects.create_user("viewer", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(user)
    assert client.get(draft.get_preview_url()).status_code == 200


def test_unknown_article_is_404(editor_client):
    assert editor_client.get(reverse("web:article-preview", args=[999999])).status_code == 404


def test_scheduled_article_preview_says_when_it_goes_public(editor_client, draft):
    at = timezone.now() + timedelta(days=2)
    services.article_schedule(article=draft, publish_at=at)
    page = editor_client.get(draft.get_preview_url()).content.decode()
    assert "Scheduled: it will be published by itself on" in page
    assert f'datetime="{timezone.localtime(at).isoformat()}"' in page


def test_preview_escapes_the_article(editor_client):
    """Everything an importer or editor wrote is escaped."""
    article = make_story("<script>alert(1)</script>", ["<img src=x onerror=alert(2)>"])
    article.status = Article.Status.DRAFT
    article.save()
    page = editor_client.get(article.get_preview_url()).content.decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_view_on_site_points_to_the_preview_or_the_public_page(editor_client, draft):
    """The admin's "View on site" opens the preview of a draft (it was a 404) and the
    public page of a published article."""
    change = reverse("admin:articles_article_change", args=[draft.pk])
    page = editor_client.get(change).content.decode()
    assert f'href="{draft.get_preview_url()}"' in page
    services.article_set_status(article=draft, status=Article.Status.PUBLISHED)
    page = editor_client.get(change).content.decode()
    assert f'href="{draft.get_absolute_url()}"' in page
    assert draft.get_preview_url() not in page
