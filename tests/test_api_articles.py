"""The articles endpoint: fields, visibility, filters, ordering, pagination, query counts."""

import pytest

from tests.api_support import *  # noqa: F403  (fixtures)
from tests.api_support import query_count, results, slugs

pytestmark = pytest.mark.django_db

URL = "/api/v1/articles/"


def test_list_has_contract_fields(anon, world):
    """Each article carries the contract's fields; nested people and source have their shape."""
    first = results(anon.get(URL))[0]
    assert first["slug"] == world.pub1.slug
    assert {"id", "slug", "title", "standfirst", "published_at", "url", "tags", "people"} <= set(
        first
    )
    assert first["published_at"] == "2024-05-12T19:00:00+01:00"
    assert first["url"] == f"http://testserver/articles/{world.pub1.slug}/"
    assert first["people"] == [
        {"name": "Rose Ayling-Ellis", "slug": "rose-ayling-ellis"},
        {"name": "Giovanni Pernice", "slug": "giovanni-pernice"},
    ]
    assert first["source"] == {
        "key": world.pub1.source_key,
        "name": world.pub1.source_name,
        "sha256": world.pub1.source_sha256,
    }
    assert {tag["slug"] for tag in first["tags"]} == {"strictly-come-dancing", "bafta"}
    assert "body" not in first


def test_list_is_latest_first_with_unknown_dates_last(anon, world):
    """Default order: newest publication first, undated articles at the end; drafts absent."""
    assert slugs(anon.get(URL)) == [world.pub1.slug, world.pub2.slug, world.undated.slug]
    assert anon.get(URL).json()["count"] == 3


def test_detail_adds_body(anon, world):
    """The detail, looked up by slug, includes the body."""
    data = anon.get(f"{URL}{world.pub1.slug}/").json()
    assert data["body"] == world.pub1.body
    assert data["id"] == world.pub1.pk


def test_draft_detail_is_404_for_anonymous(anon, world):
    """A draft is invisible to the public, even by its slug."""
    response = anon.get(f"{URL}{world.draft.slug}/")
    assert response.status_code == 404
    assert "detail" in response.json()


def test_editor_sees_drafts(editor_api, world):
    """Editors list and open drafts."""
    assert world.draft.slug in slugs(editor_api.get(URL))
    assert editor_api.get(f"{URL}{world.draft.slug}/").json()["status"] == "draft"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("person=giovanni-pernice", ["pub1", "undated"]),
        ("tag=bafta", ["pub1"]),
        ("tag=strictly-come-dancing", ["pub1", "pub2"]),
        ("published_after=2024-01-01", ["pub1"]),
        ("published_before=2024-01-01", ["pub2"]),
        ("published_after=2023-01-05T09:00:00Z", ["pub1", "pub2"]),
        ("q=SOAP", ["pub2"]),
        ("q=silent", ["pub1"]),
        (
            "person=rose-ayling-ellis&tag=strictly-come-dancing&published_before=2024-01-01",
            ["pub2"],
        ),
    ],
)
def test_filters(anon, world, query, expected):
    """Each filter (person, tag, date range, text) narrows the list as documented."""
    assert slugs(anon.get(f"{URL}?{query}")) == [getattr(world, name).slug for name in expected]


def test_filter_does_not_reveal_drafts(anon, editor_api, world):
    """A person only in a draft is an unknown filter value for the public, known to editors."""
    response = anon.get(f"{URL}?person=secret-sam")
    assert response.status_code == 400
    assert "person" in response.json()
    assert slugs(editor_api.get(f"{URL}?person=secret-sam")) == [world.draft.slug]


def test_q_finds_drafts_only_for_editors(anon, editor_api, world):
    """Free text never surfaces a draft to the public."""
    assert slugs(anon.get(f"{URL}?q=scoop")) == []
    assert slugs(editor_api.get(f"{URL}?q=scoop")) == [world.draft.slug]


@pytest.mark.parametrize(
    "query",
    [
        "person=no-such-person",
        "tag=nope",
        "tag=bad%20slug",
        "published_after=yesterday",
        "published_before=2024-13-45",
        "ordering=body",
        "ordering=-published_at,nope",
        "page_size=abc",
        "page_size=0",
    ],
)
def test_invalid_parameters_are_400_with_a_message(anon, world, query):
    """Unknown slugs, bad dates, unknown ordering fields and bad page sizes are 400s, with
    the offending parameter named in the JSON body."""
    response = anon.get(f"{URL}?{query}")
    assert response.status_code == 400
    name = query.split("=")[0]
    assert name in response.json()
    assert response.json()[name]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("title", ["pub2", "pub1", "undated"]),
        ("-title", ["undated", "pub1", "pub2"]),
        ("published_at", ["pub2", "pub1", "undated"]),
        ("-published_at", ["pub1", "pub2", "undated"]),
        ("id", ["pub1", "pub2", "undated"]),
    ],
)
def test_ordering_whitelist(anon, world, ordering, expected):
    """Whitelisted orderings sort as asked, unknown dates last in both directions."""
    got = slugs(anon.get(f"{URL}?ordering={ordering}"))
    assert got == [getattr(world, name).slug for name in expected]


def test_pagination_shape_and_links(anon, world):
    """Pages carry count/next/previous/results and page_size is honoured."""
    data = anon.get(f"{URL}?page_size=2").json()
    assert set(data) == {"count", "next", "previous", "results"}
    assert data["count"] == 3
    assert len(data["results"]) == 2
    assert data["previous"] is None
    assert "page=2" in data["next"]
    second = anon.get(data["next"]).json()
    assert [a["slug"] for a in second["results"]] == [world.undated.slug]
    assert second["next"] is None


def test_page_size_is_capped_at_100(anon, many):
    """A page_size above 100 returns 100 results."""
    assert len(results(anon.get(f"{URL}?page_size=500"))) == 100


def test_page_past_the_end_is_404_json(anon, world):
    """A page beyond the last is a 404 with a JSON message."""
    response = anon.get(f"{URL}?page=99")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_list_query_count_is_constant(anon, many):
    """Page size 1 and 100 run the same number of queries (no N+1)."""
    small = query_count(anon, f"{URL}?page_size=1")
    large = query_count(anon, f"{URL}?page_size=100")
    assert small == large
    assert large <= 5


def test_filtered_list_query_count_is_constant(anon, many):
    """With filters and ordering, the query count still does not grow with the page."""
    slug = many.people[0].slug
    query = f"person={slug}&tag={many.tags[0].slug}&ordering=title&q=Bulk"
    assert query_count(anon, f"{URL}?{query}&page_size=1") == query_count(
        anon, f"{URL}?{query}&page_size=100"
    )


def test_editor_list_query_count_is_constant(editor_api, many):
    """Editors' lists (permission checks included) do not grow with the page either."""
    assert query_count(editor_api, f"{URL}?page_size=1") == query_count(
        editor_api, f"{URL}?page_size=100"
    )
