"""Keeping the search index in step with articles, quotes and people.

Ways in:

- ``reindex_articles(ids)``, ``reindex_quotes(ids)``, ``reindex_people(ids)`` and
  ``reindex_article(id)`` (an article with its quotes and the people it names) write the
  index now, in the caller's transaction. Ids of deleted objects lose their entries.
- ``mark(...)`` queues ids; ``flush()`` writes the queue. The receivers in
  ``search.signals`` use it for every model save and delete.
- ``atomic()``: ``transaction.atomic`` that flushes the queue *before* it commits, so the
  index is written in the same transaction as the data (issue 12, defect 6: written after
  commit, a kill at that moment left a committed article unsearchable). The importer and
  every service in ``articles.services`` run in it. Queued ids still left at commit (a
  write outside such a block, e.g. a tag added by the admin's form) are flushed just after
  it (``transaction.on_commit``), and a search flushes its own connection's queue first.
- A re-import of unchanged files calls ``verify_articles`` (``reindex_article`` for a
  batch), which rewrites only the entries that differ from the data: an entry lost some
  other way is repaired by the next run.
- ``rebuild()`` (``manage.py rebuild_search_index``) rebuilds everything in bulk.

Writes that bypass signals (``bulk_create``, ``QuerySet.update``) must call ``mark`` or
one of the ``reindex_*`` functions: the importer marks what its bulk writes touch.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import partial

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q

from articles.models import Article, Event, Mention, Quote
from people.models import Alias, Person

from .backends import MARK_START, MARK_STOP, get_backend
from .models import SearchEntry, entry_id
from .query import name_key

logger = logging.getLogger(__name__)

ARTICLE, QUOTE, PERSON = SearchEntry.Kind.ARTICLE, SearchEntry.Kind.QUOTE, SearchEntry.Kind.PERSON
CHUNK = 2000
_FIELDS = ("published", "rejected", "title", "extra", "body", "names")
_STRIP_MARKS = str.maketrans({MARK_START: None, MARK_STOP: None, "\x00": None})


def _text(value: str | None) -> str:
    """Text as indexed: NFC (so both engines fold accents alike), markers removed."""
    return unicodedata.normalize("NFC", value or "").translate(_STRIP_MARKS)


def _chunks(ids: Iterable[int], size: int = CHUNK) -> Iterator[list[int]]:
    ids = sorted(set(ids))
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


# --- Building entries from the domain tables ----------------------------------------------


def _article_entries(ids: list[int]) -> dict[int, SearchEntry]:
    # Read in no order and sorted here: ordered by tag name, SQLite could walk every tag's
    # index and probe each, a cost growing with the tags instead of these articles' rows.
    # (The same for every read by ids below: the models' orderings join and sort.)
    tags: dict[int, list[str]] = {}
    through = Article.tags.through.objects.filter(article_id__in=ids).order_by()
    for article_id, name in sorted(through.values_list("article_id", "tag__name")):
        tags.setdefault(article_id, []).append(name)
    entries = {}
    rows = (
        Article.objects.filter(pk__in=ids)
        .order_by()
        .values_list("pk", "title", "standfirst", "body", "status")
    )
    for pk, title, standfirst, body, status in rows:
        extra = standfirst
        if pk in tags:
            extra = f"{standfirst}\n\n{', '.join(tags[pk])}".strip()
        entries[pk] = SearchEntry(
            id=entry_id(ARTICLE, pk),
            kind=ARTICLE,
            object_id=pk,
            published=status == Article.Status.PUBLISHED,
            title=_text(title),
            extra=_text(extra),
            body=_text(body),
        )
    return entries


def _quote_entries(ids: list[int]) -> dict[int, SearchEntry]:
    rows = (
        Quote.objects.filter(pk__in=ids)
        .order_by()
        .values_list("pk", "text", "speaker__name", "speaker_label", "status", "article__status")
    )
    return {row[0]: _quote_entry(*row) for row in rows}


def _quote_entry(pk, text, speaker_name, label, status, article_status) -> SearchEntry:
    return SearchEntry(
        id=entry_id(QUOTE, pk),
        kind=QUOTE,
        object_id=pk,
        published=article_status == Article.Status.PUBLISHED,
        rejected=status == Quote.Status.REJECTED,
        title=_text(speaker_name or label),
        extra=_text(text),
    )


def _created_quote_entry(quote: Quote) -> SearchEntry:
    """The entry of a quote saved in this transaction, from the object itself (its
    speaker and article as the caller holds them)."""
    speaker_name = quote.speaker.name if quote.speaker_id else None
    return _quote_entry(
        quote.pk, quote.text, speaker_name, quote.speaker_label, quote.status, quote.article.status
    )


def _people_named_by_published(ids: list[int] | None = None) -> set[int]:
    """Who is public: named by published content (mentioned, quoted, in an event).

    ``ids=None``: everyone, in one pass over each table (a rebuild). For given ids, one
    query asking of each person whether *a* published mention, quote or event names them
    (EXISTS, which stops at the first row found by the person's index): reading all their
    rows made re-indexing a person cost more with every story naming them, and the
    importer re-indexes everyone a new story names."""
    published = Article.Status.PUBLISHED
    if ids is not None:
        person = OuterRef("pk")
        named = (
            Exists(Mention.objects.filter(person_id=person, article_published=True))
            | Exists(Quote.objects.public().filter(speaker_id=person))
            | Exists(
                Event.people.through.objects.filter(
                    person_id=person, event__article__status=published
                )
            )
        )
        people = Person.objects.filter(pk__in=ids).filter(named).order_by()
        return set(people.values_list("pk", flat=True))
    mentions = Mention.objects.filter(article__status=published)
    quotes = Quote.objects.public().filter(speaker__isnull=False)
    events = Event.people.through.objects.filter(event__article__status=published)
    named = set(mentions.order_by().values_list("person_id", flat=True).distinct())
    named.update(quotes.order_by().values_list("speaker_id", flat=True).distinct())
    named.update(events.order_by().values_list("person_id", flat=True).distinct())
    return named


def _person_entries(ids: list[int], public: set[int] | None = None) -> dict[int, SearchEntry]:
    """``public``: who is public, if already known (``_people_named_by_published``)."""
    aliases: dict[int, list[str]] = {}
    for person_id, text in (
        Alias.objects.filter(person_id__in=ids).values_list("person_id", "text").order_by("text")
    ):
        aliases.setdefault(person_id, []).append(text)
    if public is None:
        public = _people_named_by_published(ids)
    entries = {}
    for pk, name, description in (
        Person.objects.filter(pk__in=ids).order_by().values_list("pk", "name", "description")
    ):
        others = aliases.get(pk, [])
        entries[pk] = SearchEntry(
            id=entry_id(PERSON, pk),
            kind=PERSON,
            object_id=pk,
            published=pk in public,
            title=_text(name),
            extra=_text(" · ".join(others)),
            body=_text(description),
            names=" | ".join(dict.fromkeys(name_key(text) for text in [name, *others])),
        )
    return entries


_BUILDERS = {ARTICLE: _article_entries, QUOTE: _quote_entries, PERSON: _person_entries}


# --- Writing entries -----------------------------------------------------------------------


def _write(kind: str, ids: Iterable[int]) -> int:
    """Bring the entries of ``kind`` for ``ids`` in line with the data; returns changes."""
    return len(_rewrite(kind, ids))


def _write_created(entries: list[SearchEntry]) -> None:
    """Write the entries of objects created in this transaction: they can have none yet
    (keys are never reused: PostgreSQL's sequences, SQLite's ``AUTOINCREMENT``), so
    there is nothing to read, compare or remove first."""
    for start in range(0, len(entries), CHUNK):
        get_backend().add(SearchEntry.objects.bulk_create(entries[start : start + CHUNK]))


def _rewrite(kind: str, ids: Iterable[int]) -> list[int]:
    """Like ``_write``; returns the object ids whose entries were rewritten (an id twice
    when a stale entry was removed and a fresh one written)."""
    backend = get_backend()
    changed: list[int] = []
    for chunk in _chunks(ids):
        wanted = _BUILDERS[kind](chunk)
        existing = {
            e.object_id: e for e in SearchEntry.objects.filter(kind=kind, object_id__in=chunk)
        }
        stale = [
            entry
            for object_id, entry in existing.items()
            if object_id not in wanted or _differs(entry, wanted[object_id])
        ]
        fresh = [
            entry
            for object_id, entry in wanted.items()
            if object_id not in existing or _differs(existing[object_id], entry)
        ]
        if stale:
            backend.remove(stale)
            SearchEntry.objects.filter(pk__in=[e.pk for e in stale]).delete()
        if fresh:
            backend.add(SearchEntry.objects.bulk_create(fresh))
        changed += [e.object_id for e in stale] + [e.object_id for e in fresh]
    return changed


def _differs(old: SearchEntry, new: SearchEntry) -> bool:
    return any(getattr(old, name) != getattr(new, name) for name in _FIELDS)


def reindex_articles(ids: Iterable[int]) -> None:
    """Rewrite the entries of these articles (their quotes and people are not touched)."""
    _write(ARTICLE, ids)


def reindex_quotes(ids: Iterable[int]) -> None:
    _write(QUOTE, ids)


def reindex_people(ids: Iterable[int]) -> None:
    _write(PERSON, ids)


def reindex_article(article_id: int) -> int:
    """An article, its quotes and everyone it names (after an import or a status change);
    returns how many entries were rewritten.

    Entries in step with the data are read and compared, not written: a re-import of an
    unchanged file calls this to repair what a crash may have lost. People the article no
    longer names were marked by the deletes that unlinked them.
    """
    flush()  # what signals queued in this transaction (deleted quotes and mentions)
    changed = _write(ARTICLE, [article_id])
    changed += _write(
        QUOTE, Quote.objects.filter(article_id=article_id).values_list("pk", flat=True)
    )
    return changed + _write(PERSON, _people_of_articles([article_id]))


def verify_articles(article_ids: Iterable[int]) -> dict[int, int]:
    """The check ``reindex_article`` makes, for a batch of unchanged re-imports: every
    article, quote and person the articles name must have its entry, with the visibility
    the data gives it (published, rejected). Those that do not are rewritten from the data.
    Returns {article id: entries rewritten} for the articles that needed any.

    Entries are not compared word for word here (that read every quote and person of the
    batch twice, and an unchanged re-import is meant to be a hash look-up): since index
    writes commit with the data (issue 12), what a crash or a failed write leaves behind
    is a missing entry, which this finds; ``rebuild_search_index`` rewrites everything.
    The database compares (an anti-join per kind, in five queries per chunk of articles)
    and returns only the rows astray, usually none: reading every quote's and person's
    ids and flags, and then their entries', into Python was most of an unchanged
    re-import's time (issue 13)."""
    article_ids = sorted(set(article_ids))
    if not article_ids:
        return {}
    flush()
    repaired: dict[int, int] = {}

    def count(article_id: int) -> None:
        repaired[article_id] = repaired.get(article_id, 0) + 1

    for chunk in _chunks(article_ids):
        for article_id in _rewrite(ARTICLE, _astray_articles(chunk)):
            count(article_id)
        quote_article = dict(_astray_quotes(chunk))
        for quote_id in _rewrite(QUOTE, quote_article):
            count(quote_article[quote_id])
        # A person's repair is told on one article that names them (the first in the batch).
        for person_id in _rewrite(PERSON, sorted(_people_without_entries(chunk))):
            count(_first_article_naming(person_id, article_ids))
    return repaired


def _entries(kind: str, object_id: OuterRef):
    return SearchEntry.objects.filter(kind=kind, object_id=object_id)


def _astray_articles(article_ids: list[int]) -> list[int]:
    """The articles whose entry is missing or not as public as they are."""
    rows = Article.objects.filter(pk__in=article_ids).annotate(
        is_public=_holds(Q(status=Article.Status.PUBLISHED))
    )
    entry = _entries(ARTICLE, OuterRef("pk")).filter(
        published=OuterRef("is_public"), rejected=False
    )
    return list(rows.filter(~Exists(entry)).order_by().values_list("pk", flat=True))


def _astray_quotes(article_ids: list[int]) -> list[tuple[int, int]]:
    """(quote, article) for the articles' quotes whose entry is missing, or whose article's
    visibility or own rejection it does not reflect."""
    rows = Quote.objects.filter(article_id__in=article_ids).annotate(
        is_rejected=_holds(Q(status=Quote.Status.REJECTED))
    )
    entry = _entries(QUOTE, OuterRef("pk")).filter(
        published=OuterRef("article_published"), rejected=OuterRef("is_rejected")
    )
    return list(rows.filter(~Exists(entry)).order_by().values_list("pk", "article_id"))


def _holds(condition: Q) -> ExpressionWrapper:
    """Whether a row meets ``condition``, as a value, so that the entries' flags are
    compared with it in one NOT EXISTS: an anti-join, which the planner runs by probing
    the entries' unique index once per row or by hashing the kind's entries, whichever
    costs less, so never more than the batch's probes however large the archive."""
    return ExpressionWrapper(condition, output_field=BooleanField())


def _people_without_entries(article_ids: list[int]) -> set[int]:
    """The people the articles name (mentions, speakers, events) who have no entry."""
    people = set()
    for rows, column in _naming_rows(article_ids):
        missing = rows.exclude(Exists(_entries(PERSON, OuterRef(column))))
        people.update(missing.order_by().values_list(column, flat=True).distinct())
    return people


def _first_article_naming(person_id: int, article_ids: list[int]) -> int:
    named = Mention.objects.filter(person_id=person_id, article_id__in=article_ids)
    quoted = Quote.objects.filter(speaker_id=person_id, article_id__in=article_ids)
    in_events = Event.people.through.objects.filter(
        person_id=person_id, event__article_id__in=article_ids
    )
    found = [
        *named.order_by("article_id").values_list("article_id", flat=True)[:1],
        *quoted.order_by("article_id").values_list("article_id", flat=True)[:1],
        *in_events.order_by("event__article_id").values_list("event__article_id", flat=True)[:1],
    ]
    return min(found) if found else article_ids[0]


def _naming_rows(article_ids: Iterable[int]):
    """The rows through which articles name people (mentions, quotes' speakers, events'
    people), each with its person column."""
    article_ids = list(article_ids)
    return (
        (Mention.objects.filter(article_id__in=article_ids), "person_id"),
        (Quote.objects.filter(article_id__in=article_ids, speaker__isnull=False), "speaker_id"),
        (Event.people.through.objects.filter(event__article_id__in=article_ids), "person_id"),
    )


def _people_of_articles(article_ids: Iterable[int]) -> set[int]:
    people: set[int] = set()
    for rows, column in _naming_rows(article_ids):
        people.update(rows.order_by().values_list(column, flat=True))
    return people


# --- The queue (signals) ---------------------------------------------------------------------


class _Queue(threading.local):
    def __init__(self):
        self.by_alias: dict[str, dict[str, set[int]]] = {}
        # Quotes created in the open transaction, whose entries are built from the objects.
        self.created: dict[str, dict[int, Quote]] = {}
        # How many ``atomic()`` blocks are open, per database alias.
        self.depth: dict[str, int] = {}


_queue = _Queue()
_QUEUES = ("articles", "articles_deep", "quotes", "people", "people_deep")


def mark(
    *,
    articles: Iterable[int] = (),
    articles_deep: Iterable[int] = (),
    quotes: Iterable[int] = (),
    people: Iterable[int] = (),
    people_deep: Iterable[int] = (),
    created_quotes: Iterable[Quote] = (),
    using: str = DEFAULT_DB_ALIAS,
) -> None:
    """Queue ids for reindexing at commit (``*_deep``: with the quotes of an article and the
    people it names, or with a person's quotes, whose entries carry the speaker's name).

    ``created_quotes``: quotes this transaction has just inserted (an import's), their
    ``speaker`` and ``article`` loaded: their entries are built from these objects and
    written without a read (a quote marked by id too, changed since, is read instead)."""
    pending = _queue.by_alias.setdefault(using, {name: set() for name in _QUEUES})
    for name, ids in zip(
        _QUEUES, (articles, articles_deep, quotes, people, people_deep), strict=True
    ):
        pending[name].update(i for i in ids if i is not None)
    _queue.created.setdefault(using, {}).update((q.pk, q) for q in created_quotes)
    # Outside a transaction this runs at once. Inside one, ``atomic()`` flushes before
    # commit and this finds nothing left; a write outside ``atomic()`` is flushed after
    # commit, where an index failure is logged rather than raised (rebuild_search_index
    # fixes).
    transaction.on_commit(partial(flush, using=using), using=using, robust=True)


def flush(using: str = DEFAULT_DB_ALIAS) -> None:
    """Write whatever is queued for this connection (cheap when nothing is)."""
    pending = _queue.by_alias.pop(using, None)
    created = _queue.created.pop(using, {})
    if not pending or not (any(pending.values()) or created):
        return
    articles = pending["articles"] | pending["articles_deep"]
    quotes = pending["quotes"]
    people = pending["people"] | pending["people_deep"]
    if pending["articles_deep"]:
        deep = pending["articles_deep"]
        quotes |= set(Quote.objects.filter(article_id__in=deep).values_list("pk", flat=True))
        people |= _people_of_articles(deep)
    if pending["people_deep"]:
        quotes |= set(
            Quote.objects.filter(speaker_id__in=pending["people_deep"]).values_list("pk", flat=True)
        )
    with transaction.atomic(using=using):
        reindex_articles(articles)
        _write_created([_created_quote_entry(q) for pk, q in created.items() if pk not in quotes])
        reindex_quotes(quotes)
        reindex_people(people)


@contextmanager
def atomic(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """``transaction.atomic`` that writes the queued index work before it commits.

    Usable as a decorator too (``@search_index.atomic()``). The outermost such block
    flushes, so nested services (a bulk action confirming quotes one by one) write the
    index once, at the end. Inside a plain outer ``transaction.atomic`` (the admin's change
    form) the flush still runs inside the caller's transaction: whatever happens, the
    index commits (or rolls back) with the data it describes.
    """
    depth = _queue.depth.get(using, 0)
    with transaction.atomic(using=using):
        _queue.depth[using] = depth + 1
        try:
            yield
        finally:
            _queue.depth[using] = depth
        if not depth:
            flush(using=using)


def discard_queue(using: str = DEFAULT_DB_ALIAS) -> None:
    _queue.by_alias.pop(using, None)
    _queue.created.pop(using, None)


# --- Rebuild -------------------------------------------------------------------------------


def rebuild(*, chunk: int = CHUNK) -> dict[str, int]:
    """Rebuild the whole index from the domain tables, in bulk, in one transaction."""
    backend = get_backend()
    counts = {}
    table = connection.ops.quote_name(SearchEntry._meta.db_table)
    columns = ["id", "kind", "object_id", *_FIELDS]
    insert = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with transaction.atomic():
        discard_queue()
        backend.before_bulk_load()
        SearchEntry.objects.all().delete()
        for kind, model in ((ARTICLE, Article), (QUOTE, Quote), (PERSON, Person)):
            counts[kind] = 0
            ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
            build = _BUILDERS[kind]
            if kind == PERSON:  # who is public, for everyone at once: linear
                build = partial(_person_entries, public=_people_named_by_published())
            for part in _chunks(ids, chunk):
                entries = list(build(part).values())
                # Raw executemany: the ORM's bulk_create costs more than the indexing.
                with connection.cursor() as cursor:
                    cursor.executemany(
                        insert, [[getattr(e, name) for name in columns] for e in entries]
                    )
                backend.add(entries)
                counts[kind] += len(entries)
        backend.after_bulk_load()
    return counts


def after_migrate(sender=None, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """Keep the index usable after ``migrate`` and ``flush`` (both send post_migrate).

    - A database that had content before this app was installed gets its index built.
    - SQLite: ``flush`` (also run between transactional tests) empties the tables Django
      knows about, not the FTS5 index, whose rows would then point at reused entry ids.
    - SQLite: the statistics just gathered (articles.statistics, which runs first) must
      not leave FTS5's own statements scanning its shadow tables as the index grows
      (``SqliteBackend.keep_shadow_plans``).
    Cheap when the index is in step (the usual case).
    """
    if using != connection.alias:
        return
    try:
        if connection.vendor == "sqlite":
            get_backend().keep_shadow_plans()
        entries = SearchEntry.objects.count()
        in_index = entries if connection.vendor != "sqlite" else get_backend().indexed_count()
    except DatabaseError:  # not migrated this far (e.g. `migrate search zero`)
        return
    if not entries and (Article.objects.exists() or Person.objects.exists()):
        rebuild()
    elif in_index != entries:
        backend = get_backend()
        with transaction.atomic():
            backend.clear()
            for part in _chunks(SearchEntry.objects.values_list("pk", flat=True)):
                backend.add(list(SearchEntry.objects.filter(pk__in=part)))
