"""Read-only serializers for public output, and small input serializers for editors' writes.

Lists are read a lot, so nested objects are plain ``{"name", "slug"}`` dictionaries built
from prefetched rows (see the views' ``get_queryset``), never lazy look-ups, and the public
output serializers build each row in one written-out ``represent()`` (``FastOutput``).
"""

from __future__ import annotations

import re

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from articles.models import Article, DatePrecision, Event, Quote, Tag
from people.models import Person

# What the URL converters (<slug:>, <int:>) accept, and reverse() then leaves unquoted.
_URL_SAFE = re.compile(r"[-a-zA-Z0-9_]+")
_MARKER = "7931046285"  # matches both converters; appears nowhere else in a route


class _UrlPattern:
    """A route's URL as ``head + key + tail``: reverse() (and the request's host) once per
    request rather than once per row. Keys the converters would quote fall back to the
    object's ``get_absolute_url()``."""

    def __init__(self, request, route: str, kwarg: str):
        head, tail = reverse(route, kwargs={kwarg: _MARKER}).split(_MARKER)
        self.head = request.build_absolute_uri(head) if request is not None else head
        self.tail = tail
        self.request = request

    def __call__(self, obj, key) -> str:
        key = str(key)
        if _URL_SAFE.fullmatch(key):
            return self.head + key + self.tail
        path = obj.get_absolute_url()
        return self.request.build_absolute_uri(path) if self.request is not None else path


# get_absolute_url() of each model, by route and keyword (see the models).
_ROUTES = {Article: ("web:article", "slug"), Person: ("web:person", "slug")}
_ROUTES.update({Tag: ("web:tag", "slug"), Quote: ("web:quote", "pk")})


def absolute_url(serializer, obj) -> str:
    """``obj``'s public page, absolute when the serializer has a request."""
    request = serializer.context.get("request")
    route = _ROUTES.get(type(obj))
    if route is None:
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request is not None else path
    # Shared by every serializer of one response (the context is the root's).
    patterns = serializer.context.setdefault("_url_patterns", {})
    pattern = patterns.get(route)
    if pattern is None:
        pattern = patterns[route] = _UrlPattern(request, *route)
    return pattern(obj, getattr(obj, route[1]))


class FastOutput:
    """Read-only output whose rows are built by ``represent(obj)``, written out.

    DRF's generic ``to_representation`` looks up and converts every field of every row
    (plus nested serializers and method fields): on the API lists that made the API run at
    0.66 × a hand-written view (issue 12). The declared fields still define the output
    and the OpenAPI schema; tests/test_api_fast_output.py checks that ``represent`` gives
    exactly what DRF's generic path gives."""

    def to_representation(self, instance):
        return self.represent(instance)

    def generic_representation(self, instance):
        """DRF's own rendering of ``instance`` (for the tests)."""
        return serializers.Serializer.to_representation(self, instance)

    def represent(self, obj) -> dict:
        raise NotImplementedError


class PersonBriefSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Canonical full name.")
    slug = serializers.SlugField(help_text="Identifies the person in URLs and filters.")


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="Canonical full name.")
    slug = serializers.SlugField(help_text="Identifies the person in URLs and filters.")


class ArticleRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    title = serializers.CharField(help_text="Headline.")


class QuotedInSerializer(ArticleRefSerializer):
    published_at = serializers.DateTimeField(
        allow_null=True,
        help_text="The article's publication date-time (ISO 8601), null when unknown.",
    )


class TagBriefSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.SlugField()


class SourceSerializer(serializers.Serializer):
    key = serializers.CharField(
        source="source_key",
        help_text="The story's source key: its path in the imported folder, after the "
        "feed or source name if one was given (`reuters:feedA/story.txt`).",
    )
    name = serializers.CharField(source="source_name", help_text="Imported file name.")
    sha256 = serializers.CharField(
        source="source_sha256", help_text="SHA-256 of the file's raw bytes (hex)."
    )


UPDATED_AT_HELP = (
    "When what this resource shows last changed (ISO 8601), including its becoming "
    "public: poll with `updated_after` to sync."
)


def _updated_at_field():
    return serializers.DateTimeField(read_only=True, help_text=UPDATED_AT_HELP)


