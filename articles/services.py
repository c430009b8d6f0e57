"""Editorial writes that cross models. The admin, the API and commands all call these.

Each function is keyword-only, runs in one transaction (``search.index.atomic``: the
search index is written in it too) and records who made the change
(django-simple-history). Optimistic locking: callers that showed the editor a version pass
``expected_version``; if someone saved in between, ``StaleEdit`` is raised and nothing is
written.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from people.models import Alias, Person, PersonRedirect, RejectedName
from search import index as search_index

from . import canonical, sync
from .anchoring import holds, normalize_newlines, reanchor, reanchor_by_ends
from .content_version import additive_changes, bump_content_version
from .models import Article, Event, Mention, Quote, TagSuggestion


class StaleEdit(Exception):
    """Someone else saved this record since it was loaded; reload and try again."""

    def __init__(self, obj):
        self.obj = obj
        super().__init__(
            f"{obj._meta.verbose_name.capitalize()} “{obj}” was changed by someone else "
            "since you opened it. Reload it to see their changes, then apply yours again."
        )


class QuoteNotInText(Exception):
    """The quote's words are no longer at its place in the article body (an editor changed
    the body and they could not be found again): it cannot be made public as it stands."""

    def __init__(self, quote):
        self.quote = quote
        super().__init__(
            f"Quote {quote.pk} cannot be confirmed: its words are no longer at its place in "
            "the article body (the body was edited). Restore them in the article, or reject "
            "the quote."
        )


def _require_in_text(quote: Quote) -> None:
    """Refuse to make public a quote whose span does not hold its words: a public quote's
    offsets always point at its text."""
    body = Article.objects.filter(pk=quote.article_id).values_list("body", flat=True).get()
    if not quote.holds_its_words(body):
        raise QuoteNotInText(quote)


def _bump_version(obj, *, expected_version: int | None) -> None:
    """Claim the next version of ``obj`` or raise StaleEdit (compare-and-swap in SQL)."""
    model = type(obj)
    current = obj.version if expected_version is None else expected_version
    claimed = model.objects.filter(pk=obj.pk, version=current).update(version=F("version") + 1)
    if not claimed:
        raise StaleEdit(obj)
    obj.version = current + 1


def _claim_for_publication(quote: Quote, *, expected_version: int | None) -> None:
    """Claim the next version of a quote about to become public. A stale version is
    refused first (StaleEdit); then a quote whose words left its place (QuoteNotInText),
    whose claim the caller's transaction rolls back: the object keeps its version too."""
    _bump_version(quote, expected_version=expected_version)
    try:
        _require_in_text(quote)
    except QuoteNotInText:
        quote.version -= 1
        raise


def _record(obj, user, reason: str) -> None:
    obj._history_user = user
    obj._change_reason = reason


@search_index.atomic()
def quote_set_status(
    *, quote: Quote, status: str, user=None, expected_version: int | None = None
) -> Quote:
    """Confirm or reject a quote (or send it back to review)."""
    if status not in Quote.Status.values:
        raise ValueError(f"Unknown quote status {status!r}")
    if status == Quote.Status.CONFIRMED:
        _claim_for_publication(quote, expected_version=expected_version)
    else:
        _bump_version(quote, expected_version=expected_version)
    quote.status = status
    quote.reviewed_at = timezone.now() if status != Quote.Status.AUTO else None
    _record(quote, user, f"status set to {status}")
    # Confirming only adds (a confirmed quote is public whatever its confidence); rejecting
    # or sending back to review may withdraw it, which readers must see at once.
    with additive_changes() if status == Quote.Status.CONFIRMED else nullcontext():
        quote.save(update_fields=["status", "reviewed_at", "version"])
    # A rejected occurrence no longer counts in its group's speaker agreement (issue 15).
    canonical.refresh_speakers(group_ids=[quote.canonical_id])
    return quote


@search_index.atomic()
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
    _claim_for_publication(quote, expected_version=expected_version)
    quote.speaker = speaker
    quote.speaker_label = "" if speaker is not None else normalize_newlines(speaker_label.strip())
    quote.suggested_speaker = None
    quote.speaker_corrected = True
    quote.status = Quote.Status.CONFIRMED
    quote.reviewed_at = timezone.now()
    quote.attribution_rule = "editor"
    quote.confidence = 1.0
    _record(quote, user, "speaker corrected")
    quote.save()
    canonical.refresh_speakers(group_ids=[quote.canonical_id])  # agreement (issue 15)
    return quote


