"""Date expressions in text and their resolution against the publication date.

Resolution table (publication date P):
- explicit "18-12-2021" (day first, UK copy), "18 December 2021", "December 18, 2021",
  "2021-12-18" -> that day; "December 2021" -> month; "in 2021" -> year.
- "yesterday"/"last night" -> P-1; "today"/"this evening"/"tonight" -> P; "tomorrow" -> P+1.
- "on Sunday" -> the most recent Sunday on or before P ("last Sunday": strictly before);
  in a sentence about the future ("will", "next") -> the next one on or after P.
- "New Year's Eve", "Christmas Day", ... -> the most recent such day on or before P.
- "in December", "18 December" -> the most recent one not after P (future: next).
- The tense of the sentence decides the direction of a date without a year: "will",
  "next", "is due to" look forward; a past tense ("was", "had", "moved", "took", "said";
  not "is expected", a present passive) looks back; a sentence with neither ("The band
  open their tour on 3 May", "The verdict is expected in March") takes the
  occurrence of a day-month, month or holiday nearest P (a tie looks back). Weekdays
  stay as above: "after the crash on Saturday" is as likely as "appears in court on
  Monday". A date right after a past speech verb ("said Tuesday that he will run",
  "announced on Monday") is when it was said: it looks back whatever the tense.
- "last year" -> P.year-1; "this year"/"earlier this year" -> P.year; "last month",
  "this month"/"earlier this month" -> that month. "last week" has no day, month or
  year precision and stays unknown.
Without P, every relative expression resolves to unknown (None, None).
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass

from .lexicon import IRREGULAR_PAST, MONTH_ABBR, MONTHS, SPEECH_VERBS, WEEKDAYS
from .types import DatePrecision

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
)
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_ORD = r"(?:st|nd|rd|th)?"
_HOLIDAYS = {
    "new year's eve": (12, 31),
    "new year’s eve": (12, 31),
    "new year's day": (1, 1),
    "new year’s day": (1, 1),
    "christmas eve": (12, 24),
    "christmas day": (12, 25),
    "christmas": (12, 25),
    "boxing day": (12, 26),
    "valentine's day": (2, 14),
    "valentine’s day": (2, 14),
    "halloween": (10, 31),
    "bonfire night": (11, 5),
    "st patrick's day": (3, 17),
    "st patrick’s day": (3, 17),
}
_DATE_RE = re.compile(
    r"\b(?:"
    r"(?P<iso>(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2}))"
    r"|(?P<num>(?P<na>\d{1,2})[-/.](?P<nb>\d{1,2})[-/.](?P<ny>\d{4}|\d{2}))"
    rf"|(?P<dmy>(?P<dd>\d{{1,2}}){_ORD}(?: of)? (?P<dm>{_MONTH})(?:,? (?P<dy>\d{{4}}))?)"
    rf"|(?P<mdy>(?P<mm>{_MONTH}) (?P<md>\d{{1,2}}){_ORD}(?!\d)(?:,? (?P<my>\d{{4}}))?)"
    rf"|(?P<my2>(?P<m2>{_MONTH}) (?:of )?(?P<y2>(?:19|20)\d{{2}}))"
    r"|(?P<year>(?:in|during|since|of|throughout|until|by|from|back in)"
    r"(?: (?:early|late|mid|the summer of|the spring of|the autumn of|the winter of))?"
    r"[- ](?P<yy>(?:19|20)\d{2}))"
    r"|(?P<rel>yesterday|today|tonight|tomorrow|last night|this (?:morning|afternoon|evening))"
    rf"|(?P<wd>(?:(?P<wdq>on|last|this|next|since|until|by) )?(?P<wdn>{_WEEKDAY})"
    r"(?!(?-i: [A-Z])))"
    r"|(?P<per>(?P<perq>last|this|next|earlier this|later this|earlier in the|the previous|"
    r"the following)\s(?P<pern>week|month|year))"
    r"|(?P<hol>new year[’']s eve|new year[’']s day|christmas eve|christmas day|christmas"
    r"|boxing day|valentine[’']s day|halloween|bonfire night|st patrick[’']s day)"
    rf"|(?P<mon>(?:in|during|since|by|until|from|last|this|next|early|late|earlier|later|mid)[- ]"
    rf"(?P<mn>{_MONTH})(?![ ,]+\d))"
    r")\b",
    re.IGNORECASE,
)
# Every date expression contains one of these "core" words (or a number) within
# _CORE_REACH characters of its start, and no expression is longer than _MAX_LEN
# characters. So the slow case-insensitive _DATE_RE only runs in a small window
# around each core instead of at every word of every sentence; the matches are
# exactly those of ``_DATE_RE.finditer`` (tests/test_ingest_properties.py checks this).
_CORE_WORDS = (
    r"\d+|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun"
    r"|yesterday|today|tonight|tomorrow|night|morning|afternoon|evening|week|month|year"
    r"|christmas|halloween|valentine|bonfire|boxing|patrick"
)
# Words an expression can begin with ("in 2021", "the following week", "St Patrick's").
_FIRST_WORDS = (
    r"\d|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun"
    r"|in|during|since|of|throughout|until|by|from|back|yesterday|today|tonight|tomorrow"
    r"|last|this|next|on|earlier|later|early|late|mid|the|new|christmas|boxing|valentine"
    r"|halloween|bonfire|st"
)
_CORE = re.compile(rf"\b(?:{_CORE_WORDS})", re.IGNORECASE)
_FIRST = re.compile(rf"\b(?:{_FIRST_WORDS})", re.IGNORECASE)
# The same on lower-cased text, without IGNORECASE: three times faster. The lookaheads
# list the first characters of the words so the scan skips other positions.
_CORE_LOWER = re.compile(rf"(?=[\dabcdefhjmnopstvwy])\b(?:{_CORE_WORDS})")
_FIRST_LOWER = re.compile(rf"(?=[\dabcdefhijlmnostuvwy])\b(?:{_FIRST_WORDS})")
# Letters that IGNORECASE matches to ASCII letters but ``str.lower`` leaves alone.
_ODD_CASE = ("ſ", "ı")
_CORE_REACH = 40  # "throughout the autumn of 2021": 25 characters before the digit
_MAX_LEN = 48  # the longest expression ends this far after its core, lookahead included
_FUTURE_WORDS = r"\b(?:will|shall|is set to|are set to|is due to|are due to|upcoming|next)\b"
_FUTURE = re.compile(_FUTURE_WORDS, re.I)
_FUTURE_LOWER = re.compile("(?=[wsiaun])" + _FUTURE_WORDS)  # the words' first letters
# Tense of a sentence: words are runs of ASCII letters (one pass, no backtracking).
_TENSE_WORD = re.compile(r"[A-Za-z]+")
# Speech verbs in the past tense: "said Tuesday that he will run" is dated by the saying.
_SPOKE = frozenset(
    w for w in SPEECH_VERBS if w.endswith("ed") or w in {"said", "told", "wrote", "spoke"}
)
# Past-tense words besides those ending in -ed.
_PAST_WORDS = IRREGULAR_PAST | {"said", "told", "spoke", "was", "were", "had", "did", "been"}
# "is expected", "are scheduled", "to be released": a present passive, not a past tense.
_PASSIVE_AUX = frozenset({"is", "are", "be", "being"})
# "will be announced on Saturday", "is to be revealed on Friday": not said yet.
_NOT_SPOKEN = frozenset({"be", "being", "to", "will", "would", "shall", "is", "are"})
_LAST_WORDS = re.compile(r"(?:([A-Za-z]+) )?([A-Za-z]+)[ ,]{1,3}$")
PAST, PRESENT, FUTURE = "past", "present", "future"
# A clause ends at these marks; its verb is looked for at most this far back.
_CLAUSE_MARKS = frozenset(",;:()—–")
_CLAUSE_REACH = 80
# "will approve", "shall", "'ll": the clause's verb looks forward; so do plans ("plans to",
# "is set to", "is due to", "aims to", "expected to").
_FUTURE_AUX = frozenset({"will", "shall", "ll"})
_FUTURE_TO = frozenset(
    {
        "set",
        "due",
        "plans",
        "plan",
        "planning",
        "planned",
        "aims",
        "aiming",
        "intends",
        "intending",
        "hopes",
        "hoping",
        "expected",
        "going",
        "scheduled",
        "poised",
    }
)


@dataclass(frozen=True, slots=True)
class DateMention:
    start: int
    end: int
    date: dt.date | None
    precision: str | None
    explicit: bool
    # "since 1998", "since March": the start of a span up to now, not when something was.
    since: bool = False


def _month(name: str) -> int:
    name = name.lower().rstrip(".")
    return MONTHS.get(name) or MONTH_ABBR.get(name[:3], 0)


def _safe(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _recent_day(pub: dt.date, month: int, day: int, future: bool) -> dt.date | None:
    for y in (pub.year, pub.year + 1) if future else (pub.year, pub.year - 1):
        d = _safe(y, month, day)
        if d and ((d >= pub) if future else (d <= pub)):
            return d
    return None


def _nearest_day(pub: dt.date, month: int, day: int) -> dt.date | None:
    """The day-month nearest ``pub`` (last, this or next year; a tie looks back)."""
    best = None
    for y in (pub.year - 1, pub.year, pub.year + 1):
        d = _safe(y, month, day)
        if d and (best is None or abs((d - pub).days) < abs((best - pub).days)):
            best = d
    return best


def _day_in_tense(pub: dt.date, month: int, day: int, tense: str) -> dt.date | None:
    if tense == PRESENT:
        return _nearest_day(pub, month, day)
    return _recent_day(pub, month, day, tense == FUTURE)


def _resolve(
    m: re.Match[str], pub: dt.date | None, tense: str
) -> tuple[dt.date | None, str | None, bool] | None:
    future = tense == FUTURE
    g = m.group
    day, month, year = DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR
    if g("iso"):
        d = _safe(int(g("iy")), int(g("im")), int(g("id")))
        return (d, day, True) if d else None
    if g("num"):
        a, b, y = int(g("na")), int(g("nb")), int(g("ny"))
        y = y + 2000 if y < 100 else y
        d = _safe(y, b, a) or _safe(y, a, b)  # day first (UK), month first as a fallback
        return (d, day, True) if d else None
    if g("dmy") or g("mdy"):
        mon = _month(g("dm") or g("mm"))
        dd = int(g("dd") or g("md"))
        yy = g("dy") or g("my")
        if not (g("dm") or g("mm"))[0].isupper():
            return None
        if yy:
            d = _safe(int(yy), mon, dd)
            return (d, day, True) if d else None
        if not 1 <= dd <= 31:
            return None
        if pub is None:
            return None, None, False
        return _day_in_tense(pub, mon, dd, tense), day, False
    if g("my2"):
        if not g("m2")[0].isupper():
            return None
        return dt.date(int(g("y2")), _month(g("m2")), 1), month, True
    if g("year"):
        return dt.date(int(g("yy")), 1, 1), year, True
    if g("rel") and (any(w[:1].isupper() for w in g("rel").split()[1:]) or g("rel").isupper()):
        return None  # "This Morning", "USA TODAY": names
    if pub is None:
        if g("mon") and not g("mn")[0].isupper():
            return None
        return None, None, False
    if g("rel"):
        if any(w[:1].isupper() for w in g("rel").split()[1:]):
            return None  # "This Morning" the programme
        word = g("rel").lower()
        offset = -1 if word in ("yesterday", "last night") else 1 if word == "tomorrow" else 0
        return pub + dt.timedelta(days=offset), day, False
    if g("wd"):
        target = WEEKDAYS[g("wdn").lower()]
        q = (g("wdq") or "").lower()
        if q == "next" or (future and q != "last"):
            delta = (target - pub.weekday()) % 7
            return pub + dt.timedelta(days=delta), day, False
        delta = (pub.weekday() - target) % 7
        if q == "last" and delta == 0:
            delta = 7
        return pub - dt.timedelta(days=delta), day, False
    if g("per"):
        q = g("perq").lower()
        unit = g("pern").lower()
        step = -1 if q in ("last", "the previous") else 1 if q in ("next", "the following") else 0
        if unit == "year":
            return dt.date(pub.year + step, 1, 1), year, False
        if unit == "month":
            idx = pub.year * 12 + pub.month - 1 + step
            return dt.date(idx // 12, idx % 12 + 1, 1), month, False
        return None, None, False
    if g("hol"):
        key = g("hol").lower()
        mon, dd = _HOLIDAYS.get(key, (12, 25))
        return _day_in_tense(pub, mon, dd, tense), day, False
    if g("mon"):
        if not g("mn")[0].isupper():
            return None
        mon = _month(g("mn"))
        q = g("mon").split()[0].lower()
        # "The rules apply from September", "runs until June": a period still to come.
        fwd = future or q == "next" or (tense == PRESENT and q in ("from", "until", "by"))
        y = pub.year
        if tense == PRESENT and q not in (
            "next",
            "last",
            "since",
            "earlier",
            "from",
            "until",
            "by",
        ):
            # The nearest such month: up to five months ahead, else up to six back.
            if (mon - pub.month) % 12 <= 5:
                return dt.date(y + (mon < pub.month), mon, 1), month, False
            return dt.date(y - (mon > pub.month), mon, 1), month, False
        if fwd and mon < pub.month:
            y += 1
        elif not fwd and (mon > pub.month or (q == "last" and mon == pub.month)):
            y -= 1
        return dt.date(y, mon, 1), month, False
    return None


def _lower(text: str, start: int, end: int) -> str | None:
    """``text[start:end].lower()`` when case-sensitive search in it is the same as
    IGNORECASE search in ``text`` (same length, no letters that only IGNORECASE folds)."""
    seg = text[start:end]
    low = seg.lower()
    if len(low) == len(seg) and not any(c in seg for c in _ODD_CASE):
        return low
    return None


def _matches(text: str, start: int, end: int, low: str | None) -> list[re.Match[str]]:
    """``list(_DATE_RE.finditer(text, start, end))``, trying only first words near cores.

    ``low`` is ``_lower(text, start, end)``.
    """
    if low is not None:
        cores = [start + m.start() for m in _CORE_LOWER.finditer(low)]
        if not cores:
            return []
        firsts = [start + m.start() for m in _FIRST_LOWER.finditer(low)]
    else:
        cores = [m.start() for m in _CORE.finditer(text, start, end)]
        if not cores:
            return []
        firsts = [m.start() for m in _FIRST.finditer(text, start, end)]
    out: list[re.Match[str]] = []
    pos = start
    for cs in cores:
        if cs < pos:
            continue
        hi = cs + _MAX_LEN
        while hi < end and text[hi - 1] in " ,":
            hi += 1  # "(?![ ,]+\d)" must see the end of a run of spaces and commas
        hi = min(hi, end)
        i = bisect.bisect_left(firsts, max(pos, cs - _CORE_REACH))
        while i < len(firsts) and firsts[i] <= cs:
            m = _DATE_RE.match(text, firsts[i], hi)
            if m is not None:
                out.append(m)
                pos = m.end()
                break
            i += 1
    return out


def _future(text: str, start: int, end: int, low: str | None) -> bool:
    """``_FUTURE.search(text, start, end)``, on the lower-cased slice when there is one."""
    if low is not None:
        m = _FUTURE_LOWER.search(low)
        if m is None:
            return False
        prev = text[start - 1] if start else ""
        if m.start() or not (prev.isalnum() or prev == "_"):
            return True
        # The slice starts a word that the text does not: fall back to the full search.
    return _FUTURE.search(text, start, end) is not None


def _past(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` has a past-tense word (see the module docstring)."""
    prev = ""
    for m in _TENSE_WORD.finditer(text, start, end):
        w = m.group().lower()
        if w in _PAST_WORDS or (
            len(w) > 3 and w.endswith("ed") and not w.endswith("eed") and prev not in _PASSIVE_AUX
        ):
            return True
        prev = w
    return False


