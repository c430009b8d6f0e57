"""Dated events: unnamed actors, scheduled happenings and the direction of relative dates."""

from __future__ import annotations

import datetime as dt

from extraction import ParsedArticle, parse_article

D = dt.date


def parse(pub: str, body: str) -> ParsedArticle:
    return parse_article(f" date {pub} Headline here\n\n{body}".encode(), source_name="t.txt")


def dated(art: ParsedArticle) -> list[tuple[str, dt.date | None, str | None]]:
    """(first words of the sentence, date, precision) of each event."""
    return [
        (" ".join(art.body[e.start : e.end].split()[:3]), e.date, e.precision) for e in art.events
    ]


# -- a dated past-tense sentence about someone unnamed -------------------------------
def test_unnamed_actor_with_a_day_makes_a_past_tense_sentence_an_event() -> None:
    """ "The former star, 27, took to Instagram on Sunday", "Three men entered the shop on
    Saturday", "Families were forced from their homes on Monday": happenings although
    nobody in them is named."""
    art = parse(
        "2024-06-10",
        "The former Love Island star, 27, took to Instagram on Sunday to share a snap.",
    )
    assert dated(art) == [("The former Love", D(2024, 6, 9), "day")]
    art = parse(
        "2023-09-12",
        "Three men armed with hammers entered the shop on Saturday and smashed cabinets.",
    )
    assert dated(art) == [("Three men armed", D(2023, 9, 9), "day")]
    art = parse(
        "2024-04-09",
        "Families were forced from their homes in the early hours of Monday after a fire "
        "tore through three houses.",
    )
    assert dated(art) == [("Families were forced", D(2024, 4, 8), "day")]


def test_unnamed_actor_needs_a_day_and_someone() -> None:
    """A year or a month with "people" is background; a past tense and a day with nobody
    at all is not a happening about anyone."""
    art = parse(
        "2024-06-10",
        "The former Love Island star, 27, took to Instagram on Sunday. "
        "In 2014, most crimes were committed by other people. "
        "Last August, families moved out. "
        "The limited tickets went quickly on Friday.",
    )
    assert dated(art) == [("The former Love", D(2024, 6, 9), "day")]


# -- a happening to come, told in the present tense or with "will" -------------------
def test_present_tense_schedule_is_an_event_on_the_coming_date() -> None:
    """ "The pair begin a tour on 12 September" (published in June) is that September's
    tour, not last year's; "He will appear in court on Wednesday" is an event too."""
    art = parse(
        "2023-06-30",
        "Ruth Abernethy and Sam Oyelaran are back with a new album.\n\n"
        "The pair begin a 14-date UK tour in Glasgow on 12 September.",
    )
    assert dated(art) == [("The pair begin", D(2023, 9, 12), "day")]
    art = parse(
        "2023-09-12",
        "Ryan Colebrook, 27, was arrested on Sunday. "
        "He will appear at Westminster Magistrates' Court on Wednesday.",
    )
    assert dated(art) == [
        ("Ryan Colebrook, 27,", D(2023, 9, 10), "day"),
        ("He will appear", D(2023, 9, 13), "day"),
    ]


def test_schedule_verbs_do_not_date_past_or_unpeopled_sentences() -> None:
    """A present-tense verb with a date already gone, or with nobody acting, is no event;
    a past tense still looks back."""
    art = parse(
        "2023-06-30",
        "Ruth Abernethy and Sam Oyelaran are back.\n\n"
        "The pair begin their tour on 12 September. "
        "The pair open up about it last Sunday. "
        "The tour starts on 20 September. "
        "The pair toured Wales on 14 September.",
    )
    assert dated(art) == [
        ("The pair begin", D(2023, 9, 12), "day"),
        ("The pair toured", D(2022, 9, 14), "day"),
    ]


# -- which way a date without a year points --------------------------------------------
def test_date_without_year_follows_the_tense_of_its_sentence() -> None:
    """Present tense: the nearest occurrence ("is expected in March", published in
    January, is this March); past tense: the last one; a present passive is not past."""
    art = parse(
        "2023-01-10",
        "Tom Hale is expected to be sentenced in March. "
        "Tom Hale was sentenced in March. "
        "Tom Hale's album is released on 2 February.",
    )
    assert dated(art) == [
        ("Tom Hale is", D(2023, 3, 1), "month"),
        ("Tom Hale was", D(2022, 3, 1), "month"),
        ("Tom Hale's album", D(2023, 2, 2), "day"),
    ]


def test_date_of_a_saying_looks_back() -> None:
    """ "announced on Tuesday that she will marry": Tuesday is when she announced it (the
    "will" is the marriage's); "will be announced on Saturday" still looks forward; "USA
    TODAY" is a newspaper, not a date."""
    art = parse(
        "2021-11-17",  # a Wednesday
        "Kayla Brennan announced on Tuesday that she will marry Jordan Ashby. "
        "The winner will be announced on Saturday, Jordan Ashby said. "
        "Kayla Brennan told USA TODAY she had won the title.",
    )
    assert dated(art) == [
        ("Kayla Brennan announced", D(2021, 11, 16), "day"),
        ("The winner will", D(2021, 11, 20), "day"),
        ("Kayla Brennan told", None, None),
    ]
