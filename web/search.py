"""Site search: what a query finds on the public site.

Full-text search (``search.services``: SQLite FTS5 or PostgreSQL tsvector) ranks the ids;
this module turns them into three lazy, rank-ordered result lists the page paginates, and
highlights the page shown.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import QuerySet

from articles.models import Article, Quote
from people.models import Person
from search.services import article_ids, person_ids, quote_ids, snippets

from .queries import public_people

MAX_QUERY_LENGTH = 200


class RankedResults(Sequence):
    """The objects of ``queryset`` whose ids are ``ids``, in that order (best match first).

    For ``Paginator``: the count is the number of ids, which the search index already
    limited to what the reader may see, and a page loads only its own objects, by primary
    key, through ``queryset`` (so nothing outside it is ever shown, even if the index
    lags). A queryset filtered by the ids would count them with ``WHERE status = ...
    AND id IN (<1,000 ids>)``, which SQLite runs by probing the id list once per
    published article (40 s at 100,000 articles, issue 12), and order them by a
    1,000-branch CASE.
    """

    def __init__(self, queryset: QuerySet, ids: Sequence[int]):
        self.queryset = queryset
        self.ids = list(ids)

    def __len__(self) -> int:
        return len(self.ids)

    def count(self) -> int:
        return len(self.ids)

    def exists(self) -> bool:
        return bool(self.ids)

    def __getitem__(self, index):
        if isinstance(index, slice):
            wanted = self.ids[index]
            found = self.queryset.in_bulk(wanted)
            return [found[pk] for pk in wanted if pk in found]
        return self[index : index + 1 or None][0]

    def __iter__(self):
        return iter(self[:])


@dataclass
class SearchResults:
    query: str
    people: RankedResults
    quotes: RankedResults
    articles: RankedResults

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
        return SearchResults(
            query, RankedResults(people, []), RankedResults(quotes, []), RankedResults(articles, [])
        )
    return SearchResults(
        query=query,
        people=RankedResults(people, person_ids(query, include_drafts=include_drafts)),
        quotes=RankedResults(
            quotes.select_related("speaker", "article"),
            quote_ids(query, include_drafts=include_drafts),
        ),
        articles=RankedResults(articles, article_ids(query, include_drafts=include_drafts)),
    )


def highlight_page(kind: str, query: str, page) -> None:
    """Give each object on ``page`` its highlighted ``title_html`` and ``snippet_html``."""
    hits = snippets(kind, query, [obj.pk for obj in page])
    for obj in page:
        hit = hits.get(obj.pk)
        obj.title_html = hit.title_html if hit else None
        obj.snippet_html = hit.snippet_html if hit else None
