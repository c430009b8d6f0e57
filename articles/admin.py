from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Article, Event, Mention, Quote, Tag, TagSuggestion


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    list_display = ["title", "status", "published_at"]
    list_filter = ["status"]
    search_fields = ["title"]
    date_hierarchy = "published_at"
    filter_horizontal = ["tags"]
    readonly_fields = ["source_name", "source_sha256", "raw_text", "imported_at"]


@admin.register(Tag)
class TagAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(TagSuggestion)
class TagSuggestionAdmin(admin.ModelAdmin):
    list_display = ["tag", "article", "status"]
    list_filter = ["status"]
    list_select_related = ["tag", "article"]
    raw_id_fields = ["article", "tag"]


@admin.register(Mention)
class MentionAdmin(admin.ModelAdmin):
    list_display = ["person", "article", "start", "end"]
    list_select_related = ["person", "article"]
    raw_id_fields = ["article", "person"]


@admin.register(Quote)
class QuoteAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "speaker", "speaker_label", "status", "confidence"]
    list_filter = ["status", "partial"]
    list_select_related = ["speaker", "article"]
    search_fields = ["text"]
    raw_id_fields = ["article", "speaker"]


@admin.register(Event)
class EventAdmin(SimpleHistoryAdmin):
    list_display = ["summary", "date", "date_precision", "article"]
    list_filter = ["date_precision"]
    list_select_related = ["article"]
    raw_id_fields = ["article", "people"]
