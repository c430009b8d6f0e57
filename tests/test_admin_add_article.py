"""Writing a story in the admin (issue 14): "Add article" runs the importer's pipeline, and
a later change of its text runs it again, keeping editors' decisions."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from articles import services
from articles.models import Article, Quote
from people.models import Person
from tests.test_admin_articles import form_data as change_form_data

pytestmark = pytest.mark.django_db

ADD = reverse("admin:articles_article_add")
BODY = (
    "Work on the harbour wall in Porthleven will start in June, the council said on Tuesday.\n\n"
    'Mayor Alice Dunmore said: "We cannot let another winter go by without it."\n\n'
    "Fishermen have waited two years for the repairs."
)
NEW_PARAGRAPH = '"The storms took half the wall with them," said harbour master Tom Penrose.'


def form_data(**overrides):
    data = {
        "title": "Harbour wall to be rebuilt after winter storms",
        "standfirst": "The council approved the plan on Tuesday",
        "byline": "Jo Pascoe",
        "published_at_0": "2024-05-01",
        "published_at_1": "09:30:00",
        "status": "draft",
        "body": BODY,
        "tags": [],
    }
    data.update(overrides)
    return data


def write(client, **overrides):
    response = client.post(ADD, form_data(**overrides))
    assert response.status_code == 302, response.content.decode()[:3000]
    return Article.objects.get()


def change(client, article, **overrides):
    """Send the change form back as the editor would, with ``overrides``."""
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = change_form_data(client.get(url))
    data.update(overrides)
    return client.post(url, data)


def test_the_add_page_asks_for_the_story(editor_client):
    """A staff editor (not a superuser) opens "Add article": headline, standfirst, body,
    byline and date, nothing the pipeline fills."""
    page = editor_client.get(ADD)
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("title", "standfirst", "body", "byline", "published_at_0", "status"):
        assert f'name="{name}"' in html
    for name in ("slug", "source_key", "captions"):
        assert f'name="{name}"' not in html


def test_staff_without_the_permission_cannot_add(client):
    client.force_login(get_user_model().objects.create_user("clerk", is_staff=True))
    assert client.get(ADD).status_code == 403
    assert client.post(ADD, form_data()).status_code == 403
    assert not Article.objects.exists()


def test_saving_runs_the_extraction(editor_client):
    """The story goes through the import pipeline: people, quotes and the rest are
    extracted, under a key of its own, as a draft with the editor's fields."""
    article = write(editor_client)
    assert article.source_key.startswith("desk:")
    assert article.title == "Harbour wall to be rebuilt after winter storms"
    assert article.standfirst == "The council approved the plan on Tuesday"
    assert article.byline == "Jo Pascoe"
    assert article.status == Article.Status.DRAFT
    assert article.published_at.date().isoformat() == "2024-05-01"
    assert article.slug == "harbour-wall-to-be-rebuilt-after-winter-storms"
    assert "We cannot let another winter go by without it." in article.body
    quote = Quote.objects.get(article=article)
    assert quote.text.startswith("We cannot let another winter")
    assert Person.objects.filter(name="Alice Dunmore").exists()
    assert quote.speaker is not None or quote.suggested_speaker is not None
    assert article.mentions.exists()
    assert article.history.earliest().history_user.username == "editor"


def test_published_when_chosen(editor_client):
    article = write(editor_client, status="published")
    assert article.status == Article.Status.PUBLISHED


def test_a_story_without_body_text_is_a_form_error(editor_client):
    response = editor_client.post(ADD, form_data(body="Advertisement"))
    assert response.status_code == 200
    assert "no body text" in response.content.decode()
    assert not Article.objects.exists()


def test_changing_the_body_extracts_again_keeping_decisions(editor_client, django_user_model):
    """A new paragraph's quote is extracted when the body changes; the quote an editor
    confirmed stays confirmed, with its id."""
    article = write(editor_client)
    editor = django_user_model.objects.get(username="editor")
    quote = Quote.objects.get(article=article)
    services.quote_set_status(quote=quote, status=Quote.Status.CONFIRMED, user=editor)
    article.refresh_from_db()
    body = article.body + "\n\n" + NEW_PARAGRAPH
    response = change(editor_client, article, body=body)
    assert response.status_code == 302, response.content.decode()[:3000]
    article.refresh_from_db()
    assert NEW_PARAGRAPH in article.body
    quotes = {q.pk: q for q in Quote.objects.filter(article=article)}
    assert len(quotes) == 2
    assert quotes[quote.pk].status == Quote.Status.CONFIRMED
    new = next(q for pk, q in quotes.items() if pk != quote.pk)
    assert new.text.startswith("The storms took half the wall")
    assert article.body[new.start : new.end] == new.text
    assert Person.objects.filter(name="Tom Penrose").exists()


def test_an_imported_article_keeps_its_extraction_on_edit(editor_client, imported_seeds):
    """Imported stories are not re-extracted on an admin edit (a re-import would treat the
    editor's body as theirs); only stories written here are."""
    article = next(iter(imported_seeds.values()))
    quotes = set(Quote.objects.filter(article=article).values_list("pk", flat=True))
    article.refresh_from_db()
    response = change(editor_client, article, body=article.body + "\n\n" + NEW_PARAGRAPH)
    assert response.status_code == 302
    assert set(Quote.objects.filter(article=article).values_list("pk", flat=True)) == quotes


def test_a_story_the_importer_refuses_is_not_saved(editor_client, monkeypatch):
    """If the save of the parsed story fails (the database refused it), nothing is kept and
    the editor is told why."""
    from articles import importing

    def refuses(**kwargs):
        return importing.ImportOutcome("admin", importing.FAILED, reason="database refused it")

    monkeypatch.setattr(importing, "save_story", refuses)
    response = editor_client.post(ADD, form_data(), follow=True)
    assert "The story was not saved: database refused it" in response.content.decode()
    assert not Article.objects.exists()
