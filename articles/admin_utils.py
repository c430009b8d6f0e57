"""Admin building blocks shared by the articles and people admins (issue 5).

Highlighting spans of an article body, quoting a sentence around a quote, counting rows
without a full scan, and the optimistic-locking change form.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django import forms
from django.core.paginator import Paginator
from django.db import connections, transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from .anchoring import normalize_newlines

STALE_MESSAGE = (
    "This {name} was changed by someone else since you opened it. Your changes were not "
    "saved: reload the page to see theirs, then apply yours again."
)


# --- counting ---------------------------------------------------------------------------


def count_subquery(model, fk: str, *, distinct: str | None = None, **filters) -> Coalesce:
    """``COUNT`` of ``model`` rows pointing at the outer row, as a correlated subquery.

    One SQL query for the whole page, and no row multiplication as with several
    ``Count()`` joins on one queryset.
    """
    counted = Count(distinct, distinct=True) if distinct else Count("pk")
    inner = (
        model._default_manager.filter(**{fk: OuterRef("pk")}, **filters)
        .order_by()
        .values(fk)
        .annotate(n=counted)
        .values("n")
    )
    return Coalesce(Subquery(inner, output_field=IntegerField()), Value(0))


class LargeTablePaginator(Paginator):
    """A paginator that does not ``COUNT(*)`` a huge table on every page view.

    On PostgreSQL an unfiltered list uses the planner's row estimate (``pg_class.reltuples``,
    kept fresh by autovacuum) once the table is large; filtered lists and other databases
    count exactly, which is quick because the filters are indexed.
    """

    estimate_above = 10_000

    @cached_property
    def count(self):
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        if query is not None and not query.where and not query.combinator:
            estimate = _estimated_rows(queryset)
            if estimate is not None and estimate > self.estimate_above:
                return estimate
        return super().count


def _estimated_rows(queryset) -> int | None:
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
            [queryset.model._meta.db_table],
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] and row[0] > 0 else None


# --- highlighting -----------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str  # "quote" or "mention": the CSS class of the <mark>
    title: str = ""


def highlight(text: str, spans: Iterable[Span]) -> SafeString:
    """``text`` as HTML with every span wrapped in ``<mark>``; every piece is escaped.

    Spans may nest or overlap (a mention inside a quote): the text is cut at every span
    boundary and each piece is wrapped in the marks that cover it, so the HTML is always
    well formed. Spans outside the text (a body edited after import) are ignored.
    """
    length = len(text)
    spans = [s for s in spans if 0 <= s.start < s.end <= length]
    cuts = sorted({0, length, *(s.start for s in spans), *(s.end for s in spans)})
    # Quotes outside mentions, so a mention reads as a mark inside its quote.
    spans.sort(key=lambda s: (s.kind != "quote", s.start, -s.end))
    pieces = []
    for left, right in itertools.pairwise(cuts):
        html = escape(text[left:right])
        for span in reversed([s for s in spans if s.start <= left and right <= s.end]):
            html = format_html('<mark class="{}" title="{}">{}</mark>', span.kind, span.title, html)
        pieces.append(html)
    return mark_safe("".join(pieces))  # every piece was escaped above


_SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*\s+|\n\s*\n")
CONTEXT_CHARS = 240


def sentence_around(text: str, start: int, end: int) -> SafeString:
    """The sentence(s) of ``text`` containing ``[start:end]``, that part in ``<strong>``.

    At most ``CONTEXT_CHARS`` characters each side, with an ellipsis where cut.
    """
    if not (0 <= start < end <= len(text)):
        return format_html("<em>{}</em>", "offsets outside the article body")
    window_start = max(0, start - CONTEXT_CHARS)
    before = text[window_start:start]
    ends = list(_SENTENCE_END.finditer(before))
    left = window_start + ends[-1].end() if ends else window_start
    after = text[end : end + CONTEXT_CHARS]
    # The quote's own closing punctuation belongs to it, so look past the first character.
    match = _SENTENCE_END.search(after, 1) if after else None
    right = end + (match.start() + 1 if match else len(after))
    right = min(right, len(text))
    return format_html(
        "{}{}<strong>{}</strong>{}{}",
        "…" if left > 0 and not ends else "",
        text[left:start].lstrip(),
        text[start:end],
        text[end:right].rstrip(),
        "…" if right < len(text) and not match else "",
    )


# --- form fields ------------------------------------------------------------------------


class LineEndingsField(forms.CharField):
    """A text field that stores "\\n" line endings whatever the browser sends.

    Browsers submit a textarea's lines as "\\r\\n"; stored as they came, they shift every
    offset into the text (issue 11). Normalised here, an unchanged text is not "changed".
    """

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_newlines(value) if isinstance(value, str) else value


# --- optimistic locking -----------------------------------------------------------------


class VersionedModelForm(forms.ModelForm):
    """A change form that carries the version it was loaded at and refuses a stale save.

    The check runs inside the admin's transaction with the row locked (``SELECT ... FOR
    UPDATE`` on PostgreSQL; SQLite's IMMEDIATE transaction already holds the write lock),
    so no other save can slip in between the check and the write.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk is not None:
            # The version the editor sees now: also right for a "revert" form built from
            # an old history record, whose own version number is long gone.
            current = self._current_version(lock=False)
            if current is not None:
                self.initial["version"] = current

    def _current_version(self, *, lock: bool) -> int | None:
        manager = type(self.instance)._default_manager
        rows = manager.filter(pk=self.instance.pk)
        if lock and transaction.get_connection(rows.db).in_atomic_block:
            rows = rows.select_for_update()
        return rows.values_list("version", flat=True).first()

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        loaded = cleaned.get("version")
        current = self._current_version(lock=True)
        if loaded is None or current is None or loaded != current:
            raise forms.ValidationError(
                STALE_MESSAGE.format(name=self.instance._meta.verbose_name), code="stale"
            )
        return cleaned


def admin_link(obj, text=None) -> SafeString:
    """A link to ``obj``'s admin change page."""
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, obj if text is None else text)
