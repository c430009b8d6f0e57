"""What the public may see, as querysets shared by pages, feeds, sitemaps, search and the API.

The model querysets (``Article.objects.published()``, ``Quote.objects.public()``,
``Event.objects.public()``, ``Tag.objects.public()``) decide what is public; this module
combines them for people, who are public only while some published content names them.

Every query here is bounded by what one page shows (issue 12): a person's visibility is
three indexed ``EXISTS`` probes, and counts are computed for the rows of the page only,
never for every person against every article.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    CharField,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Substr
from django.utils import timezone

from articles.models import Article, Event, Mention, Quote
from people.models import Person

EventPerson = Event.people.through


def featuring(person) -> Q:
    """Articles that name ``person`` (a Person or a pk): mentioned, quoted (by a public
    quote: never a rejected or held-back one) or involved in a reported event.

    For the latest few such articles (a feed): PostgreSQL hashes the person's rows and walks
    the publication-date index until the page is full. To read *all* of them (a timeline,
    its years), use :func:`featured_article_ids`, which never reads every article."""
    return (
        Q(pk__in=Mention.objects.filter(person=person).values("article_id"))
        | Q(pk__in=Quote.objects.public().filter(speaker=person).values("article_id"))
        | Q(pk__in=EventPerson.objects.filter(person=person).values("event__article_id"))
    )


def featured_article_ids(person):
    """The ids of the articles :func:`featuring` ``person``, as one ``UNION`` of the
    person's rows (mentions, public quotes, events), driven by the person indexes.

    ``pk__in`` this is one semi-join by primary key. The three ``IN``s of ``featuring``
    joined by ``OR`` are tested article by article instead, so reading all of a person's
    articles (every item of a timeline) read every article in the table (issue 12)."""
    return (
        Mention.objects.filter(person=person)
        .order_by()
        .values("article_id")
        .union(
            Quote.objects.public().filter(speaker=person).order_by().values("article_id"),
            EventPerson.objects.filter(person=person).order_by().values("event__article_id"),
        )
    )


def public_people():
    """People named by published content: mentioned in a published article, speaker of a
    public quote, or involved in an event of a published article.

    The one definition, used by pages, feeds, sitemaps, search and the anonymous API: a
    person named only in drafts is exactly as invisible as one who does not exist.

    One ``EXISTS`` over a ``UNION ALL`` of the three indexed probes (mention by person,
    quote by speaker, event-person by person), not three ``EXISTS`` joined by ``OR``:
    PostgreSQL turns each ``OR``-ed ``EXISTS`` into a "hashed SubPlan" that reads every
    mention, quote, event and published article before the first person is shown (it
    plans for every person, ignoring the page's ``LIMIT``: 230 ms for a page of 50 at
    100,000 articles, issue 12). A set operation cannot be hashed, so each person is
    probed by the indexes, and the probes stop at the first hit: a page of people costs
    the same however many articles there are, on SQLite as on PostgreSQL."""
    return Person.objects.filter(Exists(_naming_rows()))


def article_authors(*, pages: bool = False) -> Prefetch:
    """Prefetch an article's author people (its byline, issue 14), by name; with
    ``pages``, each with ``has_page``: whether published content names them, so that they
    have a public page to link to (a writer nobody quotes has none). One query per list."""
    people = Person.objects.only("id", "name", "slug").order_by("name", "pk")
    if pages:
        people = people.annotate(has_page=Exists(_naming_rows()))
    return Prefetch("authors", queryset=people)


def _naming_rows():
    """One row per piece of published content naming ``OuterRef("pk")`` (see
    :func:`public_people`)."""
    published = Article.Status.PUBLISHED
    person = OuterRef("pk")
    mentions = Mention.objects.published().filter(person=person)
    quotes = Quote.objects.public().filter(speaker=person)
    events = EventPerson.objects.filter(person=person, event__article__status=published)
    return (
        mentions.order_by()
        .values("pk")
        .union(quotes.order_by().values("pk"), events.order_by().values("pk"), all=True)
    )


def article_pairs(person_ids):
    """Distinct (person id, article id) pairs: the published articles featuring each of
    ``person_ids`` (see :func:`featuring`), as one SQL UNION driven by the person indexes."""
    mentions = Mention.objects.published().filter(person_id__in=person_ids)
    quotes = Quote.objects.public().filter(speaker_id__in=person_ids)
    # The event's article and its status as correlated lookups by primary key, not joins:
    # joined, SQLite may walk every published article towards the page's people, and
    # PostgreSQL hashed every event of the archive for a page of 100 people (issue 12).
    event_article = Event.objects.filter(pk=OuterRef("event_id")).values("article_id")[:1]
    events = (
        EventPerson.objects.filter(person_id__in=person_ids)
        .annotate(event_article_id=Subquery(event_article))
        .filter(Exists(Article.objects.published().filter(pk=OuterRef("event_article_id"))))
    )
    return (
        mentions.order_by()
        .values_list("person_id", "article_id")
        .union(
            quotes.order_by().values_list("speaker_id", "article_id"),
            events.order_by().values_list("person_id", "event_article_id"),
        )
    )


def _pairs_per_person(pairs) -> dict[int, int]:
    """{person id: number of pairs} for a (person id, article id) UNION, counted by the
    database: a much-quoted person's 13,000 pairs are not sent to Python to be counted
    (issue 12). The ORM cannot group a UNION, hence the SQL around the ORM's own."""
    try:
        sql, params = pairs.query.sql_with_params()
    except EmptyResultSet:
        return {}
    with connections[pairs.db].cursor() as cursor:
        cursor.execute(f"SELECT person_id, COUNT(*) FROM ({sql}) pairs GROUP BY person_id", params)
        return dict(cursor.fetchall())


