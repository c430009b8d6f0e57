"""sitemap.xml: the public pages search engines should know, with their last change."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from articles.models import Article, Tag

from .queries import public_people


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

    def items(self):
        return Article.objects.published().latest_first().only("slug", "updated_at")

    def lastmod(self, article):
        return article.updated_at


class PersonSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.5

    def items(self):
        return public_people().order_by("name", "pk").only("slug", "updated_at")

    def lastmod(self, person):
        return person.updated_at


class TagSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.4

    def items(self):
        return (
            Tag.objects.filter(articles__status=Article.Status.PUBLISHED)
            .annotate(last_story=Max("articles__updated_at"))
            .order_by("name")
        )

    def lastmod(self, tag):
        return tag.last_story


SITEMAPS = {
    "sections": SectionSitemap,
    "articles": ArticleSitemap,
    "people": PersonSitemap,
    "tags": TagSitemap,
}
