"""An event's summary: the clause of its sentence that holds the event verb (issue 15).

The sentence is read as tokens (words, punctuation, masked quotes) and cut into chunks at
commas, semicolons, colons and dashes (not in a date: "May 3, 2016"; a bracket stays in its
chunk). The summary is

- the chunk with the event verb (a main clause rather than a "who …" aside or an "After …"
  opening), from the verb's own subject: a reporting frame ("It was reported that …",
  "Police said that …") and a main clause before a subordinate one that holds the verb
  ("… when he shared …") are left out;
- with its subject from an earlier chunk when the verb's chunk starts with the verb
  ("Rose, who …, won …"), leaving out the asides and openings between; with the name a
  description speaks of ("Rose, an actress who won …"), what a "which …" clause speaks of,
  and what a report reports ("…, the agency reported on Monday");
- with the chunks after it while the summary is short (not an aside, an attribution
  such as ", according to …" or ", she said", nor quoted words);
- shortened, when it is long, at the end of a clause or a phrase after the verb (keeping
  the date when it lies in that clause), never mid-word and never on a small word that
  needs another ("… finale in", "… the", "… and").

A sentence that is a short single clause is its own summary. The summary ends with the
sentence's full stop when nothing it leaves out comes after it but attributions and quotes;
a summary that leaves out what follows has no full stop. Everything is one pass or a few
over the sentence's tokens: linear in its length.
"""

from __future__ import annotations

import re

from .lexicon import (
    ABBREVIATIONS,
    FUNCTION_WORDS,
    IRREGULAR_PAST,
    MAJOR_EVENT_VERBS,
    SPEECH_VERBS,
    word_set,
)
from .quotes import MASK

SUMMARY_MAX = 200  # hard limit
SUMMARY_TARGET = 100  # what a summary aims at
SUMMARY_ENOUGH = 60  # long enough: no clause after the verb's own is added

_QUOTE_MARKS = "\"“”‘’'"
_TOKEN = re.compile(
    rf"(?P<q>[{_QUOTE_MARKS}]*{re.escape(MASK)}+[,.!?…]*[{_QUOTE_MARKS}]*)"
    r"|(?P<w>\d+(?:[.,:]\d+)*(?:[A-Za-z]+)?|[^\W\d_](?:[\w'’&-]*\w)?)"
    r"|(?P<p>\S)"
)
_MASK_RUN = re.compile(f"{re.escape(MASK)}+")
_BREAKS = frozenset(",;:—–―")  # brackets stay in their chunk: "Rand Paul (Ky.) and …"

# General closed classes of English.
_SUBORDINATORS = word_set(
    """after before when whenever while whilst as because since although though if unless
    until till once whereas despite following amid amidst during ahead upon"""
)
_RELATIVES = word_set("who whom whose which where")
_PREPOSITIONS = word_set(
    """in on at for with from by of to into onto over under through across around about
    against among between behind beside beyond near without within along alongside
    toward towards via like per throughout outside inside according off up down past"""
)
_COORDINATORS = word_set("and but or nor yet")
_ARTICLES = word_set("the a an")
_DETERMINERS = _ARTICLES | word_set("this these those his her their its my our your")
# Openings of a sentence that set a scene rather than name who acts.
_OPENING_ADVERBS = word_set(
    """earlier later last meanwhile however then now today yesterday tonight previously
    recently finally eventually afterwards subsequently additionally instead still
    nevertheless elsewhere overall ultimately initially originally separately also born
    speaking writing asked talking"""
)
# Words between a subject and its verb that are no subject themselves.
_NOT_SUBJECT = (
    word_set(
        """has have had was were is are be been being will would can could should may might
        must do does did not never also then later just already since reportedly allegedly
        officially finally eventually recently previously subsequently still both all
        first once again even only now soon"""
    )
    | _COORDINATORS
)
# Words after which a report follows: "It was reported that …", "Police said that …".
_FRAMES = SPEECH_VERBS | word_set(
    """reported reports understood believed thought known emerged likely expected clear
    appears appeared seems seemed learned learnt"""
)
_PRONOUNS = word_set("he she they it we i you")
_CONDITIONALS = word_set("if unless")
# Subordinators that start a clause; and those that are prepositions too ("after the vote").
_CLAUSE_SUBORDINATORS = word_set(
    "when whenever while whilst because although though whereas if unless whether"
)
_LOOSE_SUBORDINATORS = word_set("as after before since until till once")
# Words a summary does not start with: "But …", "And …".
_LEAD_WORDS = _COORDINATORS | word_set("so however meanwhile")
# A summary never ends on one of these: each needs a word after it.
_DANGLING = (
    FUNCTION_WORDS
    | _PREPOSITIONS
    | _SUBORDINATORS
    | _RELATIVES
    | _COORDINATORS
    | _DETERMINERS
    | _NOT_SUBJECT
    | word_set("that whether")
)
# Words that no sentence ends on.
_NEVER_LAST = _DETERMINERS | _COORDINATORS | _RELATIVES | _CLAUSE_SUBORDINATORS | {"that"}
# Words after which a verb's form is a noun.
_NOUN_MARKS = (_DETERMINERS | _PREPOSITIONS) - {"to"}
_TERMINAL = frozenset(".!?")
_CLOSING = frozenset("\"”’')]")


