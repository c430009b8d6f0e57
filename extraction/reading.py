"""Bytes in, clean text out: encoding detection, sanity checks, newline normalisation."""

from __future__ import annotations

import codecs
import re

from .types import IngestError

DEFAULT_MAX_BYTES = 5 * 1024 * 1024

_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")
# C0 control characters other than tab and newline never belong in a story.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def decode(raw: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Decode a story file; raise ``IngestError`` with the reason when it cannot be read.

    UTF-8 (with or without BOM) and UTF-16 with a BOM are accepted. Anything
    else that does not decode is refused rather than guessed at, so an editor
    never sees mojibake.
    """
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise IngestError(f"expected bytes, got {type(raw).__name__}")
    raw = bytes(raw)
    if len(raw) > max_bytes:
        raise IngestError(f"file is too large ({len(raw):,} bytes; the limit is {max_bytes:,})")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if raw.startswith(codecs.BOM_UTF32_LE):
            raise IngestError("file is UTF-32 encoded, which is not supported")
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise IngestError(
                f"file has a UTF-16 byte-order mark but is not valid UTF-16 ({exc.reason})"
            ) from None
    else:
        if b"\x00" in raw:
            raise IngestError("file looks binary (it contains NUL bytes)")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise IngestError(
                f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                "save it as UTF-8 and import again"
            ) from None
    return check_text(text.removeprefix("\ufeff"))


def check_text(text: str) -> str:
    """Decoded text, checked and with its line breaks normalised (LF); ``IngestError``
    when it holds no story (binary, control characters, nothing but white space).

    The formats that decode text themselves (HTML, feeds, JSON) pass their stories here,
    so that every story meets the same rules as a plain-text file.
    """
    if "\x00" in text:
        raise IngestError("file looks binary (it contains NUL characters)")
    if _CONTROL.search(text):
        raise IngestError("file looks binary (it contains control characters)")
    text = _NEWLINES.sub("\n", text)
    if not text.strip():
        raise IngestError("file is empty (no text after decoding)")
    return text
