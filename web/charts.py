"""A person's visual timeline: a server-rendered SVG of dated quotes and events per month
(issue 15, point 2). No script and no external library; the page's CSP stays strict (the
chart is markup with presentation attributes, styled by the site's stylesheet)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass

BAR_WIDTH = 8
GAP = 2
HEIGHT = 60
LABEL_SPACE = 14


@dataclass(frozen=True)
class Bar:
    x: int
    quotes_y: int
    quotes_height: int
    events_y: int
    events_height: int
    title: str
    year_label: str  # the year, under January (or the first month shown)


@dataclass(frozen=True)
class MonthChart:
    width: int
    height: int
    plot_height: int
    bars: list[Bar]
    summary: str  # for screen readers: what the chart shows


def month_chart(months: list[tuple[int, int, int, int]]) -> MonthChart | None:
    """Bars for every month from the first to the last of ``months`` ((year, month,
    quotes, events), oldest first), empty months included so that time reads evenly;
    each bar stacks events on quotes. None when there is nothing dated to draw."""
    if not months:
        return None
    counts = {(y, m): (q, e) for y, m, q, e in months}
    (first_year, first_month), (last_year, last_month) = (
        (months[0][0], months[0][1]),
        (months[-1][0], months[-1][1]),
    )
    span = (last_year - first_year) * 12 + last_month - first_month + 1
    tallest = max(q + e for _, _, q, e in months)
    bars = []
    for n in range(span):
        index = first_year * 12 + first_month - 1 + n
        year, month = divmod(index, 12)
        month += 1
        quotes, events = counts.get((year, month), (0, 0))
        quotes_height = round(HEIGHT * quotes / tallest)
        events_height = round(HEIGHT * events / tallest)
        name = f"{calendar.month_name[month]} {year}"
        bars.append(
            Bar(
                x=n * (BAR_WIDTH + GAP),
                quotes_y=HEIGHT - quotes_height,
                quotes_height=quotes_height,
                events_y=HEIGHT - quotes_height - events_height,
                events_height=events_height,
                title=f"{name}: {_plural(quotes, 'quote')}, {_plural(events, 'event')}",
                year_label=str(year) if month == 1 or n == 0 else "",
            )
        )
    total_quotes = sum(q for _, _, q, _ in months)
    total_events = sum(e for _, _, _, e in months)
    first_name = f"{calendar.month_name[first_month]} {first_year}"
    last_name = f"{calendar.month_name[last_month]} {last_year}"
    return MonthChart(
        width=span * (BAR_WIDTH + GAP),
        height=HEIGHT + LABEL_SPACE,
        plot_height=HEIGHT,
        bars=bars,
        summary=f"{_plural(total_quotes, 'quote')} and {_plural(total_events, 'event')} "
        f"by month, {first_name} to {last_name}",
    )


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
