"""Every public page runs a fixed number of queries, however many items it shows (issue 6).

Each URL is measured on a desk built with 3 items of everything, then on one with 30: the
two counts must be equal (no N+1 in views or templates) and small.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, Tag
from people.models import Person
from search import index as search_index
from tests.factories import (
    make_alias,
    make_event_in,
    make_mention_in,
    make_person,
    make_quote_in,
    make_story,
    make_tag,
)

pytestmark = pytest.mark.django_db

MAX_QUERIES = 8
# Search runs, for each of its three groups, the ranked-ids search, the count, the page and
# its highlights, plus one for quotes (the publish gate, checked on the quotes themselves):
# a fixed number, larger than a plain page's.
# A person's page (issue 12) pages its timeline in the database: the person and aliases,
# counts, years, the page's count, one short indexed read per source of the timeline
# (stories by mention, by quote and by event; events; quotes; and as many again for
# undated items when the dated ones end before the page does), then one read per kind of
# item shown.
# The article page also reads its authors and its corrections (issue 14).
MAX_QUERIES_BY_PAGE = {"search": 15, "person": 16, "person year": 16, "article": 9}


def build(n):
    """A desk where "Star Person" speaks in n stories, each story with its own second
    speaker, mention, event and two tags; plus one "big story" holding n quotes."""
    Article.objects.all().delete()
    Person.objects.all().delete()
    Tag.objects.all().delete()
    star = make_person("Star Person", description="Singer")
    make_alias(star, "Star")
    topic = make_tag("Topic")
    big = make_story(
        "Big story",
        [f'Guest {i} said: "Line number {i} of the big story."' for i in range(n)],
        published_at=timezone.now(),
        tags=[topic],
    )
    for i in range(n):
        guest = make_person(f"Guest {i}")
        make_alias(guest, f"G{i}")
        extra = make_tag(f"Extra {i}")
        when = timezone.now() - datetime.timedelta(days=40 * i + 1)
        story = make_story(
            f"Star story {i}",
            [
                f'Star Person said: "Star words number {i}."',
                f'Guest {i} replied: "Guest words {i}."',
            ],
            published_at=when,
            tags=[topic, extra],
        )
        make_quote_in(story, f"Star words number {i}.", speaker=star)
        make_quote_in(story, f"Guest words {i}.", speaker=guest)
        make_mention_in(story, star, "Star Person")
        make_mention_in(story, guest, f"Guest {i}")
        make_event_in(
            story, f"Star event {i}", "Star Person said", date=when.date(), people=[star, guest]
        )
        make_quote_in(big, f"Line number {i} of the big story.", speaker=guest)
        make_mention_in(big, guest, f"Guest {i}")
        make_event_in(big, f"Big event {i}", f"Guest {i} said", date=when.date(), people=[guest])
    quote = star.quotes.order_by("pk").first()
    # The test transaction never commits: write the queued search-index rows now, not
    # inside the request being measured.
    search_index.flush()
    return {
        "home": "/",
        "article": big.get_absolute_url(),
        "people": "/people/",
        "person": star.get_absolute_url(),
        "person year": star.get_absolute_url() + f"?year={timezone.now().year}",
        "quote": quote.get_absolute_url(),
        "events": "/events/",
        "events by person": "/events/?person=star-person",
        "tag": topic.get_absolute_url(),
        "tags": "/tags/",
        "search": "/search/?q=star",
        "feed rss": "/feeds/articles/rss/",
        "feed atom": "/feeds/articles/atom/",
        "person feed": "/feeds/people/star-person/rss/",
        "tag feed": "/feeds/tags/topic/atom/",
        "sitemap": "/sitemap.xml",
        "sitemap articles": "/sitemap-articles.xml",
        "sitemap people": "/sitemap-people.xml",
        "sitemap tags": "/sitemap-tags.xml",
        "robots": "/robots.txt",
    }


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), response.content.decode()


@pytest.mark.parametrize(
    "page",
    [
        "home",
        "article",
        "people",
        "person",
        "person year",
        "quote",
        "events",
        "events by person",
        "tag",
        "tags",
        "search",
        "feed rss",
        "feed atom",
        "person feed",
        "tag feed",
        "sitemap",
        "sitemap articles",
        "sitemap people",
        "sitemap tags",
        "robots",
    ],
)
def test_query_count_does_not_grow_with_items(client, page):
    """The page runs the same small number of queries for 3 items as for 30."""
    few_count, few_html = count_queries(client, build(3)[page])
    many_count, many_html = count_queries(client, build(30)[page])
    assert few_count == many_count, f"{page}: {few_count} queries for 3 items, {many_count} for 30"
    assert many_count <= MAX_QUERIES_BY_PAGE.get(page, MAX_QUERIES)
    if page not in ("robots", "sitemap"):  # the sitemap index lists sections, not items
        assert len(many_html) > len(few_html)  # the 30-item page really shows more