def add_public_counts(people) -> list[Person]:
    """Give each person of ``people`` (one page of them) ``quote_count`` (public quotes)
    and ``article_count`` (published stories naming them), in two queries.

    Counts are computed for the page's rows only, by indexed lookups, rather than stored
    on Person: what is public depends on a setting read at query time
    (``NEWSROOM_PUBLISH_MIN_CONFIDENCE``) and on every write path (import, admin, API,
    body edits, merges), so a stored counter could drift; these queries cannot, and cost
    what the page shows, not what the database holds."""
    people = list(people)
    ids = [person.pk for person in people]
    quotes = dict(
        Quote.objects.public()
        .filter(speaker_id__in=ids)
        .order_by()
        .values("speaker_id")
        .annotate(n=Count("pk"))
        .values_list("speaker_id", "n")
    )
    articles = _pairs_per_person(article_pairs(ids)) if ids else {}
    for person in people:
        person.quote_count = quotes.get(person.pk, 0)
        person.article_count = articles.get(person.pk, 0)
    return people


# --- A person's timeline ---------------------------------------------------------------

TIMELINE_ORDER = {"article": 0, "event": 1, "quote": 2}  # on the same day


def _timeline_parts(person, year: int | None = None):
    """(kind, queryset, key, date field) for each source of the person's public timeline:
    an item is placed at its article's publication time (a quote's article's), or at the
    start of its event's date. The person's stories come from three sources (mentions,
    public quotes, events: a story named several ways is one item); mentions and quotes
    carry their article's status and date (see ``articles.models.ArticleCopy``), so they
    are read from the person's own index entries, in date order, never joined to each of
    their articles (issue 12)."""
    published = Article.Status.PUBLISHED
    mentioned = Mention.objects.published().filter(person=person)
    quoted = Quote.objects.public().filter(speaker=person)
    in_events = EventPerson.objects.filter(person=person, event__article__status=published)
    events = Event.objects.public().filter(people=person)
    if year is not None:  # date ranges, so the indexes apply
        mentioned = mentioned.filter(article_published_at__year=year)
        quoted = quoted.filter(article_published_at__year=year)
        in_events = in_events.filter(event__article__published_at__year=year)
        events = events.filter(date__year=year)
    return [
        ("article", mentioned, "article_id", "article_published_at"),
        ("article", quoted, "article_id", "article_published_at"),
        ("article", in_events, "event__article_id", "event__article__published_at"),
        ("event", events, "pk", "date"),
        ("quote", quoted, "pk", "article_published_at"),
    ]


