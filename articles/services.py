"""Editorial writes that cross models. The admin, the API and commands all call these.

Each function is keyword-only, runs in one transaction and records who made the change
(django-simple-history). Optimistic locking: callers that showed the editor a version pass
``expected_version``; if someone saved in between, ``StaleEdit`` is raised and nothing is
written.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from people.models import Alias, Person, PersonRedirect, RejectedName

from .models import Article, Event, Mention, Quote, TagSuggestion


class StaleEdit(Exception):
    """Someone else saved this record since it was loaded; reload and try again."""

    def __init__(self, obj):
        self.obj = obj
        super().__init__(
            f"{obj._meta.verbose_name.capitalize()} “{obj}” was changed by someone else "
            "since you opened it. Reload it to see their changes, then apply yours again."
        )


def _bump_version(obj, *, expected_version: int | None) -> None:
    """Claim the next version of ``obj`` or raise StaleEdit (compare-and-swap in SQL)."""
    model = type(obj)
    current = obj.version if expected_version is None else expected_version
    claimed = model.objects.filter(pk=obj.pk, version=current).update(version=F("version") + 1)
    if not claimed:
        raise StaleEdit(obj)
    obj.version = current + 1


def _record(obj, user, reason: str) -> None:
    obj._history_user = user
    obj._change_reason = reason


@transaction.atomic
def quote_set_status(
    *, quote: Quote, status: str, user=None, expected_version: int | None = None
) -> Quote:
    """Confirm or reject a quote (or send it back to review)."""
    if status not in Quote.Status.values:
        raise ValueError(f"Unknown quote status {status!r}")
    _bump_version(quote, expected_version=expected_version)
    quote.status = status
    quote.reviewed_at = timezone.now() if status != Quote.Status.AUTO else None
    _record(quote, user, f"status set to {status}")
    quote.save(update_fields=["status", "reviewed_at", "version"])
    return quote


@transaction.atomic
def quote_set_speaker(
    *,
    quote: Quote,
    speaker: Person | None,
    speaker_label: str = "",
    user=None,
    expected_version: int | None = None,
) -> Quote:
    """Correct who said a quote. A corrected speaker is an editor's fact: it is confirmed,
    and the importer's suggestion, if any, is settled (cleared)."""
    _bump_version(quote, expected_version=expected_version)
    quote.speaker = speaker
    quote.speaker_label = "" if speaker is not None else speaker_label.strip()
    quote.suggested_speaker = None
    quote.speaker_corrected = True
    quote.status = Quote.Status.CONFIRMED
    quote.reviewed_at = timezone.now()
    quote.attribution_rule = "editor"
    quote.confidence = 1.0
    _record(quote, user, "speaker corrected")
    quote.save()
    return quote


class NoSuggestion(ValueError):
    """The quote has no suggested speaker to accept."""


@transaction.atomic
def quote_accept_suggestion(
    *, quote: Quote, user=None, expected_version: int | None = None
) -> Quote:
    """Accept the speaker the importer suggested for a quote it held back, and confirm it:
    the quote becomes public under that name.

    The extractor's rule and confidence are kept (the editor agreed with its candidate, so
    the speaker is not marked as corrected). Raises ``NoSuggestion`` if there is none.
    """
    if quote.suggested_speaker_id is None:
        raise NoSuggestion(f"Quote {quote} has no suggested speaker to accept.")
    _bump_version(quote, expected_version=expected_version)
    quote.speaker_id = quote.suggested_speaker_id
    quote.speaker_label = ""
    quote.suggested_speaker = None
    quote.status = Quote.Status.CONFIRMED
    quote.reviewed_at = timezone.now()
    _record(quote, user, "suggested speaker accepted")
    quote.save(
        update_fields=[
            "speaker",
            "speaker_label",
            "suggested_speaker",
            "status",
            "reviewed_at",
            "version",
        ]
    )
    return quote


@transaction.atomic
def article_set_status(
    *, article: Article, status: str, user=None, expected_version: int | None = None
) -> Article:
    """Publish or unpublish an article."""
    if status not in Article.Status.values:
        raise ValueError(f"Unknown article status {status!r}")
    _bump_version(article, expected_version=expected_version)
    article.status = status
    _record(article, user, f"status set to {status}")
    article.save(update_fields=["status", "version", "updated_at"])
    return article


