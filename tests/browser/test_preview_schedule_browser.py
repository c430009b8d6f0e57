"""Preview and scheduling in a real browser (issue 14): an editor previews a draft from
"View on site", an anonymous visitor gets nothing of it, and a story scheduled a few
seconds ahead is on the public home page once its time has passed, with no worker running."""

import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from articles.models import Article
from tests.factories import make_editor, make_story

PASSWORD = "correct horse battery"
HEADLINE = "Festival line-up leaks early"
SCHEDULE_AHEAD = timedelta(seconds=8)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_editor_previews_a_draft_and_schedules_it(live_server, browser, page, artifacts_dir):
    """The editor (not a superuser) opens "View on site" for a draft and sees the preview;
    an anonymous visitor sees neither the preview nor the article; scheduled a few
    seconds ahead, the article reaches the home page on its own."""
    editor = make_editor(password=PASSWORD)
    assert not editor.is_superuser
    article = make_story(
        HEADLINE,
        ["The organisers did not comment.", "Tickets go on sale on Monday."],
        status=Article.Status.DRAFT,
    )
    admin = f"{live_server.url}/admin/"

    page.goto(admin)
    page.fill("#id_username", editor.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")

    # "View on site" on the draft opens its preview, in the public layout.
    page.goto(f"{admin}articles/article/{article.pk}/change/")
    page.click("a.viewsitelink")
    page.wait_for_selector(".preview-banner")
    assert page.url == f"{live_server.url}/preview/articles/{article.pk}/"
    assert "Preview — not published" in page.inner_text(".preview-banner")
    assert page.inner_text("h1") == HEADLINE
    assert page.get_attribute('meta[name="robots"]', "content").startswith("noindex")
    page.screenshot(path=str(artifacts_dir / "article-preview.png"), full_page=True)

    # An anonymous visitor gets the login page for the preview and a 404 for the article.
    anonymous = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    anonymous.goto(f"{live_server.url}/preview/articles/{article.pk}/")
    assert "/admin/login/" in anonymous.url
    assert HEADLINE not in anonymous.content()
    assert anonymous.goto(f"{live_server.url}/articles/{article.slug}/").status == 404

    # Schedule it a few seconds ahead in the change form.
    at = timezone.localtime(timezone.now() + SCHEDULE_AHEAD).replace(microsecond=0)
    page.goto(f"{admin}articles/article/{article.pk}/change/")
    page.select_option("#id_status", "scheduled")
    page.fill("#id_published_at_0", at.strftime("%Y-%m-%d"))
    page.fill("#id_published_at_1", at.strftime("%H:%M:%S"))
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    article.refresh_from_db()
    assert article.status == Article.Status.SCHEDULED and article.published_at == at

    anonymous.goto(f"{live_server.url}/")
    assert HEADLINE not in anonymous.inner_text("main")

    # Once the time has passed, the next request publishes it: no worker, no cron job.
    # (A reload: the browser may reuse the public page for its max-age, 60 s, otherwise.)
    time.sleep(max(0.0, (at - timezone.now()).total_seconds()) + 0.5)
    anonymous.reload()
    assert HEADLINE in anonymous.inner_text("main")
    assert anonymous.goto(f"{live_server.url}/articles/{article.slug}/").status == 200
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    anonymous.context.close()
    get_user_model().objects.filter(pk=editor.pk).delete()
