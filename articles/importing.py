"""Persisting imported stories: one file, one transaction, bulk writes.

The extraction itself is the pure pipeline in ``extraction``; this module feeds it
what curation has taught the newsroom (people, aliases, names rejected as non-people),
then writes its result. Re-importing is safe:

- the same bytes again are reported ``unchanged``;
- a changed file with the same name updates its article, but never its status, never a
  field an editor changed since the last import, and never an editor's decision on a quote
  (confirmed, rejected, speaker corrected) or an event an editor edited;
- a quote whose confidence is below ``NEWSROOM_PUBLISH_MIN_CONFIDENCE`` is stored without a
  speaker, the extractor's candidate kept as ``suggested_speaker``: it waits, unreviewed and
  out of public view, for an editor to accept the suggestion or name the speaker;
- people are one row each: an extracted person is matched to a known person by the
  pipeline (aliases included) or by full name here, inside the transaction, under a lock,
  so two imports running at once never create the same person twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

import extraction
from extraction.types import IngestError, KnownPerson, ParsedArticle, WorldKnowledge
from people.models import Alias, Person, RejectedName, normalize_name

from .models import Article, Event, Mention, Quote, Tag, TagSuggestion, publish_min_confidence

CREATED, UPDATED, UNCHANGED, FAILED = "created", "updated", "unchanged", "failed"
# Article fields the importer fills and an editor may later correct.
EDITABLE_FIELDS = ("title", "title_derived", "standfirst", "body", "captions", "published_at")
# Aliases that identify a person on their own (a first name or surname alone does not).
IDENTIFYING_ALIAS_KINDS = (Alias.Kind.FORMER_NAME, Alias.Kind.STAGE_NAME)
# Marks the history records the importer writes; any other change is an editor's.
IMPORT_REASON = "import"
LONDON = zoneinfo.ZoneInfo("Europe/London")


@dataclass
class ImportOutcome:
    """What importing one file did (or, in a dry run, would do)."""

    path: str
    status: str
    reason: str = ""
    article_id: int | None = None
    people_created: int = 0
    quotes_created: int = 0
    events_created: int = 0
    notes: list[str] = field(default_factory=list)
    # The people the file names, as the pipeline should know them for the next file.
    people: dict[int, KnownPerson] = field(default_factory=dict)


class _DryRunRollback(Exception):
    pass


def collect_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly, plus every ``*.txt`` below each named folder, in order."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.txt") if p.is_file()))
        else:
            found.append(path)
    return found


def known_people(person_ids: Iterable[int] | None = None) -> dict[int, KnownPerson]:
    """People (all, or those given) with their aliases, as plain data for the pipeline."""
    people = Person.objects.all()
    aliases = Alias.objects.all()
    if person_ids is not None:
        people = people.filter(pk__in=person_ids)
        aliases = aliases.filter(person_id__in=person_ids)
    texts: dict[int, list[str]] = {}
    for person_id, text in aliases.values_list("person_id", "text"):
        texts.setdefault(person_id, []).append(text)
    return {
        pk: KnownPerson(key=pk, name=name, aliases=tuple(texts.get(pk, ())))
        for pk, name in people.values_list("pk", "name")
    }


def load_world() -> WorldKnowledge:
    """What curation has taught the importer: people, aliases, rejected names."""
    rejected = frozenset(RejectedName.objects.values_list("normalized", flat=True))
    return WorldKnowledge(people=tuple(known_people().values()), rejected_names=rejected)


class Importer:
    """Imports files one by one, keeping its world knowledge current between files."""

    def __init__(self, *, publish: bool = False, dry_run: bool = False, max_bytes=None):
        self.publish = publish
        self.dry_run = dry_run
        self.max_bytes = max_bytes or settings.NEWSROOM_IMPORT_MAX_BYTES
        self.min_confidence = publish_min_confidence()
        world = load_world()
        self._people = {person.key: person for person in world.people}
        self.world = world

    def import_path(self, path: Path) -> ImportOutcome:
        name = str(path)
        try:
            raw = path.read_bytes()
        except OSError as error:
            return ImportOutcome(name, FAILED, reason=f"cannot read file: {error.strerror}")
        try:
            parsed = extraction.parse_article(
                raw, source_name=path.name, world=self.world, max_bytes=self.max_bytes
            )
        except IngestError as error:
            return ImportOutcome(name, FAILED, reason=str(error))
        # A concurrent import may win a race on a unique key; the retry then sees its rows.
        for attempt in range(2):
            try:
                outcome = self._save(parsed, name)
            except IntegrityError as error:
                if attempt:
                    return ImportOutcome(name, FAILED, reason=f"database refused it: {error}")
                continue
            except DatabaseError as error:
                return ImportOutcome(name, FAILED, reason=f"database error: {error}")
            if not self.dry_run and outcome.people:
                self._learn(outcome.people)
            return outcome
        raise AssertionError("unreachable")

    def _learn(self, people: dict[int, KnownPerson]) -> None:
        """Make the people a file created or named (with new aliases) known to the next."""
        self._people.update(people)
        self.world = WorldKnowledge(
            people=tuple(self._people.values()), rejected_names=self.world.rejected_names
        )

    def _save(self, parsed: ParsedArticle, name: str) -> ImportOutcome:
        outcome = ImportOutcome(name, UNCHANGED)
        try:
            with transaction.atomic():
                _serialise_imports()
                _save_parsed(
                    parsed,
                    outcome,
                    publish=self.publish,
                    world=self.world,
                    min_confidence=self.min_confidence,
                )
                if self.dry_run:
                    raise _DryRunRollback
        except _DryRunRollback:
            pass
        return outcome


def _serialise_imports() -> None:
    """One importer writes at a time, so that people are never created twice.

    SQLite already serialises writers (IMMEDIATE transactions); on PostgreSQL a
    transaction-scoped advisory lock does the same.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x4E_65_77_73])  # "News"


