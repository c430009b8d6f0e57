"""Nothing derived from drafts reaches the public (issue 12, defect 4).

A desk holds a person, a tag, a quote and an event that only a draft names (distinctive
made-up words), next to published content. The test walks every URL of the public site and
the API, found by enumerating the URLconf (a new URL fails the test until it is added to
the walk), anonymously, with published, draft-only and unknown identifiers and with the
draft's words as filters and search queries. No response may contain a draft-only name,
word or slug, and a draft-only identifier must answer exactly as an unknown one does.
"""

from __future__ import annotations

import datetime
import re
from urllib.parse import quote, quote_plus, urlencode

import pytest
from django.core.cache import cache
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from articles import canonical
from articles.models import Article, RemovedQuote
from search import index as search_index
from tests.factories import (
    make_alias,
    make_event_in,
    make_mention_in,
    make_person,
    make_quote_in,
    make_story,
    make_tag,
    make_tag_suggestion,
)

pytestmark = pytest.mark.django_db

# Words that only the draft contains. None may appear in any public response.
DRAFT_PERSON = "Zorblat Quennimore"
DRAFT_TAG = "Snargleworth Affair"
DRAFT_TITLE = "Vexillum harbour deal"
DRAFT_QUOTE = "Plinkety flumph is our only plan"
DRAFT_EVENT = "Grubnitz summit convened"
DRAFT_SEARCHES = [DRAFT_PERSON, "Quennimore", DRAFT_TAG, DRAFT_TITLE, DRAFT_QUOTE, DRAFT_EVENT]
DRAFT_WORDS = ("Zorblat", "Quennimore", "Snargleworth", "Vexillum", "Plinkety", "Grubnitz")

# URL names whose route takes an identifier, and what it identifies.
SUBJECT = {
    "web:article": "article",
    "web:person": "person",
    "web:quote": "quote",
    "web:tag": "tag",
    "web:feed-person-rss": "person",
    "web:feed-person-atom": "person",
    "web:feed-tag-rss": "tag",
    "web:feed-tag-atom": "tag",
    "web:sitemap-section": "section",
    "api:article-detail": "article",
    "api:article-publish": "article",
    "api:article-unpublish": "article",
    "api:article-corrections": "article",
    "api:person-detail": "person",
    "api:person-timeline": "person",
    "api:person-merge": "person",
    "api:quote-detail": "quote",
    "api:quote-confirm": "quote",
    "api:quote-reject": "quote",
    "api:quote-accept-suggestion": "quote",
    "api:quote-withdraw": "quote",
    "api:event-detail": "event",
    "api:tag-detail": "tag",
    "api:canonical-quote-detail": "canonical",
}
# Editors' pages outside the admin, which anonymous visitors are sent to log in from
# (tested below and in test_preview.py).
STAFF_ONLY = {"web:article-preview"}
WRITE_ACTIONS = (
    *("-publish", "-unpublish", "-merge", "-confirm", "-reject", "-accept-suggestion"),
    *("-corrections", "-withdraw"),
)
# Filters and searches tried on every URL without an identifier, with a draft-only value.
QUERY_PARAMS = {
    "person": "person",
    "after": "person",  # the people index's cursors
    "before": "person",
    "speaker": "person",
    "tag": "tag",
    "article": "article",
    "q": "words",
}
UNKNOWN = {
    "article": "no-such-story-here",
    "person": "no-such-person-here",
    "tag": "no-such-topic-here",
    "quote": "987654",
    "event": "987654",
    "canonical": "987654",
}


def public_url_names() -> set[tuple[str, tuple[str, ...]]]:
    """(namespaced name, route parameters) of every named URL outside the admin."""

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner)
            elif pattern.name:
                params = tuple(sorted(pattern.pattern.regex.groupindex))
                yield f"{namespace}{pattern.name}", params

    return set(walk(get_resolver().url_patterns, ""))


