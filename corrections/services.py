"""Writes of corrections (keyword-only, one transaction each, like ``articles.services``).

A withdrawal changes the quote through ``articles.services.quote_set_status``, so the
quote's version (optimistic locking), history and search index stay right, and stores the
public note in the same transaction: either both happen or neither.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from articles import services as article_services
from articles.anchoring import normalize_newlines
from articles.models import Article, Quote
from people.models import Person
from search import index as search_index

from .models import Correction

_UNCHANGED = object()


class BlankNote(ValueError):
    """A correction needs a public note: readers must be told what changed."""

    def __init__(self):
        super().__init__("Write the public note: readers are told what was wrong and why.")


class CannotWithdraw(ValueError):
    """The quote cannot be withdrawn with a public note (the reason is the message)."""


class AlreadyWithdrawn(CannotWithdraw):
    """The quote was withdrawn before; its public note stands (add a correction instead)."""

    def __init__(self, quote):
        self.quote = quote
        super().__init__(f"Quote {quote.pk} was already withdrawn, with a public note.")


class NeverPublic(CannotWithdraw):
    """Readers never saw the quote: a public note would publish words that were never
    public (a held-back or rejected quote, or one of a draft). Reject it instead."""

    def __init__(self, quote):
        self.quote = quote
        super().__init__(
            f"Quote {quote.pk} is not public, so there is nothing to withdraw: reject it "
            "instead (a withdrawal note would publish words readers never saw)."
        )


def _clean_note(note: str) -> str:
    note = normalize_newlines((note or "").strip())
    if not note:
        raise BlankNote()
    return note


def _store(*, article_id, kind, note, user, quote=None, published_on=None) -> Correction:
    correction = Correction(
        article_id=article_id,
        kind=kind,
        note=note,
        quote=quote,
        quote_text=quote.text if quote is not None else "",
        created_by=user if user is not None and user.is_authenticated else None,
    )
    if published_on is not None:
        correction.published_on = published_on
    correction._history_user = correction.created_by
    correction.save()
    return correction


@transaction.atomic
def article_add_correction(
    *, article: Article, note: str, user=None, published_on: date | None = None
) -> Correction:
    """Publish a correction of ``article`` (shown at once on its page, JSON-LD and API
    once the article is published). Raises ``BlankNote`` for an empty note."""
    return _store(
        article_id=article.pk,
        kind=Correction.Kind.CORRECTION,
        note=_clean_note(note),
        user=user,
        published_on=published_on,
    )


@search_index.atomic()
def quote_withdraw(
    *, quote: Quote, note: str, user=None, expected_version: int | None = None
) -> Correction:
    """Take ``quote`` out of public view (rejected) and publish why: a withdrawal, shown
    under its article and on the quote's permalink (410 Gone).

    Raises ``BlankNote``, ``AlreadyWithdrawn``, ``NeverPublic``, or ``StaleEdit`` if the
    quote was saved since ``expected_version``; nothing is written then."""
    note = _clean_note(note)
    if Correction.objects.filter(quote_id=quote.pk, kind=Correction.Kind.WITHDRAWAL).exists():
        raise AlreadyWithdrawn(quote)
    if not Quote.objects.public().filter(pk=quote.pk).exists():
        raise NeverPublic(quote)
    article_services.quote_set_status(
        quote=quote, status=Quote.Status.REJECTED, user=user, expected_version=expected_version
    )
    return _store(
        article_id=quote.article_id,
        kind=Correction.Kind.WITHDRAWAL,
        note=note,
        user=user,
        quote=quote,
    )


@search_index.atomic()
def quote_correct(
    *,
    quote: Quote,
    note: str,
    speaker: Person | object | None = _UNCHANGED,
    speaker_label: str = "",
    user=None,
    expected_version: int | None = None,
) -> Correction:
    """Publish a correction about ``quote`` (its words or speaker were wrong).

    With ``speaker`` (a person, or None with ``speaker_label``), the speaker is corrected
    too, through ``quote_set_speaker`` (confirmed, versioned); without it, the editor has
    already fixed the quote and only the note is added."""
    note = _clean_note(note)
    if speaker is not _UNCHANGED:
        article_services.quote_set_speaker(
            quote=quote,
            speaker=speaker,
            speaker_label=speaker_label,
            user=user,
            expected_version=expected_version,
        )
    return _store(
        article_id=quote.article_id,
        kind=Correction.Kind.CORRECTION,
        note=note,
        user=user,
        quote=quote,
    )
