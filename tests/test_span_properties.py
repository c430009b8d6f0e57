"""Property (issue 11): any sequence of imports, re-imports and body edits leaves every
stored span either holding its words or flagged for review.

A story goes through the real importer and the real extraction pipeline; hypothesis then
draws a sequence of steps, each either a revised file imported again under the same key
or an editor's change to the body (through the same service the admin uses). After every
step:

* each quote holds its text, or it is out of public view (back in review or rejected);
* each mention shows a name or alias of its person, and each event lies inside the body;
* a quote whose words stayed in the story kept its id across a re-import, and the id of
  every quote that left is kept as a ``RemovedQuote`` (its permalink answers 410);
* nothing is stored with a carriage return.
"""

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles import services
from articles.anchoring import holds
from articles.importing import Importer
from articles.models import Article, Quote, RemovedQuote

pytestmark = pytest.mark.django_db

HEADER = " date 2024-03-08 Minister opens new bridge"
PARAGRAPHS = (
    "The transport minister, Ms Ada Okafor, opened the bridge over the River Tane on Friday.",
    '"This bridge joins two communities," Ms Okafor said. "It took too long."',
    "The bridge cost 40 million pounds and took three years to build.",
    '"We waited a long time for this," said Tom Reid, a local councillor.',
    "Okafor added: \u201cThe next one will be quicker.\u201d",
    "Traffic is expected to fall by a third in the town centre, officials said on Monday.",
    '"I cycle over it every morning now," Reid said.',
)
# Paragraphs a revision or an editor may add: new quotes, a repeated quote, plain text.
NEW_PARAGRAPHS = (
    '"Tolls will not be charged," Okafor told reporters.',
    '"This bridge joins two communities," a resident said.',
    "Work on a second crossing starts in 2026.",
    "\u201cIt is beautiful,\u201d said Mary Long, who lives nearby.",
)
KEY = "feed/bridge.txt"


@st.composite
def steps(draw):
    """One step: who makes it (a re-import or an editor) and what it changes."""
    who = draw(st.sampled_from(["reimport", "editor"]))
    kind = draw(st.sampled_from(["insert", "delete", "reword", "swap", "crlf", "splice"]))
    at = draw(st.integers(0, 20))
    other = draw(st.integers(0, 20))
    new = draw(st.sampled_from(NEW_PARAGRAPHS))
    cut = draw(st.integers(1, 30))
    return who, kind, at, other, new, cut


def change(paragraphs: list[str], kind, at, other, new, cut) -> tuple[list[str], bool]:
    """The paragraphs after one change, and whether line ends become CRLF."""
    paragraphs = list(paragraphs)
    n = len(paragraphs)
    if kind == "insert":
        paragraphs.insert(at % (n + 1), new)
    elif kind == "delete" and n > 2:
        del paragraphs[at % n]
    elif kind == "reword":
        i = at % n
        paragraphs[i] = paragraphs[i].replace("40", "45").replace("three", "four")
        paragraphs[i] = paragraphs[i].replace("said", "says", 1)
    elif kind == "swap":
        i, j = at % n, other % n
        paragraphs[i], paragraphs[j] = paragraphs[j], paragraphs[i]
    elif kind == "splice":
        # A cut through the middle of a paragraph, quotation marks and all.
        i = at % n
        text = paragraphs[i]
        start = min(len(text), (other * 7) % (len(text) + 1))
        paragraphs[i] = text[:start] + text[start + cut :]
    return paragraphs, kind == "crlf"


def write_and_import(folder: Path, paragraphs, *, crlf=False):
    text = HEADER + "\n\n" + "\n\n".join(paragraphs) + "\n"
    if crlf:
        text = text.replace("\n", "\r\n")
    path = folder / "bridge.txt"
    path.write_text(text, encoding="utf-8", newline="")
    return Importer(publish=True).import_path(path, key=KEY)


def quote_ids_by_text(article):
    """Quote text → id, for texts that occur once in the story (a repeated quote may
    fairly swap places with its twin)."""
    body = article.body
    return {
        q.text: q.pk
        for q in Quote.objects.filter(article=article)
        if body.count(q.text) == 1 and holds(body, q.start, q.end, q.text)
    }


def assert_spans_hold(article):
    article.refresh_from_db()
    body = article.body
    assert "\r" not in body and "\r" not in article.title and "\r" not in article.standfirst
    public = set(Quote.objects.public().filter(article=article).values_list("pk", flat=True))
    for quote in Quote.objects.filter(article=article):
        assert "\r" not in quote.text
        if not holds(body, quote.start, quote.end, quote.text):
            assert quote.status in (Quote.Status.AUTO, Quote.Status.REJECTED), quote
            assert quote.pk not in public, quote
    for mention in article.mentions.select_related("person").prefetch_related("person__aliases"):
        shown = body[mention.start : mention.end]
        names = [mention.person.name, *(a.text for a in mention.person.aliases.all())]
        # A mention's span is a name of its person, or a part of one ("Okafor").
        assert shown and any(shown in name or name in shown for name in names), (
            shown,
            names,
        )
    for event in article.events.all():
        assert 0 <= event.start < event.end <= len(body), event


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(steps(), min_size=1, max_size=5))
def test_any_imports_reimports_and_edits_leave_spans_on_their_words_or_flagged(sequence):
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        paragraphs = list(PARAGRAPHS)
        outcome = write_and_import(folder, paragraphs)
        article = Article.objects.get(pk=outcome.article_id)
        assert_spans_hold(article)
        seen = set(Quote.objects.filter(article=article).values_list("pk", flat=True))
        for who, kind, at, other, new, cut in sequence:
            before = quote_ids_by_text(article)
            if who == "reimport":
                paragraphs, crlf = change(paragraphs, kind, at, other, new, cut)
                outcome = write_and_import(folder, paragraphs, crlf=crlf)
                assert outcome.article_id == article.pk or outcome.status == "refused"
            else:
                body_paragraphs = article.body.split("\n\n")
                body_paragraphs, crlf = change(body_paragraphs, kind, at, other, new, cut)
                body = "\n\n".join(body_paragraphs)
                if crlf:
                    body = body.replace("\n", "\r\n")
                services.article_update_body(article=article, body=body)
            assert_spans_hold(article)
            # Ids follow their words: a quote still in the story is the same record.
            after = quote_ids_by_text(article)
            for text, pk in before.items():
                if text in after:
                    assert after[text] == pk, text
            # Every quote that ever existed is either still there or answers 410.
            now = set(Quote.objects.filter(article=article).values_list("pk", flat=True))
            gone = seen - now
            assert gone <= set(RemovedQuote.objects.values_list("quote_id", flat=True))
            seen |= now
