"""Public pages cost the same at any size (issue 12, defect 3).

A desk of a few thousand articles is written in bulk; then every hot public page is
requested and each of its queries is explained on the database under test: none may read a
big table from end to end (SQLite ``SCAN`` without an index, PostgreSQL ``Seq Scan`` when
sequential scans are priced out, so the plan shows whether an index can serve the query).
Pages are also walked to check that paging visits everyone once with a fixed number of
queries per page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article, Event, Mention, Quote, Tag
from people.models import Person
from web.views import PEOPLE_PER_PAGE, TIMELINE_PER_PAGE

pytestmark = pytest.mark.django_db

ARTICLES = 3000
PEOPLE = 1200
STAR_QUOTES = 130  # more than two pages of a person's timeline
BIG_TABLES = {
    "articles_article",
    "articles_quote",
    "articles_mention",
    "articles_event",
    "articles_event_people",
    "articles_article_tags",
    "people_person",
}


@pytest.fixture
def big_desk():
    """ARTICLES articles (one in ten a draft), PEOPLE people, three mentions, three quotes,
    an event and two tags per article, and a star quoted STAR_QUOTES times."""
    now = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
    people = Person.objects.bulk_create(
        Person(name=f"Person {i:05d}", name_normalized=f"person {i:05d}", slug=f"person-{i}")
        for i in range(PEOPLE)
    )
    star = Person.objects.create(name="Star Speaker", slug="star-speaker")
    tags = Tag.objects.bulk_create(Tag(name=f"Topic {i}", slug=f"topic-{i}") for i in range(40))
    articles = Article.objects.bulk_create(
        Article(
            title=f"Story {n}",
            slug=f"story-{n}",
            body="Words " * 40,
            status="draft" if n % 10 == 0 else "published",
            published_at=now - dt.timedelta(hours=n),
            source_key=f"s{n}.txt",
            source_name=f"s{n}.txt",
            source_sha256=hashlib.sha256(str(n).encode()).hexdigest(),
            raw_text="Words",
        )
        for n in range(ARTICLES)
    )
    mentions, quotes, events, tagged, involved = [], [], [], [], []
    starred = 0
    for n, article in enumerate(articles):
        named = [people[(n * 7 + k * 13) % PEOPLE] for k in range(3)]
        for k, person in enumerate(named):
            mentions.append(Mention(article=article, person=person, start=k * 6, end=k * 6 + 5))
            quotes.append(
                Quote(
                    article=article,
                    speaker=person,
                    text="Words",
                    start=k * 6,
                    end=k * 6 + 5,
                    confidence=1,
                )
            )
        if starred < STAR_QUOTES and article.status == "published":
            starred += 1
            quotes.append(
                Quote(article=article, speaker=star, text="Words", start=20, end=25, confidence=1)
            )
        events.append(
            Event(
                article=article,
                summary="Met",
                start=0,
                end=5,
                date=now.date(),
                date_precision="day",
            )
        )
        tagged += [
            Article.tags.through(article_id=article.pk, tag_id=tags[(n + k) % 40].pk)
            for k in range(2)
        ]
    Mention.objects.bulk_create(mentions)
    Quote.objects.bulk_create(quotes, batch_size=1000)
    events = Event.objects.bulk_create(events)
    for n, event in enumerate(events):
        involved.append(Event.people.through(event_id=event.pk, person_id=people[n % PEOPLE].pk))
    Event.people.through.objects.bulk_create(involved)
    Article.tags.through.objects.bulk_create(tagged)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return star


HOT_PAGES = [
    "/",
    "/people/",
    "/people/?after=person-600",
    "/people/?before=person-600",
    "/people/star-speaker/",
    "/people/star-speaker/?page=2",
    "/people/person-5/",
    "/tags/topic-3/",
    "/tags/topic-3/?page=20",
    "/events/",
    "/events/?person=person-5",
    "/feeds/articles/rss/",
    "/feeds/people/star-speaker/rss/",
    "/feeds/tags/topic-3/rss/",
    "/sitemap.xml",
    "/sitemap-articles.xml",
    "/sitemap-articles.xml?p=3",
    "/sitemap-people.xml",
    "/sitemap-tags.xml",
]


def explain(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            return [row[-1] for row in cursor.fetchall()]
        cursor.execute("SET LOCAL enable_seqscan = off")
        try:
            cursor.execute("EXPLAIN " + sql)
            return [row[0] for row in cursor.fetchall()]
        finally:
            cursor.execute("SET LOCAL enable_seqscan = on")


def full_scans(plan: list[str]) -> list[str]:
    """The lines of ``plan`` that read a big table from end to end without an index."""
    if connection.vendor == "sqlite":
        pattern = re.compile(r"^SCAN (\w+)(?: AS \w+)?$")
    else:
        pattern = re.compile(r"Seq Scan on (\w+)")
    found = []
    for line in plan:
        match = pattern.search(line.strip())
        if match and match.group(1) in BIG_TABLES:
            found.append(line.strip())
    return found


def test_hot_pages_read_no_big_table_end_to_end(client, big_desk):
    """Every query of every hot public page is served by an index (EXPLAIN on SQLite and
    PostgreSQL, a few thousand articles): no full scan of articles, quotes, mentions,
    events, tags or people."""
    problems = []
    for url in HOT_PAGES:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        for query in queries.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            scans = full_scans(explain(sql))
            if scans:
                problems.append(f"{url}: {scans} in {sql[:300]}")
    assert not problems, "\n".join(problems)


def query_count(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), response.content.decode()


def test_people_index_pages_through_everyone_with_the_same_queries_per_page(client, big_desk):
    """Following "Next" visits every public person once, PEOPLE_PER_PAGE at a time, each
    page with the same number of queries; "Previous" leads back."""
    seen, counts, url = [], set(), "/people/"
    while url:
        count, page = query_count(client, url)
        if url != "/people/":  # later pages also look their cursor up
            counts.add(count)
        names = re.findall(r'<a href="/people/([-\w]+)/">', page)
        assert len(names) <= PEOPLE_PER_PAGE
        seen += names
        match = re.search(r'rel="next" href="([^"]+)"', page)
        url = match.group(1).replace("&amp;", "&") if match else ""
    assert len(seen) == len(set(seen)) == PEOPLE + 1  # every person once, the star too
    assert len(counts) == 1, counts
    back = re.search(r'rel="prev" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    _, previous = query_count(client, back)
    assert (
        re.findall(r'<a href="/people/([-\w]+)/">', previous)
        == seen[
            -PEOPLE_PER_PAGE - (len(seen) % PEOPLE_PER_PAGE or PEOPLE_PER_PAGE) : -(
                len(seen) % PEOPLE_PER_PAGE or PEOPLE_PER_PAGE
            )
        ]
    )


def test_person_timeline_is_paged_with_the_same_queries_per_page(client, big_desk):
    """A person with many quotes gets their timeline TIMELINE_PER_PAGE items at a time, every
    page with the same queries (the first one more: its chart of months, issue 15), and
    the pages hold every item once."""
    counts, items, number, more = set(), 0, 0, True
    url = big_desk.get_absolute_url()
    while more:
        number += 1
        count, page = query_count(client, f"{url}?page={number}")
        counts.add(count - (number == 1))
        shown = page.count('class="timeline-item')
        assert shown <= TIMELINE_PER_PAGE
        items += shown
        more = 'rel="next"' in page
    quotes = Quote.objects.public().filter(speaker=big_desk).count()
    assert quotes == STAR_QUOTES
    assert items == quotes + Article.objects.published().filter(quotes__speaker=big_desk).count()
    assert len(counts) == 1, counts


def test_sitemap_index_leads_to_every_public_article_and_person_once(client, big_desk):
    """Following the sitemap index through every section page lists each published article
    and each public person exactly once, no draft, each page with the same queries."""
    index = client.get("/sitemap.xml").content.decode()
    pages = [loc.replace("http://testserver", "") for loc in re.findall(r"<loc>([^<]+)", index)]
    assert len(pages) > 6  # several pages per section
    locations, counts = [], {}
    for page in pages:
        count, body = query_count(client, page.replace("&amp;", "&"))
        counts.setdefault(page.split("?")[0], set()).add(count)
        locations += re.findall(r"<loc>http://testserver([^<]+)</loc>", body)
    assert len(locations) == len(set(locations))
    articles = {a.get_absolute_url() for a in Article.objects.published()}
    assert {url for url in locations if url.startswith("/articles/")} == articles
    people = {url for url in locations if url.startswith("/people/") and url != "/people/"}
    assert len(people) == PEOPLE + 1
    assert all(len(section) == 1 for section in counts.values()), counts