@pytest.fixture
def desk(settings):
    settings.NEWSROOM_PUBLISH_MIN_CONFIDENCE = 0.5
    # The walk makes hundreds of anonymous requests: rate limits would answer 429.
    settings.NEWSROOM_API_ANON_RATE = "100000/min"
    settings.NEWSROOM_SITE_ANON_RATE = "off"
    now = timezone.now()
    amelia = make_person("Amelia Hart", description="Council leader")
    topic = make_tag("Harbour")
    public = make_story(
        "Harbour plan approved",
        ['Amelia Hart said: "The harbour will reopen in May."', "The council voted on Monday."],
        published_at=now - datetime.timedelta(days=2),
        tags=[topic],
    )
    public_quote = make_quote_in(public, "The harbour will reopen in May.", speaker=amelia)
    make_mention_in(public, amelia, "Amelia Hart")
    public_event = make_event_in(
        public, "Council voted", "The council voted", date=now.date(), people=[amelia]
    )

    ghost = make_person(DRAFT_PERSON, description="Vexillum shipping magnate")
    make_alias(ghost, "Quennimore")
    secret = make_tag(DRAFT_TAG)
    draft = make_story(
        DRAFT_TITLE,
        [
            f'{DRAFT_PERSON} said: "{DRAFT_QUOTE}."',
            f'Amelia Hart added: "Grubnitz is on the table." The {DRAFT_EVENT} on Friday.',
        ],
        status=Article.Status.DRAFT,
        published_at=now - datetime.timedelta(days=1),
        tags=[secret, topic],
    )
    draft_quote = make_quote_in(draft, DRAFT_QUOTE, speaker=ghost, status="confirmed")
    make_quote_in(draft, "Grubnitz is on the table.", speaker=amelia)
    make_mention_in(draft, ghost, DRAFT_PERSON)
    make_mention_in(draft, amelia, "Amelia Hart")
    draft_event = make_event_in(
        draft, DRAFT_EVENT, DRAFT_EVENT, date=now.date(), people=[ghost, amelia]
    )
    make_tag_suggestion(public, secret)  # suggested for a published story, never accepted
    RemovedQuote.objects.create(quote_id=555555, article=draft)
    # Each quote its own canonical group (issue 15): the draft's group is a draft's.
    canonical.group_quotes(quotes=[public_quote, draft_quote])
    public_quote.refresh_from_db()
    draft_quote.refresh_from_db()
    assert public_quote.canonical_id and draft_quote.canonical_id
    assert public_quote.canonical_id != draft_quote.canonical_id
    search_index.flush()  # the test transaction never commits: index the rows now

    return {
        "article": {"published": public.slug, "draft": [draft.slug]},
        "person": {"published": amelia.slug, "draft": [ghost.slug]},
        "tag": {"published": topic.slug, "draft": [secret.slug]},
        "quote": {"published": str(public_quote.pk), "draft": [str(draft_quote.pk), "555555"]},
        "event": {"published": str(public_event.pk), "draft": [str(draft_event.pk)]},
        "canonical": {
            "published": str(public_quote.canonical_id),
            "draft": [str(draft_quote.canonical_id)],
        },
        "words": {"draft": DRAFT_SEARCHES},
        "secrets": [*DRAFT_WORDS, ghost.slug, secret.slug, draft.slug],
    }


def fetch(client, url) -> tuple[int, str]:
    cache.clear()  # no stored response or throttle count carries over between requests
    response = client.get(url)
    assert response.status_code != 429, f"{url}: throttled; the walk must see real answers"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body.decode("utf-8", "replace")


def without(body: str, value: str) -> str:
    """``body`` with every echo of a requested ``value`` (as sent, URL- or HTML-encoded)
    replaced by a placeholder, and what depends on the exact URL or request (ETags in the
    browsable API, CSP nonces, CSRF tokens) blanked."""
    for form in {value, quote(value), quote_plus(value), value.replace(" ", "&#x20;")}:
        echo = rf"(?<![0-9A-Za-z]){re.escape(form)}(?![0-9A-Za-z])"
        body = re.sub(echo, "\N{SECTION SIGN}", body, flags=re.IGNORECASE)
    body = re.sub(r'nonce="[^"]*"', 'nonce=""', body)
    body = re.sub(r"(ETag:</b> <span class=\"lit\">)[^<]*", r"\1", body)
    return re.sub(
        r'(csrfmiddlewaretoken" value=|CSRFTOKEN"\] = |csrfToken": )"[^"]*"', r'\1""', body
    )


def assert_no_secrets(url: str, body: str, secrets) -> None:
    for secret in secrets:
        assert secret.casefold() not in body.casefold(), f"{url} shows “{secret}”"


