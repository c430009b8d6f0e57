"""Dated happenings: a sentence with an event verb, its participants and its date.

A sentence is a happening when it has
- an event verb ("won", "married", "arrested"): with a date, or undated when the verb is a
  major one and the sentence names its people;
- any other past tense ("posted a video on Sunday", "broke into a house on Friday"):
  with a date and someone who acts, named or not; someone unnamed ("the former reality
  star, 31", "two men", "residents") only for what the sentence dates to the day;
- a verb of a scheduled happening in the present or with "will" ("The band open their
  tour on 3 May", "She will appear in court on Monday"): with a date on or after
  publication (only those dates) and someone who acts, as above.
"""

from __future__ import annotations

import datetime as dt
import re

from .attribution import Resolver
from .dates import find_dates
from .lexicon import (
    DEMONYMS,
    EVENT_VERBS,
    IRREGULAR_PAST,
    MAJOR_EVENT_VERBS,
    ROLE_NOUNS,
    SPEECH_VERBS,
    word_set,
)
from .quotes import MASK
from .summaries import SUMMARY_MAX as SUMMARY_MAX  # where tests and callers find it
from .summaries import summarise
from .text import sentence_spans
from .types import DatePrecision, ExtractedEvent

_WORDS = re.compile(r"[A-Za-z][a-z-]+")
_EVENT_LOWER = frozenset(v.lower() for v in EVENT_VERBS)
# _WORDS yields lower-case or capitalised words: both forms, to intersect without lowering.
_EVENT_FORMS = _EVENT_LOWER | frozenset(v.capitalize() for v in _EVENT_LOWER)
_PAST_WORDS = IRREGULAR_PAST - SPEECH_VERBS
_PRONOUN = re.compile(r"(?=[hHsS])\b(?:he|she|He|She)\b")
_GROUP = re.compile(r"(?=[tT])\b(?:the|The) (?:pair|couple|duo|two)\b")
_DESC = re.compile(r"(?=[tT])\b(?:the|The) ((?:[A-Za-z'-]+ ){0,2})([a-z]+)\b")
# The lookaheads above let the regex engine skip to candidate letters quickly.

# Verbs of scheduled happenings in the present tense or after "will" (base and -s forms).
_SCHEDULED = word_set(
    """begin begins start starts open opens launch launches release releases play plays
    perform performs tour tours headline headlines host hosts appear appears face faces
    return returns visit visits premiere premieres debut debuts air airs compete competes
    marry marries wed weds hold holds stage stages unveil unveils celebrate celebrates"""
)
_SCHEDULED_FORMS = _SCHEDULED | frozenset(v.capitalize() for v in _SCHEDULED)


def _plural(noun: str) -> str:
    if noun.endswith("man"):
        return noun[:-3] + "men"
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "o", "u"):
        return noun[:-1] + "ies"
    if noun.endswith(("s", "sh", "ch", "x")):
        return noun + "es"
    return noun + "s"


# Someone who acts without a name: a role ("the former star"; not nationalities, which
# are adjectives, nor roles with common other senses) or a person or group of people.
_ROLES = (
    set(ROLE_NOUNS)
    - DEMONYMS
    - word_set("tennis count premier chief model host royal pro professional keeper")
)
_HUMAN = frozenset(_ROLES | {_plural(r) for r in _ROLES}) | word_set(
    """man men woman women boy boys girl girls person people family families child
    children kid kids baby babies crowd crowds crew crews police gang gangs gunman
    gunmen raider raiders robber robbers thief thieves burglar burglars attacker
    attackers intruder intruders"""
)


def _someone(words: set[str], first: str) -> bool:
    """Whether a sentence (its words, its first word) speaks of a person without a name:
    a lower-case role or group word, or one capitalised at the start ("Families fled")."""
    return not _HUMAN.isdisjoint(words) or first.lower() in _HUMAN


def _participants(res: Resolver, ss: int, se: int) -> list[int]:
    masked = res.masked
    people: list[int] = []

    def add(p: int | None) -> None:
        if p is not None and p not in people:
            people.append(p)

    for m in res.between(ss, se):
        add(m.person)
    for m in _PRONOUN.finditer(masked, ss, se):
        add(res.pronoun(m.group().lower(), m.start()))
        break
    for m in _GROUP.finditer(masked, ss, se):
        for p in res.recent(m.start(), limit=2):
            add(p)
        break
    for m in _DESC.finditer(masked, ss, se):
        head = m.group(2)
        if head in ROLE_NOUNS:
            add(res.description(head, m.group(1).lower().split(), m.start()))
    return people[:6]