class NoSuggestion(ValueError):
    """The quote has no suggested speaker to accept."""


@search_index.atomic()
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
    _claim_for_publication(quote, expected_version=expected_version)
    quote.speaker_id = quote.suggested_speaker_id
    quote.speaker_label = ""
    quote.suggested_speaker = None
    quote.status = Quote.Status.CONFIRMED
    quote.reviewed_at = timezone.now()
    _record(quote, user, "suggested speaker accepted")
    with additive_changes():  # a held-back quote becomes public: nothing is withdrawn
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
    canonical.refresh_speakers(group_ids=[quote.canonical_id])  # agreement (issue 15)
    return quote


class NotSchedulable(ValueError):
    """An article cannot be scheduled without a publication time in the future."""


@search_index.atomic()
def article_set_status(
    *,
    article: Article,
    status: str,
    user=None,
    expected_version: int | None = None,
    reason: str = "",
) -> Article:
    """Publish or unpublish an article (to draft), or schedule it for its publication date
    (which must then be in the future: see ``article_schedule``).

    A scheduled article published before its time is dated now: readers never see a story
    dated in the future (issue 14)."""
    if status not in Article.Status.values:
        raise ValueError(f"Unknown article status {status!r}")
    if status == Article.Status.SCHEDULED:
        return article_schedule(
            article=article,
            publish_at=article.published_at,
            user=user,
            expected_version=expected_version,
        )
    _bump_version(article, expected_version=expected_version)
    fields = ["status", "version", "updated_at"]
    now = timezone.now()
    if (
        status == Article.Status.PUBLISHED
        and article.status == Article.Status.SCHEDULED
        and article.published_at is not None
        and article.published_at > now
    ):
        article.published_at = now
        fields.append("published_at")
    article.status = status
    _record(article, user, reason or f"status set to {status}")
    # Publishing only adds; unpublishing withdraws, which readers must see at once.
    with additive_changes() if status == Article.Status.PUBLISHED else nullcontext():
        article.save(update_fields=fields)
        if status == Article.Status.PUBLISHED:
            tag_suggestions_auto_apply(article_ids=[article.pk])
    return article


@search_index.atomic()
def article_schedule(
    *,
    article: Article,
    publish_at,
    user=None,
    expected_version: int | None = None,
) -> Article:
    """Schedule ``article`` to be published by itself at ``publish_at`` (an aware datetime
    in the future), which becomes its publication date (``articles.scheduling``). Works on
    a draft, a published article (withdrawn until then) or a scheduled one (moved).
    Other edits made to the instance are saved with it. Raises ``NotSchedulable`` for a
    missing or past time, ``StaleEdit`` for a stale version."""
    if publish_at is None or publish_at <= timezone.now():
        raise NotSchedulable("A scheduled article needs a publication time in the future.")
    _bump_version(article, expected_version=expected_version)
    article.status = Article.Status.SCHEDULED
    article.published_at = publish_at
    _record(article, user, f"scheduled for {publish_at.isoformat()}")
    article.save()  # a retraction if it was public: it is withdrawn until then
    return article


@dataclass
class BodyEdit:
    """What an edit of an article's body did to the quotes, mentions and events in it."""

    article: Article
    quotes_moved: int = 0
    # Their words are not in the new body: back to review, held back from the public.
    quotes_sent_back: list[Quote] = field(default_factory=list)
    # Rejected quotes whose words are gone stay rejected (an editor's decision).
    quotes_rejected_gone: int = 0
    mentions_moved: int = 0
    mentions_removed: int = 0
    events_moved: int = 0
    events_removed: list[Event] = field(default_factory=list)


@search_index.atomic()
def article_update_body(
    *,
    article: Article,
    body: str,
    user=None,
    expected_version: int | None = None,
    reason: str = "body edited",
) -> BodyEdit:
    """Save an editor's new body for ``article`` (with any other edits made to the
    instance) and move every quote, mention and event to where its words now are.

    Line endings are stored as "\\n". Each span is found by its words (a quote by its
    text, a mention or event by what it covered in the old body), near its old place
    first (``articles.anchoring.reanchor``). What cannot be found:

    * a quote goes back to review (unreviewed, confidence 0), so it is held back from the
      public until an editor confirms it; a rejected quote stays rejected;
    * a mention is deleted (the name is no longer there);
    * an event stays on its sentence if the sentence was only reworded inside (its
      opening and closing words are still there); otherwise it is deleted, with its
      history (restorable from the event's history page): the article no longer says
      it, and events have no review state to flag.

    Raises ``StaleEdit`` if someone saved the article since ``expected_version``.
    """
    stored = Article.objects.filter(pk=article.pk).values_list("body", flat=True).get()
    # Offsets point into the body's "\n" form: before line endings were normalised, an
    # admin save could store "\r\n" without moving any offset (issue 11).
    old_body, new_body = normalize_newlines(stored), normalize_newlines(body)
    _bump_version(article, expected_version=expected_version)
    article.body = new_body
    _record(article, user, reason)
    article.save()
    edit = BodyEdit(article=article)
    _reanchor_quotes(edit, old_body, new_body, user)
    _reanchor_mentions(edit, old_body, new_body)
    _reanchor_events(edit, old_body, new_body, user)
    bump_content_version()  # the bulk updates above send no signals
    return edit


