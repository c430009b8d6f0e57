"""The product URLs plus ``/bench/articles/``: a hand-written plain Django view returning
the same JSON as ``GET /api/v1/articles/?page_size=20`` from the same database."""

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import JsonResponse
from django.urls import path
from django.utils import timezone

from articles.models import Article, Mention, Tag
from newsroom.urls import urlpatterns as product_urlpatterns


def iso(value):
    """DRF's rendering of a date-time: current time zone, ``Z`` for UTC."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def articles(request):
    """Published articles, latest first, 20 a page, serialised by hand."""
    size = min(int(request.GET.get("page_size", 20)), 100)
    number = int(request.GET.get("page", 1))
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
    page = Paginator(queryset, size).page(number)
    base = request.build_absolute_uri(request.path).replace("/bench/", "/api/v1/")

    def link(n):
        return f"{base}?page={n}&page_size={size}" if n > 1 else f"{base}?page_size={size}"

    results = []
    for article in page:
        seen, people = set(), []
        for mention in article.mentions.all():
            if mention.person_id not in seen:
                seen.add(mention.person_id)
                people.append({"name": mention.person.name, "slug": mention.person.slug})
        results.append(
            {
                "id": article.id,
                "slug": article.slug,
                "title": article.title,
                "standfirst": article.standfirst,
                "published_at": iso(article.published_at),
                "status": article.status,
                "version": article.version,
                "url": request.build_absolute_uri(article.get_absolute_url()),
                "tags": [{"name": t.name, "slug": t.slug} for t in article.tags.all()],
                "people": people,
                "source": {"name": article.source_name, "sha256": article.source_sha256},
            }
        )
    return JsonResponse(
        {
            "count": page.paginator.count,
            "next": link(number + 1) if page.has_next() else None,
            "previous": link(number - 1) if page.has_previous() else None,
            "results": results,
        },
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )


urlpatterns = [path("bench/articles/", articles), *product_urlpatterns]
