"""Story files uploaded in the admin (issue 14): checked, kept where workers read them,
imported as an ``ImportRun``.

An upload is one or many story files (``articles.sources.STORY_SUFFIXES``: plain text,
HTML, feeds, ninjs JSON) and zip archives of them. Each story is checked on its own, so a
bad one never stops the others: it becomes a failed file of the run with the reason
(empty, too large, not a story file, an unsafe or unreadable zip member, past the
upload's limits). The good ones are written to a private folder
(``NEWSROOM_UPLOAD_DIR``, never served) under names of our own, and imported by
``articles.runs.start_import``: at once when they are few
(``NEWSROOM_UPLOAD_FOREGROUND_MAX_FILES``), else by the background tasks.

Source keys follow the command line's (``articles.sources``): a file is keyed by its name
(``story.txt``), a zip member by the archive's name and its path inside it
(``wire/2024/story.txt``), so uploading a story again updates its article.
"""

from __future__ import annotations

import datetime as dt
import secrets
import shutil
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath

from django.conf import settings
from django.utils import timezone
from django.utils.text import get_valid_filename

from .models import ImportRun
from .runs import start_import
from .sources import STORY_SUFFIXES, SourceFile

ZIP_SUFFIX = ".zip"
# An upload's folder left by a background import is removed this long after it was made
# (when the next upload arrives): its run has long finished by then.
KEEP_FOLDERS = dt.timedelta(days=7)
# What a zip holds beside its stories that is nobody's mistake: skipped without a word.
_ZIP_CLUTTER = ("__MACOSX/", ".DS_Store", "Thumbs.db")
ACCEPTED = ", ".join(sorted(STORY_SUFFIXES)) + " or a .zip of them"


@dataclass
class Received:
    """An upload, checked: the stories kept for the importer and those refused."""

    folder: Path
    files: list[SourceFile] = field(default_factory=list)
    refused: list[tuple[str, str, str]] = field(default_factory=list)  # (name, key, reason)
    total_bytes: int = 0

    @property
    def count(self) -> int:
        return len(self.files) + len(self.refused)


class _Limits:
    def __init__(self):
        self.max_files = settings.NEWSROOM_UPLOAD_MAX_FILES
        self.max_file_bytes = settings.NEWSROOM_UPLOAD_MAX_FILE_BYTES
        self.max_total_bytes = settings.NEWSROOM_UPLOAD_MAX_TOTAL_BYTES


def upload_name(name: str) -> str:
    """The file's own name, whatever path a client sent with it."""
    return PureWindowsPath(PurePosixPath(name or "").name).name or "unnamed"


def receive(uploads: Iterable) -> Received:
    """Check ``uploads`` (Django ``UploadedFile``s) and write the good stories to a new
    folder under ``NEWSROOM_UPLOAD_DIR``."""
    limits = _Limits()
    root = Path(settings.NEWSROOM_UPLOAD_DIR)
    _prune(root)
    folder = root / f"{timezone.now():%Y%m%d-%H%M%S}-{secrets.token_hex(6)}"
    folder.mkdir(parents=True, exist_ok=False)
    received = Received(folder)
    for upload in uploads:
        name = upload_name(upload.name)
        if Path(name).suffix.lower() == ZIP_SUFFIX:
            _receive_zip(received, upload, name, limits)
            continue
        reason = _refusal(name, upload.size, received, limits)
        if reason:
            received.refused.append((name, name, reason))
            continue
        _keep(received, name, name, b"".join(upload.chunks()))
    return received


def _prune(root: Path) -> None:
    """Remove the folders of uploads made more than ``KEEP_FOLDERS`` ago."""
    if not root.is_dir():
        return
    cutoff = (timezone.now() - KEEP_FOLDERS).timestamp()
    for folder in root.iterdir():
        if folder.is_dir() and not folder.is_symlink() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


def _refusal(name: str, size: int, received: Received, limits: _Limits) -> str:
    """Why the story ``name`` of ``size`` bytes is refused ("" if it is not)."""
    if Path(name).suffix.lower() not in STORY_SUFFIXES:
        return f"not a story file: upload {ACCEPTED}"
    if received.count >= limits.max_files:
        return f"not imported: an upload holds at most {limits.max_files:,} stories"
    if size == 0:
        return "file is empty"
    if size > limits.max_file_bytes:
        return f"file is too large ({size:,} bytes; the limit is {limits.max_file_bytes:,})"
    if received.total_bytes + size > limits.max_total_bytes:
        return (
            f"not imported: the upload passed its limit of {limits.max_total_bytes:,} bytes "
            "in all; upload the rest separately"
        )
    return ""


