"""Index refresh on every save and delete: a decoupled chore, so signals (STYLE.md).

Receivers only queue ids (``search.index.mark``); the index is written once per
transaction, at commit, or before a search on the same connection. Bulk writes send no
signals: the importer and services call ``search.index`` themselves where needed.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from articles.models import Article, Event, Mention, Quote, Tag
from people.models import Alias, Person

from .index import _people_of_articles, mark
from .models import SearchEntry


@receiver(post_save, sender=Article, dispatch_uid="search_article_saved")
def article_saved(sender, instance, raw=False, using=None, **kwargs):
    # Its status decides whether its quotes and the people it names are public.
    mark(articles_deep=[instance.pk], using=using)


@receiver(pre_delete, sender=Article, dispatch_uid="search_article_deleting")
def article_deleting(sender, instance, using=None, **kwargs):
    # Afterwards nothing links the article to its people any more.
    mark(articles=[instance.pk], people=_people_of_articles([instance.pk]), using=using)


@receiver(m2m_changed, sender=Article.tags.through, dispatch_uid="search_article_tags")
def article_tags_changed(sender, instance, action, reverse, pk_set, using=None, **kwargs):
    if action not in {"post_add", "post_remove", "pre_clear"}:
        return
    if not reverse:
        mark(articles=[instance.pk], using=using)
    elif action == "pre_clear":
        mark(articles=instance.articles.values_list("pk", flat=True), using=using)
    else:
        mark(articles=pk_set or (), using=using)


@receiver(post_save, sender=Tag, dispatch_uid="search_tag_saved")
@receiver(pre_delete, sender=Tag, dispatch_uid="search_tag_deleting")
def tag_changed(sender, instance, using=None, **kwargs):
    if instance.pk is not None:
        mark(articles=instance.articles.values_list("pk", flat=True), using=using)


@receiver(pre_save, sender=Quote, dispatch_uid="search_quote_saving")
def quote_saving(sender, instance, raw=False, using=None, **kwargs):
    # A speaker who loses a quote may no longer be public.
    if instance.pk is not None and not raw:
        previous = (
            Quote.objects.using(using).filter(pk=instance.pk).values_list("speaker_id", flat=True)
        )
        mark(people=previous, using=using)


@receiver(post_save, sender=Quote, dispatch_uid="search_quote_saved")
@receiver(post_delete, sender=Quote, dispatch_uid="search_quote_deleted")
def quote_changed(sender, instance, using=None, **kwargs):
    mark(quotes=[instance.pk], people=[instance.speaker_id], using=using)


@receiver(post_save, sender=Person, dispatch_uid="search_person_saved")
def person_saved(sender, instance, using=None, **kwargs):
    # Quote entries carry the speaker's name (a rename, a merge into this person).
    mark(people_deep=[instance.pk], using=using)


@receiver(post_delete, sender=Person, dispatch_uid="search_person_deleted")
def person_deleted(sender, instance, using=None, **kwargs):
    # `person_reject_as_not_person` unlinks their quotes with QuerySet.update (no
    # signal) before deleting: refresh the quote entries still carrying the name.
    quotes = SearchEntry.objects.using(using).filter(
        kind=SearchEntry.Kind.QUOTE, title=instance.name
    )
    mark(people=[instance.pk], quotes=quotes.values_list("object_id", flat=True), using=using)


@receiver(post_save, sender=Alias, dispatch_uid="search_alias_saved")
@receiver(post_delete, sender=Alias, dispatch_uid="search_alias_deleted")
@receiver(post_save, sender=Mention, dispatch_uid="search_mention_saved")
@receiver(post_delete, sender=Mention, dispatch_uid="search_mention_deleted")
def person_link_changed(sender, instance, using=None, **kwargs):
    mark(people=[instance.person_id], using=using)


@receiver(post_save, sender=Event, dispatch_uid="search_event_saved")
@receiver(pre_delete, sender=Event, dispatch_uid="search_event_deleting")
def event_changed(sender, instance, using=None, **kwargs):
    if instance.pk is not None:
        mark(people=instance.people.values_list("pk", flat=True), using=using)


@receiver(m2m_changed, sender=Event.people.through, dispatch_uid="search_event_people")
def event_people_changed(sender, instance, action, reverse, pk_set, using=None, **kwargs):
    if action not in {"post_add", "post_remove", "pre_clear"}:
        return
    if reverse:  # person.events.add(...): the person's public flag may change
        mark(people=[instance.pk], using=using)
    elif action == "pre_clear":
        mark(people=instance.people.values_list("pk", flat=True), using=using)
    else:
        mark(people=pk_set or (), using=using)
