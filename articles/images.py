"""Articles' lead images (issue 14): upload checks, resized renditions, what pages show.

An editor uploads one image per article in the admin. The upload is checked
(:func:`validate_upload`: a real JPEG, PNG or WebP, within the byte and pixel limits, so a
small file that decompresses to gigabytes is refused before it is decoded), decoded once
and resized (:func:`prepare`) to :data:`RENDITION_WIDTHS` wide, re-encoded without its
metadata (no camera serial or GPS position leaves the newsroom). :func:`replacing_image`
then stores the original and the renditions through the storage API
(``STORAGES["default"]``) under a random name: pages link only to renditions, and nothing
about a draft can be guessed from a file name.

Settings: ``NEWSROOM_IMAGE_MAX_BYTES``, ``NEWSROOM_IMAGE_MAX_PIXELS``,
``NEWSROOM_IMAGE_FORMAT`` (``WEBP`` or ``JPEG``).
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps, UnidentifiedImageError

# The widths pages choose from (srcset); an image narrower than the widest keeps its own.
RENDITION_WIDTHS = (320, 640, 1280)
ALLOWED_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
ACCEPT = "image/jpeg,image/png,image/webp"
FOLDER = "articles/images"
_ENCODE = {
    "WEBP": ({"quality": 82, "method": 4}, ".webp"),
    "JPEG": ({"quality": 85, "optimize": True, "progressive": True}, ".jpg"),
}


def upload_to(instance, filename: str) -> str:
    """A random name (128 bits) in ``FOLDER``: never the uploaded name nor the slug, so a
    draft's image cannot be found from its headline. Only the suffix is kept."""
    suffix = PurePosixPath(filename).suffix.lower()
    suffix = suffix if suffix in ALLOWED_FORMATS.values() else ""
    return f"{FOLDER}/{secrets.token_urlsafe(16)}{suffix}"


def _rejected(message: str) -> ValidationError:
    return ValidationError(message, code="invalid_image")


def _open_checked(file) -> Image.Image:
    """``file`` opened by Pillow (header only), or ValidationError: not an image, a format
    not allowed, or more bytes or pixels than allowed."""
    size = getattr(file, "size", None)
    limit = settings.NEWSROOM_IMAGE_MAX_BYTES
    if size is not None and size > limit:
        raise _rejected(
            f"The image is {filesizeformat(size)}; the limit is {filesizeformat(limit)}."
        )
    file.seek(0)
    try:
        image = Image.open(file)
    except Image.DecompressionBombError:
        raise _rejected("The image has too many pixels.") from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise _rejected("The file is not an image, or it is damaged.") from None
    if image.format not in ALLOWED_FORMATS:
        raise _rejected(f"{image.format} images are not accepted: upload a JPEG, PNG or WebP.")
    width, height = image.size
    max_pixels = settings.NEWSROOM_IMAGE_MAX_PIXELS
    if width * height > max_pixels:
        raise _rejected(
            f"The image is {width} × {height} pixels; the limit is {max_pixels / 1e6:g} "
            "million pixels."
        )
    return image


def validate_upload(value) -> None:
    """The model field's validator: a new upload must be an allowed image within the
    limits. A file already stored was checked when it was uploaded (not read again)."""
    if getattr(value, "_committed", True) and hasattr(value, "storage"):
        return
    file = getattr(value, "file", value)
    _open_checked(file).verify()
    file.seek(0)


@dataclass(frozen=True)
class Rendition:
    width: int
    height: int
    data: bytes


@dataclass(frozen=True)
class PreparedImage:
    """An upload decoded and resized, ready to store (:func:`replacing_image`)."""

    suffix: str  # the original's, from its format (not its name)
    renditions: list[Rendition]


def rendition_widths(width: int) -> list[int]:
    """The widths to make of an image ``width`` wide: each standard width below it, and
    the widest that is not an enlargement."""
    return sorted({w for w in RENDITION_WIDTHS if w < width} | {min(width, RENDITION_WIDTHS[-1])})


