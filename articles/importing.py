"""Persisting imported stories: batches of files, one transaction per batch, bulk writes.

Files are imported in batches (``BATCH_FILES``): one transaction, one search-index flush
and a few bulk INSERTs per batch, while each file stays atomic in its own savepoint (a bad
file rolls back alone, the rest of its batch commits). Files whose bytes an article already
has are found by hash, a query per batch, before any parsing; their search entries are
checked in bulk. ``articles.formats`` is the one seam where a file's bytes become stories.

The extraction itself is the pure pipeline in ``extraction``; this module feeds it
what curation has taught the newsroom (people, aliases, names rejected as non-people),
then writes its result. Re-importing is safe:

- an article is found by its *source key* (``articles.sources``: the file's path inside the
  folder imported, optionally prefixed with a feed name), never by a bare file name, so two
  feeds' ``story.txt`` are two articles; a file whose key belongs to an article but whose
  text is not a revision of it (``articles.sources.revision_similarity``) is refused;
- the same bytes again are reported ``unchanged``;
- a changed file updates its article, but never its status, never a field an editor changed
  since the last import, and never an editor's decision on a quote (confirmed, rejected,
  speaker corrected) or an event an editor edited;
- quotes, mentions and events whose words are still in the story keep their rows (and so
  their ids and permalinks) with new offsets; the vanished ones are removed, and a removed
  quote's id is kept (``RemovedQuote``) so that its permalink answers 410 Gone;
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
import logging
import os
import stat
import threading
import time
import zoneinfo
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Model, Q
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_update_with_history

from extraction.knowledge import WorldIndex
from extraction.types import IngestError, KnownPerson, ParsedArticle, WorldKnowledge
from newsroom.bulk import bulk_insert, reserve_keys
from newsroom.memory import fewer_collections
from people.models import Alias, Person, RejectedName, normalize_name
from search import index as search_index

from . import canonical, formats, sync
from .content_version import bump_content_version, deferred_bumps
from .history import historical_model, insert_history
from .models import (
    Article,
    Event,
    Mention,
    Quote,
    QuoteKey,
    RemovedQuote,
    Tag,
    TagSuggestion,
    publish_min_confidence,
)
from .sources import REVISION_MIN_SIMILARITY, SourceFile, is_revision, source_key

logger = logging.getLogger(__name__)

CREATED, UPDATED, UNCHANGED, FAILED = "created", "updated", "unchanged", "failed"
SOURCE_KEY_MAX_LENGTH = Article._meta.get_field("source_key").max_length
BYLINE_MAX_LENGTH = Article._meta.get_field("byline").max_length
# Article fields the importer fills and an editor may later correct.
EDITABLE_FIELDS = (
    "title",
    "title_derived",
    "standfirst",
    "body",
    "captions",
    "published_at",
    "byline",
)
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
    key: str = ""
    article_id: int | None = None
    people_created: int = 0
    quotes_created: int = 0
    quotes_removed: int = 0
    events_created: int = 0
    notes: list[str] = field(default_factory=list)
    # The people the file names, as the pipeline should know them for the next file.
    people: dict[int, KnownPerson] = field(default_factory=dict)


class _DryRunRollback(Exception):
    pass


# A batch: files imported in one transaction (a savepoint each), up to this many files.
# One commit, one search-index flush and one look-up of people, aliases and tags per batch
# instead of per file; small enough that the write lock is held a second or two.
BATCH_FILES = 100
# Files read (and their hashes looked up, in one query) at a time: up to this many files
# or bytes. Unchanged files cost only this look-up and a check of their index entries.
READ_BATCH_FILES = 500
BATCH_BYTES = 32 << 20


@dataclass
class _Read:
    """A file as read before parsing: its bytes and their hash, or why it failed."""

    path: Path
    key: str
    source: str = ""  # the feed or source name (``SourceFile.source``): ninjs keys use it
    raw: bytes = b""
    sha256: str = ""
    failed: ImportOutcome | None = None
    # Its stories once parsed: (key, ParsedArticle or the IngestError that refused it), or
    # the IngestError that refused the whole file. Kept for a retry of the file alone.
    stories: list | IngestError | None = None


@dataclass
class _Plan:
    """A read batch made ready to write: outcomes so far (files that failed to read, or
    whose bytes an article already has), the files to write in transactions of
    ``BATCH_FILES`` (indexes into ``batch``), and the parser process's futures for them."""

    batch: list[_Read]
    results: list[list[ImportOutcome]]
    unchanged: dict[int, ImportOutcome]
    chunks: list[list[int]]
    futures: list


class _Lookahead:
    """The next batch's plan, made once, when the current batch starts its last
    transaction: the parser process then parses the next batch's first files while that
    transaction is written, instead of the importer waiting for them after it (a tenth of
    the writer's time, at every batch's start). A failure to read the next files is kept
    and raised only once the current batch has committed and reported its outcomes."""

    def __init__(self, plan_next: Callable[[], _Plan | None]):
        self._plan_next = plan_next
        self._started = False
        self._plan: _Plan | None = None
        self._error: Exception | None = None

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        try:
            self._plan = self._plan_next()
        except Exception as error:  # raised again by ``result``, after this batch
            self._error = error

    def result(self) -> _Plan | None:
        self.start()
        if self._error is not None:
            raise self._error
        return self._plan


class BatchWrites:
    """Rows the files of a batch add, written in bulk just before the batch commits: a
    few INSERTs per batch instead of a few per file.

    Each file fills its own (inside its savepoint) and hands it to the batch only once its
    savepoint is released, so a file that fails leaves nothing here. Rows that later files
    must see (articles, people, aliases) are written at once; only their history rows wait.
    A failure when writing makes the batch fail, and the importer then redoes it one file
    per transaction."""

    def __init__(self):
        self.history: dict[type[Model], list[tuple[Model, str]]] = {}
        self.mentions: list[Mention] = []
        self.quotes: list[Quote] = []
        self.events: list[tuple[Event, list[int]]] = []  # with the ids of their people
        self.tag_suggestions: list[TagSuggestion] = []
        self.aliases: list[Alias] = []
        self.people: list[Person] = []  # new people, their keys reserved (``_resolve_people``)
        self.articles: list[Article] = []  # whose extraction these rows are
        self.new_articles: list[Article] = []  # those of them created by the batch
        self.people_created: set[int] = set()
        self.people_touched: set[int] = set()  # people whose API record changed (aliases)

    def add_history(self, model: type[Model], rows: Iterable[Model], kind: str = "+") -> None:
        self.history.setdefault(model, []).extend((row, kind) for row in rows)

    def merge(self, other: BatchWrites) -> None:
        for model, rows in other.history.items():
            self.history.setdefault(model, []).extend(rows)
        self.mentions += other.mentions
        self.quotes += other.quotes
        self.events += other.events
        self.tag_suggestions += other.tag_suggestions
        self.aliases += other.aliases
        self.people += other.people
        self.articles += other.articles
        self.new_articles += other.new_articles
        self.people_created |= other.people_created
        self.people_touched |= other.people_touched

    def write(self) -> None:
        # ``updated_at`` set explicitly, as on every bulk path (issue 15: partners sync by it).
        now = timezone.now()
        for row in [*self.quotes, *(event for event, _ in self.events)]:
            row.updated_at = now
        # The batch's new people, in one insert with the keys the rows below already use.
        if self.people:
            self.add_history(Person, Person.objects.bulk_create(self.people))
        # The batch's new aliases, each once (after a file that failed, the batch's look-up
        # is read again from the database and may offer one an earlier file added).
        aliases: dict[tuple[int, str], Alias] = {}
        for alias in self.aliases:
            aliases.setdefault((alias.person_id, alias.normalized), alias)
        self.add_history(Alias, Alias.objects.bulk_create(list(aliases.values())))
        Mention.objects.bulk_create(self.mentions)
        # The same words in earlier stories (or earlier files of this batch): one group,
        # in a few queries for the whole batch (issue 15), set before the quotes are
        # written (and their history records it), then their keys for later quotes.
        grouping = canonical.assign_groups(quotes=self.quotes)
        quotes = Quote.objects.bulk_create(self.quotes)
        canonical.index_quotes(quotes=quotes, postings=grouping.postings)
        canonical.add_speakers(joined=grouping.joined)
        self.add_history(Quote, quotes)
        events = Event.objects.bulk_create([event for event, _ in self.events])
        # Both backends return primary keys from bulk inserts (SQLite 3.35+, PostgreSQL).
        assert all(event.pk is not None for event in events)
        self.add_history(Event, events)
        through = Event.people.through
        event_people = bulk_insert(
            through,
            [
                through(event_id=event.pk, person_id=person_id)
                for event, people in self.events
                for person_id in people
            ],
        )
        TagSuggestion.objects.bulk_create(self.tag_suggestions)
        if self.tag_suggestions:
            from .services import tag_suggestions_auto_apply

            # Suggestions that now recur across published stories tag them (issue 15).
            tag_suggestions_auto_apply(tag_ids={s.tag_id for s in self.tag_suggestions})
        # The events are all new: their people are the rows just written, not read back.
        m2m_rows = {Event: {"people": event_people}}
        for model, rows in self.history.items():
            insert_history(model, rows, reason=IMPORT_REASON, m2m_rows=m2m_rows.get(model))
        sync.touch_people(self.people_touched, now=now)
        article_ids = {article.pk for article in self.articles}
        published = set()
        if article_ids:
            rows = Article.objects.published().filter(pk__in=article_ids).order_by()
            published = set(rows.values_list("pk", flat=True))
        if published:
            # Their people (and tags) may have become public with these rows.
            sync.touch_article_dependents(sorted(published), visibility=True, now=now)
        self._mark_for_search(quotes, published=published)
        self.__init__()

    def _mark_for_search(self, quotes: list[Quote], *, published: set[int]) -> None:
        """Queue the search entries these rows change (written as the batch commits).

        An updated article: with all its quotes and everyone it names, read back (its
        old rows went without signals). A new article: its rows are all here, so its
        quotes are known without a read, and of the people it names only those whose
        entry it can change: people created or given aliases by the batch and, if it is
        published, everyone it names (who may have just become public). Re-indexing all
        of them read and compared every named person's entry for every story, the longest
        part of an import's index writes (issue 13)."""
        every = {article.pk for article in self.articles}
        updated = every - {article.pk for article in self.new_articles}
        if updated:
            search_index.mark(articles_deep=updated)
        new = every - updated
        if not new:
            return
        new_published = new & published
        named = {m.person_id for m in self.mentions if m.article_id in new_published}
        named.update(q.speaker_id for q in quotes if q.speaker_id and q.article_id in new_published)
        for event, people in self.events:
            if event.article_id in new_published:
                named.update(people)
        search_index.mark(
            articles=new,
            # Built from these objects (their speaker and article loaded), not read back.
            created_quotes=[quote for quote in quotes if quote.article_id in new],
            people=named | self.people_created | self.people_touched,
        )


