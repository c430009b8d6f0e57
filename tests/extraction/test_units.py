"""Unit tests for each stage of the extraction pipeline (reading, zoning, dates, quotes, people)."""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from extraction import IngestError, KnownPerson, WorldKnowledge, parse_article
from extraction.dates import (
    _CORE_LOWER,
    _CORE_WORDS,
    _FIRST_LOWER,
    _FIRST_WORDS,
    find_dates,
)
from extraction.reading import decode
from extraction.zoning import derive_headline, split_headline, zone

D = dt.date


def parse(text: str, **kw):
    return parse_article(text.encode("utf-8"), source_name="t.txt", **kw)


# -- reading -----------------------------------------------------------------
def test_utf8_with_and_without_bom_decode_the_same() -> None:
    """A UTF-8 byte-order mark is dropped."""
    assert decode(codecs.BOM_UTF8 + "Café news.".encode()) == decode("Café news.".encode())


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom_is_read(codec: str) -> None:
    """UTF-16 with a BOM (either byte order) decodes to the same text."""
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    assert decode(bom + "Rose said: “Hi.”\r\n".encode(codec)) == "Rose said: “Hi.”\n"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty"),
        (b"  \n\t\r\n ", "empty"),
        (b"abc\x00def", "binary"),
        ("Caf\xe9 society".encode("latin-1"), "not valid UTF-8"),
        (b"\x89PNG\r\n\x1a\n", "not valid UTF-8"),
        (b"text with \x07 bell", "binary"),
    ],
)
def test_unreadable_input_raises_ingest_error(raw: bytes, reason: str) -> None:
    """Empty, binary and non-UTF-8 files are refused with a clear reason."""
    with pytest.raises(IngestError, match=reason):
        parse_article(raw, source_name="bad.txt")


def test_oversize_file_is_refused_and_cap_configurable() -> None:
    """Files over the size cap are refused; the cap is a parameter."""
    raw = ("Word. " * 100).encode()
    with pytest.raises(IngestError, match="too large"):
        parse_article(raw, source_name="big.txt", max_bytes=100)
    assert parse_article(raw, source_name="big.txt", max_bytes=len(raw)).body


def test_newlines_normalised_and_sha256_of_raw_bytes() -> None:
    """CR and CRLF become LF; sha256 is computed on the raw bytes."""
    raw = b"Headline here now\r\rFirst para.\r\nSecond para."
    art = parse_article(raw, source_name="x.txt")
    assert "\r" not in art.raw_text and "\r" not in art.body
    assert art.sha256 == hashlib.sha256(raw).hexdigest()
    assert art.body == "First para.\n\nSecond para."


# -- zoning ------------------------------------------------------------------
def test_date_header_and_invalid_date() -> None:
    """A valid header sets published_on; an invalid one means unknown, not a crash."""
    assert zone(" date 2021-11-15 Title of story\n\nBody text.").published_on == D(2021, 11, 15)
    z = zone(" date 2021-13-45 Title of story\n\nBody text.")
    assert z.published_on is None and z.headline == "Title of story"


def test_run_together_headline_and_standfirst_split() -> None:
    """A headline that swallowed its standfirst is split before the second clause."""
    head, stand = split_headline(
        "Rose Ayling-Ellis sends Giovanni Pernice sweet message two weeks after Strictly win "
        "The Strictly Come Dancing winners are still in touch"
    )
    assert head.endswith("after Strictly win")
    assert stand == "The Strictly Come Dancing winners are still in touch"
    assert split_headline("Fans flock to see The Rolling Stones in Hyde Park") == (
        "Fans flock to see The Rolling Stones in Hyde Park",
        "",
    )


def test_headline_derived_from_lede() -> None:
    """Without a headline, one is derived from the lede's first sentence; the lede stays."""
    z = zone("The mayor of a small town has resigned after a row over parking fines. More text.\n")
    assert z.headline_derived
    assert z.headline == "The mayor of a small town has resigned after a row over parking fines"
    assert z.paragraphs[0].startswith("The mayor")
    long = derive_headline(
        "Rose Ayling-Ellis and Giovanni Pernice have won a BAFTA TV Award for their enchanting "
        "silent dance on Strictly Come Dancing."
    )
    assert len(long) <= 100 and not long.endswith((" for", " and", ","))


def test_boilerplate_and_captions_removed_from_body() -> None:
    """Link lines, player text, newsletter promos and captions leave the body."""
    z = zone(
        " date 2022-01-01 We may earn a commission for products purchased through links\n\n"
        "Big headline about things\n\nA first paragraph that says something.\n\n"
        "MORE: Another story entirely\n\nLoading the player...\n\n"
        "The pair were pictured together backstage\n\n"
        "Like this story? Sign up to our newsletter.\n\nA last paragraph."
    )
    assert z.headline == "Big headline about things"
    assert z.paragraphs == ["A first paragraph that says something.", "A last paragraph."]
    assert z.captions == ["The pair were pictured together backstage"]
    assert len(z.boilerplate) == 4


