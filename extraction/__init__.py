"""Pure-Python extraction pipeline for imported stories (no Django imports).

``parse_article(raw, source_name=...)`` turns the bytes of one story file into a
``ParsedArticle``: zones (headline, standfirst, body, captions, boilerplate),
people and their mentions, attributed quotes and dated events.
``parse_story(text, source_name=..., metadata=StoryMetadata(...))`` does the same for a
story whose format (HTML, a feed, IPTC ninjs) stated its headline, date and byline.
"""

from . import names
from .knowledge import WorldIndex
from .pipeline import parse_article, parse_story, story_sha256
from .policy import DEFAULT_PUBLISH_MIN_CONFIDENCE
from .reading import DEFAULT_MAX_BYTES
from .types import (
    DatePrecision,
    ExtractedEvent,
    ExtractedMention,
    ExtractedPerson,
    ExtractedQuote,
    IngestError,
    KnownPerson,
    ParsedArticle,
    StoryMetadata,
    WorldKnowledge,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_PUBLISH_MIN_CONFIDENCE",
    "DatePrecision",
    "ExtractedEvent",
    "ExtractedMention",
    "ExtractedPerson",
    "ExtractedQuote",
    "IngestError",
    "KnownPerson",
    "ParsedArticle",
    "StoryMetadata",
    "WorldIndex",
    "WorldKnowledge",
    "parse_article",
    "parse_story",
    "story_sha256",
]

# Name resources load once, at start-up, so that no article pays for them.
names.load()