def _reanchor_quotes(edit: BodyEdit, old_body: str, new_body: str, user) -> None:
    quotes = list(Quote.objects.select_for_update().filter(article=edit.article).order_by("pk"))
    spans = [
        # Its words as the old body shows them, or its stored text if they were already lost.
        (
            q.start,
            q.end,
            old_body[q.start : q.end] if holds(old_body, q.start, q.end, q.text) else q.text,
        )
        for q in quotes
    ]
    moved, sent_back = [], []
    for quote, place in zip(quotes, reanchor(old_body, new_body, spans), strict=True):
        if place is None:
            if quote.status == Quote.Status.REJECTED:
                edit.quotes_rejected_gone += 1
                continue
            quote.status = Quote.Status.AUTO
            quote.confidence = 0.0  # held back: below any publish threshold
            quote.reviewed_at = None
            quote.version += 1
            sent_back.append(quote)
        elif place != (quote.start, quote.end):
            quote.start, quote.end = place
            quote.version += 1
            moved.append(quote)
    now = timezone.now()  # bulk_update skips auto_now: partners sync by it (issue 15)
    for quote in [*moved, *sent_back]:
        quote.updated_at = now
    if moved:
        bulk_update_with_history(
            moved,
            Quote,
            ["start", "end", "version", "updated_at"],
            default_user=user,
            default_change_reason="moved with its words after a body edit",
        )
    if sent_back:
        bulk_update_with_history(
            sent_back,
            Quote,
            ["status", "confidence", "reviewed_at", "version", "updated_at"],
            default_user=user,
            default_change_reason="words not found after a body edit: sent back to review",
        )
    edit.quotes_moved, edit.quotes_sent_back = len(moved), sent_back


def _reanchor_mentions(edit: BodyEdit, old_body: str, new_body: str) -> None:
    mentions = list(Mention.objects.select_for_update().filter(article=edit.article))
    spans = [(m.start, m.end, old_body[m.start : m.end]) for m in mentions]
    places = reanchor(old_body, new_body, spans)
    # One mention per start (a database constraint): mentions that stayed put first.
    order = sorted(
        range(len(mentions)),
        key=lambda i: (places[i] != (mentions[i].start, mentions[i].end), mentions[i].pk),
    )
    starts, gone, moved = set(), [], []
    for i in order:
        mention, place = mentions[i], places[i]
        if place is None or place[0] in starts:
            gone.append(mention.pk)
            continue
        starts.add(place[0])
        if place != (mention.start, mention.end):
            moved.append((mention, place))
    if gone:
        Mention.objects.filter(pk__in=gone).delete()
    if moved:
        # Two steps, so that no row ever takes a start another row still holds.
        parked = 1 + max([len(new_body)] + [m.end for m in mentions])
        for mention, (start, end) in moved:
            mention.start, mention.end = parked + start, parked + end
        Mention.objects.bulk_update([m for m, _ in moved], ["start", "end"])
        for mention, (start, end) in moved:
            mention.start, mention.end = start, end
        Mention.objects.bulk_update([m for m, _ in moved], ["start", "end"])
    edit.mentions_moved, edit.mentions_removed = len(moved), len(gone)


