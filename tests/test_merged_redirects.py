"""Issue 11, defect 4: a merged person's old address redirects everywhere, not only on the
website: the API (detail, timeline, every filter by a person's slug) and the feeds."""

import pytest

from articles.services import person_merge
from tests.factories import build_newsdesk, make_person

pytestmark = pytest.mark.django_db

OLD = "giovanni-pernice"


@pytest.fixture
def merged():
    """Giovanni Pernice merged into a new person record: his old slug is a redirect."""
    desk = build_newsdesk()
    kept = make_person("Giovanni Pernice Jr")
    person_merge(source=desk.giovanni, target=kept)
    return kept


def test_api_person_detail_redirects(client, merged):
    response = client.get(f"/api/v1/people/{OLD}/?format=json")
    assert response.status_code == 301
    assert response["Location"] == f"/api/v1/people/{merged.slug}/?format=json"
    assert client.get(response["Location"]).status_code == 200


def test_api_person_timeline_redirects(client, merged):
    response = client.get(f"/api/v1/people/{OLD}/timeline/")
    assert response.status_code == 301
    assert response["Location"] == f"/api/v1/people/{merged.slug}/timeline/"
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/api/v1/quotes/", "speaker"),
        ("/api/v1/articles/", "person"),
        ("/api/v1/events/", "person"),
    ],
)
def test_api_filters_by_a_merged_slug_redirect(client, merged, path, param):
    response = client.get(path, {param: OLD, "page_size": "5"})
    assert response.status_code == 301
    assert response["Location"] == f"{path}?{param}={merged.slug}&page_size=5"
    followed = client.get(response["Location"])
    assert followed.status_code == 200
    assert followed.json()["count"] >= 1


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_person_feeds_redirect(client, merged, kind):
    response = client.get(f"/feeds/people/{OLD}/{kind}/")
    assert response.status_code == 301
    assert response["Location"] == f"/feeds/people/{merged.slug}/{kind}/"
    assert client.get(response["Location"]).status_code == 200


def test_redirect_never_reveals_someone_who_is_not_public(client):
    """A person named only in drafts has no public address, old or new."""
    desk = build_newsdesk()
    kept = make_person("Hidden Draftperson Two")
    person_merge(source=desk.secret, target=kept)
    old = desk.secret.slug
    assert client.get(f"/people/{old}/").status_code == 404
    assert client.get(f"/api/v1/people/{old}/").status_code == 404
    assert client.get(f"/feeds/people/{old}/rss/").status_code == 404
    assert client.get("/api/v1/quotes/", {"speaker": old}).status_code == 400


def test_unknown_slugs_are_still_not_found(client, merged):
    assert client.get("/api/v1/people/nobody-at-all/").status_code == 404
    assert client.get("/feeds/people/nobody-at-all/rss/").status_code == 404