class _Sentence:
    """The tokens of a sentence and its chunks (runs of tokens between breaks)."""

    def __init__(self, masked: str, ss: int, se: int, dates: list[tuple[int, int]]) -> None:
        self.text = masked
        self.kind: list[str] = []
        self.start: list[int] = []
        self.end: list[int] = []
        self.low: list[str] = []
        self.chunk: list[int] = []  # each token's chunk
        self.chunks: list[tuple[int, int]] = []  # [first, last] word-or-quote tokens
        self._cum = [0]  # the summary text's length up to each token (a quote: "…")
        self._space: list[int] = []
        dates = sorted(dates)
        d = 0
        first = -1
        for m in _TOKEN.finditer(masked, ss, se):
            kind = m.lastgroup or "p"
            tok = m.group()
            while d < len(dates) and dates[d][1] <= m.start():
                d += 1
            in_date = d < len(dates) and dates[d][0] < m.start()
            if kind == "p" and not in_date and (tok in _BREAKS or (tok == "-" and self._spaced(m))):
                kind = "b"  # a comma in a date ("May 3, 2016") is none
            space = int(m.start() > 0 and masked[m.start() - 1].isspace())
            self._space.append(space)
            self._cum.append(self._cum[-1] + space + (1 if kind == "q" else len(tok)))
            i = len(self.kind)
            self.kind.append(kind)
            self.start.append(m.start())
            self.end.append(m.end())
            self.low.append(tok.lower() if kind == "w" else "")
            if kind == "b":
                if first >= 0:
                    self._close(first, i)
                first = -1
                self.chunk.append(-1)
                continue
            if kind != "p" and first < 0:
                first = i
            self.chunk.append(len(self.chunks) if first >= 0 else -1)
        if first >= 0:
            self._close(first, len(self.kind))
        self._words: list[list[int]] = [[] for _ in self.chunks]
        for i, k in enumerate(self.kind):
            if k == "w" and self.chunk[i] >= 0:
                self._words[self.chunk[i]].append(i)
        # The sentence's last word, when only closing marks follow it (its natural end).
        last = len(self.kind) - 1
        while last >= 0 and self.kind[last] == "p" and masked[self.start[last]] in ".!?\"”’')]":
            last -= 1
        self.last_word = last if last >= 0 and self.kind[last] == "w" else -1
        self._asides: dict[int, bool] = {}
        self._openings: dict[int, bool] = {}

    def _spaced(self, m: re.Match) -> bool:
        s, e = m.start(), m.end()
        text = self.text
        return s > 0 and text[s - 1].isspace() and e < len(text) and text[e].isspace()

    def _close(self, first: int, stop: int) -> None:
        last = stop - 1
        while last > first and self.kind[last] not in ("w", "q"):
            last -= 1
        self.chunks.append((first, last))

    # --- Chunks --------------------------------------------------------------------------

    def words(self, c: int) -> list[int]:
        return self._words[c]

    def opened_by_bracket(self, c: int) -> bool:
        a = self.chunks[c][0]
        return a > 0 and self.text[self.start[a - 1]] in "(["

    def aside(self, c: int) -> bool:
        """A "who …" clause, a bracket, an age ("Rose, 31, won"), or quoted words."""
        if c not in self._asides:
            self._asides[c] = self._aside(c)
        return self._asides[c]

    def _aside(self, c: int) -> bool:
        a, _b = self.chunks[c]
        words = self.words(c)
        if self.kind[a] == "q" or not words or self.opened_by_bracket(c):
            return True
        return self.low[words[0]] in _RELATIVES or all(self.low[i][:1].isdigit() for i in words)

    def opening(self, c: int) -> bool:
        """A scene-setting clause or phrase: "After months of talks", "In 2021",
        "Appearing on stage", "Last year"."""
        if c not in self._openings:
            self._openings[c] = self._opening(c)
        return self._openings[c]

    def _opening(self, c: int) -> bool:
        words = self.words(c)
        if not words:
            return False
        w = self.low[words[0]]
        if w in _SUBORDINATORS or w in _PREPOSITIONS or w in _OPENING_ADVERBS:
            return True
        # A participle opening ("Appearing on stage, …"); a name is capitalised mid-sentence.
        lower = self.text[self.start[words[0]]].islower()
        participle = w.endswith("ing") and len(w) > 5 and not w.endswith("thing")
        return participle and (c == 0 or lower)

    def attribution(self, c: int) -> bool:
        """ ", according to police", ", she said", ", a spokesman told reporters"."""
        words = self.words(c)
        if not words:
            return False
        if self.low[words[0]] == "according":
            return True
        # The saying verb near the end: ", police said on Monday"; not ", said he agrees …".
        return len(words) <= 8 and any(self.low[i] in _FRAMES for i in words[-5:])

    def quoted(self, c: int) -> bool:
        a, b = self.chunks[c]
        return any(self.kind[i] == "q" for i in range(a, b + 1))

    # --- Text ----------------------------------------------------------------------------

    def span_text(self, a: int, b: int) -> str:
        return " ".join(_MASK_RUN.sub("…", self.text[self.start[a] : self.end[b]]).split())

    def width(self, a: int, b: int) -> int:
        """The length of tokens a..b as summary text."""
        return self._cum[b + 1] - self._cum[a] - self._space[a]


