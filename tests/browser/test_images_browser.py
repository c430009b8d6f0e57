"""A lead image in a real browser (issue 14): an editor uploads it in the admin, readers
see it on the story with its alt text and caption, picked from the srcset.

The live server does not serve MEDIA_ROOT (Django serves it only with DEBUG on, a web
server does in production), so the browser's requests for /media/ are answered from the
test's MEDIA_ROOT by Playwright."""

import io
import mimetypes
from pathlib import Path

import pytest
from PIL import Image

from articles.models import Article
from tests.factories import make_article, make_editor

PASSWORD = "correct horse battery"


def jpeg(width=1600, height=900) -> bytes:
    image = Image.new("RGB", (width, height), "#8f1239")
    for x in range(0, width, 40):  # stripes, so a broken image would show as one
        image.paste("#f6e7ec", (x, 0, x + 20, height))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_URL = "/media/"
    return Path(settings.MEDIA_ROOT)


def serve_media(page, live_server, media: Path):
    def handle(route):
        name = route.request.url.split("/media/", 1)[1].split("?", 1)[0]
        path = media / name
        if ".." in name or not path.is_file():
            return route.fulfill(status=404)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        route.fulfill(status=200, body=path.read_bytes(), headers={"Content-Type": content_type})

    page.route(f"{live_server.url}/media/**", handle)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_editor_uploads_an_image_and_readers_see_it_with_alt_text(
    live_server, page, media, artifacts_dir
):
    """An editor (not a superuser) uploads a photo with alt text; the story shows it, with
    its alt text, the importer's caption and a rendition that really loads."""
    editor = make_editor(password=PASSWORD)
    assert not editor.is_superuser
    article = make_article(
        "Rose lifts the Glitterball",
        body="Rose Ayling-Ellis and Giovanni Pernice won the final.",
        captions=["Rose and Giovanni on the night"],
    )
    serve_media(page, live_server, media)

    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", editor.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    assert page.get_attribute("#id_image", "accept") == "image/jpeg,image/png,image/webp"
    page.set_input_files(
        "#id_image", files=[{"name": "final.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}]
    )
    page.fill("#id_image_alt", "Rose Ayling-Ellis holding the Glitterball trophy")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    article.refresh_from_db()
    assert [r["width"] for r in article.image_renditions] == [320, 640, 1280]

    page.context.clear_cookies()  # a reader
    page.goto(live_server.url + article.get_absolute_url())
    image = page.locator(".story-image img")
    image.wait_for()
    assert image.get_attribute("alt") == "Rose Ayling-Ellis holding the Glitterball trophy"
    page.wait_for_function("document.querySelector('.story-image img').complete")
    natural = image.evaluate("img => img.naturalWidth")
    assert natural in (640, 1280), natural  # a rendition from the srcset, decoded
    assert "/media/articles/images/" in image.evaluate("img => img.currentSrc")
    assert page.locator(".story-image figcaption").inner_text() == (
        "Rose and Giovanni on the night"
    )
    box = image.bounding_box()
    assert box["width"] > 300 and abs(box["height"] - box["width"] * 900 / 1600) < 2
    page.screenshot(path=str(artifacts_dir / "article-lead-image.png"), full_page=False)

    page.goto(live_server.url + "/")
    card = page.locator(".card-image")
    assert card.get_attribute("alt") == "Rose Ayling-Ellis holding the Glitterball trophy"
    assert Article.objects.get(pk=article.pk).image_alt.startswith("Rose")
