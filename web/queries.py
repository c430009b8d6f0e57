"""What the public may see, as querysets shared by pages, feeds, sitemaps and search.

The model querysets (``Article.objects.published()``, ``Quote.objects.public()``,
``Event.objects.public()``) decide what is public; this module combines them for people,
who are public only while some published content names them.
"""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from articles.models import Article, Event, Mention, Quote
from people.models import Person

EventPerson = Event.people.through


def featuring(person) -> Q:
    """Articles that name ``person`` (a Person, a pk or an ``OuterRef``): mentioned,
    quoted (by a public quote: never a rejected or held-back one) or involved in a
    reported event."""
    return (
        Q(pk__in=Mention.objects.filter(person=person).values("article_id"))
        | Q(pk__in=Quote.objects.public().filter(speaker=person).values("article_id"))
        | Q(pk__in=EventPerson.objects.filter(person=person).values("event__article_id"))
    )


def _count(queryset, group_by: str):
    """A correlated subquery counting the rows of ``queryset`` (0 when there are none)."""
    counted = queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def public_people():
    """People named by published content, with ``quote_count`` and ``article_count``."""
    articles = Article.objects.published().filter(featuring(OuterRef(OuterRef("pk"))))
    quotes = Quote.objects.public().filter(speaker=OuterRef("pk"))
    return Person.objects.annotate(
        quote_count=_count(quotes, "speaker"),
        article_count=_count(articles, "status"),
    ).filter(article_count__gt=0)


def most_quoted_recently(*, articles: int = 50, limit: int = 6):
    """The people most quoted in the latest ``articles`` published stories."""
    recent = Article.objects.published().latest_first().values("pk")[:articles]
    public = Quote.objects.public().filter(article__in=recent).values("pk")
    return (
        Person.objects.annotate(recent_quotes=Count("quotes", filter=Q(quotes__in=public)))
        .filter(recent_quotes__gt=0)
        .order_by("-recent_quotes", "name", "pk")[:limit]
    )