def known_people(person_ids: Iterable[int] | None = None) -> dict[int, KnownPerson]:
    """People (all, or those given) with their aliases, as plain data for the pipeline."""
    people = Person.objects.all()
    # Ordered by the column, not by the person (whose ordering joins every person).
    aliases = Alias.objects.order_by("person_id", "text")
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
    return WorldKnowledge(people=tuple(known_people().values()), rejected_names=_rejected())


def _rejected() -> frozenset[str]:
    return frozenset(RejectedName.objects.values_list("normalized", flat=True))


# A background import is many tasks of a few dozen files, and each built the pipeline's
# index of everyone known afresh: 0.5 s with 50,000 people, 10 ms per file of a 50-file
# task, several times what the file itself costs (issue 13). A worker process keeps the
# index from one task to the next and brings it up to date from what changed meanwhile:
# people gone (their ids: a read of keys only), people stamped since the last task began
# (created, renamed, given aliases by an import or by an editor's change of the person),
# and the rejected names. Rows are stamped before their transaction commits, so each read
# goes back ``WORLD_OVERLAP`` before the last; and every ``WORLD_REUSE_SECONDS`` the index
# is built afresh, which also brings in what no stamp shows (an alias edited on its own).
# A foreground import already keeps one index for its whole run.
WORLD_REUSE_SECONDS = 600
WORLD_OVERLAP = dt.timedelta(minutes=5)


@dataclass
class _KeptWorld:
    index: WorldIndex
    built: float  # time.monotonic() when it was built afresh
    since: dt.datetime  # people stamped from then on are read again


_kept_world: _KeptWorld | None = None
_kept_world_lock = threading.Lock()


def _take_world() -> _KeptWorld:
    """The index this process kept (taken: no other import uses it meanwhile), brought up
    to date; or a fresh one."""
    global _kept_world
    with _kept_world_lock:
        kept, _kept_world = _kept_world, None
    since = timezone.now() - WORLD_OVERLAP
    if kept is None or time.monotonic() - kept.built > WORLD_REUSE_SECONDS:
        return _KeptWorld(WorldIndex(load_world()), time.monotonic(), since)
    index = kept.index
    present = set(Person.objects.values_list("pk", flat=True))
    index.forget([key for key in index.known_keys() if key not in present])
    stamped = Person.objects.filter(updated_at__gte=kept.since).values("pk")
    index.update(known_people(stamped).values())
    index.set_rejected_names(_rejected())
    return _KeptWorld(index, kept.built, since)


def _keep_world(kept: _KeptWorld) -> None:
    global _kept_world
    with _kept_world_lock:
        _kept_world = kept


