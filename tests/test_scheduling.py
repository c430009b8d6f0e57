"""Scheduled publishing (issue 14): a scheduled article is hidden everywhere until its time,
then published by the publish service (a task, or the middleware's safety net), and every
page, feed, sitemap, the API and search follow."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from articles import scheduling, services
from articles.content_version import content_state
from articles.models import Article, ContentVersion, Quote
from articles.tasks import publish_scheduled_article
from search.index import flush
from tests.factories import make_mention_in, make_person, make_quote_in, make_story

pytestmark = pytest.mark.django_db

HEADLINE = "Gala night crowns the winners"
PARAGRAPHS = ["Ada Okafor won the gala.", "“It was magic,” Ada Okafor said."]


@pytest.fixture
def clock(monkeypatch):
    """Django's clock, moved by the test (``clock.advance(hours=2)``)."""

    class Clock:
        now = timezone.now().replace(microsecond=0)

        def advance(self, **delta):
            self.now += timedelta(**delta)

    moved = Clock()
    monkeypatch.setattr(timezone, "now", lambda: moved.now)
    return moved


class SharedLocMem(LocMemCache):
    """A LocMemCache that ``web.caching.cache_is_shared`` takes for a shared cache (pages
    are stored only in a cache shared by every process)."""


def shared_locmem(settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "tests.test_scheduling.SharedLocMem"},
    }


def scheduled_story(clock, *, hours=1):
    ada = make_person("Ada Okafor")
    article = make_story(HEADLINE, PARAGRAPHS, status=Article.Status.DRAFT)
    make_quote_in(article, "It was magic,", speaker=ada)
    make_mention_in(article, ada, "Ada Okafor")
    services.article_schedule(article=article, publish_at=clock.now + timedelta(hours=hours))
    flush()
    return article


def public_views(client, article) -> dict[str, bool]:
    """Where anonymous readers find the article (True) or not."""

    def shows(url, **params):
        response = client.get(url, params)
        return response.status_code == 200 and article.slug in response.content.decode()

    return {
        "home": shows("/"),
        "page": client.get(article.get_absolute_url()).status_code == 200,
        "rss": shows("/feeds/articles/rss/"),
        "atom": shows("/feeds/articles/atom/"),
        "sitemap": article.slug in client.get("/sitemap-articles.xml").content.decode(),
        "api list": shows("/api/v1/articles/"),
        "api detail": client.get(f"/api/v1/articles/{article.slug}/").status_code == 200,
        "search": shows("/search/", q="gala"),
        "person": shows("/people/ada-okafor/"),
    }


def test_scheduled_article_is_hidden_until_its_time_then_public_everywhere(client, clock):
    """Before its time the article is absent from the home page, its page (404), feeds,
    sitemap, API and search; once the time has passed, the next request publishes it and
    it is everywhere, with its quotes and mentions public too."""
    article = scheduled_story(clock)
    assert set(public_views(client, article).values()) == {False}
    clock.advance(minutes=59)
    assert set(public_views(client, article).values()) == {False}

    clock.advance(minutes=2)
    views = public_views(client, article)
    assert views == dict.fromkeys(views, True)
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at == clock.now - timedelta(minutes=1)  # its scheduled time
    assert Quote.objects.public().filter(article=article).count() == 1
    assert article.history.first().history_change_reason == "published at its scheduled time"


