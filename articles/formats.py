"""Story files in the formats newsrooms receive: plain text, HTML article pages, RSS and
Atom feeds, IPTC ninjs JSON (issue 13).

A file holds one story or several (a feed, a ninjs array). :func:`read_stories` splits a
file into stories, each with its source key, its text (paragraphs separated by blank
lines, so that the pipeline's offsets hold) and what the format states about it (headline,
date, byline) as ``extraction.StoryMetadata``: the pipeline takes that as given instead of
guessing it from the layout. Reading a format is cheap beside the pipeline, and each
story's hash is known before it is parsed. :func:`parse_stories` runs the pipeline on
each. Every failure is an ``IngestError`` with the reason for editors, for the file or for
one story: a bad entry never loses the others.

Which format a file is: its extension (``.txt``; ``.html``/``.htm``; ``.xml``, ``.rss``,
``.atom``; ``.json``), and for any other name its first bytes (an XML feed, an HTML page),
else plain text as before.

Source keys (see ``articles.sources``): a plain-text or HTML file is one story under the
file's key; a feed entry is ``<file key>#<entry id>`` (the guid or Atom id, else its link,
else its title), so that the same entry in the next copy of the feed finds its article; a
ninjs item is keyed by its ``uri`` (the item's identity across versions), prefixed with
the ``--source`` name when one is given. A key longer than an article can hold keeps its
readable start and ends with a hash of the whole.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from django.utils import timezone

import extraction
from extraction import IngestError, ParsedArticle, StoryMetadata, WorldKnowledge

from .models import Article
from .sources import SOURCE_SEPARATOR

TEXT, HTML, FEED, NINJS = "text", "html", "feed", "ninjs"
EXTENSIONS = {
    ".txt": TEXT,
    ".html": HTML,
    ".htm": HTML,
    ".xml": FEED,
    ".rss": FEED,
    ".atom": FEED,
    ".json": NINJS,
}
SOURCE_KEY_MAX_LENGTH = Article._meta.get_field("source_key").max_length
# Characters of an entry id or uri kept readable in a key that had to be shortened.
_KEY_HASH_CHARS = 32


@dataclass(frozen=True)
class Story:
    """One story read from a file, ready for the pipeline.

    Plain text keeps its bytes (``raw``), parsed exactly as before formats existed; the
    other formats give ``text`` and ``metadata``. ``sha256`` is the hash the article will
    carry, known before parsing (an unchanged story is recognised without the pipeline).
    """

    key: str
    source_name: str
    sha256: str
    raw: bytes | None = None
    text: str = ""
    metadata: StoryMetadata = StoryMetadata()  # noqa: RUF009 (frozen, immutable)
    raw_text: str | None = None  # the story as received, for editors (default: text)
    # Which story of its file this is ("feed entry 'guid'"), for reasons; "" for a file of one.
    label: str = ""

    def parse(self, *, world: WorldKnowledge, max_bytes: int) -> ParsedArticle:
        """Run the pipeline; ``IngestError`` when the story cannot be read."""
        if self.raw is not None:
            return extraction.parse_article(
                self.raw, source_name=self.source_name, world=world, max_bytes=max_bytes
            )
        try:
            return extraction.parse_story(
                self.text,
                source_name=self.source_name,
                metadata=self.metadata,
                raw_text=self.raw_text,
                world=world,
                max_bytes=max_bytes,
            )
        except IngestError as error:
            raise IngestError(f"{self.label}: {error}" if self.label else str(error)) from None


Outcome = tuple[str, "Story | IngestError"]


def story_format(path: Path, raw: bytes) -> str:
    """The format of a file: by its extension, else by its first bytes, else plain text."""
    known = EXTENSIONS.get(path.suffix.lower())
    if known is not None:
        return known
    head = raw[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<rss", b"<feed", b"<rdf:rdf")) or (
        head.startswith(b"<?xml") and re.search(rb"<(?:rss|feed|rdf:rdf)\b", head)
    ):
        return FEED
    if head.startswith((b"<!doctype html", b"<html")):
        return HTML
    return TEXT


def read_stories(path: Path, raw: bytes, key: str, *, source: str = "") -> list[Outcome]:
    """The stories of one file, each as ``(source key, Story or IngestError)``.

    ``key`` is the file's source key, ``source`` the ``--source`` name it was given with
    (a ninjs item's key is its uri, under that name). A file that cannot be read at all is
    one ``IngestError`` under the file's key.
    """
    kind = story_format(path, raw)
    try:
        if kind == HTML:
            return [(key, _html_story(path, raw, key))]
        if kind == FEED:
            return _feed_stories(path, raw, key)
        if kind == NINJS:
            return _ninjs_stories(path, raw, key, source=source)
    except IngestError as error:
        return [(key, error)]
    return [(key, Story(key, path.name, hashlib.sha256(raw).hexdigest(), raw=raw))]


def parse_stories(
    path: Path,
    raw: bytes,
    key: str,
    world: WorldKnowledge,
    max_bytes: int,
    *,
    source: str = "",
) -> list[tuple[str, ParsedArticle | IngestError]]:
    """Every story of one file through the pipeline, as ``(source key, ParsedArticle or
    IngestError)``. (An importer that learns people between stories parses them one by
    one from :func:`read_stories` instead.)"""
    parsed: list[tuple[str, ParsedArticle | IngestError]] = []
    for story_key, story in read_stories(path, raw, key, source=source):
        if isinstance(story, Story):
            try:
                story = story.parse(world=world, max_bytes=max_bytes)
            except IngestError as error:
                story = error
        parsed.append((story_key, story))
    return parsed


def _story(
    key: str, path: Path, text: str, metadata: StoryMetadata, raw_text=None, label=""
) -> Story:
    return Story(
        key,
        path.name,
        extraction.story_sha256(text, metadata),
        text=text,
        metadata=metadata,
        raw_text=raw_text,
        label=label,
    )


def _clean(value) -> str:
    """One line of metadata: white space collapsed, control characters dropped."""
    return " ".join(_CONTROL.sub(" ", str(value or "")).split())


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


_BY = re.compile(r"(?i:by)\s+")


def _byline(value) -> str:
    """A byline as a name or names: "By Jane Porter" is "Jane Porter" (pages say "By ")."""
    byline = _clean(value)
    return byline[_BY.match(byline).end() :] if _BY.match(byline) else byline


def _published(moment: dt.datetime | None, day: dt.date | None = None) -> dict:
    """``published_on``/``published_at`` for metadata: a moment's day is the newsroom's."""
    if moment is None:
        return {"published_on": day, "published_at": None}
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    local = moment.astimezone(timezone.get_default_timezone())
    return {"published_on": local.date(), "published_at": moment}


def _bounded_key(prefix: str, identity: str) -> str:
    """``prefix + identity``, or when too long for an article, ``prefix``, the start of the
    identity and a hash of all of it (stable: the same identity, the same key)."""
    key = prefix + identity
    if len(key) <= SOURCE_KEY_MAX_LENGTH:
        return key
    digest = hashlib.sha256(identity.encode()).hexdigest()[:_KEY_HASH_CHARS]
    room = SOURCE_KEY_MAX_LENGTH - len(prefix) - len(digest) - 1
    if room < 0:
        raise IngestError(
            f"source key too long ({len(key)} characters, at most {SOURCE_KEY_MAX_LENGTH}): "
            "use a shorter folder path or --source name"
        )
    return f"{prefix}{identity[:room]}~{digest}"


# --- HTML text to paragraphs ---------------------------------------------------------------

_BLOCK_TAGS = (
    "address article aside blockquote dd details dialog div dl dt fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table "
    "td th tr ul"
)
_BLOCKS = frozenset(_BLOCK_TAGS.split())
_SKIPPED = frozenset(
    "script style noscript template iframe object svg math head".split()  # noqa: SIM905
)


class _Paragraphs(HTMLParser):
    """Text of an HTML fragment, one paragraph per block element; ``<br>`` a line break."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.lines: list[str] = []
        self.words: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag == "br":
            self._end_line()
        elif tag in _BLOCKS:
            self._end_paragraph()

    def handle_startendtag(self, tag, attrs):
        if tag == "br":
            self._end_line()
        elif tag in _BLOCKS:
            self._end_paragraph()

    def handle_endtag(self, tag):
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS:
            self._end_paragraph()

    def handle_data(self, data):
        if not self.skipping:
            self.words.append(data)

    def _end_line(self):
        line = " ".join("".join(self.words).split())
        self.words = []
        if line:
            self.lines.append(line)

    def _end_paragraph(self):
        self._end_line()
        if self.lines:
            self.paragraphs.append("\n".join(self.lines))
        self.lines = []

    def close(self):
        super().close()
        self._end_paragraph()


def html_paragraphs(fragment: str) -> str:
    """An HTML fragment as plain text, paragraphs separated by blank lines."""
    parser = _Paragraphs()
    parser.feed(_CONTROL.sub(" ", fragment))
    parser.close()
    return "\n\n".join(parser.paragraphs)


def _plain_paragraphs(text: str) -> str:
    """Plain text from a structured format: control characters dropped (a story file would
    be refused for them, but here they are the format's stray bytes)."""
    return _CONTROL.sub(" ", text).strip()


# --- HTML pages ----------------------------------------------------------------------------


def _html_story(path: Path, raw: bytes, key: str) -> Story:
    import trafilatura  # 0.3 s to import: only when an HTML page comes

    # Its complaints about a page ("empty HTML tree") are the reason the import reports.
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)

    document = trafilatura.bare_extraction(
        raw,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        deduplicate=False,
        # Only dates the page states as its own (meta tags, structured data, the URL): the
        # extensive search takes any date in the text, a copyright year for one.
        # The time and offset too, when the page states them (article:published_time).
        date_extraction_params={
            "extensive_search": False,
            "original_date": True,
            "outputformat": "%Y-%m-%dT%H:%M:%S%z",
        },
    )
    text = (document.text or "") if document is not None else ""
    if not text.strip():
        raise IngestError("HTML page has no article text (no main content was found)")
    moment, day = _html_date(document.date)
    metadata = StoryMetadata(
        headline=_clean(document.title),
        standfirst=_clean(document.description),
        byline=_byline((document.author or "").replace(";", ",")),
        **_published(moment, day),
    )
    # trafilatura gives one block (paragraph, heading, list item) per line.
    body = "\n\n".join(line.strip() for line in text.split("\n") if line.strip())
    try:
        received = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        received = raw.decode("latin-1")  # shown to editors only; the text is trafilatura's
    return _story(key, path, _plain_paragraphs(body), metadata, raw_text=received)