class Importer:
    """Imports files in batches, keeping its world knowledge current between files."""

    def __init__(
        self,
        *,
        publish: bool = False,
        dry_run: bool = False,
        max_bytes=None,
        keep_world: bool = False,
    ):
        self.publish = publish
        self.dry_run = dry_run
        self.max_bytes = max_bytes or settings.NEWSROOM_IMPORT_MAX_BYTES
        self.min_confidence = publish_min_confidence()
        # Indexed once; each file's people are added to it (issue 13). ``keep_world``: the
        # index this process kept from its last import, kept again after this one (a
        # worker's background tasks; never a dry run, whose people are rolled back).
        self._kept_world = _take_world() if keep_world and not dry_run else None
        self.world = self._kept_world.index if self._kept_world else WorldIndex(load_world())
        self._provisional: set = set()  # keys of people parsed but not saved yet
        self._parser: ParserProcess | None = None
        self._parser_refused = False
        # Whether each file is written in a savepoint of its own (see ``_save_story``).
        self._file_savepoints = True

    def import_path(self, path: Path, *, key: str | None = None) -> ImportOutcome:
        """Import one file as the story ``key`` (by default its file name, as for a file
        named directly; ``articles.sources.collect_sources`` gives each file its key)."""
        return self.import_files([SourceFile(path, key or source_key(path))])[0]

    def import_files(self, files: Iterable, on_outcome=None) -> list[ImportOutcome]:
        """Import ``files`` (``SourceFile``s) batch by batch; ``on_outcome`` hears of each
        file's outcome once its batch has committed."""
        outcomes: list[ImportOutcome] = []
        batches = iter(self._batches(files))

        def plan_next() -> _Plan | None:
            batch = next(batches, None)
            return None if batch is None else self._plan(batch)

        try:
            # A batch's objects all live until it commits; its pages go to the WAL.
            with fewer_collections(), _fewer_checkpoints():
                plan = plan_next()
                while plan is not None:
                    ahead = _Lookahead(plan_next)
                    for outcome in self._import_batch(plan, before_last_chunk=ahead.start):
                        outcomes.append(outcome)
                        if on_outcome is not None:
                            on_outcome(outcome)
                    plan = ahead.result()
            if self._kept_world is not None:
                # Only after a whole import: one that stopped half-way may have taught its
                # index people whose transaction never committed.
                self._kept_world.index = self.world
                _keep_world(self._kept_world)
        finally:
            if self._parser is not None:
                self._parser.close()
                self._parser = None
        return outcomes

    def _parser_for(self, chunks: int) -> ParserProcess | None:
        """The parser process, started for the first batch that has several transactions'
        worth of files to write (below that there is nothing to overlap), on a machine with
        a core to spare for it."""
        if self._parser is None and not self._parser_refused:
            mode = settings.NEWSROOM_IMPORT_PARSER_PROCESS
            if mode == "always" or (mode == "auto" and chunks >= 2 and (os.cpu_count() or 1) >= 2):
                self._parser = ParserProcess(self.world.snapshot())
        return self._parser

    def _parse_ahead(self, batch: list[_Read], chunks: list[list[int]]) -> list:
        """Hand the chunks' files to the parser process, if one runs: one future each."""
        parser = self._parser_for(len(chunks))
        if parser is None:
            return []
        return [parser.submit([batch[i] for i in chunk], self.max_bytes) for chunk in chunks]

    def _collect(self, batch: list[_Read], chunk: list[int], future) -> None:
        """Take a chunk's stories from the parser process; if it failed, they are parsed
        here instead (and the process is not used again)."""
        try:
            parsed = future.result()
        except Exception:  # a dead or broken process: the import goes on without it
            logger.exception("the import's parser process failed; parsing in the importer")
            self._parser_refused = True
            if self._parser is not None:
                self._parser.close()
                self._parser = None
            return
        for i, stories in zip(chunk, parsed, strict=True):
            batch[i].stories = stories

    def _batches(self, files: Iterable) -> Iterable[list[_Read]]:
        batch: list[_Read] = []
        size = 0
        for file in files:
            read = self._read(file.path, file.key, getattr(file, "source", ""))
            batch.append(read)
            size += len(read.raw)
            if len(batch) >= READ_BATCH_FILES or size >= BATCH_BYTES:
                yield batch
                batch, size = [], 0
        if batch:
            yield batch

    def _read(self, path: Path, key: str, source: str = "") -> _Read:
        name = str(path)
        if len(key) > SOURCE_KEY_MAX_LENGTH:
            reason = (
                f"source key too long ({len(key)} characters, at most "
                f"{SOURCE_KEY_MAX_LENGTH}): use a shorter folder path or --source name"
            )
            return _Read(path, key, failed=ImportOutcome(name, FAILED, key=key, reason=reason))
        try:
            raw = read_story(path, max_bytes=self.max_bytes)
        except OSError as error:
            reason = f"cannot read file: {error.strerror}"
            return _Read(path, key, failed=ImportOutcome(name, FAILED, key=key, reason=reason))
        except IngestError as error:
            return _Read(path, key, failed=ImportOutcome(name, FAILED, key=key, reason=str(error)))
        return _Read(path, key, source, raw=raw, sha256=hashlib.sha256(raw).hexdigest())

    def _plan(self, batch: list[_Read]) -> _Plan:
        """Files read together: those whose bytes are an article's already are
        ``unchanged`` without being parsed (one query for them all; their search entries
        are checked with the first transaction); the others go in transactions of
        ``BATCH_FILES`` files, handed to the parser process (if one runs) at once.

        A file whose bytes a transaction still open gives an article is not caught here:
        the transaction that writes it finds that article as it would any other
        (``_save_parsed``), and reports the file unchanged all the same."""
        same_bytes = {
            sha: (pk, stored_key)
            for pk, sha, stored_key in Article.objects.filter(
                source_sha256__in={read.sha256 for read in batch if not read.failed}
            ).values_list("pk", "source_sha256", "source_key")
        }
        results: list[list[ImportOutcome]] = []
        unchanged: dict[int, ImportOutcome] = {}
        for read in batch:
            if read.failed:
                results.append([read.failed])
            elif read.sha256 in same_bytes:
                article_id, stored_key = same_bytes[read.sha256]
                outcome = ImportOutcome(str(read.path), UNCHANGED, key=read.key)
                outcome.article_id = article_id
                if stored_key != read.key:
                    outcome.notes.append(f"same content as {stored_key}")
                unchanged.setdefault(article_id, outcome)
                results.append([outcome])
            else:
                results.append([])  # filled in the transaction
        todo = [i for i, read in enumerate(batch) if not results[i]]
        chunks = [todo[i : i + BATCH_FILES] for i in range(0, len(todo), BATCH_FILES)]
        # The parser process (if any) parses the next chunks while this one is written.
        return _Plan(batch, results, unchanged, chunks, self._parse_ahead(batch, chunks))

    def _import_batch(
        self, plan: _Plan, *, before_last_chunk: Callable[[], None] | None = None
    ) -> list[ImportOutcome]:
        """Write a planned batch, one transaction per chunk; the unchanged files' index
        check (a few queries for them all) rides with the first. ``before_last_chunk`` is
        called as the last transaction starts, if the parser process runs (``_Lookahead``)."""
        batch, results, futures = plan.batch, plan.results, plan.futures
        chunks = plan.chunks or [[]]
        for n, chunk in enumerate(chunks):
            # Only to a parser process already running: one started now would not know the
            # people of this last chunk, which is parsed here, below.
            last = n == len(chunks) - 1
            if last and before_last_chunk is not None and self._parser is not None:
                before_last_chunk()
            if futures:
                self._collect(batch, chunk, futures[n])
            self._commit(batch, chunk, results, plan.unchanged if n == 0 else {})
        return [outcome for outcomes in results for outcome in outcomes]

    def _commit(
        self,
        batch: list[_Read],
        chunk: list[int],
        results: list[list[ImportOutcome]],
        unchanged: dict[int, ImportOutcome],
    ) -> None:
        """Import the files ``chunk`` (indexes into ``batch``; outcomes into ``results``)
        and check the index of the ``unchanged`` articles, in one transaction."""
        if not chunk and not unchanged:
            return
        # Parsed before the transaction: the importers' lock is held for writing only, so
        # a second worker parses its batch while this one writes (issue 13).
        for i in chunk:
            self._parse_read(batch[i])
        provisional = self._provisional
        repaired: dict[int, int] = {}
        try:
            # One bump of the content version as the batch ends, not a lock on its row
            # held from the batch's first write to its commit (editors' writes waited).
            with search_index.atomic(), deferred_bumps():
                _serialise_imports()
                self._cache = BatchCache()
                self._writes = BatchWrites()
                self._cache.look_up([story for i in chunk for story in _parsed_stories(batch[i])])
                # Several files: none in a savepoint of its own; a database error fails the
                # batch, which is then imported again one file per transaction (below).
                self._file_savepoints = len(chunk) == 1 or self.dry_run
                for i in chunk:
                    results[i] = self._import_read(batch[i])
                self._cache.insert_pending()
                self._writes.write()
                # Unchanged, but their search entries are checked (and repaired if missing
                # or stale): the next run heals what a crash or an older version lost.
                repaired = search_index.verify_articles(unchanged)
                if self.dry_run:
                    raise _DryRunRollback
        except _DryRunRollback:
            search_index.discard_queue()  # ids of rows that were never committed
        except DatabaseError as error:
            # The commit (or the index flush) failed: nothing of it was written. One file
            # at a time then, so that only the file at fault fails.
            search_index.discard_queue()
            # What its files taught the index was rolled back with them: read it again
            # (a rare path; the index is otherwise updated in place, file by file).
            self.world = WorldIndex(load_world())
            self._provisional = set()
            if len(chunk) + bool(unchanged) > 1:
                for i in chunk:
                    self._commit(batch, [i], results, {})
                self._commit(batch, [], results, unchanged)
                return
            for outcome in results[chunk[0]] if chunk else unchanged.values():
                outcome.status, outcome.reason = FAILED, f"database error: {error}"
            return
        for article_id, count in repaired.items():
            unchanged[article_id].notes.append(f"search index repaired ({count} entries)")
        # What the stories taught the index as people not yet saved is now known as the
        # saved people (``_learn``), or was rolled back with its file.
        if self._provisional is provisional:
            self.world.forget(provisional)
            self._provisional = set()

    def _parse_read(self, read: _Read) -> None:
        """Parse the stories of ``read`` here, unless the parser process did already."""
        if read.stories is None:
            read.stories = parse_file(
                read.path,
                read.raw,
                read.key,
                read.source,
                world=self.world,
                provisional=self._provisional,
                max_bytes=self.max_bytes,
            )

    def _import_read(self, read: _Read) -> list[ImportOutcome]:
        """Save the stories of one file (parsed by ``_parse_read``) in turn."""
        name = str(read.path)
        self._parse_read(read)
        if isinstance(read.stories, IngestError):
            return [ImportOutcome(name, FAILED, key=read.key, reason=str(read.stories))]
        outcomes = []
        for key, story in read.stories:
            if isinstance(story, IngestError):
                outcomes.append(ImportOutcome(name, FAILED, key=key, reason=str(story)))
                continue
            outcomes.append(self._save_story(story, name, key))
        return outcomes

    def _save_story(
        self, parsed: ParsedArticle, name: str, key: str, *, authored: bool = False
    ) -> ImportOutcome:
        """Write one story. Alone in its transaction (or a dry run), in a savepoint: a
        story the database refuses fails alone, and one that lost a race on a unique key
        (to a concurrent import or an editor) is tried again, reading what won. In a
        batch of several files, without: a savepoint is two more statements per file (a
        round trip each on PostgreSQL), and a batch that meets a database error is
        imported again one file per transaction (``_commit``), with the same outcome."""

        def save(outcome: ImportOutcome, writes: BatchWrites, *, defer_new: bool) -> None:
            _save_parsed(
                parsed,
                outcome,
                key=key,
                publish=self.publish,
                world=self.world,
                min_confidence=self.min_confidence,
                cache=self._cache,  # (read at each call: a retry starts a fresh one)
                writes=writes,
                authored=authored,
                defer_new=defer_new,
            )

        if not self._file_savepoints:
            outcome = ImportOutcome(name, UNCHANGED, key=key)
            writes = BatchWrites()
            save(outcome, writes, defer_new=True)
            self._writes.merge(writes)
            if outcome.people:
                self._learn(outcome.people)
            return outcome
        # A concurrent import may win a race on a unique key; the retry then sees its rows.
        for attempt in range(2):
            outcome = ImportOutcome(name, UNCHANGED, key=key)
            writes = BatchWrites()
            try:
                # A savepoint: a file that fails rolls back alone, the batch goes on.
                with transaction.atomic():
                    save(outcome, writes, defer_new=False)
                    if self.dry_run:
                        raise _DryRunRollback
            except _DryRunRollback:
                self._cache = BatchCache()  # what it learnt was rolled back
                return outcome
            except IntegrityError as error:
                if attempt:
                    return ImportOutcome(
                        name, FAILED, key=key, reason=f"database refused it: {error}"
                    )
                # Someone else (an editor) may have taken a slug meanwhile: read again.
                self._cache = BatchCache()
                continue
            except DatabaseError as error:
                self._cache = BatchCache()  # it may hold rows the savepoint rolled back
                return ImportOutcome(name, FAILED, key=key, reason=f"database error: {error}")
            self._writes.merge(writes)
            if outcome.people:
                self._learn(outcome.people)
            return outcome
        raise AssertionError("unreachable")

    def _learn(self, people: dict[int, KnownPerson]) -> None:
        """Make the people a file created or named (with new aliases) known to the next,
        in time proportional to them (not to everyone known)."""
        self.world.update(people.values())


