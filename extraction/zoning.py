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

import bisect
import datetime as dt
import re
from dataclasses import dataclass, field

from .text import sentence_spans, trim_words

_DATE_HEADER = re.compile(r"\A[ \t\n]*date[ \t]+(\d{4})-(\d{1,2})-(\d{1,2})\b[ \t]*", re.IGNORECASE)

# Boilerplate that may share a line with other text (removed as a phrase, from its opening
# words to the end of its sentence). Each phrase lies within one sentence, so it is looked
# for sentence by sentence (``_inline_boilerplate``): the one phrase that needs a later
# word ("If you buy something ... commission") is tried only where that word follows,
# rather than re-scanning the rest of the sentence from every "If you buy" (issue 12).
_INLINE_BOILERPLATE = re.compile(
    r"(?:(?:We|I) may (?:earn|receive) (?:a )?(?:small )?(?:commission|affiliate)"
    r"|This (?:article|post|story|page) (?:contains|may contain|includes) affiliate links"
    r"|(?:Our|All) (?:products|items|picks) (?:are|were) independently (?:selected|chosen))"
    r"[^.!?\n]*+[.!?]?",
    re.IGNORECASE,
)
_IF_YOU_BUY = re.compile(r"If you (?:buy|click|purchase) (?:something|through)", re.IGNORECASE)
_COMMISSION = re.compile(r"commission|affiliate", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?\n]")


def _inline_boilerplate(para: str) -> list[tuple[int, int]]:
    """Spans of boilerplate phrases in ``para``, in order, never overlapping."""
    spans = []
    pos = 0
    while pos < len(para):
        stop = _SENTENCE_END.search(para, pos)
        end = stop.start() if stop else len(para)  # the sentence is para[pos:end]
        after = end + 1 if end < len(para) and para[end] != "\n" else end
        found = _INLINE_BOILERPLATE.search(para, pos, after)
        start = found.start() if found else None
        last = None  # the last "commission" or "affiliate" of the sentence
        for last in _COMMISSION.finditer(para, pos, end):  # noqa: B007
            pass
        if last is not None:
            buy = _IF_YOU_BUY.search(para, pos, last.start())
            if buy is not None and (start is None or buy.start() < start):
                start = buy.start()
        if start is not None:
            spans.append((start, after))
        pos = end + 1
    return spans


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
_WORD = re.compile(r"\S+")  # the words of str.split()
# What a cut headline may not end with: separators ("-", ",", white space) and small words
# that need a following word (" and", " the"), in any mix ("budget -- and the").
# Scanned from the end rather than matched with ``(?:[junk]+|\s+word)+$``: that pattern
# backtracked exponentially on a run of dashes or commas (issue 12).
_JUNK_MARKS = frozenset(",;:–—-")  # and any white space
_JUNK_WORD = re.compile(
    r"(?:and|or|but|the|a|an|of|on|in|for|to|with|at|by|from|as|their|his|her|its|who|which|"
    r"that|after|before|while)",
    re.IGNORECASE,
)
_JUNK_WORD_LENGTHS = (1, 2, 3, 4, 5, 6)
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
        # The lines of the paragraph being joined. Whether it ends a sentence depends on
        # its last line only (a sentence end holds no space), so the test stays constant
        # time: testing the joined text each time made a block of short lines quadratic.
        current: list[str] = []
        for line in lines:
            if (
                current
                and not _TERMINAL.search(current[-1])
                and (line[0].islower() or current[-1][-1] in ",-")
            ):
                current.append(line)
            else:
                if current:
                    paras.append(" ".join(current))
                current = [line]
        if current:
            paras.append(" ".join(current))
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
        headline = strip_trailing_junk(headline)
    return headline


def strip_trailing_junk(text: str) -> str:
    """``text`` without the longest suffix made of separators and small words, each word
    after white space ("... a new budget -- and the" loses " -- and the").

    Linear: ``tail[i]`` says whether ``text[i:]`` is such a suffix, computed from the
    end; a suffix word is at most six letters long, so seven positions in a row that are
    no suffix mean that no position before them is one either.
    """
    n = len(text)
    tail = {n: True}
    best = n
    misses = 0
    for i in range(n - 1, -1, -1):
        ch = text[i]
        ok = (ch.isspace() or ch in _JUNK_MARKS) and tail.get(i + 1, False)
        if not ok and ch.isspace():
            ok = any(
                tail.get(i + 1 + k, False) and _JUNK_WORD.fullmatch(text, i + 1, i + 1 + k)
                for k in _JUNK_WORD_LENGTHS
                if i + 1 + k <= n
            )
        if ok:
            tail[i] = True
            best = i
            misses = 0
        else:
            misses += 1
            if misses > max(_JUNK_WORD_LENGTHS):
                break
    return text[:best]


