"""The extraction pipeline: bytes in, a ``ParsedArticle`` out. No Django here."""

from __future__ import annotations

import hashlib

from .attribution import Resolver, attribute_quotes
from .calibration import features, probability
from .events import extract_events
from .people import extract_people
from .quotes import find_quotes, mask_quotes
from .reading import DEFAULT_MAX_BYTES, decode
from .text import normalise_marks
from .types import ExtractedQuote, IngestError, ParsedArticle, WorldKnowledge
from .zoning import zone


def parse_article(
    raw: bytes,
    *,
    source_name: str,
    world: WorldKnowledge = WorldKnowledge(),  # noqa: B008 (frozen, immutable; the contract)
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ParsedArticle:
    """Extract headline, body, people, quotes and events from one story file.

    Raises ``IngestError`` (with the reason for editors) when the file cannot be read.
    """
    text = decode(raw, max_bytes=max_bytes)
    zoned = zone(text)
    if not zoned.paragraphs and not zoned.headline:
        raise IngestError("file has no article text (only boilerplate or captions)")
    article = ParsedArticle(
        source_name=source_name,
        sha256=hashlib.sha256(bytes(raw)).hexdigest(),
        raw_text=text,
        headline=zoned.headline,
        headline_derived=zoned.headline_derived,
        standfirst=zoned.standfirst,
        body="\n\n".join(zoned.paragraphs),
        published_on=zoned.published_on,
        captions=zoned.captions,
        boilerplate=zoned.boilerplate,
    )
    body = article.body
    paras: list[tuple[int, int]] = []
    pos = 0
    for para in zoned.paragraphs:
        paras.append((pos, pos + len(para)))
        pos += len(para) + 2

    # The stages read a copy whose two-apostrophe marks are double marks (same offsets).
    marked = normalise_marks(body)
    intro = " ".join([zoned.standfirst, *zoned.paragraphs[:2]])
    raw_quotes = find_quotes(marked, paras, intro)
    masked = mask_quotes(marked, raw_quotes)
    found = extract_people(marked, [zoned.headline, zoned.standfirst], world)
    article.people = found.people
    article.mentions = found.mentions
    article.suggested_tags = found.tags

    direct = [q for q in raw_quotes if q.kind == "quote"]
    resolver = Resolver(
        marked,
        masked,
        found.info,
        found.mentions,
        [(q.start, q.end) for q in direct],
        paras,
        found.uncertain,
        found.headline,
    )
    for q, a in zip(direct, attribute_quotes(resolver, paras, direct), strict=True):
        text = " ".join(body[s:e] for s, e in q.segments)
        context_start = paras[max(0, q.first_para - 1)][0]
        rivals = {m.person for m in resolver.between(context_start, q.open_pos)} - {a.speaker}
        evidence = features(
            a,
            partial=q.partial,
            closed=q.closed,
            words=len(text.split()),
            people=len(found.people),
            rivals=len(rivals),
        )
        heuristic = a.confidence if q.closed else a.confidence * 0.8
        article.quotes.append(
            ExtractedQuote(
                text=text,
                start=q.start,
                end=q.end,
                speaker=a.speaker,
                speaker_label=a.label,
                partial=q.partial,
                rule=a.rule,
                confidence=probability(evidence, round(heuristic, 2)),
                suggested_speaker=a.suggestion,
            )
        )
        article.evidence.append(evidence)
    article.events = extract_events(resolver, paras, zoned.published_on)
    return article