class ArticleSerializer(FastOutput, serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The article's public page.")
    tags = TagBriefSerializer(many=True, read_only=True)
    people = serializers.SerializerMethodField(
        help_text="People named in the article, in order of first mention."
    )
    source = SourceSerializer(source="*", read_only=True, help_text="Provenance.")
    published_at = serializers.DateTimeField(
        allow_null=True, help_text="Publication date-time (ISO 8601), null when unknown."
    )
    updated_at = _updated_at_field()

    class Meta:
        model = Article
        fields = [
            "id",
            "slug",
            "title",
            "standfirst",
            "byline",
            "published_at",
            "status",
            "version",
            "updated_at",
            "url",
            "tags",
            "people",
            "source",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "title": {"help_text": "Headline."},
            "byline": {"help_text": "Who wrote it, as the source stated it; empty if unknown."},
            "version": {"help_text": "Edit version, for optimistic locking of writes."},
        }

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj):
        return absolute_url(self, obj)

    @extend_schema_field(PersonBriefSerializer(many=True))
    def get_people(self, obj):
        seen, people = set(), []
        for mention in obj.mentions.all():  # prefetched, ordered by offset
            if mention.person_id not in seen:
                seen.add(mention.person_id)
                people.append({"name": mention.person.name, "slug": mention.person.slug})
        return people

    def represent(self, obj) -> dict:
        return {
            "id": obj.id,
            "slug": obj.slug,
            "title": obj.title,
            "standfirst": obj.standfirst,
            "byline": obj.byline,
            "published_at": _datetime(obj.published_at),
            "status": _choice(obj.status),
            "version": obj.version,
            "updated_at": _datetime(obj.updated_at),
            "url": absolute_url(self, obj),
            "tags": [{"name": tag.name, "slug": tag.slug} for tag in obj.tags.all()],
            "people": self.get_people(obj),
            "source": {
                "key": obj.source_key,
                "name": obj.source_name,
                "sha256": obj.source_sha256,
            },
        }


# DRF's rendering of a date-time, without building the serializer's fields: ``self.fields``
# binds a copy of every declared and model field, once per response (a fifth of a
# millisecond for articles, issue 12). The field's output depends only on the settings and
# the current time zone, both read when it renders, so one unbound instance serves all.
_DATETIME_FIELD = serializers.DateTimeField()


def _datetime(value):
    return None if value is None else _DATETIME_FIELD.to_representation(value)


def _choice(value):
    """A choice as DRF's ChoiceField renders it (the plain string, not the enum member)."""
    return None if value is None else str(value)


class CorrectionSerializer(serializers.Serializer):
    """A public correction of the article (issue 14): what was wrong, and when it was said."""

    date = serializers.DateField(source="published_on", help_text="When it was published.")
    note = serializers.CharField(help_text="The public note, as readers read it.")
    kind = serializers.ChoiceField(
        choices=["correction", "withdrawal"],
        help_text="`withdrawal`: the quote named was taken out of public view.",
    )
    quote = serializers.IntegerField(
        source="quote_id", allow_null=True, help_text="Id of the quote concerned, or null."
    )

    @staticmethod
    def represent(correction) -> dict:
        return {
            "date": correction.published_on.isoformat(),
            "note": correction.note,
            "kind": correction.kind,
            "quote": correction.quote_id,
        }


class AuthorSerializer(PersonBriefSerializer):
    url = serializers.URLField(
        allow_null=True,
        help_text="The person's public page; null when published stories do not name them.",
    )


class RenditionSerializer(serializers.Serializer):
    url = serializers.URLField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class LeadImageSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="The widest rendition.")
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    alt = serializers.CharField(help_text="Alt text.")
    caption = serializers.CharField(help_text="Caption; empty if none.")
    renditions = RenditionSerializer(many=True, help_text="Every width, narrowest first.")


class ArticleDetailSerializer(ArticleSerializer):
    corrections = CorrectionSerializer(
        many=True, read_only=True, help_text="Public corrections, oldest first."
    )
    authors = serializers.SerializerMethodField(
        help_text="The byline's author people, by name (empty: `byline` is the free text)."
    )
    image = serializers.SerializerMethodField(help_text="The lead image, or null.")

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "authors", "image", "body", "corrections"]
        read_only_fields = fields

    @extend_schema_field(AuthorSerializer(many=True))
    def get_authors(self, obj):
        return [
            {
                "name": person.name,
                "slug": person.slug,
                "url": absolute_url(self, person) if getattr(person, "has_page", False) else None,
            }
            for person in obj.authors.all()  # prefetched (web.queries.article_authors)
        ]

    @extend_schema_field(LeadImageSerializer(allow_null=True))
    def get_image(self, obj):
        image = obj.lead_image
        if image is None:
            return None
        request = self.context.get("request")

        def absolute(url):
            return request.build_absolute_uri(url) if request is not None else url

        return {
            "url": absolute(image.src),
            "width": image.width,
            "height": image.height,
            "alt": image.alt,
            "caption": image.caption,
            "renditions": [
                {"url": absolute(url), "width": width, "height": height}
                for url, width, height in image.renditions
            ],
        }

    def represent(self, obj) -> dict:
        return {
            **super().represent(obj),
            "authors": self.get_authors(obj),
            "image": self.get_image(obj),
            "body": obj.body,
            "corrections": [CorrectionSerializer.represent(c) for c in obj.corrections.all()],
        }