def _save_parsed(
    parsed: ParsedArticle,
    outcome: ImportOutcome,
    *,
    publish: bool,
    world: WorldKnowledge,
    min_confidence: float,
) -> None:
    # One query finds both an article with these exact bytes and one with this file name.
    found = {
        article.source_sha256 == parsed.sha256: article
        for article in Article.objects.select_for_update().filter(
            Q(source_sha256=parsed.sha256) | Q(source_name=parsed.source_name)
        )
    }
    if same_bytes := found.get(True):
        outcome.article_id = same_bytes.pk
        if same_bytes.source_name != parsed.source_name:
            outcome.notes.append(f"same content as {same_bytes.source_name}")
        return

    values = _article_values(parsed)
    article = found.get(False)
    is_new = article is None
    if is_new:
        article = Article(
            **values,
            source_name=parsed.source_name,
            source_sha256=parsed.sha256,
            raw_text=parsed.raw_text,
            status=Article.Status.PUBLISHED if publish else Article.Status.DRAFT,
            imported_values=_fingerprint(values),
        )
        article._change_reason = IMPORT_REASON
        article.save()
        outcome.status = CREATED
        keep_extraction = False
    else:
        outcome.status = UPDATED
        edited = _fields_edited_by_editors(article)
        for name, value in values.items():
            if name not in edited:
                setattr(article, name, value)
        article.source_sha256 = parsed.sha256
        article.raw_text = parsed.raw_text
        article.imported_values = _fingerprint(values)
        article._change_reason = IMPORT_REASON
        article.save()
        # An editor rewrote the body: the new extraction's offsets would not fit it.
        keep_extraction = "body" in edited
        if keep_extraction:
            outcome.notes.append("body edited by an editor: extraction kept as it was")
    outcome.article_id = article.pk
    if keep_extraction:
        return

    people = _resolve_people(parsed, outcome, rejected=world.rejected_names)
    _replace_mentions(article, parsed, people, is_new=is_new)
    _replace_quotes(article, parsed, people, outcome, is_new=is_new, min_confidence=min_confidence)
    _replace_events(article, parsed, people, outcome, is_new=is_new)
    _suggest_tags(article, parsed.suggested_tags, is_new=is_new)


def _article_values(parsed: ParsedArticle) -> dict:
    published_at = None
    if parsed.published_on is not None:
        published_at = dt.datetime.combine(parsed.published_on, dt.time(), tzinfo=LONDON)
    return {
        "title": _clip(parsed.headline or parsed.source_name, 300),
        "title_derived": parsed.headline_derived,
        "standfirst": parsed.standfirst,
        "body": parsed.body,
        "captions": list(parsed.captions),
        "published_at": published_at,
    }


def _fingerprint(values: dict) -> dict:
    """A JSON-able digest of what the importer wrote for each editable field."""
    return {
        name: hashlib.sha256(repr(values[name]).encode()).hexdigest()[:16]
        for name in EDITABLE_FIELDS
    }


def _fields_edited_by_editors(article: Article) -> set[str]:
    """Fields whose value differs from what the last import wrote (an editor changed them)."""
    imported = article.imported_values or {}
    current = _fingerprint({name: getattr(article, name) for name in EDITABLE_FIELDS})
    return {
        name for name in EDITABLE_FIELDS if name in imported and imported[name] != current[name]
    }


