"""Editing an article's body keeps quotes, mentions and events on their words (issue 11,
defect 3): line endings stored as "\\n", spans re-anchored, lost quotes sent back to
review, and no page highlights characters that are not the quote's text."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles import services
from articles.anchoring import holds
from articles.models import Article, Event, Mention, Quote
from tests.factories import (
    make_event_in,
    make_mention_in,
    make_person,
    make_quote_in,
    make_story,
)
from tests.test_admin_articles import change_url, form_data

pytestmark = pytest.mark.django_db

# Eleven quotes, as in the report: one runs over two paragraphs (stored without the mark
# that reopens the second), one is partial; "8,000" sits in the sentence of an event.
PARAGRAPHS = [
    "More than 8,000 people packed the Blackpool Tower Ballroom on Saturday to see Rose "
    "Ayling-Ellis and Giovanni Pernice lift the Glitterball trophy.",
    "“It was a dream come true,” Rose said after the final. “I never thought a deaf girl "
    "could win this.”",
    "Giovanni Pernice was just as moved. “She taught me to listen with my eyes,” he said. "
    "“Every week she surprised me.”",
    "One fan said: “Best final ever!”",
    "Head judge Shirley Ballas called it “the most moving dance in the history of the show”.",
    "“We were crying in the judges' room,” Shirley Ballas said. “Nobody could speak.”",
    "A BBC spokeswoman said: “The silent dance will be remembered for years.”",
    "Rose added: “I want every deaf child to know they can do anything.”",
    "In a statement, the couple said: “Thank you to everyone who voted for us.",
    "“We will never forget this night.”",
]
QUOTES = [
    "It was a dream come true,",
    "I never thought a deaf girl could win this.",
    "She taught me to listen with my eyes,",
    "Every week she surprised me.",
    "Best final ever!",
    "the most moving dance in the history of the show",
    "We were crying in the judges' room,",
    "Nobody could speak.",
    "The silent dance will be remembered for years.",
    "I want every deaf child to know they can do anything.",
]
ACROSS = "Thank you to everyone who voted for us. We will never forget this night."


def final_story(**fields):
    """The story of the report: 11 public quotes, 6 mentions and 2 events, as imported."""
    article = make_story("Rose and Giovanni win", PARAGRAPHS, **fields)
    rose, gio = make_person("Rose Ayling-Ellis"), make_person("Giovanni Pernice")
    shirley = make_person("Shirley Ballas")
    for text in QUOTES:
        make_quote_in(article, text, speaker=rose)
    body = article.body
    start = body.index("Thank you")
    end = body.index("night.") + len("night.")
    Quote.objects.create(article=article, text=ACROSS, start=start, end=end, confidence=1)
    assert holds(body, start, end, ACROSS) and body[start:end] != ACROSS
    for person, text, occurrence in [
        (rose, "Rose Ayling-Ellis", 1),
        (gio, "Giovanni Pernice", 1),
        (rose, "Rose", 2),
        (gio, "Giovanni Pernice", 2),
        (shirley, "Shirley Ballas", 1),
        (shirley, "Shirley Ballas", 2),
    ]:
        make_mention_in(article, person, text, occurrence=occurrence)
    make_event_in(article, "Won Strictly Come Dancing", PARAGRAPHS[0], people=[rose, gio])
    make_event_in(article, "The couple thanked voters", "In a statement, the couple said:")
    return article


def browser_form(response, **changes):
    """The change form's data as a browser posts it: every line break of a textarea as
    CRLF."""
    data = form_data(response)
    data.update(changes)
    for name in ("body", "standfirst"):
        data[name] = data[name].replace("\r\n", "\n").replace("\n", "\r\n")
    return data


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def assert_every_span_holds(article):
    """Every quote holds its text, or is out of public view; every mention shows its
    person's name (in this story, a part of the full name)."""
    article.refresh_from_db()
    for quote in article.quotes.all():
        assert holds(article.body, quote.start, quote.end, quote.text) or (
            not Quote.objects.public().filter(pk=quote.pk).exists()
        ), quote
    for mention in article.mentions.select_related("person"):
        assert article.body[mention.start : mention.end] in mention.person.name, mention


