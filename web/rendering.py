"""Safe HTML from article text: paragraphs with quotes highlighted, dates with precision.

Every piece of imported text is escaped before it is joined with markup; only the markup
built here is marked safe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from articles.anchoring import holds

PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*(?=\s|$)")
CONTEXT_LIMIT = 600  # characters either side of a quote, at most


def paragraph_spans(body: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each non-blank paragraph; paragraphs are split by "\\n\\n"."""
    spans, position = [], 0
    for match in PARAGRAPH_BREAK.finditer(body):
        spans.append((position, match.start()))
        position = match.end()
    spans.append((position, len(body)))
    return [(start, end) for start, end in spans if body[start:end].strip()]


def offsets_fit(body: str, quote) -> bool:
    """Whether ``quote.start``/``end`` still point at its words in ``body``, ignoring white
    space and quotation-mark style (``articles.anchoring.holds``: the same test as the
    admin's and the re-anchoring's). Only then is the quote highlighted."""
    return holds(body, quote.start, quote.end, quote.text)


def anchored(body: str, quotes) -> list:
    """The quotes whose offsets still point at their text in ``body``, by start, without
    overlaps (an edited body detaches offsets; such quotes are listed, not highlighted)."""
    kept, reach = [], 0
    for quote in sorted(quotes, key=lambda q: (q.start, q.end)):
        if quote.start < reach:
            continue
        if offsets_fit(body, quote):
            kept.append(quote)
            reach = quote.end
    return kept


@dataclass(frozen=True)
class Paragraph:
    html: SafeString
    quote_ids: tuple[int, ...]


def render_body(body: str, quotes) -> list[Paragraph]:
    """The body as paragraphs of safe HTML, each quote wrapped in a link to its permalink
    and a ``<mark>``; a quote running over several paragraphs is marked in each of them."""
    quotes = anchored(body, quotes)
    paragraphs = []
    for p_start, p_end in paragraph_spans(body):
        pieces, position, ids = [], p_start, []
        for quote in quotes:
            start, end = max(quote.start, p_start), min(quote.end, p_end)
            if start >= end:
                continue
            pieces.append(escape(body[position:start]))
            first = start == quote.start
            pieces.append(
                format_html(
                    '<a class="quote" href="{}"{}><mark>{}</mark></a>',
                    quote.get_absolute_url(),
                    format_html(' id="quote-{}"', quote.pk) if first else "",
                    body[start:end],
                )
            )
            ids.append(quote.pk)
            position = end
        pieces.append(escape(body[position:p_end]))
        # Safe: every text piece above went through escape() or format_html().
        paragraphs.append(Paragraph(mark_safe("".join(pieces)), tuple(ids)))
    return paragraphs


def sentence_around(body: str, start: int, end: int) -> tuple[str, str, str] | None:
    """(before, quoted, after): the sentence(s) holding body[start:end], within its
    paragraph, or None when the offsets no longer fit the body."""
    if not (0 <= start < end <= len(body)):
        return None
    p_start = next((s for s, e in reversed(paragraph_spans(body)) if s <= start), 0)
    p_end = next((e for s, e in paragraph_spans(body) if e >= end), len(body))
    window_start = max(p_start, start - CONTEXT_LIMIT)
    before = body[window_start:start]
    ends = list(SENTENCE_END.finditer(before))
    if ends:
        before = before[ends[-1].end() :]
    after = body[end : min(p_end, end + CONTEXT_LIMIT)]
    # A quote often ends just before its closing mark ("…," she said.): skip the attribution
    # up to the end of the sentence, but not past it.
    match = SENTENCE_END.search(after)
    if match:
        after = after[: match.end()]
    return before.lstrip(), body[start:end], after.rstrip()


MONTH_FORMAT = "%B %Y"


def date_label(value: date | datetime | None, precision: str | None = "day") -> str:
    """A reader's date: "12 March 2021", "March 2021", "2021" or "date unknown"."""
    if value is None:
        return "date unknown"
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if precision == "year":
        return str(value.year)
    if precision == "month":
        return value.strftime(MONTH_FORMAT)
    return f"{value.day} {value.strftime(MONTH_FORMAT)}"


def local_date(value: datetime | None) -> date | None:
    if value is None:
        return None
    return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