def import_sources(
    files: Sequence,
    *,
    publish: bool = False,
    dry_run: bool = False,
    max_bytes: int | None = None,
    on_outcome=None,
    keep_world: bool = False,
) -> list[ImportOutcome]:
    """Import ``files`` (``articles.sources.SourceFile``: a path and its source key), one
    outcome per story in order. ``on_outcome(outcome)`` is called as each one is known
    (progress bars, task progress): after its batch commits. The command, the background
    task and the admin upload all import through here. ``keep_world``: reuse the index of
    known people this process kept from its last such import (see ``_take_world``)."""
    importer = Importer(
        publish=publish, dry_run=dry_run, max_bytes=max_bytes, keep_world=keep_world
    )
    return importer.import_files(files, on_outcome=on_outcome)


def save_story(
    *, story: formats.Story, publish: bool = False, name: str = "admin"
) -> ImportOutcome:
    """Run the pipeline on one story written in the admin and save it as the article keyed
    ``story.key``, as an import of a file holding it would (``articles.admin``'s "Add
    article" and its body edits): the same extraction of people, quotes, events and tags,
    and on a later save the same sync that keeps editors' decisions on quotes and events.
    A story that cannot be read is a ``failed`` outcome with the reason."""
    importer = Importer(publish=publish)
    try:
        parsed = story.parse(world=importer.world, max_bytes=importer.max_bytes)
    except IngestError as error:
        return ImportOutcome(name, FAILED, key=story.key, reason=str(error))
    with search_index.atomic(), deferred_bumps():
        _serialise_imports()
        importer._cache = BatchCache()
        importer._writes = BatchWrites()
        outcome = importer._save_story(parsed, name, story.key, authored=True)
        importer._writes.write()
    return outcome


