"""Corrections of articles and withdrawals of quotes (issue 14, point 5).

An editor publishes a dated public note on an article, or withdraws a quote with one:
readers see it under the story, in its JSON-LD and in the API, and a withdrawn quote's
permalink answers 410 Gone with the note instead of silently vanishing. Nothing of a
draft's corrections is public.
"""

import datetime as dt
import json
import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from articles.content_version import content_state
from articles.models import Quote
from articles.services import StaleEdit
from corrections.models import Correction
from corrections.services import (
    AlreadyWithdrawn,
    BlankNote,
    NeverPublic,
    article_add_correction,
    quote_correct,
    quote_withdraw,
)
from tests.factories import build_newsdesk, make_editor
from tests.test_admin_articles import form_data

pytestmark = pytest.mark.django_db

NOTE = (
    "An earlier version of this story said the award was for best dance. "
    "It was for must-see moment."
)


@pytest.fixture
def desk(settings):
    # Additions wait this long for anonymous readers: corrections must not.
    settings.NEWSROOM_ADDITIONS_GRACE_SECONDS = 60
    return build_newsdesk()


@pytest.fixture
def editor_api(db):
    client = APIClient()
    token = Token.objects.create(user=make_editor(username="corrections-editor"))
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def json_ld(response) -> dict:
    html = response.content.decode()
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(script[1])


# --- Model ------------------------------------------------------------------------------


@pytest.mark.parametrize("note", ["", "   \n  "])
def test_the_database_refuses_a_blank_note(desk, note):
    with pytest.raises(IntegrityError), transaction.atomic():
        Correction.objects.create(article=desk.bafta, note=note)


def test_the_database_refuses_a_withdrawal_without_a_quote(desk):
    with pytest.raises(IntegrityError), transaction.atomic():
        Correction.objects.create(article=desk.bafta, note=NOTE, kind="withdrawal")
    Correction.objects.create(
        article=desk.bafta, note=NOTE, kind="withdrawal", quote=desk.giovanni_quote
    )


def test_a_correction_outlives_its_quote(client, desk):
    """A re-import deletes the rows of quotes whose words left the story (in bulk, no ORM
    collector): no database constraint may stop it, and the withdrawal still answers."""
    quote_withdraw(quote=desk.giovanni_quote, note=NOTE)
    with transaction.atomic():
        queryset = Quote.objects.filter(pk=desk.giovanni_quote.pk)
        queryset._raw_delete(queryset.db)
    response = client.get(f"/quotes/{desk.giovanni_quote.pk}/")
    assert response.status_code == 410
    assert "must-see moment" in response.content.decode()


# --- Services ---------------------------------------------------------------------------


def test_adding_a_correction_records_who_and_when(desk):
    editor = make_editor()
    correction = article_add_correction(article=desk.bafta, note=f"  {NOTE}  ", user=editor)
    assert correction.note == NOTE
    assert correction.kind == Correction.Kind.CORRECTION
    assert correction.published_on == dt.date.today()
    assert correction.created_by == editor
    assert correction.history.get().history_user == editor
    with pytest.raises(BlankNote):
        article_add_correction(article=desk.bafta, note="  ")


def test_withdrawing_a_quote_rejects_it_and_publishes_the_note(desk):
    editor = make_editor()
    quote = desk.giovanni_quote
    withdrawal = quote_withdraw(quote=quote, note=NOTE, user=editor, expected_version=1)
    quote.refresh_from_db()
    assert quote.status == Quote.Status.REJECTED
    assert quote.version == 2
    assert quote.history.latest().history_user == editor
    assert withdrawal.kind == Correction.Kind.WITHDRAWAL
    assert withdrawal.quote_id == quote.pk
    assert withdrawal.quote_text == quote.text
    assert not Quote.objects.public().filter(pk=quote.pk).exists()
    with pytest.raises(AlreadyWithdrawn):
        quote_withdraw(quote=quote, note=NOTE)


@pytest.mark.parametrize("hidden_by", ["held back", "rejected", "draft"])
def test_a_quote_readers_never_saw_cannot_be_withdrawn_in_public(desk, hidden_by):
    """A withdrawal note names the quote's words: for a quote that was never public it
    would publish them. The editor is told to reject it instead; nothing is written."""
    quote = desk.giovanni_quote
    if hidden_by == "held back":
        Quote.objects.filter(pk=quote.pk).update(confidence=0.1)
    elif hidden_by == "rejected":
        Quote.objects.filter(pk=quote.pk).update(status=Quote.Status.REJECTED)
    else:
        quote.article.status = quote.article.Status.DRAFT
        quote.article.save()
    quote.refresh_from_db()
    with pytest.raises(NeverPublic, match="reject it instead"):
        quote_withdraw(quote=quote, note=NOTE)
    assert not Correction.objects.exists()


