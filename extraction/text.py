"""Small text helpers shared by the stages: sentence splitting and word tests."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .lexicon import ABBREVIATIONS, UPPER

# A sentence ends at . ! ? or … (plus closing marks) followed by space and a capital,
# digit or opening mark. A match starts only at the first mark of a run and its runs are
# possessive (the classes are disjoint, so nothing is lost): without that, a run of n
# full stops was tried from each of its n marks, n² steps (issue 12).
_BOUNDARY = re.compile(
    r"(?<![.!?…])[.!?…]++[\"”’')\]]*+[ \t]++(?=[\"“‘'(\[]?[" + UPPER + r"0-9@])|\n++"
)
_MARKS = ".!?…"
_BOUNDARY_HERE = re.compile(_BOUNDARY.pattern.removeprefix(r"(?<![.!?…])"))
_LAST_WORD = re.compile(r"([\w.]+)[.!?…]+[\"”’')\]]*[ \t]+$")

QUOTE_CHARS = '"“”„«»'
SINGLE_QUOTE_CHARS = "'‘’"

# Two apostrophes standing for a double quotation mark (''like this,'' he said), as the
# New York Times' archive prints them. Between two word characters they are something else.
_TWO_APOSTROPHES = re.compile(r"''(?!')")


def normalise_marks(text: str) -> str:
    """``text`` with every two-apostrophe mark replaced by one double mark, same length.

    The other character becomes a space on the outer side of the mark (`` "`` before an
    opening mark, ``" `` after a closing one), so every offset into the result is an offset
    into ``text``, and the stages that pair marks see ordinary double quotes.
    """
    if "''" not in text:
        return text
    out: list[str] = []
    pos = 0
    for m in _TWO_APOSTROPHES.finditer(text):
        i = m.start()
        before = text[i - 1] if i else " "
        after = text[i + 2] if i + 2 < len(text) else " "
        if before.isalnum() and after.isalnum():
            continue  # inside a word: not a quotation mark
        opening = (
            not before.isalnum()
            and before not in ".,;:!?"
            and not after.isspace()
            and after not in ".,;:!?)]}"
        )
        out.append(text[pos:i])
        out.append(' "' if opening else '" ')
        pos = i + 2
    out.append(text[pos:])
    return "".join(out)


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into sentences; return absolute ``(start, end)`` spans.

    ``text`` should have the insides of quotes masked so that full stops
    within a quote do not end the reporter's sentence.
    """
    if end is None:
        end = len(text)
    spans: list[tuple[int, int]] = []
    pos = start
    for m in _boundaries(text, start, end):
        if m.group().startswith("\n"):
            cut = m.start()
        else:
            word = _LAST_WORD.search(text, max(pos, m.start() - 30), m.end())
            if word:
                w = word.group(1).lower().rstrip(".")
                # "Mr." "Dr." "J." (an initial) do not end a sentence, nor does the "!" of a
                # short name in capitals ("told E! News", "HELLO! magazine").
                if w in ABBREVIATIONS or (len(w) == 1 and w.isalpha() and text[m.start()] == "."):
                    continue
                raw = word.group(1)
                if text[m.start()] == "!" and raw.isupper() and raw.isalpha() and len(raw) <= 6:
                    continue
            cut = m.end()
        _add_sentence(spans, text, pos, cut)
        pos = m.end()
    _add_sentence(spans, text, pos, end)
    return spans


def _boundaries(text: str, start: int, end: int) -> Iterator[re.Match[str]]:
    """``_BOUNDARY.finditer(text, start, end)``, as if a run of marks cut by ``start``
    began there (the pattern's look-behind sees the marks before ``start``)."""
    if start and text[start - 1] in _MARKS:
        first = _BOUNDARY_HERE.match(text, start, end)
        if first is not None:
            yield first
            start = first.end()
    yield from _BOUNDARY.finditer(text, start, end)


def _add_sentence(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    """Append ``text[start:end]`` without its trailing white space, unless it is empty."""
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def trim_words(text: str, limit: int) -> str:
    """Trim to at most ``limit`` characters on a word boundary."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit + 1)
    if cut <= 0:
        cut = limit
    return text[:cut].rstrip(" ,;:-–—")
