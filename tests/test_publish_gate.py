"""The publish gate: abstain rather than misattribute.

An unreviewed quote below ``NEWSROOM_PUBLISH_MIN_CONFIDENCE`` is held back from every
public surface (pages, feeds, sitemap, search, the anonymous API) until an editor confirms
it; editors see it everywhere. Confirmed quotes are public whatever their confidence,
rejected ones never. The threshold is pinned here, so that tuning the default in
``extraction/policy.py`` does not change what these tests mean.
"""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from articles import services
from articles.content_version import content_state
from articles.models import Article, Quote
from people.models import Person
from tests.api_support import *  # noqa: F403  (fixtures: anon, editor, editor_api, ...)
from tests.api_support import ids, results
from tests.factories import (
    make_alias,
    make_editor,
    make_mention_in,
    make_person,
    make_quote_in,
    make_story,
)

pytestmark = pytest.mark.django_db

THRESHOLD = 0.6
API = "/api/v1/quotes/"
QUEUE = reverse("admin:articles_quote_changelist")


@pytest.fixture
def gate(settings):
    """A published story with one quote of each kind, plus a person quoted only by a
    held-back quote that kept its speaker (as after the threshold was raised)."""
    from types import SimpleNamespace

    settings.NEWSROOM_PUBLISH_MIN_CONFIDENCE = THRESHOLD
    w = SimpleNamespace()
    w.rose = make_person("Rose Ayling-Ellis")
    make_alias(w.rose, "Rose")
    w.gio = make_person("Giovanni Pernice")
    w.loner = make_person("Held Onlyperson")
    w.story = make_story(
        "Strictly pair return to the ballroom",
        [
            'Rose Ayling-Ellis said: "The glitterball still shines."',
            '"Velvet thunder rolled across the floor," someone said.',
            'Giovanni Pernice said: "Silver lanterns guided us home."',
            '"Crimson harbour lights were never ours," a voice added.',
            '"Marmalade skies above Margate," it was said.',
        ],
        published_at=dt.datetime(2024, 5, 12, 18, 0, tzinfo=dt.UTC),
    )
    make_mention_in(w.story, w.rose, "Rose Ayling-Ellis")
    make_mention_in(w.story, w.gio, "Giovanni Pernice")
    # Sure enough: public unreviewed.
    w.sure = make_quote_in(w.story, "The glitterball still shines.", speaker=w.rose, confidence=0.9)
    # As the importer stores an unsure quote: no speaker, the candidate suggested.
    w.held = make_quote_in(
        w.story, "Velvet thunder rolled across the floor,", suggested_speaker=w.rose, confidence=0.3
    )
    # Confirmed by an editor: public however unsure the extractor was.
    w.confirmed = make_quote_in(
        w.story,
        "Silver lanterns guided us home.",
        speaker=w.gio,
        confidence=0.1,
        status=Quote.Status.CONFIRMED,
    )
    # Rejected: never public, however sure.
    w.rejected = make_quote_in(
        w.story,
        "Crimson harbour lights were never ours,",
        speaker=w.gio,
        confidence=1.0,
        status=Quote.Status.REJECTED,
    )
    # Below the threshold but with a speaker: still held back, and its speaker not public.
    w.held_named = make_quote_in(
        w.story, "Marmalade skies above Margate,", speaker=w.loner, confidence=0.4
    )
    return w


def page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def permalink(quote) -> str:
    return reverse("web:quote", kwargs={"pk": quote.pk})


# --- The rule ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "confidence", "article_status", "public"),
    [
        (Quote.Status.AUTO, 0.9, Article.Status.PUBLISHED, True),
        (Quote.Status.AUTO, THRESHOLD, Article.Status.PUBLISHED, True),  # at the threshold
        (Quote.Status.AUTO, 0.59, Article.Status.PUBLISHED, False),
        (Quote.Status.AUTO, 0.0, Article.Status.PUBLISHED, False),
        (Quote.Status.CONFIRMED, 0.0, Article.Status.PUBLISHED, True),
        (Quote.Status.CONFIRMED, 1.0, Article.Status.DRAFT, False),
        (Quote.Status.REJECTED, 1.0, Article.Status.PUBLISHED, False),
        (Quote.Status.REJECTED, 0.1, Article.Status.PUBLISHED, False),
        (Quote.Status.AUTO, 1.0, Article.Status.DRAFT, False),
    ],
)
def test_public_queryset_is_the_publish_gate(settings, status, confidence, article_status, public):
    """Public: a published article's quote that is confirmed, or unreviewed at or above the
    threshold. Rejected never, drafts never."""
    settings.NEWSROOM_PUBLISH_MIN_CONFIDENCE = THRESHOLD
    story = make_story("A story", ['She said: "Words."'], status=article_status)
    quote = make_quote_in(story, "Words.", confidence=confidence, status=status)
    assert Quote.objects.public().filter(pk=quote.pk).exists() is public


