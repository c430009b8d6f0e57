"""The review desk (issue 14, point 3): unreviewed quotes, one per row, decided in one click.

A page of the admin site, on the quote admin's permissions (change quote). Every decision
goes through ``articles/services.py`` with the version the editor saw, so history is
recorded and a decision racing another editor's is refused (``StaleEdit``), never applied
blindly. The page works with plain forms (each decision posts, then redirects back to the
desk at the next row); ``static/js/review_desk.js`` adds keyboard shortcuts and sends the
same forms with ``fetch()``, updating the row in place.

Reads are bounded: one aggregate for the counts by confidence band, one count and one
select (quotes with their article and people) per page, whatever the page size.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse

from people.models import Person

from . import services
from .models import Quote, publish_min_confidence

PER_PAGE = 25

# Confidence bands, shared with the quote list's filter: label and condition.
BANDS = {
    "low": ("below 0.5", Q(confidence__lt=0.5)),
    "medium": ("0.5 to 0.8", Q(confidence__gte=0.5, confidence__lt=0.8)),
    "high": ("0.8 and above", Q(confidence__gte=0.8)),
}


def band_of(confidence: float) -> str:
    if confidence < 0.5:
        return "low"
    return "medium" if confidence < 0.8 else "high"


def waiting_by_band() -> dict[str, int]:
    """How many unreviewed quotes wait in each confidence band, and in all: one query,
    off the (status, confidence) index."""
    counts = Quote.objects.unreviewed().aggregate(
        **{band: Count("pk", filter=condition) for band, (_, condition) in BANDS.items()}
    )
    counts["all"] = sum(counts.values())
    return counts


def desk_quotes(band: str | None):
    """The desk's queue: unreviewed quotes, least sure first (the ones the publish gate
    holds back lead), optionally in one confidence band."""
    quotes = Quote.objects.unreviewed()
    if band in BANDS:
        quotes = quotes.filter(BANDS[band][1])
    return (
        quotes.select_related("article", "speaker", "suggested_speaker")
        .defer("article__raw_text", "article__captions", "article__standfirst")
        .order_by("confidence", "pk")
    )


def desk_url(*, band: str = "", page: int | str = "", focus: int | None = None) -> str:
    params = {key: value for key, value in {"band": band, "page": page}.items() if value}
    if focus:
        params["focus"] = focus
    url = reverse("admin:articles_quote_desk")
    if params:
        url += "?" + urlencode(params)
    return url + (f"#quote-{focus}" if focus else "")


def _band_param(value) -> str:
    return value if value in BANDS else ""


def _page_param(value) -> int:
    value = value or ""
    # ASCII digits only ("¹".isdigit() is true, int("¹") fails), and a sane length.
    return int(value) if value.isascii() and value.isdigit() and len(value) < 7 else 1


def _require_change_permission(modeladmin, request) -> None:
    if not modeladmin.has_change_permission(request):
        raise PermissionDenied


def _proposed_speaker(quote: Quote) -> tuple[str, str]:
    """(kind, name) of who the extractor proposes: a person, a person it only suggests
    (held back), a label such as “one fan”, or nobody."""
    if quote.speaker_id:
        return "person", quote.speaker.name
    if quote.suggested_speaker_id:
        return "suggested", quote.suggested_speaker.name
    if quote.speaker_label:
        return "label", quote.speaker_label
    return "none", ""


def desk_view(modeladmin, request):
    """The desk: a page of unreviewed quotes, each in its sentence, with its decisions."""
    _require_change_permission(modeladmin, request)
    band = _band_param(request.GET.get("band"))
    page = Paginator(desk_quotes(band), PER_PAGE).get_page(_page_param(request.GET.get("page")))
    counts = waiting_by_band()
    rows = [
        {
            "quote": quote,
            # The quote's admin column: its sentence from the body, the quote in bold (or
            # its words alone when an edit of the body moved them).
            "sentence": modeladmin.in_context(quote),
            "proposed": _proposed_speaker(quote),
            "band": band_of(quote.confidence),
        }
        for quote in page.object_list
    ]
    focus = request.GET.get("focus", "")
    focus = int(focus) if focus.isascii() and focus.isdigit() and len(focus) < 19 else None
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.opts,
        "title": "Review desk",
        "subtitle": None,
        "rows": rows,
        "page": page,
        "band": band,
        "bands": [
            ("", "all", counts["all"]),
            *((key, label, counts[key]) for key, (label, _) in BANDS.items()),
        ],
        "waiting": counts[band] if band else counts["all"],
        "focus": focus,
        "this_page_url": desk_url(band=band, page=page.number),
        "previous_url": desk_url(band=band, page=page.previous_page_number())
        if page.has_previous()
        else "",
        "next_url": desk_url(band=band, page=page.next_page_number()) if page.has_next() else "",
        "autocomplete_url": reverse("admin:autocomplete")
        + "?"
        + urlencode({"app_label": "articles", "model_name": "quote", "field_name": "speaker"}),
        "publish_min_confidence": publish_min_confidence(),
    }
    return TemplateResponse(request, "admin/articles/quote/review_desk.html", context)


class Refused(Exception):
    """A decision the desk cannot make as asked (bad input); nothing was written."""

    def __init__(self, message: str, status: int = 400):
        self.status = status
        super().__init__(message)


def _version(request) -> int:
    version = request.POST.get("version", "")
    if not (version.isascii() and version.isdigit() and len(version) < 10):
        raise Refused("Reload the desk and try again (the quote's version was missing).")
    return int(version)


def _chosen_person(request) -> Person:
    """The person picked in the speaker field: by id (the autocomplete's choice) or, when
    the page runs without script, by the name or alias typed if exactly one person has it."""
    chosen = request.POST.get("speaker", "").strip()
    if chosen:
        person = None
        if chosen.isascii() and chosen.isdigit() and len(chosen) < 19:
            person = Person.objects.filter(pk=int(chosen)).first()
        if person is None:
            raise Refused("That person no longer exists: pick the speaker again.")
        return person
    name = request.POST.get("speaker_name", "").strip()
    if not name:
        raise Refused("Type the speaker's name, then pick them from the list.")
    for matches in (
        Person.objects.filter(name__iexact=name),
        Person.objects.filter(aliases__text__iexact=name).distinct(),
    ):
        found = list(matches[:2])
        if len(found) == 1:
            return found[0]
        if found:
            raise Refused(f"More than one person is called “{name}”: pick one from the list.")
    raise Refused(f"Nobody called “{name}” is in the people list: check the spelling.")


def _decide(request, quote: Quote, decision: str) -> str:
    """Apply ``decision`` through the services; return what was done, for the editor."""
    expected = _version(request)
    if decision == "confirm":
        if quote.speaker_id is None and quote.suggested_speaker_id is not None:
            # The desk proposes the suggested speaker: confirming it accepts them.
            services.quote_accept_suggestion(
                quote=quote, user=request.user, expected_version=expected
            )
            return f"Confirmed under {quote.speaker.name}."
        services.quote_set_status(
            quote=quote,
            status=Quote.Status.CONFIRMED,
            user=request.user,
            expected_version=expected,
        )
        return f"Confirmed ({quote.attributed_to})."
    if decision == "reject":
        services.quote_set_status(
            quote=quote, status=Quote.Status.REJECTED, user=request.user, expected_version=expected
        )
        return "Rejected: hidden from readers."
    if decision == "speaker":
        person = _chosen_person(request)
        services.quote_set_speaker(
            quote=quote, speaker=person, user=request.user, expected_version=expected
        )
        return f"Speaker set to {person.name}; confirmed."
    raise Refused("Unknown decision.")


def decide_view(modeladmin, request, pk: int):
    """One decision on one quote (POST). Answers JSON to the desk's script (``Accept:
    application/json``); otherwise redirects back to the desk at the next row."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    _require_change_permission(modeladmin, request)
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    band = _band_param(request.POST.get("band"))
    page = _page_param(request.POST.get("page"))
    quote = Quote.objects.select_related("speaker", "suggested_speaker").filter(pk=pk).first()
    try:
        if quote is None:
            raise Refused("This quote no longer exists (its story was re-imported).", 404)
        # Where it sat in the queue, before a new speaker makes it sure (confidence 1).
        place = (quote.confidence, quote.pk)
        done = _decide(request, quote, request.POST.get("decision", ""))
    except Refused as exc:
        message, status = str(exc), exc.status
    except (services.StaleEdit, services.QuoteNotInText, services.NoSuggestion) as exc:
        message, status = f"Not saved. {exc}", 409
    else:
        if wants_json:
            return JsonResponse(
                {
                    "ok": True,
                    "status": quote.status,
                    "speaker": quote.attributed_to,
                    "version": quote.version,
                    "message": done,
                }
            )
        messages.success(request, f"{quote}: {done}")
        after = (
            desk_quotes(band)
            .filter(Q(confidence__gt=place[0]) | Q(confidence=place[0], pk__gt=place[1]))
            .values_list("pk", flat=True)
            .first()
        )
        # The decided quote left the queue, so the next one moved up: same page number.
        return HttpResponseRedirect(desk_url(band=band, page=page, focus=after))
    if wants_json:
        return JsonResponse({"ok": False, "message": message}, status=status)
    messages.error(request, message)
    return HttpResponseRedirect(desk_url(band=band, page=page, focus=quote.pk if quote else None))
