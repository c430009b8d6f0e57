"""``updated_at`` on every API resource and the ``updated_after`` filter (issue 15, point 4).

A partner who polls ``?updated_after=<the largest updated_at it holds>`` must receive every
record whose representation changed since, including records that became public (an
article published: its quotes, events, people and tags) and rows the importer writes in
bulk. Each test first ages every row to 2000, then acts, then asks for what moved.
"""

import dataclasses
import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from articles import services
from articles.importing import Importer
from articles.models import Article, Event, Quote, Tag
from people.models import Alias, Person
from tests.api_support import *  # noqa: F403  (fixtures)
from tests.api_support import UTC, query_count, results
from tests.factories import make_article, make_event, make_mention, make_person, make_quote
from tests.test_importing import parsed_story, pipeline, story_file  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=UTC)
CUTOFF = "2010-01-01T00:00:00Z"
RESOURCES = ("articles", "quotes", "events", "people", "tags")


def age_everything():
    """Every row's ``updated_at`` back to 2000 (QuerySet.update leaves auto_now alone)."""
    for model in (Article, Quote, Event, Tag, Person):
        model.objects.update(updated_at=LONG_AGO)
    cache.clear()


def moved(client, resource, key="id"):
    """Keys of the ``resource`` records updated after the cut-off."""
    response = client.get(f"/api/v1/{resource}/?updated_after={CUTOFF}&page_size=100")
    return {item[key] for item in results(response)}


@pytest.mark.parametrize("resource", RESOURCES)
def test_every_resource_shows_updated_at_in_lists_and_details(anon, world, resource):
    """Lists and details carry ``updated_at`` as an ISO 8601 date-time."""
    items = results(anon.get(f"/api/v1/{resource}/"))
    assert items
    for item in items:
        assert dt.datetime.fromisoformat(item["updated_at"].replace("Z", "+00:00"))
    key = items[0]["slug"] if "slug" in items[0] else items[0]["id"]
    detail = anon.get(f"/api/v1/{resource}/{key}/").json()
    assert detail["updated_at"] == items[0]["updated_at"]


def test_updated_after_returns_only_what_changed(anon, world):
    """After ageing everything, a save of one record of each kind lists exactly those
    records, and the records that show them (a renamed tag's articles)."""
    age_everything()
    assert all(moved(anon, r) == set() for r in RESOURCES)
    world.q_old.speaker_label = "x"
    world.q_old.save()
    world.e_join.summary = "Joined the soap"
    world.e_join.save()
    world.gio.description = "Dancer"
    world.gio.save()
    world.bafta.description = "Awards"
    world.bafta.save()
    world.pub2.standfirst = "New standfirst"
    world.pub2.save()
    assert moved(anon, "quotes") == {world.q_old.pk}
    assert moved(anon, "events") == {world.e_join.pk}
    assert moved(anon, "people", "slug") == {"giovanni-pernice"}
    assert moved(anon, "tags", "slug") == {world.bafta.slug}
    assert moved(anon, "articles", "slug") == {world.pub2.slug}


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("value", ["yesterday", "2024-13-01", "2024-05-12T25:00", "99999-01-01"])
def test_a_bad_updated_after_is_a_400_naming_it(anon, world, resource, value):
    response = anon.get(f"/api/v1/{resource}/?updated_after={value}")
    assert response.status_code == 400
    assert "updated_after" in response.json()


def test_updated_after_takes_a_date_or_a_date_time_and_is_inclusive(anon, world):
    """A date means its midnight; a record updated at exactly that moment is included (a
    partner who sends the largest ``updated_at`` it holds gets it again, never misses one
    saved in the same instant)."""
    age_everything()
    stamp = dt.datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    Quote.objects.filter(pk=world.q_rose.pk).update(updated_at=stamp)
    cache.clear()
    assert ids_at(anon, "2024-05-01T12:00:00Z") == [world.q_rose.pk]
    assert ids_at(anon, "2024-05-01T12:00:00%2B00:00") == [world.q_rose.pk]
    assert ids_at(anon, "2024-05-01") == [world.q_rose.pk]
    assert ids_at(anon, "2024-05-01T12:00:01Z") == []


def ids_at(client, value):
    return [item["id"] for item in results(client.get(f"/api/v1/quotes/?updated_after={value}"))]