def _verb_token(
    s: _Sentence, verbs: set[str], date_spans: list[tuple[int, int]], dated_first: bool = False
) -> int | None:
    """The token of the event verb: a main clause's, not a speech verb's, a finite form's,
    best in the chunk with the date, else the first. With ``dated_first`` (a verb that
    makes a happening only with its date) the chunk with the date comes first."""
    best = None
    best_key = None
    for i, w in enumerate(s.low):
        if not w or w not in verbs or s.chunk[i] < 0:
            continue
        # Lower case: a capitalised "Rose" or "Will" is more likely a name; after "the",
        # "their" or "on" a noun ("their win", "on stage"), the last choice.
        if not s.text[s.start[i]].islower():
            continue
        noun = i > 0 and s.low[i - 1] in _NOUN_MARKS
        c = s.chunk[i]
        main = not s.aside(c) and not s.opening(c)
        prev = i - 1
        weak = w.endswith("ing") or (prev >= 0 and s.low[prev] == "to")
        a, b = s.chunks[c]
        dated = any(s.start[a] <= d < s.end[b] for d, _e in date_spans)
        past = w.endswith("ed") or w in IRREGULAR_PAST or w in MAJOR_EVENT_VERBS
        key = (main and not weak, w not in SPEECH_VERBS, past, dated, main, not weak)
        if dated_first:
            key = (dated, *key)
        key = (not noun, *key)
        if best_key is None or key > best_key:
            best, best_key = i, key
    return best


def _subject_like(s: _Sentence, i: int) -> bool:
    """A token that can be (part of) a subject: no auxiliary, adverb, conjunction,
    preposition, nor a participle that opens a chunk ("Appearing on stage")."""
    w = s.low[i]
    if s.kind[i] == "q":
        return True
    if not w or w in _NOT_SUBJECT or w in _SUBORDINATORS or w in _PREPOSITIONS:
        return False
    return not w.endswith("ly") and not (w.endswith("ing") and s.words(s.chunk[i])[0] == i)


def _has_subject(s: _Sentence, a: int, v: int) -> bool:
    """Whether tokens a..v-1 hold a subject."""
    return any(_subject_like(s, i) for i in range(a, v))


