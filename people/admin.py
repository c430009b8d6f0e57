"""Admin for people and their aliases.

This app knows nothing of articles: the editorial person admin (counts of quotes and
mentions, merge, "not a person", delete protection) extends ``PersonAdmin`` in
``articles/admin.py``, which re-registers ``Person`` with it.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Alias, Person, PersonRedirect, RejectedName


class AliasInline(admin.TabularInline):
    model = Alias
    fields = ["text", "kind"]
    extra = 1


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["name", "aliases_list", "description"]
    # Aliases are searched too, so the speaker autocomplete finds "Rose" or "Mr Adams".
    search_fields = ["name", "aliases__text", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "description"]
    inlines = [AliasInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("aliases")

    @admin.display(description="aliases")
    def aliases_list(self, obj):
        return ", ".join(alias.text for alias in obj.aliases.all())


@admin.register(Alias)
class AliasAdmin(SimpleHistoryAdmin):
    list_display = ["text", "person", "kind"]
    list_filter = ["kind"]
    list_select_related = ["person"]
    search_fields = ["text", "person__name"]
    autocomplete_fields = ["person"]


@admin.register(PersonRedirect)
class PersonRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "person"]
    list_select_related = ["person"]
    search_fields = ["old_slug", "person__name"]
    autocomplete_fields = ["person"]


@admin.register(RejectedName)
class RejectedNameAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]
