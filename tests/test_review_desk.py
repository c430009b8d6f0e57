"""The review desk (issue 14, point 3): unreviewed quotes decided one click at a time,
through the services (history, optimistic locking), with bounded queries."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from articles.models import Article, Quote
from tests.factories import make_alias, make_article, make_person, make_quote_in

pytestmark = pytest.mark.django_db

BODY = (
    "Rose Ayling-Ellis lifted the glitterball. “It was a dream come true,” she said. "
    "One fan shouted: “Best final ever!” Giovanni Pernice said “We did it.” "
    "Later “What a night,” said the host."
)
DESK = "/admin/articles/quote/desk/"
JSON = {"HTTP_ACCEPT": "application/json"}


def decide_url(quote):
    return reverse("admin:articles_quote_desk_decide", args=[quote.pk])


@pytest.fixture
def story():
    article = make_article("Rose wins the final", body=BODY, status=Article.Status.DRAFT)
    rose = make_person("Rose Ayling-Ellis")
    make_alias(rose, "Rosie")
    gio = make_person("Giovanni Pernice")
    quotes = {
        "dream": make_quote_in(
            article, "It was a dream come true,", confidence=0.4, attribution_rule="pronoun"
        ),
        "final": make_quote_in(
            article, "Best final ever!", confidence=0.2, speaker_label="One fan"
        ),
        "did": make_quote_in(article, "We did it.", confidence=0.9, speaker=gio),
        "night": make_quote_in(article, "What a night,", confidence=0.6, suggested_speaker=gio),
    }
    return article, rose, gio, quotes


def test_desk_lists_unreviewed_quotes_lowest_confidence_first(editor_client, story):
    """Only unreviewed quotes are on the desk, least sure first, each in its sentence with
    the quote highlighted, its headline, proposed speaker, rule and confidence."""
    _, _, _, quotes = story
    Quote.objects.filter(pk=quotes["did"].pk).update(status=Quote.Status.CONFIRMED)
    response = editor_client.get(DESK)
    assert response.status_code == 200
    html = response.content.decode()
    ids = [row["quote"].pk for row in response.context["rows"]]
    assert ids == [quotes["final"].pk, quotes["dream"].pk, quotes["night"].pk]
    assert "<strong>It was a dream come true,</strong>” she said." in html
    assert "Rose wins the final" in html
    assert "<code>pronoun</code>" in html
    assert "Giovanni Pernice <em>(suggested)</em>" in html
    assert "<em>One fan</em>" in html
    assert "<kbd>j</kbd>" in html  # the keys are documented on the page
    assert 'src="/static/js/review_desk.js"' in html


def test_band_filter(editor_client, story):
    """A band shows only its quotes."""
    _, _, _, quotes = story
    response = editor_client.get(DESK, {"band": "medium"})
    assert [row["quote"].pk for row in response.context["rows"]] == [quotes["night"].pk]
    response = editor_client.get(DESK, {"band": "nonsense", "page": "¹"})
    assert len(response.context["rows"]) == 4


def test_desk_paginates(editor_client, story, monkeypatch):
    """The desk shows a page at a time."""
    monkeypatch.setattr("articles.review_desk.PER_PAGE", 3)
    first = editor_client.get(DESK)
    second = editor_client.get(DESK, {"page": 2})
    assert len(first.context["rows"]) == 3
    assert len(second.context["rows"]) == 1
    assert "page=2" in first.content.decode()


def test_anonymous_and_non_staff_are_sent_to_login(client, story):
    """The desk and its decisions are behind the admin log-in."""
    _, _, _, quotes = story
    assert client.get(DESK).status_code == 302
    user = get_user_model().objects.create_user("reader", password="x")
    client.force_login(user)
    response = client.get(DESK)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    response = client.post(decide_url(quotes["dream"]), {"decision": "reject", "version": 1})
    assert response.status_code == 302
    assert Quote.objects.get(pk=quotes["dream"].pk).status == Quote.Status.AUTO


def test_staff_without_change_quote_get_403(client, story):
    """Staff who may not change quotes cannot open the desk or decide."""
    _, _, _, quotes = story
    user = get_user_model().objects.create_user("intern", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_quote"))
    client.force_login(user)
    assert client.get(DESK).status_code == 403
    response = client.post(decide_url(quotes["dream"]), {"decision": "reject", "version": 1})
    assert response.status_code == 403
    assert Quote.objects.get(pk=quotes["dream"].pk).status == Quote.Status.AUTO


def test_editor_is_not_superuser_and_can_use_it(editor_client):
    """The Editors group (not superuser) opens the desk."""
    user = get_user_model().objects.get(username="editor")
    assert not user.is_superuser and user.has_perm("articles.change_quote")
    assert editor_client.get(DESK).status_code == 200


def test_confirm_reject_through_services_with_history(editor_client, story):
    """Confirm and reject go through quote_set_status: version bumped, review time set,
    a history row by the editor with the service's reason."""
    _, _, _, quotes = story
    dream, final = quotes["dream"], quotes["final"]
    reply = editor_client.post(
        decide_url(dream), {"decision": "confirm", "version": dream.version}, **JSON
    )
    assert reply.status_code == 200 and reply.json()["ok"] and reply.json()["status"] == "confirmed"
    reply = editor_client.post(
        decide_url(final), {"decision": "reject", "version": final.version}, **JSON
    )
    assert reply.json()["status"] == "rejected"
    dream.refresh_from_db()
    final.refresh_from_db()
    assert dream.status == Quote.Status.CONFIRMED and dream.version == 2 and dream.reviewed_at
    assert final.status == Quote.Status.REJECTED and final.version == 2
    last = dream.history.first()
    assert last.history_change_reason == "status set to confirmed"
    assert last.history_user.username == "editor"
    assert final.history.first().history_change_reason == "status set to rejected"


