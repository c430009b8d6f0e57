"""Sitemaps: an index at ``/sitemap.xml`` pointing at paginated sections (issue 12).

The single sitemap's query grew with people × articles (82 s at 2,000 articles). Now each
section page holds the public items of one range of primary keys: one range read plus an
indexed probe per item, and the index needs only each table's largest key. No page counts
or skips rows, so every request costs the same at any size. Only public content appears:
published articles, people named by them, tags of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.sitemaps import Sitemap
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Max, Min
from django.urls import reverse
from django.utils.functional import cached_property

from articles.models import Article, Tag

from .queries import public_people

# URLs per section page. Search engines accept up to 50,000; a smaller page keeps each
# request short (one page is one bounded query) and the response small.
SITEMAP_LIMIT = 500


@dataclass
class KeyRangePage:
    number: int
    object_list: object


class KeyRangePaginator:
    """Page n holds the items whose primary key is in the n-th run of ``limit`` keys from
    the table's first key.

    What the sitemap views need of a paginator (``num_pages``, ``page(n)``), without
    Django's count of every item and ``OFFSET``: a page is a primary-key range, so it costs
    the same at any size. Pages may hold fewer than ``limit`` items (drafts, people no
    published story names, deleted rows), never more.
    """

    def __init__(self, queryset, limit: int):
        self.queryset, self.limit = queryset, limit

    @cached_property
    def _keys(self) -> tuple[int, int]:
        """(first key - 1, last key) of the whole table: two ends of its primary-key index."""
        keys = self.queryset.model._default_manager.aggregate(first=Min("pk"), last=Max("pk"))
        if keys["first"] is None:
            return 0, 0
        return keys["first"] - 1, keys["last"]

    @cached_property
    def num_pages(self) -> int:
        before, last = self._keys
        return max(1, -(-(last - before) // self.limit))

    def page(self, number) -> KeyRangePage:
        try:
            number = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger("That page number is not an integer") from exc
        if not 1 <= number <= self.num_pages:
            raise EmptyPage("That page contains no results")
        low = self._keys[0] + (number - 1) * self.limit
        return KeyRangePage(number, self.queryset.filter(pk__gt=low, pk__lte=low + self.limit))


class KeyRangeSitemap(Sitemap):
    limit = SITEMAP_LIMIT

    @property
    def paginator(self):
        return KeyRangePaginator(self.items(), self.limit)


class SectionSitemap(Sitemap):
    changefreq = "hourly"
    priority = 0.6

    def items(self):
        return ["web:home", "web:people", "web:events"]

    def location(self, item):
        return reverse(item)


class ArticleSitemap(KeyRangeSitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Article.objects.published().order_by("pk").only("slug", "updated_at")

    def lastmod(self, article):
        return article.updated_at

    def get_latest_lastmod(self):
        # Django's default computes lastmod for every item; one indexed read instead.
        return (
            Article.objects.published()
            .order_by("-updated_at")
            .values_list("updated_at", flat=True)
            .first()
        )


class PersonSitemap(KeyRangeSitemap):
    changefreq = "daily"
    priority = 0.5

    def items(self):
        return public_people().order_by("pk").only("slug", "updated_at")

    def lastmod(self, person):
        return person.updated_at

    def get_latest_lastmod(self):
        return None  # would mean reading every public person; the pages carry lastmod


class TagSitemap(KeyRangeSitemap):
    changefreq = "daily"
    priority = 0.4

    def items(self):
        return Tag.objects.public().order_by("pk").only("slug")

    def get_latest_lastmod(self):
        return None


SITEMAPS = {
    "sections": SectionSitemap,
    "articles": ArticleSitemap,
    "people": PersonSitemap,
    "tags": TagSitemap,
}