def _clause_start(s: _Sentence, a: int, v: int) -> int:
    """Where the verb's clause starts in its chunk (a..v): after a reporting frame ("It was
    reported that X …", "Police said that two men …"; not "she said that she …", where the
    speaker is who acts), or, when the clause before is long, after a subordinator whose
    clause holds the verb and its own subject ("… when he shared …"; not "if …")."""
    subjects = [i for i in range(a, v) if _subject_like(s, i)]
    last_subject = subjects[-1] if subjects else -1
    first_subject = subjects[0] if subjects else v
    start = a
    framed = False
    for i in range(a, v):
        w = s.low[i]
        if not w or last_subject <= i:
            continue
        if w in _FRAMES:
            framed = True
        elif w == "that" and framed:
            if s.low[i + 1] not in _PRONOUNS and s.kind[i + 1] == "w":
                start = i + 1
        elif (
            w in _SUBORDINATORS
            and w not in _CONDITIONALS
            and (i < first_subject or s.width(a, v) > 60)
        ):
            start = i + 1
    return start


def _subject(s: _Sentence, c: int) -> list[int] | None:
    """The tokens before chunk ``c`` that name who acts when ``c`` starts with its verb:
    the nearest chunk that is no aside or opening, with the chunk before when it starts with
    "and" ("Paris, and a presidential election, …"), or the name before an apposition
    ("Rose, the actress, …"); else the nearest opening."""
    k = _subject_chunk(s, c)
    if k is None:
        return None
    first = k
    if k > 0 and not s.aside(k - 1):
        words = s.words(k)
        if s.low[words[0]] in _COORDINATORS or _place_tail(s, k):
            first = k - 1  # "Paris, and an election, …"; "a rally in Concord, N.C., …"
    a, b = s.chunks[first][0], s.chunks[k][1]
    if s.width(a, b) > 80:
        a = s.chunks[k][0]
    # A long subject ends before its own "who …" or "that …".
    end = next((i for i in range(a + 1, b + 1) if s.low[i] in _RELATIVES or s.low[i] == "that"), b)
    if end < b:
        b = end - 1
    return [a, b] if s.width(a, b) <= 80 else None


def _apposition(s: _Sentence, k: int) -> bool:
    """Whether chunk k describes the name in the chunk before ("Rose, the actress, …"):
    it starts with an article and the chunk before is a short name."""
    words = s.words(k)
    prev = s.words(k - 1) if k > 0 else []
    return (
        bool(words)
        and s.low[words[0]] in _ARTICLES
        and 0 < len(prev) <= 5
        and not s.aside(k - 1)
        and not s.opening(k - 1)
        and any(s.text[s.start[i]].isupper() for i in prev)
    )


def _place_tail(s: _Sentence, k: int) -> bool:
    """Whether chunk k is the tail of a place ("Concord, N.C.", "Paris, France"): up to
    three capitalised words after a chunk that ends with a capitalised word."""
    words = s.words(k)
    prev = s.words(k - 1)
    return (
        0 < len(words) <= 3
        and bool(prev)
        and all(s.text[s.start[i]].isupper() for i in words)
        and s.text[s.start[prev[-1]]].isupper()
    )


def _subject_chunk(s: _Sentence, c: int) -> int | None:
    fallback = None
    for k in range(c - 1, -1, -1):
        if s.aside(k):
            continue
        if s.opening(k):
            if fallback is None:
                fallback = k
            continue
        return k - 1 if _apposition(s, k) else k
    return fallback


