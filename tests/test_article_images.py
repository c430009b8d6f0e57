"""Articles' lead images (issue 14): upload in the admin, checks, renditions, pages.

Every test stores files in a MEDIA_ROOT of its own (``media`` fixture).
"""

import io
import json
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from articles import images
from articles.models import Article
from tests.factories import make_article, make_editor, make_tag
from tests.test_admin_articles import change_url, form_data
from tests.test_web_seo import head

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_URL = "/media/"
    return settings.MEDIA_ROOT


def picture(
    width=2000, height=1000, fmt="JPEG", name="photo.jpg", mode="RGB", color="#c8325a", **options
):
    buffer = io.BytesIO()
    Image.new(mode, (width, height), color if mode != "1" else 0).save(buffer, fmt, **options)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def upload(client, article, image, *, alt="Rose holding the trophy", **fields):
    """Post the article's change form with ``image``, as an editor's browser does."""
    data = form_data(client.get(change_url(article)))
    data.update(image=image, image_alt=alt, **fields)
    return client.post(change_url(article), data)


def with_image(client, article, alt="Rose holding the trophy", **kwargs):
    response = upload(client, article, picture(**kwargs), alt=alt)
    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    return article


def stored(name: str) -> Image.Image:
    with default_storage.open(name) as file:
        image = Image.open(io.BytesIO(file.read()))
        image.load()
        return image


def form_errors(response) -> str:
    assert response.status_code == 200
    return json.dumps(response.context["adminform"].form.errors, ensure_ascii=False)


