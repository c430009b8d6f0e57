"""``updated_at`` for partners who sync (issue 15, point 4).

Every API resource (articles, people, quotes, events, tags) has an ``updated_at`` and the
lists an ``updated_after`` filter. A partner who polls ``?updated_after=<last seen>`` must
get every record whose API representation changed, so ``updated_at`` moves not only when
the row itself is saved (``auto_now``) but also when

* what it shows of another record changes: a quote or an event shows its article's
  headline, slug and date; an article, quote or event shows people's and tags' names and
  slugs;
* its visibility changes: publishing an article makes its quotes and events public, and
  may make its people and tags public (a person or tag is public while they appear in a
  published article, see ``web.queries.public_people`` and ``TagQuerySet.public``);
* the importer writes in bulk (``bulk_update`` and ``QuerySet.update`` skip ``auto_now``):
  it calls these functions or sets ``updated_at`` itself.

Each function is a few ``UPDATE … WHERE id IN (subquery)`` statements: no rows are read
into Python. A record leaving the public view cannot show up in an anonymous partner's
list: the README tells partners to re-check what they hold (a 404 or 410 says it left).

Rows are touched with ``QuerySet.update``, which sends no signals: the caller's own write
already bumps the content version (``articles.content_version``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone


def touch_article_dependents(article_ids: Iterable[int], *, visibility: bool, now=None) -> None:
    """The quotes and events of ``article_ids`` (which show the article); with
    ``visibility`` (the articles were published, unpublished or newly linked) also the
    people and tags they may have made public."""
    from people.models import Person

    from .models import Event, Quote, Tag

    ids = list(article_ids)
    if not ids:
        return
    now = now or timezone.now()
    Quote.objects.filter(article_id__in=ids).update(updated_at=now)
    Event.objects.filter(article_id__in=ids).update(updated_at=now)
    if visibility:
        Tag.objects.filter(articles__in=ids).update(updated_at=now)
        people = (
            Q(mentions__article_id__in=ids)
            | Q(quotes__article_id__in=ids)
            | Q(events__article_id__in=ids)
        )
        # A subquery of ids: an UPDATE cannot join.
        Person.objects.filter(pk__in=Person.objects.filter(people).values("pk")).update(
            updated_at=now
        )


def touch_person_dependents(person_ids: Iterable[int], *, now=None) -> None:
    """Records that show people ``person_ids`` (name and slug): their quotes, events and
    the articles naming them."""
    from .models import Article, Event, Quote

    ids = list(person_ids)
    if not ids:
        return
    now = now or timezone.now()
    Quote.objects.filter(speaker_id__in=ids).update(updated_at=now)
    Event.objects.filter(
        pk__in=Event.people.through.objects.filter(person_id__in=ids).values("event_id")
    ).update(updated_at=now)
    Article.objects.filter(pk__in=_mentioned_in(ids)).update(updated_at=now)


def touch_tag_dependents(tag_ids: Iterable[int], *, now=None) -> None:
    """Articles that show tags ``tag_ids``."""
    from .models import Article

    ids = list(tag_ids)
    if ids:
        through = Article.tags.through
        Article.objects.filter(
            pk__in=through.objects.filter(tag_id__in=ids).values("article_id")
        ).update(updated_at=now or timezone.now())


def touch_people(person_ids: Iterable[int], *, now=None) -> None:
    """People who may have become public (newly linked to a published article)."""
    from people.models import Person

    ids = [pk for pk in person_ids if pk is not None]
    if ids:
        Person.objects.filter(pk__in=ids).update(updated_at=now or timezone.now())


def _mentioned_in(person_ids):
    from .models import Mention

    return Mention.objects.filter(person_id__in=person_ids).values("article_id")


# --- Writes that reach these functions through model signals --------------------------------


def _person_saved(sender, instance, created, raw=False, **kwargs):
    """A renamed person (or new slug): every record showing them. The people app knows
    nothing of articles, hence a signal; ``Person`` tracks what it showed (``_shown``)."""
    if created or raw:
        return
    if getattr(instance, "_shown", None) != (instance.name, instance.slug):
        touch_person_dependents([instance.pk])


def _quote_saved(sender, instance, created, raw=False, **kwargs):
    """A quote confirmed or re-attributed may make its speaker public."""
    state = instance.visibility_state()
    if not raw and state != getattr(instance, "_visibility", None):
        touch_people([instance.speaker_id])
    instance._visibility = state


def _article_tags_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Tags added to or removed from articles: both sides show the change (an article its
    tags; a tag may become public or stop being)."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    from .models import Article, Tag

    if action == "pre_clear":  # the other side's ids are gone after the clear
        related = instance.articles if reverse else instance.tags
        pk_set = set(related.values_list("pk", flat=True))
    if not pk_set:
        return
    article_ids, tag_ids = ([*pk_set], [instance.pk]) if reverse else ([instance.pk], [*pk_set])
    now = timezone.now()
    Article.objects.filter(pk__in=article_ids).update(updated_at=now)
    Tag.objects.filter(pk__in=tag_ids).update(updated_at=now)


def _event_people_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """People added to or removed from events: the event shows them; a person may become
    public."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    from people.models import Person

    from .models import Event

    if action == "pre_clear":
        related = instance.events if reverse else instance.people
        pk_set = set(related.values_list("pk", flat=True))
    if not pk_set:
        return
    event_ids, person_ids = ([*pk_set], [instance.pk]) if reverse else ([instance.pk], [*pk_set])
    now = timezone.now()
    Event.objects.filter(pk__in=event_ids).update(updated_at=now)
    Person.objects.filter(pk__in=person_ids).update(updated_at=now)


def _alias_changed(sender, instance, raw=False, **kwargs):
    """The API shows a person's aliases."""
    if not raw:
        touch_people([instance.person_id])


def _correction_saved(sender, instance, raw=False, **kwargs):
    """An article's detail shows its public corrections."""
    from .models import Article

    if not raw and instance.article_id:
        Article.objects.filter(pk=instance.article_id).update(updated_at=timezone.now())


def connect_signals() -> None:
    from corrections.models import Correction
    from people.models import Alias, Person

    from .models import Article, Event, Quote

    uid = "articles.sync"
    post_save.connect(_alias_changed, sender=Alias, dispatch_uid=f"{uid}.alias.save")
    post_delete.connect(_alias_changed, sender=Alias, dispatch_uid=f"{uid}.alias.delete")
    post_save.connect(_person_saved, sender=Person, dispatch_uid=f"{uid}.person")
    post_save.connect(_quote_saved, sender=Quote, dispatch_uid=f"{uid}.quote")
    post_save.connect(_correction_saved, sender=Correction, dispatch_uid=f"{uid}.correction")
    m2m_changed.connect(
        _article_tags_changed, sender=Article.tags.through, dispatch_uid=f"{uid}.tags"
    )
    m2m_changed.connect(
        _event_people_changed, sender=Event.people.through, dispatch_uid=f"{uid}.people"
    )