class PersonSerializer(FastOutput, serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The person's public page.")
    aliases = serializers.SerializerMethodField(
        help_text="Other ways articles name this person (first name, surname, handle...)."
    )
    updated_at = _updated_at_field()

    class Meta:
        model = Person
        fields = ["id", "slug", "name", "description", "aliases", "updated_at", "url"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj):
        return absolute_url(self, obj)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_aliases(self, obj):
        return [alias.text for alias in obj.aliases.all()]

    def represent(self, obj) -> dict:
        return {
            "id": obj.id,
            "slug": obj.slug,
            "name": obj.name,
            "description": obj.description,
            "aliases": [alias.text for alias in obj.aliases.all()],
            "updated_at": _datetime(obj.updated_at),
            "url": absolute_url(self, obj),
        }


class TagSerializer(FastOutput, serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The tag's public page.")
    updated_at = _updated_at_field()

    class Meta:
        model = Tag
        fields = ["id", "slug", "name", "updated_at", "url"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj):
        return absolute_url(self, obj)

    def represent(self, obj) -> dict:
        return {
            "id": obj.id,
            "slug": obj.slug,
            "name": obj.name,
            "updated_at": _datetime(obj.updated_at),
            "url": absolute_url(self, obj),
        }


class QuoteSerializer(FastOutput, serializers.ModelSerializer):
    speaker = PersonRefSerializer(
        read_only=True, allow_null=True, help_text="The named person who said it, or null."
    )
    speaker_label = serializers.SerializerMethodField(
        help_text="Who spoke when not a named person (“one fan”), else null."
    )
    article = QuotedInSerializer(read_only=True, help_text="The article it is quoted in.")
    url = serializers.SerializerMethodField(help_text="The quote's public permalink.")
    confidence = serializers.FloatField(
        read_only=True,
        help_text="How sure the extractor was of the speaker (calibrated, 0 to 1). A public "
        "quote is either confirmed by an editor (`status`) or above the publish threshold.",
    )
    attribution_rule = serializers.SerializerMethodField(
        help_text="Which attribution rule of the extractor named the speaker (e.g. "
        "`said_after`, `colon_intro`), null when none did; provenance, not a guarantee."
    )
    display_text = serializers.CharField(
        read_only=True,
        help_text="The quote as readers see it: attribution punctuation at its end made a "
        "full stop. `text` is the source's exact characters, which `start`/`end` point at.",
    )
    updated_at = _updated_at_field()
    canonical = serializers.IntegerField(
        source="canonical_id",
        read_only=True,
        allow_null=True,
        help_text="Id of the canonical quote this is an occurrence of (the same words in "
        "other stories): `GET /api/v1/canonical-quotes/{id}/` lists every report, first "
        "reported first. Null until the quote is grouped.",
    )

    class Meta:
        model = Quote
        fields = [
            "id",
            "text",
            "display_text",
            "speaker",
            "speaker_label",
            "article",
            "start",
            "end",
            "partial",
            "status",
            "confidence",
            "attribution_rule",
            "canonical",
            "version",
            "updated_at",
            "url",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "start": {"help_text": "Offset of the first quoted character in the article body."},
            "end": {"help_text": "Offset just after the last quoted character."},
            "version": {"help_text": "Edit version, for optimistic locking of writes."},
        }

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_speaker_label(self, obj) -> str | None:
        return obj.speaker_label or None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_attribution_rule(self, obj) -> str | None:
        return obj.attribution_rule or None

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj):
        return absolute_url(self, obj)

    def represent(self, obj) -> dict:
        article = obj.article
        return {
            "id": obj.id,
            "text": obj.text,
            "display_text": obj.display_text,
            "speaker": _person_ref(obj.speaker),
            "speaker_label": obj.speaker_label or None,
            "article": {
                "id": article.id,
                "slug": article.slug,
                "title": article.title,
                "published_at": _datetime(article.published_at),
            },
            "start": obj.start,
            "end": obj.end,
            "partial": obj.partial,
            "status": _choice(obj.status),
            "confidence": None if obj.confidence is None else float(obj.confidence),
            "attribution_rule": obj.attribution_rule or None,
            "canonical": obj.canonical_id,
            "version": obj.version,
            "updated_at": _datetime(obj.updated_at),
            "url": absolute_url(self, obj),
        }


class OccurrenceSerializer(serializers.Serializer):
    """One report of a canonical quote."""

    id = serializers.IntegerField(help_text="The quote's id.")
    display_text = serializers.CharField()
    speaker = PersonRefSerializer(allow_null=True)
    speaker_label = serializers.CharField(allow_null=True)
    article = QuotedInSerializer()
    url = serializers.URLField(help_text="The quote's public permalink.")

    def to_representation(self, obj):
        article = obj.article
        return {
            "id": obj.id,
            "display_text": obj.display_text,
            "speaker": _person_ref(obj.speaker),
            "speaker_label": obj.speaker_label or None,
            "article": {
                "id": article.id,
                "slug": article.slug,
                "title": article.title,
                "published_at": _datetime(article.published_at),
            },
            "url": absolute_url(self, obj),
        }


class CanonicalQuoteSerializer(serializers.Serializer):
    """A quote as said once, with every report of it the reader may see (issue 15)."""

    id = serializers.IntegerField()
    display_text = serializers.CharField(
        help_text="The words as first reported (its earliest visible occurrence)."
    )
    speaker = PersonRefSerializer(
        allow_null=True,
        help_text="The speaker every occurrence agrees on, null when none is named or they "
        "disagree (editors then review it: `speaker_disputed`).",
    )
    speaker_disputed = serializers.BooleanField(
        help_text="The occurrences name different speakers; editors review it."
    )
    first_reported_in = QuotedInSerializer(
        allow_null=True, help_text="The article of the earliest publication."
    )
    occurrence_count = serializers.IntegerField()
    occurrences = OccurrenceSerializer(many=True, help_text="First reported first.")

    def to_representation(self, obj):
        occurrences = obj.visible_occurrences
        first = occurrences[0] if occurrences else None
        named = {q.speaker_id for q in occurrences if q.speaker_id}
        speaker = next((q.speaker for q in occurrences if q.speaker_id), None)
        rows = OccurrenceSerializer(occurrences, many=True, context=self.context).data
        return {
            "id": obj.id,
            "display_text": first.display_text if first else "",
            "speaker": _person_ref(speaker) if len(named) == 1 else None,
            "speaker_disputed": len(named) > 1,
            "first_reported_in": rows[0]["article"] if rows else None,
            "occurrence_count": len(rows),
            "occurrences": rows,
        }


def _person_ref(person) -> dict | None:
    return None if person is None else {"id": person.id, "name": person.name, "slug": person.slug}


class QuoteEditorSerializer(QuoteSerializer):
    """A quote as editors see it: with what the review queue needs. Never shown to the
    public: a suggested speaker is the extractor's unconfirmed guess."""

    suggested_speaker = PersonRefSerializer(
        read_only=True,
        allow_null=True,
        help_text="The extractor's candidate for a quote it held back; accept it with "
        "`POST …/accept-suggestion/`.",
    )

    class Meta(QuoteSerializer.Meta):
        fields = [*QuoteSerializer.Meta.fields, "suggested_speaker"]
        read_only_fields = fields

    def represent(self, obj) -> dict:
        return {
            **super().represent(obj),
            "suggested_speaker": _person_ref(obj.suggested_speaker),
        }


def _people_briefs(event) -> list[dict]:
    briefs = getattr(event, "people_briefs", None)  # set by the events list (api/views.py)
    if briefs is None:
        briefs = [{"name": p.name, "slug": p.slug} for p in event.people.all()]
    return briefs


class EventSerializer(FastOutput, serializers.ModelSerializer):
    people = PersonBriefSerializer(many=True, read_only=True, help_text="People involved.")
    article = ArticleRefSerializer(read_only=True, help_text="The article that reports it.")
    date = serializers.DateField(
        allow_null=True, help_text="First day of the period (ISO date), null when unknown."
    )
    date_precision = serializers.ChoiceField(
        choices=DatePrecision.choices,
        allow_null=True,
        help_text="day, month or year; null when the date is unknown.",
    )
    updated_at = _updated_at_field()

    class Meta:
        model = Event
        fields = ["id", "summary", "date", "date_precision", "people", "article", "updated_at"]
        read_only_fields = fields

    def represent(self, obj) -> dict:
        article = obj.article
        return {
            "id": obj.id,
            "summary": obj.summary,
            "date": None if obj.date is None else obj.date.isoformat(),
            "date_precision": _choice(obj.date_precision),
            "people": _people_briefs(obj),
            "article": {"id": article.id, "slug": article.slug, "title": article.title},
            "updated_at": _datetime(obj.updated_at),
        }


class TimelineItemSerializer(serializers.Serializer):
    """One entry of a person's timeline; exactly one of event/quote/article is set."""

    type = serializers.ChoiceField(choices=["event", "quote", "article"])
    date = serializers.DateField(
        allow_null=True, help_text="Event date, or the article's publication day."
    )
    date_precision = serializers.ChoiceField(choices=DatePrecision.choices, allow_null=True)
    event = EventSerializer(allow_null=True, help_text="Set when type is event.")
    quote = QuoteSerializer(allow_null=True, help_text="Set when type is quote.")
    article = ArticleSerializer(allow_null=True, help_text="Set when type is article.")


# --- Editors' input --------------------------------------------------------------------------


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The version you saw; a newer one on the server makes this a 409. "
        "Alternatively send it as an `If-Match` header (then a mismatch is a 412). One of "
        "the two is required: a write without a version is refused (428).",
    )