def _after_speech(text: str, start: int, pos: int) -> bool:
    """Whether the word just before ``pos`` is a speech verb in the past tense ("said",
    "announced"; not "will be announced")."""
    m = _LAST_WORDS.search(text, max(start, pos - 40), pos)
    return (
        m is not None
        and m.group(2).lower() in _SPOKE
        and (m.group(1) or "").lower() not in _NOT_SPOKEN
    )


def _tense(text: str, start: int, end: int, low: str | None) -> str:
    """FUTURE, PAST or PRESENT: which way a date without a year in the sentence points."""
    if _future(text, start, end, low):
        return FUTURE
    return PAST if _past(text, start, end) else PRESENT


def _clause_start(text: str, start: int, pos: int) -> int:
    """Where the clause holding ``pos`` begins: after the nearest clause mark before it
    (comma, semicolon, colon, dash, bracket), at most ``_CLAUSE_REACH`` characters back."""
    floor = max(start, pos - _CLAUSE_REACH)
    for i in range(pos - 1, floor - 1, -1):
        if text[i] in _CLAUSE_MARKS:
            return i + 1
    return floor


def _local_tense(text: str, start: int, pos: int) -> str | None:
    """The tense of the verb nearest before ``pos`` in its clause, or None when the clause
    has none before the date: "Plans approved on Monday night will create jobs" dates the
    approval by "approved" (past), not by the sentence's "will"."""
    words = [
        m.group().lower() for m in _TENSE_WORD.finditer(text, _clause_start(text, start, pos), pos)
    ]
    for i in range(len(words) - 1, -1, -1):
        w = words[i]
        prev = words[i - 1] if i else ""
        if w in _FUTURE_AUX or (w == "to" and prev in _FUTURE_TO):
            return FUTURE
        if w in _PAST_WORDS or (
            len(w) > 3 and w.endswith("ed") and not w.endswith("eed") and prev not in _PASSIVE_AUX
        ):
            return PAST
    return None


