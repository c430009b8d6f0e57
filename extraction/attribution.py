"""Who said each quote: patterns around the quote, then pronoun and description resolution.

Rules (``ExtractedQuote.rule``): "verb-before-colon" (``Rose said: "..."``), "verb-after"
(``"...," Giovanni added``), "participial" (``..., writing: "..."``, ``with X adding:``),
"pronoun" (he/she resolved to the most recent compatible person), "description"
(``the Italian dancer``), "label" (``one fan``, ``a spokeswoman``: no named person),
"verb-before" (a speech verb earlier in the reporter's sentence), "continuation" (a
quote directly following another inherits its speaker), "previous-paragraph" (a quote
opening a paragraph, with no attribution of its own, is answered by the named speaker of
the previous paragraph's last sentence: "..., Lady Harriet paused before answering.")
and "none". A pronoun after "X asked ..." never resolves to the asker.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .lexicon import PARTICIPLES, ROLE_NOUNS, SPEECH_VERBS
from .people import PersonInfo
from .quotes import MASK, RawQuote
from .types import ExtractedMention

_VERB_ALT = "|".join(sorted(SPEECH_VERBS, key=len, reverse=True))
# The lookahead (the verbs' first letters) lets the engine skip other positions quickly.
_VERB_FIRST = "".join(sorted({v[0] for v in SPEECH_VERBS}))
_VERB = re.compile(rf"(?=[{_VERB_FIRST}])\b(?:{_VERB_ALT})\b")
_WORD = re.compile(r"[\w'’-]+|[^\w\s]")
_BOUNDARY_WORDS = frozenset(
    [
        "and",
        "but",
        "while",
        "as",
        "with",
        "when",
        "after",
        "before",
        "that",
        "which",
        "who",
        "whom",
        "so",
        "because",
        "if",
        "though",
        "although",
        "since",
        "until",
        "whereas",
        "where",
        "then",
    ]
)
_ADVERBS = frozenset(
    [
        "then",
        "also",
        "later",
        "simply",
        "just",
        "once",
        "previously",
        "has",
        "had",
        "have",
        "was",
        "is",
        "were",
        "quickly",
        "proudly",
        "recently",
        "earlier",
        "now",
        "further",
        "even",
        "still",
        "again",
        "finally",
        "candidly",
    ]
)
_PRONOUNS = {"he": "m", "she": "f", "they": None, "i": None, "we": None}
_DETERMINERS = frozenset(
    [
        "the",
        "a",
        "an",
        "one",
        "another",
        "his",
        "her",
        "their",
        "its",
        "our",
        "your",
        "this",
        "that",
        "some",
    ]
)
_INDEFINITE = frozenset(["a", "an", "one", "another", "some"])
_ARTICLES = frozenset(["the", "a", "an", "his", "her", "their", "its", "our", "your"])
_LEADING_ADVERBIAL = frozenset(
    [
        "in",
        "on",
        "at",
        "after",
        "before",
        "during",
        "following",
        "alongside",
        "speaking",
        "taking",
        "appearing",
        "asked",
        "when",
        "while",
        "as",
        "since",
        "despite",
        "to",
        "with",
        "writing",
        "posting",
        "sharing",
        "reacting",
        "responding",
        "last",
        "this",
        "earlier",
        "later",
        "meanwhile",
        "however",
        "elsewhere",
        "and",
        "but",
        "so",
        "then",
        "now",
        "yesterday",
        "today",
    ]
)
_PROFESSIONS = frozenset(
    [
        "actor",
        "actress",
        "dancer",
        "singer",
        "musician",
        "rapper",
        "presenter",
        "host",
        "comedian",
        "writer",
        "author",
        "journalist",
        "model",
        "designer",
        "choreographer",
        "footballer",
        "player",
        "boxer",
        "athlete",
        "chef",
        "doctor",
        "lawyer",
        "politician",
        "mp",
        "minister",
    ]
)
_NP_STOP = SPEECH_VERBS | frozenset(
    ["by", "of", "to", "for", "in", "on", "at", "from", "into", "about", "over"]
)
_REL_CLAUSE = re.compile(r",\s+(?:who|whose|which|aged|\d+)\b[^,]*$|,\s+\d+$")
_AGE = re.compile(r"^\d+-year-old$")


@dataclass(slots=True)
class Attribution:
    speaker: int | None = None
    label: str | None = None
    rule: str = "none"
    confidence: float = 0.0


class Resolver:
    """Resolves subjects (names, pronouns, descriptions) to people at a position."""

    def __init__(
        self,
        body: str,
        masked: str,
        info: list[PersonInfo],
        mentions: list[ExtractedMention],
        quote_ranges: list[tuple[int, int]],
    ) -> None:
        self.body = body
        self.masked = masked
        self.info = info
        self.by_end = {m.end: m for m in mentions}
        # Reporter-text mentions only: salience ignores names inside quotes.
        self.reporter = [m for m in mentions if masked[m.start] != MASK]
        self.starts = [m.start for m in self.reporter]

    # -- people by position -------------------------------------------------
    def first_from(self, start: int, end: int) -> ExtractedMention | None:
        """The first reporter-text mention starting in ``[start, end)``."""
        i = bisect.bisect_left(self.starts, start)
        if i < len(self.starts) and self.starts[i] < end:
            return self.reporter[i]
        return None

    def between(self, start: int, end: int) -> list[ExtractedMention]:
        """Reporter-text mentions starting in ``[start, end)``, in order."""
        return self.reporter[
            bisect.bisect_left(self.starts, start) : bisect.bisect_left(self.starts, end)
        ]

    def recent(self, pos: int) -> list[int]:
        """People mentioned before ``pos``, most recent first, unique."""
        out: list[int] = []
        i = bisect.bisect_left(self.starts, pos) - 1
        while i >= 0:
            p = self.reporter[i].person
            if p not in out:
                out.append(p)
            i -= 1
        return out

    def pronoun(self, word: str, pos: int) -> int | None:
        gender = _PRONOUNS.get(word)
        if gender is None:
            return None
        for p in self.recent(pos):
            if self.info[p].gender in (gender, None):
                return p
        return None

    def description(self, head: str, adjs: list[str], pos: int) -> int | None:
        gender = ROLE_NOUNS.get(head)
        recent = self.recent(pos)
        wanted = {head, *adjs}
        tagged = [p for p in recent if self.info[p].roles & wanted]
        if not tagged:
            tagged = [p for p in range(len(self.info)) if self.info[p].roles & wanted]
        if len(tagged) == 1 or (tagged and gender is None):
            return tagged[0]
        ok = [p for p in recent if gender is None or self.info[p].gender in (gender, None)]
        if head in _PROFESSIONS:
            fit = [
                p
                for p in ok
                if not (self.info[p].roles & _PROFESSIONS) or head in self.info[p].roles
            ]
            ok = fit or ok
        return ok[0] if ok else None

    # -- noun phrases -------------------------------------------------------
    def subject_before(self, pos: int, floor: int) -> Attribution | None:
        """The subject that ends right before ``pos`` (a verb), skipping adverbs."""
        text = self.masked
        end = pos
        while True:
            while end > floor and text[end - 1].isspace():
                end -= 1
            ws = end
            while ws > floor and (text[ws - 1].isalnum() or text[ws - 1] in "'’-"):
                ws -= 1
            if ws < end and text[ws:end].lower() in _ADVERBS and ws > floor:
                end = ws
                continue
            break
        if end > floor and text[end - 1] == ",":
            # "Anna Nowak, said" (appositive) or "X, who organised the protest, said".
            inner = end - 1
            mention = self.by_end.get(inner)
            if mention is not None and text[mention.start] != MASK:
                return Attribution(mention.person, None, "name", 1.0)
            m = _REL_CLAUSE.search(text, max(floor, inner - 120), inner)
            if m is None:
                return None
            end = m.start()
        mention = self.by_end.get(end)
        if mention is not None and text[mention.start] != MASK:
            return Attribution(mention.person, None, "name", 1.0)
        # Walk back to a boundary to get the noun phrase.
        toks = list(_WORD.finditer(text, max(floor, end - 100), end))
        words: list[str] = []
        start = end
        k = len(toks) - 1
        while k >= 0:
            w = toks[k].group()
            lw = w.lower()
            left = toks[k - 1].group() if k > 0 else ""
            right = words[0] if words else ""
            if (
                lw in ("for", "of", "at")
                and words
                and (
                    right[:1].isupper()
                    or any(t.group().lower() in ("a", "an", "the") for t in toks[max(0, k - 3) : k])
                )
            ):
                pass  # "a spokesperson for the RNLI", "Department for Environment"
            elif lw in ("and", ",", "&") and right[:1].isupper() and left[:1].isupper() and words:
                pass  # "Department for Environment, Food and Rural Affairs"
            elif lw == "to" and left.lower() == "close" and words:
                pass  # "a source close to the couple"
            elif not (w[0].isalnum()) or lw in _BOUNDARY_WORDS or lw in _NP_STOP or MASK in w:
                break
            words.insert(0, w)
            start = toks[k].start()
            if len(words) > 10:
                return None
            k -= 1
        return self.noun_phrase(words, start)

    def noun_phrase(self, words: list[str], pos: int) -> Attribution | None:
        if not words:
            return None
        first = words[0].lower()
        if len(words) == 1 and first in _PRONOUNS:
            p = self.pronoun(first, pos)
            if p is None:
                return Attribution(None, None, "pronoun", 0.2)
            return Attribution(p, None, "pronoun", 0.75)
        m = self.first_from(pos, pos + sum(len(w) + 1 for w in words) + 2)
        if m is not None:
            return Attribution(m.person, None, "name", 1.0)
        if len(words) == 1 and first in _ARTICLES:
            return None  # "in the comments": the "verb" was a noun
        if first in _DETERMINERS:
            head = words[-1].lower().removesuffix("'s").removesuffix("’s")
            if first not in _INDEFINITE and (head in ROLE_NOUNS or _AGE.match(head)):
                adjs = [w.lower() for w in words[1:-1]]
                p = self.description(head, adjs, pos)
                if p is not None:
                    return Attribution(p, None, "description", 0.7)
            label = " ".join([first, *words[1:]])
            return Attribution(None, label, "label", 0.85)
        if all(w[:1].isupper() for w in words) and len(words) <= 4:
            return Attribution(None, " ".join(words), "label", 0.8)
        if len(words) == 1 and first in ("another", "others", "fans", "police", "officials"):
            return Attribution(None, first, "label", 0.8)
        return None

    def sentence_subject(self, s_start: int, limit: int) -> Attribution | None:
        """Subject at the start of the sentence beginning at ``s_start``."""
        text = self.masked
        pos = s_start
        while pos < limit and not text[pos].isalnum():
            pos += 1
        m = _WORD.match(text, pos)
        if m and (m.group().lower() in _LEADING_ADVERBIAL or m.group().lower().endswith("ing")):
            comma = text.find(", ", pos, min(limit, pos + 160))
            if comma < 0:
                return None
            pos = comma + 2
        mention = self.first_from(pos, pos + 40)
        if mention is not None:
            # "Rose ...", or a name after its role: "Host Mo Sinclair ...", "Café owner Gemma ..."
            lead = text[pos : mention.start].split()
            if not lead or (len(lead) <= 3 and lead[-1].lower() in ROLE_NOUNS):
                return Attribution(mention.person, None, "name", 1.0)
        words = []
        for m in _WORD.finditer(text, pos, limit):
            w = m.group()
            if not w[0].isalnum() or MASK in w:
                break
            words.append(w)
            lw = w.lower()
            if len(words) == 1 and lw in _PRONOUNS:
                break
            if len(words) > 1 and (lw in ROLE_NOUNS or _AGE.match(lw)):
                break
            if len(words) >= 4:
                return None
        if not words:
            return None
        if words[0].lower() not in _DETERMINERS and words[0].lower() not in _PRONOUNS:
            return None
        return self.noun_phrase(words, pos)

    def subject_after(self, pos: int, limit: int) -> Attribution | None:
        """Inverted attribution: ``said spokesman Tom Hale``, ``commented a third fan``."""
        text = self.masked
        end = pos
        while end < limit and text[end] not in '.,;:!?"“”~(\n':
            end += 1
        chunk = text[pos:end]
        words = [m.group() for m in _WORD.finditer(chunk)]
        for i, w in enumerate(words):
            if w.lower() in (
                "as",
                "while",
                "who",
                "when",
                "after",
                "before",
                "in",
                "on",
                "at",
                "to",
            ):
                words = words[:i]
                break
        if not words or len(words) > 8:
            return None
        start = pos + (len(chunk) - len(chunk.lstrip()))
        m = self.first_from(start, end)
        if m is not None:
            return Attribution(m.person, None, "name", 1.0)
        return self.noun_phrase(words, start)


_SENT_END = re.compile(r"[.!?…][\"”’')\]]*\s+")
_LEAD = re.compile(r"[\s,]*(?:[-–—]\s*)?")
_TAIL_PUNCT = ",!?…—–-"


def _best(cands: list[Attribution]) -> Attribution | None:
    best = None
    for c in cands:
        key = (c.speaker is not None or c.label is not None, c.confidence)
        if best is None or key > (
            best.speaker is not None or best.label is not None,
            best.confidence,
        ):
            best = c
    return best


def _from_subject(
    subj: Attribution, colon: bool, named_rule: str, named_conf: float
) -> Attribution:
    if subj.rule == "name":
        return Attribution(subj.speaker, None, named_rule, named_conf)
    conf = subj.confidence if colon or named_rule == "verb-after" else subj.confidence * 0.8
    return Attribution(subj.speaker, subj.label, subj.rule, round(conf, 2))


def _pre(res: Resolver, sstart: int, end: int) -> Attribution | None:
    masked = res.masked
    colon = masked[sstart:end].rstrip().endswith(":")
    named_rule = "verb-before-colon" if colon else "verb-before"
    named_conf = 0.95 if colon else 0.6
    verbs = list(_VERB.finditer(masked, sstart, end))
    for v in reversed(verbs):
        subj = res.subject_before(v.start(), sstart)
        if v.group() in PARTICIPLES:
            if subj is not None and subj.rule == "name":
                return Attribution(subj.speaker, None, "participial", 0.9)
            if subj is None:
                ss = res.sentence_subject(sstart, v.start())
                if ss is not None:
                    if ss.rule == "name":
                        return Attribution(ss.speaker, None, "participial", 0.75)
                    return _from_subject(ss, colon, "participial", 0.75)
                continue
        if subj is not None:
            return _from_subject(subj, colon, named_rule, named_conf)
    if verbs:
        ss = res.sentence_subject(sstart, end)
        if ss is not None:
            return _from_subject(ss, False, "verb-before", 0.55)
    return None


def _post(res: Resolver, q: RawQuote, limit: int) -> Attribution | None:
    masked = res.masked
    start = q.close_pos
    lead = _LEAD.match(masked, start, limit)
    pos = lead.end() if lead else start
    if pos >= limit:
        return None
    first = masked[pos]
    if not (q.text[-1:] in _TAIL_PUNCT or "," in masked[start:pos] or first.islower()):
        return None
    vm = _VERB.match(masked, pos)
    if vm:
        subj = res.subject_after(vm.end(), limit)
        if subj is None:
            return None
        return _from_subject(subj, True, "verb-after", 0.9)
    window_end = min(limit, pos + 70)
    stop = re.search(r"[.;:!?\"“”~]", masked[pos:window_end])
    if stop:
        window_end = pos + stop.start()
    v = _VERB.search(masked, pos, window_end)
    if not v:
        return None
    rest = masked[v.end() : limit]
    colon = rest.find(":")
    if colon >= 0 and not any(c in rest[:colon] for c in ",.!?"):
        return None  # "..., while another penned: ..." introduces the next quote
    subj = res.subject_before(v.start(), pos)
    if subj is None:
        return None
    return _from_subject(subj, True, "verb-after", 0.9)


_ASKED = re.compile(r"\b(?:asked|asks)\b")


def _last_sentence(masked: str, para: tuple[int, int]) -> tuple[int, int]:
    ps, pe = para
    start = ps
    for m in _SENT_END.finditer(masked, ps, pe):
        if m.end() < pe:
            start = m.end()
    return start, pe


def _asker(res: Resolver, start: int, end: int) -> int | None:
    """The named subject of a reporter's sentence that asks a question ("Lowry asked ...")."""
    if MASK in res.masked[start:end] or not _ASKED.search(res.masked, start, end):
        return None
    subj = res.sentence_subject(start, end)
    return subj.speaker if subj is not None and subj.rule == "name" else None


