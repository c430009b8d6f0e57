"""``search.services.ranked``: a queryset narrowed to ranked ids, in their order (issue 12).

The API's ``q`` filters and the admin's search boxes page it like any queryset, on SQLite
and PostgreSQL alike.
"""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Tag
from search.services import MAX_IDS, ranked

pytestmark = pytest.mark.django_db


@pytest.fixture
def tags():
    """More tags than a search ranks, with ids of every width (1, 11, 111...)."""
    numbers = range(1, MAX_IDS + 51)
    Tag.objects.bulk_create(Tag(pk=n, name=f"tag {n}", slug=f"tag-{n}") for n in numbers)
    return list(numbers)


def test_keeps_the_order_of_a_full_list_of_ids(tags):
    """MAX_IDS ids in any order come back in that order, and only them."""
    ids = random.Random(12).sample(tags, MAX_IDS)
    assert list(ranked(Tag.objects.all(), ids).values_list("pk", flat=True)) == ids


def test_ids_that_contain_each_other_keep_their_places(tags):
    """1 is not found inside 11 or 111 (nor 11 inside 111): each id is matched whole."""
    ids = [111, 1, 11, 1000, 100, 10]
    assert list(ranked(Tag.objects.all(), ids).values_list("pk", flat=True)) == ids


def test_a_repeated_id_keeps_its_first_place(tags):
    first, second = tags[:2]
    assert list(
        ranked(Tag.objects.all(), [second, first, second]).values_list("pk", flat=True)
    ) == [
        second,
        first,
    ]


def test_composes_with_filters_ordering_counting_and_slicing(tags):
    """What the API does with it: filter further, count, page, or order differently."""
    ids = list(reversed(tags[:300]))
    kept = [pk for pk in ids if pk % 2]
    queryset = ranked(Tag.objects.all(), ids).filter(pk__in=[pk for pk in tags if pk % 2])
    assert queryset.count() == len(kept)
    assert list(queryset[20:40].values_list("pk", flat=True)) == kept[20:40]
    assert list(queryset.order_by("pk").values_list("pk", flat=True)) == sorted(kept)
    assert list(ranked(Tag.objects.none(), ids)) == []
    assert list(ranked(Tag.objects.all(), [])) == []


def test_the_order_is_one_expression_not_a_branch_per_id(tags):
    """The ranking's order is a single value, not a CASE with a parameter per id: at
    MAX_IDS ids that CASE was most of an API search's time at 100,000 articles."""
    ids = tags[:MAX_IDS]
    with CaptureQueriesContext(connection) as queries:
        list(ranked(Tag.objects.all(), ids)[:20])
    (sql,) = [query["sql"] for query in queries.captured_queries]
    assert "CASE" not in sql.upper()
    assert len(sql) < 25 * MAX_IDS  # the ids in the IN list and in the order: a few bytes each
