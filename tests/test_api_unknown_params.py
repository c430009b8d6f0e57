"""Unknown query parameters are a 400 that names them (issue 15, point 4): they used to be
ignored, so ``events?article=`` answered with every event as if filtered."""

import pytest

from tests.api_support import *  # noqa: F403  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "unknown"),
    [
        ("/api/v1/events/?article=1", ["article"]),
        ("/api/v1/quotes/?tag=strictly-come-dancing", ["tag"]),
        ("/api/v1/events/?q=bafta", ["q"]),
        ("/api/v1/tags/?q=bafta", ["q"]),
        ("/api/v1/people/?speaker=x&zzz=1", ["speaker", "zzz"]),
        ("/api/v1/articles/strictly-pair-win-bafta/?junk=1", ["junk"]),
        ("/api/v1/people/rose-ayling-ellis/timeline/?person=x", ["person"]),
    ],
)
def test_unknown_parameters_are_refused_by_name(anon, world, url, unknown):
    response = anon.get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert data["unknown_parameters"] == unknown
    for name in unknown:
        assert name in data["detail"]


def test_editors_are_refused_too(editor_api, world):
    assert editor_api.get("/api/v1/events/?article=1").status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/events/?person=rose-ayling-ellis&page=1&page_size=5&format=json",
        "/api/v1/quotes/?speaker=rose-ayling-ellis",
        "/api/v1/articles/?tag=bafta&ordering=-published_at",
        "/api/v1/people/?q=rose",
        "/api/v1/people/rose-ayling-ellis/timeline/?page_size=2",
    ],
)
def test_parameters_the_view_reads_are_accepted(anon, world, url):
    assert anon.get(url).status_code == 200


def test_the_refusal_lists_what_is_accepted(anon, world):
    detail = anon.get("/api/v1/events/?article=1").json()["detail"]
    for name in ("person", "date_after", "date_before", "page", "page_size"):
        assert name in detail
