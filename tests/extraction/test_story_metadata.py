"""``parse_story``: a story whose format stated its metadata is not guessed from its layout
(issue 13), and plain text is parsed exactly as before."""

from __future__ import annotations

import datetime as dt

import pytest

from extraction import IngestError, StoryMetadata, parse_article, parse_story, story_sha256

BODY = (
    "The transport minister, Alan Hughes, promised on Friday that a new bridge would link "
    "Harwich to the mainland by 2027.\n\n"
    '"This bridge will change lives in this town," Mr Hughes said at the town hall.'
)


def story(text: str = BODY, **metadata):
    return parse_story(text, source_name="page.html", metadata=StoryMetadata(**metadata))


def test_a_stated_headline_is_taken_and_the_body_keeps_its_first_paragraph():
    """The lede is not made into a headline when the format states one."""
    parsed = story(headline="Bridge promised for Harwich")
    assert parsed.headline == "Bridge promised for Harwich"
    assert not parsed.headline_derived
    assert parsed.body == BODY
    assert [p.name for p in parsed.people] == ["Alan Hughes"]
    assert parsed.quotes[0].text.startswith("This bridge")
    assert parsed.body[parsed.quotes[0].start : parsed.quotes[0].end] == parsed.quotes[0].text


def test_headline_and_byline_repeated_above_the_body_are_set_aside():
    """A page's text that repeats its headline and "By <byline>" starts at the body."""
    parsed = story(
        "Bridge promised for Harwich\n\nBy Jane Porter\n\n" + BODY,
        headline="Bridge promised for Harwich",
        byline="Jane Porter",
    )
    assert parsed.body == BODY
    assert parsed.byline == "Jane Porter"
    assert "By Jane Porter" in parsed.boilerplate
    assert "Jane Porter" not in [p.name for p in parsed.people]


def test_a_summary_that_is_the_lede_is_not_a_standfirst():
    """A description that only repeats (or cuts short) the first paragraph stays in the body."""
    cut = "The transport minister, Alan Hughes, promised on Friday that a new..."
    assert story(headline="H", standfirst=cut).standfirst == ""
    parsed = story(headline="H", standfirst="Work starts next spring, the minister says")
    assert parsed.standfirst == "Work starts next spring, the minister says"
    assert parsed.body == BODY


def test_a_stated_date_is_used_and_a_date_header_is_not_read():
    """The format's date rules; relative dates resolve against it."""
    parsed = story(
        headline="H",
        published_on=dt.date(2024, 5, 3),
        published_at=dt.datetime(2024, 5, 3, 8, 30, tzinfo=dt.UTC),
    )
    assert parsed.published_on == dt.date(2024, 5, 3)
    assert parsed.published_at == dt.datetime(2024, 5, 3, 8, 30, tzinfo=dt.UTC)
    assert story(headline="H").published_on is None


def test_without_a_headline_the_layout_is_read_as_for_plain_text():
    """What the format does not state is read from the text as a plain-text file's is."""
    parsed = story("Bridge promised for Harwich\n\n" + BODY, byline="Jane Porter")
    assert parsed.headline == "Bridge promised for Harwich"
    assert parsed.body == BODY


def test_the_hash_covers_text_and_metadata():
    """The same story and metadata hash alike; a changed byline or date changes the hash."""
    meta = StoryMetadata(headline="H", byline="Jane Porter")
    assert story_sha256(BODY, meta) == story(headline="H", byline="Jane Porter").sha256
    assert story_sha256(BODY, meta) != story_sha256(BODY, StoryMetadata(headline="H"))
    dated = StoryMetadata(headline="H", byline="Jane Porter", published_on=dt.date(2024, 1, 1))
    assert story_sha256(BODY, meta) != story_sha256(BODY, dated)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "file is empty"),
        ("Bridge promised", "story has no body text"),
        ("bad \x01 byte", "control characters"),
    ],
)
def test_a_story_without_body_fails_with_a_reason(text, reason):
    with pytest.raises(IngestError, match=reason):
        story(text, headline="Bridge promised")


def test_a_story_over_the_size_limit_is_refused():
    with pytest.raises(IngestError, match="story is too large"):
        parse_story(BODY, source_name="x", max_bytes=10)


def test_plain_text_is_parsed_as_before():
    """parse_article (no metadata) still reads the headline from the first line."""
    parsed = parse_article(("Bridge promised for Harwich\n\n" + BODY).encode(), source_name="a")
    assert parsed.headline == "Bridge promised for Harwich"
    assert parsed.byline == ""
    assert parsed.published_at is None
