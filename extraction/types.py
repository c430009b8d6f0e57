"""Plain data that flows through the extraction pipeline.

Nothing here imports Django: the pipeline takes bytes and what the newsroom
already knows (as plain data) and returns these dataclasses. Every span is a
``(start, end)`` pair of character offsets into ``ParsedArticle.body``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from dataclasses import dataclass, field


class IngestError(ValueError):
    """A file that cannot be imported; ``str(error)`` is the reason shown to editors."""


class DatePrecision:
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class KnownPerson:
    """A person already in the database, passed in so extraction links to it.

    ``key`` is opaque to the pipeline (the importer uses the primary key).
    """

    key: Hashable
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WorldKnowledge:
    """What curation has taught the importer, as plain data."""

    people: tuple[KnownPerson, ...] = ()
    # Names editors marked as "not a person": never proposed as people again (case-insensitive).
    rejected_names: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class StoryMetadata:
    """What a structured format (an HTML page, a feed entry, an IPTC ninjs item) states
    about a story, so that the pipeline takes it as given rather than guessing it from the
    layout of the text. Empty fields are unknown: the pipeline then reads the text as it
    reads a plain-text file (a headline from the first line, a date header)."""

    headline: str = ""
    standfirst: str = ""
    published_on: dt.date | None = None
    # The moment of publication when the format gives one (aware), else None.
    published_at: dt.datetime | None = None
    byline: str = ""


@dataclass(slots=True)
class ExtractedPerson:
    """One real person named in the article.

    ``name`` is the fullest form found (or the known person's canonical name);
    ``aliases`` are the other forms the article used for them (first name,
    surname, "Mr Hale", a social handle that is clearly theirs).
    """

    name: str
    aliases: list[str] = field(default_factory=list)
    known_key: Hashable | None = None
    # How a directory files ``name`` (``names.sort_key``), for a person the newsroom does
    # not know yet ('' otherwise): worked out here, where parsing runs in parallel, not by
    # the one process that writes (issue 13; it parses the name, a quarter of a millisecond).
    sort_key: str = ""


@dataclass(frozen=True, slots=True)
class ExtractedMention:
    person: int  # index into ParsedArticle.people
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ExtractedQuote:
    """Words quoted directly. ``start``/``end`` exclude the outer quote marks.

    A quote that runs over several paragraphs is one quote; its span covers
    all of them and ``text`` joins the paragraphs with a single space, without
    the marks that reopen each paragraph.
    """

    text: str
    start: int
    end: int
    speaker: int | None  # index into ParsedArticle.people, or None
    speaker_label: str | None  # "one fan", "a BBC spokeswoman" when not a named person
    partial: bool
    rule: str  # which attribution rule fired, e.g. "verb-after", "pronoun"
    confidence: float  # 0..1, calibrated: the chance that speaker (or its absence) is right
    # The person a description points to ("the 23-year-old said"): a suggestion for
    # editors; ``speaker`` stays None and ``speaker_label`` holds the description.
    suggested_speaker: int | None = None


@dataclass(frozen=True, slots=True)
class ExtractedEvent:
    summary: str
    start: int
    end: int
    date: dt.date | None  # first day of the period
    precision: str | None  # DatePrecision value, None when unknown
    people: tuple[int, ...] = ()  # indices into ParsedArticle.people


@dataclass(slots=True)
class ParsedArticle:
    source_name: str
    sha256: str
    raw_text: str  # decoded text as received, boilerplate included
    headline: str
    headline_derived: bool  # True when the file had no headline and one was made from the lede
    standfirst: str
    body: str  # paragraphs joined by "\n\n"; boilerplate and captions removed
    published_on: dt.date | None
    captions: list[str] = field(default_factory=list)
    boilerplate: list[str] = field(default_factory=list)
    people: list[ExtractedPerson] = field(default_factory=list)
    mentions: list[ExtractedMention] = field(default_factory=list)
    quotes: list[ExtractedQuote] = field(default_factory=list)
    events: list[ExtractedEvent] = field(default_factory=list)
    suggested_tags: list[str] = field(default_factory=list)
    # Who wrote it, as the format stated it (empty for plain text: never guessed).
    byline: str = ""
    # The moment of publication when the format gave one (aware); ``published_on`` is its day.
    published_at: dt.datetime | None = None
    # Why each quote's confidence is what it is (aligned with ``quotes``): the features the
    # calibration model weighs. Kept for measurement and training; not stored.
    evidence: list[dict[str, float]] = field(default_factory=list)
