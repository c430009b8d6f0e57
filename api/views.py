"""REST API v1 views (issue 4). Reads are public (published content only) and cached by
content version; editors' writes go through ``articles.services``."""

from __future__ import annotations

import re

from django.db.models import F, Prefetch, Q
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response

from articles import services
from articles.content_version import content_state, public_content_state
from articles.models import Article, CanonicalQuote, Event, Mention, Quote, RemovedQuote, Tag
from corrections import services as correction_services
from corrections.models import Correction
from people.models import Alias, Person, PersonRedirect
from web.queries import TimelineRows, article_authors

from . import caching, serializers
from .filters import (
    ArticleFilter,
    EventFilter,
    PersonFilter,
    QuoteFilter,
    TagFilter,
    visible_articles,
    visible_events,
    visible_people,
    visible_quotes,
    visible_tags,
)
from .pagination import CachedCountPagination, DeferredJoinPagination
from .permissions import is_editor
from .renderers import ContentNegotiation

SLUG_REGEX = r"[-a-zA-Z0-9_]+"


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_code = "precondition_required"
    default_detail = (
        "Send the version of the record you are changing, as `version` in the body or as "
        "an `If-Match` header (e.g. If-Match: 3): it is in every response that shows the "
        "record. Without it your change could overwrite someone else's unseen."
    )


# A version as sent in If-Match: ASCII digits only (str.isdigit() also accepts "¹", "٣"...).
_VERSION_HEADER = re.compile(r'(?:W/)?"?([0-9]{1,9})"?')


def _expected_version(request) -> tuple[int, bool]:
    """The version the editor saw: body ``version`` or the ``If-Match`` header.

    Returns ``(version, from_header)``. A write without either is refused (428): the API
    never overwrites blindly (issue 12, defect 10).
    """
    body = request.data if isinstance(request.data, dict) else {}
    if body.get("version") is not None:
        data = serializers.VersionSerializer(data={"version": body["version"]})
        data.is_valid(raise_exception=True)
        return data.validated_data["version"], False
    header = request.headers.get("If-Match", "").strip()
    if header:
        match = _VERSION_HEADER.fullmatch(header)
        if match is None:
            raise ValidationError({"If-Match": ["Send the record's version, e.g. If-Match: 3."]})
        return int(match[1]), True
    raise PreconditionRequired()


def _run_service(request, func, **kwargs):
    """Call an editorial service as ``request.user``; a stale version is a 409/412."""
    expected, from_header = _expected_version(request)
    try:
        return func(**kwargs, user=request.user, expected_version=expected)
    except services.StaleEdit as exc:
        error = PreconditionFailed if from_header else Conflict
        raise error(str(exc)) from exc
    except services.QuoteNotInText as exc:
        # The quote's state, not the request, is at fault: its words left the article.
        raise Conflict(str(exc)) from exc


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="The record's `version` you edited (alternative to `version` in the body, "
    "one of the two is required); a mismatch answers 412.",
)
WRITE_ERRORS = {
    400: OpenApiResponse(description="Invalid input."),
    401: OpenApiResponse(serializers.ErrorSerializer, description="Not authenticated."),
    403: OpenApiResponse(serializers.ErrorSerializer, description="Not an editor."),
    404: OpenApiResponse(serializers.ErrorSerializer, description="No such record."),
    409: OpenApiResponse(
        serializers.ErrorSerializer,
        description="Stale `version` in body, a quote whose words are no longer in its "
        "article body (it cannot be confirmed), or a person merged away meanwhile (merge).",
    ),
    412: OpenApiResponse(serializers.ErrorSerializer, description="Stale `If-Match` version."),
    428: OpenApiResponse(
        serializers.ErrorSerializer,
        description="No `version` in the body and no `If-Match` header.",
    ),
}


def get_by_slug_or_id(queryset, value: str):
    """The row whose slug is ``value`` or, for a number no slug equals, whose id is: lists
    show both keys, so both address the record (issue 15: ids 404ed as paths). A slug
    wins, since a story headlined "2024" may have that slug."""
    if value.isdigit():
        found = list(queryset.filter(Q(slug=value) | Q(pk=int(value)))[:2])
        chosen = next((row for row in found if row.slug == value), found[0] if found else None)
        if chosen is None:
            raise Http404
        return chosen
    return get_object_or_404(queryset, slug=value)