# --- the reproduction -----------------------------------------------------------------


def test_crlf_edit_of_a_number_keeps_all_eleven_quotes_on_their_words(editor_client):
    """The report: the admin form posts CRLF line endings with "8,000" made "8,200"; the
    body is stored with LF, and all 11 quotes still hold their words, public, as do the
    mentions and both events (the event's sentence is the one with the number)."""
    article = final_story()
    spans_before = {q.pk: (q.start, q.end) for q in article.quotes.all()}
    mentions_before = {m.pk: article.body[m.start : m.end] for m in article.mentions.all()}
    data = browser_form(editor_client.get(change_url(article)))
    assert "\r\n" in data["body"]
    data["body"] = data["body"].replace("8,000", "8,200")
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    assert "\r" not in article.body
    assert article.body == "\n\n".join(PARAGRAPHS).replace("8,000", "8,200")
    quotes = list(article.quotes.all())
    assert len(quotes) == 11
    for quote in quotes:
        assert holds(article.body, quote.start, quote.end, quote.text), quote
        assert (quote.start, quote.end) == spans_before[quote.pk]  # same length: no move
    assert Quote.objects.public().filter(article=article).count() == 11
    assert {m.pk: article.body[m.start : m.end] for m in article.mentions.all()} == (
        mentions_before
    )
    event = article.events.get(summary="Won Strictly Come Dancing")
    assert article.body[event.start : event.end] == PARAGRAPHS[0].replace("8,000", "8,200")
    assert not any("could not be found" in m for m in messages_of(response))
    page = editor_client.get(article.get_absolute_url()).content.decode()
    assert page.count('<a class="quote"') >= 11
    for quote in quotes:
        assert f'id="quote-{quote.pk}"' in page


def test_saving_an_unchanged_body_from_a_browser_is_not_an_edit(editor_client):
    """CRLF alone is no change: a headline edit leaves the body and every offset alone."""
    article = final_story()
    data = browser_form(editor_client.get(change_url(article)), title="Rose wins")
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Rose wins"
    assert article.body == "\n\n".join(PARAGRAPHS)
    assert "body" not in article.history.first().history_change_reason
    assert all(q.version == 1 for q in article.quotes.all())


def test_standfirst_and_headline_are_stored_with_lf(editor_client):
    """Every text field of the article form stores "\\n" line endings."""
    article = final_story(standfirst="First line.\n\nSecond line.")
    data = browser_form(editor_client.get(change_url(article)))
    data["standfirst"] = "New first line.\r\nSecond line.\rThird."
    editor_client.post(change_url(article), data)
    article.refresh_from_db()
    assert article.standfirst == "New first line.\nSecond line.\nThird."


# --- what the admin says --------------------------------------------------------------


def test_admin_says_how_many_quotes_went_back_to_review(editor_client):
    """Rewording three quotes: the admin says "3 quotes could not be found in the new text
    and were sent back to review"; they are unreviewed and out of public view."""
    article = final_story()
    data = browser_form(editor_client.get(change_url(article)))
    for old, new in [
        ("dream come true", "dream that came true"),
        ("Best final ever!", "Best final I have seen!"),
        ("Nobody could speak.", "No one could speak."),
    ]:
        data["body"] = data["body"].replace(old, new)
    response = editor_client.post(change_url(article), data, follow=True)
    shown = messages_of(response) or [str(m) for m in response.context["messages"]]
    warning = next(m for m in shown if "could not be found" in m)
    assert warning.startswith(
        "3 quotes could not be found in the new text and were sent back to review"
    )
    assert "hidden from the public until an editor confirms them" in warning
    sent_back = Quote.objects.filter(article=article, status=Quote.Status.AUTO, confidence=0)
    assert sorted(q.text for q in sent_back) == sorted(
        ["It was a dream come true,", "Best final ever!", "Nobody could speak."]
    )
    assert Quote.objects.public().filter(article=article).count() == 8
    history = sent_back.first().history.first()
    assert history.history_change_reason.startswith("words not found after a body edit")
    assert history.history_user.username == "editor"
    # The warning links to the review queue, filtered to these quotes.
    queue = editor_client.get(
        reverse("admin:articles_quote_changelist"),
        {"article__id__exact": article.pk, "public": "held"},
    )
    assert {q.pk for q in queue.context["cl"].result_list} == {q.pk for q in sent_back}


