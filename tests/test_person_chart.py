"""A person's visual timeline (issue 15, point 2): an SVG of their dated quotes and events
per month, server-rendered, with nothing of a draft in it."""

import datetime as dt
import re

import pytest

from articles.models import Article
from tests.factories import make_event_in, make_person, make_quote_in, make_story
from web.charts import HEIGHT, month_chart
from web.queries import timeline_months


def test_months_between_are_drawn_empty_and_bars_scale_to_the_busiest():
    chart = month_chart([(2023, 11, 2, 0), (2024, 2, 1, 1)])
    assert [bar.title for bar in chart.bars] == [
        "November 2023: 2 quotes, 0 events",
        "December 2023: 0 quotes, 0 events",
        "January 2024: 0 quotes, 0 events",
        "February 2024: 1 quote, 1 event",
    ]
    assert chart.bars[0].quotes_height == HEIGHT  # the busiest month fills the plot
    assert (chart.bars[3].quotes_height, chart.bars[3].events_height) == (HEIGHT // 2,) * 2
    assert [bar.year_label for bar in chart.bars] == ["2023", "", "2024", ""]
    assert chart.summary == "3 quotes and 1 event by month, November 2023 to February 2024"


def test_nothing_dated_draws_nothing():
    assert month_chart([]) is None


@pytest.fixture
def rose(db):
    rose = make_person("Rose Ayling-Ellis")
    for n, (when, status) in enumerate(
        [
            (dt.datetime(2024, 3, 5, tzinfo=dt.UTC), Article.Status.PUBLISHED),
            (dt.datetime(2024, 3, 20, tzinfo=dt.UTC), Article.Status.PUBLISHED),
            (dt.datetime(2024, 5, 1, tzinfo=dt.UTC), Article.Status.PUBLISHED),
            (dt.datetime(2024, 7, 1, tzinfo=dt.UTC), Article.Status.DRAFT),
        ]
    ):
        story = make_story(
            f"Story {n}",
            [f"Rose Ayling-Ellis said: “Line {n}.” Rose Ayling-Ellis danced."],
            status=status,
            published_at=when,
        )
        make_quote_in(story, f"Line {n}.", speaker=rose, status="confirmed")
        if n == 2:
            make_event_in(
                story,
                "Danced",
                "Rose Ayling-Ellis danced.",
                date=dt.date(2024, 4, 30),
                precision="day",
                people=[rose],
            )
    return rose


def test_the_months_come_from_public_items_only(rose):
    assert timeline_months(rose) == [(2024, 3, 2, 0), (2024, 4, 0, 1), (2024, 5, 1, 0)]


def test_the_person_page_draws_the_chart_without_script(client, rose):
    page = client.get(rose.get_absolute_url()).content.decode()
    svg = re.search(r"<svg role=\"img\".*?</svg>", page, re.S)[0]
    assert "<script" not in svg and "style=" not in svg
    assert "<title>March 2024: 2 quotes, 0 events</title>" in svg
    assert "<title>April 2024: 0 quotes, 1 event</title>" in svg
    assert "July 2024" not in svg  # a draft's quote is not counted
    assert svg.count('class="bar-hit"') == 3
