"""Page-number pagination: ``?page=`` and ``?page_size=`` (default 20, at most 100)."""

import hashlib

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework import pagination
from rest_framework.exceptions import ValidationError

from articles.content_version import content_state

MAX_PAGE_SIZE = 100
# A stored count is keyed by the content version, so it is never stale; this only bounds
# how long counts of versions long replaced stay in the cache.
COUNT_CACHE_SECONDS = 3600


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    page_size_query_description = (
        f"Number of results per page (1 to {MAX_PAGE_SIZE}; larger values are capped at "
        f"{MAX_PAGE_SIZE}). Default 20."
    )
    page_query_description = "Page number, from 1. A page past the end answers 404."

    def get_page_size(self, request):
        """Like DRF's, but a malformed ``page_size`` is a 400 instead of silently ignored."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            raise ValidationError(
                {"page_size": [f"Must be a whole number from 1 to {MAX_PAGE_SIZE}."]}
            )
        return min(size, self.max_page_size)


class CachedCountPaginator(Paginator):
    """A paginator whose ``count`` is computed once per content version.

    Counting public people tests every person for published content naming them: a cost
    that grows with the archive (150 ms at 100,000 articles on PostgreSQL, issue 12), paid
    on every request for what is the same number until something is published, edited or
    deleted. The count is stored in the default cache under the content version (see
    ``articles/content_version.py``: every write bumps it in its transaction) and the SQL of
    the count itself (so the editors' and the public's counts, and each filter, differ),
    so a stored count is never read after a write."""

    def __init__(self, object_list, per_page, *, version: str, list_key=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.version = version
        self.list_key = list_key

    @cached_property
    def count(self):
        query = getattr(self.object_list, "query", None)
        if query is None:
            return super().count
        if self.list_key is not None:
            what = self.list_key
        else:
            try:
                what = query.sql_with_params()
            except EmptyResultSet:  # a filter that matches nothing, e.g. ``pk__in=[]``
                return 0
        digest = hashlib.sha256(repr(what).encode()).hexdigest()
        key = f"api-count:{self.version}:{digest}"
        count = cache.get(key)
        if count is None:
            count = super().count
            cache.set(key, count, COUNT_CACHE_SECONDS)
        return count


class CachedCountPagination(PageNumberPagination):
    """Page numbers with the total counted once per content version (see
    :class:`CachedCountPaginator`). The version is the one the response is built for
    (``request.content_token``, set by ``CachedReadMixin``), else read here."""

    def paginate_queryset(self, queryset, request, view=None):
        self.version = getattr(request, "content_token", None) or content_state().token
        self.list_key = list_key(request, view)
        return super().paginate_queryset(queryset, request, view)

    def django_paginator_class(self, object_list, per_page):
        return CachedCountPaginator(
            object_list, per_page, version=self.version, list_key=self.list_key
        )


class DeferredJoinPaginator(CachedCountPaginator):
    """A ``CachedCountPaginator`` that reads a page in two steps: the page's primary keys
    first, filtered and ordered on the table alone, then those rows with their joins.

    SQLite's sampled statistics can make a filtered, ordered list sort every matching row
    with all its joined columns before taking the page (the public quotes at 100,000
    articles: 300 ms; the keys alone: 60 ms). Sorting narrow keys is cheap on both
    databases; the second query is a lookup of a page of primary keys. Below ``min_rows``
    matching rows the sort is cheap anyway, and one query beats two."""

    min_rows = 5000

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        rows = self.object_list
        if hasattr(rows, "values_list") and top > bottom and self.count >= self.min_rows:
            keys = list(rows.values_list("pk", flat=True)[bottom:top])
            by_key = {row.pk: row for row in rows.filter(pk__in=keys).order_by()}
            return self._get_page([by_key[key] for key in keys if key in by_key], number, self)
        return super().page(number)


class DeferredJoinPagination(CachedCountPagination):
    """Page numbers, counted once per content version, pages read keys first (see
    :class:`DeferredJoinPaginator`)."""

    def django_paginator_class(self, object_list, per_page):
        return DeferredJoinPaginator(
            object_list, per_page, version=self.version, list_key=self.list_key
        )


# Query parameters that choose a page of a list, not which rows it holds.
PAGE_PARAMS = frozenset({"page", "page_size", "format"})


def list_key(request, view) -> tuple | None:
    """What decides which rows a list holds, without compiling its SQL: the view, who asks
    (the public, or one user: editors see drafts as their permissions allow) and the
    filtering parameters. Compiling the count's SQL to key it cost about as much as the
    count it saves (issue 12, API ratio). ``None`` when the view is unknown: the SQL keys."""
    if view is None:
        return None
    user = getattr(request, "user", None)
    audience = user.pk if user is not None and user.is_authenticated else "public"
    params = sorted(
        (name, tuple(values))
        for name, values in request.query_params.lists()
        if name not in PAGE_PARAMS
    )
    kwargs = sorted(getattr(view, "kwargs", {}).items())  # e.g. whose timeline
    action = getattr(view, "action", None)
    return (type(view).__module__, type(view).__qualname__, action, kwargs, audience, params)
