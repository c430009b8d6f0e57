"""Sitemaps: an index at ``/sitemap.xml`` pointing at paginated sections (issue 12).

Every section page is a bounded, indexed query (``LIMIT``/``OFFSET`` on an indexed order)
plus one count, so its cost does not grow with the number of people × articles as the
single sitemap's did (82 s at 2,000 articles). Only public content appears: published
articles, people named by them, tags of them.
"""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from articles.models import Article, Tag

from .queries import public_people

# URLs per section page. Search engines accept up to 50,000; a smaller page keeps each
# request short (one page is one bounded query) and the response small.
SITEMAP_LIMIT = 1000


class SectionSitemap(Sitemap):
    changefreq = "hourly"
    priority = 0.6

    def items(self):
        return ["web:home", "web:people", "web:events"]

    def location(self, item):
        return reverse(item)


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8
    limit = SITEMAP_LIMIT

    def items(self):
        # Primary-key order: a page keeps its stories as new ones are published (they go
        # to the last page), and it is the cheapest indexed order.
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


class PersonSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.5
    limit = SITEMAP_LIMIT

    def items(self):
        return public_people().order_by("pk").only("slug", "updated_at")

    def lastmod(self, person):
        return person.updated_at

    def get_latest_lastmod(self):
        return None  # would mean reading every public person; the pages carry lastmod


class TagSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.4
    limit = SITEMAP_LIMIT

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
