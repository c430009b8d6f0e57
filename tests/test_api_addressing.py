"""Every resource is addressable the way its list shows it (issue 15, point 4): lists show
`id` and `slug`; articles, people and tags were reachable by slug only, so an id from a
list answered 404 as a path."""

import pytest

from articles.models import Article
from tests.api_support import *  # noqa: F403  (fixtures)
from tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("resource", ["articles", "people", "tags"])
def test_every_listed_id_and_slug_resolves_to_the_same_record(anon, world, resource):
    listed = anon.get(f"/api/v1/{resource}/").json()["results"]
    assert listed
    for row in listed:
        by_slug = anon.get(f"/api/v1/{resource}/{row['slug']}/")
        by_id = anon.get(f"/api/v1/{resource}/{row['id']}/")
        assert by_slug.status_code == by_id.status_code == 200
        assert by_id.json() == by_slug.json()


def test_a_numeric_slug_wins_over_an_id(anon, world):
    story = make_article("Story of another year", slug=str(world.pub1.pk))
    assert anon.get(f"/api/v1/articles/{world.pub1.pk}/").json()["id"] == story.pk


def test_a_drafts_id_is_not_found_like_its_slug(anon, world):
    assert world.draft.status == Article.Status.DRAFT
    assert anon.get(f"/api/v1/articles/{world.draft.pk}/").status_code == 404
    assert anon.get(f"/api/v1/people/{world.secret.pk}/").status_code == 404
    assert anon.get("/api/v1/people/999999/").status_code == 404


def test_a_timeline_by_id(anon, world):
    by_id = anon.get(f"/api/v1/people/{world.rose.pk}/timeline/")
    assert by_id.status_code == 200
    assert by_id.json() == anon.get(f"/api/v1/people/{world.rose.slug}/timeline/").json()


def test_editors_write_by_id_too(editor_api, world):
    response = editor_api.post(
        f"/api/v1/articles/{world.draft.pk}/publish/", {"version": world.draft.version}
    )
    assert response.status_code == 200, response.content
    world.draft.refresh_from_db()
    assert world.draft.status == Article.Status.PUBLISHED
