"""Small builders for test data; each returns a saved object with sensible defaults."""

import hashlib
import itertools

from articles.models import Article, Event, Mention, Quote, Tag
from people.models import Alias, Person

_counter = itertools.count(1)


def make_person(name="Rose Ayling-Ellis", **fields):
    return Person.objects.create(name=name, **fields)


def make_alias(person, text, kind=Alias.Kind.FIRST_NAME):
    return Alias.objects.create(person=person, text=text, kind=kind)


def make_tag(name="Strictly Come Dancing", **fields):
    return Tag.objects.create(name=name, **fields)


def make_article(title=None, *, body="Body text.", status=Article.Status.PUBLISHED, **fields):
    n = next(_counter)
    raw = fields.pop("raw_text", f"{title or 'Story'} {n}\n\n{body}")
    defaults = {
        "title": title or f"Story number {n}",
        "body": body,
        "status": status,
        "source_name": f"story-{n}.txt",
        "source_sha256": hashlib.sha256(raw.encode()).hexdigest(),
        "raw_text": raw,
    }
    defaults.update(fields)
    return Article.objects.create(**defaults)


def make_quote(article, *, text="It was a dream", speaker=None, start=0, end=None, **fields):
    end = start + len(text) if end is None else end
    return Quote.objects.create(
        article=article, text=text, speaker=speaker, start=start, end=end, **fields
    )


def make_mention(article, person, *, start=0, end=4):
    return Mention.objects.create(article=article, person=person, start=start, end=end)


def make_event(article, *, summary="Crowned winners", start=0, end=10, people=(), **fields):
    event = Event.objects.create(article=article, summary=summary, start=start, end=end, **fields)
    if people:
        event.people.set(people)
    return event
