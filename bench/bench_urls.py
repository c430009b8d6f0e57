"""The product URLs plus ``/bench/<list>/``: hand-written plain Django views returning the
same JSON as the API's public lists (``/api/v1/<list>/``) from the same database, with the
same querysets and pagination, serialised by hand."""

from django.core.paginator import Paginator
from django.db.models import F, Prefetch
from django.http import JsonResponse
from django.urls import path
from django.utils import timezone

from articles.models import Article, Event, Mention, Quote, Tag
from articles.quote_display import display_text
from newsroom.urls import urlpatterns as product_urlpatterns
from people.models import Alias, Person


def iso(value):
    """DRF's rendering of a date-time: current time zone, ``Z`` for UTC."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def respond(request, queryset, row):
    """One page of ``queryset`` as DRF's page-number pagination renders it."""
    size = min(int(request.GET.get("page_size", 20)), 100)
    number = int(request.GET.get("page", 1))
    page = Paginator(queryset, size).page(number)
    base = request.build_absolute_uri(request.path).replace("/bench/", "/api/v1/")

    def link(n):
        return f"{base}?page={n}&page_size={size}" if n > 1 else f"{base}?page_size={size}"

    return JsonResponse(
        {
            "count": page.paginator.count,
            "next": link(number + 1) if page.has_next() else None,
            "previous": link(number - 1) if page.has_previous() else None,
            "results": [row(obj) for obj in page],
        },
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )


def articles(request):
    """Published articles, latest first."""
    queryset = (
        Article.objects.published()
        .defer("raw_text", "captions", "body")
        .latest_first()
        .prefetch_related(
            Prefetch("tags", queryset=Tag.objects.only("id", "name", "slug")),
            Prefetch(
                "mentions",
                queryset=Mention.objects.select_related("person")
                .only("id", "article_id", "start", "person__id", "person__name", "person__slug")
                .order_by("start"),
            ),
        )
    )

    def row(article):
        seen, people = set(), []
        for mention in article.mentions.all():
            if mention.person_id not in seen:
                seen.add(mention.person_id)
                people.append({"name": mention.person.name, "slug": mention.person.slug})
        return {
            "id": article.id,
            "slug": article.slug,
            "title": article.title,
            "standfirst": article.standfirst,
            "byline": article.byline,
            "published_at": iso(article.published_at),
            "status": article.status,
            "version": article.version,
            "updated_at": iso(article.updated_at),
            "url": request.build_absolute_uri(article.get_absolute_url()),
            "tags": [{"name": t.name, "slug": t.slug} for t in article.tags.all()],
            "people": people,
            "source": {
                "key": article.source_key,
                "name": article.source_name,
                "sha256": article.source_sha256,
            },
        }

    return respond(request, queryset, row)


def people(request):
    """People named by published content, as the API lists them."""
    from api.filters import visible_people

    queryset = visible_people(request).prefetch_related(
        Prefetch("aliases", queryset=Alias.objects.only("id", "person_id", "text"))
    )

    def row(person):
        return {
            "id": person.id,
            "slug": person.slug,
            "name": person.name,
            "description": person.description,
            "aliases": [alias.text for alias in person.aliases.all()],
            "updated_at": iso(person.updated_at),
            "url": request.build_absolute_uri(person.get_absolute_url()),
        }

    return respond(request, queryset, row)


def quotes(request):
    """Public quotes, by article and offset."""
    queryset = (
        Quote.objects.public()
        .select_related("speaker", "article")
        .only(
            *("id", "text", "speaker_label", "start", "end", "partial", "status", "version"),
            *("confidence", "attribution_rule", "updated_at", "canonical"),
            *("speaker__id", "speaker__name", "speaker__slug"),
            *("article__id", "article__slug", "article__title", "article__published_at"),
        )
        .order_by("article_id", "start", "pk")
    )

    def row(quote):
        speaker = quote.speaker
        return {
            "id": quote.id,
            "text": quote.text,
            "display_text": display_text(quote.text, partial=quote.partial),
            "speaker": speaker and {"id": speaker.id, "name": speaker.name, "slug": speaker.slug},
            "speaker_label": quote.speaker_label or None,
            "article": {
                "id": quote.article.id,
                "slug": quote.article.slug,
                "title": quote.article.title,
                "published_at": iso(quote.article.published_at),
            },
            "start": quote.start,
            "end": quote.end,
            "partial": quote.partial,
            "status": quote.status,
            "confidence": quote.confidence,
            "attribution_rule": quote.attribution_rule or None,
            "canonical": quote.canonical_id,
            "version": quote.version,
            "updated_at": iso(quote.updated_at),
            "url": request.build_absolute_uri(quote.get_absolute_url()),
        }

    return respond(request, queryset, row)


def events(request):
    """Events of published articles, oldest first."""
    queryset = (
        Event.objects.public()
        .select_related("article")
        .only(
            *("id", "summary", "date", "date_precision", "updated_at"),
            *("article__id", "article__slug", "article__title"),
        )
        .prefetch_related(Prefetch("people", queryset=Person.objects.only("id", "name", "slug")))
        .order_by(F("date").asc(nulls_last=True), "pk")
    )

    def row(event):
        return {
            "id": event.id,
            "summary": event.summary,
            "date": event.date.isoformat() if event.date else None,
            "date_precision": event.date_precision,
            "people": [{"name": p.name, "slug": p.slug} for p in event.people.all()],
            "article": {
                "id": event.article.id,
                "slug": event.article.slug,
                "title": event.article.title,
            },
            "updated_at": iso(event.updated_at),
        }

    return respond(request, queryset, row)


def tags(request):
    """Tags by name."""
    from api.views import TagViewSet

    queryset = TagViewSet(request=request, action="list").get_queryset()

    def row(tag):
        return {
            "id": tag.id,
            "slug": tag.slug,
            "name": tag.name,
            "updated_at": iso(tag.updated_at),
            "url": request.build_absolute_uri(tag.get_absolute_url()),
        }

    return respond(request, queryset, row)


urlpatterns = [
    path("bench/articles/", articles),
    path("bench/people/", people),
    path("bench/quotes/", quotes),
    path("bench/events/", events),
    path("bench/tags/", tags),
    *product_urlpatterns,
]
