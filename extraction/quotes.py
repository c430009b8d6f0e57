"""Find quoted passages: pair quote marks, tell apostrophes from quotes, and decide
which quoted strings are direct quotes (versus titles, nicknames, inscriptions and
scare quotes) and which are partial quotes inside the reporter's sentence."""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field

from .lexicon import FUNCTION_WORDS, SPEECH_VERBS, TITLE_CUES

_DOUBLE = re.compile(r"[\"“”„«»]")
_SINGLE = re.compile(r"['‘’]")
_OPEN_BEFORE = "([{—–-/"
_CLOSE_AFTER = ".,;:!?)]}…—–-'’\"”"
_WORD_AFTER = re.compile(r"^[^\w]*([\w'’-]+)")
_SMALL_WORDS = frozenset(
    ["a", "an", "and", "the", "of", "in", "on", "at", "to", "for", "with", "by", "or", "is", "from"]
)
_SCARE_CUES = frozenset(["so-called", "supposed", "alleged", "self-styled", "self-proclaimed"])
MASK = "~"
# Right before a quoted term rather than a quote: the villa's "love triangle", the "queen".
_TERM_DETERMINERS = frozenset(
    ["the", "a", "an", "this", "these", "those", "their", "his", "its", "our", "your", "my"]
)


@dataclass(slots=True)
class RawQuote:
    segments: list[tuple[int, int]]  # content spans, without marks
    open_pos: int  # offset of the opening mark
    close_pos: int  # offset just after the closing mark (or paragraph end when unclosed)
    first_para: int
    last_para: int
    closed: bool = True
    single: bool = False
    kind: str = "quote"  # quote | title | nickname | inscription | scare
    partial: bool = False
    text: str = ""
    reopened: list[int] = field(default_factory=list)
    # A turn of an interview transcript, quoted without marks: "A" (the interviewee), "Q"
    # or a name prefix ("KEANE"); ``turn_speaker`` is the name to look up, if known.
    turn: str = ""
    turn_speaker: str = ""

    @property
    def start(self) -> int:
        return self.segments[0][0]

    @property
    def end(self) -> int:
        return self.segments[-1][1]


def _strip(body: str, s: int, e: int) -> tuple[int, int]:
    while s < e and body[s].isspace():
        s += 1
    while e > s and body[e - 1].isspace():
        e -= 1
    return s, e


def _roles(body: str, i: int, ps: int, pe: int) -> tuple[bool, bool]:
    prev = body[i - 1] if i > ps else None
    nxt = body[i + 1] if i + 1 < pe else None
    opener = (prev is None or prev.isspace() or prev in _OPEN_BEFORE) and (
        nxt is not None and not nxt.isspace()
    )
    closer = (prev is not None and not prev.isspace()) and (
        nxt is None or nxt.isspace() or nxt in _CLOSE_AFTER
    )
    return opener, closer


def _scan_double(body: str, paras: list[tuple[int, int]]) -> list[RawQuote]:
    found: list[RawQuote] = []
    cur: RawQuote | None = None
    seg_start = 0

    def finish(end: int, closed: bool, close_pos: int) -> None:
        nonlocal cur
        assert cur is not None
        cur.segments.append(_strip(body, seg_start, end))
        cur.segments = [seg for seg in cur.segments if seg[1] > seg[0]]
        cur.closed = closed
        cur.close_pos = close_pos
        if cur.segments:
            found.append(cur)
        cur = None

    for pi, (ps, pe) in enumerate(paras):
        skip_to = ps
        if cur is not None:
            j = ps
            while j < pe and body[j].isspace():
                j += 1
            if j < pe and body[j] in '"“„«”':
                cur.segments.append(_strip(body, seg_start, paras[pi - 1][1]))
                cur.reopened.append(j)
                cur.last_para = pi
                seg_start = j + 1
                skip_to = j + 1
            else:
                prev_end = paras[pi - 1][1]
                finish(prev_end, False, prev_end)
        for m in _DOUBLE.finditer(body, skip_to, pe):
            i = m.start()
            ch = body[i]
            opener, closer = _roles(body, i, ps, pe)
            if cur is None:
                if closer and not opener and ch in '"”»':
                    continue  # a stray closing mark (or inches: 6'2")
                cur = RawQuote([], i, -1, pi, pi)
                seg_start = i + 1
            elif (ch in "“„«" and not closer) or (ch == '"' and opener and not closer):
                # Reopened without being closed: the text lost a paragraph break.
                cur.segments.append(_strip(body, seg_start, i))
                cur.reopened.append(i)
                seg_start = i + 1
            else:
                finish(i, True, i + 1)
        if cur is not None and pi == len(paras) - 1:
            finish(pe, False, pe)
    return found


