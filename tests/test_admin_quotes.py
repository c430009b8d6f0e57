"""The quote review queue, used by an editor (staff in the Editors group, not a superuser)."""

import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.admin_utils import LargeTablePaginator
from articles.models import Quote
from tests.factories import (
    make_alias,
    make_article,
    make_person,
    make_quote,
)

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:articles_quote_changelist")
BODY = (
    "The show began. Rose Ayling-Ellis said: “It was a dream come true.” She was beaming. "
    "Her partner <Giovanni> smiled."
)
DREAM = "It was a dream come true."


@pytest.fixture
def article():
    return make_article("The final", body=BODY)


def change_url(quote):
    return reverse("admin:articles_quote_change", args=[quote.pk])


def rows(response):
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def form_data(response):
    """The POST data the quote form would send back unchanged."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value
    return data


class TestQueue:
    def test_unreviewed_and_least_confident_first(self, editor_client, article):
        """The queue lists unreviewed quotes first, least confident first."""
        confirmed = make_quote(article, start=0, confidence=0.1, status=Quote.Status.CONFIRMED)
        sure = make_quote(article, start=1, confidence=0.9)
        unsure = make_quote(article, start=2, confidence=0.3)
        rejected = make_quote(article, start=3, confidence=0.0, status=Quote.Status.REJECTED)
        assert rows(editor_client.get(QUEUE)) == [unsure, sure, confirmed, rejected]

    def test_quote_shown_in_its_sentence_escaped(self, editor_client, article):
        """Each row shows the quote inside its sentence, the quote in bold, HTML escaped."""
        start = BODY.index(DREAM)
        make_quote(article, text=DREAM, start=start)
        make_quote(article, text="smiled", start=BODY.index("smiled"))
        html = editor_client.get(QUEUE).content.decode()
        assert f"Rose Ayling-Ellis said: “<strong>{DREAM}</strong>”" in html
        assert "The show began." not in html
        assert "Her partner &lt;Giovanni&gt; <strong>smiled</strong>." in html

    def test_filter_by_status(self, editor_client, article):
        """The status filter shows rejected quotes only."""
        make_quote(article, start=0)
        rejected = make_quote(article, start=1, status=Quote.Status.REJECTED)
        assert rows(editor_client.get(QUEUE, {"status__exact": "rejected"})) == [rejected]

    @pytest.mark.parametrize(
        ("band", "expected"), [("low", [0.2]), ("medium", [0.5, 0.7]), ("high", [0.8, 1.0])]
    )
    def test_filter_by_confidence_band(self, editor_client, article, band, expected):
        """The confidence filter splits quotes into <0.5, 0.5–0.8 and ≥0.8."""
        for i, confidence in enumerate([0.2, 0.5, 0.7, 0.8, 1.0]):
            make_quote(article, start=i, confidence=confidence)
        found = [q.confidence for q in rows(editor_client.get(QUEUE, {"confidence": band}))]
        assert found == expected

    def test_filter_by_attribution_rule(self, editor_client, article):
        """The attribution-rule filter lists the rules in use and filters by one."""
        said = make_quote(article, start=0, attribution_rule="said_after")
        make_quote(article, start=1, attribution_rule="colon")
        response = editor_client.get(QUEUE)
        cl = response.context["cl"]
        choices = [c["display"] for c in cl.filter_specs[2].choices(cl)]
        assert {"said_after", "colon"} <= set(choices)
        assert rows(editor_client.get(QUEUE, {"rule": "said_after"})) == [said]

    def test_filter_no_speaker(self, editor_client, article):
        """The speaker filter finds quotes with no speaker and no label."""
        orphan = make_quote(article, start=0)
        make_quote(article, start=1, speaker_label="one fan")
        make_quote(article, start=2, speaker=make_person())
        assert rows(editor_client.get(QUEUE, {"speaker_kind": "none"})) == [orphan]

    def test_search_by_text(self, editor_client, article):
        """Search finds quotes by their words."""
        dream = make_quote(article, text=DREAM, start=BODY.index(DREAM))
        make_quote(article, text="smiled", start=BODY.index("smiled"))
        assert rows(editor_client.get(QUEUE, {"q": "dream"})) == [dream]

    def test_bulk_confirm_and_reject(self, editor_client, article):
        """Confirm and reject act on every selected quote and record each in history."""
        a, b = (make_quote(article, start=i) for i in range(2))
        c = make_quote(article, text=DREAM, start=BODY.index(DREAM))
        editor_client.post(QUEUE, {"action": "reject", "_selected_action": [a.pk, b.pk]})
        editor_client.post(QUEUE, {"action": "confirm", "_selected_action": [c.pk]})
        statuses = dict(Quote.objects.values_list("pk", "status"))
        assert statuses == {a.pk: "rejected", b.pk: "rejected", c.pk: "confirmed"}
        record = Quote.objects.get(pk=a.pk).history.first()
        assert (record.history_user.username, record.history_change_reason) == (
            "editor",
            "status set to rejected",
        )


class TestSpeakerCorrection:
    def test_autocomplete_finds_people_by_alias(self, editor_client, article):
        """The speaker autocomplete finds a person by one of their aliases."""
        rose = make_person("Rose Ayling-Ellis")
        make_alias(rose, "Rosie")
        make_person("Giovanni Pernice")
        response = editor_client.get(
            reverse("admin:autocomplete"),
            {
                "term": "rosie",
                "app_label": "articles",
                "model_name": "quote",
                "field_name": "speaker",
            },
        )
        assert [r["text"] for r in response.json()["results"]] == ["Rose Ayling-Ellis"]

    def test_corrected_speaker_confirms_the_quote(self, editor_client, article):
        """Changing the speaker in the form calls the service: corrected and confirmed."""
        quote = make_quote(article, text=DREAM, start=BODY.index(DREAM), confidence=0.3)
        rose = make_person("Rose Ayling-Ellis")
        data = form_data(editor_client.get(change_url(quote)))
        data["speaker"] = rose.pk
        response = editor_client.post(change_url(quote), data)
        assert response.status_code == 302
        quote.refresh_from_db()
        assert (quote.speaker, quote.status, quote.speaker_corrected, quote.version) == (
            rose,
            Quote.Status.CONFIRMED,
            True,
            2,
        )
        assert quote.history.first().history_change_reason == "speaker corrected"

    def test_speaker_label_set(self, editor_client, article):
        """A speaker label ("one fan") can be set instead of a person; it is confirmed."""
        quote = make_quote(article, text=DREAM, start=BODY.index(DREAM))
        data = form_data(editor_client.get(change_url(quote)))
        data["speaker_label"] = "one fan"
        editor_client.post(change_url(quote), data)
        quote.refresh_from_db()
        assert (quote.speaker_label, quote.status) == ("one fan", Quote.Status.CONFIRMED)

    def test_status_change_in_form_uses_service(self, editor_client, article):
        """Rejecting in the form sets reviewed_at and records the status change."""
        quote = make_quote(article)
        data = form_data(editor_client.get(change_url(quote)))
        data["status"] = "rejected"
        editor_client.post(change_url(quote), data)
        quote.refresh_from_db()
        assert quote.status == Quote.Status.REJECTED
        assert quote.reviewed_at is not None
        assert quote.history.first().history_change_reason == "status set to rejected"

    def test_stale_quote_save_refused(self, editor_client, article):
        """Saving a quote someone else changed meanwhile is refused with a clear message."""
        quote = make_quote(article)
        data = form_data(editor_client.get(change_url(quote)))
        Quote.objects.filter(pk=quote.pk).update(status="rejected", version=2)
        data["speaker_label"] = "one fan"
        response = editor_client.post(change_url(quote), data)
        assert response.status_code == 200
        assert "changed by someone else since you opened it" in response.content.decode()
        quote.refresh_from_db()
        assert (quote.status, quote.speaker_label) == ("rejected", "")


def count_queries(client, url):
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return ctx


class TestSpeed:
    def test_queue_queries_do_not_grow_with_rows(self, editor_client, article):
        """The queue runs the same number of queries for 5 and for 50 quotes shown."""
        rose = make_person()
        for i in range(5):
            make_quote(article, start=i, speaker=rose if i % 2 else None)
        five = len(count_queries(editor_client, QUEUE))
        for i in range(5, 50):
            make_quote(article, start=i, speaker=rose if i % 2 else None)
        assert len(count_queries(editor_client, QUEUE)) == five

    def test_queue_with_100000_quotes_is_fast_and_skips_full_count(self, editor_client):
        """With 100,000 quotes the queue renders quickly and never counts the whole table
        for the "N total" figure; on PostgreSQL the row count is the planner's estimate."""
        article = make_article(body="x" * 200)
        Quote.objects.bulk_create(
            [
                Quote(
                    article=article,
                    text="x",
                    start=i % 199,
                    end=i % 199 + 1,
                    confidence=(i % 100) / 100,
                )
                for i in range(100_000)
            ],
            batch_size=5_000,
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE articles_quote")
        started = time.perf_counter()
        ctx = count_queries(editor_client, QUEUE + "?status__exact=auto&confidence=low")
        filtered = time.perf_counter() - started
        started = time.perf_counter()
        ctx = count_queries(editor_client, QUEUE)
        unfiltered = time.perf_counter() - started
        assert filtered < 3 and unfiltered < 3
        sql = [q["sql"] for q in ctx.captured_queries]
        if connection.vendor == "postgresql":
            assert any("reltuples" in s for s in sql)
            assert not any("COUNT(*)" in s for s in sql)
        # Only the page's rows are fetched.
        assert any("LIMIT 50" in s for s in sql)

    def test_paginator_estimate_only_for_unfiltered_postgres(self):
        """The paginator counts exactly whenever the list is filtered."""
        article = make_article()
        make_quote(article)
        paginator = LargeTablePaginator(Quote.objects.filter(status="auto"), 50)
        assert paginator.count == 1
