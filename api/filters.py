"""Query filters of the API (issue 4, points 2 and 3).

Every filter names its ``field_name`` and ``lookup_expr``; invalid values (unknown slugs,
bad dates, unknown choices or ordering fields, non-booleans) are 400s with a message per
parameter, never silently ignored. Free-text ``q`` goes through one ``search_*`` function
per model so a later issue can swap containment for full-text search in one place.
"""

from __future__ import annotations

import datetime as dt
import re

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F
from django_filters.fields import ModelChoiceField
from django_filters.rest_framework import DjangoFilterBackend

from articles.models import Article, DatePrecision, Event, Quote, Tag
from people.models import Person
from search.services import article_ids, person_ids, quote_ids, ranked
from web.queries import public_people

from .permissions import is_editor

SLUG_RE = re.compile(r"[-a-zA-Z0-9_]+")


# --- Visibility: what a request may see (also the choices of the slug filters) -----------


def visible_articles(request):
    return Article.objects.all() if is_editor(request) else Article.objects.published()


def visible_quotes(request):
    return Quote.objects.all() if is_editor(request) else Quote.objects.public()


def visible_events(request):
    return Event.objects.all() if is_editor(request) else Event.objects.public()


def visible_people(request):
    """Editors see everyone; the public sees people who appear in a published article
    (named in it, speaker of a visible quote, or in one of its events): the website's
    definition, so that the site and the API never disagree about who is public."""
    if is_editor(request):
        return Person.objects.all()
    return public_people()


def visible_tags(request):
    """Editors see every tag; the public sees tags of published articles only (issue 12:
    tags the importer made from drafts were listed)."""
    return Tag.objects.all() if is_editor(request) else Tag.objects.public()


# --- Free text (one function per model; replaced by full-text search later) -------------


def search_articles(queryset, text: str, *, include_drafts: bool):
    """Articles matching ``text`` by full-text search, best match first."""
    return ranked(queryset, article_ids(text, include_drafts=include_drafts))


def search_quotes(queryset, text: str, *, include_drafts: bool):
    """Quotes whose words or speaker match ``text``, best match first."""
    return ranked(
        queryset,
        quote_ids(text, include_drafts=include_drafts, include_rejected=include_drafts),
    )


def search_people(queryset, text: str, *, include_drafts: bool):
    """People whose name, aliases or description match ``text``, best match first."""
    return ranked(queryset, person_ids(text, include_drafts=include_drafts))


SEARCH_HELP = (
    'Full-text: words in any order, "quoted phrases", the last word as a prefix; accents '
    "and case ignored. Best match first unless `ordering` is given."
)


# --- Strict fields ------------------------------------------------------------------------


class StrictBooleanField(forms.Field):
    """``true``/``false`` (also 1/0, yes/no); anything else is an error, not "no filter"."""

    TRUE = frozenset({"true", "1", "yes", "on"})
    FALSE = frozenset({"false", "0", "no", "off"})

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValidationError("Use “true” or “false”.", code="invalid")


class StrictBooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField


class SlugChoiceField(ModelChoiceField):
    """Looks a slug up among the visible records; a malformed slug never reaches SQL."""

    def to_python(self, value):
        if value not in self.empty_values and not SLUG_RE.fullmatch(str(value)):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return super().to_python(value)


class SlugFilter(filters.ModelChoiceFilter):
    field_class = SlugChoiceField

    def __init__(self, *args, noun: str, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": f"There is no {noun} with the slug “%(value)s”."},
        )
        super().__init__(*args, **kwargs)


class BoundedIsoDateTimeField(filters.fields.IsoDateTimeField):
    """An ISO 8601 date or date-time that can be stored (converted to UTC) without overflow."""

    def to_python(self, value):
        result = super().to_python(value)
        if result is not None:
            try:
                result.astimezone(dt.UTC)
            except (OverflowError, ValueError) as exc:
                raise ValidationError("Date-time out of range.", code="invalid") from exc
        return result


class IsoDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField


class OrderingFilter(filters.OrderingFilter):
    """Whitelisted ordering (unknown fields are a 400 from the choice field), NULLs always
    last in both directions on every database, primary key as the final tie-breaker."""

    def filter(self, qs, value):
        if not value:
            return qs
        ordering = []
        for param in value:
            descending = param.startswith("-")
            expression = F(self.param_map[param.lstrip("-")])
            if descending:
                ordering.append(expression.desc(nulls_last=True))
            else:
                ordering.append(expression.asc(nulls_last=True))
        return qs.order_by(*ordering, "-pk" if value[0].startswith("-") else "pk")


DATE_HELP = "ISO 8601 date or date-time, e.g. 2024-05-12 or 2024-05-12T18:00:00Z."


def updated_after_filter():
    """Every list's sync filter (issue 15). At or after, not strictly after: a partner who
    sends the largest ``updated_at`` it holds gets that record again rather than missing
    one saved in the same instant."""
    return IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="Only records whose `updated_at` is at or after this moment, for partners "
        "who sync: send the largest `updated_at` you hold (with `ordering=updated_at`). "
        f"{DATE_HELP}",
    )


UPDATED_ORDERING = ("updated_at", "updated_at")


# --- FilterSets ----------------------------------------------------------------------------


class ArticleFilter(filters.FilterSet):
    updated_after = updated_after_filter()
    person = SlugFilter(
        field_name="mentions__person",
        queryset=visible_people,
        distinct=True,
        noun="person",
        help_text="Slug of a person named in the article.",
    )
    tag = SlugFilter(
        field_name="tags",
        queryset=visible_tags,
        distinct=True,
        noun="tag",
        help_text="Slug of a tag of the article.",
    )
    published_after = IsoDateTimeFilter(
        field_name="published_at",
        lookup_expr="gte",
        help_text=f"Published at or after this moment. {DATE_HELP}",
    )
    published_before = IsoDateTimeFilter(
        field_name="published_at",
        lookup_expr="lt",
        help_text=f"Published strictly before this moment. {DATE_HELP}",
    )
    q = filters.CharFilter(
        method="filter_q",
        help_text="Search headline, standfirst, body and tags. " + SEARCH_HELP,
    )
    ordering = OrderingFilter(
        fields=(
            ("published_at", "published_at"),
            ("title", "title"),
            ("id", "id"),
            UPDATED_ORDERING,
        ),
        help_text="Sort order (prefix with - for descending). Default: -published_at.",
    )

    class Meta:
        model = Article
        fields = []

    def filter_q(self, queryset, name, value):
        if not value.strip():
            return queryset
        return search_articles(queryset, value, include_drafts=is_editor(self.request))


class QuoteFilter(filters.FilterSet):
    updated_after = updated_after_filter()
    speaker = SlugFilter(
        field_name="speaker",
        queryset=visible_people,
        noun="person",
        help_text="Slug of the person who said it.",
    )
    article = SlugFilter(
        field_name="article",
        queryset=visible_articles,
        noun="article",
        help_text="Slug of the article it was quoted in.",
    )
    status = filters.ChoiceFilter(
        field_name="status",
        lookup_expr="exact",
        choices=Quote.Status.choices,
        help_text="Review status. Rejected quotes exist for editors only.",
    )
    partial = StrictBooleanFilter(
        field_name="partial",
        lookup_expr="exact",
        help_text="true: only fragments quoted inside the reporter's sentence; false: none.",
    )
    has_speaker = StrictBooleanFilter(
        field_name="speaker",
        lookup_expr="isnull",
        exclude=True,
        help_text="true: attributed to a named person; false: unattributed or a label only.",
    )
    date_after = filters.DateFilter(
        field_name="article__published_at",
        lookup_expr="date__gte",
        help_text="The article was published on or after this date (YYYY-MM-DD).",
    )
    date_before = filters.DateFilter(
        field_name="article__published_at",
        lookup_expr="date__lte",
        help_text="The article was published on or before this date (YYYY-MM-DD).",
    )
    q = filters.CharFilter(
        method="filter_q",
        help_text="Search the quote's words and its speaker's name. " + SEARCH_HELP,
    )
    ordering = OrderingFilter(
        fields=(
            ("article__published_at", "date"),
            ("start", "start"),
            ("id", "id"),
            UPDATED_ORDERING,
        ),
        help_text="Sort order (prefix with - for descending). Default: article, then offset.",
    )

    class Meta:
        model = Quote
        fields = []

    def filter_q(self, queryset, name, value):
        if not value.strip():
            return queryset
        return search_quotes(queryset, value, include_drafts=is_editor(self.request))