# What a path that is no regular file is, for the refusal.
_FILE_TYPES = {
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def read_story(path: Path, *, max_bytes: int) -> bytes:
    """The bytes of the story file at ``path``, read only if it is a regular file of at
    most ``max_bytes`` bytes; ``IngestError`` (with the reason) otherwise.

    Size and type are checked before reading (issue 12): ``/dev/zero`` or a 1 GiB file was
    read whole before its size was looked at, and reading a FIFO waited for a writer
    forever. The file is opened without blocking (a FIFO swapped in after the check opens
    at once), checked again on the open descriptor, and at most ``max_bytes + 1`` bytes are
    read, so a file that grows meanwhile is still refused.
    """
    _check_story(os.stat(path), max_bytes)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        _check_story(os.fstat(fd), max_bytes)
        chunks: list[bytes] = []
        left = max_bytes + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    if len(raw) > max_bytes:
        raise IngestError(f"file is too large (more than {max_bytes:,} bytes, the limit)")
    return raw


def _check_story(status: os.stat_result, max_bytes: int) -> None:
    if not stat.S_ISREG(status.st_mode):
        kind = _FILE_TYPES.get(stat.S_IFMT(status.st_mode), "a special file")
        raise IngestError(f"not a regular file: it is {kind}")
    if status.st_size > max_bytes:
        raise IngestError(
            f"file is too large ({status.st_size:,} bytes; the limit is {max_bytes:,})"
        )


# SQLite copies its write-ahead log into the database file (a checkpoint, with two fsyncs)
# whenever a commit leaves the log longer than 1,000 pages: after nearly every batch of an
# import, each copying again the index pages the last one wrote (8 % of the time of an
# import of 5,000 files). While files are imported, every 16,384 pages (64 MB) instead.
IMPORT_WAL_CHECKPOINT_PAGES = 16_384


@contextmanager
def _fewer_checkpoints() -> Iterator[None]:
    """On SQLite, checkpoint the log less often while the block runs, and once as it ends
    (as far as readers allow), so that the log does not stay long after an import."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        (pages,) = cursor.fetchone()
        cursor.execute(f"PRAGMA wal_autocheckpoint = {IMPORT_WAL_CHECKPOINT_PAGES:d}")
    try:
        yield
    finally:
        # (The connection may have gone meanwhile, and a new one starts with the default;
        # an error here must not hide the one that ended the block.)
        if connection.connection is not None:
            with suppress(DatabaseError), connection.cursor() as cursor:
                cursor.execute(f"PRAGMA wal_autocheckpoint = {int(pages):d}")
                if not connection.in_atomic_block:
                    cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")


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
    key: str,
    publish: bool,
    world: WorldIndex,
    min_confidence: float,
    cache: BatchCache,
    writes: BatchWrites,
    authored: bool = False,
    defer_new: bool = False,
) -> None:
    """Write one parsed story as the article keyed ``key`` (created or updated).

    ``defer_new``: a new article is inserted with the batch's others, in one statement,
    not now (in a batch of several files, which a database error fails as a whole).

    ``authored``: the story was written in the admin (``save_story``), so its text is the
    editor's own: every field is taken as the new text (none counts as "edited since the
    import") and a rewrite is never refused as another story."""
    # One query finds an article with these exact bytes, the article under this key and,
    # for articles imported before source keys existed (keyed by their file name), that one.
    legacy_key = parsed.source_name
    lookup = Q(source_sha256=parsed.sha256) | Q(source_key=key)
    if legacy_key != key:
        lookup |= Q(source_key=legacy_key)
    found = cache.articles_for(parsed.sha256, {key, legacy_key})
    if found and any(article.pk is None for article in found):
        # An article an earlier file of the batch created, not inserted yet: it is now.
        cache.insert_pending()
    if found is None:
        found = list(Article.objects.select_for_update().filter(lookup))
    if same_bytes := next((a for a in found if a.source_sha256 == parsed.sha256), None):
        outcome.article_id = same_bytes.pk
        if same_bytes.source_key != key:
            outcome.notes.append(f"same content as {same_bytes.source_key}")
        # Unchanged, but its search entries are checked (and repaired if missing or stale):
        # the next run heals what a crash or an older version's index write lost.
        if repaired := search_index.reindex_article(same_bytes.pk):
            outcome.notes.append(f"search index repaired ({repaired} entries)")
        return

    values = _article_values(parsed)
    article = next((a for a in found if a.source_key == key), None)
    if article is not None and not authored:
        revision, similarity = is_revision(_story_text(article), _story_text(values))
        if not revision:
            _refuse(outcome, article, values, similarity)
            return
    elif (legacy := next((a for a in found if a.source_key == legacy_key), None)) and (
        is_revision(_story_text(legacy), _story_text(values))[0]
    ):
        # Imported before source keys, under its file name: a revision of it takes it over.
        article = legacy
        outcome.notes.append(f"was keyed {legacy_key}")
    is_new = article is None
    old_body = ""
    if is_new:
        article = Article(
            **values,
            source_key=key,
            source_name=parsed.source_name,
            source_sha256=parsed.sha256,
            raw_text=parsed.raw_text,
            status=Article.Status.PUBLISHED if publish else Article.Status.DRAFT,
            imported_values=_fingerprint(values),
        )
        article.slug = cache.slugs.take(Article, article.title, fallback="article")
        # Inserted with the batch's other new articles (``BatchCache.insert_pending``), or
        # at once, the same way (its history record goes with the batch's, and its search
        # entries are marked with its rows: ``BatchWrites``).
        cache.defer_article(article, outcome)
        if not defer_new:
            cache.insert_pending()
        cache.remember_article(article)
        writes.add_history(Article, [article])
        writes.new_articles.append(article)
        outcome.status = CREATED
        keep_extraction = False
    else:
        outcome.status = UPDATED
        old_body = article.body
        edited = set() if authored else _fields_edited_by_editors(article)
        for name, value in values.items():
            if name not in edited:
                setattr(article, name, value)
        article.source_key = key
        article.source_name = parsed.source_name
        article.source_sha256 = parsed.sha256
        article.raw_text = parsed.raw_text
        article.imported_values = _fingerprint(values)
        # Its history record goes with the batch's too (``insert_history``, with its tags
        # and authors as django-simple-history records them, in a few queries per batch).
        article.skip_history_when_saving = True
        article.save()
        del article.skip_history_when_saving
        writes.add_history(Article, [article], "~")
        cache.remember_article(article)
        # An editor rewrote the body: the new extraction's offsets would not fit it.
        keep_extraction = "body" in edited
        if keep_extraction:
            outcome.notes.append("body edited by an editor: extraction kept as it was")
    outcome.article_id = article.pk
    if keep_extraction:
        return
    writes.articles.append(article)

    people = _resolve_people(
        parsed,
        outcome,
        rejected=world.rejected_names,
        cache=cache,
        writes=writes,
        defer_new=defer_new,
    )
    # People who lost a mention, a quote or an event here may no longer be public: those
    # rows go in bulk, without the signals that would tell the search index.
    unlinked: set[int] = set()
    # What the article holds already: read with the batch's other articles, or now.
    stored = (
        StoredExtraction()
        if is_new
        else cache.stored_extraction(article) or read_stored_extraction([article])[article.pk]
    )
    _sync_mentions(article, old_body, parsed, people, unlinked, stored=stored, writes=writes)
    _sync_quotes(
        article,
        parsed,
        people,
        outcome,
        unlinked,
        stored=stored,
        min_confidence=min_confidence,
        writes=writes,
    )
    _sync_events(article, old_body, parsed, people, outcome, unlinked, stored=stored, writes=writes)
    _suggest_tags(article, parsed.suggested_tags, is_new=is_new, cache=cache, writes=writes)
    if unlinked:
        search_index.mark(people=unlinked)


def _story_text(story: Article | dict) -> str:
    """Headline, standfirst and body: what decides whether two texts are one story."""
    if isinstance(story, dict):
        return "\n\n".join((story["title"], story["standfirst"], story["body"]))
    return "\n\n".join((story.title, story.standfirst, story.body))


def _refuse(outcome: ImportOutcome, article: Article, values: dict, similarity: float) -> None:
    outcome.status = FAILED
    outcome.article_id = article.pk
    outcome.reason = (
        f"refused: its source key {outcome.key} belongs to article {article.pk} "
        f"“{_clip(article.title, 80)}”, and this file (“{_clip(values['title'], 80)}”) is a "
        f"different story, not a revision of it (they share {similarity:.0%} of their "
        f"wording; a revision shares at least {REVISION_MIN_SIMILARITY:.0%}). Import it with "
        "another --source, or delete that article first."
    )


def _article_values(parsed: ParsedArticle) -> dict:
    published_at = parsed.published_at  # the moment, when the format gave one
    if published_at is None and parsed.published_on is not None:
        published_at = dt.datetime.combine(parsed.published_on, dt.time(), tzinfo=LONDON)
    return {
        "title": _clip(parsed.headline or parsed.source_name, 300),
        "title_derived": parsed.headline_derived,
        "standfirst": parsed.standfirst,
        "body": parsed.body,
        "captions": list(parsed.captions),
        "published_at": published_at,
        "byline": _clip(parsed.byline, BYLINE_MAX_LENGTH),
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
    parsed: ParsedArticle,
    outcome: ImportOutcome,
    *,
    rejected: frozenset[str],
    cache: BatchCache,
    writes: BatchWrites,
    defer_new: bool = False,
) -> list[Person | None]:
    """One Person per extracted person: known, found by full name, or created (in bulk).

    ``defer_new``: the new people are given keys now (reserved, ``BatchCache.person_keys``)
    and inserted with the batch's others (``BatchWrites.write``): one INSERT per batch,
    not one per story, which was the most frequent statement of an import (issue 13)."""
    keys = [normalize_name(person.name) for person in parsed.people]
    known_ids = {p.known_key for p in parsed.people if isinstance(p.known_key, int)}
    # The pipeline's knowledge may be older than the database (an editor merged someone
    # meanwhile), so known people are re-read (once per batch) and the others looked up
    # by full name.
    by_id = cache.people_by_id(known_ids)
    unresolved = [
        key for p, key in zip(parsed.people, keys, strict=True) if p.known_key not in by_id
    ]
    by_name = cache.people_by_name(unresolved)
    resolved: list[Person | None] = []
    to_create: list[Person] = []
    for extracted, key in zip(parsed.people, keys, strict=True):
        person = by_id.get(extracted.known_key) or by_name.get(key)
        if person is None and key and key not in rejected:
            name = _clip(extracted.name, 200)
            person = by_name[key] = Person(
                name=name,
                name_normalized=key,
                # Worked out by the parser for the name it read (not for a clipped one).
                sort_name=extracted.sort_key if name == extracted.name else "",
            )
            cache.by_name[key] = person
            to_create.append(person)
        resolved.append(person)
    if to_create:
        cache.slugs.load(Person, [person.name for person in to_create], fallback="person")
        for person in to_create:
            person.slug = cache.slugs.take(Person, person.name, fallback="person")
        if defer_new:
            for person, key in zip(to_create, cache.person_keys(len(to_create)), strict=True):
                person.pk = key
            writes.people += to_create
        else:
            # Both backends return primary keys from bulk inserts: `resolved` is complete.
            writes.add_history(Person, Person.objects.bulk_create(to_create))
        writes.people_created.update(person.pk for person in to_create)
        cache.by_id.update((person.pk, person) for person in to_create)
        cache.aliases.update((person.pk, {}) for person in to_create)
        outcome.people_created = len(to_create)
    outcome.people = _add_aliases(parsed, resolved, cache, writes)
    return resolved


# The key of a person the importer has parsed but not saved yet: (PROVISIONAL, their
# normalised name). Saving resolves it by name, as for a person the index does not know.
PROVISIONAL = "provisional"


def parse_file(
    path: Path,
    raw: bytes,
    key: str,
    source: str,
    *,
    world: WorldIndex,
    provisional: set,
    max_bytes: int,
) -> list | IngestError:
    """The stories of one file (``articles.formats``: a feed holds several), parsed in
    turn: ``[(key, ParsedArticle or the IngestError that refused it)]``, or the
    IngestError that refused the whole file.

    Each story knows the people the ones before it named: people already saved, and
    people parsed but not saved yet, added to ``world`` under a provisional key (their
    normalised name; the keys are added to ``provisional``), which saving resolves by
    name. Work on the text and ``world`` alone: it runs in the importer or in its parser
    process alike."""
    try:
        stories = formats.read_stories(path, raw, key, source=source)
    except IngestError as error:
        return error
    parsed_stories = []
    for story_key, story in stories:
        if not isinstance(story, IngestError):
            try:
                story = story.parse(world=world, max_bytes=max_bytes)
            except IngestError as error:
                story = error
            else:
                _learn_provisionally(world, provisional, story)
        parsed_stories.append((story_key, story))
    return parsed_stories


def _learn_provisionally(world: WorldIndex, provisional: set, parsed: ParsedArticle) -> None:
    for extracted in parsed.people:
        if extracted.known_key is not None and not _is_provisional(extracted.known_key):
            continue  # a saved person: learnt with their stored aliases once saved
        name = normalize_name(extracted.name)
        if not name or name in world.rejected_names:
            continue
        key = (PROVISIONAL, name)
        known = world.get(key)
        aliases = set(extracted.aliases) | set(known.aliases if known else ())
        world.add(KnownPerson(key=key, name=extracted.name, aliases=tuple(sorted(aliases))))
        provisional.add(key)


# The parser process's own index of known people (see ``ParserProcess``).
_parser_world: WorldIndex | None = None


def _start_parser(world: WorldKnowledge) -> None:
    global _parser_world
    _parser_world = WorldIndex(world)


def _parse_files(files: list[tuple[Path, bytes, str, str]], max_bytes: int) -> list:
    assert _parser_world is not None, "the parser process was started without its knowledge"
    # Never forgotten here: this index knows only what it parsed, never the saved rows.
    return [
        parse_file(*file, world=_parser_world, provisional=set(), max_bytes=max_bytes)
        for file in files
    ]


class ParserProcess:
    """One process that parses the next batch's stories while the importer writes the
    current one (issue 13: parsing was a fifth of an import, in the writer's time).

    It parses every story in order, learning the people it parsed as ``parse_file`` does,
    so the results are those of parsing in the importer: one process, not a pool, because
    each story must know the people of the ones before it."""

    def __init__(self, world: WorldKnowledge):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # Forked where the platform allows it: the child starts at once with the pipeline's
        # data already loaded (a spawned one would load Django and the name lists again).
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self._pool = ProcessPoolExecutor(
            max_workers=1, mp_context=context, initializer=_start_parser, initargs=(world,)
        )

    def submit(self, reads: Sequence[_Read], max_bytes: int):
        files = [(read.path, read.raw, read.key, read.source) for read in reads]
        return self._pool.submit(_parse_files, files, max_bytes)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _is_provisional(key) -> bool:
    return isinstance(key, tuple) and len(key) == 2 and key[0] == PROVISIONAL


def _parsed_stories(read: _Read) -> list[tuple[str, ParsedArticle]]:
    """The stories of ``read`` the pipeline could read, with their keys."""
    if read.stories is None or isinstance(read.stories, IngestError):
        return []
    return [(key, story) for key, story in read.stories if not isinstance(story, IngestError)]


# Values per IN (...) list: within SQLite's limit on query parameters.
LOOKUP_BATCH = 500


def _parts(values: list) -> Iterable[list]:
    return (values[i : i + LOOKUP_BATCH] for i in range(0, len(values), LOOKUP_BATCH))


class BatchCache:
    """What the files of one batch look up about people, aliases, tags and slugs, read
    once per batch instead of once per file. Valid inside the batch's transaction, which
    holds the importers' lock (nobody else imports meanwhile); dropped when a file rolls
    back, since it may hold that file's rows."""

    def __init__(self):
        self.slugs = SlugBook()
        self.by_id: dict[int, Person] = {}
        self.by_name: dict[str, Person | None] = {}
        self.aliases: dict[int, dict[str, str]] = {}  # person id: {normalized: text}
        self.tags: dict[str, Tag] = {}
        # Articles by source hash and by source key, for the hashes and keys read.
        self.articles_by_sha: dict[str, Article] = {}
        self.articles_by_key: dict[str, Article] = {}
        self.article_shas_read: set[str] = set()
        self.article_keys_read: set[str] = set()
        # New articles not inserted yet, with the outcomes that wait for their ids.
        self.pending: list[tuple[Article, ImportOutcome]] = []
        # The extraction the found articles hold, until a story's sync takes it.
        self.stored: dict[int, StoredExtraction] = {}
        # Keys reserved for new people (``person_keys``), and how many the look-up expects.
        self._person_keys: list[int] = []
        self._new_names = 0

    def stored_extraction(self, article: Article) -> StoredExtraction | None:
        """What ``article`` held when the batch began, read with the batch's others: once
        (a second story of the batch updating it reads what the first one left)."""
        return self.stored.pop(article.pk, None)

    def person_keys(self, count: int) -> list[int]:
        """Keys for ``count`` new people (``newsroom.bulk.reserve_keys``). The first call
        reserves enough for every name the batch's look-up did not find (each is created
        at most once per batch), so a batch reserves once."""
        if len(self._person_keys) < count:
            wanted = max(count - len(self._person_keys), self._new_names)
            self._person_keys += reserve_keys(Person, wanted)
            self._new_names = 0
        taken, self._person_keys = self._person_keys[:count], self._person_keys[count:]
        return taken

    def defer_article(self, article: Article, outcome: ImportOutcome) -> None:
        self.pending.append((article, outcome))

    def insert_pending(self) -> None:
        """Insert the new articles the batch's files deferred, in one statement (a COPY on
        PostgreSQL), before the rows that refer to them: what ``Article.save`` does for a
        new article (history aside: the batch writes it), for all of them at once."""
        if not self.pending:
            return
        articles = [article for article, _ in self.pending]
        Article.objects.bulk_create(articles)
        for article, outcome in self.pending:
            article.saved_in_bulk()
            outcome.article_id = article.pk
        self.pending = []
        # A new row only adds (``content_version``): what its save's signal would bump.
        bump_content_version(retraction=False)

    def remember_article(self, article: Article) -> None:
        self.articles_by_sha[article.source_sha256] = article
        self.articles_by_key[article.source_key] = article

    def articles_for(self, sha256: str, keys: Iterable[str]) -> list[Article] | None:
        """The articles whose hash is ``sha256`` or whose key is one of ``keys`` (locked
        by the batch's look-up), or None if those were not all read. A mapping may be
        stale (an article saved since under another hash): callers compare the articles'
        own fields, which are current."""
        keys = set(keys)
        if sha256 not in self.article_shas_read or not keys <= self.article_keys_read:
            return None
        found = [self.articles_by_sha.get(sha256), *(self.articles_by_key.get(k) for k in keys)]
        # (By identity: an article not inserted yet has no key.)
        return list({id(article): article for article in found if article is not None}.values())

    def look_up(self, stories: Sequence[tuple[str, ParsedArticle]]) -> None:
        """Read at once what the batch's stories (with their keys) will look up one by
        one: the articles they may be, the slugs new articles would take, their known
        people, the others by name, those people's aliases, and the slugs new people's
        names would take (a few queries per batch instead of a few per story)."""
        shas = {parsed.sha256 for _, parsed in stories}
        keys = {key for key, _ in stories} | {parsed.source_name for _, parsed in stories}
        for part in _parts(sorted(shas)):
            for article in Article.objects.select_for_update().filter(source_sha256__in=part):
                self.remember_article(article)
        for part in _parts(sorted(keys)):
            for article in Article.objects.select_for_update().filter(source_key__in=part):
                self.remember_article(article)
        self.article_shas_read |= shas
        self.article_keys_read |= keys
        # The stories that update an article sync its extraction: read it for them all.
        found = {a.pk: a for a in [*self.articles_by_sha.values(), *self.articles_by_key.values()]}
        self.stored = read_stored_extraction(list(found.values()))
        self.slugs.load(
            Article, [_article_values(parsed)["title"] for _, parsed in stories], fallback="article"
        )
        known_ids, names = set(), {}
        for _, parsed in stories:
            for extracted in parsed.people:
                if isinstance(extracted.known_key, int):
                    known_ids.add(extracted.known_key)
                else:
                    names.setdefault(normalize_name(extracted.name), extracted.name)
        by_id = self.people_by_id(known_ids)
        by_name = self.people_by_name(sorted(names))
        # The tags the stories suggest, read at once (``_suggest_tags`` reads only the new).
        tags = {_tag_name(name) for _, parsed in stories for name in parsed.suggested_tags} - {""}
        for part in _parts(sorted(tags)):
            self.tags.update(
                (tag.name.casefold(), tag) for tag in Tag.objects.filter(name__in=part)
            )
        self.aliases_of({*by_id, *(person.pk for person in by_name.values())})
        new_names = [_clip(name, 200) for key, name in names.items() if key and key not in by_name]
        self.slugs.load(Person, new_names, fallback="person")
        self._new_names += len(new_names)

    def people_by_id(self, ids: Iterable[int]) -> dict[int, Person]:
        missing = [pk for pk in ids if pk not in self.by_id]
        if missing:
            self.by_id.update(Person.objects.in_bulk(missing))
        return {pk: self.by_id[pk] for pk in ids if pk in self.by_id}

    def people_by_name(self, keys: Sequence[str]) -> dict[str, Person]:
        """People by full name, or by an alias that identifies them on its own (a name the
        importer cannot create, so a miss stays a miss for the batch)."""
        missing = sorted({key for key in keys if key not in self.by_name})
        if missing:
            found: dict[str, Person] = {}
            for person in Person.objects.filter(name_normalized__in=missing).order_by("pk"):
                found.setdefault(person.name_normalized, person)
            # (Not in the aliases' own order, by person name: it joins and sorts people.)
            for alias in (
                Alias.objects.filter(normalized__in=missing, kind__in=IDENTIFYING_ALIAS_KINDS)
                .select_related("person")
                .order_by("pk")
            ):
                found.setdefault(alias.normalized, alias.person)
            self.by_name.update((key, found.get(key)) for key in missing)
        return {key: self.by_name[key] for key in keys if self.by_name.get(key) is not None}

    def aliases_of(self, person_ids: Iterable[int]) -> dict[int, dict[str, str]]:
        missing = [pk for pk in person_ids if pk not in self.aliases]
        if missing:
            for pk in missing:
                self.aliases[pk] = {}
            rows = Alias.objects.filter(person_id__in=missing).order_by()
            for person_id, text, normalized in rows.values_list("person_id", "text", "normalized"):
                self.aliases[person_id][normalized] = text
        return self.aliases


# Slug bases looked up per query. SQLite refuses an expression nested more than 1,000 deep
# ("Expression tree is too large"), which one OR of every new person's base was for a story
# naming more than about 1,000 new people (issue 12).
SLUG_LOOKUP_BATCH = 200


class SlugBook:
    """The slugs taken, per model, for the slug bases a batch of imports needs: a few
    queries per batch of bases instead of one per row. Valid inside one transaction of the
    serialised importer (nobody else creates articles or people meanwhile); a slug taken
    by a file that then rolled back is simply skipped.

    A base's numbered slugs ("-2", "-3", …) are only needed once the base itself is taken,
    so they are read only for those bases: most titles and names are new, and one ``IN``
    probe of the unique index answers for all of them."""

    def __init__(self):
        self._taken: dict[type[Model], set[str]] = {}
        self._loaded: dict[type[Model], set[str]] = {}  # bases whose own slug was read
        self._numbered: dict[type[Model], set[str]] = {}  # bases whose "-n" slugs were read

    @staticmethod
    def base(text: str, *, fallback: str) -> str:
        return slugify(text)[:200].strip("-") or fallback

    def load(self, model: type[Model], texts: Iterable[str], *, fallback: str) -> None:
        """Read the slugs taken for the bases of ``texts`` (those not read yet)."""
        loaded = self._loaded.setdefault(model, set())
        taken = self._taken.setdefault(model, set())
        bases = sorted({self.base(text, fallback=fallback) for text in texts} - loaded)
        manager = model._default_manager
        for i in range(0, len(bases), SLUG_LOOKUP_BATCH):
            part = bases[i : i + SLUG_LOOKUP_BATCH]
            taken.update(manager.filter(slug__in=part).order_by().values_list("slug", flat=True))
        loaded.update(bases)
        self._load_numbered(model, [base for base in bases if base in taken])

    def _load_numbered(self, model: type[Model], bases: Sequence[str]) -> None:
        numbered = self._numbered.setdefault(model, set())
        bases = sorted(set(bases) - numbered)
        taken = self._taken[model]
        for i in range(0, len(bases), SLUG_LOOKUP_BATCH):
            lookup = Q(*map(_numbered_slugs, bases[i : i + SLUG_LOOKUP_BATCH]), _connector=Q.OR)
            # In no order: the model's ordering made SQLite walk its whole ordering index
            # instead of the slug ranges (a cost growing with the archive: 1 ms per repeated
            # title at 20,000 articles, issue 13's growth bench).
            rows = model._default_manager.filter(lookup).order_by()
            taken.update(rows.values_list("slug", flat=True))
        numbered.update(bases)

    def take(self, model: type[Model], text: str, *, fallback: str) -> str:
        """A free slug for ``text`` ("rose-ayling-ellis", then "-2", ...), now taken."""
        base = self.base(text, fallback=fallback)
        if base not in self._loaded.get(model, ()):
            self.load(model, [text], fallback=fallback)
        taken = self._taken[model]
        if base in taken and base not in self._numbered[model]:
            self._load_numbered(model, [base])  # taken by an earlier file of this batch
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        return slug


def _numbered_slugs(base: str) -> Q:
    """Slugs starting ``base-``, in a form that uses the slug's unique index: on SQLite a
    range (its LIKE ignores case, so it cannot use a case-sensitive index and scans every
    slug: a cost growing with the archive); PostgreSQL's LIKE uses the pattern index."""
    if connection.vendor == "sqlite":
        return Q(slug__gte=f"{base}-", slug__lt=f"{base}.")  # "." follows "-"
    return Q(slug__startswith=f"{base}-")


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
    parsed: ParsedArticle,
    resolved: Sequence[Person | None],
    cache: BatchCache,
    writes: BatchWrites,
) -> dict[int, KnownPerson]:
    """Record the other forms the article used for each person (once per person).

    Returns the people named, with all their aliases, as the pipeline will know them.
    """
    people = {person.pk: person for person in resolved if person is not None}
    if not people:
        return {}
    stored = cache.aliases_of(people)  # {person id: {normalized: text}}
    texts: dict[int, list[str]] = {pk: sorted(stored[pk].values()) for pk in people}
    existing = {(pk, person.name_normalized) for pk, person in people.items()}
    existing.update((pk, normalized) for pk in people for normalized in stored[pk])
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
            stored[person.pk][key[1]] = text
            new_aliases.append(
                Alias(
                    person=person,
                    text=text,
                    normalized=key[1],
                    kind=_alias_kind(text, person.name),
                )
            )
    if new_aliases:
        # Written with the batch: the next files find them in the batch's look-up (``stored``).
        writes.aliases += new_aliases
        # The API shows a person's aliases: partners syncing must see them (issue 15).
        writes.people_touched.update(alias.person_id for alias in new_aliases)
    return {
        pk: KnownPerson(key=pk, name=person.name, aliases=tuple(texts[pk]))
        for pk, person in people.items()
    }


