"""The API over the five real seed stories imported through the real pipeline."""

import pytest

from tests.api_support import *  # noqa: F403  (fixtures)
from tests.api_support import query_count, results

pytestmark = pytest.mark.django_db


def test_seed_articles_are_listed_with_people_and_sources(anon, imported_seeds):
    """All five published seeds are listed, each with its provenance and named people."""
    articles = results(anon.get("/api/v1/articles/"))
    assert len(articles) == len(imported_seeds) == 5
    assert {a["source"]["name"] for a in articles} == set(imported_seeds)
    assert all(a["people"] for a in articles)


def test_seed_quotes_and_people_are_consistent(anon, imported_seeds):
    """Every listed quote's speaker is a listed person, and its article a listed article."""
    quotes = results(anon.get("/api/v1/quotes/?page_size=100"))
    people = {p["slug"] for p in results(anon.get("/api/v1/people/?page_size=100"))}
    articles = {a["slug"] for a in results(anon.get("/api/v1/articles/"))}
    assert quotes
    assert {q["speaker"]["slug"] for q in quotes if q["speaker"]} <= people
    assert {q["article"]["slug"] for q in quotes} <= articles


def test_seed_timeline_of_every_person_answers(anon, imported_seeds):
    """Each public person's timeline is non-empty and in date order (unknown dates last)."""
    for person in results(anon.get("/api/v1/people/?page_size=100")):
        items = results(anon.get(f"/api/v1/people/{person['slug']}/timeline/?page_size=100"))
        assert items, person["slug"]
        dates = [item["date"] for item in items]
        known = [d for d in dates if d is not None]
        assert known == sorted(known)
        assert dates == known + [None] * (len(dates) - len(known))


def test_seed_rose_search(anon, imported_seeds):
    """Searching people for "rose" finds Rose Ayling-Ellis."""
    names = [p["name"] for p in results(anon.get("/api/v1/people/?q=rose"))]
    assert "Rose Ayling-Ellis" in names


def test_seed_lists_have_constant_queries(anon, imported_seeds):
    """On real data too, page size 1 and 100 cost the same number of queries."""
    for url in ("/api/v1/articles/", "/api/v1/quotes/", "/api/v1/events/", "/api/v1/people/"):
        assert query_count(anon, f"{url}?page_size=1") == query_count(anon, f"{url}?page_size=100")
