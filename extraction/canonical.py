"""Recognising one quote across stories (issue 15): normalised words, a fingerprint of them,
shingle keys for a bounded candidate lookup, and the test that says two quotes are the same.

Pure Python, no Django: ``articles.canonical`` stores what these return and groups quotes.

How quotes are compared, cheapest first:

* **exact**: the same words once normalised (case, punctuation, quote marks, whitespace and
  bracketed placeholders such as ``[two love heart emojis]`` ignored). The fingerprint of
  these words is stored on the quote, indexed: one index probe per quote.
* **contained**: the words of one quote are a run of the other's (an agency quoted the
  whole sentence, a later story half of it).
* **near**: a small word-level edit distance (a typo, a changed word): at most one edit per
  ten words, and never more than three.

Containment and near-duplicates are found without comparing all pairs: each quote stores a
few keys, the hashes of some of its 3-word shingles chosen by *winnowing* (the minimum hash
of every window of ``WINDOW`` consecutive shingles; Schleimer, Wilkerson & Aiken, SIGMOD
2003), plus those of its first and last shingle and of its fingerprint. Winnowing guarantees
that two quotes sharing a run of at least ``GUARANTEED_RUN`` words share a key, whatever
surrounds the run; about 2/(WINDOW + 1) of the shingles are kept. The candidates of a quote
are the quotes that share a key with it (an indexed lookup), of which only the few sharing
the most keys are compared word by word.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Sequence

SHINGLE = 3  # words per shingle
WINDOW = 4  # shingles per winnowing window
GUARANTEED_RUN = SHINGLE + WINDOW - 1  # a shared run this long always shares a key
# Shorter quotes ("Thank you", "It was great") are said by everyone: they are never grouped.
MIN_WORDS = GUARANTEED_RUN
# Near-duplicate comparison is quadratic in words: longer quotes are matched exactly or by
# containment only.
MAX_NEAR_WORDS = 400

_PLACEHOLDER = re.compile(r"\[[^\]]*\]")
# A word: letters and digits, with apostrophes inside it dropped ("don't" = "dont").
_WORD = re.compile(r"[^\W_]+(?:['’ʼ][^\W_]+)*")
_APOSTROPHE = re.compile(r"['’ʼ]")
_KEY_MASK = (1 << 63) - 1  # keys fit a signed 64-bit column (PostgreSQL ``bigint``)


# Remembered for the latest quotes: an import asks for a new quote's words (and keys) when
# it groups the quote, writes it and indexes it, and for an archived quote's each time a new
# one may repeat it. Both are pure functions of their (immutable) argument.
@functools.lru_cache(maxsize=8192)
def words(text: str) -> tuple[str, ...]:
    """The quote's words, normalised: Unicode compatibility forms, case folded, placeholders
    in brackets removed, punctuation and quote marks dropped."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _PLACEHOLDER.sub(" ", text).casefold()
    return tuple(_APOSTROPHE.sub("", word) for word in _WORD.findall(text))


def fingerprint(text_words: Sequence[str]) -> str:
    """A 32-character hex digest of the normalised words ('' for none)."""
    if not text_words:
        return ""
    return hashlib.blake2b(" ".join(text_words).encode(), digest_size=16).hexdigest()


def _hash(value: str) -> int:
    return int.from_bytes(hashlib.blake2b(value.encode(), digest_size=8).digest(), "big") & (
        _KEY_MASK
    )


def shingle_keys(text_words: Sequence[str]) -> frozenset[int]:
    """The keys a quote is looked up by (see the module's docstring); none for a quote too
    short to be grouped."""
    return _shingle_keys(tuple(text_words))


@functools.lru_cache(maxsize=8192)
def _shingle_keys(text_words: tuple[str, ...]) -> frozenset[int]:
    if len(text_words) < MIN_WORDS:
        return frozenset()
    hashes = [
        _hash(" ".join(text_words[i : i + SHINGLE])) for i in range(len(text_words) - SHINGLE + 1)
    ]
    keys = {hashes[0], hashes[-1], _hash("#" + fingerprint(text_words))}
    for i in range(len(hashes) - WINDOW + 1):
        keys.add(min(hashes[i : i + WINDOW]))
    return frozenset(keys)


def max_edits(length: int) -> int:
    """How many word edits still make a near-duplicate of a quote of ``length`` words."""
    return min(3, max(1, length // 10))


def relation(a: Sequence[str], b: Sequence[str]) -> str | None:
    """How the quotes ``a`` and ``b`` (normalised words) are the same quote: ``"exact"``,
    ``"contained"`` (one is a run of the other's words), ``"near"`` (a small edit distance),
    or None. Quotes shorter than ``MIN_WORDS`` are only ever themselves."""
    if len(a) < MIN_WORDS or len(b) < MIN_WORDS:
        return None
    if tuple(a) == tuple(b):
        return "exact"
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if f" {' '.join(short)} " in f" {' '.join(long)} ":
        return "contained"
    limit = max_edits(len(long))
    if len(long) - len(short) > limit or len(long) > MAX_NEAR_WORDS:
        return None
    if edit_distance(short, long, limit) <= limit:
        return "near"
    return None


def edit_distance(a: Sequence[str], b: Sequence[str], limit: int) -> int:
    """Word-level Levenshtein distance of ``a`` and ``b``, or ``limit + 1`` once it is sure
    to exceed ``limit`` (only a band of ``2 * limit + 1`` diagonals is computed)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    too_far = limit + 1
    previous = {j: j for j in range(min(len(b), limit) + 1)}
    for i in range(1, len(a) + 1):
        current = {}
        if i <= limit:
            current[0] = i
        for j in range(max(1, i - limit), min(len(b), i + limit) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(
                previous.get(j - 1, too_far) + cost,
                previous.get(j, too_far) + 1,
                current.get(j - 1, too_far) + 1,
            )
        if min(current.values(), default=too_far) > limit:
            return too_far
        previous = current
    return min(previous.get(len(b), too_far), too_far)