def split_headline(line: str) -> tuple[str, str]:
    """Split a headline that swallowed its standfirst; return (headline, standfirst)."""
    # Counted once, not per candidate: re-splitting the rest of the line at every
    # candidate was quadratic on "The The The ..." (issue 12). Each candidate is one space,
    # so a word or a lower-case word lies wholly before or wholly after it.
    words = [m.start() for m in _WORD.finditer(line)]
    lower = [m.start() for m in _LOWER_WORD.finditer(line)]
    for m in _SPLIT_HEAD.finditer(line):
        head_words = bisect.bisect_left(words, m.start())
        if (
            head_words >= 4
            and len(words) - head_words >= 4
            and len(lower) - bisect.bisect_left(lower, m.end()) >= 3
        ):
            return line[: m.start()].strip(), line[m.end() :].strip()
    return line, ""


def _paragraphs(text: str, boilerplate: list[str]) -> list[str]:
    """The text's paragraphs, boilerplate removed (and added to ``boilerplate``)."""
    paragraphs: list[str] = []
    for para in _blocks(text):
        kept = para
        low = para.lower()
        spans = (
            _inline_boilerplate(para)
            if "commission" in low or "affiliate" in low or "independently" in low
            else []
        )
        if spans:
            boilerplate.extend(para[s:e].strip() for s, e in spans)
            pieces, pos = [], 0
            for s, e in spans:
                pieces.append(para[pos:s])
                pos = e
            pieces.append(para[pos:])
            kept = " ".join(" ".join(pieces).split())
        if not kept:
            continue
        if _LINE_BOILERPLATE.match(kept):
            boilerplate.append(kept)
            continue
        paragraphs.append(kept)
    return paragraphs


def _find_headline(zoned: Zoned, paragraphs: list[str]) -> list[str]:
    """Headline and standfirst read from the layout; returns the paragraphs after them."""
    first = paragraphs[0]
    head, stand = split_headline(first)
    if _LEDE_END.search(first) or (len(first) > 300 and not stand):
        zoned.headline = derive_headline(first)
        zoned.headline_derived = True
        return paragraphs
    zoned.headline, zoned.standfirst = head, stand
    rest = paragraphs[1:]
    if not zoned.standfirst and len(rest) > 1 and _is_standfirst(rest[0]):
        zoned.standfirst = rest[0]
        rest = rest[1:]
    return rest


def _split_captions(zoned: Zoned, paragraphs: list[str]) -> None:
    for para in paragraphs:
        if _is_caption(para):
            zoned.captions.append(para)
        else:
            zoned.paragraphs.append(para)


def zone(text: str) -> Zoned:
    zoned = Zoned()
    zoned.published_on, text = _parse_header(text)
    paragraphs = _paragraphs(text, zoned.boilerplate)
    if not paragraphs:
        return zoned
    _split_captions(zoned, _find_headline(zoned, paragraphs))
    return zoned


def _same_words(a: str, b: str) -> bool:
    return a.split() == b.split() or a.casefold().split() == b.casefold().split()


_BYLINE_LEAD = re.compile(r"(?i:by|words by|written by|von|par)\s+")
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…)\s*$")


def zone_story(text: str, *, headline: str = "", standfirst: str = "", byline: str = "") -> Zoned:
    """Zones of a story whose format stated its headline, standfirst or byline.

    What is given is taken as it is, never re-derived: the text is only the body. A page's
    text often repeats its headline, standfirst or byline above the body; those leading
    paragraphs are set aside. What is not given is read from the layout as ``zone`` does
    (a headline from the first paragraph, a standfirst line after it); captions and
    boilerplate are found the same way. The date is the caller's (no date header is read).
    """
    zoned = Zoned()
    paragraphs = _paragraphs(text, zoned.boilerplate)
    headline, standfirst, byline = (" ".join(v.split()) for v in (headline, standfirst, byline))
    bylines = {byline.casefold()} if byline else set()
    while paragraphs:
        first = paragraphs[0]
        lead = _BYLINE_LEAD.match(first)
        if headline and _same_words(first, headline):
            pass
        elif bylines and (
            first.casefold() in bylines or (lead and first[lead.end() :].casefold() in bylines)
        ):
            zoned.boilerplate.append(first)
        elif standfirst and _same_words(first, standfirst) and _is_standfirst(first):
            pass  # the standfirst line, repeated: it stays the standfirst
        else:
            break
        paragraphs.pop(0)
    if standfirst and paragraphs:
        # A summary that is the lede (or its start, cut with "...") is not a standfirst:
        # kept, it would repeat the body's first words.
        words = _ELLIPSIS.sub("", standfirst).casefold().split()
        if paragraphs[0].casefold().split()[: len(words)] == words:
            standfirst = ""
    if not headline:
        if not paragraphs:
            return zoned
        paragraphs = _find_headline(zoned, paragraphs)
        zoned.standfirst = standfirst or zoned.standfirst
    else:
        zoned.headline, zoned.standfirst = headline, standfirst
        if not standfirst and len(paragraphs) > 1 and _is_standfirst(paragraphs[0]):
            zoned.standfirst = paragraphs.pop(0)
    _split_captions(zoned, paragraphs)
    return zoned