def _reanchor_events(edit: BodyEdit, old_body: str, new_body: str, user) -> None:
    events = list(Event.objects.select_for_update().filter(article=edit.article).order_by("pk"))
    spans = [(e.start, e.end, old_body[e.start : e.end]) for e in events]
    places = reanchor(old_body, new_body, spans)
    # A sentence reworded inside ("8,000" made "8,200") still reports its event.
    lost = [i for i, place in enumerate(places) if place is None]
    reworded = reanchor_by_ends(old_body, new_body, [spans[i] for i in lost])
    for i, place in zip(lost, reworded, strict=True):
        places[i] = place
    moved = []
    for event, place in zip(events, places, strict=True):
        if place is None:
            _record(event, user, "its sentence was not found after a body edit")
            event.delete()
            edit.events_removed.append(event)
        elif place != (event.start, event.end):
            event.start, event.end = place
            moved.append(event)
    if moved:
        now = timezone.now()  # bulk_update skips auto_now: partners sync by it (issue 15)
        for event in moved:
            event.updated_at = now
        bulk_update_with_history(
            moved,
            Event,
            ["start", "end", "updated_at"],
            default_user=user,
            default_change_reason="moved with its sentence after a body edit",
        )
    edit.events_moved = len(moved)


class MergeConflict(Exception):
    """A merge that can no longer happen as asked: one of the two people was merged away
    (or removed) since the editor chose them, e.g. the same merge sent twice, or the
    crossed merge (B into A while A goes into B). Nothing is written."""


def _lock_for_merge(source: Person, target: Person) -> tuple[Person, Person]:
    """Both people as they are now, their rows locked, or MergeConflict.

    Rows are locked in primary-key order, so two merges of the same pair (in either
    direction) queue up instead of deadlocking; the second then finds a person gone. On
    SQLite the IMMEDIATE transaction already serialises writers: the read is what matters.
    """
    locked = Person.objects.select_for_update().filter(pk__in=[source.pk, target.pk])
    current = {person.pk: person for person in locked.order_by("pk")}
    for person, role in ((source, "merged"), (target, "kept")):
        if person.pk not in current:
            moved = PersonRedirect.objects.filter(old_slug=person.slug).select_related("person")
            where = f" into {moved[0].person}" if moved else ""
            raise MergeConflict(
                f"“{person}” cannot be {role}: they were merged{where} or removed since you "
                "chose them. Reload the people and merge again if still needed."
            )
    return current[source.pk], current[target.pk]


@search_index.atomic()
def person_merge(*, source: Person, target: Person, user=None) -> Person:
    """Merge ``source`` into ``target``: its quotes, mentions, events, bylines and aliases
    move over, its name becomes an alias, and its old URL redirects to ``target``.

    Safe against concurrent merges (issue 12, defect 7): a repeated or crossed merge raises
    ``MergeConflict`` and writes nothing; a person is never re-created nor redirected to
    themselves. Returns ``target`` as saved (a fresh instance).
    """
    if source.pk == target.pk:
        raise ValueError("Cannot merge a person into themselves.")
    source, target = _lock_for_merge(source, target)
    now = timezone.now()  # QuerySet.update skips auto_now: partners sync by it (issue 15)
    groups = set(Quote.objects.filter(speaker=source).values_list("canonical_id", flat=True))
    Quote.objects.filter(speaker=source).update(
        speaker=target, version=F("version") + 1, updated_at=now
    )
    # Two records of one person disagreed in these groups; now they may agree (issue 15).
    canonical.refresh_speakers(group_ids=groups)
    Quote.objects.filter(suggested_speaker=source).update(
        suggested_speaker=target, version=F("version") + 1, updated_at=now
    )
    sync.touch_person_dependents([source.pk], now=now)  # the articles naming them
    Mention.objects.filter(person=source).update(person=target)
    for event in Event.objects.filter(people=source).prefetch_related("people"):
        event.people.remove(source)
        event.people.add(target)
    # Bylines too (issue 14): the articles they wrote keep their author.
    for article in Article.objects.filter(authors=source):
        article.authors.remove(source)
        article.authors.add(target)
    existing = set(target.aliases.values_list("normalized", flat=True)) | {target.name_normalized}
    for alias in source.aliases.all():
        if alias.normalized not in existing:
            Alias.objects.create(person=target, text=alias.text, kind=alias.kind)
            existing.add(alias.normalized)
    if source.name_normalized not in existing:
        Alias.objects.create(person=target, text=source.name, kind=Alias.Kind.FORMER_NAME)
    PersonRedirect.objects.filter(person=source).update(person=target)
    # The kept person's own slug never redirects (it may once have been merged away).
    PersonRedirect.objects.filter(old_slug=target.slug).delete()
    PersonRedirect.objects.update_or_create(old_slug=source.slug, defaults={"person": target})
    _record(source, user, f"merged into {target}")
    source.delete()
    _record(target, user, f"merged {source.name} in")
    target.save()
    return target


