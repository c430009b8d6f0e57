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
        "source_key": f"story-{n}.txt",
        "source_sha256": hashlib.sha256(raw.encode()).hexdigest(),
        "raw_text": raw,
    }
    defaults.update(fields)
    return Article.objects.create(**defaults)


def make_quote(
    article, *, text="It was a dream", speaker=None, start=0, end=None, confidence=1.0, **fields
):
    """A quote; by default one the extractor was sure of (public once its article is, even
    unreviewed). Pass a low ``confidence`` for one the publish gate holds back."""
    end = start + len(text) if end is None else end
    return Quote.objects.create(
        article=article,
        text=text,
        speaker=speaker,
        start=start,
        end=end,
        confidence=confidence,
        **fields,
    )


def make_mention(article, person, *, start=0, end=4):
    return Mention.objects.create(article=article, person=person, start=start, end=end)


def make_event(article, *, summary="Crowned winners", start=0, end=10, people=(), **fields):
    event = Event.objects.create(article=article, summary=summary, start=start, end=end, **fields)
    if people:
        event.people.set(people)
    return event


def make_editor(username="editor", password="correct horse battery"):
    """A staff user in the Editors group (created by a data migration), not a superuser."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(
        username=username, password=password, is_staff=True, is_superuser=False
    )
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def make_tag_suggestion(article, tag, **fields):
    from articles.models import TagSuggestion

    return TagSuggestion.objects.create(article=article, tag=tag, **fields)


# --- Public website (issue 6): stories whose quote, mention and event offsets point into
# their bodies, as the importer stores them. ---


def span_of(body, text, *, occurrence=1):
    """(start, end) of the ``occurrence``-th ``text`` in ``body``; fails loudly if absent."""
    start = -1
    for _ in range(occurrence):
        start = body.index(text, start + 1)
    return start, start + len(text)


def make_story(title, paragraphs, *, status=Article.Status.PUBLISHED, tags=(), **fields):
    """An article whose body is ``paragraphs`` joined by blank lines."""
    article = make_article(title, body="\n\n".join(paragraphs), status=status, **fields)
    if tags:
        article.tags.set(tags)
    return article


def make_quote_in(article, text, *, speaker=None, occurrence=1, **fields):
    """A quote of ``text`` at its real offsets in ``article.body``."""
    start, end = span_of(article.body, text, occurrence=occurrence)
    return make_quote(
        article, text=article.body[start:end], speaker=speaker, start=start, end=end, **fields
    )


def make_mention_in(article, person, text, *, occurrence=1):
    start, end = span_of(article.body, text, occurrence=occurrence)
    return make_mention(article, person, start=start, end=end)


def make_event_in(article, summary, text, *, date=None, precision=None, people=()):
    """An event reported by the sentence ``text`` of ``article``."""
    start, end = span_of(article.body, text)
    precision = precision or ("day" if date else None)
    return make_event(
        article,
        summary=summary,
        start=start,
        end=end,
        date=date,
        date_precision=precision,
        people=people,
    )


def newsdesk_pages(desk) -> list[str]:
    """One URL of each kind of public page in :func:`build_newsdesk`'s desk."""
    return [
        "/",
        desk.bafta.get_absolute_url(),
        "/people/",
        desk.rose.get_absolute_url(),
        desk.rose_quote.get_absolute_url(),
        "/events/",
        desk.strictly.get_absolute_url(),
        "/search/?q=rose",
    ]