class TestUpload:
    def test_editor_uploads_an_image_with_renditions_under_a_random_name(
        self, editor_client, media
    ):
        """An editor (not a superuser) uploads a photo: it is stored under a random name,
        with WebP renditions 320, 640 and 1280 wide at the photo's proportions."""
        article = make_article("Strictly final", slug="strictly-final")
        with_image(editor_client, article)
        name = article.image.name
        assert re.fullmatch(r"articles/images/[\w-]{22}\.jpg", name), name
        assert "strictly" not in name and "photo" not in name
        assert (media / name).is_file()
        widths = [(r["width"], r["height"]) for r in article.image_renditions]
        assert widths == [(320, 160), (640, 320), (1280, 640)]
        for rendition in article.image_renditions:
            assert rendition["name"].startswith(Path(name).with_suffix("").as_posix())
            image = stored(rendition["name"])
            assert (image.format, image.size) == ("WEBP", (rendition["width"], rendition["height"]))
        assert article.image_alt == "Rose holding the trophy"
        assert article.version == 2
        assert article.history.first().history_user.username == "editor"

    def test_change_form_previews_the_image(self, editor_client):
        """The change form shows the smallest rendition with its alt text."""
        article = with_image(editor_client, make_article())
        html = editor_client.get(change_url(article)).content.decode()
        thumb = article.image_renditions[0]["name"]
        assert f'<img src="/media/{thumb}" alt="Rose holding the trophy"' in html
        assert 'accept="image/jpeg,image/png,image/webp"' in html

    def test_a_small_image_is_never_enlarged(self, editor_client):
        """A photo narrower than the widest rendition keeps its own width as the widest."""
        article = with_image(editor_client, make_article(), width=500, height=250)
        assert [r["width"] for r in article.image_renditions] == [320, 500]
        article = with_image(editor_client, make_article(), width=200, height=100)
        assert [r["width"] for r in article.image_renditions] == [200]

    def test_renditions_drop_the_metadata_and_follow_the_orientation(self, editor_client):
        """A phone photo's EXIF (camera, GPS) is not copied; its orientation is applied."""
        exif = Image.Exif()
        exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
        exif[0x010F] = "SecretCam"
        article = with_image(editor_client, make_article(), width=800, height=400, exif=exif)
        widest = stored(article.image_renditions[-1]["name"])
        assert widest.size == (400, 800)  # turned upright
        assert not widest.getexif()
        assert b"SecretCam" not in default_storage.open(article.image_renditions[-1]["name"]).read()

    def test_png_with_transparency_and_jpeg_output(self, editor_client, settings):
        """A transparent PNG keeps its alpha in WebP; with JPEG output it goes on white."""
        png = {"fmt": "PNG", "name": "logo.png", "mode": "RGBA", "color": (200, 50, 90, 100)}
        png.update(width=400, height=200)
        article = with_image(editor_client, make_article(), **png)
        assert article.image.name.endswith(".png")
        assert stored(article.image_renditions[0]["name"]).mode == "RGBA"
        settings.NEWSROOM_IMAGE_FORMAT = "JPEG"
        article = with_image(editor_client, make_article(), **png)
        rendition = stored(article.image_renditions[0]["name"])
        assert (rendition.format, rendition.mode) == ("JPEG", "RGB")
        assert article.image_renditions[0]["name"].endswith(".jpg")

    def test_alt_text_is_required_with_an_image(self, editor_client, media):
        """An image without alt text is refused on the form, and nothing is stored."""
        article = make_article()
        response = upload(editor_client, article, picture(), alt="   ")
        assert "Describe the image" in form_errors(response)
        article.refresh_from_db()
        assert not article.image
        assert not list(media.rglob("*.*"))

    @pytest.mark.parametrize(
        ("file", "message"),
        [
            (SimpleUploadedFile("notes.jpg", b"just some text, not a photo"), "image"),
            (picture(fmt="GIF", name="anim.gif", width=50, height=50), "GIF"),
            (picture(fmt="BMP", name="old.bmp", width=50, height=50), "BMP"),
        ],
    )
    def test_only_real_jpeg_png_or_webp_images_are_accepted(
        self, editor_client, media, file, message
    ):
        """Text named .jpg, and formats other than JPEG, PNG and WebP, are refused."""
        response = upload(editor_client, make_article(), file)
        assert message in form_errors(response)
        assert not list(media.rglob("*.*"))

    def test_decompression_bomb_is_refused_before_it_is_decoded(self, editor_client, media):
        """A small file that would decode to 49 million pixels is refused by its header."""
        bomb = picture(7000, 7000, fmt="PNG", name="bomb.png", mode="1", optimize=True)
        assert bomb.size < 200_000
        response = upload(editor_client, make_article(), bomb)
        assert "7000 × 7000 pixels; the limit is 40 million" in form_errors(response)
        assert not list(media.rglob("*.*"))

    def test_byte_and_pixel_limits_are_settings(self, editor_client, settings):
        """NEWSROOM_IMAGE_MAX_BYTES and NEWSROOM_IMAGE_MAX_PIXELS bound every upload."""
        settings.NEWSROOM_IMAGE_MAX_BYTES = 1000
        response = upload(editor_client, make_article(), picture(800, 800))
        assert "the limit is 1000\xa0bytes" in form_errors(response)
        settings.NEWSROOM_IMAGE_MAX_BYTES = 10_000_000
        settings.NEWSROOM_IMAGE_MAX_PIXELS = 10_000
        response = upload(editor_client, make_article(), picture(200, 100))
        assert "200 × 100 pixels" in form_errors(response)

    def test_a_truncated_image_is_refused_with_a_message(self, editor_client, media):
        """A JPEG cut short (its header intact) is a form error, not a half image."""
        whole = picture(1200, 800).read()
        cut = SimpleUploadedFile("cut.jpg", whole[: len(whole) // 2], content_type="image/jpeg")
        response = upload(editor_client, make_article(), cut)
        assert "damaged" in form_errors(response)
        assert not list(media.rglob("*.*"))

    def test_replacing_or_clearing_deletes_the_old_files_once_saved(
        self, editor_client, media, django_capture_on_commit_callbacks
    ):
        """A new image replaces the old files; clearing it removes them all."""
        article = with_image(editor_client, make_article())
        old = [article.image.name, *(r["name"] for r in article.image_renditions)]
        with django_capture_on_commit_callbacks(execute=True):
            article = with_image(editor_client, article, width=900, height=600)
        assert all(not (media / name).exists() for name in old)
        new = [article.image.name, *(r["name"] for r in article.image_renditions)]
        assert all((media / name).is_file() for name in new)

        data = form_data(editor_client.get(change_url(article)))
        data["image-clear"] = "on"
        with django_capture_on_commit_callbacks(execute=True):
            response = editor_client.post(change_url(article), data)
        assert response.status_code == 302
        article.refresh_from_db()
        assert (article.image.name, article.image_renditions) == ("", [])
        assert not list(media.rglob("*.*"))

    def test_a_stale_save_leaves_no_file_behind(self, editor_client, media):
        """When someone saved in between, the refused upload's files are removed."""
        article = make_article("Original")
        data = form_data(editor_client.get(change_url(article)))
        Article.objects.filter(pk=article.pk).update(version=2)
        data.update(image=picture(), image_alt="A photo")
        response = editor_client.post(change_url(article), data, follow=True)
        assert "changed by someone else" in response.content.decode()
        article.refresh_from_db()
        assert not article.image
        assert not list(media.rglob("*.*"))

    def test_deleting_the_article_deletes_its_files(
        self, editor_client, media, django_capture_on_commit_callbacks
    ):
        article = with_image(editor_client, make_article())
        with django_capture_on_commit_callbacks(execute=True):
            article.delete()
        assert not list(media.rglob("*.*"))


class TestIntegrity:
    def test_database_refuses_an_image_without_alt_text(self):
        """The check constraint holds for scripts that bypass the form."""
        article = make_article()
        with pytest.raises(IntegrityError), transaction.atomic():
            Article.objects.filter(pk=article.pk).update(image="articles/images/x.jpg")

    def test_model_clean_requires_alt_text(self):
        article = make_article()
        article.image = "articles/images/x.jpg"
        article.image_alt = " "
        with pytest.raises(ValidationError, match="Describe the image"):
            article.full_clean()

    def test_validator_refuses_a_non_image(self):
        with pytest.raises(ValidationError, match="not an image"):
            images.validate_upload(SimpleUploadedFile("x.png", b"\x89PNG but not really"))


@pytest.fixture
def pictured(editor_client):
    """A published story with a photo and a caption the importer kept, and a draft with
    a photo of its own."""
    tag = make_tag("Strictly Come Dancing")
    story = make_article(
        "Rose lifts the Glitterball", captions=["Rose and Giovanni on the night", "Backstage"]
    )
    story.tags.add(tag)
    draft = make_article("Embargoed scoop", status=Article.Status.DRAFT)
    draft.tags.add(tag)
    with_image(editor_client, story, alt="Rose lifting the trophy")
    with_image(editor_client, draft, alt="The secret")
    editor_client.logout()
    return story, draft


class TestPages:
    def test_article_page_shows_the_image_with_alt_srcset_and_caption(self, client, pictured):
        """The story shows its image: alt text, srcset of every rendition, its size, and
        under it the first caption the importer kept."""
        story, _ = pictured
        html = client.get(story.get_absolute_url()).content.decode()
        figure = re.search(r'<figure class="story-image">(.*?)</figure>', html, re.S).group(1)
        assert 'alt="Rose lifting the trophy"' in figure
        assert 'width="1280" height="640"' in figure
        for rendition in story.image_renditions:
            assert f"/media/{rendition['name']} {rendition['width']}w" in figure
        assert "<figcaption>Rose and Giovanni on the night</figcaption>" in figure
        assert story.image.name not in html  # the original is never linked

    def test_editor_caption_wins_over_the_imported_one(self, client, pictured):
        story, _ = pictured
        Article.objects.filter(pk=story.pk).update(image_caption="Photo: BBC")
        story.refresh_from_db()
        story.save()  # a write readers see (content version)
        html = client.get(story.get_absolute_url()).content.decode()
        assert "<figcaption>Photo: BBC</figcaption>" in html

    def test_social_cards_and_json_ld_carry_the_image(self, client, pictured):
        """og:image and twitter:image are the widest rendition's absolute URL; JSON-LD has
        an ImageObject with its size and caption."""
        story, _ = pictured
        widest = story.image_renditions[-1]
        url = f"http://testserver/media/{widest['name']}"
        parsed = head(client, story.get_absolute_url())
        assert parsed.meta["og:image"] == url
        assert parsed.meta["og:image:width"] == "1280"
        assert parsed.meta["og:image:alt"] == "Rose lifting the trophy"
        assert parsed.meta["twitter:card"] == "summary_large_image"
        assert parsed.meta["twitter:image"] == url
        data = json.loads(parsed.json_ld[0])
        assert data["image"] == {
            "@type": "ImageObject",
            "url": url,
            "width": 1280,
            "height": 640,
            "caption": "Rose and Giovanni on the night",
        }

    def test_a_story_without_image_keeps_a_summary_card(self, client):
        story = make_article("No photo")
        parsed = head(client, story.get_absolute_url())
        assert parsed.meta["twitter:card"] == "summary"
        assert "og:image" not in parsed.meta
        assert "image" not in json.loads(parsed.json_ld[0])

    def test_home_and_topic_pages_show_the_thumbnail(self, client, pictured):
        story, _ = pictured
        for url in ("/", "/tags/strictly-come-dancing/"):
            html = client.get(url).content.decode()
            thumb = story.image_renditions[0]["name"]
            assert re.search(
                rf'<img class="card-image" src="/media/{re.escape(thumb)}"[^>]*'
                r'alt="Rose lifting the trophy"',
                html,
            ), url

    def test_a_drafts_image_is_linked_from_no_public_page(self, client, pictured):
        """No page, feed, sitemap or anonymous API response names the draft's files."""
        _, draft = pictured
        stem = Path(draft.image.name).stem
        for url in (
            "/",
            "/tags/strictly-come-dancing/",
            "/feeds/articles/rss/",
            "/feeds/tags/strictly-come-dancing/atom/",
            "/sitemap-articles.xml",
            "/api/v1/articles/",
            "/search/?q=scoop",
        ):
            response = client.get(url)
            assert stem.encode() not in response.content, url
        assert client.get(draft.get_absolute_url()).status_code == 404
        assert client.get(f"/api/v1/articles/{draft.slug}/").status_code == 404

    def test_api_detail_gives_the_image(self, client, pictured):
        story, _ = pictured
        image = client.get(f"/api/v1/articles/{story.slug}/").json()["image"]
        assert image["alt"] == "Rose lifting the trophy"
        assert image["caption"] == "Rose and Giovanni on the night"
        assert [r["width"] for r in image["renditions"]] == [320, 640, 1280]
        assert image["url"] == image["renditions"][-1]["url"]
        assert image["url"].startswith("http://testserver/media/articles/images/")
        bare = make_article("No photo")
        assert client.get(f"/api/v1/articles/{bare.slug}/").json()["image"] is None

    def test_images_add_no_query_to_the_home_page(self, editor_client):
        """Cards read their image from the article row: the same queries with or without."""
        for n in range(3):
            make_article(f"Plain {n}")
        reader = Client()

        def count():
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                assert reader.get("/").status_code == 200
            return len(queries)

        before = count()
        for article in Article.objects.all():
            with_image(editor_client, article, width=400, height=300)
        assert count() == before
        assert reader.get("/").content.decode().count('class="card-image"') == 3


def test_editors_group_can_upload(client):
    """The upload works for a staff editor who is not a superuser (make_editor)."""
    client.force_login(make_editor("desk"))
    article = make_article()
    response = upload(client, article, picture(600, 300))
    assert response.status_code == 302


def test_a_cdn_media_url_is_allowed_by_the_csp():
    """With NEWSROOM_MEDIA_URL on a CDN, its origin joins the CSP's img-src."""
    from newsroom.settings import _media_origin

    assert _media_origin("https://cdn.example.org/media/") == ["https://cdn.example.org"]
    assert _media_origin("/media/") == []