def test_ordering_by_updated_at_pages_a_sync(anon, world):
    """``ordering=updated_at`` (oldest change first) with the id as tie-breaker."""
    age_everything()
    for n, quote in enumerate([world.q_old, world.q_rose, world.q_fan]):
        Quote.objects.filter(pk=quote.pk).update(updated_at=dt.datetime(2024, 1, 1 + n, tzinfo=UTC))
    cache.clear()
    response = anon.get(f"/api/v1/quotes/?updated_after={CUTOFF}&ordering=updated_at")
    assert [q["id"] for q in results(response)] == [world.q_old.pk, world.q_rose.pk, world.q_fan.pk]
    response = anon.get(f"/api/v1/quotes/?updated_after={CUTOFF}&ordering=-updated_at")
    assert [q["id"] for q in results(response)] == [world.q_fan.pk, world.q_rose.pk, world.q_old.pk]


def test_publishing_moves_everything_it_makes_public(anon, editor, world):
    """A draft published: its quotes and events, and the people and tags it makes public,
    show up in the public's ``updated_after`` lists."""
    draft_tag = Tag.objects.create(name="Scoops")
    world.draft.tags.add(draft_tag)
    age_everything()
    services.article_set_status(
        article=Article.objects.get(pk=world.draft.pk),
        status=Article.Status.PUBLISHED,
        user=editor,
    )
    assert moved(anon, "articles", "slug") == {world.draft.slug}
    assert moved(anon, "quotes") == {world.q_draft.pk}
    assert moved(anon, "events") == {world.e_draft.pk}
    assert moved(anon, "people", "slug") == {world.secret.slug}
    assert moved(anon, "tags", "slug") == {"scoops"}


def test_unpublishing_moves_its_quotes_and_events_for_editors(editor_api, editor, world):
    """Editors who sync see which records left the public view."""
    age_everything()
    article = Article.objects.get(pk=world.pub2.pk)
    services.article_set_status(article=article, status=Article.Status.DRAFT, user=editor)
    assert moved(editor_api, "quotes") == {world.q_old.pk}
    assert moved(editor_api, "events") == {world.e_join.pk}
    assert world.strictly.slug in moved(editor_api, "tags", "slug")


def test_a_new_date_or_headline_moves_the_quotes_and_events_that_show_it(anon, world):
    age_everything()
    world.pub2.title = "Rose joins the soap"
    world.pub2.save()
    assert moved(anon, "quotes") == {world.q_old.pk}
    assert moved(anon, "events") == {world.e_join.pk}
    assert moved(anon, "people") == set()  # visibility unchanged: people stay put


def test_renaming_a_person_moves_what_shows_their_name(anon, world):
    age_everything()
    rose = Person.objects.get(pk=world.rose.pk)
    rose.name = "Rose Ayling Ellis"
    rose.save()
    assert moved(anon, "quotes") == {world.q_rose.pk, world.q_old.pk}
    assert moved(anon, "events") == {world.e_win.pk, world.e_join.pk}
    assert moved(anon, "articles", "slug") == {world.pub1.slug, world.pub2.slug}


def test_tags_added_or_renamed_move_articles_and_tags(anon, world):
    age_everything()
    world.pub2.tags.add(world.bafta)
    assert moved(anon, "articles", "slug") == {world.pub2.slug}
    assert moved(anon, "tags", "slug") == {world.bafta.slug}
    age_everything()
    tag = Tag.objects.get(pk=world.strictly.pk)
    tag.name = "Strictly"
    tag.save()
    assert moved(anon, "articles", "slug") == {world.pub1.slug, world.pub2.slug}
    age_everything()
    world.pub1.tags.clear()
    assert moved(anon, "articles", "slug") == {world.pub1.slug}


def test_alias_changes_move_the_person(anon, world):
    """A person's aliases are part of what the API shows of them."""
    age_everything()
    alias = Alias.objects.create(person=world.gio, text="Giovanni P", kind=Alias.Kind.OTHER)
    assert moved(anon, "people", "slug") == {world.gio.slug}
    age_everything()
    alias.delete()
    assert moved(anon, "people", "slug") == {world.gio.slug}


def test_event_people_changes_move_the_event_and_the_person(anon, world):
    age_everything()
    world.e_join.people.add(world.gio)
    assert moved(anon, "events") == {world.e_join.pk}
    assert moved(anon, "people", "slug") == {world.gio.slug}


