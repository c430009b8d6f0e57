"""Quote display text (issue 15, point 3): the stored text stays the source's characters;
what readers see ends with a full stop where the source had attribution punctuation, and
share text carries no bracketed placeholders."""

import datetime as dt
import json
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils.html import escape
from rest_framework.test import APIClient

from articles.quote_display import display_text, share_text
from tests.factories import make_article, make_person, make_quote_in

BODY = (
    "“You really are a ROLE MODEL,” she wrote. "
    "“So proud of you [two love heart emojis],” he said. "
    "Critics called it “utterly magical,” and moved on."
)


@pytest.mark.parametrize(
    ("text", "partial", "shown", "shared"),
    [
        ("You really are a ROLE MODEL,", False, "You really are a ROLE MODEL.", None),
        ("We will win;", False, "We will win.", None),
        ("And then —", False, "And then.", None),
        ("It was a dream", False, "It was a dream", None),  # no mark: left alone
        ("Is it over?,", False, "Is it over?", None),  # a question keeps its mark
        ("It was perfect.", False, "It was perfect.", None),
        ("utterly magical,", True, "utterly magical", None),  # a fragment is no sentence
        (
            "So proud [two love heart emojis],",
            False,
            "So proud [two love heart emojis].",
            "So proud.",
        ),
        (
            "[applause] Thank you [laughs] all",
            False,
            "[applause] Thank you [laughs] all",
            "Thank you all",
        ),
        ("[two love heart emojis]", False, "[two love heart emojis]", ""),
        (",,,", False, ",,,", ""),
        ("a , b", False, "a , b", "a , b"),  # inner punctuation is the source's own
    ],
)
def test_display_and_share_forms(text, partial, shown, shared):
    assert display_text(text, partial=partial) == shown
    assert share_text(text, partial=partial) == (shown if shared is None else shared)


@pytest.mark.parametrize("unit", [" ,", "[", "[a", " ", ",-", "[" + "x" * 199])
def test_both_forms_run_in_linear_time(unit):
    """Runs of marks, spaces or unclosed brackets cost the same per character at any size."""

    def seconds(n):
        text = "word" + unit * n
        started = time.process_time()
        display_text(text)
        share_text(text)
        return time.process_time() - started

    small, large = seconds(2_000), seconds(200_000)
    assert large < max(small, 0.001) * 100 * 3 + 0.05  # ×100 input: at most ~×100 time


@pytest.fixture
def story(db):
    sam = make_person("Sam Writer")
    article = make_article(
        "A proud day", body=BODY, published_at=dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
    )
    model = make_quote_in(article, "You really are a ROLE MODEL,", speaker=sam)
    emojis = make_quote_in(article, "So proud of you [two love heart emojis],", speaker=sam)
    fragment = make_quote_in(article, "utterly magical,", speaker_label="critics", partial=True)
    return article, sam, model, emojis, fragment


def test_stored_text_and_offsets_stay_the_sources(story):
    article, _, model, emojis, _ = story
    for quote in (model, emojis):
        quote.refresh_from_db()
        assert article.body[quote.start : quote.end] == quote.text
        assert quote.text.endswith(",")


def test_permalink_shows_the_display_text_and_shares_without_placeholders(client, story):
    _, _, model, emojis, _ = story
    page = client.get(model.get_absolute_url()).content.decode()
    assert "You really are a ROLE MODEL.</p>" in page
    assert "ROLE MODEL,</p>" not in page
    assert "<title>Sam Writer: “You really are a ROLE MODEL.”" in page

    page = client.get(emojis.get_absolute_url()).content.decode()
    assert escape("So proud of you [two love heart emojis].") in page
    shares = [
        parse_qs(urlsplit(link.replace("&amp;", "&")).query)
        for link in re.findall(r'href="(https://(?:twitter|bsky|wa)[^"]+)"', page)
    ]
    assert len(shares) == 3
    for query in shares:
        text = query["text"][0]
        assert "So proud of you." in text
        assert "[" not in text and "emojis" not in text


def test_json_ld_feed_and_article_page_use_the_display_text(client, story):
    article, sam, model, _, _ = story
    page = client.get(model.get_absolute_url()).content.decode()
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)[1])
    assert ld["text"] == "You really are a ROLE MODEL."

    feed = client.get(f"/feeds/people/{sam.slug}/rss/").content.decode()
    assert "<title>Sam Writer: “You really are a ROLE MODEL.”</title>" in feed
    assert "<description>“You really are a ROLE MODEL.” — Sam Writer" in feed

    page = client.get(article.get_absolute_url()).content.decode()
    assert "<blockquote><p>You really are a ROLE MODEL.</p></blockquote>" in page
    assert "<blockquote><p>utterly magical</p></blockquote>" in page


def test_api_carries_both_forms(story):
    _, _, model, _, fragment = story
    data = APIClient().get(f"/api/v1/quotes/{model.pk}/").json()
    assert (data["text"], data["display_text"]) == (
        "You really are a ROLE MODEL,",
        "You really are a ROLE MODEL.",
    )
    data = APIClient().get(f"/api/v1/quotes/{fragment.pk}/").json()
    assert data["display_text"] == "utterly magical"