def _scan_single(body: str, ps: int, pe: int, taken: _Spans, pi: int) -> list[RawQuote]:
    """Top-level single-quoted spans in one paragraph (outside double quotes)."""
    marks = []
    for m in _SINGLE.finditer(body, ps, pe):
        i = m.start()
        if taken.covers(i):
            continue
        prev = body[i - 1] if i > ps else ""
        nxt = body[i + 1] if i + 1 < pe else ""
        if prev.isalnum() and nxt.isalnum():
            continue  # apostrophe inside a word: it's, O'Brien
        opener, closer = _roles(body, i, ps, pe)
        marks.append((i, opener and body[i] != "’", closer and body[i] != "‘", prev))
    # For each mark, the first closing mark after it: any, one after punctuation ("...,'"),
    # one not after an "s" (the "s'" of a plural possessive closes nothing). Found from
    # the end in one pass: searching afresh for every opening mark was quadratic.
    n = len(marks)
    any_after = [n] * (n + 1)
    punct_after = [n] * (n + 1)
    not_s_after = [n] * (n + 1)
    for idx in range(n - 1, -1, -1):
        _j, _o, closes, prev = marks[idx]
        any_after[idx] = idx if closes else any_after[idx + 1]
        punct_after[idx] = idx if closes and prev in ",.!?…" else punct_after[idx + 1]
        not_s_after[idx] = idx if closes and prev != "s" else not_s_after[idx + 1]
    out: list[RawQuote] = []
    k = 0
    while k < n:
        i, opener, _closer, _prev = marks[k]
        if not opener or any_after[k + 1] == n:
            k += 1
            continue
        idx = punct_after[k + 1]
        if idx == n:
            idx = not_s_after[k + 1]
        if idx == n:
            idx = any_after[k + 1]
        j = marks[idx][0]
        s, e = _strip(body, i + 1, j)
        if e > s:
            out.append(RawQuote([(s, e)], i, j + 1, pi, pi, single=True))
        k = idx + 1
    return out


class _Spans:
    """Does any of the spans ``[start, end)`` cover a position? (bisect, not a scan)"""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        spans = sorted(spans)
        self.starts = [a for a, _b in spans]
        self.reach: list[int] = []  # the furthest end among the spans up to each one
        furthest = -1
        for _a, b in spans:
            furthest = max(furthest, b)
            self.reach.append(furthest)

    def covers(self, pos: int) -> bool:
        k = bisect.bisect_right(self.starts, pos)
        return k > 0 and self.reach[k - 1] > pos


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"  # the regex class \w


def _word_before(s: str) -> str | None:
    r"""The group of ``re.search(r"([\w'’-]+)[^\w]*$", s)``: the last word, found from
    the end (the regex retries from every position of ``s``)."""
    n = len(s)
    i = n
    while i and not _is_word_char(s[i - 1]):
        i -= 1
    if i == 0:  # no word character: the first run of apostrophes and hyphens
        j = next((j for j, c in enumerate(s) if c in "'’-"), None)
        if j is None:
            return None
        k = j
        while k < n and s[k] in "'’-":
            k += 1
        return s[j:k]
    j = i
    while j and (_is_word_char(s[j - 1]) or s[j - 1] in "'’-"):
        j -= 1
    while i < n and s[i] in "'’-":
        i += 1
    return s[j:i]


