"""Site search: the one place that decides what a query finds.

For now a case-insensitive containment match (``icontains``, which escapes ``%`` and ``_``).
A later issue replaces the body of :func:`search` with full-text search; callers only rely
on :class:`SearchResults` holding three lazy querysets.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet

from articles.models import Article, Quote
from people.models import Alias, Person

from .queries import public_people

MAX_QUERY_LENGTH = 200


@dataclass
class SearchResults:
    query: str
    people: QuerySet
    quotes: QuerySet
    articles: QuerySet

    @property
    def is_empty_query(self) -> bool:
        return not self.query


def clean_query(raw: str | None) -> str:
    """The query as searched: control characters (NUL breaks PostgreSQL) dropped, white
    space collapsed, at most MAX_QUERY_LENGTH characters."""
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in (raw or "")[:1000])
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


def search(query: str, *, include_drafts: bool = False) -> SearchResults:
    """People, quotes and articles matching ``query``; public content only unless
    ``include_drafts`` (editors): then draft articles and their quotes count too, though
    rejected quotes never do."""
    query = clean_query(query)
    if include_drafts:
        articles = Article.objects.all()
        quotes = Quote.objects.exclude(status=Quote.Status.REJECTED)
        people = Person.objects.all()
    else:
        articles = Article.objects.published()
        quotes = Quote.objects.public()
        people = public_people()
    if not query:
        return SearchResults(query, people.none(), quotes.none(), articles.none())
    alias_match = Alias.objects.filter(text__icontains=query).values("person_id")
    return SearchResults(
        query=query,
        people=people.filter(Q(name__icontains=query) | Q(pk__in=alias_match)).order_by(
            "name", "pk"
        ),
        quotes=quotes.filter(text__icontains=query)
        .select_related("speaker", "article")
        .order_by(F("article__published_at").desc(nulls_last=True), "article_id", "start"),
        articles=articles.filter(
            Q(title__icontains=query) | Q(standfirst__icontains=query) | Q(body__icontains=query)
        ).latest_first(),
    )