def _resolve_people(
    parsed: ParsedArticle, outcome: ImportOutcome, *, rejected: frozenset[str]
) -> list[Person | None]:
    """One Person per extracted person: known, found by full name, or created (in bulk)."""
    keys = [normalize_name(person.name) for person in parsed.people]
    known_ids = {p.known_key for p in parsed.people if p.known_key is not None}
    # The pipeline's knowledge may be older than the database (an editor merged someone
    # meanwhile), so known people are re-read and the others looked up by full name.
    by_id = Person.objects.in_bulk(known_ids) if known_ids else {}
    unresolved = [
        key for p, key in zip(parsed.people, keys, strict=True) if p.known_key not in by_id
    ]
    by_name: dict[str, Person] = {}
    if unresolved:
        for person in Person.objects.filter(name_normalized__in=unresolved).order_by("pk"):
            by_name.setdefault(person.name_normalized, person)
        for alias in Alias.objects.filter(
            normalized__in=unresolved, kind__in=IDENTIFYING_ALIAS_KINDS
        ).select_related("person"):
            by_name.setdefault(alias.normalized, alias.person)

    resolved: list[Person | None] = []
    to_create: list[Person] = []
    for extracted, key in zip(parsed.people, keys, strict=True):
        person = by_id.get(extracted.known_key) or by_name.get(key)
        if person is None and key and key not in rejected:
            person = by_name[key] = Person(name=_clip(extracted.name, 200), name_normalized=key)
            to_create.append(person)
        resolved.append(person)
    if to_create:
        _assign_slugs(to_create)
        # Both backends return primary keys from bulk inserts, so `resolved` is complete.
        bulk_create_with_history(to_create, Person, default_change_reason=IMPORT_REASON)
        outcome.people_created = len(to_create)
    outcome.people = _add_aliases(parsed, resolved)
    return resolved


def _assign_slugs(people: Sequence[Person]) -> None:
    bases = [slugify(person.name)[:200].strip("-") or "person" for person in people]
    starts_with = Q()
    for base in set(bases):
        starts_with |= Q(slug__startswith=base)
    taken = set(Person.objects.filter(starts_with).values_list("slug", flat=True))
    for person, base in zip(people, bases, strict=True):
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        person.slug = slug


def _alias_kind(alias: str, name: str) -> str:
    if alias.startswith("@"):
        return Alias.Kind.HANDLE
    parts = name.split()
    if alias.split()[0].rstrip(".") in {"Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Sir", "Dame"}:
        return Alias.Kind.TITLED
    if parts and alias == parts[0]:
        return Alias.Kind.FIRST_NAME
    if parts and alias == parts[-1]:
        return Alias.Kind.SURNAME
    return Alias.Kind.OTHER


def _add_aliases(
    parsed: ParsedArticle, resolved: Sequence[Person | None]
) -> dict[int, KnownPerson]:
    """Record the other forms the article used for each person (once per person).

    Returns the people named, with all their aliases, as the pipeline will know them.
    """
    people = {person.pk: person for person in resolved if person is not None}
    if not people:
        return {}
    texts: dict[int, list[str]] = {pk: [] for pk in people}
    existing = {(pk, person.name_normalized) for pk, person in people.items()}
    for person_id, text, normalized in Alias.objects.filter(person_id__in=people).values_list(
        "person_id", "text", "normalized"
    ):
        texts[person_id].append(text)
        existing.add((person_id, normalized))
    new_aliases = []
    for extracted, person in zip(parsed.people, resolved, strict=True):
        if person is None:
            continue
        for text in [extracted.name, *extracted.aliases]:
            text = _clip(" ".join(text.split()), 200)
            key = (person.pk, normalize_name(text))
            if not text or key in existing:
                continue
            existing.add(key)
            texts[person.pk].append(text)
            new_aliases.append(
                Alias(
                    person=person,
                    text=text,
                    normalized=key[1],
                    kind=_alias_kind(text, person.name),
                )
            )
    if new_aliases:
        bulk_create_with_history(new_aliases, Alias, default_change_reason=IMPORT_REASON)
    return {
        pk: KnownPerson(key=pk, name=person.name, aliases=tuple(texts[pk]))
        for pk, person in people.items()
    }


def _replace_mentions(article, parsed, people, *, is_new: bool) -> None:
    if not is_new:
        article.mentions.all().delete()
    seen: set[int] = set()
    mentions = []
    for mention in parsed.mentions:
        person = people[mention.person]
        if person is None or mention.start in seen:
            continue
        seen.add(mention.start)
        mentions.append(
            Mention(article=article, person=person, start=mention.start, end=mention.end)
        )
    Mention.objects.bulk_create(mentions)