def test_threshold_is_read_at_query_time(settings, gate, anon):
    """Changing the setting changes what is public at once, with no re-import or reindex,
    and gives the website's and the API's caches a new content version."""
    before = content_state()
    settings.NEWSROOM_PUBLISH_MIN_CONFIDENCE = 0.2
    assert content_state().token != before.token
    assert Quote.objects.public().filter(pk=gate.held.pk).exists()
    assert anon.get(f"{API}{gate.held.pk}/").status_code == 200
    assert gate.held.pk in ids(anon.get(API, {"q": "velvet thunder"}))
    settings.NEWSROOM_PUBLISH_MIN_CONFIDENCE = 0.95
    assert not Quote.objects.public().filter(pk=gate.sure.pk).exists()
    assert anon.get(f"{API}{gate.sure.pk}/").status_code == 404
    assert Quote.objects.public().filter(pk=gate.confirmed.pk).exists()


# --- The website --------------------------------------------------------------------------


def test_article_page_highlights_only_public_quotes(client, gate):
    """The held-back quote is neither highlighted, linked nor listed (its words stay in the
    story as plain text); confirmed low-confidence quotes are; rejected ones are not."""
    html = page(client, gate.story.get_absolute_url())
    assert f'href="{permalink(gate.sure)}"' in html
    assert f'href="{permalink(gate.confirmed)}"' in html
    for hidden in (gate.held, gate.held_named, gate.rejected):
        assert f'href="{permalink(hidden)}"' not in html
        assert f'id="quote-{hidden.pk}"' not in html
    assert "<mark>Velvet thunder" not in html and "Velvet thunder rolled" in html
    assert "Held Onlyperson" not in html


def test_held_back_permalink_is_not_found(client, gate):
    """/quotes/<id>/ answers 404 for held-back and rejected quotes, 200 for public ones."""
    for hidden in (gate.held, gate.held_named, gate.rejected):
        html = page(client, permalink(hidden), status=404)
        assert hidden.text[:12] not in html
    assert "Silver lanterns" in page(client, permalink(gate.confirmed))
    assert "The glitterball" in page(client, permalink(gate.sure))


def test_person_page_and_people_list_skip_held_back_quotes(client, gate):
    """Rose's timeline shows her public quote only (not the quote suggested for her); a
    person named only by a held-back quote has no page and is not listed."""
    html = page(client, gate.rose.get_absolute_url())
    assert "The glitterball still shines." in html
    assert "Velvet thunder" not in html
    assert "<strong>1</strong> quote<" in html
    page(client, gate.loner.get_absolute_url(), status=404)
    people = page(client, reverse("web:people"))
    assert "Rose Ayling-Ellis" in people and "Held Onlyperson" not in people


def test_home_counts_public_quotes_only(client, gate):
    """The "most quoted" box counts public quotes: one each for Rose and Giovanni, none
    for the speaker of a held-back quote."""
    html = page(client, "/")
    box = html.split('id="quoted-heading"', 1)[1].split("</aside>", 1)[0]
    assert "Rose Ayling-Ellis" in box and "1 quote<" in box
    assert "Held Onlyperson" not in box


def test_feeds_and_sitemap_skip_held_back_quotes(client, gate):
    """Person feeds (RSS and Atom) carry public quotes only; the speaker of a held-back
    quote has no feed and is not in the sitemap."""
    for kind in ("rss", "atom"):
        feed = page(client, reverse(f"web:feed-person-{kind}", kwargs={"slug": gate.rose.slug}))
        ET.fromstring(feed)  # well formed
        assert "“The glitterball still shines.”" in feed
        # (The story's own summary may hold the words, but not as a quote item.)
        assert "“Velvet thunder" not in feed and permalink(gate.held) not in feed
        page(client, reverse(f"web:feed-person-{kind}", kwargs={"slug": gate.loner.slug}), 404)
    latest = page(client, reverse("web:feed-articles-rss"))
    assert permalink(gate.held) not in latest
    sitemap = page(client, reverse("web:sitemap-section", kwargs={"section": "people"}))
    assert gate.rose.get_absolute_url() in sitemap
    assert gate.loner.get_absolute_url() not in sitemap