def test_confirm_accepts_the_suggested_speaker(editor_client, story):
    """Confirming a quote whose proposed speaker is only a suggestion accepts it."""
    _, _, gio, quotes = story
    night = quotes["night"]
    reply = editor_client.post(decide_url(night), {"decision": "confirm", "version": 1}, **JSON)
    assert reply.json()["speaker"] == "Giovanni Pernice"
    night.refresh_from_db()
    assert night.speaker == gio and night.status == Quote.Status.CONFIRMED
    assert night.history.first().history_change_reason == "suggested speaker accepted"


def test_change_speaker_by_id_and_by_alias(editor_client, story):
    """Change speaker goes through quote_set_speaker: by the autocomplete's id, or (no
    script) by a typed name or alias that names exactly one person."""
    _, rose, gio, quotes = story
    reply = editor_client.post(
        decide_url(quotes["dream"]),
        {"decision": "speaker", "version": 1, "speaker": rose.pk},
        **JSON,
    )
    assert reply.json()["speaker"] == "Rose Ayling-Ellis"
    quote = Quote.objects.get(pk=quotes["dream"].pk)
    assert quote.speaker == rose and quote.status == Quote.Status.CONFIRMED
    assert quote.speaker_corrected and quote.attribution_rule == "editor"
    assert quote.history.first().history_change_reason == "speaker corrected"
    editor_client.post(
        decide_url(quotes["final"]), {"decision": "speaker", "version": 1, "speaker_name": "rosie"}
    )
    assert Quote.objects.get(pk=quotes["final"].pk).speaker == rose
    reply = editor_client.post(
        decide_url(quotes["did"]),
        {"decision": "speaker", "version": 1, "speaker_name": "Nobody Known"},
        **JSON,
    )
    assert reply.status_code == 400 and "Nobody called" in reply.json()["message"]
    assert Quote.objects.get(pk=quotes["did"].pk).speaker == gio


def test_stale_edit_is_refused_with_a_clear_message(editor_client, story):
    """A decision on a version someone else already changed writes nothing and says so."""
    _, _, _, quotes = story
    dream = quotes["dream"]
    Quote.objects.filter(pk=dream.pk).update(version=5)  # another editor saved meanwhile
    reply = editor_client.post(decide_url(dream), {"decision": "reject", "version": 1}, **JSON)
    assert reply.status_code == 409
    assert "changed by someone else" in reply.json()["message"]
    dream.refresh_from_db()
    assert dream.status == Quote.Status.AUTO and dream.version == 5
    assert dream.history.count() == 1  # the creation only
    # Without script: the message shows on the desk, which opens at the same row.
    response = editor_client.post(
        decide_url(dream), {"decision": "confirm", "version": 1}, follow=True
    )
    assert "changed by someone else" in response.content.decode()
    assert response.redirect_chain[-1][0].endswith(f"#quote-{dream.pk}")


