"""Site search: what a query finds on the public site.

Full-text search (``search.services``: SQLite FTS5 or PostgreSQL tsvector) ranks the ids;
this module turns them into three lazy, rank-ordered querysets the page paginates, and
highlights the page shown.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.db.models import QuerySet

from articles.models import Article, Quote
from people.models import Person
from search.services import article_ids, person_ids, quote_ids, ranked, snippets

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
    return SearchResults(
        query=query,
        people=ranked(people, person_ids(query, include_drafts=include_drafts)),
        quotes=ranked(
            quotes.select_related("speaker", "article"),
            quote_ids(query, include_drafts=include_drafts),
        ),
        articles=ranked(articles, article_ids(query, include_drafts=include_drafts)),
    )


def highlight_page(kind: str, query: str, page) -> None:
    """Give each object on ``page`` its highlighted ``title_html`` and ``snippet_html``."""
    hits = snippets(kind, query, [obj.pk for obj in page])
    for obj in page:
        hit = hits.get(obj.pk)
        obj.title_html = hit.title_html if hit else None
        obj.snippet_html = hit.snippet_html if hit else None
