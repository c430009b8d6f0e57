"""Compare a ParsedArticle with a hand annotation (JSON next to each test article).

Annotation keys (all optional except ``quotes`` and ``people``):
  published_on, headline, headline_derived, standfirst   exact values
  people            canonical names that must each be found exactly once
  people_optional   names that may be found or missed
  not_people        names that must never be people
  quotes            [{starts, contains?, speaker|null, label?, partial, speaker_optional?}]
                    (a quote attributed to a description, "the actor said", meets its
                    speaker with no speaker, the description as label and the person as
                    ``suggested_speaker``: descriptions are offered to editors, not published)
  optional_quotes   quote openings that may or may not be extracted
  not_quotes        strings that must not be extracted as quotes
  events            [{contains, date|null, precision|null}]
  captions, boilerplate_contains, handles
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from extraction import ParsedArticle

HERE = Path(__file__).parent
ROOT = HERE.parents[2]
_MARKS = " '‘’\"“”"


def load(json_path: Path) -> tuple[bytes, dict]:
    ann = json.loads(json_path.read_text("utf-8"))
    text_path = ROOT / ann["file"] if "file" in ann else json_path.with_suffix(".txt")
    return text_path.read_bytes(), ann


def _quote_matches(text: str, exp: dict) -> bool:
    t = text.lstrip(_MARKS)
    return t.startswith(exp["starts"]) and exp.get("contains", "") in t


def match_quotes(article: ParsedArticle, ann: dict) -> list[int | None]:
    """For each expected quote, the index of the extracted quote it matched (None: not found)."""
    used: set[int] = set()
    hits: list[int | None] = []
    for exp in ann["quotes"]:
        hit = next(
            (
                i
                for i, q in enumerate(article.quotes)
                if i not in used and _quote_matches(q.text, exp)
            ),
            None,
        )
        if hit is not None:
            used.add(hit)
        hits.append(hit)
    return hits


def speaker_failure(article: ParsedArticle, exp: dict, hit: int) -> str | None:
    """The failure line for the speaker of a matched quote, None when it is right or optional."""
    q = article.quotes[hit]
    speaker = article.people[q.speaker].name if q.speaker is not None else None
    if exp.get("speaker_optional"):
        return None
    suggested = (
        article.people[q.suggested_speaker].name if q.suggested_speaker is not None else None
    )
    # A quote attributed to a description ("the 23-year-old said") names nobody by itself:
    # it keeps the description as its label and offers the person to editors.
    deferred = speaker is None and q.speaker_label and suggested == exp["speaker"]
    if exp["speaker"] is not None and speaker != exp["speaker"] and not deferred:
        return f"quote {exp['starts']!r}: speaker {speaker!r} != {exp['speaker']!r}"
    if exp["speaker"] is None and (
        speaker is not None
        or exp.get("label", "").lower() not in (q.speaker_label or "").lower()
        or q.speaker_label is None
    ):
        return (
            f"quote {exp['starts']!r}: speaker {speaker!r} label {q.speaker_label!r}"
            f" != label {exp.get('label')!r}"
        )
    return None


def check(article: ParsedArticle, ann: dict) -> list[str]:
    """Return human-readable failures (empty when the article meets the bar)."""
    fails: list[str] = []
    names = [p.name for p in article.people]

    if "published_on" in ann:
        want = ann["published_on"] and dt.date.fromisoformat(ann["published_on"])
        if article.published_on != (want or None):
            fails.append(f"published_on {article.published_on} != {want}")
    for key in ("headline", "headline_derived", "standfirst"):
        if key in ann and getattr(article, key) != ann[key]:
            fails.append(f"{key} {getattr(article, key)!r} != {ann[key]!r}")

    # People: each expected found once, nothing else, no duplicates.
    optional = set(ann.get("people_optional", []))
    for name in ann["people"]:
        n = names.count(name)
        if n != 1 and not (n == 0 and name in optional):
            fails.append(f"person {name!r} found {n} times")
    allowed = set(ann["people"]) | optional
    for name in names:
        if name not in allowed:
            fails.append(f"unexpected person {name!r}")
    not_people = {n.lower() for n in ann.get("not_people", [])}
    for p in article.people:
        if p.name.lower() in not_people:
            fails.append(f"non-person {p.name!r} among people")
    for person, handle in ann.get("handles", {}).items():
        if not any(p.name == person and handle in p.aliases for p in article.people):
            fails.append(f"handle {handle} not an alias of {person}")

    # Quotes.
    hits = match_quotes(article, ann)
    used = {hit for hit in hits if hit is not None}
    for exp, hit in zip(ann["quotes"], hits, strict=True):
        if hit is None:
            fails.append(f"quote {exp['starts']!r} not found")
            continue
        if failure := speaker_failure(article, exp, hit):
            fails.append(failure)
        q = article.quotes[hit]
        if q.partial != exp["partial"]:
            fails.append(f"quote {exp['starts']!r}: partial {q.partial} != {exp['partial']}")
    optional_quotes = ann.get("optional_quotes", [])
    for i, q in enumerate(article.quotes):
        if i not in used and not any(q.text.lstrip(_MARKS).startswith(o) for o in optional_quotes):
            fails.append(f"unexpected quote {q.text[:60]!r}")
    for nq in ann.get("not_quotes", []):
        if any(q.text.strip(_MARKS) == nq for q in article.quotes):
            fails.append(f"{nq!r} extracted as a quote")

    # Events.
    for exp in ann.get("events", []):
        want = exp["date"] and dt.date.fromisoformat(exp["date"])
        ok = any(
            exp["contains"] in article.body[e.start : e.end]
            and e.date == (want or None)
            and e.precision == exp["precision"]
            for e in article.events
        )
        if not ok:
            fails.append(
                f"event {exp['contains']!r} on {exp['date']} ({exp['precision']}) not found"
            )

    # Sentences that are no happening ("…" she wrote on Sunday: who said a quote).
    for text in ann.get("not_events", []):
        if any(text in article.body[e.start : e.end] for e in article.events):
            fails.append(f"{text!r} extracted as an event")

    for cap in ann.get("captions", []):
        if cap not in article.captions:
            fails.append(f"caption {cap!r} not found")
    for bp in ann.get("boilerplate_contains", []):
        if not any(bp in b for b in article.boilerplate):
            fails.append(f"boilerplate {bp!r} not recorded")
        if bp in article.body:
            fails.append(f"boilerplate {bp!r} left in body")
    return fails
