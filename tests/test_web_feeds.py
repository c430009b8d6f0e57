"""Feeds, sitemap.xml and robots.txt (issue 6): well-formed, public content only."""

import xml.etree.ElementTree as ET

import pytest

from tests.factories import build_newsdesk, make_article, make_story

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def desk():
    return build_newsdesk()


def rss_items(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    return channel, [{child.tag: child.text for child in item} for item in channel.findall("item")]


def atom_entries(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return feed, [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "summary": entry.findtext(f"{ATOM}summary"),
        }
        for entry in feed.findall(f"{ATOM}entry")
    ]


def test_latest_rss_lists_published_stories_newest_first(client, desk):
    """The RSS feed lists published stories, newest first, with links, dates and tags."""
    channel, items = rss_items(client, "/feeds/articles/rss/")
    assert channel.findtext("title") == "Newsroom: latest stories"
    assert [item["title"] for item in items] == [desk.bafta.title, desk.tour.title]
    assert items[0]["link"] == f"http://testserver{desk.bafta.get_absolute_url()}"
    assert items[0]["pubDate"].endswith("2022 20:30:00 +0000")
    assert items[0]["description"] == desk.bafta.standfirst
    categories = [c.text for c in channel.find("item").findall("category")]
    assert categories == ["BAFTA TV Awards", "Strictly Come Dancing"]


def test_latest_atom_lists_published_stories(client, desk):
    """The Atom feed has the same stories and no draft."""
    feed, entries = atom_entries(client, "/feeds/articles/atom/")
    assert [e["title"] for e in entries] == [desk.bafta.title, desk.tour.title]
    assert feed.find(f"{ATOM}link[@rel='self']").get("href").endswith("/feeds/articles/atom/")
    assert b"Embargoed" not in client.get("/feeds/articles/atom/").content


def test_person_feeds_hold_their_quotes_and_stories_only_public(client, desk):
    """A person's feeds list their public quotes and stories; no draft, no rejected quote."""
    _, items = rss_items(client, "/feeds/people/amelia-hart/rss/")
    titles = [item["title"] for item in items]
    assert desk.tour.title in titles
    assert "Amelia Hart: “the best night of the year”" in titles
    assert not any("Tickets for the Strictly" in t for t in titles)  # rejected
    _, entries = atom_entries(client, "/feeds/people/rose-ayling-ellis/atom/")
    links = {e["link"] for e in entries}
    assert f"http://testserver{desk.rose_quote.get_absolute_url()}" in links
    assert f"http://testserver{desk.draft_rose_quote.get_absolute_url()}" not in links
    assert all("wedding" not in (e["summary"] or "") for e in entries)


def test_person_feed_for_draft_only_or_unknown_person_is_404(client, desk):
    """No feed for someone only a draft names, nor for an unknown slug."""
    assert client.get("/feeds/people/hidden-draftperson/rss/").status_code == 404
    assert client.get("/feeds/people/nobody/atom/").status_code == 404


def test_tag_feeds_hold_published_stories_with_the_tag(client, desk):
    """A tag's feeds list its published stories only."""
    _, items = rss_items(client, "/feeds/tags/bafta-tv-awards/rss/")
    assert [item["title"] for item in items] == [desk.bafta.title]
    _, entries = atom_entries(client, "/feeds/tags/strictly-come-dancing/atom/")
    assert {e["title"] for e in entries} == {desk.bafta.title, desk.tour.title}
    assert client.get("/feeds/tags/unknown/rss/").status_code == 404


def test_feeds_escape_imported_markup(client):
    """Markup in imported text arrives in the feed as text, and the XML stays well formed."""
    make_story(
        '</title><script>alert("x")</script> & co',
        ["Body."],
        standfirst="<b>bold</b> & ]]> end",
    )
    _, items = rss_items(client, "/feeds/articles/rss/")
    assert items[0]["title"] == '</title><script>alert("x")</script> & co'
    assert items[0]["description"] == "<b>bold</b> & ]]> end"
    _, entries = atom_entries(client, "/feeds/articles/atom/")
    assert entries[0]["title"] == '</title><script>alert("x")</script> & co'


def test_feed_is_limited_to_thirty_items(client):
    """The latest-stories feed carries the 30 newest stories."""
    for n in range(35):
        make_article(f"Bulk {n}")
    _, items = rss_items(client, "/feeds/articles/rss/")
    assert len(items) == 30


def sitemap_urls(client) -> dict:
    """{loc: lastmod} of every URL the sitemap index leads to, following its sections."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    index = ET.fromstring(response.content)
    assert index.tag == f"{SITEMAP}sitemapindex"
    urls = {}
    for section in index:
        location = section.findtext(f"{SITEMAP}loc").removeprefix("http://testserver")
        page = client.get(location)
        assert page.status_code == 200, location
        for u in ET.fromstring(page.content):
            urls[u.findtext(f"{SITEMAP}loc")] = u.findtext(f"{SITEMAP}lastmod")
    return urls


def test_sitemap_lists_public_articles_people_and_tags_with_lastmod(client, desk):
    """The sitemap index leads to sections listing sections, published stories, public
    people and used tags, stories and people with a lastmod; drafts and draft-only people
    are absent."""
    urls = sitemap_urls(client)
    base = "http://testserver"
    for path in (
        "/",
        "/people/",
        "/events/",
        desk.bafta.get_absolute_url(),
        desk.tour.get_absolute_url(),
        desk.rose.get_absolute_url(),
        desk.fan.get_absolute_url(),
        desk.strictly.get_absolute_url(),
        desk.baftas.get_absolute_url(),
    ):
        assert base + path in urls, path
    for path in (desk.bafta.get_absolute_url(), desk.rose.get_absolute_url()):
        assert urls[base + path], f"{path} has no lastmod"
    assert base + desk.draft.get_absolute_url() not in urls
    assert base + desk.secret.get_absolute_url() not in urls
    assert len(urls) == 3 + 2 + 3 + 2


def test_robots_txt_allows_all_but_admin_and_links_the_sitemap(client):
    """robots.txt lets crawlers in everywhere except /admin/ and names the sitemap."""
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert [line for line in lines if line.startswith("Disallow")] == ["Disallow: /admin/"]
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_pages_advertise_their_feeds(client, desk):
    """Pages link the site feed, person and tag pages their own, for feed readers."""
    home = client.get("/").content.decode()
    assert 'type="application/rss+xml"' in home and "/feeds/articles/rss/" in home
    assert (
        "/feeds/people/rose-ayling-ellis/atom/"
        in client.get("/people/rose-ayling-ellis/").content.decode()
    )