# "since" a few words before a date, in the same clause: "the first British woman to win
# since Virginia Wade in 1977" dates Wade's win, the start of a span, not this happening.
_SINCE_BEFORE = re.compile(r"\bsince\b(?:\s+[^\s,;:.!?()\"“”]+){1,5}\s*$", re.IGNORECASE)


def _anniversary(text: str, m: re.Match[str]) -> bool:
    """Whether the date only measures a span up to now ("for the first time since 1998",
    "since March", "since Sunday", "since Virginia Wade in 1977"): it does not say when
    the happening was."""
    qualifier = m.group("wdq") or ""
    if m.group("year") or m.group("mon"):
        qualifier = m.group().split(None, 1)[0]
    if qualifier.lower() == "since":
        return True
    return bool(_SINCE_BEFORE.search(text, max(0, m.start() - 60), m.start()))


def find_dates(
    text: str, pub: dt.date | None, start: int = 0, end: int | None = None
) -> list[DateMention]:
    """Date expressions in ``text[start:end]``, resolved against ``pub``. Each follows the
    tense of its own clause's verb when there is one before it, else its sentence's."""
    if end is None:
        end = len(text)
    low = _lower(text, start, end)
    matches = _matches(text, start, end, low)
    if not matches:
        return []
    when = _tense(text, start, end, low)
    out = []
    for m in matches:
        if _after_speech(text, start, m.start()):
            tense = PAST
        else:
            tense = _local_tense(text, start, m.start()) or when
        r = _resolve(m, pub, tense)
        if r is not None:
            date, precision = r[0], r[1] if r[0] else None
            out.append(
                DateMention(m.start(), m.end(), date, precision, r[2], _anniversary(text, m))
            )
    return out
