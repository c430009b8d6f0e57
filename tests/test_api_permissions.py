"""Editors' writes through the API: who may write, the services' effects, history, locking."""

import pytest
from django.contrib.auth import get_user_model

from articles.models import Article, Quote
from people.models import Person, PersonRedirect
from tests.api_support import *  # noqa: F403  (fixtures)

pytestmark = pytest.mark.django_db

QUOTES = "/api/v1/quotes/"
ARTICLES = "/api/v1/articles/"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "quotes/{q}/confirm/"),
        ("post", "quotes/{q}/reject/"),
        ("patch", "quotes/{q}/"),
        ("post", "articles/{a}/publish/"),
        ("post", "articles/{a}/unpublish/"),
        ("post", "people/rose-ayling-ellis/merge/"),
    ],
)
def test_anonymous_writes_are_401(anon, world, method, path):
    """Anonymous clients cannot write: 401 with a token challenge, nothing changes."""
    url = "/api/v1/" + path.format(q=world.q_fan.pk, a=world.pub1.slug)
    response = getattr(anon, method)(url, {"speaker_label": "x"}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert Quote.objects.get(pk=world.q_fan.pk).status == Quote.Status.AUTO


def test_non_staff_user_cannot_write(anon, world):
    """A logged-in reader who is not staff gets 403."""
    user = get_user_model().objects.create_user("reader", password="pw-reader-123")
    anon.force_authenticate(user)
    assert anon.post(f"{QUOTES}{world.q_fan.pk}/confirm/").status_code == 403


def test_staff_without_permission_cannot_write(anon, world):
    """Staff without the model permission get 403."""
    user = get_user_model().objects.create_user("intern", password="pw-intern-123", is_staff=True)
    anon.force_authenticate(user)
    assert anon.post(f"{QUOTES}{world.q_fan.pk}/confirm/").status_code == 403


def test_editor_confirms_a_quote_recorded_in_history(editor_api, editor, world):
    """Confirming goes through the service: status, version and the history's user."""
    response = editor_api.post(f"{QUOTES}{world.q_fan.pk}/confirm/", {"version": 1}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "confirmed"
    quote = Quote.objects.get(pk=world.q_fan.pk)
    assert (quote.status, quote.version) == (Quote.Status.CONFIRMED, 2)
    assert quote.reviewed_at is not None
    assert quote.history.latest().history_user == editor


def test_rejected_quote_disappears_for_the_public(editor_api, anon, world):
    """After an editor rejects a quote, the public no longer sees it."""
    response = editor_api.post(f"{QUOTES}{world.q_rose.pk}/reject/", {"version": 1})
    assert response.status_code == 200
    assert anon.get(f"{QUOTES}{world.q_rose.pk}/").status_code == 404


def test_editor_sets_speaker_by_slug_or_id(editor_api, world):
    """PATCH with a person slug or id sets the speaker; the quote becomes confirmed."""
    url = f"{QUOTES}{world.q_fan.pk}/"
    data = editor_api.patch(
        url, {"speaker": "giovanni-pernice", "version": 1}, format="json"
    ).json()
    assert data["speaker"]["slug"] == "giovanni-pernice"
    assert data["speaker_label"] is None
    assert data["status"] == "confirmed"
    data = editor_api.patch(
        url, {"speaker": str(world.rose.pk), "version": data["version"]}, format="json"
    ).json()
    assert data["speaker"]["id"] == world.rose.pk
    assert Quote.objects.get(pk=world.q_fan.pk).speaker_corrected


def test_editor_sets_speaker_label(editor_api, world):
    """PATCH with speaker null and a label makes it a labelled quote."""
    url = f"{QUOTES}{world.q_rose.pk}/"
    data = editor_api.patch(
        url, {"speaker": None, "speaker_label": "a BBC spokeswoman", "version": 1}, format="json"
    ).json()
    assert (data["speaker"], data["speaker_label"]) == (None, "a BBC spokeswoman")


@pytest.mark.parametrize(
    "payload", [{}, {"speaker": "no-such-person"}, {"speaker": "giovanni-pernice", "version": 0}]
)
def test_invalid_speaker_payload_is_400(editor_api, world, payload):
    """An empty body, an unknown person or a bad version is a 400 and nothing changes."""
    response = editor_api.patch(f"{QUOTES}{world.q_fan.pk}/", payload, format="json")
    assert response.status_code == 400
    assert Quote.objects.get(pk=world.q_fan.pk).version == 1


def test_stale_version_in_body_is_409(editor_api, world):
    """A `version` older than the server's is refused with 409 and a clear message."""
    Quote.objects.filter(pk=world.q_fan.pk).update(version=3)
    response = editor_api.post(f"{QUOTES}{world.q_fan.pk}/confirm/", {"version": 2}, format="json")
    assert response.status_code == 409
    assert "changed by someone else" in response.json()["detail"]
    assert Quote.objects.get(pk=world.q_fan.pk).status == Quote.Status.AUTO


def test_current_version_is_accepted(editor_api, world):
    """The current version in the body lets the write through."""
    response = editor_api.post(f"{QUOTES}{world.q_fan.pk}/reject/", {"version": 1}, format="json")
    assert response.status_code == 200
    assert response.json()["version"] == 2


def test_stale_if_match_is_412(editor_api, world):
    """A stale version in If-Match is a 412; the current one passes."""
    url = f"{ARTICLES}{world.pub1.slug}/unpublish/"
    assert editor_api.post(url, HTTP_IF_MATCH='"7"').status_code == 412
    assert editor_api.post(url, HTTP_IF_MATCH='"1"').status_code == 200
    assert editor_api.post(url, HTTP_IF_MATCH="nonsense").status_code == 400


def test_publish_and_unpublish(editor_api, anon, editor, world):
    """Publishing shows a draft to the public; unpublishing hides it; history has the user."""
    response = editor_api.post(f"{ARTICLES}{world.draft.slug}/publish/", {"version": 1})
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    assert anon.get(f"{ARTICLES}{world.draft.slug}/").status_code == 200
    assert anon.get(f"{QUOTES}{world.q_draft.pk}/").status_code == 200
    unpublish = f"{ARTICLES}{world.draft.slug}/unpublish/"
    assert editor_api.post(unpublish, HTTP_IF_MATCH='"2"').status_code == 200
    assert anon.get(f"{ARTICLES}{world.draft.slug}/").status_code == 404
    article = Article.objects.get(pk=world.draft.pk)
    assert article.history.latest().history_user == editor


def test_merge_people(editor_api, world):
    """Merging moves quotes and events to the kept person and answers the kept person."""
    response = editor_api.post(
        "/api/v1/people/giovanni-pernice/merge/", {"into": "rose-ayling-ellis"}, format="json"
    )
    assert response.status_code == 200
    assert "Giovanni Pernice" in response.json()["aliases"]
    assert not Person.objects.filter(slug="giovanni-pernice").exists()
    assert PersonRedirect.objects.get(old_slug="giovanni-pernice").person == world.rose


def test_merge_into_self_or_unknown_is_400(editor_api, world):
    """Merging a person into themselves or into nobody is refused."""
    url = "/api/v1/people/rose-ayling-ellis/merge/"
    assert editor_api.post(url, {"into": "rose-ayling-ellis"}, format="json").status_code == 400
    assert editor_api.post(url, {"into": "ghost"}, format="json").status_code == 400


def test_session_editor_can_read_drafts(client, editor, world):
    """Session (admin login) authentication works for reads too."""
    client.force_login(editor)
    assert client.get(f"{ARTICLES}{world.draft.slug}/").status_code == 200


def test_session_write_requires_csrf(editor, world):
    """Session-authenticated writes need the CSRF token, like the admin."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert client.post(f"{QUOTES}{world.q_fan.pk}/confirm/").status_code == 403
