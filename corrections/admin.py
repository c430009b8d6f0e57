"""Corrections in the admin: an inline on the article, a withdrawal action on quotes, and
the corrections' own list (read, fix a note's typo, see history).

Every withdrawal goes through ``corrections.services.quote_withdraw`` (quote rejected,
note stored, in one transaction). The article admin and the quote admin import
:class:`CorrectionInline` and :func:`withdraw_with_note` (articles/admin.py).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.forms.models import BaseInlineFormSet
from django.template.response import TemplateResponse
from simple_history.admin import SimpleHistoryAdmin

from articles.services import StaleEdit

from . import services
from .models import Correction


class CorrectionFormSet(BaseInlineFormSet):
    """Records who published each new correction (the inline has the request)."""

    request = None

    def save_new(self, form, commit=True):
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated:
            form.instance.created_by = user
        return super().save_new(form, commit=commit)


class CorrectionInline(admin.StackedInline):
    """Corrections of the article: add one with its date and public note. Withdrawing a
    quote is done from the quote list (“Withdraw with a public note”), which also takes
    the quote out of public view."""

    model = Correction
    formset = CorrectionFormSet
    fk_name = "article"
    extra = 0
    fields = ["published_on", "note", "kind", "quote_words", "created_by"]
    readonly_fields = ["kind", "quote_words", "created_by"]
    verbose_name_plural = "corrections (public: shown under the story, in its JSON-LD and API)"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"request": request})

    def has_delete_permission(self, request, obj=None):
        return False  # a published correction stays on the public record

    @admin.display(description="quote")
    def quote_words(self, obj):
        return f"“{obj.quote_text}”" if obj.quote_text else "-"


class WithdrawForm(forms.Form):
    note = forms.CharField(
        label="Public note",
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text="Shown to readers under the story and on the quote's link (410 Gone): why "
        "the quote was withdrawn.",
    )


def _versions(request) -> dict[int, int]:
    """The versions the editor saw on the confirmation page (``version_<quote id>``)."""
    seen = {}
    for name, value in request.POST.items():
        pk = name.removeprefix("version_")
        if pk != name and pk.isascii() and pk.isdigit() and value.isascii() and value.isdigit():
            seen[int(pk)] = int(value)
    return seen


@admin.action(description="Withdraw with a public note…", permissions=["change"])
def withdraw_with_note(modeladmin, request, queryset):
    """Ask for the public note, then withdraw each selected quote (rejected, and a
    withdrawal correction published under its article)."""
    if not request.user.has_perm("corrections.add_correction"):
        modeladmin.message_user(
            request, "You may not publish corrections, so you cannot withdraw quotes.", "error"
        )
        return None
    quotes = list(queryset.select_related("article").order_by("pk"))
    form = WithdrawForm(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        versions = _versions(request)
        done = 0
        for quote in quotes:
            try:
                services.quote_withdraw(
                    quote=quote,
                    note=form.cleaned_data["note"],
                    user=request.user,
                    expected_version=versions.get(quote.pk),
                )
            except (StaleEdit, services.CannotWithdraw, services.BlankNote) as exc:
                modeladmin.message_user(request, str(exc), messages.WARNING)
            else:
                done += 1
        modeladmin.message_user(
            request,
            f"{done} quote{'' if done == 1 else 's'} withdrawn with a public note.",
            messages.SUCCESS,
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Withdraw quotes with a public note",
        "opts": modeladmin.model._meta,
        "quotes": quotes,
        "form": form,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "action": "withdraw_with_note",
    }
    return TemplateResponse(request, "admin/corrections/withdraw_quotes.html", context)


@admin.register(Correction)
class CorrectionAdmin(SimpleHistoryAdmin):
    list_display = ["published_on", "kind", "note", "article"]
    list_filter = ["kind", "published_on"]
    list_select_related = ["article"]
    search_fields = ["note", "quote_text"]
    date_hierarchy = "published_on"
    fields = ["article", "published_on", "kind", "note", "quote_words", "created_by"]
    readonly_fields = ["article", "kind", "quote_words", "created_by"]

    def has_add_permission(self, request):
        return False  # added from the article (inline) or a quote (withdrawal)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="quote")
    def quote_words(self, obj):
        return f"“{obj.quote_text}”" if obj.quote_text else "-"