def test_one_quote_sent_back_is_said_in_the_singular(editor_client):
    article = final_story()
    data = browser_form(editor_client.get(change_url(article)))
    data["body"] = data["body"].replace("Best final ever!", "What a final!")
    response = editor_client.post(change_url(article), data)
    [warning] = [m for m in messages_of(response) if "could not be found" in m]
    assert warning.startswith("1 quote could not be found in the new text and was sent back")


def test_admin_reports_removed_events_and_mentions(editor_client):
    """Deleting a paragraph removes its mentions and the event it reported, and says so."""
    article = final_story()
    data = browser_form(editor_client.get(change_url(article)))
    data["body"] = data["body"].replace(PARAGRAPHS[0] + "\r\n\r\n", "")
    response = editor_client.post(change_url(article), data)
    shown = messages_of(response)
    assert any(
        m.startswith("1 event could not be found in the new text and was removed: “Won Strictly")
        for m in shown
    ), shown
    assert any(m.startswith("2 mentions of people could not be found") for m in shown), shown
    assert not article.events.filter(summary="Won Strictly Come Dancing").exists()
    assert article.mentions.count() == 4
    article.refresh_from_db()
    for mention in article.mentions.select_related("person"):
        assert article.body[mention.start : mention.end] in mention.person.name
    # Every quote moved up with its words, none was lost.
    assert Quote.objects.public().filter(article=article).count() == 11
    assert_every_span_holds(article)


def test_stale_body_edit_is_refused_and_moves_nothing(editor_client):
    """A body edit made on an outdated version is refused; no offset moves."""
    article = final_story()
    before = list(article.quotes.values_list("start", "end", "version"))
    data = browser_form(editor_client.get(change_url(article)))
    Article.objects.filter(pk=article.pk).update(version=2)
    data["body"] = "New opening.\r\n\r\n" + data["body"]
    response = editor_client.post(change_url(article), data)
    assert "changed by someone else" in response.content.decode()
    assert list(article.quotes.values_list("start", "end", "version")) == before
    article.refresh_from_db()
    assert article.body == "\n\n".join(PARAGRAPHS)


# --- the service ----------------------------------------------------------------------


