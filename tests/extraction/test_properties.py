"""Property-based tests: hostile input never crashes the pipeline and every offset is sound."""

from __future__ import annotations

import itertools
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extraction import IngestError, ParsedArticle, parse_article
from extraction.dates import _DATE_RE, _FUTURE, _future, _lower
from extraction.dates import _matches as _date_matches

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Fragments that exercise the extractor: names, marks, attributions, dates, boilerplate.
FRAGMENTS = [
    "Rose Ayling-Ellis",
    "Giovanni",
    "Mr Hale",
    "Ms Okafor",
    "O'Brien",
    "Zara Larsson's",
    "Ayling-Ellis'",
    "@rose.a.e",
    " said",
    " told",
    ": ",
    ", ",
    ". ",
    "! ",
    "? ",
    "\n",
    "\n\n",
    '"',
    "“",
    "”",
    "'",
    "‘",
    "’",
    "it'd",
    "she wrote on Sunday",
    "he added",
    "one fan wrote: ",
    "the dancer",
    "on New Year's Eve",
    "18-12-2021",
    "in 2021",
    "last year",
    "MORE: x",
    "Loading the player...",
    " date 2021-11-15 ",
    " date 2021-13-45 ",
    "[heart emoji]",
    "the film",
    "The ",
    "won",
    "crowned",
    "…",
    "—",
    "-",
    " ",
    "Strictly Come Dancing",
    "with Rose adding: ",
]
text_strategy = st.one_of(
    st.text(max_size=400),
    st.lists(st.sampled_from(FRAGMENTS), max_size=60).map("".join),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=40).map("".join),
)
_WORD = re.compile(r"\w+")


def _parse(raw: bytes) -> ParsedArticle | None:
    try:
        return parse_article(raw, source_name="p.txt")
    except IngestError:
        return None


def _check_invariants(art: ParsedArticle) -> None:
    body = art.body
    spans = []
    for q in art.quotes:
        assert 0 <= q.start < q.end <= len(body)
        covered = body[q.start : q.end]
        # The quote's words appear in order within its span.
        pos = 0
        for word in _WORD.findall(q.text):
            found = covered.find(word, pos)
            assert found >= 0, (word, covered, q.text)
            pos = found + len(word)
        if "\n" not in covered and not any(c in covered for c in '"“”„«»'):
            # Single paragraph, not reopened after a lost paragraph break: exact text.
            assert covered == q.text
        assert 0.0 <= q.confidence <= 1.0
        assert q.speaker is None or 0 <= q.speaker < len(art.people)
        spans.append((q.start, q.end))
    spans.sort()
    for (_, e1), (s2, _) in itertools.pairwise(spans):
        assert e1 <= s2, "quotes overlap"
    for m in art.mentions:
        assert 0 <= m.start < m.end <= len(body)
        person = art.people[m.person]
        assert body[m.start : m.end] in [person.name, *person.aliases]
    for e in art.events:
        assert 0 <= e.start < e.end <= len(body)
        assert all(0 <= p < len(art.people) for p in e.people)
        assert (e.date is None) == (e.precision is None)


@SETTINGS
@given(st.binary(max_size=600))
def test_any_bytes_raise_only_ingest_error(raw: bytes) -> None:
    """Arbitrary bytes either parse or raise IngestError, never anything else."""
    art = _parse(raw)
    if art is not None:
        _check_invariants(art)


@SETTINGS
@given(text_strategy, st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_any_text_parses_with_sound_offsets(text: str, encoding: str) -> None:
    """Hostile text never crashes; quotes, mentions and events have sound offsets."""
    try:
        raw = text.encode(encoding)
    except UnicodeEncodeError:
        return  # lone surrogates cannot be encoded
    art = _parse(raw)
    if art is not None:
        _check_invariants(art)


DATE_FRAGMENTS = [
    "18",
    "2021",
    "-12-",
    "/",
    ".",
    ",",
    ", ",
    " ",
    "  ",
    "th",
    " of ",
    "December",
    "Sept.",
    "dec",
    "MAY",
    "Monday",
    "SUNDAY",
    "last",
    "this",
    "next",
    "earlier in the",
    "the following",
    "week",
    "month",
    "year",
    "in",
    "back in",
    "throughout",
    "the autumn of",
    "mid",
    "yesterday",
    "Tonight",
    "this Morning",
    "last night",
    "new year's eve",
    "Christmas Day",
    "boxing day",
    "st patrick’s day",
    "halloween",
    "on",
    "since",
    "until",
    "during",
    "by",
    "from",
    "the previous",
    "mid-",
    "early",
    "later this",
    "Valentine's Day",
    "bonfire night",
    "ſ",
    "K",
    "٢٠٢١",
    "İ",
    "ı",
    "ﬀ",
    "ß",
]


@SETTINGS
@given(
    st.lists(st.one_of(st.sampled_from(DATE_FRAGMENTS), st.text(max_size=4)), max_size=40).map(
        "".join
    ),
    st.integers(0, 20),
)
def test_windowed_date_search_equals_full_regex(text: str, start: int) -> None:
    """Searching only near core words finds exactly what the full date regex finds."""
    start = min(start, len(text))
    want = [(m.start(), m.group()) for m in _DATE_RE.finditer(text, start)]
    low = _lower(text, start, len(text))
    got = [(m.start(), m.group()) for m in _date_matches(text, start, len(text), low)]
    assert got == want
    want_future = _FUTURE.search(text, start) is not None
    assert _future(text, start, len(text), low) == want_future