def attribute_quotes(
    res: Resolver, paras: list[tuple[int, int]], quotes: list[RawQuote]
) -> list[Attribution]:
    """One attribution per quote (``quotes`` are direct quotes in reading order)."""
    out: list[Attribution] = []
    masked = res.masked
    for qi, q in enumerate(quotes):
        ps = paras[q.first_para][0]
        prev = quotes[qi - 1] if qi else None
        floor = ps
        if prev is not None and prev.last_para == q.first_para:
            floor = max(floor, prev.close_pos)
        sstart = floor
        for m in _SENT_END.finditer(masked, floor, q.open_pos):
            sstart = m.end()
        if not masked[sstart : q.open_pos].strip() and floor == ps and q.first_para > 0:
            pps, ppe = paras[q.first_para - 1]
            if masked[pps:ppe].rstrip().endswith(":") and not (
                prev and prev.last_para == q.first_para - 1
            ):
                sstart = pps
                for m in _SENT_END.finditer(masked, pps, ppe):
                    sstart = m.end()
                pre = _pre(res, sstart, ppe)
            else:
                pre = None
        else:
            pre = _pre(res, sstart, q.open_pos)
        _last_ps, last_pe = paras[q.last_para]
        nxt = quotes[qi + 1] if qi + 1 < len(quotes) else None
        limit = nxt.open_pos if nxt is not None and nxt.first_para == q.last_para else last_pe
        post = _post(res, q, limit) if q.closed else None
        best = _best([c for c in (pre, post) if c is not None])
        if best is None or (best.speaker is None and best.label is None):
            direct = prev is not None and (
                prev.last_para == q.first_para
                or (prev.last_para == q.first_para - 1 and not masked[ps : q.open_pos].strip())
            )
            if direct and out and (out[-1].speaker is not None or out[-1].label is not None):
                p = out[-1]
                best = Attribution(p.speaker, p.label, "continuation", 0.6)
        opens_para = floor == ps and not masked[ps : q.open_pos].strip() and q.first_para > 0
        prev_sentence = _last_sentence(masked, paras[q.first_para - 1]) if opens_para else None
        if (
            (best is None or best.rule == "none")  # no attribution at all, not even "he said"
            and prev_sentence is not None
            and not (prev and prev.last_para >= q.first_para - 1)
        ):
            # "Asked whether ..., Lady Harriet paused before answering." then the answer.
            lead = _pre(res, *prev_sentence)
            if lead is not None and lead.speaker is not None:
                best = Attribution(lead.speaker, None, "previous-paragraph", 0.5)
        if best is not None and best.rule == "pronoun" and prev_sentence is not None:
            # "Lowry asked about ..." then '"...," she said': the asker is not the one answering.
            asker = _asker(res, *prev_sentence)
            if asker is not None and asker == best.speaker:
                gender = res.info[asker].gender
                other = next(
                    (
                        p
                        for p in res.recent(q.open_pos)
                        if p != asker and res.info[p].gender in (gender, None)
                    ),
                    None,
                )
                if other is not None:
                    best = Attribution(other, None, "pronoun", round(best.confidence * 0.8, 2))
        out.append(best or Attribution())
    return out