@search_index.atomic()
def person_reject_as_not_person(*, person: Person, user=None) -> RejectedName:
    """Remove a wrongly extracted “person” and teach the importer never to propose the name.

    Quotes they were credited with lose their speaker and go back to review (held back from
    the public, at confidence 0); suggestions of them are dropped; their mentions and event
    links are removed.
    """
    now = timezone.now()  # QuerySet.update skips auto_now: partners sync by it (issue 15)
    sync.touch_person_dependents([person.pk], now=now)  # articles and events naming them
    Quote.objects.filter(speaker=person).update(
        speaker=None,
        status=Quote.Status.AUTO,
        attribution_rule="",
        confidence=0.0,
        version=F("version") + 1,
        updated_at=now,
    )
    Quote.objects.filter(suggested_speaker=person).update(
        suggested_speaker=None, version=F("version") + 1, updated_at=now
    )
    rejected, _ = RejectedName.objects.get_or_create(
        normalized=" ".join(person.name.split()).casefold(), defaults={"name": person.name}
    )
    _record(person, user, "rejected as not a person")
    person.delete()
    return rejected


@search_index.atomic()
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


def quotes_set_status(*, quotes, status: str, user=None, refused: list | None = None) -> int:
    """Confirm or reject many quotes at once (the review queue's bulk actions).

    Each quote goes through ``quote_set_status``, so each gets its own history record;
    quotes already in ``status`` are left alone. Quotes that cannot be confirmed because
    their words left the article body are skipped and, if given, appended to ``refused``.
    Returns how many changed.
    """
    changed = 0
    with search_index.atomic():
        for quote in quotes:
            if quote.status == status:
                continue
            try:
                with transaction.atomic():
                    quote_set_status(quote=quote, status=status, user=user)
            except QuoteNotInText:
                if refused is not None:
                    refused.append(quote)
                continue
            changed += 1
    return changed


@search_index.atomic()
def tag_suggestion_accept(*, suggestion: TagSuggestion, user=None) -> TagSuggestion:
    """Accept a tag the importer suggested: the article gets the tag."""
    article = suggestion.article
    article._history_user = user
    article.tags.add(suggestion.tag)
    suggestion.status = TagSuggestion.Status.ACCEPTED
    suggestion.save(update_fields=["status"])
    return suggestion


@search_index.atomic()
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


@search_index.atomic()
def tag_suggestions_auto_apply(*, tag_ids=None, article_ids=None) -> int:
    """Apply the suggested tags that recur (issue 15: 11 of 12 tags were empty because only
    editors' acceptances tag articles): a tag suggested, and not dismissed, for at least
    ``NEWSROOM_TAG_AUTO_APPLY_MIN_STORIES`` published stories is added to each published
    story it is pending for, its suggestion accepted and marked ``auto_applied``. Drafts
    wait for publication (``article_set_status`` calls this again). Editors dismiss an
    applied tag as any accepted one. Limited to ``tag_ids`` / ``article_ids`` when given.
    Returns how many suggestions were applied; 0 when the setting is 0 (off)."""
    minimum = settings.NEWSROOM_TAG_AUTO_APPLY_MIN_STORIES
    if minimum <= 0:
        return 0
    published = TagSuggestion.objects.filter(article__status=Article.Status.PUBLISHED)
    pending = published.filter(status=TagSuggestion.Status.PENDING)
    if tag_ids is not None:
        pending = pending.filter(tag_id__in=list(tag_ids))
    if article_ids is not None:
        pending = pending.filter(article_id__in=list(article_ids))
    candidates = set(pending.values_list("tag_id", flat=True))
    if not candidates:
        return 0
    recurring = (
        published.exclude(status=TagSuggestion.Status.DISMISSED)
        .filter(tag_id__in=candidates)
        .values("tag_id")
        .annotate(stories=Count("article_id", distinct=True))
        .filter(stories__gte=minimum)
        .values_list("tag_id", flat=True)
    )
    rows = list(pending.filter(tag_id__in=list(recurring)).select_related("article"))
    by_article: dict[int, tuple[Article, list[int]]] = {}
    for suggestion in rows:
        by_article.setdefault(suggestion.article_id, (suggestion.article, []))[1].append(
            suggestion.tag_id
        )
    for article, tags in by_article.values():
        # Through the relation, so the history, search index, content version and
        # ``updated_at`` follow as for an editor's acceptance.
        article._change_reason = "tag applied automatically: it recurs across stories"
        article.tags.add(*tags)
    TagSuggestion.objects.filter(pk__in=[s.pk for s in rows]).update(
        status=TagSuggestion.Status.ACCEPTED, auto_applied=True
    )
    return len(rows)
