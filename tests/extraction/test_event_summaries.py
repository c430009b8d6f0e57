"""Event summaries are whole clauses around the event verb, and the sentence that only says
who spoke a quote is no event (issue 15, point 2)."""

from extraction import parse_article
from extraction.events import SUMMARY_MAX

LONG = (
    " date 2025-02-11 Strictly star wins award\n\n"
    "Rose Ayling-Ellis, who became the first deaf contestant to take part in the BBC "
    "competition and went on to lift the glitterball trophy with her professional partner, "
    "won the award for best television moment at the ceremony in London on Sunday, "
    "beating a crowded field that included a soap wedding, a royal documentary and the "
    "last episode of a long-running drama whose finale in the spring had been widely "
    "praised by critics.\n"
)


def events(story: str):
    return parse_article(story.encode(), source_name="t.txt").events


def test_a_long_sentence_is_summed_up_in_whole_clauses_around_its_verb():
    [event] = [e for e in events(LONG) if e.date]
    assert "won the award" in event.summary
    assert len(event.summary) <= SUMMARY_MAX
    assert not event.summary.endswith(("finale in", " in", ","))
    assert event.summary.startswith("Rose Ayling-Ellis won the award")  # subject, no aside
    # Whole clauses: the summary ends where a clause of the sentence ends.
    tail = event.summary[-25:]
    assert LONG[LONG.index(tail) + len(tail)] in ",;."


def test_a_short_sentence_is_its_own_summary():
    story = (
        " date 2025-02-11 Couple wed\n\n"
        "Rose Ayling-Ellis married Giovanni Pernice in London on Saturday.\n"
    )
    [event] = events(story)
    assert event.summary == "Rose Ayling-Ellis married Giovanni Pernice in London on Saturday."


def test_who_said_a_quote_is_no_event():
    story = (
        " date 2021-11-15 A message to fans\n\n"
        "Rose Ayling-Ellis thanked her partner.\n\n"
        "\u201cI am so grateful for this magical dance,\u201d she wrote on Sunday.\n\n"
        "\u201cWe are getting married,\u201d Giovanni Pernice said, "
        "and the couple married in Rome on Saturday.\n"
    )
    found = events(story)
    assert not any("she wrote on Sunday" in e.summary for e in found)
    # A happening in a sentence that also quotes someone is still one.
    assert any("married in Rome" in e.summary for e in found)