# --- Stable identities: rows follow their words from one version of a story to the next ----


def _words(text: str) -> str:
    """Text compared as words: spacing and case ignored."""
    return " ".join(text.split()).casefold()


def _quote_key(text: str) -> str:
    return _words(text)


def _span_text(body: str, start: int, end: int) -> str:
    return _words(body[start:end]) if 0 <= start < end <= len(body) else ""


def _pair(old, old_key, new, new_key):
    """Pair stored rows with extracted items whose key is the same (the n-th stored row with
    a key takes the n-th item with it, both in text order).

    Returns ``(pairs, unmatched old, unmatched new)``."""
    waiting: dict = {}
    for row in sorted(old, key=lambda row: row.start):
        waiting.setdefault(old_key(row), []).append(row)
    pairs, fresh = [], []
    for item in sorted(new, key=lambda item: item.start):
        rows = waiting.get(new_key(item))
        if rows:
            pairs.append((rows.pop(0), item))
        else:
            fresh.append(item)
    gone = [row for rows in waiting.values() for row in rows]
    return pairs, gone, fresh


@dataclass
class StoredExtraction:
    """What an article holds already of its extraction, for the sync of a new one: its
    mentions, quotes and events (in their models' order), the people linked to each event
    (event id: {person id: link id}), and which quotes and events editors changed."""

    mentions: list[Mention] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    links: dict[int, dict[int, int]] = field(default_factory=dict)
    edited_quotes: set[int] = field(default_factory=set)
    edited_events: set[int] = field(default_factory=set)


