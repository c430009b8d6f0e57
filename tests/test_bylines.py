"""Bylines (issue 14): author people or free text, on the article page, in feeds, in
JSON-LD ``author`` and in the API; the organisation only when there is no byline."""

import json
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from articles import services
from articles.models import Article
from tests.factories import make_article, make_mention_in, make_person, make_story
from tests.test_admin_articles import change_url, form_data
from tests.test_web_seo import head

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"


@pytest.fixture
def desk():
    """A story by two author people (one also named in a published story, so with a page
    of her own; one a writer nobody quotes), one with a free-text byline, one with none."""
    jane = make_person("Jane Porter")
    ali = make_person("Ali Khan")
    named = make_story("Jane Porter wins a prize", ["Jane Porter won the prize."])
    make_mention_in(named, jane, "Jane Porter")
    by_people = make_story("Strictly final night", ["The final was a triumph."], slug="final")
    by_people.authors.set([jane, ali])
    free = make_article("Wire story", slug="wire", byline="Reuters staff")
    plain = make_article("Desk story", slug="desk")
    return {"jane": jane, "ali": ali, "people": by_people, "free": free, "plain": plain}


def byline(client, article) -> str:
    html = client.get(article.get_absolute_url()).content.decode()
    start = html.find('<p class="byline">')
    return html[start : html.find("</p>", start) + 4] if start >= 0 else ""


class TestArticlePage:
    def test_author_people_are_named_and_linked_to_their_page(self, client, desk):
        """Authors by name; a link only for the one with a public page (the other's page
        would be a 404)."""
        assert byline(client, desk["people"]) == (
            '<p class="byline">By Ali Khan and '
            f'<a href="{desk["jane"].get_absolute_url()}">Jane Porter</a></p>'
        )
        assert client.get(desk["ali"].get_absolute_url()).status_code == 404

    def test_three_authors_read_as_a_list(self, client, desk):
        desk["people"].authors.add(make_person("Zoe Ball"))
        assert byline(client, desk["people"]).startswith('<p class="byline">By Ali Khan, <a href="')
        assert byline(client, desk["people"]).endswith(">Jane Porter</a> and Zoe Ball</p>")

    def test_free_text_byline_when_no_author_people(self, client, desk):
        assert byline(client, desk["free"]) == '<p class="byline">By Reuters staff</p>'
        assert byline(client, desk["plain"]) == ""

    def test_byline_text_is_escaped(self, client):
        article = make_article("Escaped", byline="<script>alert(1)</script>")
        assert "&lt;script&gt;" in byline(client, article)

    def test_article_page_queries_do_not_grow_with_authors(self, client, desk):
        """One query for the authors (and whether each has a page), however many."""

        def count():
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                assert client.get(desk["people"].get_absolute_url()).status_code == 200
            return len(queries)

        before = count()
        desk["people"].authors.add(*(make_person(f"Writer {n}") for n in range(5)))
        assert count() == before


class TestJsonLd:
    def ld(self, client, article) -> dict:
        return json.loads(head(client, article.get_absolute_url()).json_ld[0])

    def test_author_people_with_name_and_page(self, client, desk):
        assert self.ld(client, desk["people"])["author"] == [
            {"@type": "Person", "name": "Ali Khan"},
            {
                "@type": "Person",
                "name": "Jane Porter",
                "url": f"http://testserver{desk['jane'].get_absolute_url()}",
            },
        ]

    def test_free_text_is_a_persons_name_and_no_byline_is_the_organisation(self, client, desk):
        assert self.ld(client, desk["free"])["author"] == [
            {"@type": "Person", "name": "Reuters staff"}
        ]
        plain = self.ld(client, desk["plain"])
        assert plain["author"] == {"@type": "NewsMediaOrganization", "name": "Newsroom"}
        assert plain["publisher"] == plain["author"]


class TestFeeds:
    def test_rss_names_the_authors(self, client, desk):
        channel = ET.fromstring(client.get("/feeds/articles/rss/").content).find("channel")
        creators = {
            item.findtext("title"): item.findtext(f"{DC}creator")
            for item in channel.findall("item")
        }
        assert creators["Strictly final night"] == "Ali Khan and Jane Porter"
        assert creators["Wire story"] == "Reuters staff"
        assert creators["Desk story"] is None

    def test_atom_names_the_authors(self, client, desk):
        feed = ET.fromstring(client.get("/feeds/articles/atom/").content)
        authors = {
            entry.findtext(f"{ATOM}title"): entry.findtext(f"{ATOM}author/{ATOM}name")
            for entry in feed.findall(f"{ATOM}entry")
        }
        assert authors["Strictly final night"] == "Ali Khan and Jane Porter"
        assert authors["Wire story"] == "Reuters staff"
        assert authors["Desk story"] is None

    def test_feed_queries_do_not_grow_with_authors(self, desk):
        reader = Client()

        def count(url):
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                assert reader.get(url).status_code == 200
            return len(queries)

        urls = ["/feeds/articles/rss/", "/feeds/people/jane-porter/atom/"]
        before = [count(url) for url in urls]
        for article in Article.objects.all():
            article.authors.add(desk["ali"], make_person(f"Writer {article.pk}"))
        assert [count(url) for url in urls] == before


class TestApi:
    def test_detail_gives_byline_and_authors(self, client, desk):
        data = client.get("/api/v1/articles/final/").json()
        assert data["byline"] == ""
        assert data["authors"] == [
            {"name": "Ali Khan", "slug": "ali-khan", "url": None},
            {
                "name": "Jane Porter",
                "slug": "jane-porter",
                "url": f"http://testserver{desk['jane'].get_absolute_url()}",
            },
        ]
        wire = client.get("/api/v1/articles/wire/").json()
        assert (wire["byline"], wire["authors"]) == ("Reuters staff", [])


class TestEditing:
    def test_editor_sets_author_people_in_the_admin(self, editor_client, desk):
        """A staff editor (not a superuser) picks authors on the change form; readers see
        them at once."""
        article = desk["free"]
        data = form_data(editor_client.get(change_url(article)))
        data["authors"] = [str(desk["jane"].pk)]
        response = editor_client.post(change_url(article), data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert list(article.authors.all()) == [desk["jane"]]
        editor_client.logout()
        assert "Jane Porter</a></p>" in byline(editor_client, article)

    def test_change_form_uses_the_autocomplete_widget(self, editor_client, desk):
        html = editor_client.get(change_url(desk["free"])).content.decode()
        assert 'name="authors"' in html and "admin-autocomplete" in html

    def test_merging_people_keeps_their_bylines(self, desk):
        """A merge moves the merged person's bylines to the kept person."""
        kept = make_person("Ali Khan-Smith")
        services.person_merge(source=desk["ali"], target=kept)
        assert set(desk["people"].authors.all()) == {kept, desk["jane"]}

    def test_merging_two_authors_of_one_story_leaves_one(self, desk):
        services.person_merge(source=desk["ali"], target=desk["jane"])
        assert list(desk["people"].authors.all()) == [desk["jane"]]

    def test_removing_an_author_shows_at_once(self, client, desk):
        assert "Ali Khan" in byline(client, desk["people"])
        desk["people"].authors.remove(desk["ali"])
        assert "Ali Khan" not in byline(client, desk["people"])