class TestArticleUpdateBody:
    def test_quotes_mentions_and_events_move_with_their_words(self):
        """An inserted paragraph moves every span by its length, history recorded."""
        article = final_story()
        edit = services.article_update_body(
            article=article, body="Breaking news.\n\n" + article.body
        )
        assert (edit.quotes_moved, edit.mentions_moved, edit.events_moved) == (11, 6, 2)
        assert not edit.quotes_sent_back and not edit.events_removed
        assert_every_span_holds(article)
        quote = article.quotes.first()
        assert quote.version == 2
        assert quote.history.first().history_change_reason.startswith("moved with its words")

    def test_confirmed_quote_whose_words_are_gone_leaves_public_view(self):
        """A confirmed quote edited away goes back to review: unreviewed, confidence 0, not
        public, not highlighted, no permalink; the speaker an editor set is kept."""
        article = final_story()
        quote = article.quotes.get(text="Best final ever!")
        services.quote_set_status(quote=quote, status=Quote.Status.CONFIRMED)
        edit = services.article_update_body(
            article=article, body=article.body.replace("Best final ever!", "Wow.")
        )
        assert [q.pk for q in edit.quotes_sent_back] == [quote.pk]
        quote.refresh_from_db()
        assert (quote.status, quote.confidence, quote.reviewed_at) == ("auto", 0.0, None)
        assert quote.speaker is not None
        assert not Quote.objects.public().filter(pk=quote.pk).exists()
        assert Quote.objects.held_back().filter(pk=quote.pk).exists()

    def test_rejected_quote_stays_rejected(self):
        """An editor's rejection is never undone, even when the words are gone."""
        article = final_story()
        quote = article.quotes.get(text="Best final ever!")
        services.quote_set_status(quote=quote, status=Quote.Status.REJECTED)
        edit = services.article_update_body(
            article=article, body=article.body.replace("Best final ever!", "Wow.")
        )
        assert (edit.quotes_sent_back, edit.quotes_rejected_gone) == ([], 1)
        quote.refresh_from_db()
        assert quote.status == Quote.Status.REJECTED

    def test_words_found_again_ignoring_white_space_and_quotation_marks(self):
        """Straight marks typed over curly ones, a line re-wrapped: the quote still moves."""
        article = final_story()
        body = article.body.replace("“", '"').replace("”", '"')
        body = body.replace("listen with my eyes", "listen  with\nmy eyes")
        edit = services.article_update_body(article=article, body="Intro.\n\n" + body)
        assert not edit.quotes_sent_back
        assert_every_span_holds(article)
        quote = article.quotes.get(text="She taught me to listen with my eyes,")
        assert article.body[quote.start : quote.end] == "She taught me to listen  with\nmy eyes,"

    def test_repeated_words_keep_their_own_place(self):
        """Two speakers said the same words; the first sentence is deleted: the first
        quote goes to review, the second keeps its own place (never the other's words)."""
        first, second = make_person("Ann Example"), make_person("Bob Example")
        article = make_story("Twice", ["Ann said: “Yes.” Then she left.", "Bob said: “Yes.”"])
        ann_yes = make_quote_in(article, "Yes.", speaker=first)
        bob_yes = make_quote_in(article, "Yes.", speaker=second, occurrence=2)
        body = "Intro.\n\nAnn said she would think. Then she left.\n\nBob said: “Yes.” Outro."
        edit = services.article_update_body(article=article, body=body)
        assert [q.pk for q in edit.quotes_sent_back] == [ann_yes.pk]
        bob_yes.refresh_from_db()
        assert bob_yes.start == body.index("Yes.")

    def test_body_stored_with_crlf_before_the_fix_is_repaired(self):
        """A body an old admin save stored with CRLF (offsets still those of the LF text):
        saving it again stores LF and every span holds its words again."""
        article = final_story()
        lf_body = article.body
        Article.objects.filter(pk=article.pk).update(body=lf_body.replace("\n", "\r\n"))
        article.refresh_from_db()
        assert not any(
            holds(article.body, q.start, q.end, q.text) for q in article.quotes.all()[1:]
        )
        edit = services.article_update_body(article=article, body=article.body)
        assert not edit.quotes_sent_back and not edit.events_removed
        assert not edit.mentions_removed
        article.refresh_from_db()
        assert article.body == lf_body
        assert_every_span_holds(article)

    def test_reworded_event_sentence_keeps_its_event(self):
        """An event stays on its sentence when only the inside changed."""
        article = final_story()
        body = article.body.replace("on Saturday to see", "on Saturday night to watch")
        edit = services.article_update_body(article=article, body=body)
        assert not edit.events_removed
        event = Event.objects.get(summary="Won Strictly Come Dancing")
        assert article.body[event.start : event.end].startswith("More than 8,000 people")
        assert article.body[event.start : event.end].endswith("lift the Glitterball trophy.")

    def test_mentions_move_onto_starts_other_mentions_held(self):
        """Each mention moves onto the start the next one held: the one-mention-per-start
        constraint is never broken on the way."""
        names = ["Anna", "Bert", "Cleo", "Dave"]
        article = make_story("Names", [" ".join(names)])
        for name in names:
            make_mention_in(article, make_person(f"{name} Example"), name)
        edit = services.article_update_body(article=article, body="Hey, " + article.body)
        assert edit.mentions_moved == 4
        starts = sorted(Mention.objects.filter(article=article).values_list("start", flat=True))
        assert starts == [5, 10, 15, 20]


