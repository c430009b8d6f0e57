"""Split decoded text into zones: date header, headline, standfirst, body, captions, boilerplate.

Decisions (see the ingest issue):
- An invalid date header ("date 2021-13-45") is removed and treated as an unknown
  publication date rather than failing the import.
- A first paragraph ending with a full stop is a lede, not a headline: a headline
  is derived from its first sentence and the lede stays in the body.
- A headline and standfirst that ran together on one line are split before a
  capitalised determiner that follows a lower-case word ("... win The Strictly ...").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .text import sentence_spans, trim_words

_DATE_HEADER = re.compile(r"\A[ \t\n]*date[ \t]+(\d{4})-(\d{1,2})-(\d{1,2})\b[ \t]*", re.IGNORECASE)

# Boilerplate that may share a line with other text (removed as a phrase).
_INLINE_BOILERPLATE = re.compile(
    r"(?:We|I) may (?:earn|receive) (?:a )?(?:small )?(?:commission|affiliate)[^.!?\n]*[.!?]?"
    r"|This (?:article|post|story|page) (?:contains|may contain|includes) affiliate links"
    r"[^.!?\n]*[.!?]?"
    r"|(?:Our|All) (?:products|items|picks) (?:are|were) independently (?:selected|chosen)"
    r"[^.!?\n]*[.!?]?"
    r"|If you (?:buy|click|purchase) (?:something|through)[^.!?\n]*(?:commission|affiliate)"
    r"[^.!?\n]*[.!?]?",
    re.IGNORECASE,
)
# Paragraphs that are boilerplate as a whole.
_LINE_BOILERPLATE = re.compile(
    r"(?:MORE|READ(?: MORE)?|WATCH|SEE|SEE ALSO|RELATED|LISTEN|VIDEO|PICTURED|PHOTOS|GALLERY|"
    r"SHOP(?: NOW)?|ALSO READ|DON'T MISS|MUST READ|LATEST|TRENDING|RECOMMENDED|CLICK HERE)"
    r"\s*[:|–—-]\s"
    r"|(?i:read more|related|see also|also read|you might also like|more on this story)\s*:"
    r"|(?i:loading(?: the)? (?:player|video)|loading\s*(?:\.\.\.|…)$)"
    r"|(?i:like this story\?|sign up (?:to|for) (?:our|the)\b|subscribe to (?:our|the)\b|"
    r"follow us on\b|click here\b|share this (?:article|story)|scroll down (?:for|to)\b|"
    r"advertisement$|continue reading\b|want (?:more|to read more)\b|"
    r"get the latest .* (?:newsletter|inbox)|do you have a story\b)"
)
_TERMINAL = re.compile(r"[.!?…]['\"”’)\]]*$|[\"”]$")
_LEDE_END = re.compile(r"\.['\"”’)\]]*$")
_CAPTION_MAX_WORDS = 20
_STANDFIRST_MAX_WORDS = 45
_SPLIT_HEAD = re.compile(
    r"(?<=[a-z0-9’'!?]) (?=(?:The|A|An|This|These|Those|Their|His|Her|Its|Our|It|They|He|She|We|"
    r"Fans|Viewers|Now|Here|But|After|Meanwhile) )"
)
_LOWER_WORD = re.compile(r"\b[a-z][a-z'’-]*\b")
_TRAILING_JUNK = re.compile(
    r"(?:[\s,;:–—-]+|\s+(?:and|or|but|the|a|an|of|on|in|for|to|with|at|by|from|as|their|his|"
    r"her|its|who|which|that|after|before|while))+$",
    re.IGNORECASE,
)
HEADLINE_MAX = 100
HEADLINE_MIN = 50
_CLAUSE_CUT = re.compile(
    r",? (?:and|with|for|after|as|while|but|before|because|when|who|which) |, "
)


@dataclass(slots=True)
class Zoned:
    headline: str = ""
    headline_derived: bool = False
    standfirst: str = ""
    published_on: dt.date | None = None
    paragraphs: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    boilerplate: list[str] = field(default_factory=list)


def _parse_header(text: str) -> tuple[dt.date | None, str]:
    m = _DATE_HEADER.match(text)
    if not m:
        return None, text
    try:
        published = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        published = None  # documented: an invalid header means "unknown date"
    return published, text[m.end() :]


def _hard_wrapped(lines: list[str]) -> bool:
    """A block typed with line breaks every 50-100 characters, mid-sentence."""
    if len(lines) < 3:
        return False
    body = lines[:-1]
    wrapped = sum(1 for ln in body if 40 <= len(ln) <= 100 and not _TERMINAL.search(ln))
    return wrapped >= 0.6 * len(body)


def _blocks(text: str) -> list[str]:
    """Paragraphs: blank-line separated blocks; within a block, each line is a paragraph
    unless the block is hard-wrapped or a line continues the previous one (lower-case start)."""
    paras: list[str] = []
    for block in re.split(r"\n[ \t]*\n", text):
        lines = [" ".join(ln.split()) for ln in block.split("\n")]
        lines = [ln for ln in lines if ln]
        if _hard_wrapped(lines):
            paras.append(" ".join(lines))
            continue
        current = ""
        for line in lines:
            if (
                current
                and not _TERMINAL.search(current)
                and (line[0].islower() or current[-1] in ",-")
            ):
                current += " " + line
            else:
                if current:
                    paras.append(current)
                current = line
        if current:
            paras.append(current)
    return paras


def _is_caption(para: str) -> bool:
    if _TERMINAL.search(para) or para[0] in "\"“‘'([" or para[-1] in ",;:":
        return False
    words = para.split()
    return 2 <= len(words) <= _CAPTION_MAX_WORDS


def _is_standfirst(para: str) -> bool:
    """The summary line under a headline: a sentence without its full stop, longer than a
    caption may be ("Ahead of the new season, the captain talks to ... about ...")."""
    if _TERMINAL.search(para) or para[0] in "\"“‘'([" or para[-1] in ",;:":
        return False
    return 5 <= len(para.split()) <= _STANDFIRST_MAX_WORDS


def derive_headline(lede: str) -> str:
    spans = sentence_spans(lede)
    first = lede[spans[0][0] : spans[0][1]] if spans else lede
    first = first.strip().rstrip(".")
    headline = trim_words(first, HEADLINE_MAX)
    if len(headline) < len(" ".join(first.split())):
        # Prefer ending at a clause boundary ("..., with ...") over mid-phrase.
        cuts = [m.start() for m in _CLAUSE_CUT.finditer(headline) if m.start() >= HEADLINE_MIN]
        if cuts:
            headline = headline[: cuts[-1]]
        headline = _TRAILING_JUNK.sub("", headline)
    return headline


def split_headline(line: str) -> tuple[str, str]:
    """Split a headline that swallowed its standfirst; return (headline, standfirst)."""
    for m in _SPLIT_HEAD.finditer(line):
        head, rest = line[: m.start()], line[m.end() :]
        if (
            len(head.split()) >= 4
            and len(rest.split()) >= 4
            and len(_LOWER_WORD.findall(rest)) >= 3
        ):
            return head.strip(), rest.strip()
    return line, ""


def zone(text: str) -> Zoned:
    zoned = Zoned()
    zoned.published_on, text = _parse_header(text)
    paragraphs: list[str] = []
    for para in _blocks(text):
        kept = para
        low = para.lower()
        found = (
            [m.group().strip() for m in _INLINE_BOILERPLATE.finditer(para)]
            if "commission" in low or "affiliate" in low or "independently" in low
            else []
        )
        if found:
            zoned.boilerplate.extend(found)
            kept = " ".join(_INLINE_BOILERPLATE.sub(" ", para).split())
        if not kept:
            continue
        if _LINE_BOILERPLATE.match(kept):
            zoned.boilerplate.append(kept)
            continue
        paragraphs.append(kept)
    if not paragraphs:
        return zoned
    first = paragraphs[0]
    head, stand = split_headline(first)
    if _LEDE_END.search(first) or (len(first) > 300 and not stand):
        zoned.headline = derive_headline(first)
        zoned.headline_derived = True
        rest = paragraphs
    else:
        zoned.headline, zoned.standfirst = head, stand
        rest = paragraphs[1:]
        if not zoned.standfirst and len(rest) > 1 and _is_standfirst(rest[0]):
            zoned.standfirst = rest[0]
            rest = rest[1:]
    for para in rest:
        if _is_caption(para):
            zoned.captions.append(para)
        else:
            zoned.paragraphs.append(para)
    return zoned