def timeline_rows(
    person, *, year: int | None = None, count: int | None = None, newest_first: bool = False
) -> TimelineRows:
    """(kind, id, unknown, moment, order) rows of the person's public timeline, oldest
    first (or newest first), undated last, for a paginator: see :class:`TimelineRows`.
    ``count``, when the caller knows it (see :func:`timeline_count`), spares counting the
    timeline."""
    return TimelineRows(_timeline_parts(person, year), count, newest_first=newest_first)


def timeline_count(person) -> int:
    """How many items the person's whole timeline holds, from the counts of
    :func:`add_public_counts` (``article_count``, ``quote_count``) and one indexed count of
    their public events: the timeline is exactly those articles, quotes and events, so
    counting its UNION again (every item of a much-quoted person, issue 12) is not needed."""
    events = Event.objects.public().filter(people=person).count()
    return person.article_count + person.quote_count + events


class TimelineRows:
    """The timeline's rows, sliced for a paginator without sorting the whole timeline.

    ``parts`` are its sources, (kind, queryset, key, date field) as
    :func:`_timeline_parts` gives them; rows are (kind, id, undated, moment, kind's rank),
    ordered undated last, then by moment (the date field's value; with ``by_day``, its day
    in the current time zone, as the API dates items), kind (story, event, quote), id.

    A page's first ``n`` rows are among the first ``n`` of each source, and each source
    reads its first ``n`` in order down the person's index (mentions and quotes carry
    their article's date, see ``articles.models.ArticleCopy``); by day, also the rest of
    the day of its ``n``-th row, since ids order a day. So a page is one short indexed read
    per source, merged here; not a sort of every item of a much-quoted person (issue 12:
    13,000 quotes and 13,000 stories sorted for a page of 50). Undated rows, which follow
    every dated one, are read only when the dated ones end before the page does."""

    ordered = True  # what Paginator checks

    def __init__(
        self, parts, count: int | None = None, *, by_day: bool = False, newest_first=False
    ):
        self._parts, self._count, self._by_day = parts, count, by_day
        # Newest first: dated rows by moment descending, and within a moment by kind, then
        # id descending (the order each source is read in, so a page is still among the
        # first n of each); undated rows stay last, apart.
        self._newest_first = newest_first

    def count(self) -> int:
        if self._count is None:
            ids = [
                queryset.order_by().values_list(Value(kind, output_field=CharField()), key)
                for kind, queryset, key, _field in self._parts
            ]
            self._count = ids[0].union(*ids[1:]).count()
        return self._count

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step is not None or index.stop is None:
            raise TypeError("TimelineRows takes [start:stop] slices only")
        start, stop = index.start or 0, index.stop
        if stop <= start:
            return []
        rows = self._read(stop, dated=True)
        # Every dated row is read: the undated ones follow, if the count leaves any.
        if len(rows) < stop and (self._count is None or len(rows) < self._count):
            rows += self._read(stop - len(rows), dated=False)
        return rows[start:stop]

    def _read(self, n: int, *, dated: bool) -> list[tuple]:
        """The first ``n`` dated (or undated) rows, merged from the first ``n`` of each
        source; a story named several ways is one row."""
        rows, seen = [], set()
        for kind, queryset, key, field in self._parts:
            queryset = queryset.filter(**{f"{field}__isnull": not dated}).order_by()
            if kind == "article":  # a story named several times: once
                queryset = queryset.distinct()
            if dated:
                order = (f"-{field}", f"-{key}") if self._newest_first else (field, key)
                found = list(queryset.order_by(*order).values_list(key, field)[:n])
                if self._by_day and len(found) == n:  # the rest of the n-th row's day
                    day = queryset.filter(**self._day_of(field, found[-1][1]))
                    found += day.values_list(key, field)
            else:
                found = [
                    (pk, None) for pk in queryset.order_by(key).values_list(key, flat=True)[:n]
                ]
            for pk, moment in found:
                if (kind, pk) in seen:
                    continue
                seen.add((kind, pk))
                rows.append(
                    (kind, pk, 0 if dated else 1, self._moment(moment), TIMELINE_ORDER[kind])
                )
        if dated and self._newest_first:
            rows.sort(key=lambda row: -row[1])  # stable sorts: moment desc, kind, id desc
            rows.sort(key=lambda row: row[4])
            rows.sort(key=lambda row: row[3], reverse=True)
        else:
            rows.sort(key=lambda row: (row[3], row[4], row[1]) if dated else (row[4], row[1]))
        return rows[:n]

    def _moment(self, value):
        """A row's place in time: its datetime (a date: the start of that day, UTC, as
        the database compared them), or with ``by_day`` its day in the current time zone."""
        if value is None:
            return None
        if self._by_day:
            return timezone.localdate(value) if isinstance(value, datetime) else value
        if isinstance(value, datetime):
            return value
        return datetime.combine(value, time.min, tzinfo=UTC)

    def _day_of(self, field: str, value) -> dict:
        """Lookups for the rows of ``value``'s day (by_day), as a range the index serves."""
        if not isinstance(value, datetime):
            return {field: value}
        day = timezone.localdate(value)
        start = timezone.make_aware(datetime.combine(day, time.min))
        end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
        return {f"{field}__gte": start, f"{field}__lt": end}