def test_search_page_never_finds_held_back_quotes(client, gate):
    """/search/ finds public quotes by their words, never a held-back or rejected one."""
    for words, hidden in (
        ("velvet thunder", gate.held),
        ("marmalade margate", gate.held_named),
        ("crimson harbour", gate.rejected),
    ):
        html = page(client, f"/search/?q={words}")
        assert permalink(hidden) not in html
        assert f'href="{gate.story.get_absolute_url()}"' in html  # the story itself is found
    assert permalink(gate.confirmed) in page(client, "/search/?q=silver lanterns")
    assert "Held Onlyperson" not in page(client, "/search/?q=onlyperson")


def test_search_service_applies_the_gate(gate):
    """The search service's public ids leave held-back quotes out; editors' include them."""
    from search.services import quote_ids, search

    assert quote_ids("velvet thunder") == []
    assert quote_ids("velvet thunder", include_drafts=True) == [gate.held.pk]
    assert search("velvet thunder").quotes.total == 0
    assert quote_ids("silver lanterns") == [gate.confirmed.pk]


# --- The API ------------------------------------------------------------------------------


def test_anonymous_api_never_shows_held_back_quotes(anon, gate):
    """List, detail, full-text `q`, speaker filter and timelines leave them out."""
    assert set(ids(anon.get(API))) == {gate.sure.pk, gate.confirmed.pk}
    assert anon.get(API).json()["count"] == 2
    for hidden in (gate.held, gate.held_named, gate.rejected):
        assert anon.get(f"{API}{hidden.pk}/").status_code == 404
    assert ids(anon.get(API, {"q": "velvet thunder"})) == []
    assert ids(anon.get(API, {"speaker": gate.rose.slug})) == [gate.sure.pk]
    timeline = results(anon.get(f"/api/v1/people/{gate.rose.slug}/timeline/"))
    quotes = [item["quote"]["id"] for item in timeline if item["type"] == "quote"]
    assert quotes == [gate.sure.pk]
    assert anon.get(f"/api/v1/people/{gate.loner.slug}/timeline/").status_code == 404
    assert anon.get(f"/api/v1/people/{gate.loner.slug}/").status_code == 404


def test_anonymous_api_never_shows_suggestions(anon, gate):
    """A suggested speaker is an unconfirmed guess: not in public responses. The confidence
    of a public quote is provenance partners asked for (issue 15) and is shown."""
    data = anon.get(f"{API}{gate.confirmed.pk}/").json()
    assert "suggested_speaker" not in data
    assert data["confidence"] == gate.confirmed.confidence
    for row in anon.get(API).json()["results"]:
        assert "suggested_speaker" not in row


def test_editors_see_held_back_quotes_with_their_suggestion(editor_api, gate):
    """Editors see every quote, with its confidence and suggested speaker."""
    listed = ids(editor_api.get(API))
    assert {gate.held.pk, gate.held_named.pk, gate.rejected.pk} <= set(listed)
    data = editor_api.get(f"{API}{gate.held.pk}/").json()
    assert data["speaker"] is None
    assert data["suggested_speaker"] == {
        "id": gate.rose.pk,
        "name": "Rose Ayling-Ellis",
        "slug": gate.rose.slug,
    }
    assert data["confidence"] == pytest.approx(0.3)
    assert ids(editor_api.get(API, {"q": "velvet thunder"})) == [gate.held.pk]
    timeline = results(editor_api.get(f"/api/v1/people/{gate.loner.slug}/timeline/"))
    assert [item["quote"]["id"] for item in timeline] == [gate.held_named.pk]


