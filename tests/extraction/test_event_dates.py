"""Relative dates resolve by the tense of their own clause, and spans do not date events
(issue 15, point 2): "approved on Monday night" in a story of Tuesday 11 February went to
the following Monday because the sentence also had "will"; "from September" in a plan went
to the past September; "for the first time since 1998" dated a match to 1998."""

import datetime as dt

import pytest

from extraction.dates import find_dates

TUESDAY = dt.date(2025, 2, 11)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # The clause's own verb decides, before the sentence's.
        ("Plans approved on Monday night will create 200 jobs.", dt.date(2025, 2, 10)),
        ("The plans, approved on Monday night, will go ahead.", dt.date(2025, 2, 10)),
        ("The council approved the plan on Monday night.", dt.date(2025, 2, 10)),
        ("She was charged and will appear in court on Monday.", dt.date(2025, 2, 17)),
        ("She will appear in court on Monday.", dt.date(2025, 2, 17)),
        ("The singer, who will tour again soon, performed on Saturday.", dt.date(2025, 2, 8)),
        # Plans look forward.
        ("The company plans to open a store from September.", dt.date(2025, 9, 1)),
        ("The band is set to headline in July.", dt.date(2025, 7, 1)),
        ("The new rules apply from September.", dt.date(2025, 9, 1)),
        ("The exhibition runs until June.", dt.date(2025, 6, 1)),
        # The past stays past.
        ("The show was first broadcast in September.", dt.date(2024, 9, 1)),
        ("He said on Monday that he will run.", dt.date(2025, 2, 10)),
        # Untouched: explicit dates and the nearest-month rule of present-tense copy.
        ("The verdict is expected in March.", dt.date(2025, 3, 1)),
        ("They married on 3 May 2019.", dt.date(2019, 5, 3)),
    ],
)
def test_relative_dates_follow_their_clause(sentence, expected):
    [found] = [d for d in find_dates(sentence, TUESDAY) if d.date]
    assert found.date == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "She won for the first time since 1998.",
        "He has not played since March.",
        "They have not spoken since Sunday.",
        # The start of the span named by an earlier happening, in the same clause.
        "She is the first British woman to win since Virginia Wade in 1977.",
        "It was their best result since the team won the cup in 1998.",
    ],
)
def test_since_marks_a_span_not_a_date(sentence):
    [found] = find_dates(sentence, TUESDAY)
    assert found.since


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # A span's length ("in 20 years") is no date; the happening's own date still is.
        ("It was her first title in 20 years.", []),
        ("It is the first time in 50 years that the show was cancelled.", []),
        ("The club won the cup for the first time in 20 years on Saturday.", [(2025, 2, 8)]),
        # "since" in another clause does not reach a later date.
        ("She has lived there since, and in 2019 she married.", [(2019, 1, 1)]),
        ("Since then she has won twice, in 2019 and in 2021.", [(2019, 1, 1), (2021, 1, 1)]),
    ],
)
def test_spans_of_years_do_not_date_but_dates_beside_them_do(sentence, expected):
    found = [d for d in find_dates(sentence, TUESDAY) if d.date and not d.since]
    assert [(d.date.year, d.date.month, d.date.day) for d in found] == expected


def test_a_span_does_not_date_the_event():
    from extraction import parse_article

    story = (
        b"Teenager wins title\n\n"
        b"Published: 11 February 2025\n\n"
        b"Emma Raducanu won the title on Sunday for the first time since 1998, "
        b"beating the holder in straight sets.\n\n"
        b"Emma Raducanu won a British title for the first time since 1998.\n"
    )
    parsed = parse_article(story, source_name="t.txt")
    years = {e.date.year for e in parsed.events if e.date}
    assert 1998 not in years