def test_single_newline_paragraphs_and_hard_wrapped_blocks() -> None:
    """Single newlines separate paragraphs, unless the block is hard-wrapped."""
    z = zone("Headline\nFirst paragraph.\nSecond paragraph.")
    assert z.paragraphs == ["First paragraph.", "Second paragraph."]
    wrapped = (
        "Headline\n\nThis paragraph was typed with hard line breaks in the middle\n"
        "of its sentences because the wire service wraps copy at about\n"
        "seventy columns for old terminals.\n"
    )
    assert zone(wrapped).paragraphs == [
        "This paragraph was typed with hard line breaks in the middle of its sentences "
        "because the wire service wraps copy at about seventy columns for old terminals."
    ]


# -- dates -------------------------------------------------------------------
MON = D(2021, 11, 15)  # a Monday


@pytest.mark.parametrize(
    ("text", "pub", "date", "precision"),
    [
        ("crowned on 18-12-2021", None, D(2021, 12, 18), "day"),
        ("born on 5/4/1990", None, D(1990, 4, 5), "day"),
        ("on 18 December 2021", None, D(2021, 12, 18), "day"),
        ("on December 18, 2021", None, D(2021, 12, 18), "day"),
        ("in December 2021", None, D(2021, 12, 1), "month"),
        ("won it in 2021", None, D(2021, 1, 1), "year"),
        ("on Sunday", MON, D(2021, 11, 14), "day"),
        ("on Monday", MON, D(2021, 11, 15), "day"),
        ("last Monday", MON, D(2021, 11, 8), "day"),
        ("on Thursday", D(2023, 1, 27), D(2023, 1, 26), "day"),
        ("will play on Thursday", MON, D(2021, 11, 18), "day"),
        ("yesterday", MON, D(2021, 11, 14), "day"),
        ("this evening", MON, MON, "day"),
        ("on New Year's Eve", D(2022, 1, 1), D(2021, 12, 31), "day"),
        ("on Christmas Day", D(2022, 1, 1), D(2021, 12, 25), "day"),
        ("in December", D(2022, 1, 10), D(2021, 12, 1), "month"),
        ("in November", MON, D(2021, 11, 1), "month"),
        ("on 18 December", D(2022, 1, 10), D(2021, 12, 18), "day"),
        ("last year", D(2023, 1, 27), D(2022, 1, 1), "year"),
        ("earlier this year", D(2023, 1, 27), D(2023, 1, 1), "year"),
        ("earlier this month", MON, D(2021, 11, 1), "month"),
        ("last month", D(2021, 1, 10), D(2020, 12, 1), "month"),
        ("on Sunday", None, None, None),
        ("last year", None, None, None),
        ("last week", MON, None, None),
    ],
)
def test_date_resolution_table(text: str, pub, date, precision) -> None:
    """Explicit and relative dates resolve against the publication date."""
    found = find_dates(text, pub)
    assert [(d.date, d.precision) for d in found] == [(date, precision)]


def test_not_dates() -> None:
    """Programme titles and modal verbs are not dates."""
    assert find_dates("Speaking on This Morning, she said she may go", MON) == []


# -- quotes ------------------------------------------------------------------
def test_apostrophes_are_not_quote_marks() -> None:
    """it'd, Ayling-Ellis' and ’s do not open or close quotes."""
    art = parse(
        "Headline here\n\nRose Ayling-Ellis' dress won. \"We said it'd be weird,\" "
        "Rose Ayling-Ellis told fans. It’s fine."
    )
    assert [q.text for q in art.quotes] == ["We said it'd be weird,"]
    q = art.quotes[0]
    assert art.body[q.start : q.end] == q.text


def test_mixed_marks_nested_single_and_reopened_quote() -> None:
    """Curly/straight marks pair up, nested single quotes stay inside, a reopened
    quote (lost paragraph break) stays one quote."""
    art = parse(
        "Headline here\n\nAnna Smith said: “I was like 'wow'. It was great.\" "
        'Later she said: "First part. "Second part after a lost break."'
    )
    assert [q.text for q in art.quotes] == [
        "I was like 'wow'. It was great.",
        "First part. Second part after a lost break.",
    ]
    assert all(q.speaker == 0 for q in art.quotes)


