"""An editor's day in a real browser: review quotes, fix a speaker, merge, publish."""

import json
import urllib.request

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from articles.models import Article, Quote
from people.models import Person, PersonRedirect
from tests.factories import (
    make_alias,
    make_article,
    make_editor,
    make_mention,
    make_person,
    make_quote,
)

BODY = (
    "Rose Ayling-Ellis lifted the glitterball. “It was a dream come true,” she said. "
    "One fan shouted: “Best final ever!” Rose Ayling thanked her partner."
)
DREAM = "It was a dream come true,"
FINAL = "Best final ever!"
PASSWORD = "correct horse battery"


def get_json(url):
    """An anonymous GET, as a partner app would make it."""
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def select_action(page, action):
    page.select_option("select[name=action]", action)
    page.click("button[name=index]")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_editor_reviews_fixes_merges_and_publishes(live_server, page, artifacts_dir):
    """An editor (not a superuser) rejects a quote, corrects a speaker through the
    autocomplete, merges two people and publishes; the public API shows the result."""
    assert Group.objects.filter(name="Editors").exists()
    editor = make_editor(password=PASSWORD)
    assert not editor.is_superuser
    article = make_article("Rose wins the final", body=BODY, status=Article.Status.DRAFT)
    rose = make_person("Rose Ayling-Ellis")
    make_alias(rose, "Rosie")
    duplicate = make_person("Rose Ayling")
    make_mention(article, rose, start=0, end=17)
    make_mention(
        article, duplicate, start=BODY.index("Rose Ayling thanked"), end=BODY.index(" thanked")
    )
    dream = make_quote(article, text=DREAM, start=BODY.index(DREAM), confidence=0.4)
    final = make_quote(article, text=FINAL, start=BODY.index(FINAL), confidence=0.2)
    admin = f"{live_server.url}/admin/"

    # Log in.
    page.goto(admin)
    page.fill("#id_username", editor.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")

    # Reject the fan's quote from the review queue.
    page.goto(f"{admin}articles/quote/")
    page.check(f"input[name=_selected_action][value='{final.pk}']")
    select_action(page, "reject")
    page.wait_for_selector(".messagelist .success")

    # Correct the other quote's speaker: the autocomplete finds her by her alias.
    page.goto(f"{admin}articles/quote/{dream.pk}/change/")
    page.click(".field-speaker .select2-selection")
    page.fill(".select2-search__field", "Rosie")
    page.click(".select2-results__option:has-text('Rose Ayling-Ellis')")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")

    # Merge the duplicate into Rose Ayling-Ellis, choosing her on the confirmation page.
    page.goto(f"{admin}people/person/")
    page.check(f"input[name=_selected_action][value='{rose.pk}']")
    page.check(f"input[name=_selected_action][value='{duplicate.pk}']")
    select_action(page, "merge")
    page.check(f"input[name=keep][value='{rose.pk}']")
    page.click("input[name=merge_confirmed]")
    page.wait_for_selector(".messagelist .success")

    # Publish the article.
    page.goto(f"{admin}articles/article/")
    page.check(f"input[name=_selected_action][value='{article.pk}']")
    select_action(page, "publish")
    page.wait_for_selector(".messagelist .success")
    page.screenshot(path=str(artifacts_dir / "admin-editor-day.png"), full_page=True)

    # The database holds every decision ...
    final.refresh_from_db()
    dream.refresh_from_db()
    article.refresh_from_db()
    assert final.status == Quote.Status.REJECTED
    assert (dream.speaker_id, dream.status, dream.speaker_corrected) == (rose.pk, "confirmed", True)
    assert not Person.objects.filter(pk=duplicate.pk).exists()
    assert PersonRedirect.objects.get(old_slug=duplicate.slug).person_id == rose.pk
    assert article.status == Article.Status.PUBLISHED
    history_users = {r.history_user_id for r in dream.history.all()[:1]}
    assert history_users == {editor.pk}

    # ... and the public sees them through the API.
    api = f"{live_server.url}/api/v1/"
    articles = get_json(f"{api}articles/")["results"]
    assert [a["slug"] for a in articles] == [article.slug]
    quotes = get_json(f"{api}quotes/")["results"]
    assert [q["text"] for q in quotes] == [DREAM]
    assert quotes[0]["speaker"]["slug"] == rose.slug
    people = {p["slug"]: p for p in get_json(f"{api}people/")["results"]}
    assert duplicate.slug not in people
    assert {"Rosie", "Rose Ayling"} <= set(people[rose.slug]["aliases"])

    # The public website agrees: the merged person's old page redirects.
    page.goto(f"{live_server.url}/people/{duplicate.slug}/")
    assert page.url.endswith(f"/people/{rose.slug}/")
    assert page.goto(f"{live_server.url}/articles/{article.slug}/").status == 200
    assert page.goto(f"{live_server.url}/quotes/{final.pk}/").status == 404
    assert page.goto(f"{live_server.url}/quotes/{dream.pk}/").status == 200
    assert "Rose Ayling-Ellis" in page.content()
    get_user_model().objects.filter(pk=editor.pk).delete()