def prepare(file) -> PreparedImage:
    """Check ``file`` (see :func:`validate_upload`), decode it whole (a truncated or
    corrupt file is refused here, with a message, not half-shown) and make the renditions
    in memory. Raises ValidationError."""
    image = _open_checked(file)
    suffix = ALLOWED_FORMATS[image.format]
    try:
        image.load()
        image = ImageOps.exif_transpose(image)  # phones store "rotate me" in EXIF
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise _rejected("The image is damaged and cannot be read.") from None
    finally:
        file.seek(0)
    output = settings.NEWSROOM_IMAGE_FORMAT
    options, _ = _ENCODE[output]
    transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if output == "JPEG" or not transparent:
        if transparent:
            background = Image.new("RGB", image.size, "white")
            background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
            image = background
        else:
            image = image.convert("RGB")
    else:
        image = image.convert("RGBA")
    renditions = []
    for width in rendition_widths(image.width):
        height = max(1, round(image.height * width / image.width))
        resized = image if width == image.width else image.resize((width, height), Image.LANCZOS)
        buffer = io.BytesIO()
        resized.save(buffer, output, **options)  # no exif=: the metadata is left behind
        renditions.append(Rendition(width, height, buffer.getvalue()))
    return PreparedImage(suffix=suffix, renditions=renditions)


def _stored_names(name: str, renditions: list[dict]) -> list[str]:
    return [n for n in [name, *(r.get("name", "") for r in renditions)] if n]


@contextmanager
def replacing_image(*, article, prepared: PreparedImage | None) -> Iterator[None]:
    """Store ``prepared`` (the upload now in ``article.image``; None when the image was
    cleared) and its renditions, and set the article's fields, for the save inside the
    block. The files the article had are deleted once that save commits; the new ones, if
    the save fails (a stale edit), at once."""
    field = article._meta.get_field("image")
    storage = field.storage
    previous = (
        type(article).objects.filter(pk=article.pk).values_list("image", "image_renditions").first()
        if article.pk
        else None
    )
    written: list[str] = []
    try:
        if prepared is None:
            article.image = ""
            article.image_renditions = []
        else:
            upload = article.image.file
            upload.seek(0)
            article.image.save(f"upload{prepared.suffix}", upload, save=False)
            written.append(article.image.name)
            stem = PurePosixPath(article.image.name).with_suffix("")
            _, suffix = _ENCODE[settings.NEWSROOM_IMAGE_FORMAT]
            renditions = []
            for rendition in prepared.renditions:
                name = storage.save(
                    f"{stem}-{rendition.width}w{suffix}", ContentFile(rendition.data)
                )
                written.append(name)
                renditions.append(
                    {"width": rendition.width, "height": rendition.height, "name": name}
                )
            article.image_renditions = renditions
        yield
    except BaseException:
        for name in written:
            storage.delete(name)
        raise
    if previous:
        old = [n for n in _stored_names(*previous) if n not in written]
        transaction.on_commit(lambda: delete_files(storage, old))


def delete_files(storage, names) -> None:
    for name in names:
        storage.delete(name)


def delete_article_images(*, article) -> None:
    """Delete an article's image files once its deletion commits."""
    names = _stored_names(article.image.name or "", article.image_renditions or [])
    if names:
        storage = article._meta.get_field("image").storage
        transaction.on_commit(lambda: delete_files(storage, names))


@dataclass(frozen=True)
class LeadImage:
    """What a page needs to show an article's image: ``src`` (the widest rendition) and
    ``srcset`` for ``<img>``, the size of ``src`` (no layout shift), alt text, caption."""

    src: str
    srcset: str
    width: int
    height: int
    alt: str
    caption: str
    thumbnail: str  # the narrowest rendition, for lists
    renditions: tuple[tuple[str, int, int], ...] = ()  # (url, width, height), narrowest first

    @classmethod
    def of(cls, article, *, caption: str = "") -> LeadImage:
        storage = article._meta.get_field("image").storage
        renditions = sorted(article.image_renditions, key=lambda r: r["width"])
        urls = [storage.url(r["name"]) for r in renditions]
        widest = renditions[-1]
        return cls(
            src=urls[-1],
            srcset=", ".join(
                f"{url} {r['width']}w" for url, r in zip(urls, renditions, strict=True)
            ),
            width=widest["width"],
            height=widest["height"],
            alt=article.image_alt,
            caption=caption,
            thumbnail=urls[0],
            renditions=tuple(
                (url, r["width"], r["height"]) for url, r in zip(urls, renditions, strict=True)
            ),
        )