class SlugOrIdLookupMixin:
    """Detail URLs accept the record's slug or its id (see :func:`get_by_slug_or_id`)."""

    def get_object(self):
        queryset = self.filter_queryset(self.get_queryset())
        obj = get_by_slug_or_id(queryset, self.kwargs[self.lookup_url_kwarg or self.lookup_field])
        self.check_object_permissions(self.request, obj)
        return obj


class MergedPersonRedirectMixin:
    """A merged person's old slug in a filter (``?speaker=old-slug``) answers 301 to the
    same list with the kept person's slug, as the person's old page does on the website."""

    person_slug_params: tuple[str, ...] = ()

    def list(self, request, *args, **kwargs):
        params = request.query_params
        moved = {}
        for name in self.person_slug_params:
            value = params.get(name)
            if value:
                kept = PersonRedirect.objects.kept_person(value, among=visible_people(request))
                if kept is not None:
                    moved[name] = kept.slug
        if moved:
            query = params.copy()
            for name, slug in moved.items():
                query[name] = slug
            return HttpResponsePermanentRedirect(f"{request.path}?{query.urlencode()}")
        return super().list(request, *args, **kwargs)


def _moved_person_redirect(request, slug: str, route: str) -> HttpResponse | None:
    """301 to ``route`` for the person a merged ``slug`` now stands for, if visible."""
    kept = PersonRedirect.objects.kept_person(slug, among=visible_people(request))
    if kept is None:
        return None
    url = reverse(route, kwargs={"slug": kept.slug})
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)


def unknown_params_response(unknown: list[str], known: frozenset[str]) -> Response:
    names = ", ".join(unknown)
    accepted = ", ".join(sorted(known)) or "none"
    plural = "s" if len(unknown) > 1 else ""
    return Response(
        {
            "detail": f"Unknown query parameter{plural}: {names}. Accepted here: {accepted}.",
            "unknown_parameters": unknown,
        },
        status=status.HTTP_400_BAD_REQUEST,
    )


class CachedReadMixin:
    """Conditional GET (ETag / Last-Modified -> 304) and a server-side cache of rendered
    JSON, both keyed by the content version, checked before any filtering or serialisation
    (see ``api/caching.py``)."""

    content_negotiation_class = ContentNegotiation

    def list(self, request, *args, **kwargs):
        return self.cached_read(request, self._list, *args, **kwargs)

    def _list(self, request, *args, **kwargs):
        """DRF's ``ListModelMixin.list``; for JSON with a ``FastOutput`` serializer, the
        page's rows are built by its ``represent()`` directly, without DRF's per-response
        list serializer (with a bound copy of the row serializer) around them, as the same
        rows. The browsable API keeps DRF's path (its page reads the serializer attached
        to the data)."""
        serializer_class = self.get_serializer_class()
        if request.accepted_renderer.format != "json" or not issubclass(
            serializer_class, serializers.FastOutput
        ):
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        row = serializer_class(context=self.get_serializer_context())
        if page is None:  # not paginated (no list is, today)
            return Response([row.represent(obj) for obj in queryset])
        return self.get_paginated_response([row.represent(obj) for obj in page])

    def retrieve(self, request, *args, **kwargs):
        return self.cached_read(request, super().retrieve, *args, **kwargs)

    def cached_read(self, request, handler, *args, **kwargs):
        # A parameter the view does not read would be silently ignored and answer with
        # everything (``events?article=`` listed every event: issue 15), and a random one per
        # request would multiply cache entries (issue 12): both are a 400 that names it.
        known = caching.known_query_params(self)
        unknown = sorted(name for name in request.query_params if name not in known)
        if unknown:
            return unknown_params_response(unknown, known)
        editor = is_editor(request)
        # Editors see their own writes at once; anonymous clients are served at the public
        # version, at which additions may wait a few seconds (articles/content_version.py).
        state = content_state() if editor else public_content_state(request.path)
        request.content_token = state.token  # stored counts are keyed by it (pagination)
        etag = caching.request_etag(
            request,
            token=state.token,
            visibility="editor" if editor else "public",
            media_type=request.accepted_media_type,
        )
        response = caching.not_modified_response(request, etag=etag, last_modified=state.changed_at)
        if response is None:
            response = self._render_cached(request, etag, handler, *args, **kwargs)
        if response.status_code in (200, 304):
            caching.set_caching_headers(
                response, etag=etag, last_modified=state.changed_at, editor=editor
            )
        return response

    def _render_cached(self, request, etag, handler, *args, **kwargs):
        renderer = request.accepted_renderer
        if renderer.format != "json":  # the browsable API is rendered afresh
            return handler(request, *args, **kwargs)
        body = caching.cached_body(etag)
        if body is None:
            response = handler(request, *args, **kwargs)
            if response.status_code != 200:
                return response
            body = renderer.render(
                response.data, request.accepted_media_type, self.get_renderer_context()
            )
            caching.store_body(etag, body)
        return HttpResponse(body, content_type=renderer.media_type)