@transaction.atomic
def person_merge(*, source: Person, target: Person, user=None) -> Person:
    """Merge ``source`` into ``target``: its quotes, mentions, events and aliases move over,
    its name becomes an alias, and its old URL redirects to ``target``."""
    if source.pk == target.pk:
        raise ValueError("Cannot merge a person into themselves.")
    Quote.objects.filter(speaker=source).update(speaker=target, version=F("version") + 1)
    Quote.objects.filter(suggested_speaker=source).update(
        suggested_speaker=target, version=F("version") + 1
    )
    Mention.objects.filter(person=source).update(person=target)
    for event in Event.objects.filter(people=source).prefetch_related("people"):
        event.people.remove(source)
        event.people.add(target)
    existing = set(target.aliases.values_list("normalized", flat=True)) | {target.name_normalized}
    for alias in source.aliases.all():
        if alias.normalized not in existing:
            Alias.objects.create(person=target, text=alias.text, kind=alias.kind)
            existing.add(alias.normalized)
    if source.name_normalized not in existing:
        Alias.objects.create(person=target, text=source.name, kind=Alias.Kind.FORMER_NAME)
    PersonRedirect.objects.filter(person=source).update(person=target)
    PersonRedirect.objects.update_or_create(old_slug=source.slug, defaults={"person": target})
    _record(source, user, f"merged into {target}")
    source.delete()
    _record(target, user, f"merged {source.name} in")
    target.save()
    return target


@transaction.atomic
def person_reject_as_not_person(*, person: Person, user=None) -> RejectedName:
    """Remove a wrongly extracted “person” and teach the importer never to propose the name.

    Quotes they were credited with lose their speaker and go back to review (held back from
    the public, at confidence 0); suggestions of them are dropped; their mentions and event
    links are removed.
    """
    Quote.objects.filter(speaker=person).update(
        speaker=None,
        status=Quote.Status.AUTO,
        attribution_rule="",
        confidence=0.0,
        version=F("version") + 1,
    )
    Quote.objects.filter(suggested_speaker=person).update(
        suggested_speaker=None, version=F("version") + 1
    )
    rejected, _ = RejectedName.objects.get_or_create(
        normalized=" ".join(person.name.split()).casefold(), defaults={"name": person.name}
    )
    _record(person, user, "rejected as not a person")
    person.delete()
    return rejected


@transaction.atomic
def versioned_save(
    *, obj: Article | Quote, user=None, expected_version: int | None = None, reason: str = ""
) -> Article | Quote:
    """Save an editor's edits of an article or a quote, refusing a stale version.

    The admin's change form calls this for edits that no more specific service covers
    (headline, standfirst, offsets...). Raises ``StaleEdit`` if someone saved in between.
    """
    _bump_version(obj, expected_version=expected_version)
    _record(obj, user, reason or "edited")
    obj.save()
    return obj


def quotes_set_status(*, quotes, status: str, user=None) -> int:
    """Confirm or reject many quotes at once (the review queue's bulk actions).

    Each quote goes through ``quote_set_status``, so each gets its own history record;
    quotes already in ``status`` are left alone. Returns how many changed.
    """
    changed = 0
    with transaction.atomic():
        for quote in quotes:
            if quote.status == status:
                continue
            quote_set_status(quote=quote, status=status, user=user)
            changed += 1
    return changed


@transaction.atomic
def tag_suggestion_accept(*, suggestion: TagSuggestion, user=None) -> TagSuggestion:
    """Accept a tag the importer suggested: the article gets the tag."""
    article = suggestion.article
    article._history_user = user
    article.tags.add(suggestion.tag)
    suggestion.status = TagSuggestion.Status.ACCEPTED
    suggestion.save(update_fields=["status"])
    return suggestion


@transaction.atomic
def tag_suggestion_dismiss(*, suggestion: TagSuggestion, user=None) -> TagSuggestion:
    """Dismiss a tag the importer suggested. If the tag was accepted before, it is removed
    from the article again; re-imports never suggest it anew (the row stays, dismissed)."""
    if suggestion.status == TagSuggestion.Status.ACCEPTED:
        article = suggestion.article
        article._history_user = user
        article.tags.remove(suggestion.tag)
    suggestion.status = TagSuggestion.Status.DISMISSED
    suggestion.save(update_fields=["status"])
    return suggestion