_ATTRIBUTION_AFTER = re.compile(
    r"\s*(?:[—–-]\s*)?(?:\S+\s+){0,3}?(?:"
    + "|".join(sorted(SPEECH_VERBS, key=len, reverse=True))
    + r")\b"
)


def _classify(body: str, q: RawQuote, ps: int) -> None:
    text = " ".join([body[s:e] for s, e in q.segments])
    q.text = text
    # Only the end of the paragraph before the quote matters, read without copying the rest
    # (a copy per quote made a long paragraph of quotes quadratic).
    before = body[max(ps, q.open_pos - 40) : q.open_pos]
    after = body[q.close_pos : q.close_pos + 40]
    cut = q.open_pos  # the end of the words before the quote, white space left out
    while cut > ps and body[cut - 1].isspace():
        cut -= 1
    prev_char = body[cut - 1 : cut] if cut > ps else ""
    wb = _word_before(before)
    prev_word = wb.lower() if wb and prev_char.isalnum() else ""
    words = text.split()
    ends_punct = text[-1:] in ".,!?…-–—" or text.endswith(("!!", "?!"))
    if not any(map(str.isalpha, text)):
        q.kind = "inscription"
        return
    if prev_word in TITLE_CUES or prev_word in _SCARE_CUES:
        q.kind = "title" if prev_word in TITLE_CUES else "scare"
        return
    # Only the last characters matter (str.lower maps character by character).
    if body[max(ps, cut - 16) : cut].lower().endswith(("known as", "the words of")):
        q.kind = "title"
        return
    wa = _WORD_AFTER.search(after)
    if (
        wb
        and before.endswith(" ")
        and wb[:1].isupper()
        and wa
        and wa.group(1)[:1].isupper()
        and after.startswith(" ")
        and len(words) <= 3
        and not ends_punct
    ):
        q.kind = "nickname"  # Dwayne "The Rock" Johnson
        return
    if not q.single and len(q.segments) == 1 and not ends_punct:
        continues = after[:1] == " " and wa is not None and wa.group(1)[:1].islower()
        if (
            len(words) <= 3
            and continues
            and before.endswith(" ")
            and (prev_word in _TERM_DETERMINERS or prev_word.endswith(("'s", "’s")))
        ):
            # A quoted term inside the reporter's sentence: the villa's "love triangle" had
            # become ... (at the end of a sentence it is a partial quote: a "basic conversation".)
            q.kind = "scare"
            return
        if (
            len(words) <= 2
            and text == text.lower()
            and continues
            and wa.group(1) not in FUNCTION_WORDS
        ):
            q.kind = "scare"  # Tyler's "romantic" gestures
            return
    at_start = prev_char in ("", ":", ",", ";", "—", "–", "-", ".", "!", "?", "…", "(")
    title_case = all(
        w[:1].isupper() or w.lower() in _SMALL_WORDS or not w[:1].isalpha() for w in words
    )
    if (
        len(words) <= 6
        and not ends_punct
        and prev_char != ":"
        and len(q.segments) == 1
        and title_case
    ):
        q.kind = "title"
        return
    if (
        title_case
        and len(words) <= 7
        and text[-1:] in ",."
        and prev_char != ":"
        and prev_word not in SPEECH_VERBS
        and len(q.segments) == 1
        and not _ATTRIBUTION_AFTER.match(after)
    ):
        # US style puts the comma inside the marks: he starred in "Paper Moon," and sang
        # "Listen To The Music." A title, unless someone is said to have said it.
        q.kind = "title"
        return
    if q.single:
        if prev_char == ":" or (len(words) >= 3 and ends_punct):
            q.kind = "quote"
            q.partial = not at_start
        else:
            q.kind = "scare"
        return
    q.partial = not at_start and (text[:1].islower() or not ends_punct)