def read_stored_extraction(articles: Sequence[Article]) -> dict[int, StoredExtraction]:
    """The ``StoredExtraction`` of each of ``articles`` (by id), in a few queries for them
    all: re-importing a batch of changed stories read them five queries per story."""
    stored = {article.pk: StoredExtraction() for article in articles}
    by_id = {article.pk: article for article in articles}
    for part in _parts(sorted(stored)):
        for model, name in ((Mention, "mentions"), (Quote, "quotes"), (Event, "events")):
            for row in model.objects.filter(article_id__in=part):
                # Its article is at hand (as ``article.quotes.all()`` would give it).
                model.article.field.set_cached_value(row, by_id[row.article_id])
                getattr(stored[row.article_id], name).append(row)
    quotes = [quote for entry in stored.values() for quote in entry.quotes]
    events = [event for entry in stored.values() for event in entry.events]
    edited_quotes = _edited_by_editors(Quote, quotes)
    edited_events = _edited_by_editors(Event, events)
    event_articles = {event.pk: event.article_id for event in events}
    for event in events:
        stored[event.article_id].links[event.pk] = {}
    through = Event.people.through
    for part in _parts(sorted(event_articles)):
        rows = through.objects.filter(event_id__in=part)
        for pk, event_id, person_id in rows.values_list("pk", "event_id", "person_id"):
            stored[event_articles[event_id]].links[event_id][person_id] = pk
    for entry in stored.values():
        entry.edited_quotes = {q.pk for q in entry.quotes} & edited_quotes
        entry.edited_events = {e.pk for e in entry.events} & edited_events
    return stored


def _edited_by_editors(model: type[Model], rows) -> set[int]:
    """Ids of ``rows`` that someone other than the importer changed since they were made."""
    ids = sorted(row.pk for row in rows)
    edited = set()
    for part in _parts(ids):
        changes = (
            historical_model(model)
            .objects.filter(id__in=part, history_type="~")
            .exclude(history_change_reason=IMPORT_REASON)
        )
        edited.update(changes.values_list("id", flat=True))
    return edited


def _delete_in_bulk(model: type[Model], rows) -> None:
    """Delete ``rows`` in one query, however many, with a deletion record in their history
    when the model keeps one.

    ``QuerySet.delete()`` would send signals row by row (a history record, a content-version
    bump, a search-index mark: a query or two each). Here the article's save has bumped the
    content version already, history is written in bulk and the callers mark the search
    index, so the rows go through the fast path Django's own deletion collector uses."""
    if not rows:
        return
    if hasattr(model._meta, "simple_history_manager_attribute"):  # it keeps a history
        insert_history(model, [(row, "-") for row in rows], reason=IMPORT_REASON)
    queryset = model.objects.filter(pk__in=[row.pk for row in rows])
    queryset._raw_delete(queryset.db)


def _sync_mentions(
    article,
    old_body,
    parsed,
    people,
    unlinked: set[int],
    *,
    stored: StoredExtraction,
    writes: BatchWrites,
):
    """Mentions of the same person in the same words keep their rows, with new offsets."""
    seen: set[int] = set()
    wanted = []
    for mention in parsed.mentions:
        person = people[mention.person]
        if person is None or mention.start in seen:
            continue
        seen.add(mention.start)
        wanted.append(Mention(article=article, person=person, start=mention.start, end=mention.end))
    existing = stored.mentions
    pairs, gone, fresh = _pair(
        existing,
        lambda m: (m.person_id, _span_text(old_body, m.start, m.end)),
        wanted,
        lambda m: (m.person.pk, _span_text(parsed.body, m.start, m.end)),
    )
    _delete_in_bulk(Mention, gone)
    unlinked.update(m.person_id for m in gone)
    moved = []
    for mention, new in pairs:
        if (mention.start, mention.end) != (new.start, new.end):
            mention.start, mention.end = new.start, new.end
            moved.append(mention)
    if moved:
        # Each start is unique in an article, and a moved mention may take the place of
        # another that moves later in the same UPDATE: park them past both bodies first.
        shift = len(old_body) + len(parsed.body) + 1
        Mention.objects.filter(pk__in=[m.pk for m in moved]).update(
            start=F("start") + shift, end=F("end") + shift
        )
        Mention.objects.bulk_update(moved, ["start", "end"])
    writes.mentions += fresh


QUOTE_FIELDS = (
    "text",
    "start",
    "end",
    "partial",
    "attribution_rule",
    "confidence",
    "speaker",
    "suggested_speaker",
    "speaker_label",
)