def _keep(received: Received, name: str, key: str, raw: bytes) -> None:
    """Write a story under a name of our own (its number, then its own name made safe)."""
    position = len(received.files) + len(received.refused)
    path = received.folder / f"{position:05d}-{get_valid_filename(name)[-100:]}"
    with open(path, "xb") as out:
        out.write(raw)
    received.total_bytes += len(raw)
    received.files.append(SourceFile(path, key))


def _receive_zip(received: Received, upload, name: str, limits: _Limits) -> None:
    stem = Path(name).stem
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, ValueError):
        received.refused.append((name, name, "not a readable zip archive"))
        return
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if not members:
            received.refused.append((name, name, "the zip archive holds no files"))
        for number, info in enumerate(members):
            if received.count >= limits.max_files:
                # One row for the rest, not one each: a zip may list a million names.
                received.refused.append(
                    (
                        name,
                        f"{stem}/…",
                        f"{len(members) - number:,} more files in the zip not imported: an "
                        f"upload holds at most {limits.max_files:,} stories",
                    )
                )
                break
            base = upload_name(info.filename)
            if (
                info.filename.startswith(_ZIP_CLUTTER[0])
                or base in _ZIP_CLUTTER
                or base[:2] == "._"
            ):
                continue
            inner = PurePosixPath(info.filename.replace("\\", "/"))
            label = f"{name}: {info.filename}"
            key = f"{stem}/{inner.as_posix().lstrip('/')}"
            # Refused by what the zip states, before anything is unpacked...
            reason = _member_refusal(info, inner) or _refusal(
                inner.name, info.file_size, received, limits
            )
            if reason:
                received.refused.append((label, key, reason))
                continue
            try:
                # Never trust the sizes a zip states (a zip bomb lies): read one byte more
                # than the limit at most.
                with archive.open(info) as member:
                    raw = member.read(limits.max_file_bytes + 1)
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError) as error:
                received.refused.append((label, key, f"cannot read it from the zip: {error}"))
                continue
            except Exception as error:  # zlib.error and the like: a damaged member
                received.refused.append((label, key, f"damaged in the zip: {error}"))
                continue
            # ... and by what it really holds.
            reason = _refusal(inner.name, len(raw), received, limits)
            if len(raw) > limits.max_file_bytes:
                reason = (
                    f"file is too large (more than {limits.max_file_bytes:,} bytes once "
                    "unpacked, the limit)"
                )
            if reason:
                received.refused.append((label, key, reason))
                continue
            _keep(received, inner.name, key, raw)


def _member_refusal(info: zipfile.ZipInfo, inner: PurePosixPath) -> str:
    """Why a zip member is refused before it is read ("" if it is not)."""
    if inner.is_absolute() or ".." in inner.parts or ":" in info.filename:
        return "unsafe path in the zip (absolute, or leading out with ..): not unpacked"
    if inner.suffix.lower() == ZIP_SUFFIX:
        return "a zip inside a zip is not opened: upload it on its own"
    if info.flag_bits & 0x1:
        return "encrypted in the zip: cannot read it"
    return ""


def import_upload(*, uploads: Iterable, publish: bool, user) -> ImportRun:
    """Receive ``uploads`` and import them as a run: at once when they hold at most
    ``NEWSROOM_UPLOAD_FOREGROUND_MAX_FILES`` stories (their files are then removed), else
    by the background tasks (which read them from ``NEWSROOM_UPLOAD_DIR``)."""
    uploads = list(uploads)
    received = receive(uploads)
    background = len(received.files) > settings.NEWSROOM_UPLOAD_FOREGROUND_MAX_FILES
    names = ", ".join(upload_name(upload.name) for upload in uploads)
    try:
        run = start_import(
            files=received.files,
            refused=received.refused,
            publish=publish,
            user=user,
            max_bytes=settings.NEWSROOM_UPLOAD_MAX_FILE_BYTES,
            description=f"upload of {received.count} stories: {names}",
            background=background,
        )
    finally:
        if not background or not received.files:
            shutil.rmtree(received.folder, ignore_errors=True)
    return run