def test_api_accept_suggestion_publishes_under_the_suggested_speaker(editor_api, anon, gate):
    """POST accept-suggestion: the suggestion becomes the speaker, the quote is confirmed
    and public, on the API and on the suggested person's page."""
    response = editor_api.post(f"{API}{gate.held.pk}/accept-suggestion/", {"version": 1})
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["speaker"]["slug"], data["status"], data["suggested_speaker"]) == (
        gate.rose.slug,
        "confirmed",
        None,
    )
    public = anon.get(f"{API}{gate.held.pk}/").json()
    assert public["speaker"]["slug"] == gate.rose.slug
    assert gate.held.pk in ids(anon.get(API, {"speaker": gate.rose.slug}))


def test_api_accept_suggestion_without_one_is_400(editor_api, anon, gate):
    """A quote with no suggestion cannot accept one; anonymous clients cannot at all."""
    response = editor_api.post(f"{API}{gate.held_named.pk}/accept-suggestion/", {"version": 1})
    assert response.status_code == 400
    assert "suggested_speaker" in response.json()
    assert anon.post(f"{API}{gate.held.pk}/accept-suggestion/").status_code == 401
    assert Quote.objects.get(pk=gate.held.pk).status == Quote.Status.AUTO


# --- Confirming makes it public (and the HTTP caches follow) -------------------------------