# --- no page highlights other words -----------------------------------------------------


def detached(article, text="I never thought a deaf girl could win this."):
    """A confirmed quote whose offsets point at other words (as the bug left them)."""
    quote = article.quotes.get(text=text)
    Quote.objects.filter(pk=quote.pk).update(start=0, end=len(text), status="confirmed")
    quote.refresh_from_db()
    assert not holds(article.body, quote.start, quote.end, quote.text)
    return quote


def test_public_article_page_draws_no_highlight_for_a_detached_quote(client):
    article = final_story()
    quote = detached(article)
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'id="quote-{quote.pk}"' not in page
    assert "<mark>More than 8,000" not in page
    assert page.count('<a class="quote"') >= 10


def test_quote_permalink_shows_no_context_for_a_detached_quote(client):
    article = final_story()
    quote = detached(article)
    page = client.get(quote.get_absolute_url()).content.decode()
    assert "In context" not in page
    assert "More than 8,000" not in page


def test_admin_article_preview_marks_only_quotes_that_hold_their_words(editor_client):
    article = final_story()
    detached(article)
    page = editor_client.get(change_url(article)).content.decode()
    preview = page.split('class="highlighted-body"', 1)[1].split("</div>", 1)[0]
    assert '<mark class="quote"' in preview
    marked = re.findall(r'<mark class="quote"[^>]*>(.*?)</mark>', preview, re.S)
    assert not any(text.startswith("More than") for text in marked)
    assert len(re.findall(r'<mark class="quote"', preview)) >= 10


def test_review_queue_bolds_no_other_words_for_a_detached_quote(editor_client):
    article = final_story()
    quote = detached(article)
    queue = editor_client.get(reverse("admin:articles_quote_changelist")).content.decode()
    assert "<strong>More than 8,000" not in queue
    assert "not found at its place in the article body" in queue
    page = editor_client.get(reverse("admin:articles_quote_change", args=[quote.pk]))
    assert "<strong>More than 8,000" not in page.content.decode()


# --- every way text enters: API and import -----------------------------------------------


def test_api_speaker_label_is_stored_with_lf(editor_client):
    """The API's one text input (a quote's speaker label) stores "\\n" line endings."""
    article = final_story()
    quote = article.quotes.first()
    response = editor_client.patch(
        f"/api/v1/quotes/{quote.pk}/",
        {"speaker": None, "speaker_label": "a BBC\r\nspokeswoman", "version": quote.version},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    quote.refresh_from_db()
    assert quote.speaker_label == "a BBC\nspokeswoman"


def test_api_offers_no_way_to_edit_a_body(editor_client):
    """Bodies are edited in the admin only: the API refuses writes to an article."""
    article = final_story()
    url = f"/api/v1/articles/{article.slug}/"
    for method in (editor_client.patch, editor_client.put):
        response = method(url, {"body": "x\r\ny"}, content_type="application/json")
        assert response.status_code in (403, 405)  # no write permission, no such method
    article.refresh_from_db()
    assert article.body == "\n\n".join(PARAGRAPHS)


def test_imported_crlf_story_is_stored_with_lf(tmp_path, settings):
    """Import normalises line endings too: body and quotes hold with LF only."""
    from io import StringIO

    from django.core.management import call_command

    settings.NEWSROOM_PUBLISH_MIN_CONFIDENCE = 0.0
    story = (
        "Rose wins the final\r\n\r\nBy A Reporter\r\n\r\n"
        + "\r\n\r\n".join(PARAGRAPHS[:4])
        + "\r\n"
    )
    path = tmp_path / "crlf-story.txt"
    path.write_bytes(story.encode())
    call_command("import_articles", "--publish", str(path), stdout=StringIO())
    article = Article.objects.get()
    assert "\r" not in article.body and "\r" not in article.title
    assert article.quotes.exists()
    assert_every_span_holds(article)


# --- any sequence of edits ------------------------------------------------------------

WORDS = ["Rose", "said", "the", "final", "8,000", "“", "”", '"', " ", "\n", "\r\n", "."]


@st.composite
def edits(draw):
    """A body edit: insert, delete or replace a stretch, or turn line ends into CRLF."""
    kind = draw(st.sampled_from(["insert", "delete", "replace", "crlf"]))
    at, length = draw(st.floats(0, 1)), draw(st.integers(1, 40))
    text = "".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=6)))
    return kind, at, length, text


