"""What the public may see, as querysets shared by pages, feeds, sitemaps, search and the API.

The model querysets (``Article.objects.published()``, ``Quote.objects.public()``,
``Event.objects.public()``, ``Tag.objects.public()``) decide what is public; this module
combines them for people, who are public only while some published content names them.

Every query here is bounded by what one page shows (issue 12): a person's visibility is
three indexed ``EXISTS`` probes, and counts are computed for the rows of the page only,
never for every person against every article.
"""

from __future__ import annotations

from collections import Counter

from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import Cast, Substr

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


def _naming_rows():
    """One row per piece of published content naming ``OuterRef("pk")`` (see
    :func:`public_people`)."""
    published = Article.Status.PUBLISHED
    person = OuterRef("pk")
    mentions = Mention.objects.filter(person=person, article__status=published)
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
    published = Article.Status.PUBLISHED
    mentions = Mention.objects.filter(person_id__in=person_ids, article__status=published)
    quotes = Quote.objects.public().filter(speaker_id__in=person_ids)
    # The article's status as a correlated EXISTS, not a join: joined, SQLite may walk every
    # published article towards the page's people instead of the other way round.
    events = EventPerson.objects.filter(person_id__in=person_ids).filter(
        Exists(Article.objects.published().filter(pk=OuterRef("event__article_id")))
    )
    return (
        mentions.order_by()
        .values_list("person_id", "article_id")
        .union(
            quotes.order_by().values_list("speaker_id", "article_id"),
            events.order_by().values_list("person_id", "event__article_id"),
        )
    )


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
    articles = Counter(person_id for person_id, _ in article_pairs(ids)) if ids else Counter()
    for person in people:
        person.quote_count = quotes.get(person.pk, 0)
        person.article_count = articles.get(person.pk, 0)
    return people


# --- A person's timeline ---------------------------------------------------------------

TIMELINE_ORDER = {"article": 0, "event": 1, "quote": 2}  # on the same day


def _timeline_parts(person, year: int | None = None):
    """(kind, queryset, moment) for the person's public articles, events and quotes: an
    item is placed at its article's publication time (a quote's article's), or at the start
    of its event's date. Plain columns, so that SQLite sorts them without calling a Python
    function per row (a person may have tens of thousands of quotes)."""
    articles = Article.objects.published().filter(pk__in=featured_article_ids(person))
    events = Event.objects.public().filter(people=person)
    quotes = Quote.objects.public().filter(speaker=person)
    if year is not None:  # date ranges, so the indexes apply
        articles = articles.filter(published_at__year=year)
        events = events.filter(date__year=year)
        quotes = quotes.filter(article__published_at__year=year)
    return [
        ("article", articles, "published_at"),
        ("event", events, "date"),
        ("quote", quotes, "article__published_at"),
    ]


def _moment(kind: str, field: str):
    if kind == "event":
        return Cast(field, DateTimeField())
    return F(field)


def timeline_rows(person, *, year: int | None = None, count: int | None = None) -> TimelineRows:
    """(kind, id, moment, ...) rows of the person's public timeline, oldest first, undated
    last, as one SQL UNION, so that the database sorts and pages it: only the rows of the
    page shown are read. ``count``, when the caller knows it (see
    :func:`timeline_count`), spares counting the UNION again."""
    parts = _timeline_parts(person, year)
    rows = [
        queryset.order_by()
        .annotate(
            item_kind=Value(kind, output_field=CharField()),
            item_id=F("pk"),
            item_unknown=Case(
                When(Q(**{f"{field}__isnull": True}), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            item_at=_moment(kind, field),
            item_order=Value(TIMELINE_ORDER[kind], output_field=IntegerField()),
        )
        .values_list("item_kind", "item_id", "item_unknown", "item_at", "item_order")
        for kind, queryset, field in parts
    ]
    ordered = (
        rows[0]
        .union(*rows[1:], all=True)
        .order_by("item_unknown", "item_at", "item_order", "item_id")
    )
    ids = [queryset.order_by().values_list("pk") for _kind, queryset, _field in parts]
    return TimelineRows(ordered, ids[0].union(*ids[1:], all=True), count=count)


def timeline_count(person) -> int:
    """How many items the person's whole timeline holds, from the counts of
    :func:`add_public_counts` (``article_count``, ``quote_count``) and one indexed count of
    their public events: the timeline is exactly those articles, quotes and events, so
    counting its UNION again (every item of a much-quoted person, issue 12) is not needed."""
    events = Event.objects.public().filter(people=person).count()
    return person.article_count + person.quote_count + events


class TimelineRows:
    """The timeline's ordered rows for a paginator: sliced from the ordered UNION, counted
    on a cheaper UNION of ids."""

    ordered = True  # what Paginator checks; the UNION has its ORDER BY

    def __init__(self, rows, ids, *, count: int | None = None):
        self._rows, self._ids, self._count = rows, ids, count

    def count(self) -> int:
        return self._ids.count() if self._count is None else self._count

    def __getitem__(self, index):
        return self._rows[index]


def timeline_years(person) -> list[int]:
    """The years of the person's dated public timeline items, ascending: the first four
    characters of the stored date (UTC), which SQLite reads without a Python call per row.

    Quotes are left out: a public quote is dated by its article, which is published and
    names its speaker, so its year is already an article's (and reading a much-quoted
    person's every quote cost as much as the rest of the page, issue 12)."""
    years = [
        queryset.order_by()
        .filter(**{f"{field}__isnull": False})
        .annotate(item_year=Substr(Cast(field, CharField()), 1, 4))
        .values_list("item_year", flat=True)
        .distinct()
        for kind, queryset, field in _timeline_parts(person)
        if kind != "quote"
    ]
    return sorted({int(y) for y in years[0].union(*years[1:])})


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
