"""Editors' decisions made in the admin survive re-importing the same or a changed file."""

import shutil
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from articles.models import Article, Quote, TagSuggestion
from articles.services import versioned_save
from people.models import Person
from tests.conftest import SEEDS_DIR
from tests.factories import make_person

pytestmark = pytest.mark.django_db

SEED = "000_0c7e6f74a386bacc.txt"


def quote_form(client, quote):
    form = (
        client.get(reverse("admin:articles_quote_change", args=[quote.pk]))
        .context["adminform"]
        .form
    )
    return {name: form[name].value() for name in form.fields if form[name].value() is not None}


def test_reimport_keeps_every_editor_decision(editor_client, imported_seeds, tmp_path):
    """After an editor rejects, re-attributes, merges, tags, retitles and unpublishes in the
    admin, importing the same files and a changed version keeps every decision."""
    article = imported_seeds[SEED]
    quotes = {q.text[:20]: q for q in article.quotes.all()}
    rejected = quotes["When we first though"]
    corrected = quotes["A moment that will r"]
    rose = Person.objects.get(name="Rose Ayling-Ellis")

    # Reject one quote, give another to Rose.
    editor_client.post(
        reverse("admin:articles_quote_changelist"),
        {"action": "reject", "_selected_action": [rejected.pk]},
    )
    data = quote_form(editor_client, corrected)
    data["speaker"] = rose.pk
    url = reverse("admin:articles_quote_change", args=[corrected.pk])
    assert editor_client.post(url, data).status_code == 302

    # Merge the extracted "Zara Larsson" into the desk's canonical person.
    canonical = make_person("Zara Maria Larsson")
    extracted = Person.objects.get(name="Zara Larsson")
    editor_client.post(
        reverse("admin:people_person_changelist"),
        {"action": "merge", "_selected_action": [canonical.pk, extracted.pk], "keep": canonical.pk},
    )

    # Accept one tag suggestion, dismiss the other; unpublish and retitle the article.
    accepted, dismissed = article.tag_suggestions.order_by("tag__name")
    suggestions = reverse("admin:articles_tagsuggestion_changelist")
    editor_client.post(suggestions, {"action": "accept", "_selected_action": [accepted.pk]})
    editor_client.post(suggestions, {"action": "dismiss", "_selected_action": [dismissed.pk]})
    editor_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "unpublish", "_selected_action": [article.pk]},
    )
    article.refresh_from_db()
    article.title = "Rose and Giovanni win a Bafta"
    versioned_save(obj=article, expected_version=article.version)

    # Import the same files again, then a changed version of the story.
    call_command("import_articles", "--publish", str(SEEDS_DIR), stdout=StringIO())
    # (In a folder named like the seeds' own, so that it is the same story: same source key.)
    changed = tmp_path / SEEDS_DIR.name / SEED
    changed.parent.mkdir()
    shutil.copy(SEEDS_DIR / SEED, changed)
    with changed.open("a", encoding="utf-8") as f:
        f.write('\nZara Larsson said: "I loved seeing them dance to my song."\n')
    call_command("import_articles", "--publish", str(changed.parent), stdout=StringIO())

    article = Article.objects.get(source_name=SEED)
    assert article.source_sha256 != imported_seeds[SEED].source_sha256  # it was re-read
    assert (article.status, article.title) == (
        Article.Status.DRAFT,
        "Rose and Giovanni win a Bafta",
    )
    assert Quote.objects.get(pk=rejected.pk).status == Quote.Status.REJECTED
    corrected = Quote.objects.get(pk=corrected.pk)
    assert (corrected.speaker, corrected.speaker_corrected, corrected.status) == (
        rose,
        True,
        Quote.Status.CONFIRMED,
    )
    assert not Person.objects.filter(name="Zara Larsson").exists()
    assert set(article.tags.all()) == {accepted.tag}
    statuses = dict(article.tag_suggestions.values_list("tag_id", "status"))
    assert statuses == {
        accepted.tag_id: TagSuggestion.Status.ACCEPTED,
        dismissed.tag_id: TagSuggestion.Status.DISMISSED,
    }
