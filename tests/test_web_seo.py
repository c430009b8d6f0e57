"""Canonical URLs, Open Graph / Twitter cards and schema.org JSON-LD (issue 6)."""

import json
import re
from html.parser import HTMLParser

import pytest

from tests.factories import build_newsdesk, make_person, make_quote_in, make_story

pytestmark = pytest.mark.django_db


class HeadParser(HTMLParser):
    """Collects <meta>, <link rel=canonical> and JSON-LD scripts from a page."""

    def __init__(self):
        super().__init__()
        self.meta, self.canonical, self.json_ld = {}, [], []
        self._in_ld = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta":
            key = attrs.get("property") or attrs.get("name")
            if key:
                self.meta.setdefault(key, attrs.get("content"))
        elif tag == "link" and attrs.get("rel") == "canonical":
            self.canonical.append(attrs["href"])
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_ld = False

    def handle_data(self, data):
        if self._in_ld:
            self.json_ld[-1] += data


def head(client, url) -> HeadParser:
    response = client.get(url)
    assert response.status_code == 200
    parser = HeadParser()
    parser.feed(response.content.decode())
    return parser


@pytest.fixture
def desk():
    return build_newsdesk()


def page_urls(desk):
    return {
        "/": "http://testserver/",
        "/?page=1": "http://testserver/",
        desk.bafta.get_absolute_url() + "?utm_source=x": "http://testserver"
        + desk.bafta.get_absolute_url(),
        "/people/": "http://testserver/people/",
        desk.rose.get_absolute_url() + "?year=2021": "http://testserver/people/rose-ayling-ellis/",
        desk.rose_quote.get_absolute_url(): f"http://testserver/quotes/{desk.rose_quote.pk}/",
        "/events/": "http://testserver/events/",
        "/events/?person=rose-ayling-ellis": "http://testserver/events/?person=rose-ayling-ellis",
        desk.strictly.get_absolute_url(): "http://testserver/tags/strictly-come-dancing/",
        "/search/?q=rose": "http://testserver/search/",
    }


def test_every_page_has_one_absolute_canonical_url(client, desk):
    """Each page names one absolute canonical URL, without tracking or filter parameters."""
    for url, canonical in page_urls(desk).items():
        assert head(client, url).canonical == [canonical], url


def test_every_page_has_open_graph_and_twitter_card_tags(client, desk):
    """Each page has og:title/description/url/type/site_name and a Twitter summary card."""
    for url, canonical in page_urls(desk).items():
        meta = head(client, url).meta
        for key in ("og:title", "og:description", "og:type", "og:site_name", "description"):
            assert meta.get(key), (url, key)
        assert meta["og:url"] == canonical
        assert meta["twitter:card"] == "summary"
        assert meta["twitter:title"] == meta["og:title"]


def test_article_open_graph_describes_the_article(client, desk):
    """An article's OG tags give its headline, standfirst, type, date and tags."""
    meta = head(client, desk.bafta.get_absolute_url()).meta
    assert meta["og:title"] == desk.bafta.title
    assert meta["og:description"] == desk.bafta.standfirst
    assert meta["og:type"] == "article"
    assert meta["article:published_time"] == "2022-05-08T20:30:00+00:00"
    assert meta["article:tag"] == "BAFTA TV Awards"


def test_search_results_are_not_indexed(client, desk):
    """The search page asks crawlers not to index it."""
    assert head(client, "/search/?q=rose").meta["robots"] == "noindex, follow"
    assert "robots" not in head(client, "/").meta


def test_article_json_ld_is_a_news_article(client, desk):
    """Articles carry NewsArticle JSON-LD with headline, dates, url, publisher and people."""
    (raw,) = head(client, desk.bafta.get_absolute_url()).json_ld
    data = json.loads(raw)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == desk.bafta.title
    assert data["datePublished"] == "2022-05-08T20:30:00+00:00"
    assert data["dateModified"]
    assert data["url"] == "http://testserver" + desk.bafta.get_absolute_url()
    assert data["mainEntityOfPage"]["@id"] == data["url"]
    assert data["publisher"]["name"] == "Newsroom"
    assert data["author"]["name"] == "Newsroom"
    assert {p["name"] for p in data["mentions"]} == {"Rose Ayling-Ellis", "Giovanni Pernice"}
    assert data["keywords"] == ["BAFTA TV Awards", "Strictly Come Dancing"]


def test_undated_article_json_ld_omits_date_published(client, desk):
    """An article with no known date has no datePublished rather than a made-up one."""
    (raw,) = head(client, desk.tour.get_absolute_url()).json_ld
    assert "datePublished" not in json.loads(raw)


def test_person_json_ld_is_a_person(client, desk):
    """Person pages carry Person JSON-LD with name, url, aliases and description."""
    (raw,) = head(client, desk.rose.get_absolute_url()).json_ld
    data = json.loads(raw)
    assert data["@type"] == "Person"
    assert data["name"] == "Rose Ayling-Ellis"
    assert data["url"] == "http://testserver/people/rose-ayling-ellis/"
    assert data["alternateName"] == ["Rose"]
    assert data["description"] == "EastEnders actress"


def test_quote_json_ld_is_a_quotation_with_creator_and_article(client, desk):
    """Quote permalinks carry Quotation JSON-LD: text, creator (Person) and isPartOf."""
    (raw,) = head(client, desk.giovanni_quote.get_absolute_url()).json_ld
    data = json.loads(raw)
    assert data["@type"] == "Quotation"
    assert data["text"] == desk.giovanni_quote.text
    assert data["creator"] == {
        "@type": "Person",
        "name": "Giovanni Pernice",
        "url": "http://testserver/people/giovanni-pernice/",
    }
    assert data["isPartOf"]["@type"] == "NewsArticle"
    assert data["isPartOf"]["url"] == "http://testserver" + desk.bafta.get_absolute_url()
    assert data["isPartOf"]["headline"] == desk.bafta.title
    (raw,) = head(client, desk.label_quote.get_absolute_url()).json_ld
    assert json.loads(raw)["creator"]["name"] == "one fan"


def test_home_json_ld_is_a_website_with_search(client, desk):
    """The home page describes the site and its search for search engines."""
    (raw,) = head(client, "/").json_ld
    data = json.loads(raw)
    assert data["@type"] == "WebSite"
    assert data["potentialAction"]["target"] == "http://testserver/search/?q={search_term}"


def test_json_ld_is_safe_against_script_end_tags_in_imported_text(client):
    """Imported text containing `</script>` can neither end the JSON-LD element nor break
    its JSON: the data round-trips exactly."""
    evil = '</script><script>alert("x")</script> & <!-- "quotes" \u2028'
    person = make_person(f"Evil {evil}")
    article = make_story(f"Headline {evil}", [f'Evil said: "Words {evil} end."'])
    quote = make_quote_in(article, f"Words {evil} end.", speaker=person)
    for url, value in (
        (article.get_absolute_url(), lambda d: d["headline"]),
        (person.get_absolute_url(), lambda d: d["name"]),
        (quote.get_absolute_url(), lambda d: d["text"]),
    ):
        response = client.get(url)
        page = response.content.decode()
        assert "<script>alert" not in page
        scripts = re.findall(r"<script[^>]*>(.*?)</script>", page, flags=re.S)
        assert len(scripts) == 1, url  # only the JSON-LD element: nothing was injected
        assert "<" not in scripts[0]
        assert evil in value(json.loads(scripts[0]))