def build_newsdesk():
    """A small, realistic desk: two published stories, a draft, a rejected quote, people
    with aliases, tags and events. Returns a namespace of the objects made."""
    import datetime
    from types import SimpleNamespace

    from django.utils import timezone

    rose = make_person("Rose Ayling-Ellis", description="EastEnders actress")
    make_alias(rose, "Rose")
    giovanni = make_person("Giovanni Pernice", description="Strictly professional dancer")
    make_alias(giovanni, "Giovanni")
    fan = make_person("Amelia Hart", description="Strictly viewer")
    secret = make_person("Hidden Draftperson")
    strictly = make_tag("Strictly Come Dancing")
    baftas = make_tag("BAFTA TV Awards")

    bafta = make_story(
        "Rose Ayling-Ellis and Giovanni Pernice win BAFTA for silent dance",
        [
            "Rose Ayling-Ellis and Giovanni Pernice have won a BAFTA TV Award for their "
            "enchanting silent dance on Strictly Come Dancing.",
            "The pair, who lifted the Glitterball trophy in 2021, won the award for "
            "must-see moment.",
            'Appearing on stage this evening, Rose said: "It is a very special moment for us '
            "because hopefully it showed how powerful TV can be.",
            '"It has even helped the BSL law be passed recently. We are so, so, so proud of it."',
            'Giovanni added: "When we first thought of the idea to put silence into the '
            'dance, we knew it was going to give an impact."',
        ],
        standfirst="The Strictly champions were honoured for their must-see moment.",
        published_at=timezone.make_aware(datetime.datetime(2022, 5, 8, 21, 30)),
        tags=[strictly, baftas],
    )
    rose_quote = make_quote_in(
        bafta,
        "It is a very special moment for us because hopefully it showed how powerful TV can "
        'be.\n\n"It has even helped the BSL law be passed recently. We are so, so, so proud '
        "of it.",
        speaker=rose,
        status="confirmed",
    )
    giovanni_quote = make_quote_in(
        bafta,
        "When we first thought of the idea to put silence into the dance, we knew it was "
        "going to give an impact.",
        speaker=giovanni,
    )
    make_mention_in(bafta, rose, "Rose Ayling-Ellis")
    make_mention_in(bafta, giovanni, "Giovanni Pernice")
    award = make_event_in(
        bafta,
        "Won a BAFTA TV Award for must-see moment",
        "have won a BAFTA TV Award",
        date=datetime.date(2022, 5, 8),
        people=[rose, giovanni],
    )
    glitterball = make_event_in(
        bafta,
        "Lifted the Glitterball trophy",
        "lifted the Glitterball trophy in 2021",
        date=datetime.date(2021, 12, 1),
        precision="month",
        people=[rose, giovanni],
    )

    tour = make_story(
        "Strictly tour tickets sell out in minutes",
        [
            "Tickets for the Strictly Come Dancing live tour sold out within minutes.",
            'One fan wrote: "I queued for two hours and got nothing."',
            'Amelia Hart said the tour was "the best night of the year".',
            '<script>alert("x")</script> & other <b>odd</b> text from the wire.',
        ],
        published_at=None,
        tags=[strictly],
    )
    label_quote = make_quote_in(
        tour, "I queued for two hours and got nothing.", speaker_label="one fan"
    )
    partial_quote = make_quote_in(tour, "the best night of the year", speaker=fan, partial=True)
    rejected_quote = make_quote_in(
        tour, "Tickets for the Strictly Come Dancing live tour", speaker=fan, status="rejected"
    )
    make_mention_in(tour, fan, "Amelia Hart")
    tour_event = make_event_in(tour, "Tour tickets sold out", "sold out within minutes")

    draft = make_story(
        "Embargoed: secret wedding plans revealed",
        [
            'Hidden Draftperson said: "Nobody must know about the wedding yet."',
            "Rose Ayling-Ellis was not invited.",
        ],
        status=Article.Status.DRAFT,
        published_at=timezone.make_aware(datetime.datetime(2023, 1, 2, 9, 0)),
        tags=[strictly],
    )
    draft_quote = make_quote_in(
        draft, "Nobody must know about the wedding yet.", speaker=secret, status="confirmed"
    )
    draft_rose_quote = make_quote_in(draft, "Rose Ayling-Ellis was not invited.", speaker=rose)
    make_mention_in(draft, secret, "Hidden Draftperson")
    make_mention_in(draft, rose, "Rose Ayling-Ellis")
    draft_event = make_event_in(
        draft,
        "Secret wedding planned",
        "Nobody must know",
        date=datetime.date(2023, 6, 1),
        people=[secret, rose],
    )
    return SimpleNamespace(**locals())
