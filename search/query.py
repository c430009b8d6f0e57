"""What users type, parsed into a small safe AST and rendered per backend.

User input never reaches FTS5 or tsquery syntax raw: a query becomes a tuple of
:class:`Term` (a word or a phrase of words, the last one possibly a prefix), every word
made only of letters and digits, and each backend renders those words itself (FTS5: every
token double-quoted; PostgreSQL: every lexeme single-quoted inside ``to_tsquery``).

Accents are folded here, in Python, the same way for both backends (``fold``), so that
"Przystal" finds "Przystał" on SQLite too, whose tokenizer leaves ł, ø, ß and æ alone.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Longer input is cut before parsing; at most this many terms are searched.
MAX_INPUT_CHARS = 1000
MAX_TERMS = 12
MAX_WORDS_PER_PHRASE = 8
MAX_WORD_CHARS = 60
# The last word is matched as a prefix ("as you type") from this length on.
MIN_PREFIX_CHARS = 2

# Letters that Unicode does not decompose into a base letter and a mark; PostgreSQL's
# unaccent folds them the same way.
_SPECIAL_LETTERS = {
    "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D",
    "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "TH",
    "ı": "i", "ħ": "h", "Ħ": "H", "ŧ": "t", "Ŧ": "T", "ŀ": "l", "Ŀ": "L", "ĸ": "k",
    "ŋ": "n", "Ŋ": "N",
}  # fmt: skip


class _FoldTable(dict):
    """``str.translate`` table computed lazily per character, then cached."""

    def __missing__(self, code: int):
        char = chr(code)
        folded = _SPECIAL_LETTERS.get(char)
        if folded is None and char.isalnum():
            base = "".join(
                c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
            )
            # Only a letter-for-letters swap: word boundaries must not move (the SQLite
            # index is built from folded text, its highlights are cut from the original).
            folded = base if base and base.isalnum() else char
        self[code] = folded if folded is not None else char
        return self[code]


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """``text`` with accents removed letter by letter (case kept, word boundaries kept)."""
    if text.isascii():
        return text
    return text.translate(_FOLD)


def words_of(text: str) -> list[str]:
    """The search words in ``text``: folded, case-folded runs of letters and digits."""
    return _WORD.findall(fold(unicodedata.normalize("NFC", text)).casefold())


def name_key(text: str) -> str:
    """A name as the substring (trigram) match compares it: "rose ayling ellis"."""
    return " ".join(words_of(text))


_WORD = re.compile(r"[^\W_]+")

# PostgreSQL's English stop words (snowball list): PostgreSQL drops them from queries, so
# outside phrases they are dropped on SQLite too, for the same results on both.
STOP_WORDS = frozenset(
    """i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what which
    who whom this that these those am is are was were be been being have has had having do
    does did doing a an the and but if or because as until while of at by for with about
    against between into through during before after above below to from up down in out on
    off over under again further then once here there when where why how all any both each
    few more most other some such no nor not only own same so than too very s t can will
    just don should now""".split()  # noqa: SIM905 (a word list reads better as text)
)


@dataclass(frozen=True)
class Term:
    """One word (``len(words) == 1``) or a phrase; ``prefix`` applies to its last word."""

    words: tuple[str, ...]
    prefix: bool = False

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1


@dataclass(frozen=True)
class SearchQuery:
    """A parsed query: all terms must match (in any order)."""

    text: str
    terms: tuple[Term, ...]

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def all_words(self) -> list[str]:
        return [word for term in self.terms for word in term.words]

    def name_substring(self) -> str:
        """The query as a name fragment for substring matching ("" when too short)."""
        text = " ".join(self.all_words)
        return text if len(text) >= 3 else ""


def clean(raw: str | None) -> str:
    """Control characters (NUL included) out, white space collapsed, length bounded."""
    text = unicodedata.normalize("NFC", (raw or "")[:MAX_INPUT_CHARS])
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    return " ".join(text.split())


def parse(raw: str | None) -> SearchQuery:
    """Parse what a user typed. Never raises; an unusable query has no terms.

    - words in any order, all required: ``rose strictly``
    - phrases in double quotes: ``"won the glitterball"`` (an unclosed quote runs to
      the end of the query);
    - words joined by punctuation are a phrase: ``ayling-ellis``, ``o'brien``;
    - the last word is a prefix (``danc`` finds "dancer") unless the query ends with a
      closing quote;
    - FTS operators (``AND OR NOT NEAR * ^ : ( )``) are plain text: punctuation is
      dropped and the operator words are searched as words.
    """
    text = clean(raw)
    chunks: list[tuple[list[str], bool]] = []  # (words, quoted)
    segments = text.split('"')
    for index, segment in enumerate(segments):
        quoted = index % 2 == 1
        if quoted:
            chunks.append((words_of(segment), True))
        else:
            chunks.extend((words_of(piece), False) for piece in segment.split())
    ends_in_open_text = len(segments) % 2 == 0 or not text.endswith('"')

    terms: list[Term] = []
    last_chunk_kept = False
    for words, quoted in chunks:
        last_chunk_kept = False
        words = [w[:MAX_WORD_CHARS] for w in words][:MAX_WORDS_PER_PHRASE]
        if not words:
            continue
        if not quoted:
            # A chunk like "ayling-ellis" is a phrase; lone stop words are dropped.
            if len(words) == 1 and words[0] in STOP_WORDS:
                continue
        elif all(word in STOP_WORDS for word in words):
            continue
        terms.append(Term(tuple(words)))
        last_chunk_kept = True
    # The word being typed is the last chunk's (not a word before a dropped stop word).
    if terms and ends_in_open_text and last_chunk_kept:
        last = terms[-1]
        if len(last.words[-1]) >= MIN_PREFIX_CHARS:
            terms[-1] = Term(last.words, prefix=True)
    # Duplicates add nothing but cost.
    unique = list(dict.fromkeys(terms))[:MAX_TERMS]
    return SearchQuery(text=text, terms=tuple(unique))


# --- Rendering ---------------------------------------------------------------------------


def to_fts5(query: SearchQuery) -> str:
    """The FTS5 MATCH expression for the query's terms (every token double-quoted)."""
    parts = []
    for term in query.terms:
        phrase = '"' + " ".join(term.words) + '"'
        parts.append(phrase + ("*" if term.prefix else ""))
    return " ".join(parts)