def summarise(
    masked: str,
    ss: int,
    se: int,
    verbs: set[str],
    date_spans: list[tuple[int, int]],
    other_verbs: set[str] | frozenset[str] = frozenset(),
) -> str:
    """The event's summary from its sentence ``masked[ss:se]`` (see the module's notes).

    ``verbs`` are the lower-case event verbs the sentence holds, ``other_verbs`` the verbs
    to centre on when none of those is found (its past tenses); ``date_spans`` the offsets
    of its dates."""
    s = _Sentence(masked, ss, se, date_spans)
    if not s.chunks:
        return " ".join(masked[ss:se].split())[:SUMMARY_MAX]
    v = _verb_token(s, verbs, date_spans)
    if v is None and other_verbs:
        v = _verb_token(s, set(other_verbs), date_spans, dated_first=True)
    pieces: list[list[int]] = []  # [first, last] token ranges, in order
    forward = False
    if v is None:  # no verb to centre on: the chunk with the date, else the first
        c = next(
            (
                k
                for k, (a, b) in enumerate(s.chunks)
                if any(s.start[a] <= d < s.end[b] for d, _e in date_spans)
            ),
            0,
        )
        v = core_start = s.chunks[c][0]
        subjectless = s.opening(c) or _verb_first(s, c, set(other_verbs))
    else:
        c = s.chunk[v]
        core_start = _clause_start(s, s.chunks[c][0], v)
        subjectless = core_start == s.chunks[c][0] and not _has_subject(s, core_start, v)
        subjectless = subjectless or (core_start == s.chunks[c][0] and _verb_first(s, c, verbs))
    joined: set[int] = set()  # pieces that read on into the next, with their comma
    if core_start == s.chunks[c][0] and s.low[core_start] in _RELATIVES and c > 0:
        # A "which …" clause reads with what it speaks of: "X is on show, which …".
        k = c - 1
        if not s.aside(k) and s.width(*s.chunks[k]) <= 80:
            pieces.append(list(s.chunks[k]))
            joined.add(0)
    elif subjectless and s.opening(c) and c + 1 < len(s.chunks) and not s.aside(c + 1):
        # The verb in an opening ("After winning …, Giovanni said …"): who acts comes next.
        forward = True
    elif subjectless:
        subject = _subject(s, c)
        if subject is not None:
            pieces.append(subject)
            lead = s.low[s.words(c)[0]] if s.words(c) else ""
            if s.chunk[subject[1]] == c - 1 and (lead.endswith("ing") or lead in _COORDINATORS):
                joined.add(0)  # "X earned 175 delegates, having also won Florida"
    elif core_start == s.chunks[c][0] and c > 0 and _apposition(s, c):
        # "Robert Smith, a contractor who disappeared in 2007, …": the name it describes.
        pieces.append(list(s.chunks[c - 1]))
        joined.add(0)
    elif (
        c > 0
        and s.attribution(c)
        and s.low[v] in _FRAMES
        and not s.aside(c - 1)
        and not s.opening(c - 1)
        and s.width(*s.chunks[c - 1]) <= 80
    ):
        # The verb is the report's ("…, the agency reported on Monday"): what it reported.
        pieces.append(list(s.chunks[c - 1]))
        joined.add(0)
    pieces.append([core_start, s.chunks[c][1]])
    keep = v  # the summary runs at least to this token
    last_chunk = c
    if forward:
        last_chunk = c + 1
        pieces[-1][1] = s.chunks[c + 1][1]
        keep = _first_verb(s, c + 1, verbs | set(other_verbs))

    def length() -> int:
        return sum(s.width(a, b) for a, b in pieces) + len(pieces) - 1

    # The chunks after the verb's, while the summary is short.
    for k in range(last_chunk + 1, len(s.chunks)):
        if s.attribution(k) or (s.quoted(k) and s.aside(k)):
            break
        if s.aside(k):
            continue
        if length() >= SUMMARY_ENOUGH:
            break
        a, b = s.chunks[k]
        if k == last_chunk + 1:
            grown = length() + s.width(pieces[-1][0], b) - s.width(*pieces[-1])
        else:
            grown = length() + 1 + s.width(a, b)
        if grown > SUMMARY_TARGET - 1:  # room for a full stop
            break
        if k == last_chunk + 1:
            pieces[-1][1] = b
        else:
            pieces.append([a, b])
        last_chunk = k

    # Long enough: the verb's clause ends before another clause of its chunk.
    if length() > SUMMARY_ENOUGH:
        _end_clause(s, pieces, keep, date_spans, length)
    # Too long: end at a clause's or a phrase's end after the verb (and the date).
    if length() > SUMMARY_TARGET:
        _shorten(s, pieces, keep, date_spans, length)
    while length() > SUMMARY_MAX and pieces[-1][1] > pieces[-1][0]:
        pieces[-1][1] -= 1  # whole words within the limit, at worst
    # Never a small word that needs another at the end, nor an opening quote; not a clause
    # whose quoted words are left out ("… in a shirt that read “…”").
    while True:
        a, b = pieces[-1]
        lo = max(a, v)
        b = _trim_end(s, lo, b)
        after = b + 1
        while after < len(s.kind) and s.kind[after] == "p":
            after += 1
        if after < len(s.kind) and s.kind[after] == "q" and s.chunk[after] == s.chunk[b]:
            starts = [i for i in range(lo + 1, b + 1) if s.kind[i] == "w" and _starts_clause(s, i)]
            if starts:
                b = _trim_end(s, lo, starts[-1] - 1)
        pieces[-1][1] = b
        if len(pieces) > 1 and a > v and _dangles(s, b):
            pieces.pop()  # a piece after an aside with nothing but small words: left out
            continue
        break

    # Not "But …" nor "And …" at the start.
    a, b = pieces[0]
    while a < b and (s.low[a] in _LEAD_WORDS or s.kind[a] in ("p", "b", "q")):
        a += 1
    pieces[0][0] = a

    # Pieces are joined without their commas but for a "which …" clause or a report.
    parts: list[str] = []
    for n, (a, b) in enumerate(pieces):
        if n in joined and n + 1 < len(pieces):
            pieces[n + 1][0] = a
            continue
        if b + 1 < len(s.kind) and s.end[b] == s.start[b + 1] and s.text[s.start[b + 1]] == ".":
            w = s.low[b]
            if "." in w or len(w) == 1 or w in ABBREVIATIONS:
                b += 1  # "N.C.", "Mr.": the abbreviation's own full stop
        parts.append(s.span_text(a, b).rstrip(" ,;:—–-"))
    summary = " ".join(parts)
    # The full stop: when what follows the summary is only attributions and quotes.
    b = pieces[-1][1]
    k = s.chunk[b]
    rest = range(b + 1, s.chunks[k][1] + 1)
    rest_is_content = any(s.kind[i] in ("w", "q") for i in rest) or any(
        not (s.attribution(j) or s.aside(j)) for j in range(k + 1, len(s.chunks))
    )
    if not rest_is_content and s.kind[b] == "w":
        last = len(s.kind) - 1
        while last > b and s.kind[last] == "p" and s.text[s.start[last]] in _CLOSING:
            last -= 1
        mark = s.text[s.start[last] : s.end[last]][-1:]
        if (s.kind[last] == "q" or mark in _TERMINAL) and not summary.endswith("."):
            summary += mark if mark in _TERMINAL else "."
    if len(summary) > SUMMARY_MAX:
        cut = summary.rfind(" ", 0, SUMMARY_MAX + 1)
        summary = summary[: cut if cut > 0 else SUMMARY_MAX].rstrip(" ,;:—–-")
    return summary[:1].upper() + summary[1:]