def _html_date(value: str | None) -> tuple[dt.datetime | None, dt.date | None]:
    """A page's date as htmldate gives it: a moment when it has an offset, else its day
    only (a date without a time reads as midnight, which it is not)."""
    if not value:
        return None, None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None, None  # as with an invalid date header: unknown rather than refused
    return (parsed, None) if parsed.tzinfo is not None else (None, parsed.date())


# --- RSS and Atom feeds --------------------------------------------------------------------

# feedparser's complaints that leave a feed whole: a charset declared one way and served
# another, a content type. Anything else (not well-formed XML) refuses the file: the loose
# parser's guess at a truncated feed could cut an entry short and "update" its article.
_HARMLESS_FEED_ERRORS = ("CharacterEncodingOverride", "NonXMLContentType")
_HTML_TYPES = ("text/html", "application/xhtml+xml", "html", "xhtml")


def _feed_stories(path: Path, raw: bytes, key: str) -> list[Outcome]:
    import feedparser  # only when a feed comes

    # A stream, never bytes or a string: given those, feedparser tries them as a file name
    # or a URL first (and would read a local file, or the network).
    feed = feedparser.parse(io.BytesIO(raw), resolve_relative_uris=False)
    problem = feed.get("bozo_exception")
    if feed.get("bozo") and type(problem).__name__ not in _HARMLESS_FEED_ERRORS:
        raise IngestError(f"not a well-formed RSS or Atom feed: {problem}")
    if not feed.get("version"):
        raise IngestError("not an RSS or Atom feed (no <rss>, <feed> or RDF root element)")
    if not feed.entries:
        raise IngestError("the feed has no entries")
    outcomes: list[Outcome] = []
    seen: set[str] = set()
    for number, entry in enumerate(feed.entries, 1):
        identity = _clean(entry.get("id") or entry.get("link") or entry.get("title"))
        if not identity:
            outcomes.append(
                (f"{key}#{number}", IngestError(f"feed entry {number} has no id, link or title"))
            )
            continue
        try:
            entry_key = _bounded_key(f"{key}#", identity)
            if entry_key in seen:
                raise IngestError(
                    f"feed entry {number} repeats the id {identity!r}: only the first is imported"
                )
            seen.add(entry_key)
            outcomes.append((entry_key, _feed_story(path, entry, entry_key)))
        except IngestError as error:
            outcomes.append((_bounded_key(f"{key}#", identity[:100]), error))
    return outcomes