def test_a_stale_withdrawal_writes_nothing(desk):
    with pytest.raises(StaleEdit):
        quote_withdraw(quote=desk.giovanni_quote, note=NOTE, expected_version=7)
    desk.giovanni_quote.refresh_from_db()
    assert desk.giovanni_quote.status == Quote.Status.AUTO
    assert not Correction.objects.exists()


def test_correcting_a_quote_sets_its_speaker_and_publishes_the_note(desk):
    correction = quote_correct(
        quote=desk.giovanni_quote, note="This quote was wrongly credited.", speaker=desk.rose
    )
    desk.giovanni_quote.refresh_from_db()
    assert desk.giovanni_quote.speaker == desk.rose
    assert desk.giovanni_quote.status == Quote.Status.CONFIRMED
    assert correction.kind == Correction.Kind.CORRECTION
    assert correction.quote_id == desk.giovanni_quote.pk


def test_a_correction_is_a_retraction_for_the_caches(desk):
    """Creating most rows only adds (anonymous readers may see it after the grace); a
    correction revises what they saw, so it changes the retraction token."""
    before = content_state()
    article_add_correction(article=desk.bafta, note=NOTE)
    assert content_state().retraction != before.retraction


# --- Public site ------------------------------------------------------------------------


def test_the_article_page_shows_its_corrections_escaped(client, desk):
    article_add_correction(
        article=desk.bafta, note="We misspelt <b>Giovanni</b>.", published_on=dt.date(2024, 3, 5)
    )
    quote_withdraw(quote=desk.giovanni_quote, note=NOTE)
    response = client.get(desk.bafta.get_absolute_url())
    html = response.content.decode()
    assert 'id="corrections"' in html
    assert "5 March 2024" in html
    assert "We misspelt &lt;b&gt;Giovanni&lt;/b&gt;." in html
    assert "quote withdrawn" in html
    assert "When we first thought of the idea to put silence" in html  # named by its words
    assert NOTE in html
    # The withdrawn quote is no longer among the story's quotes.
    assert f'href="/quotes/{desk.giovanni_quote.pk}/"' not in html


def test_the_article_json_ld_lists_its_corrections(client, desk):
    article_add_correction(article=desk.bafta, note=NOTE, published_on=dt.date(2024, 3, 5))
    data = json_ld(client.get(desk.bafta.get_absolute_url()))
    assert data["correction"] == [
        {"@type": "CorrectionComment", "text": NOTE, "datePublished": "2024-03-05"}
    ]
    assert "correction" not in json_ld(client.get(desk.tour.get_absolute_url()))


def test_a_withdrawn_quote_permalink_is_gone_with_the_note(client, desk):
    quote_withdraw(quote=desk.giovanni_quote, note="Withdrawn: <i>misheard</i> on the night.")
    response = client.get(desk.giovanni_quote.get_absolute_url())
    assert response.status_code == 410
    html = response.content.decode()
    assert "Withdrawn: &lt;i&gt;misheard&lt;/i&gt; on the night." in html
    assert f'href="{desk.bafta.get_absolute_url()}#corrections"' in html


def test_a_merely_rejected_quote_is_still_not_found(client, desk):
    assert client.get(desk.rejected_quote.get_absolute_url()).status_code == 404