# "Q: ...", "A: ...", "ROSALIND KEANE: ..." at the start of a paragraph.
_TURN = re.compile(r"(Q|A|[A-Z][A-Z'’.-]+(?: [A-Z][A-Z'’.-]+){0,3})\s?:\s+(?=\S)")
# The interviewer, named in the standfirst or introduction: "talks to Ben Hartley".
_INTERVIEWER = re.compile(
    r"\b(?:talks|talked|speaks|spoke|chats|chatted|interviewed by)\s+(?:to\s+|with\s+)?"
    r"((?:[A-Z][\w'’-]+\s){1,2}[A-Z][\w'’-]+|[A-Z][\w'’-]+\s[A-Z][\w'’-]+)"
)


def _find_turns(body: str, paras: list[tuple[int, int]], intro: str) -> list[RawQuote]:
    """The answers (and named questions) of an interview printed as a transcript.

    A transcript has at least two "Q:" and two "A:" turns, or four turns with capitalised
    name prefixes where two speakers take at least two turns each (a lone "CORRECTION:" or
    "UPDATE:" is no interview). Questions are quotes only when the interviewer is
    named ("talks to Ben Hartley"); an unnamed interviewer's questions are not quotes.
    """
    found: list[tuple[int, re.Match[str]]] = []
    for pi, (ps, pe) in enumerate(paras):
        m = _TURN.match(body, ps, pe)
        if m is not None:
            found.append((pi, m))
    qa = [(pi, m) for pi, m in found if m.group(1) in ("Q", "A")]
    named = [(pi, m) for pi, m in found if m.group(1) not in ("Q", "A")]
    interviewer = _INTERVIEWER.search(intro)
    turns: list[RawQuote] = []
    kinds = Counter(m.group(1) for _, m in qa)
    speakers = Counter(m.group(1) for _, m in named)
    if kinds["Q"] >= 2 and kinds["A"] >= 2:
        for pi, m in qa:
            if m.group(1) == "Q" and interviewer is None:
                continue
            speaker = interviewer.group(1) if m.group(1) == "Q" and interviewer else ""
            turns.append(_turn(body, paras, pi, m, m.group(1), speaker))
    elif len(named) >= 4 and sum(1 for n in speakers.values() if n >= 2) >= 2:
        for pi, m in named:
            turns.append(_turn(body, paras, pi, m, "name", m.group(1)))
    return turns


def _turn(
    body: str, paras: list[tuple[int, int]], pi: int, m: re.Match[str], turn: str, speaker: str
) -> RawQuote:
    s, e = _strip(body, m.end(), paras[pi][1])
    q = RawQuote([(s, e)], s, e, pi, pi, turn=turn, turn_speaker=speaker)
    q.text = body[s:e]
    return q


def find_quotes(body: str, paras: list[tuple[int, int]], intro: str = "") -> list[RawQuote]:
    """All quoted spans in reading order, classified (``kind``), never overlapping.

    ``intro`` (the standfirst and first paragraph) may name an interviewer for a transcript.
    """
    turns = _find_turns(body, paras, intro)
    turn_paras = {q.first_para for q in turns}
    doubles = [q for q in _scan_double(body, paras) if q.first_para not in turn_paras]
    taken = _Spans([(q.open_pos, q.close_pos) for q in doubles])
    singles: list[RawQuote] = []
    for pi, (ps, pe) in enumerate(paras):
        if pi not in turn_paras:
            singles.extend(_scan_single(body, ps, pe, taken, pi))
    allq = sorted(doubles + singles, key=lambda q: q.open_pos)
    for q in allq:
        _classify(body, q, paras[q.first_para][0])
    return sorted(allq + turns, key=lambda q: q.open_pos)


def mask_quotes(body: str, quotes: list[RawQuote]) -> str:
    """The body with the words of direct quotes replaced by ``MASK`` (same length)."""
    chars = list(body)
    for q in quotes:
        if q.kind != "quote":
            continue
        for s, e in q.segments:
            chars[s:e] = MASK * (e - s)
    return "".join(chars)