def _quote_values(quote, people, min_confidence: float) -> dict:
    """What the importer stores for an extracted quote, the publish gate applied: below
    ``min_confidence`` the quote gets no speaker, its candidate only suggested."""
    candidate = people[quote.speaker] if quote.speaker is not None else None
    confidence = min(max(quote.confidence, 0.0), 1.0)
    sure = confidence >= min_confidence
    # A description ("the 23-year-old said") names nobody: its person is a suggestion.
    described = people[quote.suggested_speaker] if quote.suggested_speaker is not None else None
    return {
        "text": quote.text,
        "start": quote.start,
        "end": quote.end,
        "speaker": candidate if sure else None,
        "suggested_speaker": described or (None if sure else candidate),
        "speaker_label": "" if candidate else _clip(quote.speaker_label or "", 200),
        "partial": quote.partial,
        "attribution_rule": _clip(quote.rule, 40),
        "confidence": confidence,
    }


def _quote_state(quote: Quote) -> tuple:
    return tuple(
        getattr(quote, f"{name}_id" if name.endswith("speaker") else name) for name in QUOTE_FIELDS
    )


def _sync_quotes(
    article,
    parsed,
    people,
    outcome: ImportOutcome,
    unlinked: set[int],
    *,
    stored: StoredExtraction,
    min_confidence: float,
    writes: BatchWrites,
) -> None:
    """A quote whose words are still in the story keeps its row, id and permalink.

    Its offsets follow the words. If no editor touched it (unreviewed, never edited), it is
    re-extracted in place: speaker, suggestion, label and confidence as a new quote would get
    them. An editor's quote (confirmed, rejected, re-attributed or edited) keeps all that.
    Quotes whose words left the story are removed, their ids kept as ``RemovedQuote``.
    """
    existing = stored.quotes
    pairs, gone, fresh = _pair(
        existing, lambda q: _quote_key(q.text), parsed.quotes, lambda q: _quote_key(q.text)
    )
    unreviewed = [q for q, _ in pairs if q.status == Quote.Status.AUTO and not q.speaker_corrected]
    untouched = {q.pk for q in unreviewed} - stored.edited_quotes
    changed = []
    for quote, extracted in pairs:
        before = _quote_state(quote)
        values = _quote_values(extracted, people, min_confidence)
        if quote.pk not in untouched:
            values = {"start": values["start"], "end": values["end"]}
        for name, value in values.items():
            setattr(quote, name, value)
        if _quote_state(quote) != before:
            quote.version += 1
            changed.append(quote)
            if before[QUOTE_FIELDS.index("speaker")] not in (None, quote.speaker_id):
                unlinked.add(before[QUOTE_FIELDS.index("speaker")])
    if gone:
        RemovedQuote.objects.bulk_create(
            [RemovedQuote(quote_id=q.pk, article=article) for q in gone]
        )
        # Their keys first: the fast delete bypasses the cascade (issue 15).
        QuoteKey.objects.filter(quote_id__in=[q.pk for q in gone]).delete()
        _delete_in_bulk(Quote, gone)
        groups = {q.canonical_id for q in gone if q.canonical_id}
        canonical.delete_empty_groups(group_ids=groups)
        canonical.refresh_speakers(group_ids=groups)
        search_index.mark(quotes=[q.pk for q in gone])
        unlinked.update(q.speaker_id for q in gone if q.speaker_id)
        outcome.quotes_removed = len(gone)
        reviewed = sum(q.status != Quote.Status.AUTO or q.speaker_corrected for q in gone)
        if reviewed:
            # Their offsets would point at other text: they go, and the import says so.
            outcome.notes.append(f"{reviewed} reviewed quote(s) no longer in the text")
    if changed:
        now = timezone.now()  # bulk_update skips auto_now (issue 15)
        for quote in changed:
            quote.updated_at = now
        bulk_update_with_history(
            changed,
            Quote,
            [*QUOTE_FIELDS, "version", "updated_at"],
            default_change_reason=IMPORT_REASON,
        )
    new_quotes = [
        Quote(article=article, **_quote_values(quote, people, min_confidence)) for quote in fresh
    ]
    writes.quotes += new_quotes
    outcome.quotes_created = len(new_quotes)


def _event_values(event) -> dict:
    return {
        "summary": _clip(event.summary, 500),
        "date": event.date if event.precision else None,
        "date_precision": event.precision if event.date else None,
        "start": event.start,
        "end": event.end,
    }


EVENT_FIELDS = ("summary", "date", "date_precision", "start", "end")


def _sync_events(
    article,
    old_body,
    parsed,
    people,
    outcome: ImportOutcome,
    unlinked: set[int],
    *,
    stored: StoredExtraction,
    writes: BatchWrites,
) -> None:
    """An event still reported keeps its row: found by its words, else by its summary, else
    (reworded and resummarised) as the same dated happening among the same people.

    Events nobody edited are re-extracted in place, people included; an event an editor
    edited keeps what the editor made of it, and stays even when its words are gone.
    """
    existing = stored.events
    edited = stored.edited_events
    through = Event.people.through
    links = stored.links  # event: {person: link}

    def participants(extracted) -> frozenset[int]:
        return frozenset(people[i].pk for i in extracted.people if people[i] is not None)

    pairs, gone, fresh = _pair(
        existing,
        lambda e: _span_text(old_body, e.start, e.end),
        parsed.events,
        lambda e: _span_text(parsed.body, e.start, e.end),
    )
    by_summary, gone, fresh = _pair(
        gone, lambda e: _words(e.summary), fresh, lambda e: _words(_clip(e.summary, 500))
    )
    by_facts, _, _ = _pair(
        [e for e in gone if e.date is not None and e.pk not in edited],
        lambda e: (e.date, e.date_precision, frozenset(links[e.pk])),
        [e for e in fresh if e.date is not None and e.precision],
        lambda e: (e.date, e.precision, participants(e)),
    )
    paired = {event.pk for event, _ in by_facts}, {id(extracted) for _, extracted in by_facts}
    gone = [e for e in gone if e.pk not in paired[0] and e.pk not in edited]
    fresh = [e for e in fresh if id(e) not in paired[1]]

    changed, stale_links, new_links = [], [], []
    for event, extracted in [*pairs, *by_summary, *by_facts]:
        before = tuple(getattr(event, name) for name in EVENT_FIELDS)
        values = _event_values(extracted)
        if event.pk in edited:
            values = {"start": values["start"], "end": values["end"]}
        else:
            wanted, current = participants(extracted), links[event.pk]
            stale_links += [link for person, link in current.items() if person not in wanted]
            unlinked.update(person for person in current if person not in wanted)
            new_links += [(event.pk, person) for person in sorted(wanted - current.keys())]
        for name, value in values.items():
            setattr(event, name, value)
        relinked = event.pk not in edited and participants(extracted) != links[event.pk].keys()
        if tuple(getattr(event, name) for name in EVENT_FIELDS) != before or relinked:
            changed.append(event)  # its people are part of what the API shows of it
    for event in gone:
        stale_links += links[event.pk].values()
        unlinked.update(links[event.pk])

    if stale_links:
        through.objects.filter(pk__in=stale_links)._raw_delete(through.objects.db)
    _delete_in_bulk(Event, gone)
    if changed:
        now = timezone.now()  # bulk_update skips auto_now (issue 15)
        for event in changed:
            event.updated_at = now
        bulk_update_with_history(
            changed, Event, [*EVENT_FIELDS, "updated_at"], default_change_reason=IMPORT_REASON
        )
    new_events = [Event(article=article, **_event_values(event)) for event in fresh]
    writes.events += [
        (event, sorted(participants(extracted)))
        for event, extracted in zip(new_events, fresh, strict=True)
    ]
    if new_links:
        through.objects.bulk_create(
            [through(event_id=event_id, person_id=person_id) for event_id, person_id in new_links]
        )
    outcome.events_created = len(new_events)


def _suggest_tags(
    article: Article,
    names: Sequence[str],
    *,
    is_new: bool,
    cache: BatchCache,
    writes: BatchWrites,
) -> None:
    """Propose tags (creating missing ones); editors accept or dismiss them."""
    wanted = {_tag_name(name).casefold(): _tag_name(name) for name in names if _tag_name(name)}
    if not wanted:
        return
    tags = {key: cache.tags[key] for key in wanted if key in cache.tags}
    missing = [name for key, name in wanted.items() if key not in tags]
    if missing:
        tags.update((tag.name.casefold(), tag) for tag in Tag.objects.filter(name__in=missing))
    for key, name in wanted.items():
        if key not in tags:
            tags[key] = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(
                name=name
            )
    cache.tags.update(tags)
    already = set() if is_new else set(article.tag_suggestions.values_list("tag_id", flat=True))
    writes.tag_suggestions += [
        TagSuggestion(article=article, tag=tag) for tag in tags.values() if tag.pk not in already
    ]


def _tag_name(suggested: str) -> str:
    """The name of the tag a suggestion names."""
    return suggested.strip()[:100]


def _clip(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