def test_quote_whose_words_left_its_place_is_not_confirmed(editor_client, story):
    """A quote whose offsets no longer hold its words (the body was edited) cannot be
    confirmed from the desk either (QuoteNotInText): 409 and a clear message."""
    _, _, _, quotes = story
    dream = quotes["dream"]
    Quote.objects.filter(pk=dream.pk).update(start=dream.start + 1, end=dream.end + 1)
    reply = editor_client.post(decide_url(dream), {"decision": "confirm", "version": 1}, **JSON)
    assert reply.status_code == 409
    assert "no longer at its place" in reply.json()["message"]
    assert Quote.objects.get(pk=dream.pk).status == Quote.Status.AUTO


def test_quote_list_links_to_the_desk(editor_client):
    """The quote list's tools lead to the desk."""
    html = editor_client.get("/admin/articles/quote/").content.decode()
    assert f'href="{DESK}"' in html


def test_missing_version_or_unknown_decision_writes_nothing(editor_client, story):
    """No blind writes: a decision needs the version shown; GET does nothing."""
    _, _, _, quotes = story
    dream = quotes["dream"]
    assert editor_client.post(decide_url(dream), {"decision": "reject"}, **JSON).status_code == 400
    assert (
        editor_client.post(
            decide_url(dream), {"decision": "publish", "version": 1}, **JSON
        ).status_code
        == 400
    )
    assert editor_client.get(decide_url(dream)).status_code == 405
    assert Quote.objects.get(pk=dream.pk).status == Quote.Status.AUTO


def test_no_js_post_redirects_back_at_the_next_row(editor_client, story):
    """Without script a decision posts, then the desk opens at the next unreviewed quote,
    keeping band and page, with a message."""
    _, _, _, quotes = story
    final, dream = quotes["final"], quotes["dream"]  # confidence 0.2, then 0.4
    response = editor_client.post(
        decide_url(final), {"decision": "reject", "version": 1, "band": "low", "page": "1"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{DESK}?band=low&page=1&focus={dream.pk}#quote-{dream.pk}"
    page = editor_client.get(response["Location"])
    assert page.context["focus"] == dream.pk
    assert f'data-focus="{dream.pk}"' in page.content.decode()
    assert "Rejected" in page.content.decode()
    assert [row["quote"].pk for row in page.context["rows"]] == [dream.pk]


def _many_quotes(count):
    article = make_article("Many quotes", body=BODY * 1)
    people = [make_person(f"Person {n}") for n in range(count)]
    for n in range(count):
        make_quote_in(
            article,
            "We did it.",
            confidence=n / (count + 1),
            speaker=people[n],
            suggested_speaker=people[-1],
        )


def test_desk_query_count_is_bounded(editor_client, django_assert_max_num_queries):
    """The desk's queries do not grow with its rows: session, user, permissions (2), the
    counts by band, the page's count and its rows."""
    _many_quotes(3)
    editor_client.get(DESK)  # warm up session and permissions caches alike
    with django_assert_max_num_queries(7):
        editor_client.get(DESK)
    _many_quotes(30)
    with django_assert_max_num_queries(7):
        response = editor_client.get(DESK)
    assert len(response.context["rows"]) == 25


def test_admin_index_shows_counts_by_band(editor_client, story, django_assert_max_num_queries):
    """The admin index shows what waits by confidence band, linking into the desk, with
    one query for all the counts."""
    response = editor_client.get("/admin/")
    html = response.content.decode()
    assert 'id="review-desk-summary"' in html
    assert "4 unreviewed quotes" in html
    for band in ["low", "medium", "high"]:
        assert f'href="{DESK}?band={band}"' in html
        assert f'<li class="band-{band}">' in html
    summary = html.split('id="review-desk-summary"')[1]
    assert [part.split("</span>")[0] for part in summary.split('<span class="count">')[1:]] == [
        "2",
        "1",
        "1",
    ]
    # Session, user, permissions (2), recent actions, and one for all the counts.
    with django_assert_max_num_queries(6):
        editor_client.get("/admin/")


def test_admin_index_hides_counts_from_those_who_cannot_review(client):
    """Staff without change_quote do not see the block (nor pay its query)."""
    user = get_user_model().objects.create_user("intern", password="x", is_staff=True)
    client.force_login(user)
    assert 'id="review-desk-summary"' not in client.get("/admin/").content.decode()


def test_desk_pages_have_no_inline_script(editor_client, story):
    """The desk keeps the strict Content-Security-Policy: no inline script or handler."""
    from tests.test_csp import directives, inline_code

    for url in [DESK, "/admin/"]:
        response = editor_client.get(url)
        assert directives(response)["script-src"] == "'self'"
        assert inline_code(response.content.decode()) == []
