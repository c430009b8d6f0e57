"""Full-text search across articles, quotes and people: the one entry point.

The website's ``/search/`` page, the API's ``q`` parameters and the admin's search boxes
all call these functions; they behave the same on SQLite (FTS5) and PostgreSQL
(tsvector + GIN, trigram names).

- :func:`search` returns ranked hits per kind with highlighted, HTML-safe snippets.
- :func:`article_ids`, :func:`quote_ids` and :func:`person_ids` return ranked ids, and
  :func:`ranked` turns a queryset and such ids into a rank-ordered queryset.

Queries: words in any order (all required), ``"quoted phrases"``, the last word as a
prefix while typing, accents and case ignored, English stemming ("dancing" finds
"danced"). Anything else typed (operators, punctuation, NUL, emoji, huge input) is
plain text or dropped; a search never raises on what a user typed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from django.db.models import F, Func, IntegerField, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.models import Quote

from .backends import ALL, MARK_START, MARK_STOP, NOT_REJECTED, PUBLIC, get_backend
from .index import flush
from .models import SearchEntry, entry_id
from .query import SearchQuery, parse

KINDS = ("person", "quote", "article")
# Per kind, the newest this many matches are ranked and returned: exact below it, and
# bounded work (so latency does not grow with the archive) above it.
MAX_RESULTS = MAX_IDS = 1000
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class SearchHit:
    kind: str
    object_id: int
    rank: float
    # HTML-safe: the text escaped, matches wrapped in <mark>.
    title_html: SafeString
    snippet_html: SafeString


@dataclass
class KindResults:
    """One kind's hits for the requested page, best first, and how many match in all."""

    kind: str
    total: int = 0
    hits: list[SearchHit] = field(default_factory=list)
    # True when more than MAX_RESULTS match: `total` is then "1000+", the newest ranked.
    capped: bool = False

    @property
    def ids(self) -> list[int]:
        return [hit.object_id for hit in self.hits]

    def __iter__(self) -> Iterator[SearchHit]:
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)

    def __bool__(self) -> bool:
        return bool(self.hits)


@dataclass
class SearchResults:
    query: str
    parsed: SearchQuery
    people: KindResults
    quotes: KindResults
    articles: KindResults

    @property
    def is_empty_query(self) -> bool:
        """Nothing searchable was typed (empty, punctuation only, stop words only)."""
        return not self.parsed

    @property
    def total(self) -> int:
        return self.people.total + self.quotes.total + self.articles.total

    def __getitem__(self, kind: str) -> KindResults:
        return {"person": self.people, "quote": self.quotes, "article": self.articles}[kind]


def object_id_of(pk: int) -> int:
    return pk // 4


def highlighted(text: str) -> SafeString:
    """Engine output with private-use markers → escaped HTML with <mark> around matches."""
    html = escape(text).replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>")
    return mark_safe(html)  # escaped above: only our own tags are markup


def _visibility(kind: str, *, include_drafts: bool, include_rejected: bool = False) -> str:
    if not include_drafts:
        return PUBLIC
    if kind == "quote" and not include_rejected:
        return NOT_REJECTED
    return ALL


def search(
    query: str | None,
    *,
    kinds: Sequence[str] = KINDS,
    include_drafts: bool = False,
    limit: int = 20,
    offset: int = 0,
    page: int | None = None,
) -> SearchResults:
    """Ranked people, quotes and articles matching ``query``.

    Public content only (published articles, their public quotes, people they name)
    unless ``include_drafts`` (editors): then drafts and held-back quotes count too,
    rejected quotes still do not. ``limit``/``offset`` (or ``page``, from 1) select the
    page of each kind; ``total`` counts a kind's matches up to MAX_RESULTS (``capped`` beyond: the
    newest MAX_RESULTS matches are the ones ranked and paged).
    """
    flush()  # this connection's own queued index writes
    parsed = parse(query)
    limit = max(1, min(int(limit), MAX_PAGE_SIZE))
    offset = max(0, int(offset)) if page is None else (max(1, int(page)) - 1) * limit
    results = {kind: KindResults(kind) for kind in KINDS}
    if parsed:
        backend = get_backend()
        for kind in KINDS:
            if kind in kinds:
                visibility = _visibility(kind, include_drafts=include_drafts)
                results[kind] = _search_kind(backend, kind, parsed, visibility, limit, offset)
    return SearchResults(
        query=parsed.text,
        parsed=parsed,
        people=results["person"],
        quotes=results["quote"],
        articles=results["article"],
    )


def _ranked_entries(backend, kind, parsed, visibility) -> list[tuple[int, float]]:
    """(entry id, rank) of the matches, best first: at most MAX_RESULTS, the newest."""
    rows = backend.candidates(kind, parsed, visibility, limit=MAX_RESULTS)
    if kind == "quote" and visibility == PUBLIC:
        rows = _publishable_quotes(rows)
    if kind == "person" and (fragment := parsed.name_substring()):
        # Then people whose name merely contains the query (trigram-indexed on PostgreSQL).
        seen = {row[0] for row in rows}
        for object_id in backend.names_containing(fragment, visibility, limit=MAX_RESULTS):
            if (pk := entry_id("person", object_id)) not in seen:
                rows.append((pk, 0.0))
        rows = rows[:MAX_RESULTS]
    return rows