_PERSON_ID = re.compile(r"[0-9]{1,18}")


class QuoteSpeakerSerializer(VersionSerializer):
    speaker = serializers.CharField(
        required=False,
        allow_null=True,
        max_length=220,
        help_text="Slug or id of the person who said it; null for no named speaker.",
    )
    speaker_label = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=200,
        help_text="Who spoke when not a named person; ignored when `speaker` is set.",
    )

    def validate_speaker(self, value):
        if value is None:
            return None
        people = Person.objects.all()
        # An id is ASCII digits: str.isdigit() also accepts "¹" or "٣", which int() refuses.
        person = (
            people.filter(pk=int(value)).first()
            if _PERSON_ID.fullmatch(value)
            else people.filter(slug=value).first()
        )
        if person is None:
            raise serializers.ValidationError(f"There is no person “{value}”.")
        return person

    def validate(self, attrs):
        if "speaker" not in attrs and "speaker_label" not in attrs:
            raise serializers.ValidationError("Send `speaker` and/or `speaker_label`.")
        return attrs


class PersonMergeSerializer(serializers.Serializer):
    into = serializers.SlugField(help_text="Slug of the person to keep.")

    def validate_into(self, value):
        person = Person.objects.filter(slug=value).first()
        if person is None:
            raise serializers.ValidationError(f"There is no person “{value}”.")
        return person


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ArticleLinkSerializer(ArticleRefSerializer):
    url = serializers.SerializerMethodField(help_text="The article's public page.")

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj):
        return absolute_url(self, obj)


