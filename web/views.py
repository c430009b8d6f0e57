"""Public pages. Only published articles and what was extracted from them are shown.

Every page runs a fixed number of queries, however many items it lists (tests count them),
and is wrapped in :func:`web.caching.public_page` for conditional GET and page caching.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import groupby
from urllib.parse import quote as urlquote
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from articles.models import Article, Event, Quote, RemovedQuote, Tag, TagSuggestion
from corrections.models import Correction
from people.models import Person, PersonRedirect

from . import seo
from .caching import public_page
from .charts import month_chart
from .queries import (
    add_public_counts,
    article_authors,
    most_quoted_recently,
    public_people,
    timeline_count,
    timeline_months,
    timeline_rows,
    timeline_years,
)
from .rendering import date_label, local_date, offsets_fit, render_body, sentence_around
from .search import highlight_page
from .search import search as run_search

ARTICLES_PER_PAGE = 12
EVENTS_PER_PAGE = 50
PEOPLE_PER_PAGE = 100
TIMELINE_PER_PAGE = 50
SEARCH_PER_PAGE = 10
# The reports of one quote listed on its permalink (issue 15), first reported first.
MAX_OCCURRENCES = 50


def paginate(request, queryset, per_page: int, param: str = "page"):
    """The requested page (out-of-range or malformed numbers fall back to a valid page)."""
    return Paginator(queryset, per_page).get_page(request.GET.get(param))


def canonical(request, path: str, page=None, param: str = "page") -> str:
    """Absolute canonical URL of ``path``; page 2 onwards keeps its page number."""
    if page is not None and page.number > 1:
        path = f"{path}?{urlencode({param: page.number})}"
    return seo.absolute(request, path)


@public_page
@require_GET
def home(request):
    articles = Article.objects.published().latest_first().prefetch_related("tags")
    page = paginate(request, articles, ARTICLES_PER_PAGE)
    meta = seo.PageMeta(
        title=seo.SITE_NAME if page.number == 1 else f"Latest stories, page {page.number}",
        canonical=canonical(request, reverse("web:home"), page),
    )
    meta.json_ld = seo.json_ld(
        {
            "@context": "https://schema.org",
            "@type": "WebSite",
            "name": seo.SITE_NAME,
            "url": seo.absolute(request, reverse("web:home")),
            "potentialAction": {
                "@type": "SearchAction",
                "target": seo.absolute(request, reverse("web:search")) + "?q={search_term}",
                "query-input": "required name=search_term",
            },
        }
    )
    return render(
        request,
        "web/home.html",
        {"page": page, "most_quoted": most_quoted_recently(), "meta": meta},
    )


def _unique_people(*groups):
    seen, people = set(), []
    for person in (p for group in groups for p in group):
        if person.pk not in seen:
            seen.add(person.pk)
            people.append(person)
    return sorted(people, key=lambda p: (p.name.casefold(), p.pk))


@public_page
@require_GET
def article_detail(request, slug):
    article = get_object_or_404(
        Article.objects.published().prefetch_related("tags", article_authors(pages=True)),
        slug=slug,
    )
    quotes = Quote.objects.public()
    events = Event.objects.public()
    return _article_page(request, article, quotes=quotes, events=events)


@never_cache
@require_GET
def article_preview(request, pk):
    """An article of any status as readers will see it once published (issue 14): for
    editors (staff who may view articles) only. Never cached by anyone, never stored in
    the page cache (it is not a ``public_page``), never indexed. Anonymous visitors are
    sent to log in; other users get the same 404 as an unknown id."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    if not (user.is_active and user.is_staff and user.has_perm("articles.view_article")):
        raise Http404("No such article.")
    article = get_object_or_404(
        Article.objects.prefetch_related("tags", article_authors(pages=True)), pk=pk
    )
    response = _article_page(
        request,
        article,
        quotes=Quote.objects.public_once_published(),
        events=Event.objects.all(),
        preview=True,
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _article_page(request, article, *, quotes, events, preview: bool = False):
    """The article page; ``quotes`` and ``events`` are the querysets it may show (public
    ones, or for a preview those that will be public once the article is)."""
    quotes = list(quotes.filter(article=article).select_related("speaker").order_by("start"))
    events = list(events.filter(article=article).chronological().prefetch_related("people"))
    mentioned = Person.objects.filter(mentions__article=article).distinct()
    people = _unique_people(
        mentioned,
        (q.speaker for q in quotes if q.speaker_id),
        (p for event in events for p in event.people.all()),
    )
    tags = list(article.tags.all())
    authors = list(article.authors.all())
    corrections = list(Correction.objects.filter(article=article).in_page_order())
    image = article.lead_image
    meta = seo.PageMeta(
        title=article.title,
        canonical=seo.absolute(request, article.get_absolute_url()),
        description=seo.summary(article.standfirst or article.body),
        og_type="article",
        published=article.published_at.isoformat() if article.published_at else "",
        modified=article.updated_at.isoformat() if article.updated_at else "",
        tags=[t.name for t in tags],
        json_ld=seo.json_ld(
            seo.article_ld(
                request,
                article,
                people=people,
                tags=tags,
                corrections=corrections,
                authors=authors,
            )
        ),
        image=image,
        image_url=seo.absolute(request, image.src) if image else "",
        noindex=preview,
    )
    return render(
        request,
        "web/article_detail.html",
        {
            "article": article,
            "paragraphs": render_body(article.body, quotes),
            "quotes": quotes,
            "people": people,
            "tags": tags,
            "authors": authors,
            "image": image,
            "corrections": corrections,
            "events": [(event, date_label(event.date, event.date_precision)) for event in events],
            "date_label": date_label(article.published_at),
            "meta": meta,
            "preview": preview,
        },
    )


@dataclass
class Letter:
    letter: str
    people: list


def _initial(sort_name: str) -> str:
    first = sort_name.strip()[:1].upper()
    return first if first.isalpha() and first.isascii() else "#"


LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@public_page
@require_GET
def person_list(request):
    """Everyone published stories name, by surname A to Z, a page at a time (issue 12: the
    whole list with its counts cost people × articles, 51 s at 2,000 articles; issue 15: it
    sorted by first name).

    Pages follow a cursor, ``?after=<slug>`` (or ``?before=<slug>``) of the last (first)
    person shown, rather than a page number: each page is one walk of the surname index
    from that person, so page 400 costs what page 1 does and nothing counts every person.
    ``?letter=K`` starts at the first surname from K. The cursor is looked up among public
    people, so a draft-only slug is an unknown one (404). Counts are for the page's rows."""
    people = public_people()
    after, before = request.GET.get("after", ""), request.GET.get("before", "")
    letter = request.GET.get("letter", "").upper()
    # One of A–Z, or no letter ("AB" is a substring of LETTERS, not a letter).
    letter = letter if len(letter) == 1 and letter in LETTERS else ""
    cursor = get_object_or_404(people, slug=after or before) if after or before else None
    order = ("sort_name", "pk")
    if cursor is None:
        if letter:
            people = people.filter(sort_name__gte=letter.lower())
        rows = list(people.order_by(*order)[: PEOPLE_PER_PAGE + 1])
        more_before, more_after = bool(letter), len(rows) > PEOPLE_PER_PAGE
        rows = rows[:PEOPLE_PER_PAGE]
    elif after:
        later = Q(sort_name__gt=cursor.sort_name) | Q(sort_name=cursor.sort_name, pk__gt=cursor.pk)
        rows = list(people.filter(later).order_by(*order)[: PEOPLE_PER_PAGE + 1])
        more_before, more_after = True, len(rows) > PEOPLE_PER_PAGE
        rows = rows[:PEOPLE_PER_PAGE]
    else:
        earlier = Q(sort_name__lt=cursor.sort_name) | Q(
            sort_name=cursor.sort_name, pk__lt=cursor.pk
        )
        rows = list(people.filter(earlier).order_by("-sort_name", "-pk")[: PEOPLE_PER_PAGE + 1])
        more_before, more_after = len(rows) > PEOPLE_PER_PAGE, True
        rows = rows[:PEOPLE_PER_PAGE][::-1]
    people = add_public_counts(rows)
    letters = [
        Letter(initial, list(group))
        for initial, group in groupby(people, lambda p: _initial(p.sort_name))
    ]
    path = reverse("web:people")
    meta = seo.PageMeta(
        title="People",
        canonical=seo.absolute(request, request.get_full_path() if cursor or letter else path),
        description="Everyone our stories name, by surname A to Z, with what they said and did.",
    )
    previous_url = next_url = ""
    if people and more_before:
        previous_url = f"{path}?{urlencode({'before': people[0].slug})}"
    if people and more_after:
        next_url = f"{path}?{urlencode({'after': people[-1].slug})}"
    return render(
        request,
        "web/person_list.html",
        {
            "letters": letters,
            "alphabet": LETTERS,
            "previous_url": previous_url,
            "next_url": next_url,
            "meta": meta,
        },
    )


@dataclass
class TimelineItem:
    kind: str  # "event", "quote" or "article"
    when: date | None
    label: str  # the date as readers see it
    obj: object

    @property
    def year(self):
        return self.when.year if self.when else None


def timeline_items(rows) -> list[TimelineItem]:
    """The page's (kind, id, ...) rows as TimelineItems, with their objects read in one
    query per kind shown (never an article's body)."""
    ids = {"article": [], "event": [], "quote": []}
    for kind, pk, *_ in rows:
        ids[kind].append(pk)
    article_fields = ("id", "title", "slug", "published_at")
    found = {
        "article": Article.objects.only(*article_fields).in_bulk(ids["article"]),
        "event": Event.objects.select_related("article")
        .only("id", "summary", "date", "date_precision", *(f"article__{f}" for f in article_fields))
        .in_bulk(ids["event"]),
        "quote": Quote.objects.select_related("article")
        .only("id", "text", "partial", *(f"article__{f}" for f in article_fields))
        .in_bulk(ids["quote"]),
    }
    items = []
    for kind, pk, *_ in rows:
        obj = found[kind][pk]
        if kind == "event":
            items.append(
                TimelineItem(kind, obj.date, date_label(obj.date, obj.date_precision), obj)
            )
        else:
            published = obj.published_at if kind == "article" else obj.article.published_at
            items.append(TimelineItem(kind, local_date(published), date_label(published), obj))
    return items


@public_page
@require_GET
def person_detail(request, slug):
    """A person's timeline of public stories, events and quotes, a page at a time, sorted
    and paged by the database (issue 12: a person with 13,400 quotes was one 8.9 MB page).
    Someone named only in drafts answers exactly like an unknown slug."""
    person = public_people().filter(slug=slug).prefetch_related("aliases").first()
    if person is None:
        kept = PersonRedirect.objects.kept_person(slug, among=public_people())
        if kept is None:
            raise Http404("No such person.")
        return redirect(kept, permanent=True)
    add_public_counts([person])
    years = timeline_years(person)
    year = request.GET.get("year", "")
    # ASCII digits only: str.isdigit() also accepts "¹", which int() refuses (a 500).
    selected_year = int(year) if year.isascii() and year.isdigit() and int(year) in years else None
    count = timeline_count(person) if selected_year is None else None
    # Newest first, as readers follow someone in the news (issue 15); undated items last.
    rows = timeline_rows(person, year=selected_year, count=count, newest_first=True)
    page = paginate(request, rows, TIMELINE_PER_PAGE)
    items = timeline_items(page.object_list)
    aliases = list(person.aliases.all())
    chart = month_chart(timeline_months(person)) if page.number == 1 else None
    meta = seo.PageMeta(
        title=person.name if page.number == 1 else f"{person.name}, page {page.number}",
        canonical=canonical(request, person.get_absolute_url(), page),
        description=person.description
        or f"{person.name} in the news: {person.quote_count} quotes in "
        f"{person.article_count} stories.",
        og_type="profile",
        json_ld=seo.json_ld(seo.profile_ld(request, person, aliases)),
    )
    return render(
        request,
        "web/person_detail.html",
        {
            "person": person,
            "aliases": aliases,
            "chart": chart,
            "items": items,
            "page": page,
            "extra_query": urlencode({"year": selected_year}) if selected_year else "",
            "years": years,
            "selected_year": selected_year,
            "quote_count": person.quote_count,
            "article_count": person.article_count,
            "meta": meta,
        },
    )


def share_links(url: str, text: str, title: str) -> list[tuple[str, str]]:
    """Plain share links: no third-party script runs on our pages."""
    message = f"{text} {url}"
    return [
        ("X", "https://twitter.com/intent/tweet?" + urlencode({"text": text, "url": url})),
        ("Bluesky", "https://bsky.app/intent/compose?" + urlencode({"text": message})),
        ("Facebook", "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url})),
        ("WhatsApp", "https://wa.me/?" + urlencode({"text": message})),
        (
            "Email",
            "mailto:?"
            + urlencode({"subject": title, "body": f"{text}\n\n{url}"}, quote_via=urlquote),
        ),
    ]


@public_page
@require_GET
def quote_detail(request, pk):
    try:
        quote = get_object_or_404(
            Quote.objects.public().select_related("speaker", "article"), pk=pk
        )
    except Http404:
        return withdrawn_quote(request, pk) or removed_quote(request, pk)
    article = quote.article
    context_parts = None
    if offsets_fit(article.body, quote):
        context_parts = sentence_around(article.body, quote.start, quote.end)
    url = seo.absolute(request, quote.get_absolute_url())
    said = seo.summary(quote.display_text, 180)
    headline = f"{quote.attributed_to}: “{seo.summary(quote.display_text, 80)}”"
    # Share text travels without the page: no bracketed placeholders in it (issue 15).
    shared = quote.share_text
    share = (
        f"“{seo.summary(shared, 180)}” — {quote.attributed_to}"
        if shared
        else f"{quote.attributed_to}, in “{article.title}”"
    )
    more = []
    if quote.speaker_id:
        more = list(
            Quote.objects.public()
            .filter(speaker_id=quote.speaker_id)
            .exclude(pk=quote.pk)
            .select_related("article")
            .order_by("-article_published_at", "-pk")[:5]
        )
    # Every public report of the same words (issue 15), first reported first: one indexed
    # read, bounded; a draft's occurrence is never among them.
    occurrences = []
    if quote.canonical_id:
        occurrences = list(
            Quote.objects.public()
            .filter(canonical_id=quote.canonical_id)
            .select_related("article", "speaker")
            .order_by(F("article_published_at").asc(nulls_last=True), "pk")[:MAX_OCCURRENCES]
        )
    if len(occurrences) < 2:
        occurrences = []
    meta = seo.PageMeta(
        title=headline,
        canonical=url,
        description=f"“{said}” — {quote.attributed_to}, in “{article.title}”",
        og_type="article",
        published=article.published_at.isoformat() if article.published_at else "",
        json_ld=seo.json_ld(seo.quotation_ld(request, quote)),
    )
    return render(
        request,
        "web/quote_detail.html",
        {
            "quote": quote,
            "article": article,
            "context_parts": context_parts,
            "date_label": date_label(article.published_at),
            "share_links": share_links(url, share, headline),
            "more": more,
            "occurrences": occurrences,
            "first_reported": occurrences[0] if occurrences else None,
            "meta": meta,
        },
    )


def withdrawn_quote(request, pk):
    """410 Gone, with the editor's public note and a link to the article, for a quote
    withdrawn from a published article; None for any other id (drafts stay 404)."""
    withdrawal = (
        Correction.objects.public()
        .filter(quote_id=pk, kind=Correction.Kind.WITHDRAWAL)
        .select_related("article")
        .order_by("-published_on", "-pk")
        .first()
    )
    if withdrawal is None:
        return None
    return render(
        request,
        "web/quote_withdrawn.html",
        {"withdrawal": withdrawal, "article": withdrawal.article},
        status=410,
    )


def removed_quote(request, pk):
    """410 Gone for a quote a re-import removed from its (published) article, with a link to
    the article; 404 for any other id, so that nothing of a draft shows (issue 11)."""
    removed = get_object_or_404(RemovedQuote.objects.public().select_related("article"), pk=pk)
    return render(request, "web/quote_removed.html", {"article": removed.article}, status=410)


@dataclass
class MonthGroup:
    label: str
    events: list


@dataclass
class YearGroup:
    label: str
    months: list


def group_events(events) -> list[YearGroup]:
    """Events (already in date order, undated last) as years holding months."""
    years: list[YearGroup] = []
    for event in events:
        if event.date is None:
            year_label, month_label = "Date unknown", ""
        else:
            year_label = str(event.date.year)
            month_label = (
                event.date.strftime("%B") if event.date_precision != "year" else "During the year"
            )
        if not years or years[-1].label != year_label:
            years.append(YearGroup(year_label, []))
        months = years[-1].months
        if not months or months[-1].label != month_label:
            months.append(MonthGroup(month_label, []))
        months[-1].events.append((event, date_label(event.date, event.date_precision)))
    return years


@public_page
@require_GET
def event_list(request):
    events = (
        Event.objects.public().chronological().select_related("article").prefetch_related("people")
    )
    person = None
    slug = request.GET.get("person", "")
    if slug:
        # Among public people only: a person named only in drafts is an unknown slug (404),
        # not a 200 that shows their name (issue 12).
        person = get_object_or_404(public_people(), slug=slug)
        events = events.filter(people=person)
    page = paginate(request, events, EVENTS_PER_PAGE)
    # The people of this page's events (already prefetched), not everyone with an event:
    # the list stays as short as the page at any size.
    choices = _unique_people(
        [person] if person else [], (p for event in page.object_list for p in event.people.all())
    )
    path = reverse("web:events")
    meta = seo.PageMeta(
        title=f"Events with {person.name}" if person else "Events",
        canonical=canonical(request, path, page),
        description="What happened, and when: the events our stories report, by month.",
    )
    if person:
        meta.canonical = seo.absolute(request, f"{path}?{urlencode({'person': person.slug})}")
    return render(
        request,
        "web/event_list.html",
        {
            "page": page,
            "years": group_events(page.object_list),
            "person": person,
            "choices": choices,
            "extra_query": urlencode({"person": person.slug}) if person else "",
            "meta": meta,
        },
    )


TAGS_PER_PAGE = 100


@public_page
@require_GET
def tag_list(request):
    """Every public topic, A to Z, with how many published stories carry it: counted for
    the page's tags only, in one grouped query on the article-tag table."""
    page = paginate(request, Tag.objects.public().order_by("name", "pk"), TAGS_PER_PAGE)
    tags = list(page.object_list)
    through = Tag.articles.through
    counts = dict(
        through.objects.filter(
            tag_id__in=[tag.pk for tag in tags], article__status=Article.Status.PUBLISHED
        )
        .order_by()
        .values("tag_id")
        .annotate(n=Count("article_id"))
        .values_list("tag_id", "n")
    )
    for tag in tags:
        tag.story_count = counts.get(tag.pk, 0)
    meta = seo.PageMeta(
        title="Topics" if page.number == 1 else f"Topics, page {page.number}",
        canonical=canonical(request, reverse("web:tags"), page),
        description="Every topic our stories cover, A to Z.",
    )
    return render(request, "web/tag_list.html", {"tags": tags, "page": page, "meta": meta})


@public_page
@require_GET
def tag_detail(request, slug):
    tag = get_object_or_404(Tag.objects.public(), slug=slug)
    # Which stories carry it because the suggestion recurs, not by an editor (issue 15).
    auto = TagSuggestion.objects.filter(
        tag=tag, article=OuterRef("pk"), auto_applied=True, status=TagSuggestion.Status.ACCEPTED
    )
    articles = (
        tag.articles.published()
        .annotate(tag_auto_applied=Exists(auto))
        .latest_first()
        .prefetch_related("tags")
    )
    page = paginate(request, articles, ARTICLES_PER_PAGE)
    meta = seo.PageMeta(
        title=tag.name,
        canonical=canonical(request, tag.get_absolute_url(), page),
        description=tag.description or f"Stories about {tag.name}.",
    )
    return render(request, "web/tag_detail.html", {"tag": tag, "page": page, "meta": meta})


@public_page
@require_GET
def search(request):
    results = run_search(request.GET.get("q", ""))
    groups = []
    if not results.is_empty_query:
        for name, kind, queryset, param in (
            ("People", "person", results.people, "people_page"),
            ("Quotes", "quote", results.quotes, "quotes_page"),
            ("Stories", "article", results.articles, "articles_page"),
        ):
            page = paginate(request, queryset, SEARCH_PER_PAGE, param)
            highlight_page(kind, results.query, page)
            groups.append((name, param, page))
    meta = seo.PageMeta(
        title=f"Search: {results.query}" if results.query else "Search",
        canonical=seo.absolute(request, reverse("web:search")),
        noindex=True,
    )
    return render(
        request,
        "web/search.html",
        {
            "query": results.query,
            "search_query": urlencode({"q": results.query}),
            "groups": groups,
            "total": sum(page.paginator.count for _, _, page in groups),
            "meta": meta,
        },
    )


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "",
        f"Sitemap: {seo.absolute(request, reverse('web:sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