def test_confirming_a_held_back_quote_makes_it_public_everywhere(client, anon, editor_api, gate):
    """After an editor confirms it, the quote is on the article page, its permalink, the
    search page and the anonymous API; conditional GETs with the old ETags get the new
    content, not a 304."""
    article_url = gate.story.get_absolute_url()
    first = client.get(article_url)
    api_first = anon.get(f"{API}?q=velvet")
    assert results(api_first) == []
    response = editor_api.post(f"{API}{gate.held.pk}/confirm/", {"version": 1})
    assert response.status_code == 200
    again = client.get(article_url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 200
    assert f'href="{permalink(gate.held)}"' in again.content.decode()
    api_again = anon.get(f"{API}?q=velvet", headers={"If-None-Match": api_first["ETag"]})
    assert ids(api_again) == [gate.held.pk]
    assert "Velvet thunder" in page(client, permalink(gate.held))
    assert permalink(gate.held) in page(client, "/search/?q=velvet thunder")
    # Confirmed as it stood: no speaker, so nobody is credited with it.
    assert anon.get(f"{API}{gate.held.pk}/").json()["speaker"] is None


def test_rejected_quote_stays_hidden_whatever_its_confidence(client, anon, settings, gate):
    """Even with a threshold of 0, a rejected quote is on no public surface."""
    settings.NEWSROOM_PUBLISH_MIN_CONFIDENCE = 0.0
    page(client, permalink(gate.rejected), status=404)
    assert anon.get(f"{API}{gate.rejected.pk}/").status_code == 404
    assert ids(anon.get(API, {"q": "crimson harbour"})) == []
    assert f'href="{permalink(gate.rejected)}"' not in page(client, gate.story.get_absolute_url())


# --- The admin ----------------------------------------------------------------------------


def queue_rows(response):
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_review_queue_puts_held_back_quotes_first_with_their_suggestion(editor_client, gate):
    """Least sure unreviewed quotes lead the queue, each showing its suggested speaker;
    the "public" filter lists the held-back ones."""
    response = editor_client.get(QUEUE)
    rows = queue_rows(response)
    assert rows[:3] == [gate.held, gate.held_named, gate.sure]
    assert "suggested: <em>Rose Ayling-Ellis</em>" in response.content.decode()
    assert queue_rows(editor_client.get(QUEUE, {"public": "held"})) == [
        gate.held,
        gate.held_named,
    ]
    public = queue_rows(editor_client.get(QUEUE, {"public": "yes"}))
    assert set(public) == {gate.sure, gate.confirmed}


def test_admin_action_accepts_the_suggestion_and_confirms(editor_client, client, gate):
    """The queue's action publishes a held-back quote under its suggested speaker, in one
    step, recorded in history; quotes without a suggestion are left alone."""
    response = editor_client.post(
        QUEUE,
        {"action": "accept_suggestion", "_selected_action": [gate.held.pk, gate.held_named.pk]},
        follow=True,
    )
    assert "1 quotes confirmed under their suggested speaker" in response.content.decode()
    held = Quote.objects.get(pk=gate.held.pk)
    assert (held.speaker, held.suggested_speaker, held.status) == (
        gate.rose,
        None,
        Quote.Status.CONFIRMED,
    )
    assert (held.attribution_rule, held.confidence, held.speaker_corrected) == ("", 0.3, False)
    assert held.history.first().history_change_reason == "suggested speaker accepted"
    assert held.history.first().history_user.username == "editor"
    assert Quote.objects.get(pk=gate.held_named.pk).status == Quote.Status.AUTO
    client.logout()
    assert "Velvet thunder" in page(client, gate.rose.get_absolute_url())


def test_quote_page_in_admin_offers_accepting_the_suggestion(editor_client, gate):
    """The held-back quote's admin page shows the suggestion and a button accepting it."""
    change = reverse("admin:articles_quote_change", args=[gate.held.pk])
    accept = reverse("admin:articles_quote_accept_suggestion", args=[gate.held.pk])
    html = page(editor_client, change)
    assert f'action="{accept}"' in html and "Rose Ayling-Ellis" in html
    assert editor_client.get(accept).status_code == 405
    response = editor_client.post(accept, {"version": "1"})
    assert response.status_code == 302
    assert Quote.objects.get(pk=gate.held.pk).speaker == gate.rose
    # Stale: the version the editor saw is gone.
    other = make_quote_in(
        gate.story, "Velvet thunder", occurrence=1, suggested_speaker=gate.gio, confidence=0.1
    )
    Quote.objects.filter(pk=other.pk).update(version=3)
    accept_other = reverse("admin:articles_quote_accept_suggestion", args=[other.pk])
    followed = editor_client.post(accept_other, {"version": "1"}, follow=True)
    assert "changed by someone else" in followed.content.decode()
    assert Quote.objects.get(pk=other.pk).status == Quote.Status.AUTO


def test_bulk_confirm_warns_about_unaccepted_suggestions(editor_client, gate):
    """Confirming a held-back quote as it stands publishes it without a speaker, and the
    editor is told the suggestion was not accepted."""
    response = editor_client.post(
        QUEUE, {"action": "confirm", "_selected_action": [gate.held.pk]}, follow=True
    )
    assert "had a suggested speaker, not accepted" in response.content.decode()
    held = Quote.objects.get(pk=gate.held.pk)
    assert (held.status, held.speaker, held.suggested_speaker) == (
        Quote.Status.CONFIRMED,
        None,
        gate.rose,
    )


def test_editor_without_change_permission_cannot_accept(client, gate):
    """The accept button's URL needs the quote change permission."""
    from django.contrib.auth.models import Permission

    viewer = make_editor(username="viewer")
    viewer.groups.clear()
    viewer.user_permissions.add(Permission.objects.get(codename="view_quote"))
    client.force_login(viewer)
    accept = reverse("admin:articles_quote_accept_suggestion", args=[gate.held.pk])
    assert client.post(accept, {"version": "1"}).status_code == 403
    assert Quote.objects.get(pk=gate.held.pk).status == Quote.Status.AUTO


# --- Services -------------------------------------------------------------------------------


def test_setting_the_speaker_by_hand_clears_the_suggestion(gate):
    """quote_set_speaker settles the suggestion, whoever the editor names."""
    services.quote_set_speaker(quote=gate.held, speaker=gate.gio)
    held = Quote.objects.get(pk=gate.held.pk)
    assert (held.speaker, held.suggested_speaker, held.status) == (
        gate.gio,
        None,
        Quote.Status.CONFIRMED,
    )


def test_accepting_without_a_suggestion_raises(gate):
    """quote_accept_suggestion refuses a quote with no suggestion, and writes nothing."""
    with pytest.raises(services.NoSuggestion):
        services.quote_accept_suggestion(quote=gate.held_named)
    assert Quote.objects.get(pk=gate.held_named.pk).version == 1


def test_merging_people_moves_their_suggestions(gate):
    """A suggestion of a merged person points at the person kept."""
    services.person_merge(source=gate.rose, target=gate.gio)
    assert Quote.objects.get(pk=gate.held.pk).suggested_speaker == gate.gio


def test_rejecting_a_person_drops_suggestions_of_them(gate):
    """A name marked as not a person is no longer suggested; the quote stays held back."""
    services.person_reject_as_not_person(person=gate.rose)
    held = Quote.objects.get(pk=gate.held.pk)
    assert (held.suggested_speaker, held.status, held.version) == (None, "auto", 2)
    assert not Quote.objects.public().filter(pk=held.pk).exists()
    assert not Person.objects.filter(pk=gate.rose.pk).exists()