def to_tsquery(query: SearchQuery) -> str:
    """The ``to_tsquery`` text for the query's terms (every lexeme single-quoted)."""
    parts = []
    for term in query.terms:
        lexemes = [f"'{word}'" for word in term.words]
        if term.prefix:
            lexemes[-1] += ":*"
        rendered = " <-> ".join(lexemes)
        parts.append(f"({rendered})" if term.is_phrase else rendered)
    return " & ".join(parts)


# --- Bounded snippet windows -------------------------------------------------------------

# A long text is scanned for the first likely match this many characters at a time.
_SCAN_CHARS = 65536
_SPACE = re.compile(r"\s+")
_LAST_SPACE = re.compile(r"\s+(?=\S*\Z)")


def _stem_prefix(word: str, prefix: bool) -> str:
    """What a word found by stemming most likely starts with ("dancing" -> "danc")."""
    return word if prefix else word[: max(3, len(word) - 3)]


def match_window(text: str, query: SearchQuery, size: int) -> tuple[str, bool, bool]:
    """At most ``size`` characters of ``text`` around its first word that likely matches
    ``query`` (its start when none does), cut at white space: ``(window, cut_before,
    cut_after)``.

    Snippet engines (FTS5's ``snippet()``, PostgreSQL's ``ts_headline``) score every match
    against the others, so their cost grows with the square of the text: a multi-megabyte
    article made one search take minutes (issue 12). They are given this window instead.
    Finding it is linear and stops at the first candidate; it is a guess (no stemmer
    here), which the engine then confirms and marks inside the window.
    """
    if len(text) <= size:
        return text, False, False
    prefixes = sorted(
        {_stem_prefix(w, t.prefix and w == t.words[-1]) for t in query.terms for w in t.words},
        key=len,
        reverse=True,
    )
    found = 0
    if prefixes:
        pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, prefixes)) + ")")
        overlap = MAX_WORD_CHARS
        for start in range(0, len(text), _SCAN_CHARS):
            chunk = text[start : start + _SCAN_CHARS + overlap]
            # Folding keeps positions but for a few letters (ß -> ss): close enough for a
            # window a few thousand characters wide.
            if match := pattern.search(fold(chunk).casefold()):
                found = start + match.start()
                break
    begin = max(0, min(found - size // 4, len(text) - size))
    end = begin + size
    if begin > 0 and (space := _SPACE.search(text, begin, begin + MAX_WORD_CHARS)):
        begin = space.end()  # start and end on white space, not inside a word
    if end < len(text) and (space := _LAST_SPACE.search(text, end - MAX_WORD_CHARS, end)):
        end = space.start()
    return text[begin:end], begin > 0, end < len(text)