def _publishable_quotes(rows: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """The rows whose quote the public may see now, by ``Quote.objects.public()``.

    The index knows whether a quote's article is published and whether editors rejected
    it, but not the publish gate (confirmed, or confident enough), which depends on a
    setting read at query time: it is checked here, against the quotes themselves, so
    a confirmation or a new ``NEWSROOM_PUBLISH_MIN_CONFIDENCE`` needs no reindexing.
    """
    if not rows:
        return rows
    ids = [object_id_of(pk) for pk, _ in rows]
    public = Quote.objects.public().filter(pk__in=ids).order_by()  # a set: no sort needed
    public = set(public.values_list("pk", flat=True))
    return [row for row in rows if object_id_of(row[0]) in public]


def _search_kind(backend, kind, parsed, visibility, limit, offset) -> KindResults:
    rows = _ranked_entries(backend, kind, parsed, visibility)
    page = rows[offset : offset + limit]
    marks = _marks(backend, kind, parsed, [pk for pk, _ in page])
    hits = [
        SearchHit(kind, object_id_of(pk), float(rank), *map(highlighted, marks[pk]))
        for pk, rank in page
    ]
    return KindResults(kind, len(rows), hits, capped=len(rows) >= MAX_RESULTS)


def _marks(backend, kind, parsed, entry_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    marks = backend.highlights(kind, parsed, entry_ids)
    missing = [pk for pk in entry_ids if pk not in marks]
    if missing:  # substring-only name matches: nothing for the engine to mark
        for entry in SearchEntry.objects.filter(pk__in=missing):
            marks[entry.pk] = (entry.title, entry.extra)
    return marks


def snippets(kind: str, query: str | None, object_ids: Sequence[int]) -> dict[int, SearchHit]:
    """Highlighted title and snippet of each object, for a page of results shown elsewhere
    (e.g. a page of ``ranked(...)`` objects): ``{object id: SearchHit}``."""
    flush()
    parsed = parse(query)
    if not parsed or not object_ids:
        return {}
    entry_ids = [entry_id(kind, object_id) for object_id in object_ids]
    marks = _marks(get_backend(), kind, parsed, entry_ids)
    return {
        object_id_of(pk): SearchHit(kind, object_id_of(pk), 0.0, *map(highlighted, marks[pk]))
        for pk in entry_ids
        if pk in marks
    }


# --- Ranked ids, for querysets (API filters, admin search boxes) -------------------------


def _ids(kind: str, query: str | None, visibility: str, limit: int) -> list[int]:
    flush()
    parsed = parse(query)
    if not parsed:
        return []
    rows = _ranked_entries(get_backend(), kind, parsed, visibility)
    return [object_id_of(pk) for pk, _ in rows[: max(0, int(limit))]]


def article_ids(query: str | None, *, include_drafts: bool = False, limit: int = MAX_IDS):
    """Ids of matching articles, best first (published only unless ``include_drafts``)."""
    return _ids("article", query, _visibility("article", include_drafts=include_drafts), limit)


def quote_ids(
    query: str | None,
    *,
    include_drafts: bool = False,
    include_rejected: bool = False,
    limit: int = MAX_IDS,
) -> list[int]:
    """Ids of matching quotes (by their words or their speaker's name), best first.

    Public: ``Quote.objects.public()`` (quotes of published articles, confirmed or
    confident enough, never rejected ones). ``include_drafts`` adds quotes of draft
    articles and held-back ones; ``include_rejected`` (with it) adds rejected quotes.
    """
    visibility = _visibility(
        "quote", include_drafts=include_drafts, include_rejected=include_rejected
    )
    return _ids("quote", query, visibility, limit)


def person_ids(query: str | None, *, include_drafts: bool = False, limit: int = MAX_IDS):
    """Ids of matching people (name, alias, description; or a name containing the query),
    best first. Public: people named by published content, unless ``include_drafts``."""
    return _ids("person", query, _visibility("person", include_drafts=include_drafts), limit)


def ranked(queryset: QuerySet, ids: Sequence[int]) -> QuerySet:
    """``queryset`` narrowed to ``ids`` and ordered as they are (best match first).

    E.g. ``ranked(Article.objects.published(), article_ids(q))``. Other filters, an
    explicit ``order_by`` and pagination compose with it as with any queryset.
    """
    ids = list(dict.fromkeys(int(pk) for pk in ids))
    if not ids:
        return queryset.none()
    return queryset.filter(pk__in=ids).order_by(RankOf(ids), "pk")


class RankOf(Func):
    """Where a row's primary key stands in ``ids`` (smaller is better), for ``order_by``.

    One expression with the ids as a single value, instead of a ``CASE`` with a branch
    per id: at MAX_IDS ids that ``CASE`` cost Django a thousand ``When`` lookups to build
    and compile on every request and the database up to a thousand comparisons per row,
    most of an API search's time at 100,000 articles (issue 12). PostgreSQL finds the key
    in an integer array (``array_position``); SQLite, which has no arrays, finds ``,pk,``
    in the text ``,id1,id2,…,``, whose offsets rise with the position in the list.
    """

    output_field = IntegerField()

    def __init__(self, ids: Sequence[int], field: str = "pk"):
        self.ids = [int(pk) for pk in ids]
        super().__init__(F(field))

    def as_postgresql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        return f"array_position(%s::bigint[], {column})", [self.ids, *params]

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        delimited = "," + ",".join(map(str, self.ids)) + ","
        return f"instr(%s, ',' || CAST({column} AS TEXT) || ',')", [delimited, *params]