def _trim_end(s: _Sentence, lo: int, b: int) -> int:
    """The last token from b back to lo that a summary may end on: a word that needs no
    other after it."""
    while b > lo and _dangles(s, b):
        b -= 1
    return b


def _dangles(s: _Sentence, i: int) -> bool:
    """Whether a summary cannot end on token i: no word, or one that needs another after
    it ("in", "the", "and", "their", "the council's"). The sentence's own last word may
    be a particle or an adverb ("… moved in.", "… won again."), not an article or "and"."""
    w = s.low[i]
    if s.kind[i] != "w" or w.endswith(("'s", "’s")):
        return True
    if i == s.last_word and w not in _NEVER_LAST:
        return False
    return w in _DANGLING


def _verb_like(s: _Sentence, i: int, verbs: set[str] | frozenset[str]) -> bool:
    w = s.low[i]
    return s.text[s.start[i]].islower() and (
        w in verbs or w in IRREGULAR_PAST or w in _FRAMES or w.endswith(("ed", "ing"))
    )


def _verb_first(s: _Sentence, c: int, verbs: set[str] | frozenset[str]) -> bool:
    """Whether chunk c starts with its verb (after auxiliaries: "is criticizing", "said
    Tuesday that …") or with a preposition (a phrase: "In an interview published …")."""
    for i in s.words(c):
        w = s.low[i]
        if w in _PREPOSITIONS:
            return i == s.words(c)[0]
        if w in _NOT_SUBJECT or w.endswith("ly"):
            continue
        return _verb_like(s, i, verbs)
    return False