def apply(body, edit):
    kind, at, length, text = edit
    if kind == "crlf":
        return body.replace("\n", "\r\n")
    start = int(at * len(body))
    if kind == "insert":
        return body[:start] + text + body[start:]
    if kind == "delete":
        return body[:start] + body[start + length :]
    return body[:start] + text + body[start + length :]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(edits(), min_size=1, max_size=5))
def test_any_sequence_of_edits_leaves_every_span_on_its_words_or_flagged(sequence):
    """Property: after any edits, each quote holds its text or is back in review and out
    of public view (or was rejected); each mention and event holds the words it was made
    on, or — an event whose sentence was reworded inside — its opening and closing words;
    the rest were removed. Bodies are always stored with LF."""
    article = final_story()
    mention_text = {m.pk: article.body[m.start : m.end] for m in article.mentions.all()}
    event_text = {e.pk: article.body[e.start : e.end] for e in article.events.all()}
    body = article.body
    for step in sequence:
        old_body, old_events = body, {e.pk: (e.start, e.end) for e in article.events.all()}
        body = apply(body, step)
        edit = services.article_update_body(article=article, body=body)
        article.refresh_from_db()
        assert "\r" not in article.body
        body = article.body
        sent_back = {q.pk for q in edit.quotes_sent_back}
        for quote in Quote.objects.filter(article=article):
            if holds(body, quote.start, quote.end, quote.text):
                continue
            assert quote.status in ("auto", "rejected"), quote
            assert quote.pk in sent_back or quote.confidence == 0.0
            assert not Quote.objects.public().filter(pk=quote.pk).exists()
        for mention in Mention.objects.filter(article=article):
            assert holds(body, mention.start, mention.end, mention_text[mention.pk])
        for event in Event.objects.filter(article=article):
            was = event_text[event.pk]
            shown = body[event.start : event.end]
            start, end = old_events[event.pk]
            assert (
                holds(body, event.start, event.end, was)
                # reworded inside: the words around it are as they were ...
                or (body[: event.start] == old_body[:start] and body[event.end :] == old_body[end:])
                # ... or it opens and closes with the same words
                or (shown[:4] == was[:4] and shown[-4:] == was[-4:])
            )
            event_text[event.pk] = shown  # a reworded sentence is its new text
        mention_text = {
            m.pk: body[m.start : m.end] for m in Mention.objects.filter(article=article)
        }