def timeline_years(person) -> list[int]:
    """The years of the person's dated public timeline items, ascending: the first four
    characters of the stored date (UTC), which SQLite reads without a Python call per row.

    Read from the same sources as the timeline (the person's index entries), quotes
    included: a quote's year is its story's, so they add no year but cost no join."""
    years = [
        queryset.order_by()
        .filter(**{f"{field}__isnull": False})
        .annotate(item_year=Substr(Cast(field, CharField()), 1, 4))
        .values_list("item_year", flat=True)
        for kind, queryset, _key, field in _timeline_parts(person)
        if kind != "quote"
    ]
    return sorted({int(y) for y in years[0].union(*years[1:])})


# The chart shows at most this many months, the latest, so its size has a bound.
CHART_MONTHS = 120


def timeline_months(person) -> list[tuple[int, int, int, int]]:
    """(year, month, quotes, events) for each month of the person's dated public quotes
    and events, oldest first, at most the latest ``CHART_MONTHS`` months that have any.

    Counted by the database from the person's own index entries (quotes carry their
    article's date), grouped on the date's first seven characters ("2024-05"), which both
    databases read from the stored value without a Python call per row."""

    def by_month(kind, queryset, field):
        return (
            queryset.order_by()
            .filter(**{f"{field}__isnull": False})
            .annotate(month=Substr(Cast(field, CharField()), 1, 7))
            .values("month")
            .annotate(n=Count("pk"), kind=Value(kind, output_field=CharField()))
            .values_list("kind", "month", "n")
        )

    quoted = by_month(
        "quote", Quote.objects.public().filter(speaker=person), "article_published_at"
    )
    dated = by_month("event", Event.objects.public().filter(people=person), "date")
    quotes, events = {}, {}
    for kind, month, n in quoted.union(dated, all=True):  # one query for both
        (quotes if kind == "quote" else events)[month] = n
    months = sorted(set(quotes) | set(events))[-CHART_MONTHS:]
    return [
        (int(month[:4]), int(month[5:7]), quotes.get(month, 0), events.get(month, 0))
        for month in months
    ]


def most_quoted_recently(*, articles: int = 50, limit: int = 6) -> list[Person]:
    """The people most quoted in the latest ``articles`` published stories, each with
    ``recent_quotes``: counted from those stories' quotes, never over all people."""
    recent = Article.objects.published().latest_first().values("pk")[:articles]
    top = list(
        Quote.objects.public()
        .filter(article__in=recent, speaker__isnull=False)
        .order_by()
        .values("speaker_id", "speaker__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "speaker__name", "speaker_id")
        .values_list("speaker_id", "n")[:limit]
    )
    people = Person.objects.in_bulk([pk for pk, _ in top])
    ranked = []
    for pk, n in top:
        person = people[pk]
        person.recent_quotes = n
        ranked.append(person)
    return ranked