def test_publication_bumps_the_content_version_so_stored_pages_are_not_served(
    client, clock, settings
):
    """With a shared cache the home page is stored before the time; the publication bumps
    the content version, so the page stored without the article is never served again."""
    shared_locmem(settings)
    scheduled_story(clock)
    first = client.get("/")
    assert first["X-Page-Cache"] == "miss" and HEADLINE not in first.content.decode()
    assert client.get("/")["X-Page-Cache"] == "hit"
    before = content_state().token
    clock.advance(hours=2)
    after = client.get("/")
    assert content_state().token != before
    assert after["X-Page-Cache"] == "miss"
    assert HEADLINE in after.content.decode()
    assert client.get("/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_the_safety_net_costs_no_query_until_something_is_due(clock, django_assert_num_queries):
    """The next publication time comes with the content version's row, which every public
    page and API response reads anyway: one query, scheduled articles or not; publishing
    starts only once the time has passed."""
    with django_assert_num_queries(1):
        content_state()
    scheduled_story(clock)
    with django_assert_num_queries(1):
        content_state()
    clock.advance(hours=2)
    content_state()
    assert Article.objects.scheduled().count() == 0
    with django_assert_num_queries(1):
        content_state()  # nothing scheduled any more


def test_the_version_row_holds_the_earliest_publication_time(clock):
    """Kept with every change of schedule, in the writing transaction."""
    assert ContentVersion.objects.get().next_publication_at is None
    later = scheduled_story(clock, hours=5)
    sooner = make_story("Sooner", ["Text."], status=Article.Status.DRAFT)
    services.article_schedule(article=sooner, publish_at=clock.now + timedelta(hours=1))
    assert ContentVersion.objects.get().next_publication_at == clock.now + timedelta(hours=1)
    services.article_set_status(article=sooner, status=Article.Status.DRAFT)
    assert ContentVersion.objects.get().next_publication_at == later.published_at
    services.article_set_status(article=later, status=Article.Status.PUBLISHED)
    assert ContentVersion.objects.get().next_publication_at is None


def test_a_stale_next_time_is_corrected_instead_of_checked_on_every_request(clock):
    """A schedule changed behind ``Article.save`` (``QuerySet.update``) leaves a time with
    nothing due: the first check stores the true one."""
    article = scheduled_story(clock)
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    clock.advance(hours=2)
    content_state()
    assert ContentVersion.objects.get().next_publication_at is None


def test_publishing_is_idempotent_and_claims_the_article_once(clock):
    """Two publishers racing for the same article: one publishes it, the other finds it
    published (or its version claimed) and does nothing; a second run publishes nothing."""
    article = scheduled_story(clock)
    clock.advance(hours=2)
    stale = Article.objects.get(pk=article.pk)
    assert scheduling.publish_scheduled(article_id=article.pk) is True
    assert scheduling.publish_scheduled(article_id=article.pk) is False
    assert scheduling.publish_due() == 0
    with pytest.raises(services.StaleEdit):
        services.article_set_status(article=stale, status=Article.Status.PUBLISHED)
    assert article.history.filter(status=Article.Status.PUBLISHED).count() == 1


def test_not_due_articles_are_left_scheduled(clock):
    """The publisher never publishes early: moved to a later time, the article waits."""
    article = scheduled_story(clock)
    services.article_schedule(article=article, publish_at=clock.now + timedelta(hours=5))
    clock.advance(hours=2)
    assert scheduling.check_schedule() == 0
    assert publish_scheduled_article.call(article_id=article.pk) is False
    article.refresh_from_db()
    assert article.status == Article.Status.SCHEDULED


def test_scheduling_enqueues_a_task_to_run_at_the_publication_time(
    clock, django_capture_on_commit_callbacks
):
    """The database task backend defers: scheduling enqueues the publication task with
    ``run_after`` at the publication time; the task publishes the article then."""
    from django_tasks_db.models import DBTaskResult

    article = make_story(HEADLINE, PARAGRAPHS, status=Article.Status.DRAFT)
    at = clock.now + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.article_schedule(article=article, publish_at=at)
    task = DBTaskResult.objects.get(task_path__endswith="publish_scheduled_article")
    assert task.run_after == at
    assert task.args_kwargs["kwargs"] == {"article_id": article.pk}
    clock.advance(hours=1)
    assert publish_scheduled_article.call(article_id=article.pk) is True
    article.refresh_from_db()
    assert article.is_published


def test_a_schedule_needs_a_time_in_the_future(clock):
    """The service refuses a missing or past time; the database refuses a scheduled
    article without a date."""
    article = make_story(HEADLINE, PARAGRAPHS, status=Article.Status.DRAFT)
    for publish_at in (None, clock.now, clock.now - timedelta(days=1)):
        with pytest.raises(services.NotSchedulable):
            services.article_schedule(article=article, publish_at=publish_at)
    with pytest.raises(services.NotSchedulable):
        services.article_set_status(article=article, status=Article.Status.SCHEDULED)
    with transaction.atomic(), pytest.raises(IntegrityError):
        Article.objects.filter(pk=article.pk).update(status="scheduled", published_at=None)


def test_scheduling_a_published_article_withdraws_it_until_then(client, clock):
    """A published story rescheduled is hidden at once (a retraction), and back at its time."""
    article = make_story(HEADLINE, PARAGRAPHS)
    assert client.get(article.get_absolute_url()).status_code == 200
    services.article_schedule(article=article, publish_at=clock.now + timedelta(hours=1))
    assert client.get(article.get_absolute_url()).status_code == 404
    clock.advance(hours=1)
    assert client.get(article.get_absolute_url()).status_code == 200


def test_publishing_a_scheduled_article_early_dates_it_now(clock):
    """Readers never see a story dated in the future."""
    article = scheduled_story(clock, hours=24)
    services.article_set_status(article=article, status=Article.Status.PUBLISHED)
    article.refresh_from_db()
    assert article.is_published and article.published_at == clock.now
    assert Quote.objects.get(article=article).article_published_at == clock.now


def test_unscheduled_article_stays_a_draft(client, clock):
    """Back to draft before its time: nothing publishes it later."""
    article = scheduled_story(clock)
    services.article_set_status(article=article, status=Article.Status.DRAFT)
    clock.advance(hours=2)
    assert client.get(article.get_absolute_url()).status_code == 404
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_a_failing_publisher_does_not_fail_the_request(client, clock, monkeypatch):
    """The safety net logs a failure; the reader still gets the page, and the next request
    tries again."""
    article = scheduled_story(clock)
    clock.advance(hours=2)

    def broken(**kwargs):
        raise RuntimeError("boom")

    working = scheduling.publish_due
    monkeypatch.setattr(scheduling, "publish_due", broken)
    assert client.get("/").status_code == 200
    assert cache.get(scheduling.LOCK_KEY) is None  # the soft lock is released
    monkeypatch.setattr(scheduling, "publish_due", working)
    assert client.get(article.get_absolute_url()).status_code == 200


# --- the admin ------------------------------------------------------------------------------


def change_data(article, **fields):
    data = {
        "title": article.title,
        "slug": article.slug,
        "status": article.status,
        "standfirst": article.standfirst,
        "byline": article.byline,
        "body": article.body,
        "captions": "[]",
        "version": article.version,
    }
    for prefix in ("tag_suggestions", "quotes", "events", "corrections"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data.update(fields)
    return data


def split_time(moment):
    local = timezone.localtime(moment)
    return {
        "published_at_0": local.strftime("%Y-%m-%d"),
        "published_at_1": local.strftime("%H:%M:%S"),
    }


def post_change(client, article, **fields):
    url = reverse("admin:articles_article_change", args=[article.pk])
    return client.post(url, change_data(article, **fields))


def test_editor_schedules_in_the_change_form_only_in_the_future(editor_client, clock):
    """A non-superuser editor chooses "scheduled" and a time: a past or missing time is
    refused by the form, a future one schedules the article."""
    article = make_story(HEADLINE, PARAGRAPHS, status=Article.Status.DRAFT)
    past = post_change(
        editor_client, article, status="scheduled", **split_time(clock.now - timedelta(hours=1))
    )
    assert past.status_code == 200
    assert "must be in the future" in past.content.decode()
    missing = post_change(editor_client, article, status="scheduled")
    assert "needs the time it is to be published" in missing.content.decode()
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT

    at = clock.now + timedelta(days=1)
    response = post_change(editor_client, article, status="scheduled", **split_time(at))
    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()
    assert article.status == Article.Status.SCHEDULED and article.published_at == at
    assert article.history.first().history_user.username == "editor"


def test_admin_lists_filters_and_schedules_by_action(editor_client, clock):
    """The change list filters by "scheduled"; the action schedules articles dated in the
    future and reports those that are not."""
    future = make_story("Tomorrow's story", ["Text."], status=Article.Status.DRAFT)
    future.published_at = clock.now + timedelta(hours=3)
    future.save()
    undated = make_story("Undated story", ["Text."], status=Article.Status.DRAFT)
    url = reverse("admin:articles_article_changelist")
    response = editor_client.post(
        url,
        {"action": "schedule", "_selected_action": [future.pk, undated.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "1 articles scheduled" in page
    assert "1 article not scheduled" in page
    future.refresh_from_db()
    undated.refresh_from_db()
    assert future.is_scheduled and undated.status == Article.Status.DRAFT

    listed = editor_client.get(url, {"status__exact": "scheduled"}).content.decode()
    assert "Tomorrow&#x27;s story" in listed and "Undated story" not in listed


def test_editor_without_a_worker_sees_the_article_published_on_time(editor_client, clock):
    """The article change list checks the schedule first: no past schedule shows as
    pending when no worker runs."""
    article = scheduled_story(clock)
    clock.advance(hours=1)
    editor_client.get(reverse("admin:articles_article_changelist"))
    article.refresh_from_db()
    assert article.is_published


def test_editor_on_the_public_site_sees_it_on_time(editor_client, clock):
    """Editors' pages skip the page cache's version read; they check the schedule too."""
    article = scheduled_story(clock)
    clock.advance(hours=1)
    assert HEADLINE in editor_client.get("/").content.decode()
    article.refresh_from_db()
    assert article.is_published


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_published_once_when_committed_for_real(clock, django_capture_on_commit_callbacks):
    """With real commits (as in production): scheduled, enqueued, published once by the
    safety net; the task, run late, then finds nothing to do."""
    article = make_story(HEADLINE, PARAGRAPHS, status=Article.Status.DRAFT)
    services.article_schedule(article=article, publish_at=clock.now + timedelta(minutes=5))
    clock.advance(minutes=5)
    content_state()
    article.refresh_from_db()
    assert article.is_published
    assert publish_scheduled_article.call(article_id=article.pk) is False
    assert article.history.filter(status=Article.Status.PUBLISHED).count() == 1
