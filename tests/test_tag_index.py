"""The /tags/ index (issue 15, point 5): every public topic A to Z with its story count;
nothing of a draft."""

import pytest

from articles.models import Article
from tests.factories import make_story, make_tag

pytestmark = pytest.mark.django_db


def test_topics_a_to_z_with_their_published_story_counts(client):
    dance, awards, secret = make_tag("Dance"), make_tag("Awards"), make_tag("Secret plans")
    make_story("One", ["Words."], tags=[dance, awards])
    make_story("Two", ["Words."], tags=[dance])
    make_story("Hidden", ["Words."], tags=[dance, secret], status=Article.Status.DRAFT)
    page = client.get("/tags/").content.decode()
    assert page.index(">Awards</a>") < page.index(">Dance</a>")
    assert '>Dance</a> <span class="muted">2 stories</span>' in page
    assert '>Awards</a> <span class="muted">1 story</span>' in page
    assert "Secret plans" not in page
    assert 'href="/tags/" aria-current="page"' in page


def test_topics_are_paged(client):
    for n in range(101):
        make_story(f"Story {n}", ["Words."], tags=[make_tag(f"Topic {n:03}")])
    first = client.get("/tags/").content.decode()
    assert "Topic 099" in first and "Topic 100" not in first
    assert "Topic 100" in client.get("/tags/?page=2").content.decode()