def _quote_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _replace_quotes(
    article, parsed, people, outcome: ImportOutcome, *, is_new: bool, min_confidence: float
) -> None:
    """Unreviewed quotes are replaced; reviewed ones stay as the editor left them.

    A new quote below ``min_confidence`` gets no speaker: its candidate is only suggested.
    """
    existing = [] if is_new else list(article.quotes.all())
    reviewed = [q for q in existing if q.status != Quote.Status.AUTO or q.speaker_corrected]
    if len(reviewed) < len(existing):
        Quote.objects.filter(pk__in=[q.pk for q in existing if q not in reviewed]).delete()
    reviewed_keys: dict[str, Quote] = {_quote_key(q.text): q for q in reviewed}
    relocated: list[Quote] = []
    new_quotes = []
    for quote in parsed.quotes:
        match = reviewed_keys.pop(_quote_key(quote.text), None)
        if match is not None:
            if (match.start, match.end) != (quote.start, quote.end):
                match.start, match.end = quote.start, quote.end
                relocated.append(match)
            continue
        candidate = people[quote.speaker] if quote.speaker is not None else None
        confidence = min(max(quote.confidence, 0.0), 1.0)
        sure = confidence >= min_confidence
        # A description ("the 23-year-old said") names nobody: its person is a suggestion.
        described = people[quote.suggested_speaker] if quote.suggested_speaker is not None else None
        new_quotes.append(
            Quote(
                article=article,
                text=quote.text,
                start=quote.start,
                end=quote.end,
                speaker=candidate if sure else None,
                suggested_speaker=described or (None if sure else candidate),
                speaker_label="" if candidate else _clip(quote.speaker_label or "", 200),
                partial=quote.partial,
                attribution_rule=_clip(quote.rule, 40),
                confidence=confidence,
            )
        )
    if relocated:
        Quote.objects.bulk_update(relocated, ["start", "end"])
    if reviewed_keys:
        # Reviewed quotes whose words are no longer in the story: their offsets would point
        # at other text, so they are removed, and the import says so.
        Quote.objects.filter(pk__in=[q.pk for q in reviewed_keys.values()]).delete()
        outcome.notes.append(f"{len(reviewed_keys)} reviewed quote(s) no longer in the text")
    if new_quotes:
        bulk_create_with_history(new_quotes, Quote, default_change_reason=IMPORT_REASON)
    outcome.quotes_created = len(new_quotes)


def _replace_events(article, parsed, people, outcome: ImportOutcome, *, is_new: bool) -> None:
    """Events an editor edited stay; the others are extracted afresh."""
    existing = [] if is_new else list(article.events.all())
    edited_ids = set()
    if existing:
        # Any change recorded after the import's own creation record is an editor's.
        edited_ids = set(
            Event.history.filter(id__in=[e.pk for e in existing], history_type="~").values_list(
                "id", flat=True
            )
        )
        Event.objects.filter(pk__in=[e.pk for e in existing if e.pk not in edited_ids]).delete()
    kept_summaries = {
        " ".join(e.summary.split()).casefold() for e in existing if e.pk in edited_ids
    }
    new_events, participants = [], []
    for event in parsed.events:
        summary = _clip(event.summary, 500)
        if " ".join(summary.split()).casefold() in kept_summaries:
            continue
        new_events.append(
            Event(
                article=article,
                summary=summary,
                date=event.date if event.precision else None,
                date_precision=event.precision if event.date else None,
                start=event.start,
                end=event.end,
            )
        )
        participants.append({people[i].pk for i in event.people if people[i] is not None})
    if not new_events:
        return
    created = bulk_create_with_history(new_events, Event, default_change_reason=IMPORT_REASON)
    if any(e.pk is None for e in created):  # backends that cannot return ids
        created = list(article.events.order_by("pk"))[-len(new_events) :]
    through = Event.people.through
    through.objects.bulk_create(
        [
            through(event_id=event.pk, person_id=person_id)
            for event, ids in zip(created, participants, strict=True)
            for person_id in sorted(ids)
        ]
    )
    outcome.events_created = len(new_events)


def _suggest_tags(article: Article, names: Sequence[str], *, is_new: bool) -> None:
    """Propose tags (creating missing ones); editors accept or dismiss them."""
    wanted = {name.strip().casefold(): name.strip()[:100] for name in names if name.strip()}
    if not wanted:
        return
    tags = {tag.name.casefold(): tag for tag in Tag.objects.filter(name__in=wanted.values())}
    for key, name in wanted.items():
        if key not in tags:
            tags[key] = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(
                name=name
            )
    already = set() if is_new else set(article.tag_suggestions.values_list("tag_id", flat=True))
    TagSuggestion.objects.bulk_create(
        [TagSuggestion(article=article, tag=tag) for tag in tags.values() if tag.pk not in already]
    )


def _clip(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