class EventFilter(filters.FilterSet):
    updated_after = updated_after_filter()
    UNKNOWN = "unknown"

    person = SlugFilter(
        field_name="people",
        queryset=visible_people,
        distinct=True,
        noun="person",
        help_text="Slug of a person involved in the event.",
    )
    date_after = filters.DateFilter(
        field_name="date",
        lookup_expr="gte",
        help_text="The event's date (its period's first day) is on or after this (YYYY-MM-DD).",
    )
    date_before = filters.DateFilter(
        field_name="date",
        lookup_expr="lte",
        help_text="The event's date (its period's first day) is on or before this (YYYY-MM-DD).",
    )
    precision = filters.ChoiceFilter(
        field_name="date_precision",
        lookup_expr="exact",
        choices=[*DatePrecision.choices, (UNKNOWN, "unknown")],
        method="filter_precision",
        help_text="How precise the date is; `unknown` for events without a date.",
    )
    ordering = OrderingFilter(
        fields=(("date", "date"), ("id", "id"), UPDATED_ORDERING),
        help_text="Sort order (prefix with - for descending). Default: date, unknown last.",
    )

    class Meta:
        model = Event
        fields = []

    def filter_precision(self, queryset, name, value):
        if value == self.UNKNOWN:
            return queryset.filter(date_precision__isnull=True)
        return queryset.filter(date_precision=value)


class PersonFilter(filters.FilterSet):
    updated_after = updated_after_filter()
    q = filters.CharFilter(
        method="filter_q",
        help_text="Search names, aliases and descriptions. " + SEARCH_HELP,
    )
    ordering = OrderingFilter(
        fields=(("name", "name"), ("id", "id"), UPDATED_ORDERING),
        help_text="Sort order (prefix with - for descending). Default: name.",
    )

    class Meta:
        model = Person
        fields = []

    def filter_q(self, queryset, name, value):
        if not value.strip():
            return queryset
        return search_people(queryset, value, include_drafts=is_editor(self.request))


class TagFilter(filters.FilterSet):
    updated_after = updated_after_filter()
    ordering = OrderingFilter(
        fields=(("name", "name"), ("id", "id"), UPDATED_ORDERING),
        help_text="Sort order (prefix with - for descending). Default: name.",
    )

    class Meta:
        model = Tag
        fields = []


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend; named here so the project has one place to adjust it.
    ``raise_exception`` stays on: an invalid filter form is a 400 with per-field errors."""

    raise_exception = True

    # Parameters of every list that are not filters (pagination, DRF's format suffix).
    NON_FILTER_PARAMS = frozenset({"page", "page_size", "format"})

    def filter_queryset(self, request, queryset, view):
        """No filter parameter, nothing to filter: skip building the FilterSet, whose form
        builds every filter's field (the slug filters' visibility querysets included) on
        each request, a third of an unfiltered list's time (issue 12). Every filter here
        leaves the queryset as it is when its parameter is absent."""
        if self.NON_FILTER_PARAMS.issuperset(request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)
