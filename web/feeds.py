"""RSS 2.0 and Atom feeds: latest stories, one person's quotes and stories, one tag's stories.

Feed generators escape every text field, so imported text needs no special care here.
"""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.db.models import F, Prefetch
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from articles.models import Article, Quote, Tag
from corrections.models import Correction
from people.models import PersonRedirect

from .queries import article_authors, featuring, public_people
from .seo import SITE_DESCRIPTION, SITE_NAME, correction_text, summary

FEED_ITEMS = 30


# What an article item shows besides its own fields (its authors: RSS dc:creator, Atom author).
def item_prefetches():
    return (
        "tags",
        article_authors(),
        Prefetch("corrections", queryset=Correction.objects.in_page_order()),
    )


class ArticleItemsMixin:
    """Items that are articles (and, in person feeds, quotes)."""

    def item_title(self, item):
        if isinstance(item, Quote):
            return f"{item.attributed_to}: “{summary(item.display_text, 100)}”"
        return item.title

    def item_description(self, item):
        if isinstance(item, Quote):
            return f"“{item.display_text}” — {item.attributed_to}, in “{item.article.title}”"
        description = item.standfirst or summary(item.body, 300)
        # A correction travels with the story to feed readers, as it shows on its page.
        for correction in item.corrections.all():
            when = f"{correction.published_on:%-d %B %Y}"
            description += f"\n\nCorrection, {when}: {correction_text(correction)}"
        return description

    def item_pubdate(self, item):
        article = item.article if isinstance(item, Quote) else item
        return article.published_at

    def item_updateddate(self, item):
        article = item.article if isinstance(item, Quote) else item
        return article.updated_at

    def item_author_name(self, item):
        """The byline (issue 14): author people, else the free text; none for quotes."""
        if isinstance(item, Quote):
            return None
        names = item.byline_names()
        if not names:
            return None
        return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"

    def item_categories(self, item):
        if isinstance(item, Quote):
            return ()
        return [tag.name for tag in item.tags.all()]


class LatestArticlesFeed(ArticleItemsMixin, Feed):
    title = f"{SITE_NAME}: latest stories"
    description = SITE_DESCRIPTION

    def link(self):
        return reverse("web:home")

    def feed_url(self):
        return reverse("web:feed-articles-rss")

    def items(self):
        return (
            Article.objects.published()
            .latest_first()
            .prefetch_related(*item_prefetches())[:FEED_ITEMS]
        )


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed
    subtitle = SITE_DESCRIPTION

    def feed_url(self):
        return reverse("web:feed-articles-atom")


class PersonFeed(ArticleItemsMixin, Feed):
    """A person's public quotes and the published stories that name them, newest first.

    A merged person's old feed address answers 301 to the kept person's feed."""

    route = "web:feed-person-rss"

    def __call__(self, request, *args, **kwargs):
        # Read once here and handed to get_object through the request (this feed object
        # serves every request): the merged-slug check runs only for a slug nobody has.
        request.feed_person = public_people().filter(slug=kwargs["slug"]).first()
        if request.feed_person is None:
            kept = PersonRedirect.objects.kept_person(kwargs["slug"], among=public_people())
            if kept is not None:
                route = reverse(self.route, kwargs={"slug": kept.slug})
                return HttpResponsePermanentRedirect(route)
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, slug):
        if request.feed_person is None:
            raise Http404("No such person.")
        return request.feed_person

    def title(self, person):
        return f"{SITE_NAME}: {person.name}"

    def description(self, person):
        return f"Quotes by and stories about {person.name}."

    def link(self, person):
        return person.get_absolute_url()

    def feed_url(self, person):
        return reverse("web:feed-person-rss", kwargs={"slug": person.slug})

    def items(self, person):
        newest = F("published_at").desc(nulls_last=True)
        articles = list(
            Article.objects.published()
            .filter(featuring(person))
            .order_by(newest, "-pk")
            .prefetch_related(*item_prefetches())[:FEED_ITEMS]
        )
        # Newest first, undated last, as two walks down the speaker's index: sorting them
        # "NULLS LAST" in one query read every quote of a much-quoted person (issue 12).
        quotes = Quote.objects.public().filter(speaker=person).select_related("article", "speaker")
        dated = quotes.filter(article_published_at__isnull=False)
        undated = quotes.filter(article_published_at__isnull=True)
        quotes = [
            *dated.order_by("-article_published_at", "-pk")[:FEED_ITEMS],
            *undated.order_by("-pk")[:FEED_ITEMS],
        ][:FEED_ITEMS]

        def when(item):
            published = self.item_pubdate(item)
            return (published is not None, published.timestamp() if published else 0)

        return sorted(articles + quotes, key=when, reverse=True)[:FEED_ITEMS]

    def item_link(self, item):
        return item.get_absolute_url()


class PersonAtomFeed(PersonFeed):
    route = "web:feed-person-atom"

    feed_type = Atom1Feed

    def subtitle(self, person):
        return self.description(person)

    def feed_url(self, person):
        return reverse("web:feed-person-atom", kwargs={"slug": person.slug})


class TagFeed(ArticleItemsMixin, Feed):
    def get_object(self, request, slug):
        # A tag of drafts only answers 404, like an unknown one (issue 12).
        return get_object_or_404(Tag.objects.public(), slug=slug)

    def title(self, tag):
        return f"{SITE_NAME}: {tag.name}"

    def description(self, tag):
        return tag.description or f"Stories about {tag.name}."

    def link(self, tag):
        return tag.get_absolute_url()

    def feed_url(self, tag):
        return reverse("web:feed-tag-rss", kwargs={"slug": tag.slug})

    def items(self, tag):
        return (
            tag.articles.published()
            .latest_first()
            .prefetch_related(*item_prefetches())[:FEED_ITEMS]
        )


class TagAtomFeed(TagFeed):
    feed_type = Atom1Feed

    def subtitle(self, tag):
        return self.description(tag)

    def feed_url(self, tag):
        return reverse("web:feed-tag-atom", kwargs={"slug": tag.slug})