class RemovedQuoteSerializer(serializers.Serializer):
    """The body of a 410 Gone: the story was updated and no longer contains the quote's
    words. Its article is still there."""

    detail = serializers.SerializerMethodField()
    id = serializers.IntegerField(source="quote_id", help_text="The removed quote's id.")
    article = ArticleLinkSerializer(help_text="The article the quote was removed from.")

    @extend_schema_field(serializers.CharField())
    def get_detail(self, obj):
        return "This quote was removed: the story was updated and no longer contains its words."


class WithdrawnQuoteSerializer(RemovedQuoteSerializer):
    """The body of a 410 Gone for a quote an editor withdrew, with their public note. A
    quote removed by a re-import answers the same without ``note`` and ``date``."""

    note = serializers.CharField(
        required=False, help_text="Why the quote was withdrawn (withdrawn quotes only)."
    )
    date = serializers.DateField(
        source="published_on", required=False, help_text="When it was withdrawn."
    )
    id = serializers.IntegerField(source="quote_id", help_text="The quote's id.")
    article = ArticleLinkSerializer(help_text="The article the quote belonged to.")

    @extend_schema_field(serializers.CharField())
    def get_detail(self, obj):
        return "This quote was withdrawn by the editors: see the note and the article."


class CorrectionInputSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=5000, help_text="The public note: what was wrong and what is right."
    )


class CorrectionCreateSerializer(CorrectionInputSerializer):
    date = serializers.DateField(
        required=False, help_text="Publication date of the correction; today by default."
    )


class QuoteWithdrawSerializer(VersionSerializer, CorrectionInputSerializer):
    pass
