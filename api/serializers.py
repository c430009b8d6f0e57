"""Read-only serializers for public output, and small input serializers for editors' writes.

Lists are read a lot, so nested objects are plain ``{"name", "slug"}`` dictionaries built
from prefetched rows (see the views' ``get_queryset``), never lazy look-ups.
"""

from __future__ import annotations

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from articles.models import Article, DatePrecision, Event, Quote, Tag
from people.models import Person


def absolute_url(serializer, obj) -> str:
    request = serializer.context.get("request")
    path = obj.get_absolute_url()
    return request.build_absolute_uri(path) if request is not None else path


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


class ArticleSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The article's public page.")
    tags = TagBriefSerializer(many=True, read_only=True)
    people = serializers.SerializerMethodField(
        help_text="People named in the article, in order of first mention."
    )
    source = SourceSerializer(source="*", read_only=True, help_text="Provenance.")
    published_at = serializers.DateTimeField(
        allow_null=True, help_text="Publication date-time (ISO 8601), null when unknown."
    )

    class Meta:
        model = Article
        fields = [
            "id",
            "slug",
            "title",
            "standfirst",
            "published_at",
            "status",
            "version",
            "url",
            "tags",
            "people",
            "source",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "title": {"help_text": "Headline."},
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


class ArticleDetailSerializer(ArticleSerializer):
    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "body"]
        read_only_fields = fields


class PersonSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The person's public page.")
    aliases = serializers.SerializerMethodField(
        help_text="Other ways articles name this person (first name, surname, handle...)."
    )

    class Meta:
        model = Person
        fields = ["id", "slug", "name", "description", "aliases", "url"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj):
        return absolute_url(self, obj)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_aliases(self, obj):
        return [alias.text for alias in obj.aliases.all()]


class TagSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The tag's public page.")

    class Meta:
        model = Tag
        fields = ["id", "slug", "name", "url"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj):
        return absolute_url(self, obj)


class QuoteSerializer(serializers.ModelSerializer):
    speaker = PersonRefSerializer(
        read_only=True, allow_null=True, help_text="The named person who said it, or null."
    )
    speaker_label = serializers.SerializerMethodField(
        help_text="Who spoke when not a named person (“one fan”), else null."
    )
    article = ArticleRefSerializer(read_only=True, help_text="The article it is quoted in.")
    url = serializers.SerializerMethodField(help_text="The quote's public permalink.")

    class Meta:
        model = Quote
        fields = [
            "id",
            "text",
            "speaker",
            "speaker_label",
            "article",
            "start",
            "end",
            "partial",
            "status",
            "version",
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

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj):
        return absolute_url(self, obj)


class QuoteEditorSerializer(QuoteSerializer):
    """A quote as editors see it: with what the review queue needs. Never shown to the
    public: a suggested speaker is the extractor's unconfirmed guess."""

    confidence = serializers.FloatField(
        read_only=True,
        help_text="How sure the extractor was of the speaker (0 to 1). Unreviewed quotes "
        "below the publish threshold are hidden from the public until confirmed.",
    )
    suggested_speaker = PersonRefSerializer(
        read_only=True,
        allow_null=True,
        help_text="The extractor's candidate for a quote it held back; accept it with "
        "`POST …/accept-suggestion/`.",
    )

    class Meta(QuoteSerializer.Meta):
        fields = [*QuoteSerializer.Meta.fields, "confidence", "suggested_speaker"]
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer):
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

    class Meta:
        model = Event
        fields = ["id", "summary", "date", "date_precision", "people", "article"]
        read_only_fields = fields


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