def _end_clause(s: _Sentence, pieces: list[list[int]], keep: int, date_spans, length) -> None:
    """End the last piece before the first subordinate or new clause after the verb (and
    its date) when what is left is a clause ("… died in February and the vacancy has …";
    not "… met Obama and Clinton"), if the summary keeps 30 characters."""
    a, b = pieces[-1]
    head = length() - s.width(a, b)
    lo = _past_date(s, max(keep, a), b, date_spans)
    for i in range(lo + 1, b + 1):
        if not _starts_clause(s, i):
            continue
        end = i - 1
        while end > lo and (s.kind[end] != "w" or s.low[end] in _DANGLING):
            end -= 1
        after = sum(1 for j in range(i + 1, b + 1) if s.kind[j] == "w")
        if head + s.width(a, end) >= 30 and after >= 3:
            pieces[-1][1] = end
        return


def _past_date(s: _Sentence, lo: int, b: int, date_spans) -> int:
    """The token where the verb's clause must not end before: the verb's, or the end of a
    date in the verb's own clause (before any word that starts another)."""
    clause_end = next((i for i in range(lo + 1, b + 1) if _starts_clause(s, i)), b + 1)
    for ds, de in date_spans:
        if s.start[lo] <= ds and ds < s.end[clause_end - 1]:
            while lo < b and s.end[lo] < de:
                lo += 1
    return lo


def _first_verb(s: _Sentence, c: int, verbs: set[str]) -> int:
    """The first word of chunk c that looks like its verb (among its first six), else its
    third word: what a summary keeps of a clause to name who acts and what they did."""
    words = s.words(c)
    for i in words[:6]:
        w = s.low[i]
        if s.text[s.start[i]].islower() and (
            w in verbs or w in IRREGULAR_PAST or w in SPEECH_VERBS or w.endswith("ed")
        ):
            return i
    return words[min(2, len(words) - 1)]


def _starts_clause(s: _Sentence, i: int) -> bool:
    """Whether token i starts another clause: quoted words, "which", "when", "as he …",
    "after being …", "and the …", "and then …", "but she …", "and watched …", "the song
    that …"; not "as his secretary", "met Obama and Clinton", nor "said that …" (what was
    said is part of the saying's clause)."""
    w = s.low[i]
    if s.kind[i] == "q":
        return True
    nxt = s.low[i + 1] if i + 1 < len(s.low) else ""
    if w == "that":
        return i == 0 or not _verb_like(s, i - 1, frozenset())
    if w in _RELATIVES or w in _CLAUSE_SUBORDINATORS:
        return True
    if w in _LOOSE_SUBORDINATORS:
        return nxt in _PRONOUNS or nxt.endswith("ing")
    if w in ("and", "but") and nxt:
        clause = nxt in _DETERMINERS or nxt in _PRONOUNS or nxt == "then"
        return clause or _verb_like(s, i + 1, frozenset())
    return False


def _shorten(s: _Sentence, pieces: list[list[int]], v: int, date_spans, length) -> None:
    """End the last piece at the best place after the verb: within the target, at a
    clause's end (before "and", "after", "which", a participle) rather than a phrase's
    (before a preposition, after the date), rather than after any word; the longest such.
    When the verb or its date ends past the target, the first such place after them."""
    a, b = pieces[-1]
    head = length() - s.width(a, b)  # what the pieces before the last take
    lo = _past_date(s, max(v, a), b, date_spans)
    best = None
    best_key = None
    fallback = None
    for i in range(lo + 1, b + 1):
        if s.kind[i] not in ("w", "q"):
            continue
        end = i - 1  # the summary would end at the token before i
        while end > lo and s.kind[end] != "w":
            end -= 1
        if s.kind[end] != "w" or s.low[end] in _DANGLING:
            continue
        w = s.low[i]
        if _starts_clause(s, i) or any(de == s.end[end] for _ds, de in date_spans):
            rank = 2  # before another clause, or right after the date
        elif w in _PREPOSITIONS or w in _SUBORDINATORS or w in _COORDINATORS:
            rank = 1
        else:
            rank = 0
        size = head + s.width(a, end)
        if size <= SUMMARY_TARGET:
            key = (size >= 40, rank, size)
            if best_key is None or key > best_key:
                best, best_key = end, key
        elif fallback is None and rank >= 1 and size <= SUMMARY_MAX:
            fallback = end
    if best is None:
        best = fallback
    if best is not None:
        pieces[-1][1] = best
