"""Keeping character offsets on their words when an article body changes (issue 11).

Quotes, mentions and events store ``start``/``end`` offsets into ``Article.body``. When an
editor changes the body, :func:`reanchor` finds where each span's text went: first where
nothing moved (the unchanged head and tail of the body), then the nearest exact occurrence
of its text, then the nearest occurrence ignoring white space and quotation-mark style.
A span whose text is nowhere in the new body comes back as ``None``; the caller decides
what that means (``articles.services.article_update_body``).

:func:`holds` is the one test of whether a span still shows its text: the re-anchoring,
the website and the admin all use it before drawing a highlight.

Pure Python, no Django, so it is fast to test (tests/test_anchoring.py).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import deque
from collections.abc import Iterable, Sequence
from heapq import heappop, heappush

# The line breaks the importer normalises (extraction/reading.py): every way text enters
# (import, admin, API) stores "\n" only. Browsers send a textarea's lines as "\r\n".
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")

# Ignored when comparing a span with its text: white space, and quotation marks and
# apostrophes of every style. A quote running over paragraphs is stored without the marks
# that reopen each paragraph ("…us.\n\n\"It has…" holds "…us. It has…"), and an editor may
# retype “curly” marks as "straight" ones.
_IGNORED = "\\s\"'`´“”„‟«»‘’‚‛‹›″′〝〞＂＇"
_IGNORED_RUN = re.compile(f"[{_IGNORED}]+")
_KEPT_RUN = re.compile(f"[^{_IGNORED}]+")


def normalize_newlines(text: str) -> str:
    """``text`` with every line break as "\\n" (CRLF, CR and Unicode line separators)."""
    return _LINE_BREAKS.sub("\n", text)


def loose(text: str) -> str:
    """``text`` without white space and quotation marks: what comparisons look at."""
    return _IGNORED_RUN.sub("", text)


def same_text(shown: str, text: str) -> bool:
    """Whether ``shown`` (a slice of a body) is ``text``, ignoring white space and
    quotation-mark style. A text made only of ignored characters must match exactly."""
    if shown == text:
        return True
    key = loose(text)
    return bool(key) and loose(shown) == key


def holds(body: str, start: int, end: int, text: str) -> bool:
    """Whether ``body[start:end]`` is ``text`` (see :func:`same_text`): the check made
    before any highlight is drawn, so no page marks characters that are not the text."""
    return 0 <= start < end <= len(body) and same_text(body[start:end], text)


# --- finding many texts in one pass -------------------------------------------------------


def find_all(text: str, patterns: Iterable[str]) -> dict[str, list[int]]:
    """Start offsets of every occurrence of every pattern in ``text``, in order.

    Aho–Corasick: one pass over ``text`` whatever the number of patterns, so the work is
    linear in the text, the patterns and the occurrences found. Empty patterns are skipped.
    """
    patterns = sorted({p for p in patterns if p})
    found: dict[str, list[int]] = {p: [] for p in patterns}
    if not patterns:
        return found
    goto: list[dict[str, int]] = [{}]
    output: list[str | None] = [None]  # the pattern ending at this node, if any
    for pattern in patterns:
        node = 0
        for char in pattern:
            nxt = goto[node].get(char)
            if nxt is None:
                nxt = len(goto)
                goto[node][char] = nxt
                goto.append({})
                output.append(None)
            node = nxt
        output[node] = pattern
    fail = [0] * len(goto)
    # The nearest node along the failure chain that ends a pattern (0: none).
    report = [0] * len(goto)
    queue = deque(goto[0].values())
    while queue:
        node = queue.popleft()
        for char, nxt in goto[node].items():
            queue.append(nxt)
            back = fail[node]
            while back and char not in goto[back]:
                back = fail[back]
            target = goto[back].get(char, 0)
            fail[nxt] = target if target != nxt else 0
            report[nxt] = fail[nxt] if output[fail[nxt]] is not None else report[fail[nxt]]
    node = 0
    for index, char in enumerate(text):
        while node and char not in goto[node]:
            node = fail[node]
        node = goto[node].get(char, 0)
        hit = node if output[node] is not None else report[node]
        while hit:
            pattern = output[hit]
            found[pattern].append(index - len(pattern) + 1)
            hit = report[hit]
    return found


# --- re-anchoring -------------------------------------------------------------------------

_CHUNK = 4096
_CONTEXT = 32  # characters either side compared to tell repeated words apart
_BATCH = 8  # occurrences weighed at a time for one span, nearest first


def _common_prefix(a: str, b: str, limit: int) -> int:
    """Length of the common prefix of ``a`` and ``b``, at most ``limit`` (linear time)."""
    size = 0
    while size + _CHUNK <= limit and a[size : size + _CHUNK] == b[size : size + _CHUNK]:
        size += _CHUNK
    while size < limit and a[size] == b[size]:
        size += 1
    return size


def _common_suffix(a: str, b: str, limit: int) -> int:
    size, la, lb = 0, len(a), len(b)
    while (
        size + _CHUNK <= limit
        and a[la - size - _CHUNK : la - size] == b[lb - size - _CHUNK : lb - size]
    ):
        size += _CHUNK
    while size < limit and a[la - size - 1] == b[lb - size - 1]:
        size += 1
    return size


def _unchanged_ends(old: str, new: str) -> tuple[int, int]:
    """(head, tail): how many characters open and close both texts alike, not overlapping."""
    limit = min(len(old), len(new))
    head = _common_prefix(old, new, limit)
    return head, _common_suffix(old, new, limit - head)


def _lead(text: str) -> int:
    """How many ignored characters open ``text`` (so a place can be named by its first
    compared character, whichever way it was found)."""
    match = _IGNORED_RUN.match(text)
    return match.end() if match else 0


def _context(old: str, new: str, was: tuple[int, int], now: tuple[int, int]) -> int:
    """How many characters around a span, up to ``_CONTEXT`` each side, read the same
    before and after the edit (white space and quotation marks ignored)."""
    before = loose(old[max(0, was[0] - _CONTEXT) : was[0]])[::-1]
    after = loose(new[max(0, now[0] - _CONTEXT) : now[0]])[::-1]
    score = _common_prefix(before, after, min(len(before), len(after)))
    before, after = loose(old[was[1] : was[1] + _CONTEXT]), loose(new[now[1] : now[1] + _CONTEXT])
    return score + _common_prefix(before, after, min(len(before), len(after)))


class _Groups:
    """The distinct spans (identical spans move together) and what is known of them."""

    def __init__(self, spans: Sequence[tuple[int, int, str]]):
        self.index: dict[tuple[int, int, str], int] = {}
        self.of_span = [self.index.setdefault(tuple(span), len(self.index)) for span in spans]
        self.spans = list(self.index)
        self.found: list[tuple[int, int] | None] = [None] * len(self.spans)
        self.claimed: set[tuple[int, str]] = set()  # (first compared character, loose text)
        self.landmarks: list[tuple[int, int]] = []  # (old start, new start), sorted

    def settle(self, group: int, start: int, end: int, place: int) -> None:
        self.found[group] = (start, end)
        self.claimed.add((place, loose(self.spans[group][2])))
        landmark = (self.spans[group][0], start)
        self.landmarks.insert(bisect_left(self.landmarks, landmark), landmark)

    def expected(self, group: int) -> int:
        """Where the span should be in the new body: its old start moved as much as the
        nearest span (by old position) already placed."""
        old_start = self.spans[group][0]
        i = bisect_left(self.landmarks, (old_start, -1))
        near = [self.landmarks[j] for j in (i - 1, i) if 0 <= j < len(self.landmarks)]
        old, new = min(near, key=lambda mark: abs(mark[0] - old_start))
        return old_start + new - old

    def pending(self) -> list[int]:
        return [g for g, place in enumerate(self.found) if place is None]


def _assign(groups: _Groups, keys: dict[int, str], occurrences, expected, locate, context):
    """Settle each group on an occurrence of its key, best pairs first: the surrounding
    words that match most (``context``), then the nearest to where it is expected. One
    occurrence never serves two groups with the same text.

    ``occurrences[key]``: sorted positions, in the coordinates of ``expected[group]``;
    ``locate(position, key)``: its ``(start, end, place)`` in the new body.
    """
    compared = {group: loose(key) for group, key in keys.items()}
    heap, cursors, live, done = [], {}, dict.fromkeys(keys, 0), set()

    def claim(group, position):
        return (locate(position, keys[group])[2], compared[group])

    def push_nearest(group):
        positions, target = occurrences.get(keys[group], ()), expected[group]
        left, right = cursors[group]
        for _ in range(_BATCH):
            while left >= 0 and claim(group, positions[left]) in groups.claimed:
                left -= 1
            while right < len(positions) and claim(group, positions[right]) in groups.claimed:
                right += 1
            if left < 0 and right >= len(positions):
                break
            if right >= len(positions) or (
                left >= 0 and target - positions[left] <= positions[right] - target
            ):
                position, left = positions[left], left - 1
            else:
                position, right = positions[right], right + 1
            start, end, _ = locate(position, keys[group])
            rank = (-context(group, start, end), abs(position - target), groups.spans[group][0])
            heappush(heap, (rank, group, position))
            live[group] += 1
        cursors[group] = (left, right)

    for group, key in keys.items():
        i = bisect_left(occurrences.get(key, ()), expected[group])
        cursors[group] = (i - 1, i)
        push_nearest(group)
    while heap:
        _, group, position = heappop(heap)
        live[group] -= 1
        if group in done:
            continue
        if claim(group, position) in groups.claimed:
            if not live[group]:
                push_nearest(group)  # the ones weighed were taken: the next nearest
            continue
        done.add(group)
        start, end, place = locate(position, keys[group])
        groups.settle(group, start, end, place)


def reanchor(
    old: str, new: str, spans: Sequence[tuple[int, int, str]]
) -> list[tuple[int, int] | None]:
    """Where each span of ``old`` is in ``new``: ``(start, end)``, or ``None`` when its
    text is not in ``new``.

    A span is ``(start, end, text)``: its offsets in ``old`` and the text to look for (its
    slice of ``old``, or a quote's stored words). Every place returned holds the text
    (:func:`holds`). In order:

    1. Spans in the unchanged head or tail of the body keep their place (shifted by the
       change in length for the tail): constant work each.
    2. The others, an exact occurrence of their text: a text found once, for one span,
       is settled first; then, best pairs first, the occurrence whose surrounding words
       match the span's old surroundings most, the nearest to where it should be (its
       old start moved as much as its nearest placed neighbour) on a tie. So repeated
       words go back to their own place, and one occurrence never serves two spans.
    3. The rest, the same way ignoring white space and quotation-mark style.

    Each step reads the body once (:func:`find_all`); a span weighs a bounded number of
    occurrences at a time; so the work is linear in the bodies, the texts and their
    occurrences.
    """
    groups = _Groups(spans)
    head, tail = _unchanged_ends(old, new)
    shift = len(new) - len(old)
    groups.landmarks = sorted({(head, head), (len(old) - tail, len(new) - tail)})

    for group, (start, end, text) in enumerate(groups.spans):
        if end <= head:
            place = (start, end)
        elif start >= len(old) - tail:
            place = (start + shift, end + shift)
        else:
            continue
        if holds(new, *place, text):
            groups.settle(group, *place, place[0] + _lead(new[place[0] : place[1]]))

    def context(group, start, end):
        return _context(old, new, groups.spans[group][:2], (start, end))

    # Exact occurrences.
    keys = {g: groups.spans[g][2] for g in groups.pending() if groups.spans[g][2]}
    occurrences = find_all(new, keys.values())

    def exact(position, key):
        return position, position + len(key), position + _lead(key)

    wanted: dict[str, int] = {}
    for key in keys.values():
        wanted[key] = wanted.get(key, 0) + 1
    for group, key in keys.items():
        if wanted[key] == 1 and len(occurrences[key]) == 1:
            start, end, place = exact(occurrences[key][0], key)
            if (place, loose(key)) not in groups.claimed:
                groups.settle(group, start, end, place)
    keys = {g: k for g, k in keys.items() if groups.found[g] is None}
    expected = {g: groups.expected(g) for g in keys}
    _assign(groups, keys, occurrences, expected, exact, context)

    # Ignoring white space and quotation marks: positions in the loose body map back.
    keys = {g: loose(groups.spans[g][2]) for g in groups.pending()}
    keys = {g: k for g, k in keys.items() if k}
    if keys:
        pieces, positions_of = [], []
        for match in _KEPT_RUN.finditer(new):
            pieces.append(match.group())
            positions_of.extend(range(match.start(), match.end()))
        occurrences = find_all("".join(pieces), keys.values())
        expected = {g: bisect_left(positions_of, groups.expected(g)) for g in keys}

        def in_loose(position, key):
            start = positions_of[position]
            return start, positions_of[position + len(key) - 1] + 1, start

        _assign(groups, keys, occurrences, expected, in_loose, context)

    return [groups.found[group] for group in groups.of_span]


def reanchor_by_ends(
    old: str, new: str, spans: Sequence[tuple[int, int, str]], *, width: int = 24
) -> list[tuple[int, int] | None]:
    """Where each span of ``old`` is in ``new`` when its words were changed *inside*: from
    where it now opens to where it now closes, or ``None``.

    For a sentence that is still there but reworded ("8,000 people" made "8,200
    people"). Either the whole edit lies inside the span (the text before and after the
    span is unchanged), or its opening and closing words (whole words within its first
    and last ``width`` characters, at most a third of the text each) are both found
    (:func:`reanchor`), in order. Either way the new span
    must be at least half and at most twice as long as the old one. A span's text must
    be its slice of ``old``; texts too short to tell give ``None``.
    """
    head, tail = _unchanged_ends(old, new)
    shift = len(new) - len(old)
    places: list[tuple[int, int] | None] = [None] * len(spans)

    def plausible(index, start, end):
        was = len(spans[index][2])
        return was // 2 <= end - start <= 2 * was

    ends, owners = [], []
    for index, (start, end, text) in enumerate(spans):
        if start <= head and end >= len(old) - tail and plausible(index, start, end + shift):
            places[index] = (start, end + shift)
            continue
        size = min(width, len(text) // 3)
        # Whole words only: "…ballroom to see" must not hang on "om to see".
        opening = text[: text.rfind(" ", 0, size + 1)] if " " in text[1:size] else text[:size]
        closing = text[len(text) - size :]
        closing = closing[closing.find(" ") + 1 :] if " " in closing[:-1] else closing
        if min(len(opening), len(closing)) >= 4 and end - start == len(text):
            ends += [
                (start, start + len(opening), opening),
                (end - len(closing), end, closing),
            ]
            owners.append(index)
    found = reanchor(old, new, ends)
    for index, opening, closing in zip(owners, found[::2], found[1::2], strict=True):
        in_order = opening and closing and opening[1] <= closing[0]
        if in_order and plausible(index, opening[0], closing[1]):
            places[index] = (opening[0], closing[1])
    return places