def test_nothing_of_a_drafts_corrections_is_public(client, desk):
    article_add_correction(article=desk.draft, note="Secret correction of the draft.")
    # A quote withdrawn while its story was out, and the story unpublished since.
    desk.draft.status = desk.draft.Status.PUBLISHED
    desk.draft.save()
    quote_withdraw(quote=desk.draft_quote, note="Secret withdrawal.")
    desk.draft.status = desk.draft.Status.DRAFT
    desk.draft.save()
    for url in (desk.draft.get_absolute_url(), desk.draft_quote.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 404
        assert "Secret" not in response.content.decode()
    api = APIClient()
    for url in (
        f"/api/v1/articles/{desk.draft.slug}/",
        f"/api/v1/quotes/{desk.draft_quote.pk}/",
    ):
        response = api.get(url)
        assert response.status_code == 404
        assert "Secret" not in response.content.decode()


def test_the_cached_article_page_shows_a_new_correction_on_the_next_request(client, desk):
    url = desk.bafta.get_absolute_url()
    first = client.get(url)
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    article_add_correction(article=desk.bafta, note=NOTE)
    response = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert response.status_code == 200
    assert NOTE in response.content.decode()


def test_the_cached_quote_page_is_gone_on_the_next_request(client, desk):
    url = desk.giovanni_quote.get_absolute_url()
    assert client.get(url).status_code == 200
    quote_withdraw(quote=desk.giovanni_quote, note=NOTE)
    assert client.get(url).status_code == 410


# --- API ---------------------------------------------------------------------------------


def test_the_api_article_carries_its_corrections(desk):
    article_add_correction(article=desk.bafta, note=NOTE, published_on=dt.date(2024, 3, 5))
    withdrawal = quote_withdraw(quote=desk.giovanni_quote, note="Misheard.")
    data = APIClient().get(f"/api/v1/articles/{desk.bafta.slug}/").json()
    assert data["corrections"] == [
        {"date": "2024-03-05", "note": NOTE, "kind": "correction", "quote": None},
        {
            "date": withdrawal.published_on.isoformat(),
            "note": "Misheard.",
            "kind": "withdrawal",
            "quote": desk.giovanni_quote.pk,
        },
    ]
    listed = APIClient().get("/api/v1/articles/").json()["results"]
    assert all("corrections" not in row for row in listed)  # the list is unchanged


def test_the_cached_api_article_shows_a_new_correction_on_the_next_request(desk):
    api, url = APIClient(), f"/api/v1/articles/{desk.bafta.slug}/"
    first = api.get(url)
    assert first.json()["corrections"] == []
    assert api.get(url, HTTP_IF_NONE_MATCH=first.headers["ETag"]).status_code == 304
    article_add_correction(article=desk.bafta, note=NOTE)
    assert api.get(url).json()["corrections"][0]["note"] == NOTE


def test_the_api_answers_410_with_the_note_for_a_withdrawn_quote(desk):
    api, url = APIClient(), f"/api/v1/quotes/{desk.giovanni_quote.pk}/"
    assert api.get(url).status_code == 200
    quote_withdraw(quote=desk.giovanni_quote, note=NOTE)
    response = api.get(url)
    assert response.status_code == 410
    data = response.json()
    assert data["note"] == NOTE
    assert data["id"] == desk.giovanni_quote.pk
    assert data["article"]["slug"] == desk.bafta.slug


def test_editors_post_a_correction_through_the_api(desk, editor_api):
    url = f"/api/v1/articles/{desk.bafta.slug}/corrections/"
    response = editor_api.post(url, {"note": NOTE, "date": "2024-03-05"}, format="json")
    assert response.status_code == 201
    assert response.json() == {
        "date": "2024-03-05",
        "note": NOTE,
        "kind": "correction",
        "quote": None,
    }
    assert desk.bafta.corrections.get().note == NOTE
    blank = editor_api.post(url, {"note": "   "}, format="json")
    assert blank.status_code == 400
    assert "note" in blank.json()
    assert APIClient().post(url, {"note": NOTE}, format="json").status_code in (401, 403)
    assert desk.bafta.corrections.count() == 1


def test_editors_withdraw_a_quote_through_the_api(desk, editor_api):
    quote = desk.giovanni_quote
    url = f"/api/v1/quotes/{quote.pk}/withdraw/"
    assert editor_api.post(url, {"note": NOTE}, format="json").status_code == 428
    assert editor_api.post(url, {"note": NOTE, "version": 9}, format="json").status_code == 409
    stale = editor_api.post(url, {"note": NOTE}, format="json", HTTP_IF_MATCH="9")
    assert stale.status_code == 412
    assert editor_api.post(url, {"note": "", "version": 1}, format="json").status_code == 400
    response = editor_api.post(url, {"note": NOTE}, format="json", HTTP_IF_MATCH="1")
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert Correction.objects.get(quote_id=quote.pk).note == NOTE
    again = editor_api.post(url, {"note": NOTE, "version": 2}, format="json")
    assert again.status_code == 409
    assert APIClient().post(url, {"note": NOTE, "version": 2}, format="json").status_code in (
        401,
        403,
    )


# --- Admin (an editor, not a superuser) ------------------------------------------------


def test_an_editor_adds_a_correction_in_the_article_admin(client, desk):
    editor = make_editor()
    client.force_login(editor)
    url = reverse("admin:articles_article_change", args=[desk.bafta.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(page)
    data.update(
        {
            "corrections-TOTAL_FORMS": "1",
            "corrections-0-published_on": "05/03/2024",
            "corrections-0-note": NOTE,
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context and [
        f.errors for f in response.context["inline_admin_formsets"]
    ]
    correction = desk.bafta.corrections.get()
    assert correction.note == NOTE
    assert correction.published_on == dt.date(2024, 3, 5)
    assert correction.created_by == editor
    assert correction.history.get().history_user == editor
    assert NOTE in client.get(desk.bafta.get_absolute_url()).content.decode()


def test_the_article_admin_refuses_a_blank_correction(client, desk):
    client.force_login(make_editor())
    url = reverse("admin:articles_article_change", args=[desk.bafta.pk])
    data = form_data(client.get(url))
    data.update({"corrections-TOTAL_FORMS": "1", "corrections-0-note": "  "})
    data["corrections-0-published_on"] = "05/03/2024"
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with the error
    assert not Correction.objects.exists()


def test_an_editor_withdraws_a_quote_with_a_public_note_in_the_admin(client, desk):
    editor = make_editor()
    client.force_login(editor)
    changelist = reverse("admin:articles_quote_changelist")
    quote = desk.giovanni_quote
    # The quote's own page offers it too: a button posting the list's action for it.
    page = client.get(reverse("admin:articles_quote_change", args=[quote.pk])).content.decode()
    assert 'name="action" value="withdraw_with_note"' in page
    selected = {"action": "withdraw_with_note", "_selected_action": [str(quote.pk)]}
    confirm = client.post(changelist, {**selected, "index": "0"})
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "Withdraw with this note" in html
    assert f'name="version_{quote.pk}" value="1"' in html
    response = client.post(
        changelist, {**selected, "apply": "1", f"version_{quote.pk}": "1", "note": NOTE}
    )
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.status == Quote.Status.REJECTED
    withdrawal = Correction.objects.get(quote_id=quote.pk)
    assert (withdrawal.kind, withdrawal.note, withdrawal.created_by) == ("withdrawal", NOTE, editor)
    client.logout()
    assert client.get(quote.get_absolute_url()).status_code == 410


def test_a_stale_withdrawal_in_the_admin_is_refused(client, desk):
    client.force_login(make_editor())
    changelist = reverse("admin:articles_quote_changelist")
    quote = desk.giovanni_quote
    response = client.post(
        changelist,
        {
            "action": "withdraw_with_note",
            "_selected_action": [str(quote.pk)],
            "apply": "1",
            f"version_{quote.pk}": "5",
            "note": NOTE,
        },
        follow=True,
    )
    assert "changed by someone else" in response.content.decode()
    assert not Correction.objects.exists()


# --- Modification time and feeds ------------------------------------------------------


def test_a_correction_moves_the_articles_modification_time(client, desk):
    """JSON-LD ``dateModified``, feeds' updated dates and the API's ``updated_at`` read the
    article's modification time: a correction is a modification, also from the admin
    inline (which saves the model directly)."""
    from articles.models import Article

    Article.objects.filter(pk=desk.bafta.pk).update(
        updated_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    )
    before = Article.objects.get(pk=desk.bafta.pk).updated_at
    Correction.objects.create(article=desk.bafta, note=NOTE)
    after = Article.objects.get(pk=desk.bafta.pk).updated_at
    assert after > before
    data = json_ld(client.get(desk.bafta.get_absolute_url()))
    assert data["dateModified"] == after.isoformat()


@pytest.mark.parametrize("feed", ["web:feed-articles-rss", "web:feed-articles-atom"])
def test_feeds_carry_an_articles_corrections_escaped(
    client, desk, feed, django_assert_max_num_queries
):
    article_add_correction(
        article=desk.bafta, note="It was <b>not</b> best dance.", published_on=dt.date(2024, 3, 5)
    )
    article_add_correction(article=desk.tour, note="Second <i>note</i>.")
    with django_assert_max_num_queries(8):
        body = client.get(reverse(feed)).content.decode()
    assert "Correction, 5 March 2024: It was &amp;lt;b&amp;gt;not" in body or (
        "Correction, 5 March 2024: It was &lt;b&gt;not&lt;/b&gt; best dance." in body
    )
    assert "<b>not</b>" not in body
    assert body.count("Correction, ") == 2