def test_editorial_services_move_updated_at(anon, editor, world):
    """Saves limited to some fields (``update_fields``) and the merge's bulk updates."""
    age_everything()
    services.quote_set_status(
        quote=Quote.objects.get(pk=world.q_fan.pk), status=Quote.Status.CONFIRMED, user=editor
    )
    assert moved(anon, "quotes") == {world.q_fan.pk}
    age_everything()
    services.person_merge(
        source=Person.objects.get(pk=world.gio.pk),
        target=Person.objects.get(pk=world.rose.pk),
        user=editor,
    )
    assert moved(anon, "events") == {world.e_win.pk, world.e_undated.pk}
    assert {world.pub1.slug, world.undated.slug} <= moved(anon, "articles", "slug")


def test_a_body_edit_moves_the_quotes_it_shifts(anon, editor, world):
    age_everything()
    article = Article.objects.get(pk=world.pub1.pk)
    services.article_update_body(
        article=article, body="Today: " + article.body, user=editor, expected_version=None
    )
    assert world.q_rose.pk in moved(anon, "quotes")


def test_imports_set_updated_at_on_every_bulk_path(pipeline, story_file, anon, settings):  # noqa: F811
    """New quotes and events, the people a published story makes public, and quotes and
    events a re-import rewrites in bulk (bulk_update skips auto_now)."""
    settings.NEWSROOM_PUBLISH_MIN_CONFIDENCE = 0.5
    existing = make_person("Rose Ayling-Ellis")
    Person.objects.update(updated_at=LONG_AGO)
    pipeline["story.txt"] = parsed_story()
    Importer(publish=True).import_path(story_file(content=b"one"))
    cache.clear()
    assert len(moved(anon, "quotes")) == 2
    assert len(moved(anon, "events")) == 1
    assert existing.slug in moved(anon, "people", "slug")  # became public with the story

    age_everything()
    story = parsed_story()
    # Re-extracted in place (bulk_update); the event loses a participant.
    story.quotes[0] = dataclasses.replace(story.quotes[0], confidence=0.95)
    story.events[0] = dataclasses.replace(story.events[0], people=(0,))
    story = dataclasses.replace(story, sha256="f" * 64)
    pipeline["story.txt"] = story
    Importer(publish=True).import_path(story_file(content=b"two"))
    cache.clear()
    rewritten = Quote.objects.get(text="It was a dream")
    assert rewritten.confidence == pytest.approx(0.95)
    assert rewritten.pk in moved(anon, "quotes")
    assert moved(anon, "events") == set(Event.objects.values_list("pk", flat=True))


def test_counts_are_kept_apart_per_updated_after(anon, world):
    """The stored count of a list is keyed by its filters: two cut-offs, two counts."""
    age_everything()
    Quote.objects.filter(pk=world.q_rose.pk).update(updated_at=timezone.now())
    assert anon.get(f"/api/v1/quotes/?updated_after={CUTOFF}").json()["count"] == 1
    assert anon.get("/api/v1/quotes/?updated_after=1999-01-01").json()["count"] == 3


@pytest.mark.parametrize("resource", RESOURCES)
def test_the_filter_adds_no_query_per_row(anon, resource):
    """The same number of queries for one row as for ten."""
    make_article("Only story")
    counts = []
    for n in range(1, 11):
        article = make_article(
            f"Story {n}", body="Rose spoke. “Words here,” she said.", published_at=timezone.now()
        )
        person = make_person(f"Person {n}")
        make_mention(article, person, start=0, end=4)
        make_quote(article, text="Words here", speaker=person, start=13)
        make_event(article, summary=f"Thing {n}", people=[person])
        article.tags.add(Tag.objects.create(name=f"Tag {n}"))
        if n in (1, 10):
            counts.append(query_count(anon, f"/api/v1/{resource}/?updated_after={CUTOFF}"))
    assert counts[0] == counts[1]


def test_schema_documents_updated_after_and_updated_at(anon):
    schema = anon.get("/api/schema/", HTTP_ACCEPT="application/json")
    if schema.status_code == 404:
        schema = anon.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    text = schema.content.decode()
    assert "updated_after" in text
    assert "updated_at" in text
