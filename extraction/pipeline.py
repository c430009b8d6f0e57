"""The extraction pipeline: bytes in, a ``ParsedArticle`` out. No Django here."""

from __future__ import annotations

import bisect
import hashlib
import json
from collections import Counter

from .attribution import Resolver, attribute_quotes
from .calibration import features, probability
from .events import extract_events
from .knowledge import WorldIndex
from .people import extract_people
from .quotes import find_quotes, mask_quotes
from .reading import DEFAULT_MAX_BYTES, check_text, decode
from .text import normalise_marks
from .types import ExtractedQuote, IngestError, ParsedArticle, StoryMetadata, WorldKnowledge
from .zoning import Zoned, zone, zone_story


def parse_article(
    raw: bytes,
    *,
    source_name: str,
    world: WorldKnowledge | WorldIndex = WorldKnowledge(),  # noqa: B008 (frozen, immutable)
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ParsedArticle:
    """Extract headline, body, people, quotes and events from one story file.

    ``world`` is what the newsroom knows: a ``WorldIndex`` built once for many articles,
    or a ``WorldKnowledge``, indexed for this article alone (in time proportional to the
    people it holds).

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
    _extract(article, zoned, world)
    return article


def parse_story(
    text: str,
    *,
    source_name: str,
    metadata: StoryMetadata = StoryMetadata(),  # noqa: B008 (frozen, immutable)
    raw_text: str | None = None,
    world: WorldKnowledge | WorldIndex = WorldKnowledge(),  # noqa: B008 (frozen, immutable)
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ParsedArticle:
    """Extract people, quotes and events from one story whose format stated its metadata.

    ``text`` is the story's text as the format gave it, paragraphs separated by blank lines;
    ``metadata`` holds what the format stated (headline, standfirst, date, byline), taken
    as it is rather than guessed from the layout (see ``zoning.zone_story``). ``raw_text``
    is the story as received (kept for editors), the text itself by default. Raises
    ``IngestError`` (with the reason for editors) when there is no story to read.
    """
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise IngestError(f"story is too large ({size:,} bytes; the limit is {max_bytes:,})")
    sha256 = story_sha256(text, metadata)
    text = check_text(text)
    zoned = zone_story(
        text,
        headline=metadata.headline,
        standfirst=metadata.standfirst,
        byline=metadata.byline,
    )
    zoned.published_on = metadata.published_on
    if zoned.published_on is None and metadata.published_at is not None:
        zoned.published_on = metadata.published_at.date()
    if not zoned.paragraphs:
        raise IngestError("story has no body text (only a headline, captions or boilerplate)")
    article = ParsedArticle(
        source_name=source_name,
        sha256=sha256,
        raw_text=text if raw_text is None else raw_text,
        headline=zoned.headline,
        headline_derived=zoned.headline_derived,
        standfirst=zoned.standfirst,
        body="\n\n".join(zoned.paragraphs),
        published_on=zoned.published_on,
        captions=zoned.captions,
        boilerplate=zoned.boilerplate,
        byline=" ".join(metadata.byline.split()),
        published_at=metadata.published_at,
    )
    _extract(article, zoned, world)
    return article


def story_sha256(text: str, metadata: StoryMetadata) -> str:
    """The fingerprint of a story given with its metadata (``text`` as given to
    ``parse_story``): the same text and metadata always give the same hash, so re-importing
    an unchanged story is recognised (the file it came in may hold other stories, and
    changes elsewhere in it do not count)."""
    published_at = metadata.published_at.isoformat() if metadata.published_at else ""
    published_on = metadata.published_on.isoformat() if metadata.published_on else ""
    fields = [
        "story/1",
        metadata.headline,
        metadata.standfirst,
        published_on,
        published_at,
        metadata.byline,
        text,
    ]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()


def _extract(article: ParsedArticle, zoned: Zoned, world: WorldKnowledge | WorldIndex) -> None:
    """People, quotes and events of a zoned article, into ``article``."""
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
    found = extract_people(marked, [zoned.headline, zoned.standfirst], WorldIndex.of(world))
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
    named = _NamedBetween(resolver)
    for q, a in zip(direct, attribute_quotes(resolver, paras, direct), strict=True):
        text = " ".join(body[s:e] for s, e in q.segments)
        context_start = paras[max(0, q.first_para - 1)][0]
        rivals = named.others(context_start, q.open_pos, a.speaker)
        evidence = features(
            a,
            partial=q.partial,
            closed=q.closed,
            words=len(text.split()),
            people=len(found.people),
            rivals=rivals,
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


class _NamedBetween:
    """People named in the reporter's words between two positions, for windows that
    only move forward (each quote's context: from the paragraph before it to the quote).

    A window kept up to date mention by mention, rather than the mentions of each quote's
    context read afresh: a long paragraph full of quotes and names made that quadratic
    (issue 12).
    """

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.count: Counter[int] = Counter()
        self.lo = self.hi = 0  # the window: resolver.reporter[lo:hi]
        self.start = 0

    def others(self, start: int, end: int, person: int | None) -> int:
        """How many people other than ``person`` are named in ``[start, end)``."""
        res = self.resolver
        lo = bisect.bisect_left(res.starts, start)
        hi = max(lo, bisect.bisect_left(res.starts, end))
        if lo < self.lo or hi < self.hi or lo > self.hi:  # moved back, or past: start again
            self.count.clear()
            self.lo = self.hi = lo
        while self.hi < hi:
            self.count[res.reporter[self.hi].person] += 1
            self.hi += 1
        while self.lo < lo:
            gone = res.reporter[self.lo].person
            self.count[gone] -= 1
            if not self.count[gone]:
                del self.count[gone]
            self.lo += 1
        return len(self.count) - (person in self.count)