# --- Articles ------------------------------------------------------------------------------


def _article_prefetches():
    return [
        Prefetch("tags", queryset=Tag.objects.only("id", "name", "slug")),
        Prefetch(
            "mentions",
            queryset=Mention.objects.select_related("person")
            .only("id", "article_id", "start", "person__id", "person__name", "person__slug")
            .order_by("start"),
        ),
    ]


@extend_schema(tags=["articles"])
class ArticleViewSet(
    SlugOrIdLookupMixin,
    MergedPersonRedirectMixin,
    CachedReadMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Articles: the public sees published ones; editors also see drafts."""

    lookup_field = "slug"
    lookup_value_regex = SLUG_REGEX
    filterset_class = ArticleFilter
    pagination_class = CachedCountPagination  # counting public articles grows with the archive
    person_slug_params = ("person",)
    write_permissions = {
        "publish": ["articles.change_article"],
        "unpublish": ["articles.change_article"],
        "corrections": ["articles.change_article", "corrections.add_correction"],
    }

    def get_queryset(self):
        # The captions stay: the image's caption may be the first one (issue 14).
        queryset = visible_articles(self.request).defer("raw_text")
        if self.action == "list":
            # The list's JSON has no corrections (bench/bench_urls.py compares it).
            queryset = queryset.defer("raw_text", "captions", "body")
            return queryset.latest_first().prefetch_related(*_article_prefetches())
        corrections = Prefetch("corrections", queryset=Correction.objects.in_page_order())
        return queryset.latest_first().prefetch_related(
            *_article_prefetches(), corrections, article_authors(pages=True)
        )

    def get_serializer_class(self):
        if self.action == "list":
            return serializers.ArticleSerializer
        return serializers.ArticleDetailSerializer

    @extend_schema(
        summary="List articles",
        description="Latest first. Anonymous clients see published articles only.",
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="One article, with its body")
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    def _set_status(self, request, new_status):
        article = self.get_object()
        _run_service(request, services.article_set_status, article=article, status=new_status)
        fresh = self.get_queryset().get(pk=article.pk)
        return Response(
            serializers.ArticleDetailSerializer(fresh, context={"request": request}).data
        )

    @extend_schema(
        summary="Publish an article (editors)",
        request=serializers.VersionSerializer,
        parameters=[IF_MATCH],
        responses={200: serializers.ArticleDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def publish(self, request, slug=None, format=None):
        return self._set_status(request, Article.Status.PUBLISHED)

    @extend_schema(
        summary="Unpublish an article (editors): it becomes a draft again",
        request=serializers.VersionSerializer,
        parameters=[IF_MATCH],
        responses={200: serializers.ArticleDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def unpublish(self, request, slug=None, format=None):
        return self._set_status(request, Article.Status.DRAFT)

    @extend_schema(
        summary="Publish a correction of the article (editors)",
        description="Shown at once under the article, in its JSON-LD and in `corrections` "
        "here (to the public only while the article is published). Adds; changes nothing "
        "else, so no version is needed.",
        request=serializers.CorrectionCreateSerializer,
        responses={201: serializers.CorrectionSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def corrections(self, request, slug=None, format=None):
        article = self.get_object()
        data = serializers.CorrectionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            correction = correction_services.article_add_correction(
                article=article,
                note=data.validated_data["note"],
                published_on=data.validated_data.get("date"),
                user=request.user,
            )
        except correction_services.BlankNote as exc:
            raise ValidationError({"note": [str(exc)]}) from exc
        return Response(
            serializers.CorrectionSerializer(correction).data, status=status.HTTP_201_CREATED
        )


# --- Canonical quotes ------------------------------------------------------------------------

# The reports listed in one canonical quote (issue 15): bounded, first reported first.
MAX_OCCURRENCES = 100


@extend_schema(tags=["quotes"])
class CanonicalQuoteViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One quote as said once, with its reports in several stories (issue 15). Read by id
    (the quotes' ``canonical``) only: no list, so the cached read is borrowed, not its
    ``list``."""

    content_negotiation_class = ContentNegotiation
    cached_read = CachedReadMixin.cached_read
    _render_cached = CachedReadMixin._render_cached
    serializer_class = serializers.CanonicalQuoteSerializer
    lookup_value_regex = r"[0-9]+"
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        groups = CanonicalQuote.objects.all()
        if not is_editor(self.request):
            groups = groups.public()  # a group of drafts answers 404, like an unknown id
        occurrences = (
            visible_quotes(self.request)
            .select_related("article", "speaker")
            .order_by(F("article_published_at").asc(nulls_last=True), "pk")
        )
        return groups.prefetch_related(
            Prefetch(
                "occurrences",
                queryset=occurrences[:MAX_OCCURRENCES],
                to_attr="visible_occurrences",
            )
        )

    @extend_schema(
        summary="One canonical quote",
        description="The same words reported by several stories: each report the caller may "
        "see (the public: public quotes of published articles), first reported first, at "
        f"most {MAX_OCCURRENCES}; `first_reported_in` is the earliest. A quote's `canonical` "
        "field is the id to ask for.",
        responses={
            200: serializers.CanonicalQuoteSerializer,
            404: OpenApiResponse(serializers.ErrorSerializer, description="No such group."),
        },
    )
    def retrieve(self, request, *args, **kwargs):
        return self.cached_read(request, super().retrieve, *args, **kwargs)


# --- Quotes ----------------------------------------------------------------------------------


@extend_schema(tags=["quotes"])
class QuoteViewSet(
    MergedPersonRedirectMixin,
    CachedReadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Quotes: the public sees unrejected quotes of published articles."""

    serializer_class = serializers.QuoteSerializer
    filterset_class = QuoteFilter
    # Counting every public quote grows with the archive (issue 12): once per version; and
    # a page is read keys first, so no database sorts every public quote with its joins.
    pagination_class = DeferredJoinPagination
    person_slug_params = ("speaker",)
    lookup_value_regex = r"[0-9]+"
    write_permissions = {
        "partial_update": ["articles.change_quote"],
        "confirm": ["articles.change_quote"],
        "reject": ["articles.change_quote"],
        "accept_suggestion": ["articles.change_quote"],
        "withdraw": ["articles.change_quote", "corrections.add_correction"],
    }

    def get_queryset(self):
        related = ["speaker", "article"]
        fields = [
            *("id", "text", "speaker_label", "start", "end", "partial", "status", "version"),
            *("confidence", "attribution_rule", "updated_at", "canonical"),
            *("speaker__id", "speaker__name", "speaker__slug"),
            *("article__id", "article__slug", "article__title", "article__published_at"),
        ]
        if is_editor(self.request):  # QuoteEditorSerializer
            related.append("suggested_speaker")
            fields += ["suggested_speaker__id", "suggested_speaker__name"]
            fields.append("suggested_speaker__slug")
        return (
            visible_quotes(self.request)
            .select_related(*related)
            .only(*fields)
            .order_by("article_id", "start", "pk")
        )

    def get_serializer_class(self):
        if self.action == "partial_update":
            return serializers.QuoteSpeakerSerializer
        return self._output_serializer()

    def _output_serializer(self):
        if is_editor(self.request):
            return serializers.QuoteEditorSerializer
        return serializers.QuoteSerializer

    @extend_schema(
        summary="List quotes",
        description="The public sees confirmed quotes and unreviewed ones the extractor was "
        "sure enough of (`NEWSROOM_PUBLISH_MIN_CONFIDENCE`), from published articles. Editors "
        "see every quote, with its `confidence` and `suggested_speaker`.",
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="One quote",
        description="A quote withdrawn by the editors answers 410 Gone with their public "
        "`note`; one removed from its article's text when the story was updated answers 410 "
        "too (without a note). Both link to the article.",
        responses={
            200: serializers.QuoteSerializer,
            410: OpenApiResponse(
                serializers.WithdrawnQuoteSerializer,
                description="Withdrawn, or removed from its article.",
            ),
        },
    )
    def retrieve(self, request, *args, **kwargs):
        try:
            return super().retrieve(request, *args, **kwargs)
        except Http404:
            # Drafts stay hidden: the public gets 410 only for quotes of published articles.
            withdrawals = Correction.objects.filter(
                quote_id=kwargs[self.lookup_field], kind=Correction.Kind.WITHDRAWAL
            ).select_related("article")
            if not is_editor(request):
                withdrawals = withdrawals.public()
            withdrawal = withdrawals.order_by("-published_on", "-pk").first()
            if withdrawal is not None:
                data = serializers.WithdrawnQuoteSerializer(
                    withdrawal, context={"request": request}
                ).data
                return Response(data, status=status.HTTP_410_GONE)
            removed = RemovedQuote.objects.select_related("article")
            if not is_editor(request):
                removed = removed.public()
            gone = get_object_or_404(removed, pk=kwargs[self.lookup_field])
            data = serializers.RemovedQuoteSerializer(gone, context={"request": request}).data
            return Response(data, status=status.HTTP_410_GONE)

    def _respond(self, request, quote):
        fresh = self.get_queryset().get(pk=quote.pk)
        serializer = self._output_serializer()
        return Response(serializer(fresh, context={"request": request}).data)

    @extend_schema(
        summary="Set a quote's speaker or speaker label (editors); the quote is confirmed",
        description="Any suggested speaker is cleared.",
        request=serializers.QuoteSpeakerSerializer,
        parameters=[IF_MATCH],
        responses={200: serializers.QuoteEditorSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request, pk=None, format=None):
        quote = self.get_object()
        data = serializers.QuoteSpeakerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        speaker = data.validated_data.get("speaker")
        label = data.validated_data.get("speaker_label") or ""
        _run_service(
            request, services.quote_set_speaker, quote=quote, speaker=speaker, speaker_label=label
        )
        return self._respond(request, quote)

    def _set_status(self, request, new_status):
        quote = self.get_object()
        _run_service(request, services.quote_set_status, quote=quote, status=new_status)
        return self._respond(request, quote)

    @extend_schema(
        summary="Confirm a quote (editors): public from now on, whatever its confidence",
        description="Confirms the quote as it stands (a held-back quote without a speaker "
        "stays without one); to publish it under its suggested speaker, use "
        "`accept-suggestion`.",
        request=serializers.VersionSerializer,
        parameters=[IF_MATCH],
        responses={200: serializers.QuoteEditorSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def confirm(self, request, pk=None, format=None):
        return self._set_status(request, Quote.Status.CONFIRMED)

    @extend_schema(
        summary="Reject a quote (editors): hidden from the public, kept on re-import",
        request=serializers.VersionSerializer,
        parameters=[IF_MATCH],
        responses={200: serializers.QuoteEditorSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def reject(self, request, pk=None, format=None):
        return self._set_status(request, Quote.Status.REJECTED)

    @extend_schema(
        summary="Accept the suggested speaker and confirm the quote (editors)",
        description="For a quote the importer held back: its `suggested_speaker` becomes "
        "its speaker and the quote is confirmed (public). 400 if it has no suggestion.",
        request=serializers.VersionSerializer,
        parameters=[IF_MATCH],
        responses={200: serializers.QuoteEditorSerializer, **WRITE_ERRORS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="accept-suggestion",
        filter_backends=[],
        pagination_class=None,
    )
    def accept_suggestion(self, request, pk=None, format=None):
        quote = self.get_object()
        try:
            _run_service(request, services.quote_accept_suggestion, quote=quote)
        except services.NoSuggestion as exc:
            raise ValidationError({"suggested_speaker": [str(exc)]}) from exc
        return self._respond(request, quote)

    @extend_schema(
        summary="Withdraw a quote with a public note (editors)",
        description="The quote is rejected (out of public view) and a withdrawal correction "
        "with `note` is published under its article; its permalink and this API then answer "
        "410 Gone with the note. 409 if it was already withdrawn.",
        request=serializers.QuoteWithdrawSerializer,
        parameters=[IF_MATCH],
        responses={200: serializers.QuoteEditorSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def withdraw(self, request, pk=None, format=None):
        quote = self.get_object()
        data = serializers.CorrectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            _run_service(
                request,
                correction_services.quote_withdraw,
                quote=quote,
                note=data.validated_data["note"],
            )
        except correction_services.BlankNote as exc:
            raise ValidationError({"note": [str(exc)]}) from exc
        except correction_services.CannotWithdraw as exc:
            raise Conflict(str(exc)) from exc
        return self._respond(request, quote)


# --- People ----------------------------------------------------------------------------------


def attach_people_briefs(events) -> None:
    """Set ``people_briefs`` on each event: its people's ``{"name", "slug"}`` in the
    people's order (``Person.Meta.ordering``, as ``event.people.all()`` gives them)."""
    briefs = {event.pk: [] for event in events}
    links = (
        Event.people.through.objects.filter(event_id__in=briefs)
        .order_by("person__name", "person_id")
        .values_list("event_id", "person__name", "person__slug")
    )
    for event_id, name, slug in links:
        briefs[event_id].append({"name": name, "slug": slug})
    for event in events:
        event.people_briefs = briefs[event.pk]


def _event_queryset(request):
    return (
        visible_events(request)
        .select_related("article")
        .only(
            *("id", "summary", "date", "date_precision", "updated_at"),
            *("article__id", "article__slug", "article__title"),
        )
        .prefetch_related(Prefetch("people", queryset=Person.objects.only("id", "name", "slug")))
    )


@extend_schema(tags=["people"])
class PersonViewSet(SlugOrIdLookupMixin, CachedReadMixin, viewsets.ReadOnlyModelViewSet):
    """People: the public sees people who appear in a published article."""

    serializer_class = serializers.PersonSerializer
    filterset_class = PersonFilter
    pagination_class = CachedCountPagination  # counting public people grows with the archive
    lookup_field = "slug"
    lookup_value_regex = SLUG_REGEX
    write_permissions = {"merge": ["people.change_person", "people.delete_person"]}

    def get_queryset(self):
        return visible_people(self.request).prefetch_related(
            Prefetch("aliases", queryset=Alias.objects.only("id", "person_id", "text"))
        )

    @extend_schema(summary="List people")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="One person",
        responses={200: serializers.PersonSerializer, 301: OpenApiResponse(description="merged")},
        description="A merged person's old slug answers 301 to the kept person.",
    )
    def retrieve(self, request, *args, **kwargs):
        moved = _moved_person_redirect(request, kwargs["slug"], "api:person-detail")
        return moved or super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="A person's events, quotes and articles, in date order",
        description="Merged by date (oldest first; unknown dates last). Quotes and articles "
        "are dated by the article's publication day (precision `day`).",
        responses=serializers.TimelineItemSerializer(many=True),
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def timeline(self, request, slug=None, format=None):  # format: ".json" URL suffix
        moved = _moved_person_redirect(request, slug, "api:person-timeline")
        return moved or self.cached_read(request, self._timeline)

    def _timeline(self, request):
        person = get_by_slug_or_id(visible_people(request), self.kwargs["slug"])
        page = self.paginate_queryset(_timeline_rows(request, person))
        ids = {"event": [], "quote": [], "article": []}
        for kind, pk, *_ in page:
            ids[kind].append(pk)
        found = {
            "event": _event_queryset(request).in_bulk(ids["event"]),
            "quote": QuoteViewSet(request=request, action="list")
            .get_queryset()
            .in_bulk(ids["quote"]),
            "article": visible_articles(request)
            .defer("raw_text", "captions", "body")
            .prefetch_related(*_article_prefetches())
            .in_bulk(ids["article"]),
        }
        items = []
        for kind, pk, _undated, date, _rank in page:
            item = {"type": kind, "date": date, "date_precision": None}
            item.update(event=None, quote=None, article=None)
            item[kind] = found[kind][pk]
            if kind == "event":
                item["date_precision"] = found[kind][pk].date_precision
            elif date is not None:
                item["date_precision"] = "day"
            items.append(item)
        data = serializers.TimelineItemSerializer(items, many=True, context={"request": request})
        return self.get_paginated_response(data.data)

    @extend_schema(
        summary="Merge this person into another (editors)",
        description="Quotes, mentions, events and aliases move to `into`; this person's name "
        "becomes an alias and their URL redirects. Answers the kept person.",
        request=serializers.PersonMergeSerializer,
        responses={200: serializers.PersonSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def merge(self, request, slug=None, format=None):
        source = self.get_object()
        data = serializers.PersonMergeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        target = data.validated_data["into"]
        if target.pk == source.pk:
            raise ValidationError({"into": ["Cannot merge a person into themselves."]})
        try:
            services.person_merge(source=source, target=target, user=request.user)
        except services.MergeConflict as exc:  # a repeated or crossed merge
            raise Conflict(str(exc)) from exc
        fresh = self.get_queryset().get(pk=target.pk)
        return Response(serializers.PersonSerializer(fresh, context={"request": request}).data)


def _timeline_rows(request, person):
    """The person's timeline rows, (type, id, undated, date, rank), for the paginator:
    their events, quotes and the stories that mention them, oldest day first (undated
    last), then type and id. Read as short indexed reads per source (see
    ``web.queries.TimelineRows``): quotes and mentions carry their article's status and
    date, so a page never sorts every item of a much-quoted person (issue 12)."""
    mentions = Mention.objects.filter(person=person)
    if not is_editor(request):
        mentions = mentions.published()
    parts = [
        ("article", mentions, "article_id", "article_published_at"),
        ("event", visible_events(request).filter(people=person), "pk", "date"),
        ("quote", visible_quotes(request).filter(speaker=person), "pk", "article_published_at"),
    ]
    return TimelineRows(parts, by_day=True)


# --- Events and tags -------------------------------------------------------------------------


@extend_schema(tags=["events"])
class EventViewSet(MergedPersonRedirectMixin, CachedReadMixin, viewsets.ReadOnlyModelViewSet):
    """Events of published articles (editors: of all articles), oldest first."""

    serializer_class = serializers.EventSerializer
    filterset_class = EventFilter
    pagination_class = CachedCountPagination  # counting public events grows with the archive
    person_slug_params = ("person",)
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return _event_queryset(self.request).order_by(F("date").asc(nulls_last=True), "pk")

    def paginate_queryset(self, queryset):
        """A JSON page's people come from one narrow query on the link table (name and
        slug are all a row shows), not from the prefetch, which builds a person and a
        related manager per link: on the events list that was a tenth of each response."""
        if self.request.accepted_renderer.format != "json":
            return super().paginate_queryset(queryset)
        page = super().paginate_queryset(queryset.prefetch_related(None))
        if page is not None:
            attach_people_briefs(page)
        return page

    @extend_schema(summary="List events")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="One event")
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


@extend_schema(tags=["tags"])
class TagViewSet(SlugOrIdLookupMixin, CachedReadMixin, viewsets.ReadOnlyModelViewSet):
    """Tags (topics) of articles: the public sees tags of published articles only."""

    serializer_class = serializers.TagSerializer
    filterset_class = TagFilter
    lookup_field = "slug"
    lookup_value_regex = SLUG_REGEX

    def get_queryset(self):
        return visible_tags(self.request).order_by("name", "pk")

    @extend_schema(summary="List tags")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="One tag")
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)