def test_reanchor_command_repairs_bodies_stored_with_crlf():
    """`manage.py reanchor_articles` repairs what old admin saves broke: LF body, every
    quote on its words, public again; articles without CR are left alone."""
    from io import StringIO

    from django.core.management import call_command

    broken, fine = final_story(), make_story("Fine", ["Nothing to repair."])
    Article.objects.filter(pk=broken.pk).update(
        body=broken.body.replace("\n", "\r\n").replace("8,000", "8,200")
    )
    out = StringIO()
    call_command("reanchor_articles", stdout=out)
    assert "1 articles re-anchored; 0 quotes sent back to review." in out.getvalue()
    broken.refresh_from_db()
    assert broken.body == "\n\n".join(PARAGRAPHS).replace("8,000", "8,200")
    assert_every_span_holds(broken)
    assert Quote.objects.public().filter(article=broken).count() == 11
    fine.refresh_from_db()
    assert fine.version == 1


# --- a quote whose words left the body cannot be made public again ------------------------


def detached_quote():
    """A quote sent back to review because an edit removed its words."""
    article = final_story()
    quote = article.quotes.get(text="Best final ever!")
    services.article_update_body(
        article=article, body=article.body.replace("Best final ever!", "Wow.")
    )
    quote.refresh_from_db()
    assert quote.status == Quote.Status.AUTO and not quote.holds_its_words()
    return quote


class TestDetachedQuoteCannotBeConfirmed:
    """Confirming a quote, giving it a speaker or accepting its suggested speaker makes it
    public; none may happen while its offsets point at other words (the API would publish
    stale offsets and the site a quote its article no longer holds)."""

    def test_services_refuse_every_way_of_confirming(self):
        quote = detached_quote()
        with pytest.raises(services.QuoteNotInText):
            services.quote_set_status(quote=quote, status=Quote.Status.CONFIRMED)
        with pytest.raises(services.QuoteNotInText):
            services.quote_set_speaker(quote=quote, speaker=make_person("Ann Fan"))
        quote.suggested_speaker = make_person("Bea Fan")
        quote.save()
        with pytest.raises(services.QuoteNotInText):
            services.quote_accept_suggestion(quote=quote)
        quote.refresh_from_db()
        assert quote.status == Quote.Status.AUTO and quote.speaker_label != "Ann Fan"
        assert not Quote.objects.public().filter(pk=quote.pk).exists()
        # Rejecting it, or sending it back to review, stays possible.
        services.quote_set_status(quote=quote, status=Quote.Status.REJECTED)

    def test_bulk_confirm_skips_it_and_says_why(self, editor_client):
        quote = detached_quote()
        other = quote.article.quotes.get(text="Nobody could speak.")
        response = editor_client.post(
            reverse("admin:articles_quote_changelist"),
            {"action": "confirm", "_selected_action": [quote.pk, other.pk]},
            follow=True,
        )
        said = " ".join(messages_of(response))
        assert "1 quotes confirmed" in said and "1 quote not confirmed" in said
        quote.refresh_from_db()
        other.refresh_from_db()
        assert (quote.status, other.status) == ("auto", "confirmed")

    def test_change_form_refuses_to_confirm_it(self, editor_client):
        quote = detached_quote()
        url = reverse("admin:articles_quote_change", args=[quote.pk])
        data = form_data(editor_client.get(url))
        data["status"] = Quote.Status.CONFIRMED
        response = editor_client.post(url, data)
        assert response.status_code == 200  # the form again, with the reason
        assert "no longer at its place in the article body" in response.content.decode()
        quote.refresh_from_db()
        assert quote.status == Quote.Status.AUTO

    def test_api_confirm_answers_409(self, editor_client):
        quote = detached_quote()
        response = editor_client.post(
            f"/api/v1/quotes/{quote.pk}/confirm/", headers={"If-Match": str(quote.version)}
        )
        assert response.status_code == 409, response.content
        assert "no longer at its place" in response.json()["detail"]
        response = editor_client.patch(
            f"/api/v1/quotes/{quote.pk}/",
            {"speaker": None, "speaker_label": "a fan", "version": quote.version},
            content_type="application/json",
        )
        assert response.status_code == 409
        quote.refresh_from_db()
        assert quote.status == Quote.Status.AUTO
