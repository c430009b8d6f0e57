"""The editorial admin (issue 5): articles, the quote review queue, people, events, tags.

Every write goes through ``articles/services.py``, so the admin, the API and the
commands share one set of rules. Lists run a constant number of queries per page.
"""

import uuid

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, Value, When
from django.db.models.deletion import ProtectedError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

import extraction
from corrections.admin import CorrectionInline, withdraw_with_note
from extraction import IngestError, StoryMetadata
from extraction.pipeline import story_sha256
from people.admin import PersonAdmin as BasePersonAdmin
from people.models import Person
from search.services import article_ids, quote_ids, ranked

from . import canonical, formats, images, importing, review_desk, scheduling, services, uploads
from .admin_utils import (
    LargeTablePaginator,
    LineEndingsField,
    Span,
    VersionedModelForm,
    admin_link,
    count_subquery,
    highlight,
    sentence_around,
)
from .anchoring import holds
from .models import (
    Article,
    CanonicalQuote,
    Event,
    ImportRun,
    ImportRunFile,
    Mention,
    Quote,
    Tag,
    TagSuggestion,
    publish_min_confidence,
)


class StaleEditMixin:
    """Turn a ``StaleEdit`` raised by a service (a save racing another) into a message."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (
            services.StaleEdit,
            services.QuoteNotInText,
            services.NotSchedulable,
            StoryNotSaved,
        ) as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class StoryNotSaved(Exception):
    """A story written in the admin that the pipeline could not save (the reason)."""


def _run_per_object(modeladmin, request, queryset, service, done: str, **kwargs):
    """Call ``service`` on every selected object; report successes and stale ones."""
    changed = 0
    for obj in queryset:
        try:
            service(obj=obj, user=request.user, **kwargs)
        except (services.StaleEdit, services.QuoteNotInText, services.NotSchedulable) as exc:
            modeladmin.message_user(request, str(exc), messages.WARNING)
        else:
            changed += 1
    modeladmin.message_user(request, f"{changed} {done}.", messages.SUCCESS)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _speaker_text(quote: Quote) -> str:
    if not quote.speaker_id and quote.suggested_speaker_id:
        return f"no speaker; suggested: {quote.suggested_speaker.name}"
    return quote.attributed_to


# --- list filters -------------------------------------------------------------------------


class YesNoFilter(admin.SimpleListFilter):
    condition = None  # an expression that is true for "yes"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(self.get_condition())
        if self.value() == "no":
            return queryset.exclude(self.get_condition())
        return queryset


class HasUnreviewedQuotesFilter(YesNoFilter):
    title = "has unreviewed quotes"
    parameter_name = "unreviewed"

    def get_condition(self):
        return Exists(Quote.objects.filter(article=OuterRef("pk"), status=Quote.Status.AUTO))


class HasUnattributedQuotesFilter(YesNoFilter):
    title = "has unattributed quotes"
    parameter_name = "unattributed"

    def get_condition(self):
        return Exists(
            Quote.objects.filter(
                article=OuterRef("pk"), speaker__isnull=True, speaker_label=""
            ).exclude(status=Quote.Status.REJECTED)
        )


class ConfidenceBandFilter(admin.SimpleListFilter):
    title = "confidence"
    parameter_name = "confidence"
    bands = review_desk.BANDS  # the review desk's bands (issue 14)

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _) in self.bands.items()]

    def queryset(self, request, queryset):
        band = self.bands.get(self.value())
        return queryset.filter(band[1]) if band else queryset


class PublicFilter(admin.SimpleListFilter):
    """Which quotes readers see: the publish gate of ``Quote.objects.public()``."""

    title = "public"
    parameter_name = "public"

    def lookups(self, request, model_admin):
        threshold = publish_min_confidence()
        return [
            ("held", f"Held back: unreviewed, confidence below {threshold:g}"),
            ("yes", "Public"),
            ("no", "Not public"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "held":
            return queryset.held_back()
        if self.value() == "yes":
            return queryset.public()
        if self.value() == "no":
            return queryset.exclude(pk__in=Quote.objects.public().values("pk"))
        return queryset


class AttributionRuleFilter(admin.SimpleListFilter):
    title = "attribution rule"
    parameter_name = "rule"
    cache_key = "admin:quote-attribution-rules"

    def lookups(self, request, model_admin):
        # The set of rules changes only with the extraction code; a DISTINCT over every
        # quote on each page view is not worth it, so it is cached for a few minutes.
        rules = cache.get(self.cache_key)
        if rules is None:
            rules = sorted(
                Quote.objects.order_by().values_list("attribution_rule", flat=True).distinct()
            )
            cache.set(self.cache_key, rules, 300)
        return [(rule or "-", rule or "(none)") for rule in rules]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(attribution_rule="" if self.value() == "-" else self.value())


class SpeakerKindFilter(admin.SimpleListFilter):
    title = "speaker"
    parameter_name = "speaker_kind"

    def lookups(self, request, model_admin):
        return [
            ("none", "No speaker"),
            ("suggested", "No speaker, one suggested"),
            ("label", "Label only (not a named person)"),
            ("person", "A named person"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(speaker__isnull=True, speaker_label="")
        if self.value() == "suggested":
            return queryset.filter(speaker__isnull=True, suggested_speaker__isnull=False)
        if self.value() == "label":
            return queryset.filter(speaker__isnull=True).exclude(speaker_label="")
        if self.value() == "person":
            return queryset.filter(speaker__isnull=False)
        return queryset


class EventYearFilter(admin.SimpleListFilter):
    title = "year"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = Event.objects.order_by().dates("date", "year", order="DESC")
        return [(str(d.year), str(d.year)) for d in years]

    def queryset(self, request, queryset):
        try:
            year = int(self.value())
        except (TypeError, ValueError):
            return queryset
        # A range rather than date__year, so the date index is used on every database.
        return queryset.filter(date__gte=f"{year}-01-01", date__lt=f"{year + 1}-01-01")


# --- articles -----------------------------------------------------------------------------


class ArticleForm(VersionedModelForm):
    class Meta:
        model = Article
        fields = "__all__"
        field_classes = dict.fromkeys(("title", "standfirst", "body"), LineEndingsField)
        widgets = {"image": forms.ClearableFileInput(attrs={"accept": images.ACCEPT})}
        help_texts = {
            "body": "Clean text, paragraphs separated by a blank line. When you save, every "
            "quote, mention and event is moved to where its words now are; quotes whose "
            "words are gone go back to review, hidden from the public until confirmed."
        }

    # The upload decoded and resized while the form is checked, so that a damaged image is
    # a message on the form; ``ArticleAdmin.save_model`` stores it (``articles.images``).
    prepared_image = None

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if "image" in self.changed_data and image:
            self.prepared_image = images.prepare(image)
        return image

    def clean(self):
        cleaned = super().clean()
        # A scheduled article is published by itself at its publication date (issue 14):
        # a time that is missing or already past would publish it at once, or never.
        scheduling = {"status", "published_at"} & set(self.changed_data)
        if cleaned.get("status") == Article.Status.SCHEDULED and scheduling:
            publish_at = cleaned.get("published_at")
            if publish_at is None:
                self.add_error(
                    "published_at", "A scheduled article needs the time it is to be published."
                )
            elif publish_at <= timezone.now():
                self.add_error(
                    "published_at",
                    "The publication time of a scheduled article must be in the future. To "
                    "publish it now, choose “published”.",
                )
        return cleaned


# The source key of an article written in the admin: "desk:" and a random id.
DESK_KEY_PREFIX = "desk:"
# The fields an editor writes a story with ("Add article", issue 14).
STORY_FIELDS = ["title", "standfirst", "byline", "published_at", "status", "body", "tags"]
# Fields whose change runs the extraction again on an article written in the admin.
STORY_TEXT_FIELDS = {"title", "standfirst", "byline", "published_at", "body"}


class StoryForm(ArticleForm):
    """The "Add article" form: the story as an editor writes it; the pipeline does the rest."""

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:  # the reader alone (no people looked up): is there a story to save?
            extraction.parse_story(
                cleaned.get("body", ""),
                source_name="admin",
                metadata=_story_metadata(cleaned),
                max_bytes=settings.NEWSROOM_IMPORT_MAX_BYTES,
            )
        except IngestError as error:
            raise forms.ValidationError(str(error)) from None
        return cleaned


def _story_metadata(values) -> StoryMetadata:
    return StoryMetadata(
        headline=values.get("title") or "",
        standfirst=values.get("standfirst") or "",
        byline=values.get("byline") or "",
        published_at=values.get("published_at"),
    )


def _story(article: Article) -> formats.Story:
    """An article written in the admin as a story for the pipeline."""
    values = {name: getattr(article, name) for name in STORY_TEXT_FIELDS}
    metadata = _story_metadata(values)
    return formats.Story(
        key=article.source_key,
        source_name="admin",
        sha256=story_sha256(article.body, metadata),
        text=article.body,
        metadata=metadata,
    )


class UploadInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class UploadField(forms.Field):
    """Many files at once; each is checked on its own later, so none is refused here."""

    widget = UploadInput

    def clean(self, value):
        files = [upload for upload in value or [] if upload is not None]
        if not files:
            raise forms.ValidationError("Choose one or more story files.", code="required")
        return files


class ImportStoriesForm(forms.Form):
    files = UploadField(
        label="Story files",
        help_text=f"Drop or choose one or many files: {uploads.ACCEPTED}.",
    )
    publish = forms.TypedChoiceField(
        label="Imported stories are",
        choices=[("0", "drafts (publish them after review)"), ("1", "published at once")],
        coerce=lambda value: value == "1",
        initial="0",
        widget=forms.RadioSelect,
    )


class QuoteInline(admin.TabularInline):
    model = Quote
    fields = [
        "quote",
        "speaker",
        "suggested_speaker",
        "speaker_label",
        "status",
        "confidence",
        "partial",
    ]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    verbose_name_plural = "quotes (open one to review it)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("speaker", "suggested_speaker")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # reviewed on the quote's own page, through the services

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="quote")
    def quote(self, obj):
        return admin_link(obj, str(obj))


class EventInline(admin.TabularInline):
    model = Event
    fields = ["event", "date", "date_precision", "people_list"]
    readonly_fields = fields
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("people")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="event")
    def event(self, obj):
        return admin_link(obj, obj.summary)

    @admin.display(description="people")
    def people_list(self, obj):
        return ", ".join(person.name for person in obj.people.all())


class TagSuggestionInline(admin.TabularInline):
    """Pending suggestions: set "accepted" or "dismissed" and save the article."""

    model = TagSuggestion
    fields = ["tag", "status"]
    readonly_fields = ["tag"]
    extra = 0
    verbose_name_plural = "tags the importer suggests"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(status=TagSuggestion.Status.PENDING)
            # The row label is str(suggestion), which names the tag and the article.
            .select_related("tag", "article")
            .only("pk", "status", "article_id", "tag__name", "article__title")
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FullTextSearchMixin:
    """The search box uses the full-text index (drafts and rejected quotes included):
    words in any order, phrases, prefixes, accents ignored, fast on large tables."""

    def full_text_ids(self, search_term: str) -> list[int]:
        raise NotImplementedError

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return super().get_search_results(request, queryset, search_term)
        return ranked(queryset, self.full_text_ids(search_term)), False


@admin.register(Article)
class ArticleAdmin(FullTextSearchMixin, StaleEditMixin, SimpleHistoryAdmin):
    form = ArticleForm
    list_display = [
        "title",
        "status",
        "published_at",
        "quote_count",
        "unreviewed_count",
        "people_count",
        "tag_count",
    ]
    list_filter = [
        "status",
        ("tags", admin.RelatedOnlyFieldListFilter),
        "published_at",
        HasUnreviewedQuotesFilter,
        HasUnattributedQuotesFilter,
    ]
    search_fields = ["title", "body"]  # searched through the full-text index

    def full_text_ids(self, search_term):
        return article_ids(search_term, include_drafts=True)

    date_hierarchy = "published_at"
    autocomplete_fields = ["tags", "authors"]
    actions = ["publish", "schedule", "unpublish"]
    paginator = LargeTablePaginator
    show_full_result_count = False
    readonly_fields = [
        "image_preview",
        "highlighted_body",
        "raw_source",
        "source_key",
        "source_name",
        "source_sha256",
        "imported_at",
        "updated_at",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "title_derived",
                    "slug",
                    "status",
                    "published_at",
                    "standfirst",
                    "byline",
                    "authors",
                    "tags",
                    "version",
                ]
            },
        ),
        ("Lead image", {"fields": ["image", "image_preview", "image_alt", "image_caption"]}),
        ("Body, quotes and people highlighted", {"fields": ["highlighted_body"]}),
        ("Edit the body text", {"classes": ["collapse"], "fields": ["body", "captions"]}),
        (
            "Source as received",
            {
                "classes": ["collapse"],
                "fields": [
                    "source_key",
                    "source_name",
                    "source_sha256",
                    "imported_at",
                    "updated_at",
                    "raw_source",
                ],
            },
        ),
    ]
    inlines = [TagSuggestionInline, QuoteInline, EventInline, CorrectionInline]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("changelist"):
            queryset = queryset.defer("raw_text", "body", "captions", "standfirst").annotate(
                quote_count=count_subquery(Quote, "article"),
                unreviewed_count=count_subquery(Quote, "article", status=Quote.Status.AUTO),
                people_count=count_subquery(Mention, "article", distinct="person"),
                tag_count=count_subquery(Article.tags.through, "article"),
            )
        return queryset

    def get_fieldsets(self, request, obj=None):
        if obj is None:  # "Add article": what an editor writes; the pipeline does the rest
            return [
                (
                    None,
                    {
                        "fields": STORY_FIELDS,
                        "description": "Saving runs the same extraction as an import: people, "
                        "quotes (waiting for review in the quote queue), events and tag "
                        "suggestions. Paragraphs are separated by a blank line. To bring in "
                        "story files instead, use “Import stories” on the article list.",
                    },
                )
            ]
        return super().get_fieldsets(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = StoryForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_changeform_initial_data(self, request):
        return {"published_at": timezone.now(), **super().get_changeform_initial_data(request)}

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_stories_view),
                name="articles_article_import",
            ),
            path(
                "import/<int:run_id>/",
                self.admin_site.admin_view(self.import_run_view),
                name="articles_article_import_run",
            ),
            *super().get_urls(),
        ]

    def import_stories_view(self, request):
        """Upload story files and import them (issue 14): at once when few, else in the
        background; either way the run's page shows each file's outcome."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = ImportStoriesForm(request.POST, request.FILES)
            if form.is_valid():
                run = uploads.import_upload(
                    uploads=form.cleaned_data["files"],
                    publish=form.cleaned_data["publish"],
                    user=request.user,
                )
                return HttpResponseRedirect(
                    reverse("admin:articles_article_import_run", args=[run.pk])
                )
        else:
            form = ImportStoriesForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import stories",
            "form": form,
            "limits": {
                "files": settings.NEWSROOM_UPLOAD_MAX_FILES,
                "file_bytes": settings.NEWSROOM_UPLOAD_MAX_FILE_BYTES,
                "total_bytes": settings.NEWSROOM_UPLOAD_MAX_TOTAL_BYTES,
                "foreground": settings.NEWSROOM_UPLOAD_FOREGROUND_MAX_FILES,
            },
            "recent_runs": ImportRun.objects.filter(user=request.user)[:5],
        }
        return TemplateResponse(request, "admin/articles/article/import_stories.html", context)

    def import_run_view(self, request, run_id):
        """A run's progress and each file's outcome, refreshed until it ends."""
        if not (
            self.has_add_permission(request) or request.user.has_perm("articles.view_importrun")
        ):
            raise PermissionDenied
        run = get_object_or_404(ImportRun.objects.select_related("user"), pk=run_id)
        files = run.files.select_related("article").only(
            "position",
            "path",
            "key",
            "status",
            "reason",
            "notes",
            "article__id",
            "article__title",
            "article__status",
            "run_id",
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Import {run.pk}",
            "run": run,
            "files": files,
            "active": run.status in (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING),
            "refresh_seconds": 2,
        }
        return TemplateResponse(request, "admin/articles/article/import_run.html", context)

    def changelist_view(self, request, extra_context=None):
        # Publish what is due first, so the list never shows a past schedule as pending
        # when no worker runs (issue 14; one primary-key read).
        scheduling.check_schedule()
        return super().changelist_view(request, extra_context)

    def view_on_site(self, obj):
        """The public page of a published article; the editors' preview of any other (a
        draft's public URL is a 404; issue 14)."""
        return obj.get_absolute_url() if obj.is_published else obj.get_preview_url()

    @admin.display(description="quotes", ordering="quote_count")
    def quote_count(self, obj):
        return obj.quote_count

    @admin.display(description="unreviewed", ordering="unreviewed_count")
    def unreviewed_count(self, obj):
        return obj.unreviewed_count

    @admin.display(description="people", ordering="people_count")
    def people_count(self, obj):
        return obj.people_count

    @admin.display(description="tags", ordering="tag_count")
    def tag_count(self, obj):
        return obj.tag_count

    @admin.display(description="body")
    def highlighted_body(self, obj):
        if obj.pk is None:
            return "-"
        quotes = Quote.objects.filter(article_id=obj.pk).select_related(
            "speaker", "suggested_speaker"
        )
        spans = [
            Span(q.start, q.end, "quote", f"{_speaker_text(q)} ({q.get_status_display()})")
            for q in quotes
            if holds(obj.body, q.start, q.end, q.text)  # never mark words it did not say
        ] + [
            Span(m.start, m.end, "mention", m.person.name)
            for m in Mention.objects.filter(article_id=obj.pk).select_related("person")
        ]
        return format_html('<div class="highlighted-body">{}</div>', highlight(obj.body, spans))

    @admin.display(description="as readers see it")
    def image_preview(self, obj):
        image = obj.lead_image if obj.pk else None
        if image is None:
            return "-"
        return format_html(
            '<img src="{}" alt="{}" width="320" class="lead-image-preview">',
            image.thumbnail,
            image.alt,
        )

    @admin.display(description="raw source")
    def raw_source(self, obj):
        return format_html('<pre class="raw-source">{}</pre>', obj.raw_text)

    def save_model(self, request, obj, form, change):
        if "image" not in form.changed_data:
            return self._save_article(request, obj, form, change)
        # A new image (or none): stored with its renditions for this save (issue 14).
        with images.replacing_image(article=obj, prepared=form.prepared_image):
            self._save_article(request, obj, form, change)

    def _save_article(self, request, obj, form, change):
        if not change:
            return self._write_story(request, obj)
        expected = form.cleaned_data.get("version")
        changed = [name for name in form.changed_data if name not in {"version", "tags", "authors"}]
        scheduling = {"status", "published_at"} & set(changed)
        if obj.status == Article.Status.SCHEDULED and scheduling and "body" not in changed:
            services.article_schedule(
                article=obj,
                publish_at=obj.published_at,
                user=request.user,
                expected_version=expected,
            )
        elif changed == ["status"]:
            services.article_set_status(
                article=obj, status=obj.status, user=request.user, expected_version=expected
            )
        elif "body" in changed:
            edit = services.article_update_body(
                article=obj,
                body=obj.body,
                user=request.user,
                expected_version=expected,
                reason=f"edited: {', '.join(changed)}",
            )
            self._report_body_edit(request, edit)
        else:
            services.versioned_save(
                obj=obj,
                user=request.user,
                expected_version=expected,
                reason=f"edited: {', '.join(changed)}" if changed else "edited",
            )
        if obj.source_key.startswith(DESK_KEY_PREFIX) and STORY_TEXT_FIELDS & set(changed):
            # Written here: its text is the editor's, so the extraction runs again as a
            # re-import would, keeping every decision editors made on quotes and events.
            self._extract(request, obj)

    def _write_story(self, request, obj):
        """Save a new article ("Add article") through the importer's pipeline and its save of
        one story (people, quotes, events and tag suggestions extracted), under a key of its
        own."""
        obj.source_key = f"{DESK_KEY_PREFIX}{uuid.uuid4().hex}"
        wanted, publish_at = obj.status, obj.published_at
        outcome = importing.save_story(
            story=_story(obj), publish=wanted == Article.Status.PUBLISHED
        )
        if outcome.status == importing.FAILED or outcome.article_id is None:
            raise StoryNotSaved(f"The story was not saved: {outcome.reason}")
        obj.pk = outcome.article_id
        obj.refresh_from_db()
        obj._state.adding = False
        if wanted == Article.Status.SCHEDULED:  # published by itself at its time
            services.article_schedule(article=obj, publish_at=publish_at, user=request.user)
        elif obj.status != wanted:  # a status the importer does not set
            services.article_set_status(article=obj, status=wanted, user=request.user)
        self._report_extraction(request, outcome)

    def _extract(self, request, obj):
        outcome = importing.save_story(story=_story(obj))
        if outcome.status == importing.FAILED:
            raise StoryNotSaved(f"The extraction could not run again: {outcome.reason}")
        obj.refresh_from_db()
        self._report_extraction(request, outcome)

    def _report_extraction(self, request, outcome: importing.ImportOutcome) -> None:
        self.message_user(
            request,
            f"Extraction: {_count(outcome.quotes_created, 'new quote')}, "
            f"{outcome.people_created} new "
            f"{'person' if outcome.people_created == 1 else 'people'}, "
            f"{_count(outcome.events_created, 'new event')}"
            + (
                f", {_count(outcome.quotes_removed, 'quote')} removed"
                if outcome.quotes_removed
                else ""
            )
            + "; quotes wait for review in the quote queue.",
            messages.INFO,
        )

    def _report_body_edit(self, request, edit: services.BodyEdit) -> None:
        """Tell the editor what the new body did to the quotes, mentions and events."""
        lost = len(edit.quotes_sent_back)
        if lost:
            queue = reverse("admin:articles_quote_changelist")
            self.message_user(
                request,
                format_html(
                    "{} could not be found in the new text and {} sent back to review: "
                    'hidden from the public until an editor confirms {}. <a href="{}">{}</a>',
                    _count(lost, "quote"),
                    "was" if lost == 1 else "were",
                    "it" if lost == 1 else "them",
                    f"{queue}?article__id__exact={edit.article.pk}&public=held",
                    "Review the article’s held-back quotes",
                ),
                messages.WARNING,
            )
        if edit.events_removed:
            removed = len(edit.events_removed)
            self.message_user(
                request,
                f"{_count(removed, 'event')} could not be found in the new text and "
                f"{'was' if removed == 1 else 'were'} removed: "
                + "; ".join(f"“{event.summary}”" for event in edit.events_removed)
                + ". Each can be restored from its history if the story still reports it.",
                messages.WARNING,
            )
        if edit.mentions_removed:
            self.message_user(
                request,
                f"{_count(edit.mentions_removed, 'mention')} of people could not be found "
                "in the new text and "
                f"{'was' if edit.mentions_removed == 1 else 'were'} removed.",
                messages.INFO,
            )
        moved = edit.quotes_moved + edit.mentions_moved + edit.events_moved
        if moved:
            self.message_user(
                request,
                f"Moved with their words: {_count(edit.quotes_moved, 'quote')}, "
                f"{_count(edit.mentions_moved, 'mention')}, "
                f"{_count(edit.events_moved, 'event')}.",
                messages.INFO,
            )

    def save_formset(self, request, form, formset, change):
        if formset.model is not TagSuggestion:
            return super().save_formset(request, form, formset, change)
        decide = {
            TagSuggestion.Status.ACCEPTED: services.tag_suggestion_accept,
            TagSuggestion.Status.DISMISSED: services.tag_suggestion_dismiss,
        }
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            status = inline_form.cleaned_data.get("status")
            if "status" in inline_form.changed_data and status in decide:
                suggestion = TagSuggestion.objects.select_related("article", "tag").get(
                    pk=inline_form.instance.pk
                )
                decide[status](suggestion=suggestion, user=request.user)
                formset.changed_objects.append((suggestion, ["status"]))

    @admin.action(description="Publish selected articles", permissions=["change"])
    def publish(self, request, queryset):
        queryset = queryset.exclude(status=Article.Status.PUBLISHED)
        _run_per_object(
            self,
            request,
            queryset,
            lambda obj, **kw: services.article_set_status(article=obj, **kw),
            "articles published",
            status=Article.Status.PUBLISHED,
        )

    @admin.action(
        description="Schedule selected articles for their publication date", permissions=["change"]
    )
    def schedule(self, request, queryset):
        """Schedule the selected articles dated in the future; the others are reported."""
        now = timezone.now()
        future = queryset.exclude(status=Article.Status.SCHEDULED).filter(published_at__gt=now)
        skipped = (
            queryset.exclude(status=Article.Status.SCHEDULED).exclude(published_at__gt=now).count()
        )
        _run_per_object(
            self,
            request,
            future,
            lambda obj, **kw: services.article_schedule(
                article=obj, publish_at=obj.published_at, **kw
            ),
            "articles scheduled",
        )
        if skipped:
            self.message_user(
                request,
                f"{_count(skipped, 'article')} not scheduled: set a publication date in the "
                "future first (open the article, choose the status “scheduled” and the time).",
                messages.WARNING,
            )

    @admin.action(description="Unpublish selected articles (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        queryset = queryset.exclude(status=Article.Status.DRAFT)
        _run_per_object(
            self,
            request,
            queryset,
            lambda obj, **kw: services.article_set_status(article=obj, **kw),
            "articles unpublished",
            status=Article.Status.DRAFT,
        )


# --- the quote review queue ---------------------------------------------------------------


class QuoteForm(VersionedModelForm):
    class Meta:
        model = Quote
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("speaker") and cleaned.get("speaker_label"):
            self.add_error(
                "speaker_label", "Leave the label empty when the speaker is a named person."
            )
        quote = self.instance
        # A new speaker confirms the quote (services.quote_set_speaker).
        confirming = {"speaker", "speaker_label"} & set(self.changed_data) or (
            cleaned.get("status") == Quote.Status.CONFIRMED and "status" in self.changed_data
        )
        if quote.pk and confirming and not quote.holds_its_words():
            raise forms.ValidationError(
                "This quote's words are no longer at its place in the article body (the "
                "body was edited), so it cannot be confirmed or given a speaker. Restore them "
                "in the article, or reject the quote."
            )
        return cleaned


@admin.register(Quote)
class QuoteAdmin(FullTextSearchMixin, StaleEditMixin, SimpleHistoryAdmin):
    form = QuoteForm
    list_display = [
        "in_context",
        "speaker_display",
        "status",
        "confidence",
        "attribution_rule",
        "article_link",
    ]
    list_display_links = ["in_context"]
    list_filter = [
        "status",
        ConfidenceBandFilter,
        AttributionRuleFilter,
        SpeakerKindFilter,
        "partial",
        PublicFilter,
    ]
    search_fields = ["text", "speaker_label"]  # searched through the full-text index

    def full_text_ids(self, search_term):
        return quote_ids(search_term, include_drafts=True, include_rejected=True)

    # "auto" sorts before "confirmed" and "rejected": unreviewed first, least sure first
    # (so the quotes held back below the publish threshold lead), straight off the
    # (status, confidence) index.
    ordering = ["status", "confidence", "pk"]
    autocomplete_fields = ["speaker"]
    actions = [
        "accept_suggestion",
        "confirm",
        "reject",
        "send_back_to_review",
        withdraw_with_note,
        "split_canonical",
    ]
    paginator = LargeTablePaginator
    show_full_result_count = False
    list_per_page = 50
    # The words and offsets come from the article body (and re-imports match reviewed
    # quotes by their words): they are fixed in the body, not here.
    readonly_fields = [
        "in_context",
        "article_link",
        "text",
        "start",
        "end",
        "attribution_rule",
        "confidence",
        "speaker_corrected",
        "reviewed_at",
        "suggestion",
    ]
    fieldsets = [
        (None, {"fields": ["in_context", "article_link", "text", "version"]}),
        ("Speaker", {"fields": ["speaker", "speaker_label", "suggestion"]}),
        ("Review", {"fields": ["status", "reviewed_at", "speaker_corrected"]}),
        (
            "Extraction",
            {
                "classes": ["collapse"],
                "fields": ["start", "end", "partial", "attribution_rule", "confidence"],
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("article", "speaker", "suggested_speaker")
            .defer("article__raw_text", "article__captions", "article__standfirst")
        )

    def get_urls(self):
        view = self.admin_site.admin_view(self.accept_suggestion_view)
        wrap = self.admin_site.admin_view
        return [
            # Before the change view's catch-all "<path:object_id>/" (issue 14, point 3).
            path(
                "desk/",
                wrap(lambda request: review_desk.desk_view(self, request)),
                name="articles_quote_desk",
            ),
            path(
                "desk/<int:pk>/decide/",
                wrap(lambda request, pk: review_desk.decide_view(self, request, pk)),
                name="articles_quote_desk_decide",
            ),
            path(
                "<path:object_id>/accept-suggestion/",
                view,
                name="articles_quote_accept_suggestion",
            ),
            *super().get_urls(),
        ]

    def has_add_permission(self, request):
        return False  # quotes come from the importer

    @admin.display(description="quote in its sentence")
    def in_context(self, obj):
        body = obj.article.body
        if not holds(body, obj.start, obj.end, obj.text):
            # Bold only the quote's own words: these offsets no longer point at them.
            return format_html(
                "“{}” <em>(not found at its place in the article body)</em>", obj.text
            )
        return sentence_around(body, obj.start, obj.end)

    @admin.display(description="speaker", ordering="speaker__name")
    def speaker_display(self, obj):
        if obj.speaker_id:
            return obj.speaker.name
        if obj.suggested_speaker_id:
            return format_html(
                '<strong class="errornote">{}</strong> suggested: <em>{}</em>',
                "none",
                obj.suggested_speaker.name,
            )
        if obj.speaker_label:
            return format_html("<em>{}</em>", obj.speaker_label)
        return format_html('<strong class="errornote">{}</strong>', "none")

    @admin.display(description="suggested speaker")
    def suggestion(self, obj):
        if not obj.suggested_speaker_id:
            return "-"
        return format_html(
            "{} <br><small>The importer was not sure enough to publish the quote under this "
            "name. Check the story, then use “Accept the suggested speaker and confirm” "
            "above, or set the speaker yourself.</small>",
            admin_link(obj.suggested_speaker, obj.suggested_speaker.name),
        )

    @admin.display(description="article", ordering="article")
    def article_link(self, obj):
        return admin_link(obj.article, obj.article.title)

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        expected = form.cleaned_data.get("version")
        # Compared with the row as stored (locked by the form's version check), not with
        # the form's initial data, so a "revert" from history is judged correctly too.
        before = Quote.objects.get(pk=obj.pk)
        wanted_status = obj.status
        speaker_changed = (obj.speaker_id, obj.speaker_label) != (
            before.speaker_id,
            before.speaker_label,
        )
        others_changed = ["partial"] if obj.partial != before.partial else []
        if speaker_changed:
            # Saves the other edits too, and confirms the quote.
            services.quote_set_speaker(
                quote=obj,
                speaker=obj.speaker,
                speaker_label=obj.speaker_label,
                user=request.user,
                expected_version=expected,
            )
            if wanted_status not in (before.status, Quote.Status.CONFIRMED):
                services.quote_set_status(quote=obj, status=wanted_status, user=request.user)
            return
        if others_changed:
            obj.status = before.status
            services.versioned_save(
                obj=obj,
                user=request.user,
                expected_version=expected,
                reason=f"edited: {', '.join(others_changed)}",
            )
            expected = None
        if wanted_status != before.status:
            services.quote_set_status(
                quote=obj, status=wanted_status, user=request.user, expected_version=expected
            )

    def _set_status(self, request, queryset, status, done):
        refused = []
        changed = services.quotes_set_status(
            quotes=queryset, status=status, user=request.user, refused=refused
        )
        self.message_user(request, f"{changed} quotes {done}.", messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                f"{_count(len(refused), 'quote')} not confirmed: their words are no longer at "
                "their place in the article body. Restore them in the article, or reject them.",
                messages.WARNING,
            )

    def has_change_canonical_permission(self, request) -> bool:
        return request.user.has_perm("articles.change_canonicalquote")

    @admin.action(
        description="Split selected quotes off their canonical quote (not the same words)",
        permissions=["change_canonical"],
    )
    def split_canonical(self, request, queryset):
        try:
            group = canonical.split_quotes(quotes=list(queryset), user=request.user)
        except canonical.CanonicalError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(
            request,
            format_html("Split off into a new canonical quote: {}.", admin_link(group)),
            messages.SUCCESS,
        )

    @admin.action(description="Confirm selected quotes", permissions=["change"])
    def confirm(self, request, queryset):
        unaccepted = queryset.filter(speaker__isnull=True, suggested_speaker__isnull=False).exclude(
            status=Quote.Status.CONFIRMED
        )
        unaccepted = unaccepted.count()
        self._set_status(request, queryset, Quote.Status.CONFIRMED, "confirmed")
        if unaccepted:
            self.message_user(
                request,
                f"{unaccepted} of them had a suggested speaker, not accepted: they are public "
                "without a speaker. To publish a quote under its suggested speaker, use "
                "“Accept the suggested speaker and confirm”.",
                messages.WARNING,
            )

    @admin.action(
        description="Accept the suggested speaker and confirm (publish)", permissions=["change"]
    )
    def accept_suggestion(self, request, queryset):
        with_suggestion = queryset.filter(suggested_speaker__isnull=False)
        skipped = queryset.count() - with_suggestion.count()
        _run_per_object(
            self,
            request,
            with_suggestion,
            lambda obj, **kw: services.quote_accept_suggestion(quote=obj, **kw),
            "quotes confirmed under their suggested speaker",
        )
        if skipped:
            self.message_user(
                request, f"{skipped} selected quotes had no suggestion to accept.", messages.INFO
            )

    def accept_suggestion_view(self, request, object_id):
        """The change page's “Accept the suggested speaker and confirm” button (POST)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        quote = self.get_object(request, unquote(object_id))
        if quote is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, quote):
            raise PermissionDenied
        version = request.POST.get("version", "")
        # ASCII digits only ("¹".isdigit() is true, int("¹") fails); never a blind write.
        if not (version.isascii() and version.isdigit() and len(version) < 10):
            self.message_user(
                request, "Reload the quote and try again (its version was missing).", messages.ERROR
            )
            return HttpResponseRedirect(reverse("admin:articles_quote_change", args=[quote.pk]))
        try:
            services.quote_accept_suggestion(
                quote=quote, user=request.user, expected_version=int(version)
            )
        except (services.StaleEdit, services.NoSuggestion, services.QuoteNotInText) as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self.message_user(
                request,
                f"Confirmed under {quote.speaker.name}: the quote is public.",
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:articles_quote_change", args=[quote.pk]))

    @admin.action(description="Reject selected quotes (hide them)", permissions=["change"])
    def reject(self, request, queryset):
        self._set_status(request, queryset, Quote.Status.REJECTED, "rejected")

    @admin.action(description="Send selected quotes back to review", permissions=["change"])
    def send_back_to_review(self, request, queryset):
        self._set_status(request, queryset, Quote.Status.AUTO, "sent back to review")


# --- people (extends the article-agnostic admin in people/admin.py) -----------------------


class MergeForm(forms.Form):
    keep = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        label="Person to keep",
    )


admin.site.unregister(Person)


@admin.register(Person)
class PersonAdmin(BasePersonAdmin):
    list_display = [
        "name",
        "aliases_list",
        "quote_count",
        "mention_count",
        "article_count",
        "description",
    ]
    actions = ["merge", "reject_as_not_person"]
    paginator = LargeTablePaginator
    show_full_result_count = False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("changelist"):
            queryset = queryset.annotate(
                quote_count=count_subquery(Quote, "speaker"),
                mention_count=count_subquery(Mention, "person"),
                article_count=count_subquery(Mention, "person", distinct="article"),
            )
        return queryset

    @admin.display(description="quotes", ordering="quote_count")
    def quote_count(self, obj):
        return obj.quote_count

    @admin.display(description="mentions", ordering="mention_count")
    def mention_count(self, obj):
        return obj.mention_count

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, obj):
        return obj.article_count

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            actions["delete_selected"] = (
                PersonAdmin.delete_people,
                "delete_selected",
                actions["delete_selected"][2],
            )
        return actions

    def _refuse_people_with_quotes(self, request, people) -> bool:
        quoted = [p.name for p in people if Quote.objects.filter(speaker=p).exists()]
        if quoted:
            self.message_user(
                request,
                f"{', '.join(quoted)} cannot be deleted: quotes are attributed to them. "
                "If this is the same person as someone else, merge them instead (select "
                "both in the people list, then “Merge selected people”); if it is not a "
                "person at all, use “Mark as not a person”.",
                messages.ERROR,
            )
        return bool(quoted)

    def delete_people(self, request, queryset):
        """Django's "delete selected", refusing people who have quotes."""
        if self._refuse_people_with_quotes(request, list(queryset)):
            return None
        return delete_selected(self, request, queryset)

    def delete_view(self, request, object_id, extra_context=None):
        person = self.get_object(request, unquote(object_id))
        if person is not None and self._refuse_people_with_quotes(request, [person]):
            return HttpResponseRedirect(reverse("admin:people_person_change", args=[person.pk]))
        try:
            return super().delete_view(request, object_id, extra_context)
        except ProtectedError:
            self._refuse_people_with_quotes(request, [person])
            return HttpResponseRedirect(reverse("admin:people_person_changelist"))

    @admin.action(description="Merge selected people…", permissions=["delete"])
    def merge(self, request, queryset):
        people = list(queryset.order_by("name", "pk"))
        if len(people) < 2:
            self.message_user(request, "Select at least two people to merge.", messages.ERROR)
            return None
        form = MergeForm(request.POST if "keep" in request.POST else None)
        form.fields["keep"].queryset = queryset.order_by("name", "pk")
        if form.is_bound and form.is_valid():
            keep = form.cleaned_data["keep"]
            merged = 0
            for person in people:
                if person.pk == keep.pk:
                    continue
                try:
                    services.person_merge(source=person, target=keep, user=request.user)
                except services.MergeConflict as exc:  # someone else merged them meanwhile
                    self.message_user(request, str(exc), messages.ERROR)
                    continue
                merged += 1
            if merged:
                self.message_user(
                    request,
                    f"Merged {merged} people into {keep.name}: their quotes, mentions, "
                    "events and aliases moved, and their old pages redirect.",
                    messages.SUCCESS,
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge people",
            "opts": self.model._meta,
            "people": people,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/people/person/merge_confirmation.html", context)

    @admin.action(
        description="Mark as not a person (remove, never propose again)", permissions=["delete"]
    )
    def reject_as_not_person(self, request, queryset):
        names = []
        for person in queryset:
            services.person_reject_as_not_person(person=person, user=request.user)
            names.append(person.name)
        self.message_user(
            request,
            f"Removed {', '.join(names)}; the importer will not propose "
            f"{'these names' if len(names) > 1 else 'this name'} again. Their quotes are back "
            "in the review queue.",
            messages.SUCCESS,
        )


# --- events, tags, suggestions, mentions --------------------------------------------------


@admin.register(Event)
class EventAdmin(SimpleHistoryAdmin):
    list_display = ["summary", "date", "date_precision", "people_list", "article_link"]
    list_filter = ["date_precision", EventYearFilter]
    list_select_related = ["article"]
    search_fields = ["summary"]
    autocomplete_fields = ["article", "people"]
    paginator = LargeTablePaginator
    show_full_result_count = False
    fields = ["summary", "date", "date_precision", "people", "article", "start", "end"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .defer("article__raw_text", "article__body", "article__captions")
            .prefetch_related(Prefetch("people", queryset=Person.objects.only("pk", "name")))
        )

    @admin.display(description="people")
    def people_list(self, obj):
        return ", ".join(person.name for person in obj.people.all())

    @admin.display(description="article", ordering="article")
    def article_link(self, obj):
        return admin_link(obj.article, obj.article.title)


@admin.register(Tag)
class TagAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "article_count", "pending_suggestions"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("changelist"):
            queryset = queryset.annotate(
                article_count=count_subquery(Article.tags.through, "tag"),
                pending_suggestions=count_subquery(
                    TagSuggestion, "tag", status=TagSuggestion.Status.PENDING
                ),
            )
        return queryset

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, obj):
        return obj.article_count

    @admin.display(description="pending suggestions", ordering="pending_suggestions")
    def pending_suggestions(self, obj):
        return obj.pending_suggestions


@admin.register(TagSuggestion)
class TagSuggestionAdmin(admin.ModelAdmin):
    list_display = ["tag", "article_link", "status", "auto_applied", "created_at"]
    list_filter = ["status", "auto_applied", ("tag", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["tag", "article"]
    search_fields = ["tag__name", "article__title"]
    autocomplete_fields = ["article", "tag"]
    actions = ["accept", "dismiss"]
    # Pending first: that is the work to do.
    ordering = [
        Case(
            When(status=TagSuggestion.Status.PENDING, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ).asc(),
        "-created_at",
        "pk",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("article__raw_text", "article__body")

    @admin.display(description="article", ordering="article")
    def article_link(self, obj):
        return admin_link(obj.article, obj.article.title)

    @admin.action(
        description="Accept selected suggestions (tag the articles)", permissions=["change"]
    )
    def accept(self, request, queryset):
        _run_per_object(
            self,
            request,
            queryset.exclude(status=TagSuggestion.Status.ACCEPTED).select_related("article"),
            lambda obj, **kw: services.tag_suggestion_accept(suggestion=obj, **kw),
            "suggestions accepted",
        )

    @admin.action(description="Dismiss selected suggestions", permissions=["change"])
    def dismiss(self, request, queryset):
        _run_per_object(
            self,
            request,
            queryset.exclude(status=TagSuggestion.Status.DISMISSED).select_related("article"),
            lambda obj, **kw: services.tag_suggestion_dismiss(suggestion=obj, **kw),
            "suggestions dismissed",
        )


@admin.register(Mention)
class MentionAdmin(admin.ModelAdmin):
    list_display = ["person", "article", "start", "end"]
    list_select_related = ["person", "article"]
    autocomplete_fields = ["article", "person"]
    paginator = LargeTablePaginator
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("article__raw_text", "article__body")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by the system, never by hand: viewable, not editable."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    """Background imports (issue 13) and how far each has got."""

    list_display = [
        "id",
        "created_at",
        "user",
        "status",
        "progress_display",
        "created",
        "updated",
        "unchanged",
        "failed",
        "started_at",
        "finished_at",
        "description",
    ]
    list_filter = ["status"]
    list_select_related = ["user"]
    readonly_fields = ["files_link"]
    exclude = ["task_ids"]

    @admin.display(description="progress")
    def progress_display(self, run):
        return f"{run.done}/{run.total} ({run.progress:.0%})"

    @admin.display(description="files")
    def files_link(self, run):
        url = reverse("admin:articles_importrunfile_changelist")
        return format_html(
            '<a href="{}">outcomes page</a> · '
            '<a href="{}?run__id__exact={}">all {} files</a> · '
            '<a href="{}?run__id__exact={}&amp;status__exact=failed">{} failed</a>',
            reverse("admin:articles_article_import_run", args=[run.pk]),
            url,
            run.pk,
            run.done,
            url,
            run.pk,
            run.failed,
        )


@admin.register(ImportRunFile)
class ImportRunFileAdmin(ReadOnlyAdmin):
    list_display = ["position", "run", "path", "key", "status", "reason", "article_link"]
    list_filter = ["status"]
    list_select_related = ["run", "article"]
    search_fields = ["path", "key"]
    paginator = LargeTablePaginator
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("article__raw_text", "article__body")

    @admin.display(description="article")
    def article_link(self, file):
        return admin_link(file.article) if file.article else "—"


# --- Canonical quotes (issue 15) ---------------------------------------------------------


class SpeakerDisputedFilter(admin.SimpleListFilter):
    title = "speakers"
    parameter_name = "disputed"

    def lookups(self, request, model_admin):
        return [("yes", "disagree (review)"), ("no", "agree")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(speaker_disputed=self.value() == "yes")
        return queryset


@admin.register(CanonicalQuote)
class CanonicalQuoteAdmin(SimpleHistoryAdmin):
    """Groups of the same words across stories. Editors review those whose speakers
    disagree, merge groups here and split quotes off from the quotes' list (the link on
    each group), through ``articles.canonical``."""

    list_display = ["summary", "occurrence_count", "speaker", "speaker_disputed", "locked"]
    list_filter = [SpeakerDisputedFilter, "locked"]
    search_fields = ["text"]
    autocomplete_fields = ["speaker"]
    readonly_fields = [
        "text",
        "speaker",
        "speaker_disputed",
        "locked",
        "occurrence_list",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields
    actions = ["merge"]
    view_on_site = False  # no page of its own: its occurrences have permalinks
    paginator = LargeTablePaginator
    show_full_result_count = False
    list_per_page = 50

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("speaker")
            .annotate(n_occurrences=count_subquery(Quote, "canonical"))
        )

    def has_add_permission(self, request):
        return False  # groups are made by the importer, a rebuild, or a split

    @admin.display(description="quote")
    def summary(self, obj):
        return str(obj)

    @admin.display(description="occurrences", ordering="n_occurrences")
    def occurrence_count(self, obj):
        return obj.n_occurrences

    @admin.display(description="occurrences")
    def occurrence_list(self, obj):
        quotes = (
            obj.occurrences.select_related("article", "speaker")
            .order_by("article_published_at", "pk")
            .only(
                *("id", "text", "speaker_label", "status", "article_published_at"),
                *("article__id", "article__title", "article__status"),
                *("speaker__id", "speaker__name"),
            )[:200]
        )
        rows = format_html_join(
            "",
            "<li>{} — {} in {} ({}, {})</li>",
            (
                (
                    admin_link(q),
                    q.attributed_to,
                    admin_link(q.article, q.article.title),
                    q.article.get_status_display(),
                    q.article_published_at.date() if q.article_published_at else "no date",
                )
                for q in quotes
            ),
        )
        split = reverse("admin:articles_quote_changelist") + f"?canonical__exact={obj.pk}"
        return format_html(
            '<ul>{}</ul><p><a href="{}">Split quotes off this group</a> (select them, then '
            "the action “Split selected quotes off their canonical quote”).</p>",
            rows,
            split,
        )

    @admin.action(
        description="Merge selected canonical quotes (into the oldest)", permissions=["change"]
    )
    def merge(self, request, queryset):
        groups = list(queryset.order_by("pk"))
        try:
            target = canonical.merge_groups(sources=groups[1:], target=groups[0], user=request.user)
        except canonical.CanonicalError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(
            request,
            format_html("Merged into {}.", admin_link(target)),
            messages.SUCCESS,
        )
