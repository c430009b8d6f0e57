"""The review desk in a real browser, driven by the keyboard alone (issue 14, point 3): an
editor logs in and works through the queue with j, k, c, r and s, and every decision
reaches the database through the services."""

import pytest

from articles.models import Article, Quote
from tests.factories import make_alias, make_article, make_editor, make_person, make_quote_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "correct horse battery"
BODY = (
    "Rose Ayling-Ellis lifted the glitterball. “It was a dream come true,” she said. "
    "One fan shouted: “Best final ever!” Giovanni Pernice said “We did it.” "
    "Later “What a night,” said the host."
)


def current_row(page) -> str:
    return page.get_attribute("tr.desk-row.current", "id")


def test_editor_reviews_quotes_with_the_keyboard_alone(live_server, page, artifacts_dir):
    """Reject (r), move (j/k), change the speaker (s, type an alias, Enter), confirm a
    suggested speaker (c); the focus moves to the next unreviewed quote after each
    decision, a stale decision is refused in place, and nothing breaks the CSP."""
    editor = make_editor(password=PASSWORD)
    assert not editor.is_superuser
    article = make_article("Rose wins the final", body=BODY, status=Article.Status.DRAFT)
    rose = make_person("Rose Ayling-Ellis")
    make_alias(rose, "Rosie")
    gio = make_person("Giovanni Pernice")
    final = make_quote_in(article, "Best final ever!", confidence=0.2, speaker_label="One fan")
    dream = make_quote_in(
        article, "It was a dream come true,", confidence=0.4, attribution_rule="pronoun"
    )
    night = make_quote_in(article, "What a night,", confidence=0.6, suggested_speaker=gio)
    did = make_quote_in(article, "We did it.", confidence=0.9, speaker=gio)
    console = []
    page.on("console", lambda message: console.append(message.text))

    # Log in from the keyboard: the log-in page focuses the user name.
    page.goto(f"{live_server.url}/admin/articles/quote/desk/")
    page.wait_for_selector("#id_username:focus")
    page.keyboard.type(editor.username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_selector("#review-desk")

    # The least sure quote leads and is selected.
    assert current_row(page) == f"quote-{final.pk}"

    # r rejects it; the next unreviewed quote is selected.
    page.keyboard.press("r")
    page.wait_for_selector(f"#quote-{final.pk}.decided")
    assert current_row(page) == f"quote-{dream.pk}"
    final.refresh_from_db()
    assert final.status == Quote.Status.REJECTED
    assert final.history.first().history_user_id == editor.pk

    # j and k move between quotes.
    page.keyboard.press("j")
    assert current_row(page) == f"quote-{night.pk}"
    page.keyboard.press("k")
    assert current_row(page) == f"quote-{dream.pk}"

    # s focuses the speaker field; an alias finds her; Enter saves.
    page.keyboard.press("s")
    assert page.evaluate("document.activeElement.name") == "speaker_name"
    page.keyboard.type("Rosie")
    page.wait_for_selector(f"#speaker-options-{dream.pk} li:has-text('Rose Ayling-Ellis')")
    page.screenshot(path=str(artifacts_dir / "review-desk.png"), full_page=True)
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#quote-{dream.pk}.decided")
    assert page.inner_text(f"#quote-{dream.pk} .desk-speaker-name") == "Rose Ayling-Ellis"
    assert current_row(page) == f"quote-{night.pk}"
    dream.refresh_from_db()
    assert (dream.speaker_id, dream.status, dream.speaker_corrected) == (rose.pk, "confirmed", True)

    # c confirms the proposed (suggested) speaker.
    page.keyboard.press("c")
    page.wait_for_selector(f"#quote-{night.pk}.decided")
    night.refresh_from_db()
    assert (night.speaker_id, night.status) == (gio.pk, Quote.Status.CONFIRMED)
    assert current_row(page) == f"quote-{did.pk}"

    # Someone else changes the last quote meanwhile: c is refused in place, nothing saved.
    Quote.objects.filter(pk=did.pk).update(version=7)
    page.keyboard.press("c")
    page.wait_for_selector(f"#quote-{did.pk}.failed")
    assert "changed by someone else" in page.inner_text(f"#quote-{did.pk} .desk-outcome")
    did.refresh_from_db()
    assert (did.status, did.version) == (Quote.Status.AUTO, 7)
    assert page.inner_text("#desk-waiting") == "1"
    assert page.inner_text("[data-band-count=all]") == "1"
    assert page.inner_text("[data-band-count=low]") == "0"
    assert page.inner_text("[data-band-count=medium]") == "0"

    # Reloaded, the desk shows only what still waits, with its current version.
    page.reload()
    page.wait_for_selector(f"#quote-{did.pk}.current")
    assert page.locator("tr.desk-row").count() == 1
    page.keyboard.press("r")
    page.wait_for_selector(f"#quote-{did.pk}.decided")
    page.wait_for_selector("#desk-done a:focus")
    did.refresh_from_db()
    assert did.status == Quote.Status.REJECTED
    assert not Quote.objects.unreviewed().exists()
    assert [text for text in console if "Content Security Policy" in text] == []