def test_split_by_attribution_gives_two_quotes_same_speaker() -> None:
    """\"A,\" she said. \"B.\" -> two records, both attributed."""
    art = parse('Headline here\n\nMs Jane Okafor arrived. "First bit," she said. "Second bit."')
    assert [(q.text, q.speaker) for q in art.quotes] == [("First bit,", 0), ("Second bit.", 0)]
    assert art.quotes[1].rule == "continuation"


def test_titles_inscriptions_scare_quotes_are_not_quotes_but_partials_are() -> None:
    """Film titles, numbers and single-quoted scare quotes are not quotes; a reporter's
    fragment is a partial quote."""
    art = parse(
        'Headline here\n\nTom Hale watched the film "Heat" again. The date "18-12-2021" was '
        "written on it. It was a 'row'. Tom Hale said he was \"delighted\" with it."
    )
    assert [(q.text, q.partial) for q in art.quotes] == [("delighted", True)]


def test_multi_paragraph_quote_interrupted_by_caption_and_link() -> None:
    """A quote left open continues after a caption and a MORE: line."""
    art = parse(
        'Headline here\n\nSam Jones said: "One paragraph here.\n\nSam Jones on stage\n\n'
        'MORE: Other story\n\n"Second paragraph here."\n\nAfterwards.'
    )
    (q,) = art.quotes
    assert q.text == "One paragraph here. Second paragraph here."
    assert "\n\n" in art.body[q.start : q.end]


# -- people and attribution --------------------------------------------------
def test_people_titles_possessives_and_short_forms() -> None:
    """Honorific and short forms link to the full name; possessives are stripped."""
    art = parse(
        "Headline here\n\nSpokesman Tom Hale and Ms Priya Okafor met Zara Larsson's team. "
        'Mr Hale left. Okafor stayed. "Fine," said Hale.'
    )
    names = {p.name: set(p.aliases) for p in art.people}
    assert names == {
        "Tom Hale": {"Mr Hale", "Hale"},
        "Priya Okafor": {"Ms Priya Okafor", "Okafor"},
        "Zara Larsson": set(),
    }
    for m in art.mentions:
        p = art.people[m.person]
        assert art.body[m.start : m.end] in [p.name, *p.aliases]


def test_ambiguous_short_form_links_to_nothing() -> None:
    """Two Toms: a bare "Tom" is not attributed to either."""
    art = parse("Headline here\n\nTom Hale and Tom Jones met. Tom left early.")
    assert sorted(p.name for p in art.people) == ["Tom Hale", "Tom Jones"]
    assert len(art.mentions) == 2


def test_non_people_are_not_people() -> None:
    """Shows, bands, places and works are not people."""
    art = parse(
        "Headline here\n\nShe danced on Strictly Come Dancing to Clean Bandit's hit, then went to "
        "Piccadilly Lights in Soho and watched As You Like It at The London Social."
    )
    assert art.people == []


def test_known_people_and_rejected_names() -> None:
    """World knowledge links a known person named in full, then the article's short forms
    and handle to them, and suppresses rejected names."""
    world = WorldKnowledge(
        people=(KnownPerson(key=7, name="Rose Ayling-Ellis", aliases=("Rose", "@rose.a.e")),),
        rejected_names=frozenset({"Amber Heard"}),
    )
    art = parse(
        "Headline here\n\nRose Ayling-Ellis danced. Amber Heard watched. Rose smiled. "
        "@rose.a.e posted.",
        world=world,
    )
    assert [(p.name, p.known_key) for p in art.people] == [("Rose Ayling-Ellis", 7)]
    assert len(art.mentions) == 3


def test_a_first_name_learned_elsewhere_never_names_a_stranger() -> None:
    """Issue 10, class 3: an earlier article taught "James" as an alias of James Van Der
    Beek; '"...," James said.' about LeBron James must not be given to him. A bare first
    name or surname links to a known person only when this article names them in full."""
    world = WorldKnowledge(
        people=(KnownPerson(key=3, name="James Van Der Beek", aliases=("James", "Van Der Beek")),)
    )
    art = parse(
        'Headline here\n\nLeBron James scored 40. "We kept going," James said.', world=world
    )
    assert [(p.name, p.known_key) for p in art.people] == [("LeBron James", None)]
    assert art.people[art.quotes[0].speaker].name == "LeBron James"
    alone = parse('Headline here\n\n"We kept going," James said.', world=world)
    assert all(p.known_key is None for p in alone.people)


