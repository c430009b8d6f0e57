"""An editor edits an article's body in a real browser (issue 11, defect 3): Chromium
posts the textarea with CRLF line endings, as every browser does."""

import pytest
from django.contrib.auth import get_user_model

from articles.anchoring import holds
from articles.models import Quote
from tests.factories import make_editor
from tests.test_body_edits import PARAGRAPHS, final_story

PASSWORD = "correct horse battery"


def make_editor_account():
    """An editor (staff in the Editors group, which the serialized rollback restores with
    the rest of the migrated data)."""
    return make_editor(password=PASSWORD)


def log_in(page, live_server, editor):
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", editor.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


def edit_body(page, live_server, article, change):
    """Open the article's "Edit the body text" section, change the text, save."""
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    page.click("summary:has-text('Edit the body text')")
    body = page.input_value("#id_body")
    page.fill("#id_body", change(body))
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_editing_a_number_in_the_browser_keeps_every_quote_highlighted(
    live_server, page, artifacts_dir
):
    """The report, in Chromium: "8,000" made "8,200" and saved. The body is stored with LF,
    all 11 quotes hold their words and stay highlighted on the public page, and no
    warning is shown."""
    editor = make_editor_account()
    article = final_story()
    log_in(page, live_server, editor)
    edit_body(page, live_server, article, lambda body: body.replace("8,000", "8,200"))
    assert page.locator(".messagelist .warning").count() == 0
    article.refresh_from_db()
    assert "\r" not in article.body
    assert article.body == "\n\n".join(PARAGRAPHS).replace("8,000", "8,200")
    quotes = list(article.quotes.all())
    assert all(holds(article.body, q.start, q.end, q.text) for q in quotes)
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    marks = page.locator("article a.quote mark")
    assert page.locator("a.quote[id^=quote-]").count() == 11
    assert "8,200" not in " ".join(marks.all_inner_texts())
    page.screenshot(path=str(artifacts_dir / "body-edit-public.png"), full_page=True)
    get_user_model().objects.filter(pk=editor.pk).delete()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rewording_a_quote_in_the_browser_warns_and_holds_it_back(live_server, page):
    """A quote's words changed: the admin warns that 1 quote was sent back to review, the
    public page no longer shows it, and the admin preview marks only quotes that hold."""
    editor = make_editor_account()
    article = final_story()
    log_in(page, live_server, editor)
    edit_body(page, live_server, article, lambda body: body.replace("Best final ever!", "Wow!"))
    warning = page.locator(".messagelist .warning").first.inner_text()
    assert warning.startswith(
        "1 quote could not be found in the new text and was sent back to review"
    )
    quote = Quote.objects.get(article=article, text="Best final ever!")
    assert quote.status == Quote.Status.AUTO
    assert not Quote.objects.public().filter(pk=quote.pk).exists()
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    assert page.locator("a.quote[id^=quote-]").count() == 10
    assert page.locator(f"#quote-{quote.pk}").count() == 0
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    marked = page.locator(".highlighted-body mark.quote").all_inner_texts()
    assert "Wow!" not in marked and "Best final ever!" not in marked
    get_user_model().objects.filter(pk=editor.pk).delete()