def test_every_public_url_hides_draft_only_people_tags_quotes_and_events(client, desk):
    """Every public page, feed, sitemap and anonymous API response, reached with published,
    draft-only and unknown identifiers and with the draft's words as filters and queries,
    shows nothing of the draft, and a draft-only identifier answers as an unknown one."""
    names = public_url_names()
    names = {(name, params) for name, params in names if name not in STAFF_ONLY}
    unwalked = {name for name, params in names if params and name not in SUBJECT}
    unwalked -= {name for name, params in names if params == ("format",)}
    assert not unwalked, f"add these URLs to the walk: {sorted(unwalked)}"
    secrets = desk["secrets"]
    checked = 0

    def compare(draft_url, draft_value, unknown_url, unknown_value):
        """The draft-only identifier gets the unknown one's answer, echo aside."""
        nonlocal checked
        draft_status, draft_body = fetch(client, draft_url)
        unknown_status, unknown_body = fetch(client, unknown_url)
        assert draft_status == unknown_status, (
            f"{draft_url} answers {draft_status}, an unknown value {unknown_status}"
        )
        assert without(draft_body, draft_value) == without(unknown_body, unknown_value), (
            f"{draft_url} answers differently from {unknown_url}"
        )
        assert_no_secrets(draft_url, without(draft_body, draft_value), secrets)
        checked += 1

    for name, params in sorted(names):
        formats = [{}]
        if "format" in params:
            formats = [{"format": "json"}, {"format": "api"}]
        route_params = [p for p in params if p != "format"]
        for suffix in formats:
            if not route_params:
                url = reverse(name, kwargs=suffix)
                status, body = fetch(client, url)
                assert status < 500, url
                assert_no_secrets(url, body, secrets)
                checked += 1
                for param, kind in QUERY_PARAMS.items():
                    unknown_value = "Xqvtorp Blennik" if kind == "words" else UNKNOWN[kind]
                    for value in desk[kind]["draft"]:
                        join = "&" if "?" in url else "?"
                        compare(
                            f"{url}{join}{urlencode({param: value})}",
                            value,
                            f"{url}{join}{urlencode({param: unknown_value})}",
                            unknown_value,
                        )
                continue
            kind = SUBJECT[name]
            (param,) = route_params
            if kind == "section":
                index = fetch(client, reverse("web:sitemap"))[1]
                sections = re.findall(r"sitemap-([a-z]+)\.xml", index)
                assert sections
                for section in sections:
                    for page in ("", "?p=1", "?p=2"):
                        url = reverse(name, kwargs={param: section}) + page
                        status, body = fetch(client, url)
                        assert status in (200, 404), url
                        assert_no_secrets(url, body, secrets)
                        checked += 1
                continue
            published = reverse(name, kwargs={param: desk[kind]["published"], **suffix})
            status, body = fetch(client, published)
            assert_no_secrets(published, body, secrets)
            # Reads answer; editors' actions are POST only.
            assert status == (405 if name.endswith(WRITE_ACTIONS) else 200), published
            checked += 1
            unknown_value = UNKNOWN[kind]
            unknown = reverse(name, kwargs={param: unknown_value, **suffix})
            for value in desk[kind]["draft"]:
                compare(
                    reverse(name, kwargs={param: value, **suffix}), value, unknown, unknown_value
                )
    assert checked > 300  # the walk really covered the site and the API


def test_staff_only_pages_send_anonymous_visitors_to_log_in_without_a_word(client, desk):
    """The preview of a draft answers exactly as that of an unknown id: the login page."""
    from articles.models import Article

    draft = Article.objects.get(slug=desk["article"]["draft"][0])
    for name in STAFF_ONLY:
        for pk in (draft.pk, 987654):
            response = client.get(reverse(name, kwargs={"pk": pk}), follow=True)
            assert response.redirect_chain[0][1] == 302
            assert_no_secrets(name, response.content.decode(), desk["secrets"])


def test_counts_and_timelines_of_public_people_leave_drafts_out(client, desk):
    """A public person also named in a draft: the draft's quote, story and event count
    nowhere (people index, person page, API timeline)."""
    people = fetch(client, "/people/")[1]
    entry = people[people.index("Amelia Hart") :][:400]
    assert "1 quote · 1 story" in entry
    page = fetch(client, "/people/amelia-hart/")[1]
    assert "<strong>1</strong> quote" in page and "<strong>1</strong> story" in page
    assert "Grubnitz" not in page
    events = fetch(client, "/events/?person=amelia-hart")[1]
    assert "Council voted" in events and "Grubnitz" not in events


def test_draft_only_tag_is_not_in_the_api_tag_pages_or_feeds(client, desk):
    """The reported leaks: the tag list of the API, the tag page and the tag feeds."""
    listed = fetch(client, "/api/v1/tags/")[1]
    assert "Harbour" in listed and DRAFT_TAG not in listed
    for route in ("web:tag", "web:feed-tag-rss", "web:feed-tag-atom", "api:tag-detail"):
        status, body = fetch(client, reverse(route, kwargs={"slug": "snargleworth-affair"}))
        assert status == 404 and DRAFT_TAG not in body, route


def test_events_filtered_by_draft_only_person_answers_like_an_unknown_slug(client, desk):
    """The reported leak: /events/?person=<slug of a person named only in drafts> was a
    200 with their full name; it is the 404 an unknown slug gets."""
    status, body = fetch(client, "/events/?person=zorblat-quennimore")
    assert (status, DRAFT_PERSON in body) == (404, False)
    assert fetch(client, "/events/?person=no-such-person-here")[0] == 404