def test_pronoun_and_description_resolution() -> None:
    """he/she resolve by gender and recency; "the actress" is a description: it names
    nobody by itself, keeps its words as the label and suggests the person to editors."""
    art = parse(
        'Headline here\n\nActress Emma Stone met Tom Hale. "Hello," she said. '
        '"Hi," he replied. The actress added: "Bye."'
    )
    names = [p.name for p in art.people]
    got = [
        (q.text, q.speaker is not None and names[q.speaker], q.speaker_label, q.rule)
        for q in art.quotes
    ]
    assert got == [
        ("Hello,", "Emma Stone", None, "pronoun"),
        ("Hi,", "Tom Hale", None, "pronoun"),
        ("Bye.", False, "the actress", "description"),
    ]
    assert names[art.quotes[2].suggested_speaker] == "Emma Stone"


def test_labels_for_unnamed_speakers() -> None:
    """Unnamed speakers are labels, not people."""
    art = parse(
        'Headline here\n\n"It was awful," said a spokeswoman for the council. '
        'One fan wrote: "Amazing."'
    )
    assert [(q.speaker, q.speaker_label) for q in art.quotes] == [
        (None, "a spokeswoman for the council"),
        (None, "one fan"),
    ]


def test_date_search_shortcuts_cover_every_expression() -> None:
    """The lookaheads that speed up the date search admit every core and first word."""
    for words, pattern in ((_CORE_WORDS, _CORE_LOWER), (_FIRST_WORDS, _FIRST_LOWER)):
        allowed = pattern.pattern.split("(?=[", 1)[1].split("]", 1)[0]
        for word in words.split("|"):
            assert (r"\d" if word.startswith("\\d") else word[0]) in allowed, word


def test_characters_are_not_people_but_their_actors_are() -> None:
    """ "X, played by Y", "X (Y)" and "back as X" make X a character in a drama."""
    art = parse(
        "Soap news tonight\n\nFrankie Lewis, played by Tamsin Hollis, keeps a secret. "
        "Denise Harlow (Joanne Birtles) finds out. Marcus Penrose is back as villain Dean Wicks."
    )
    assert [p.name for p in art.people] == ["Tamsin Hollis", "Joanne Birtles", "Marcus Penrose"]


def test_nickname_between_names_and_quoted_runs() -> None:
    """Tyler "Mr Loverboy" Okonjo is Tyler Okonjo; the nickname is nobody."""
    art = parse(
        'Villa news tonight\n\nFan favourite Tyler "Mr Loverboy" Okonjo was dumped. '
        'Tyler said: "Bye." Another fan wrote: "Bye bye Mr Loverboy."'
    )
    assert [(p.name, p.aliases) for p in art.people] == [("Tyler Okonjo", ["Okonjo", "Tyler"])]
    assert art.quotes[0].speaker == 0


def test_scare_quotes_and_first_name_titles() -> None:
    """Quoted modifiers and terms are not quotes; "Lady Harriet" is Harriet Fenwick."""
    art = parse(
        'Palace news tonight\n\nLady Harriet Fenwick spoke. Fans mocked his "romantic" gestures '
        'and the villa\'s "love triangle" had ended. Lady Harriet said she was "delighted".'
    )
    assert [p.name for p in art.people] == ["Harriet Fenwick"]
    assert [(q.text, q.partial) for q in art.quotes] == [("delighted", True)]


def test_answer_after_a_question_paragraph() -> None:
    """A quote opening a paragraph answers the previous paragraph; the asker is not "she"."""
    art = parse(
        "Interview news tonight\n\nBroadcaster Tessa Lowry met Harriet Fenwick.\n\n"
        "Asked about the palace, Harriet Fenwick paused before answering.\n\n"
        '"It was hard."\n\nLowry asked about the children.\n\n"They are wonderful," she said.'
    )
    got = [(q.text, art.people[q.speaker].name, q.rule) for q in art.quotes]
    assert got == [
        ("It was hard.", "Harriet Fenwick", "previous-paragraph"),
        ("They are wonderful,", "Harriet Fenwick", "pronoun"),
    ]


def test_roles_of_both_genders_give_the_same_answer_in_every_run() -> None:
    """A person the article calls both "actress" and "spokesman" keeps the gender their name
    gave (none for "Sam"), whatever the hash seed: the last role of a set decided it, so
    '"...," she said' went to Sam in some runs and to no one in others."""
    script = (
        "from extraction import parse_article\n"
        "a = parse_article(b'Council news\\n\\nActress Sam Qedton met fans on Monday. Later, "
        'spokesman Sam Qedton spoke to the press.\\n\\n"It was fun," she said.\', '
        "source_name='t.txt')\n"
        "print([(a.people[q.speaker].name if q.speaker is not None else None) for q in a.quotes])"
    )
    root = Path(__file__).resolve().parents[2]
    answers = set()
    for seed in range(6):
        env = {**os.environ, "PYTHONHASHSEED": str(seed)}
        run = subprocess.run(
            [sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr
        answers.add(run.stdout.strip())
    assert answers == {"['Sam Qedton']"}
