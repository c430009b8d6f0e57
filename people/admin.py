from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Alias, Person, PersonRedirect, RejectedName


class AliasInline(admin.TabularInline):
    model = Alias
    extra = 0


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "description"]
    search_fields = ["name", "aliases__text"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [AliasInline]


@admin.register(Alias)
class AliasAdmin(admin.ModelAdmin):
    list_display = ["text", "person", "kind"]
    list_select_related = ["person"]
    search_fields = ["text", "person__name"]
    autocomplete_fields = ["person"]


@admin.register(PersonRedirect)
class PersonRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "person"]
    list_select_related = ["person"]
    autocomplete_fields = ["person"]


@admin.register(RejectedName)
class RejectedNameAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]