def _feed_story(path: Path, entry, key: str) -> Story:
    content = _entry_content(entry)
    if content is None:
        raise IngestError(f"feed entry {key.rpartition('#')[2]!r} has no text")
    value, kind = content
    text = html_paragraphs(value) if kind in _HTML_TYPES else _plain_paragraphs(value)
    if not text.strip():
        raise IngestError(f"feed entry {key.rpartition('#')[2]!r} has no text")
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    moment = dt.datetime(*parsed[:6], tzinfo=dt.UTC) if parsed else None
    authors = [_clean(a.get("name")) for a in entry.get("authors") or [] if a.get("name")]
    byline = _byline(", ".join(authors) or entry.get("author"))
    title = entry.get("title") or ""
    if (entry.get("title_detail") or {}).get("type") in _HTML_TYPES:
        title = html_paragraphs(title)
    metadata = StoryMetadata(
        headline=_clean(title),
        byline=byline,
        **_published(moment),
    )
    label = f"feed entry {key.rpartition('#')[2]!r}"
    return _story(key, path, text, metadata, raw_text=value, label=label)


def _entry_content(entry) -> tuple[str, str] | None:
    """The entry's full text (content:encoded, Atom content), else its summary (many RSS
    feeds carry the whole story in <description>), with its type."""
    for content in entry.get("content") or []:
        if (content.get("value") or "").strip():
            return content["value"], (content.get("type") or "text/html").lower()
    summary = entry.get("summary") or ""
    if summary.strip():
        detail = entry.get("summary_detail") or {}
        return summary, (detail.get("type") or "text/html").lower()
    return None


