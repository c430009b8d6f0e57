"""Dated happenings: a sentence with an event verb, its participants and its date."""

from __future__ import annotations

import datetime as dt
import re

from .attribution import Resolver
from .dates import find_dates
from .lexicon import (
    EVENT_VERBS,
    IRREGULAR_PAST,
    MAJOR_EVENT_VERBS,
    ROLE_NOUNS,
    SPEECH_VERBS,
)
from .quotes import MASK
from .text import sentence_spans, trim_words
from .types import ExtractedEvent

_WORDS = re.compile(r"[A-Za-z][a-z-]+")
_EVENT_LOWER = frozenset(v.lower() for v in EVENT_VERBS)
# _WORDS yields lower-case or capitalised words: both forms, to intersect without lowering.
_EVENT_FORMS = _EVENT_LOWER | frozenset(v.capitalize() for v in _EVENT_LOWER)
_PAST_WORDS = IRREGULAR_PAST - SPEECH_VERBS
_PRONOUN = re.compile(r"(?=[hHsS])\b(?:he|she|He|She)\b")
_GROUP = re.compile(r"(?=[tT])\b(?:the|The) (?:pair|couple|duo|two)\b")
_DESC = re.compile(r"(?=[tT])\b(?:the|The) ((?:[A-Za-z'-]+ ){0,2})([a-z]+)\b")
_MASK_RUN = re.compile(f"{MASK}+")
# The lookaheads above let the regex engine skip to candidate letters quickly.
SUMMARY_MAX = 200


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
        for p in res.recent(m.start())[:2]:
            add(p)
        break
    for m in _DESC.finditer(masked, ss, se):
        head = m.group(2)
        if head in ROLE_NOUNS:
            add(res.description(head, m.group(1).lower().split(), m.start()))
    return people[:6]


def extract_events(
    res: Resolver, paras: list[tuple[int, int]], published_on: dt.date | None
) -> list[ExtractedEvent]:
    masked = res.masked
    events: list[ExtractedEvent] = []
    for ps, pe in paras:
        for ss, se in sentence_spans(masked, ps, pe):
            words = set(_WORDS.findall(masked, ss, se))
            verbs = {w.lower() for w in words & _EVENT_FORMS}
            # Any past tense (regular or irregular) counts when a date and a person are present.
            past = verbs or any(
                (w.endswith("ed") and w not in SPEECH_VERBS) or w in _PAST_WORDS for w in words
            )
            if not past:
                continue
            dates = find_dates(masked, published_on, ss, se)
            # Needs people: an undated major happening, or a dated sentence whose only
            # verb is a generic past tense ("stole the show on Thursday").
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
                continue
            summary = trim_words(_MASK_RUN.sub("…", masked[ss:se]), SUMMARY_MAX)
            if not dates:
                events.append(ExtractedEvent(summary, ss, se, None, None, tuple(people)))
            seen = set()
            for d in dates:
                if (d.date, d.precision) in seen:
                    continue
                seen.add((d.date, d.precision))
                events.append(ExtractedEvent(summary, ss, se, d.date, d.precision, tuple(people)))
    return events
