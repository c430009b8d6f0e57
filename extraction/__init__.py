"""Pure-Python extraction pipeline for imported stories (no Django imports).

``parse_article(raw, source_name=...)`` turns the bytes of one story file into a
``ParsedArticle``: zones (headline, standfirst, body, captions, boilerplate),
people and their mentions, attributed quotes and dated events.
"""

from . import names
from .knowledge import WorldIndex
from .pipeline import parse_article
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
    "WorldIndex",
    "WorldKnowledge",
    "parse_article",
]

# Name resources load once, at start-up, so that no article pays for them.
names.load()
