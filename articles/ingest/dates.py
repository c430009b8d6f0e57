"""Date expressions in text and their resolution against the publication date.

Resolution table (publication date P):
- explicit "18-12-2021" (day first, UK copy), "18 December 2021", "December 18, 2021",
  "2021-12-18" -> that day; "December 2021" -> month; "in 2021" -> year.
- "yesterday"/"last night" -> P-1; "today"/"this evening"/"tonight" -> P; "tomorrow" -> P+1.
- "on Sunday" -> the most recent Sunday on or before P ("last Sunday": strictly before);
  in a sentence about the future ("will", "next") -> the next one on or after P.
- "New Year's Eve", "Christmas Day", ... -> the most recent such day on or before P.
- "in December", "18 December" -> the most recent one not after P (future: next).
- "last year" -> P.year-1; "this year"/"earlier this year" -> P.year; "last month",
  "this month"/"earlier this month" -> that month. "last week" has no day, month or
  year precision and stays unknown.
Without P, every relative expression resolves to unknown (None, None).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .lexicon import MONTH_ABBR, MONTHS, WEEKDAYS
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
_TRIGGER = re.compile(
    r"\d|\b(?:[Yy]esterday|[Tt]o(?:day|night|morrow)|[Ll]ast|[Tt]his|[Nn]ext|[Ee]arlier|[Ll]ater|"
    r"[Pp]revious|[Ff]ollowing|[Cc]hristmas|[Hh]alloween|[Nn]ight|[Nn]ew [Yy]ear|[Vv]alentine|"
    r"[Bb]onfire|[Bb]oxing|St Patrick|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|"
    r"Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
)
_FUTURE = re.compile(
    r"\b(?:will|shall|is set to|are set to|is due to|are due to|upcoming|next)\b", re.I
)


@dataclass(frozen=True, slots=True)
class DateMention:
    start: int
    end: int
    date: dt.date | None
    precision: str | None
    explicit: bool


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


def _resolve(
    m: re.Match[str], pub: dt.date | None, future: bool
) -> tuple[dt.date | None, str | None, bool] | None:
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
        return (_recent_day(pub, mon, dd, future), day, False) if pub else (None, None, False)
    if g("my2"):
        if not g("m2")[0].isupper():
            return None
        return dt.date(int(g("y2")), _month(g("m2")), 1), month, True
    if g("year"):
        return dt.date(int(g("yy")), 1, 1), year, True
    if g("rel") and any(w[:1].isupper() for w in g("rel").split()[1:]):
        return None
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
        return _recent_day(pub, mon, dd, future), day, False
    if g("mon"):
        if not g("mn")[0].isupper():
            return None
        mon = _month(g("mn"))
        q = g("mon").split()[0].lower()
        fwd = future or q == "next"
        y = pub.year
        if fwd and mon < pub.month:
            y += 1
        elif not fwd and (mon > pub.month or (q == "last" and mon == pub.month)):
            y -= 1
        return dt.date(y, mon, 1), month, False
    return None


def find_dates(
    text: str, pub: dt.date | None, start: int = 0, end: int | None = None
) -> list[DateMention]:
    """Date expressions in ``text[start:end]``, resolved against ``pub``."""
    if end is None:
        end = len(text)
    if not _TRIGGER.search(text, start, end):
        return []  # cheap pre-filter: no digit and no date word
    future = bool(_FUTURE.search(text, start, end))
    out = []
    for m in _DATE_RE.finditer(text, start, end):
        r = _resolve(m, pub, future)
        if r is not None:
            out.append(DateMention(m.start(), m.end(), r[0], r[1] if r[0] else None, r[2]))
    return out