# --- IPTC ninjs ----------------------------------------------------------------------------

_NOT_STORIES = {"picture", "graphic", "audio", "video"}
_WITHHELD = {"withheld", "canceled", "cancelled"}


def _ninjs_stories(path: Path, raw: bytes, key: str, *, source: str) -> list[Outcome]:
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise IngestError(
            f"JSON file is not valid UTF-8 (byte 0x{raw[error.start]:02x} at offset {error.start})"
        ) from None
    except json.JSONDecodeError as error:
        raise IngestError(
            f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        ) from None
    except RecursionError:
        raise IngestError("not valid JSON: nested too deeply") from None
    items = data if isinstance(data, list) else [data]
    if not items:
        raise IngestError("the JSON array holds no ninjs items")
    prefix = f"{source}{SOURCE_SEPARATOR}" if source else ""
    outcomes: list[Outcome] = []
    seen: set[str] = set()
    for number, item in enumerate(items, 1):
        where = f"ninjs item {number}" if len(items) > 1 else "ninjs item"
        uri = _clean(item.get("uri")) if isinstance(item, dict) else ""
        if not uri:
            problem = "is not a JSON object" if not isinstance(item, dict) else "has no uri"
            item_key = key if len(items) == 1 else f"{key}#{number}"
            outcomes.append((item_key, IngestError(f"{where} {problem} (ninjs requires one)")))
            continue
        try:
            item_key = _bounded_key(prefix, uri)
            if item_key in seen:
                raise IngestError(f"{where} repeats the uri {uri!r}: only the first is imported")
            seen.add(item_key)
            outcomes.append((item_key, _ninjs_story(path, item, item_key, where)))
        except IngestError as error:
            outcomes.append((_bounded_key(prefix, uri[:100]), error))
    return outcomes