def _only_attribution(masked: str, ss: int, se: int, words: set[str], verbs: set[str]) -> bool:
    """Whether the sentence's only verbs say who spoke a quote it holds ("…" she wrote on
    Sunday): the saying is no happening of its own."""
    if MASK not in masked[ss:se]:
        return False
    if any(v not in SPEECH_VERBS for v in verbs):
        return False
    return not any(
        (w.endswith("ed") and w.lower() not in SPEECH_VERBS) or w.lower() in _PAST_WORDS
        for w in words
    )


def _only_speech(summary: str, verbs: set[str]) -> bool:
    """Whether a summary only says who spoke: it ends on a speech verb ("… she said") and
    holds no other past tense or finite event verb (an "After winning …" opening is no
    clause of its own)."""
    words = _WORDS.findall(summary)  # as written: a capitalised "Rose" is a name
    if not words or words[-1].lower() not in SPEECH_VERBS:
        return False
    return not any(
        w not in SPEECH_VERBS
        and (w.endswith("ed") or w in _PAST_WORDS or (w in verbs and not w.endswith("ing")))
        for w in words
    )


def extract_events(
    res: Resolver, paras: list[tuple[int, int]], published_on: dt.date | None
) -> list[ExtractedEvent]:
    masked = res.masked
    events: list[ExtractedEvent] = []
    for ps, pe in paras:
        for ss, se in sentence_spans(masked, ps, pe):
            words = set(_WORDS.findall(masked, ss, se))
            verbs = {w.lower() for w in words & _EVENT_FORMS}
            if _only_attribution(masked, ss, se, words, verbs):
                continue
            # Any past tense (regular or irregular) counts when a date and a person are present.
            past = verbs or any(
                (w.endswith("ed") and w not in SPEECH_VERBS) or w in _PAST_WORDS for w in words
            )
            # A happening to come: "open their tour on 3 May", "will appear on Monday".
            scheduled = (
                not past and published_on is not None and not words.isdisjoint(_SCHEDULED_FORMS)
            )
            if not past and not scheduled:
                continue
            # "for the first time since 1998" measures a span: it does not date the event.
            dates = [d for d in find_dates(masked, published_on, ss, se) if not d.since]
            if scheduled:
                # Only its dates still to come ("on Sunday" before it is another matter).
                dates = [d for d in dates if d.date is not None and d.date >= published_on]
            # Needs people: an undated major happening, or a dated sentence whose only
            # verb is a generic past tense ("stole the show on Thursday") or a scheduled one.
            need_people = False
            if not verbs:
                if not dates:
                    continue
                need_people = True
            elif not dates:
                if not verbs & MAJOR_EVENT_VERBS:
                    continue
                need_people = True
            people = _participants(res, ss, se)
            if need_people and not people:
                # Someone unnamed will do ("two men", "residents") for what the sentence
                # dates to the day; "in 2014" or "last August" with "people" is background.
                if verbs:
                    continue
                dates = [d for d in dates if d.precision == DatePrecision.DAY]
                first = _WORDS.search(masked, ss, se)
                if not dates or not _someone(words, first.group() if first else ""):
                    continue
            # The verbs to centre the summary on: the event verbs, else the past tenses
            # (a speech verb's last) or the scheduled verbs that made it a happening.
            others = {
                w.lower()
                for w in words
                if w.endswith("ed") or w in IRREGULAR_PAST or w in _SCHEDULED_FORMS
            }
            summary = summarise(masked, ss, se, verbs, [(d.start, d.end) for d in dates], others)
            if MASK in masked[ss:se] and _only_speech(summary, verbs):
                # The clause the summary found is who spoke the quote ("After the final,
                # Giovanni said: …"): the saying is no happening, and the rest no clause.
                continue
            if not dates:
                events.append(ExtractedEvent(summary, ss, se, None, None, tuple(people)))
            seen = set()
            for d in dates:
                if (d.date, d.precision) in seen:
                    continue
                seen.add((d.date, d.precision))
                events.append(ExtractedEvent(summary, ss, se, d.date, d.precision, tuple(people)))
    return events