def _ninjs_story(path: Path, item: dict, key: str, where: str) -> Story:
    kind = _clean(item.get("type")).lower()
    if kind in _NOT_STORIES:
        raise IngestError(f"{where} is a {kind}, not a text story")
    status = _clean(item.get("pubstatus")).lower()
    if status in _WITHHELD:
        raise IngestError(f"{where} is {status} (pubstatus): not imported")
    body = _ninjs_body(item)
    if body is None:
        raise IngestError(f"{where} has no body (body_html, body_text or bodies)")
    value, is_html = body
    text = html_paragraphs(value) if is_html else _plain_paragraphs(value)
    if not text.strip():
        raise IngestError(f"{where} has an empty body")
    moment, day = _ninjs_date(item.get("versioncreated") or item.get("firstcreated"))
    standfirst = _ninjs_description(item)
    metadata = StoryMetadata(
        headline=_clean(_ninjs_headline(item)),
        standfirst=_clean(standfirst),
        byline=_byline(item.get("byline") or item.get("by") or _bylines(item.get("bylines"))),
        **_published(moment, day),
    )
    raw_text = json.dumps(item, ensure_ascii=False, indent=2)
    return _story(key, path, text, metadata, raw_text=raw_text, label=where)


def _role_first(entries, roles: Iterable[str]) -> list[dict]:
    """The objects of a ninjs 2.x array (``headlines``, ``bodies``), the given roles first."""
    entries = [e for e in entries or [] if isinstance(e, dict) and isinstance(e.get("value"), str)]
    order = {role: i for i, role in enumerate(roles)}
    return sorted(entries, key=lambda e: order.get(str(e.get("role") or "").lower(), len(order)))


def _ninjs_headline(item: dict) -> str:
    if isinstance(item.get("headline"), str):  # ninjs 1.x
        return item["headline"]
    headlines = _role_first(item.get("headlines"), ("main", "", "headline"))  # ninjs 2.x
    return headlines[0]["value"] if headlines else ""


def _ninjs_body(item: dict) -> tuple[str, bool] | None:
    """The body with its paragraphs: HTML first (ninjs 1.x ``body_html``/``body_xhtml``,
    2.x ``bodies`` of an HTML type), whose paragraphs are marked; then plain text."""
    for name in ("body_html", "body_xhtml"):
        if isinstance(item.get(name), str) and item[name].strip():
            return item[name], True
    bodies = _role_first(item.get("bodies"), ("main", "", "body", "html", "text"))
    for body in bodies:
        kind = str(body.get("contenttype") or "").lower()
        if any(t in kind for t in ("html", "xhtml")) and body["value"].strip():
            return body["value"], True
    if isinstance(item.get("body_text"), str) and item["body_text"].strip():
        return item["body_text"], False
    for body in bodies:
        if body["value"].strip():
            return body["value"], bool(re.match(r"\s*<", body["value"]))
    return None


def _ninjs_description(item: dict) -> str:
    if isinstance(item.get("description_text"), str):
        return item["description_text"]
    if isinstance(item.get("description_html"), str):
        return html_paragraphs(item["description_html"])
    for description in _role_first(item.get("descriptions"), ("summary", "", "abstract")):
        role = str(description.get("role") or "").lower()
        if role in ("", "summary", "abstract", "standfirst", "teaser"):
            value = description["value"]
            kind = str(description.get("contenttype") or "").lower()
            return html_paragraphs(value) if "html" in kind else value
    return ""


def _bylines(value) -> str:
    """ninjs 2.x+ ``bylines``: objects with a ``byline`` (or ``name``) each."""
    if not isinstance(value, list):
        return ""
    names = [v.get("byline") or v.get("name") for v in value if isinstance(v, dict)]
    return ", ".join(_clean(n) for n in names if n)


def _ninjs_date(value) -> tuple[dt.datetime | None, dt.date | None]:
    """``versioncreated``: a date-time (offset expected; UTC when missing), or a date."""
    if not isinstance(value, str) or not value.strip():
        return None, None
    value = value.strip()
    try:
        if len(value) == 10:
            return None, dt.date.fromisoformat(value)
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None, None  # unknown, as an invalid date header is
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)), None
