"""Who said each quote: the attribution frame around the quote, its speech verb and subject.

Every quote is read with the reporter's words around it (quotes masked):

- after the quote, in the same sentence: ``"...," Mr. Ryan said``, ``"...," said Sen. Ted
  Cruz, R-Texas``, ``"...," Fred Kagan, director of the ... Project, said in an interview``,
  ``"...," according to a spokesman`` (rules "verb-after", "according-to");
- before it, in the same sentence: ``Sanders said: "..."``, ``In a statement, the club
  said: "..."``, ``Trump, speaking in Iowa, told the crowd, "..."``, ``..., adding: "..."``
  ("verb-before-colon", "verb-before", "participial"), or a name with a colon
  (``Clinton: "..."``, "name-colon");
- failing both, the discourse: the second half of an interrupted quote or a quote that
  follows another of the same speaker ("continuation"), a paragraph whose lead-in ends with
  a colon ("previous-paragraph"), the subject of the sentence before ("sentence-subject").

The subject of the speech verb is a noun phrase whose head decides the speaker:
a person's name (the last name in "Clinton spokesman Brian Fallon"), a pronoun resolved
to the nearest compatible person outside reported speech ("pronoun"), a definite description
that the article attached to one person ("description"), or anything else, which stays
a label and never a person ("label": "a spokesman", "the State Department", "officials").

``confidence`` starts from how direct the evidence is; ``calibration`` turns it into a
probability learned on real articles.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace

from .lexicon import ROLE_NOUNS, SPEECH_VERBS, word_set
from .people import PersonInfo
from .quotes import MASK, RawQuote
from .text import sentence_spans
from .types import ExtractedMention

_TOKEN = re.compile(r"~+|(?:[A-Za-z]\.){2,}|\w+(?:[-'’]\w+)*|[^\w\s]")
# Abbreviations that keep their full stop as part of the word ("Mr.", "Sen.", "Jr.").
_ABBREVIATED = word_set(
    """mr mrs ms mx dr prof sen rep gov gen lt col sgt capt maj adm cmdr cpl det insp
    supt rev fr st jr sr atty amb pres hon cllr msgr gov no vs"""
)
# Speech verbs that are more often nouns or other words here.
_NOT_SPEECH = word_set(
    """read reads states calls comments notes posts shares remarks claims reply comment
    tweet write respond"""
)
_VERBS = SPEECH_VERBS - _NOT_SPEECH
_DETERMINERS = word_set(
    """the a an his her their its our your my this that these those some any another
    one each every no whose"""
)
_INDEFINITE = word_set("a an one another some")
_POSSESSIVES = word_set("his her their its our your my whose")
# "one of them", "some of the residents": a quantity of a group.
_QUANTIFIERS = word_set("one some many several most all each both none few two three another")
_ARTICLES = _POSSESSIVES | {"the", "a", "an"}
_PRONOUNS = {"he": "m", "she": "f", "they": None, "i": None, "we": None, "you": None}
_PERSONAL_PRONOUNS = frozenset(["he", "she"])
# Adverbs and auxiliaries between a subject and its verb: "Trump later told", "he has said".
_ADVERBS = word_set(
    """then also later simply just once previously has had have was is were would will
    could should did does do quickly proudly recently earlier now further even still
    again finally candidly repeatedly often frequently already never always not
    reportedly publicly privately directly bluntly flatly"""
)
_PREPOSITIONS = word_set(
    """of for at in on with from to by about into over under after before during since
    near across against among between through toward towards via per despite without
    within outside inside upon amid like"""
)
_CLAUSE_WORDS = word_set(
    """and but or so yet while as when because although though if whereas since until
    after before that which who whom whose where than"""
)
# Words that open a leading adverbial phrase before the subject: "In a statement, X said".
_LEADING = word_set(
    """in on at after before during following alongside speaking taking appearing asked
    when while as since despite to with writing posting sharing reacting responding
    last this earlier later meanwhile however elsewhere and but so then now
    yesterday today still yet instead indeed also separately similarly like unlike
    for by from under according addressing answering told pressed interviewed"""
)
_NON_PERSON_WORDS = word_set(
    """campaign committee company firm group party office department ministry agency
    statement report study poll survey memo letter email post tweet video ad ads
    advertisement website page account spokesman spokeswoman spokesperson
    spokespeople aide aides official officials source sources people critics
    supporters analysts experts observers residents voters fans members staff team"""
)
_AGE = re.compile(r"^\d+-year-old$")
# A name written with a title: "Mr. Cruz", "Sen. Ted Cruz", "President Obama".
_TITLED = re.compile(
    r"(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Lt|Col|Sgt|Prof|Rev)\.? |[A-Z][a-z]+ (?=[A-Z])"
)
# Subject pronouns only: "described her as" says nothing about the one who described.
_HE = re.compile(r"\b(?:he|He)\b")
_SHE = re.compile(r"\b(?:she|She)\b")
# What a person's words are called: "Barrett's dictum was", "Trump's statement read".
_UTTERANCES = word_set(
    """statement statements words message tweet tweets post posts caption reply response
    answer remarks comment comments letter email dictum motto mantra advice warning
    explanation promise pledge joke quip verdict assessment view take argument"""
)
_ORG_LABEL_MAX_WORDS = 8


@dataclass(slots=True)
class Attribution:
    speaker: int | None = None
    label: str | None = None
    rule: str = "none"
    confidence: float = 0.0
    # How the subject was found, for calibration: "name", "pronoun", "description",
    # "description-guess", "label" or "" (none).
    subject: str = ""
    # The person a description points to ("the 23-year-old"): offered to editors, never
    # published as the speaker by itself.
    suggestion: int | None = None
    verb: str = ""  # the speech verb, lower-case ("said", "continued")
    rivals: int = 0  # other people a pronoun could have meant
    form: str = ""  # how the speaker was named: "full", "title" or "short"

    @property
    def attributed(self) -> bool:
        return self.speaker is not None or self.label is not None

    def passed_on(self, rule: str, confidence: float) -> Attribution:
        """The same speaker for another quote ("continuation")."""
        return replace(self, rule=rule, confidence=round(confidence, 2))


@dataclass(slots=True)
class Tok:
    kind: str  # "name" (a person's mention), "word", "punct", "quote" (a masked quote)
    text: str
    low: str
    start: int
    end: int
    person: int = -1
    possessive: bool = False


@dataclass(slots=True)
class Subject:
    """The noun phrase that did the speaking, and what it refers to."""

    kind: str  # "name" | "pronoun" | "description" | "label"
    speaker: int | None
    label: str | None
    start: int
    rivals: int = 0  # for a pronoun: other people it could mean
    form: str = ""  # for a name: "full" ("Ted Cruz"), "title" ("Sen. Cruz") or "short"


class Resolver:
    """People by position, noun phrases and pronouns over the masked body."""

    def __init__(
        self,
        body: str,
        masked: str,
        info: list[PersonInfo],
        mentions: list[ExtractedMention],
        quote_ranges: list[tuple[int, int]],
        paras: list[tuple[int, int]] | None = None,
        uncertain: set[tuple[int, int]] | None = None,
        headline: list[int] | None = None,
    ) -> None:
        self.body = body
        self.masked = masked
        self.info = info
        self.uncertain = uncertain or set()
        self.headline = headline or []
        # Reporter-text mentions only: names inside quotes are not speakers.
        self.reporter = [m for m in mentions if masked[m.start] != MASK]
        self.starts = [m.start for m in self.reporter]
        self.by_start = {m.start: m for m in self.reporter}
        self.by_end = {m.end: m for m in self.reporter}
        self.paras = paras or [(0, len(body))]
        self.para_starts = [ps for ps, _pe in self.paras]
        # Sentences of the reporter's text, where a quote counts as a capitalised word that
        # keeps its closing full stop: ``"~~~." He said`` ends a sentence before "He".
        view = list(masked)
        for s, e in quote_ranges:
            if e > s:
                view[s] = "Q"
                if body[e - 1] in ".!?":
                    view[e - 1] = "."
        view_text = "".join(view)
        self.sentences: list[tuple[int, int]] = []
        for ps, pe in self.paras:
            self.sentences.extend(sentence_spans(view_text, ps, pe))
        self.sentence_starts = [s for s, _ in self.sentences]
        self._content: dict[int, bool] = {}
        self._sentence_tokens: dict[int, list[Tok]] = {}
        self._sentence_token_starts: dict[int, list[int]] = {}
        self._subjects: dict[tuple[int, int], int] = {}
        self._fires: dict[int, int] = {}  # sentence -> first token reporting speech
        self._run_start = self._runs(list(range(len(self.reporter))))
        self._with_role: dict[str, list[int]] = {}
        for person, person_info in enumerate(info):
            for role in person_info.roles:
                self._with_role.setdefault(role, []).append(person)
        self._role_mentions: dict[frozenset[int], tuple[list[int], list[int]]] = {}
        self._by_gender: dict[str, tuple[list[int], list[int], list[int]]] = {}
        self._learn_genders()

    def _learn_genders(self) -> None:
        """Give a gender to people whose name did not: the pronouns that follow them in
        sentences that name no one else ("Sanders said he ...")."""
        votes: dict[int, list[int]] = {}
        for ss, se in self.sentences:
            mentions = self.between(ss, se)
            if not mentions or any(m.person != mentions[0].person for m in mentions):
                continue
            person = mentions[0].person
            if self.info[person].gender is not None:
                continue
            tail = self.masked[mentions[0].end : se]
            count = votes.setdefault(person, [0, 0])
            count[0] += len(_HE.findall(tail))
            count[1] += len(_SHE.findall(tail))
        for person, (he, she) in votes.items():
            if he > 2 * she:
                self.info[person].gender = "m"
            elif she > 2 * he:
                self.info[person].gender = "f"

    # -- positions ----------------------------------------------------------
    def sentence_at(self, pos: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.sentence_starts, pos) - 1
        return self.sentences[i] if i >= 0 else (0, 0)

    def paragraph_start(self, pos: int) -> int:
        """Where the paragraph holding ``pos`` (or the two characters after it) starts; if
        none does, where its sentence starts.

        By bisection: paragraphs are in order and at least two characters apart (the
        pipeline joins them with a blank line), so the last one starting at or before
        ``pos`` is the only one that can hold it. Looking through every paragraph for each
        description was quadratic on a long story (issue 13).
        """
        k = bisect.bisect_right(self.para_starts, pos) - 1
        if k >= 0 and pos < self.paras[k][1] + 2:
            return self.paras[k][0]
        return self.sentence_at(pos)[0]

    def between(self, start: int, end: int) -> list[ExtractedMention]:
        """Reporter-text mentions starting in ``[start, end)``, in order."""
        return self.reporter[
            bisect.bisect_left(self.starts, start) : bisect.bisect_left(self.starts, end)
        ]

    def recent(self, pos: int, limit: int | None = None) -> list[int]:
        """People mentioned before ``pos``, most recent first, unique (the first ``limit``).

        The walk jumps over a run of mentions of one person at once, so the first two
        people cost two steps however often the nearest was named (issue 12).
        """
        out: list[int] = []
        i = bisect.bisect_left(self.starts, pos) - 1
        while i >= 0 and (limit is None or len(out) < limit):
            p = self.reporter[i].person
            if p not in out:
                out.append(p)
            i = self._run_start[i] - 1
        return out

    def tagged_before(self, wanted: set[str], pos: int) -> tuple[int | None, bool]:
        """The person named last before ``pos`` among those the article gave one of the
        ``wanted`` roles, and whether no other such person was named before ``pos``.

        (The first of ``[p for p in self.recent(pos) if self.info[p].roles & wanted]`` and
        whether that list holds one person, by bisection in the mentions of those people.)
        """
        people = frozenset(p for w in wanted for p in self._with_role.get(w, ()))
        if not people:
            return None, False
        found = self._role_mentions.get(people)
        if found is None:
            indices = [k for k, m in enumerate(self.reporter) if m.person in people]
            found = self._role_mentions[people] = (indices, self._runs(indices))
        indices, run_start = found
        k = bisect.bisect_left(indices, bisect.bisect_left(self.starts, pos)) - 1
        if k < 0:
            return None, False
        return self.reporter[indices[k]].person, run_start[k] == 0

    def _runs(self, indices: list[int]) -> list[int]:
        """For each of ``indices`` (into the reporter mentions), where the run of mentions of
        the same person that it ends begins."""
        run_start: list[int] = []
        for k, i in enumerate(indices):
            same = k and self.reporter[indices[k - 1]].person == self.reporter[i].person
            run_start.append(run_start[k - 1] if same else k)
        return run_start

    # -- tokens -------------------------------------------------------------
    def tokens(self, start: int, end: int) -> list[Tok]:
        """Tokens of ``masked[start:end]``; a person's mention is one "name" token.

        Frames and antecedents ask for pieces of the same sentences many times: a sentence
        is tokenised once and the piece is cut from it.
        """
        si = bisect.bisect_right(self.sentence_starts, start) - 1
        if si >= 0 and end <= self.sentences[si][1]:
            whole = self._sentence_tokens.get(si)
            if whole is None:
                whole = self._tokenise(*self.sentences[si])
                self._sentence_tokens[si] = whole
                self._sentence_token_starts[si] = [t.start for t in whole]
            starts = self._sentence_token_starts[si]
            i = bisect.bisect_left(starts, start)
            j = bisect.bisect_left(starts, end)
            while j > i and whole[j - 1].end > end:
                j -= 1
            return whole[i:j]
        return self._tokenise(start, end)

    def _tokenise(self, start: int, end: int) -> list[Tok]:
        text = self.masked
        out: list[Tok] = []
        mi = bisect.bisect_left(self.starts, start)
        skip_to = start
        for m in _TOKEN.finditer(text, start, end):
            s = m.start()
            if s < skip_to:
                continue
            while mi < len(self.starts) and self.starts[mi] < s:
                mi += 1
            if mi < len(self.starts) and self.starts[mi] == s and self.reporter[mi].end <= end:
                mention = self.reporter[mi]
                e = mention.end
                possessive = False
                if text.startswith(("'s", "’s"), e) and not text[e + 2 : e + 3].isalnum():
                    possessive, skip_to = True, e + 2
                elif text[e : e + 1] in "'’" and text[e - 1 : e] == "s":
                    possessive, skip_to = True, e + 1
                else:
                    skip_to = e
                surface = text[s:e]
                out.append(Tok("name", surface, surface.lower(), s, e, mention.person, possessive))
                continue
            t = m.group()
            if t[0] == MASK:
                out.append(Tok("quote", t, t, s, m.end()))
            elif t[0].isalnum() or t[0] == "_":
                e = m.end()
                low = t.lower()
                if text[e : e + 1] == "." and (
                    low in _ABBREVIATED or (len(t) == 1 and t.isupper())
                ):
                    t, e = t + ".", e + 1
                    skip_to = e
                out.append(Tok("word", t, low, s, e))
            else:
                out.append(Tok("punct", t, t, s, m.end()))
        return out

    # -- people ---------------------------------------------------------------
    def in_reported_speech(self, mention: ExtractedMention) -> bool:
        """A mention inside what someone else is reported to have said ("Trump said that
        Clinton lied": Clinton), which is no antecedent for a later "she said"."""
        cached = self._content.get(mention.start)
        if cached is not None:
            return cached
        ss, se = self.sentence_at(mention.start)
        si = bisect.bisect_right(self.sentence_starts, mention.start) - 1
        if si >= 0 and mention.start <= se:
            # The words before the mention are a prefix of its sentence's tokens, and what
            # the scan finds in a prefix depends on that prefix only: the sentence is scanned
            # once, not once per mention (a long sentence naming many people was quadratic).
            self.tokens(ss, se)  # tokenised and kept
            whole = self._sentence_tokens[si]
            fires = self._fires.get(si)
            if fires is None:
                fires = self._fires[si] = _reported_from(whole)
            j = bisect.bisect_left(self._sentence_token_starts[si], mention.start)
            while j > 0 and whole[j - 1].end > mention.start:
                j -= 1
            result = fires < j
        else:
            toks = self.tokens(ss, mention.start)
            result = _reported_from(toks) < len(toks)
        self._content[mention.start] = result
        return result

    def pronoun(self, word: str, pos: int) -> int | None:
        """The person a third-person pronoun at ``pos`` most likely refers to: the nearest
        compatible person mentioned before it, outside quotes and reported speech.

        That is: the nearest person of the pronoun's gender outside reported speech, unless
        a person of unknown gender came between and that one is further back than the
        sentence before; failing one of that gender, the nearest of unknown gender; failing
        that, the nearest compatible one inside reported speech. Past a few steps back, each
        of the three is found by bisection in a list kept per gender: walking back over
        every mention of the other gender was quadratic on a long story (issue 12).
        """
        gender = _PRONOUNS.get(word)
        if gender is None:
            return None
        i = bisect.bisect_left(self.starts, pos) - 1
        ss, _ = self.sentence_at(pos)
        window = self.sentence_at(ss - 1)[0] if ss else ss
        # Usually the antecedent is a few mentions back: walk there, reading only those
        # mentions. A walk that goes on (a long story naming only people of the other
        # gender) stops and asks the lists instead, which give the same answer.
        fallback = None
        unknown = None  # the nearest one whose gender the article never gave
        steps = 0
        while i >= 0 and steps < _PRONOUN_WALK:
            m = self.reporter[i]
            i -= 1
            steps += 1
            person_gender = self.info[m.person].gender
            if person_gender not in (gender, None):
                continue
            if self.in_reported_speech(m):
                if fallback is None:
                    fallback = m.person
                continue
            if person_gender == gender:
                if unknown is not None and m.start < window:
                    return unknown
                return m.person  # "Karen Robison pulled Rep. King aside. "...," she told him"
            if unknown is None:
                unknown = m.person
        if i < 0:
            return unknown if unknown is not None else fallback
        i = bisect.bisect_left(self.starts, pos) - 1
        same, unknowns, reported = self._antecedents(gender)
        s = _nearest(same, i)
        u = _nearest(unknowns, i)
        if s >= 0:
            if u > s and self.reporter[s].start < window:
                return self.reporter[u].person
            return self.reporter[s].person
        if u >= 0:
            return self.reporter[u].person
        f = _nearest(reported, i)
        return self.reporter[f].person if f >= 0 else None

    def _antecedents(self, gender: str) -> tuple[list[int], list[int], list[int]]:
        """Indices of reporter mentions: of people of ``gender`` outside reported speech, of
        people of unknown gender outside it, and of either inside it."""
        found = self._by_gender.get(gender)
        if found is None:
            same: list[int] = []
            unknown: list[int] = []
            reported: list[int] = []
            for k, m in enumerate(self.reporter):
                person_gender = self.info[m.person].gender
                if person_gender not in (gender, None):
                    continue
                if self.in_reported_speech(m):
                    reported.append(k)
                elif person_gender == gender:
                    same.append(k)
                else:
                    unknown.append(k)
            found = self._by_gender[gender] = (same, unknown, reported)
        return found

    def rivals(self, word: str, pos: int, chosen: int) -> int:
        """How many other people a pronoun could mean: gender-compatible people named in
        the reporter's words of the two sentences before it."""
        gender = _PRONOUNS.get(word)
        ss, _ = self.sentence_at(pos)
        window_start = self.sentence_at(ss - 1)[0] if ss else ss
        others = {
            m.person
            for m in self.between(window_start, pos)
            if m.person != chosen and self.info[m.person].gender in (gender, None)
        }
        return len(others)

    def description(self, head: str, adjs: list[str], pos: int) -> int | None:
        return self.described(head, adjs, pos)[0]

    def described(self, head: str, adjs: list[str], pos: int) -> tuple[int | None, bool]:
        """The person a definite description refers to ("the Dutch singer", "the
        23-year-old"), and whether the article gave that person the role itself.

        A role the article attached to one person decides; otherwise the nearest person
        before it, outside reported speech, whose gender fits the description.
        """
        wanted = {head, *adjs}
        tagged, alone = self.tagged_before(wanted, pos)
        if tagged is not None:
            return tagged, alone
        gender = ROLE_NOUNS.get(head)
        para_start = self.paragraph_start(pos)
        # The person the recent sentences are about: "Rafferty was left fuming at a goal
        # scored by Bellini. "...," said the 52-year-old" is Rafferty, not Bellini.
        nearest = None
        si = bisect.bisect_right(self.sentence_starts, pos) - 1
        # Not someone named in the description's own sentence: "The dancer shared a photo
        # of the moment he and Rose lifted the trophy" is not Rose.
        own = {m.person for m in self.between(*self.sentences[si])} if si >= 0 else set()
        for sj in range(si, max(-1, si - 6), -1):
            ss, se = self.sentences[sj]
            if se < para_start - 600:
                break
            mentions = [
                m
                for m in self.between(ss, min(se, pos))
                if (gender is None or self.info[m.person].gender in (gender, None))
                and m.person not in own
            ]
            if not mentions:
                continue
            if nearest is None:
                nearest = mentions[-1].person
            if self._opens_clause(ss, mentions[0].start) and not self.in_reported_speech(
                mentions[0]
            ):
                return mentions[0].person, False
        return nearest, False

    def _opens_clause(self, start: int, pos: int) -> bool:
        """Only a leading adverbial ("On Thursday,") stands between ``start`` and ``pos``."""
        toks = self.tokens(start, pos)
        k = 0
        while k < len(toks) and toks[k].kind == "punct":
            k += 1
        if (
            k < len(toks)
            and toks[k].kind == "word"
            and (toks[k].low in _LEADING or toks[k].low.endswith("ing"))
        ):
            comma = next((c for c in range(k, len(toks)) if toks[c].text == ","), None)
            if comma is None:
                return False
            k = comma + 1
        # What may stand before a subject's name: "Her co-star Ben", "CEDAR FALLS, Iowa -
        # Cole", "Ambleford boss Sean".
        rest = toks[k:]
        return len(rest) <= 5 and all(
            t.kind == "punct"
            or t.text[:1].isupper()
            or t.low in _DETERMINERS
            or t.low in ROLE_NOUNS
            or "-" in t.low
            for t in rest
        )

    # -- noun phrases -------------------------------------------------------
    def noun_phrase(self, toks: list[Tok], i: int, j: int) -> tuple[Subject | None, int]:
        """Read the noun phrase starting at ``toks[i]`` (not beyond ``j``); return what it
        refers to and the index after it."""
        k = i
        head_end = None  # index after the head (before "of the ..." / "for the ...")
        while k < j:
            t = toks[k]
            if t.kind == "name":
                k += 1
                nxt = toks[k] if k < j else None
                if (
                    nxt is not None
                    and not t.possessive
                    and nxt.kind == "word"
                    and nxt.text[:1].islower()
                    and not _modifies(nxt.low)
                    # "Host Mo Sinclair kept", "the columnist David Auerbach went" (but "A
                    # Warren adviser", "The Trump campaign")
                    and (
                        all(
                            x.text[:1].isupper() and x.low not in _DETERMINERS
                            for x in toks[i : k - 1]
                        )
                        or (k - 2 >= i and toks[k - 2].low in ROLE_NOUNS)
                    )
                    and not any(x.kind == "name" for x in toks[k : min(j, k + 4)])
                ):
                    # "Host Mo Sinclair kept ...": the name is the whole phrase (but in "Cruz
                    # constituent Dan Golvach" and "the printed Cruz slate card" it modifies).
                    break
                continue
            if t.kind == "word":
                low = t.low
                if low in _VERBS and k > i and toks[k - 1].low not in _DETERMINERS:
                    break
                if low in _ADVERBS and k > i:
                    break
                if low in _CLAUSE_WORDS and k > i:
                    break
                if low == "to" and k > i and toks[k - 1].low == "close" and head_end is None:
                    head_end = k - 1  # "a source close to the couple"
                    k += 1
                    continue
                if low in _PREPOSITIONS:
                    if k == i or head_end is not None:
                        break
                    if low in ("of", "for", "at", "with", "from", "in") and k + 1 < j:
                        head_end = k  # "a spokesman for the campaign", "Mr. Nevins of Showtime"
                        k += 1
                        continue
                    break
                if low in _PRONOUNS and k > i:
                    break
                k += 1
                if low in _PRONOUNS and k == i + 1:
                    break  # a pronoun is a whole noun phrase
                continue
            if t.kind == "punct" and t.text in "-–" and k > i and k + 1 < j:
                k += 1  # "R-Texas" was split; keep the phrase together
                continue
            if (
                t.kind == "punct"
                and t.text in "'’"
                and k > i
                and toks[k - 1].low.endswith("s")
                and k + 1 < j
                and toks[k + 1].text[:1].isupper()
            ):
                k += 1  # "the Supporters' Trust"
                continue
            break
        if k == i:
            return None, i
        end = head_end if head_end is not None else k
        return self._interpret(toks, i, end, k), k

    def _interpret(self, toks: list[Tok], i: int, end: int, full_end: int) -> Subject | None:
        head = toks[end - 1]
        first = toks[i]
        start = first.start
        if head.kind == "name" and not head.possessive:
            return self.named(head, start)
        words = [t for t in toks[i:end] if t.kind in ("word", "name")]
        if not words:
            return None
        if len(words) == 1 and head.kind == "word" and head.low in _PRONOUNS:
            if head.low in _PERSONAL_PRONOUNS:
                person = self.pronoun(head.low, head.start)
                rivals = self.rivals(head.low, head.start, person) if person is not None else 0
                return Subject("pronoun", person, head.low, start, rivals)
            return Subject("label", None, head.text, start)
        if not _can_head_a_label(toks[i:end]):
            return None  # "when", "almost immediately": not a noun phrase at all
        label = self.masked[start : toks[full_end - 1].end]
        if len(label.split()) > _ORG_LABEL_MAX_WORDS:
            label = self.masked[start : head.end]
        low0 = first.low
        if low0 in _DETERMINERS:
            label = low0 + label[len(low0) :]  # "One fan wrote" is "one fan"
        if head.kind == "word" and low0 in _DETERMINERS and low0 not in _INDEFINITE:
            head_low = head.low
            if head_low in ROLE_NOUNS or _AGE.match(head_low):
                adjs = [t.low for t in toks[i + 1 : end - 1] if t.kind == "word"]
                p, certain = self.described(head_low, adjs, start)
                if not certain and low0 in _POSSESSIVES:
                    p = None  # "his wife" is somebody's relative, not the last person named
                if p is not None:
                    kind = "description" if certain else "description-guess"
                    return Subject(kind, p, label, start)
        return Subject("label", None, label, start)

    def find_person(self, name: str) -> int | None:
        """The one person a written name stands for: the full name or a unique surname
        ("DANIEL ASHWORTH", "KEANE"), case ignored."""
        wanted = name.lower().split()
        if not wanted:
            return None
        full = [i for i, p in enumerate(self.info) if p.name.lower().split() == wanted]
        if len(full) == 1:
            return full[0]
        last = [i for i, p in enumerate(self.info) if p.name.lower().split()[-1] == wanted[-1]]
        return last[0] if len(last) == 1 else None

    def named(self, tok: Tok, start: int | None = None) -> Subject:
        """The person a name token stands for ("name-guess" when the name is shared)."""
        kind = "name-guess" if (tok.start, tok.end) in self.uncertain else "name"
        words = tok.text.split()
        form = "short" if len(words) == 1 else ("title" if _TITLED.match(tok.text) else "full")
        return Subject(kind, tok.person, None, tok.start if start is None else start, form=form)

    def subject_before(self, toks: list[Tok], v: int, floor: int) -> Subject | None:
        """The subject of the verb at ``toks[v]``, in ``toks[floor:v]``."""
        k = v - 1
        while (
            k >= floor
            and toks[k].kind == "word"
            and (toks[k].low in _ADVERBS or toks[k].low.endswith("ly"))
        ):
            k -= 1
        if k < floor:
            return None
        t = toks[k]
        if t.kind == "punct" and t.text in ",)":
            # "X, a spokesman for Y, said" / "X, who ..., said" / "Rep. X (R-Texas) said":
            # the subject opens the clause.
            return self.clause_subject(toks, floor, k)
        if t.kind not in ("word", "name"):
            return None
        if t.kind == "word" and t.low in ("and", "but", "then"):
            # "Giovanni spoke highly of Rose, and shared ...": the subject of the first verb.
            return self.clause_subject(toks, floor, k)
        if t.kind == "word" and t.low in ("who", "which", "that") and k - 1 >= floor:
            # "Tom Hale, who ..." / "a headline that said": the noun phrase before.
            j = k - 1 if toks[k - 1].text != "," else k - 2
            if j >= floor and toks[j].kind == "name" and not toks[j].possessive:
                return self.named(toks[j])
            if j >= floor and toks[j].kind == "word" and toks[j].low not in _CLAUSE_WORDS:
                return self.subject_before(toks, j + 1, floor)
            return None
        if t.kind == "word" and t.low in _PRONOUNS:
            return self.noun_phrase(toks, k, k + 1)[0]  # "a battle he later described as"
        # Walk back to the start of the noun phrase that ends right before the verb.
        s = k
        while s - 1 >= floor:
            p = toks[s - 1]
            if _np_word(p):
                s -= 1
                if p.low not in _DETERMINERS:
                    continue
                # A determiner opens the phrase, unless it follows a preposition that
                # attaches it to a noun before: "a spokesman for [the force]", "a source
                # close to [the couple]".
                if s - 2 >= floor and toks[s - 1].low == "to" and toks[s - 2].low == "close":
                    s -= 2
                    continue
                if not (
                    s - 2 >= floor
                    and toks[s - 1].low in _ATTACHING
                    and _np_word(toks[s - 2])
                    and (toks[s - 2].low not in _DETERMINERS or toks[s - 2].low in _QUANTIFIERS)
                ):
                    break
                s -= 1
                continue
            if (
                p.kind == "word"
                and p.low in _ATTACHING
                and s - 2 >= floor
                and _np_word(toks[s - 2])
                and (toks[s - 2].low not in _DETERMINERS or toks[s - 2].low in _QUANTIFIERS)
            ):
                s -= 1  # "Secretary of State John Kerry", "Mr. Nevins of Showtime"
                continue
            if p.kind == "punct" and p.text in "-&" and s - 2 >= floor:
                s -= 1
                continue
            if p.low == "to" and s - 2 >= floor and toks[s - 2].low == "close":
                s -= 2  # "a source close to the couple"
                continue
            if p.text in "'’" and s - 2 >= floor and toks[s - 2].low.endswith("s"):
                s -= 1  # "the Supporters' Trust"
                continue
            if (
                (p.low in ("and", "&") or p.text == ",")
                and s - 2 >= floor
                and toks[s].text[:1].isupper()
                and toks[s - 2].kind == "word"
                and toks[s - 2].text[:1].isupper()
            ):
                s -= 1  # "the Department for Environment, Food and Rural Affairs"
                continue
            break
        subj, after = self.noun_phrase(toks, s, k + 1)
        if subj is None:
            return None
        if after <= k and toks[k].kind == "name" and not toks[k].possessive:
            return self.named(toks[k])
        return subj

    def owner(self, toks: list[Tok], i: int, end: int) -> Subject | None:
        """ "Barrett's dictum was", "Trump's statement read": the name owning the words."""
        t = toks[i]
        if t.kind == "name" and t.possessive and i + 1 < end and toks[i + 1].low in _UTTERANCES:
            return self.named(t)
        return None

    def clause_subject(self, toks: list[Tok], floor: int, end: int) -> Subject | None:
        """The first noun phrase of the clause in ``toks[floor:end]``, after any leading
        adverbial ("In a statement, ...", "Asked about the plan, ...")."""
        start = floor
        for k in range(end - 1, floor - 1, -1):
            t = toks[k]
            if t.kind == "quote" or (t.kind == "punct" and t.text in ";:"):
                start = k + 1
                break
            if (
                t.kind == "word"
                and t.low in ("and", "but")
                and k > floor
                and toks[k - 1].kind == "punct"
                and toks[k - 1].text == ","
            ):
                start = k + 1
                break
        k = start
        while k < end and toks[k].kind == "punct":
            k += 1
        guard = 0
        while k < end and guard < 3:
            t = toks[k]
            if t.kind == "word" and t.low in _CONJUNCTIONS:
                k += 1  # "But Sen. Durbin, noting ..., said": only the conjunction goes
                guard += 1
                continue
            if t.kind == "word" and t.low == "as" and k + 1 < end and toks[k + 1].kind == "name":
                k += 1  # "As Akhil Amar, professor of law, put it"
                break
            leading = t.kind == "word" and (
                t.low in _LEADING
                or (t.low.endswith("ing") and t.low not in _PRONOUNS)
                or (t.low.endswith("ed") and t.text[:1].isupper())
            )
            if not leading:
                break
            comma = next(
                (c for c in range(k + 1, end) if toks[c].kind == "punct" and toks[c].text == ","),
                None,
            )
            if comma is None:
                if t.low in ("and", "but", "so", "then", "yet", "still", "also"):
                    k += 1
                    guard += 1
                    continue
                return None
            k = comma + 1
            guard += 1
        if k >= end:
            return None
        owned = self.owner(toks, k, end)
        if owned is not None:
            return owned
        subj, after = self.noun_phrase(toks, k, end)
        if subj is not None and not subj.kind.startswith("name"):
            named = self.apposed_name(toks, after, end)
            if named is not None:
                return replace(named, start=subj.start)  # the subject opens with the phrase
        return subj

    def apposed_name(self, toks: list[Tok], k: int, end: int) -> Subject | None:
        """A name in apposition after a description: "The Vatican spokesman, Federico
        Lombardi, said", "Kayla's best friend, make-up artist Sienna Doherty, added",
        "Another resident, who gave her name only as Jenna, said"."""
        if not (k < end and toks[k].kind == "punct" and toks[k].text == ","):
            return None
        if k + 1 < end and toks[k + 1].low in ("who", "identified", "named", "called"):
            for n in range(k + 2, min(end, k + 14)):
                if toks[n].kind == "punct":
                    break
                if (
                    toks[n].kind == "name"
                    and toks[n - 1].low in ("as", "named", "called")
                    and not toks[n].possessive
                ):
                    return self.named(toks[n])
            return None
        n = k + 1
        while n < end and toks[n].kind == "word" and toks[n].text[:1].islower() and n - k < 5:
            n += 1  # role words before the name: "make-up artist"
        if (
            n < end
            and toks[n].kind == "name"
            and not toks[n].possessive
            and (n + 1 == end or (toks[n + 1].kind == "punct" and toks[n + 1].text != "&"))
        ):
            return self.named(toks[n])
        return None


# -- frames -------------------------------------------------------------------

# Prepositions that attach a phrase to the noun before: "a spokesman for the force".
_ATTACHING = frozenset(["of", "for", "at", "from", "with", "close"])


def _can_head_a_label(toks: list[Tok]) -> bool:
    """Words that can name who spoke: "a spokesman", "officials", "the State Department";
    not a subject misread from a clause ("when", "although", "the city embodied the")."""
    first, last = toks[0], toks[-1]
    if first.low in _CLAUSE_WORDS or first.low in _PREPOSITIONS or first.low in _ADVERBS:
        return False
    if first.low.endswith("ly") or (first.low.endswith("ing") and first.text[:1].islower()):
        return False
    if (len(toks) > 1 and last.low in _DETERMINERS) or last.low in _VERBS:
        return False  # "the city embodied the" ("another", "one" alone are fine)
    if last.low in _ADVERBS:
        return False
    if len(toks) == 1 and first.text[:1].islower() and first.low in _NOT_SPEAKERS:
        return False
    return not any(t.kind == "word" and t.low in _VERBS for t in toks)


def _modifies(low: str) -> bool:
    """A noun a name can modify: "Clinton spokesman", "Trump aides", "the Sanders camp"."""
    return low in ROLE_NOUNS or low in _NON_PERSON_WORDS or (low.endswith("s") and len(low) > 3)


def _np_word(t: Tok) -> bool:
    """A token that can be part of a noun phrase."""
    if t.kind == "name":
        return True
    return (
        t.kind == "word"
        and t.low not in _CLAUSE_WORDS
        and t.low not in _PREPOSITIONS
        and t.low not in _VERBS
        and t.low not in _ADVERBS
        and t.low not in _PRONOUNS
    )


def _is_verb(toks: list[Tok], k: int) -> bool:
    t = toks[k]
    if t.kind != "word":
        return False
    if t.low in ("put", "puts") and k + 1 < len(toks) and toks[k + 1].low == "it":
        return True  # "as Milbank puts it,"
    if t.low not in _VERBS:
        if t.low not in SPEECH_VERBS or k == 0:
            return False
        # "to reply", "to comment": an infinitive of a speech verb that is usually a noun;
        # "the caption read:", "his post reads,": a verb right before the quote.
        nxt = toks[k + 1].text if k + 1 < len(toks) else ":"
        return toks[k - 1].low == "to" or (t.low in ("read", "reads") and nxt in ":,")
    if k and toks[k - 1].kind == "word" and toks[k - 1].low in _ARTICLES:
        return False  # "his comments", "the statement"
    return not (t.text[:1].isupper() and k and toks[k - 1].kind == "name")


def _participle(low: str) -> bool:
    return low.endswith("ing")


def _after_frame(res: Resolver, q: RawQuote, limit: int) -> Attribution | None:
    """``"...," X said`` / ``"...," said X`` / ``"...," according to X``."""
    end = limit
    # The attribution after a quote ends at the sentence's end.
    ss, se = res.sentence_at(q.close_pos)
    if ss <= q.close_pos < se:
        end = min(end, se)
    toks = res.tokens(q.close_pos, end)
    i = 0
    while i < len(toks) and toks[i].kind == "punct" and toks[i].text in ",—–-":
        i += 1
    if i >= len(toks):
        return None
    # A full stop ends the reporter's sentence with the quote; "?" and "!" need not:
    # ""How are you today?" Miller said."
    ends_sentence = q.text[-1:] == "." and not q.text.endswith("...")
    first = toks[i]
    if ends_sentence and first.text[:1].isupper():
        # A new sentence, unless it is only the attribution: ""Welcome home!" Rose wrote."
        short = i + 1 < len(toks) and _is_verb(toks, i + 1) and first.kind == "name"
        if not short:
            return None
    dash = any(t.kind == "punct" and t.text in "—–-" for t in toks[:i])
    # "according to X"
    if first.low == "according" and i + 1 < len(toks) and toks[i + 1].low == "to":
        subj, _ = res.noun_phrase(toks, i + 2, len(toks))
        return _attribution(subj, "according-to", 0.9)
    # "said X", "added Mr. Ryan", "wrote a man calling himself ..."
    k = i
    while k < len(toks) and toks[k].kind == "word" and toks[k].low in _ADVERBS:
        k += 1
    if k < len(toks) and _is_verb(toks, k):
        subj, after = res.noun_phrase(toks, k + 1, len(toks))
        if subj is not None:
            if subj.kind == "label":
                named = res.apposed_name(toks, after, len(toks))  # "said his aide, Jo Fox"
                if named is not None:
                    return _attribution(named, "verb-after", 0.9, toks[k].low)
            return _attribution(subj, "verb-after", 0.9, toks[k].low)
        return _unresolved(True)
    # "X said", "Fred Kagan, director of ..., said in an interview"
    for v in range(i, min(len(toks), i + 40)):
        t = toks[v]
        if t.kind == "quote":
            break
        if _is_verb(toks, v) and not _participle(t.low):
            subj = res.subject_before(toks, v, i)
            if subj is None:
                subj = res.clause_subject(toks, i, v)
            if subj is not None and subj.start <= toks[i].start + 1:
                return _attribution(subj, "verb-after", 0.9, t.low)
            return _unresolved(v - i <= 4)
        if t.kind == "punct" and t.text in ";:!?":
            break
    if dash:
        # "... — Bernie Sanders." as a signature
        subj, after = res.noun_phrase(toks, i, len(toks))
        if (
            subj is not None
            and subj.kind.startswith("name")
            and (after >= len(toks) or toks[after].text in ".,;")
        ):
            return _attribution(subj, "dash-after", 0.8)
    return None


def _before_frame(res: Resolver, q: RawQuote, floor: int) -> Attribution | None:
    """``X said: "..."``, ``In a statement, X said, "..."``, ``..., adding: "..."``."""
    masked = res.masked
    ss, _se = res.sentence_at(q.open_pos)
    start = max(floor, ss)
    whole = res.tokens(start, q.open_pos)
    # Only the part after an earlier quote in the same sentence counts.
    cut = 0
    for k, t in enumerate(whole):
        if t.kind == "quote":
            cut = k + 1
    toks = whole[cut:]
    if not toks:
        return None
    lead = masked[toks[-1].end : q.open_pos]
    colon = toks[-1].text == ":"
    comma = toks[-1].text == ","
    adjacent = colon or comma or not lead.strip()
    # "Clinton: "..."": a name and a colon.
    verbs = [k for k in range(len(toks)) if _is_verb(toks, k)]
    if (
        colon
        and not verbs
        and len(toks) >= 2
        and toks[-2].kind == "name"
        and not toks[-2].possessive
    ):
        t = toks[-2]
        if len(toks) == 2 or toks[-3].kind == "punct" or toks[-3].kind == "word":
            subj = res.noun_phrase(toks, 0, len(toks) - 1)[0] if len(toks) > 2 else None
            if subj is None or not subj.kind.startswith("name"):
                subj = res.named(t)
            return _attribution(subj, "name-colon", 0.85)
    # "According to X, "..."
    for k in range(len(toks) - 1):
        if toks[k].low == "according" and toks[k + 1].low == "to":
            subj, _ = res.noun_phrase(toks, k + 2, len(toks))
            if subj is not None:
                return _attribution(subj, "according-to", 0.85)
    if not verbs:
        if colon:
            # "Mr. Smith shot back:", "Trump issued the following statement:": a colon
            # after a clause introduces its subject's words.
            subj = res.clause_subject(toks, 0, len(toks) - 1)
            if subj is not None:
                return _attribution(subj, "colon", 0.7)
        return None
    v = verbs[-1]
    near = all(
        t.kind == "punct" or (t.kind == "word" and (t.low in _ADVERBS or t.low == "that"))
        for t in toks[v + 1 :]
    )
    rule = "verb-before-colon" if colon else "verb-before"
    conf = 0.9 if (colon or comma) and near else (0.75 if colon or comma else 0.6)
    if not adjacent:
        conf = min(conf, 0.6)
    low = toks[v].low
    if _participle(low) and v >= 2:
        # "..., with one writing: ..." / "with Smith adding, ...": the phrase after "with".
        w = next((k for k in range(v - 1, max(-1, v - 6), -1) if toks[k].low == "with"), None)
        if w is not None:
            subj, after = res.noun_phrase(toks, w + 1, v)
            if subj is not None and after == v:
                return _attribution(subj, "participial", conf * 0.95, low)
    if _participle(low) or (v and toks[v - 1].low == "to"):
        # "..., adding: "...", "took to Twitter to say: "...": the clause's subject, which
        # may open the sentence before an earlier quote ("X defended "Y," saying ...").
        # "They will meet, Spicer said, adding, ...": the one who said.
        subj = None
        earlier = [k for k in verbs if k < v and not _participle(toks[k].low)]
        # "... where about 50 protesters had gathered, chanting "..."": the nearest clause.
        opener = next((k for k in range(v - 1, -1, -1) if toks[k].low in _CLAUSE_OPENERS), None)
        if opener is not None and (not earlier or opener > earlier[-1]):
            subj, _after = res.noun_phrase(toks, opener + 1, v)
        elif earlier:
            subj = res.subject_before(toks, earlier[-1], 0)
            if subj is not None and subj.kind not in ("name", "name-guess", "pronoun"):
                subj = None
        if subj is None:
            subj = res.clause_subject(toks, 0, v)
        if subj is None and cut:
            first_quote = next(k for k, t in enumerate(whole) if t.kind == "quote")
            subj = res.clause_subject(whole, 0, first_quote)
        return _attribution(subj, "participial", conf * 0.95, low) or _unresolved(near)
    subj = res.subject_before(toks, v, 0)
    if subj is None:
        subj = res.clause_subject(toks, 0, v)
    if subj is None and v + 1 < len(toks):
        # "Said Dorothy Poynter, who grew up with him, "..."": the verb comes first.
        subj, _after = res.noun_phrase(toks, v + 1, len(toks))
        if subj is not None and not subj.kind.startswith("name"):
            subj = None
    return _attribution(subj, rule, conf, low) or _unresolved(near)


# Mentions a pronoun looks back over one by one before it asks ``Resolver._antecedents``.
_PRONOUN_WALK = 40


def _reported_from(toks: list[Tok]) -> int:
    """Index of the first token after which the words are reported speech: a speech or
    thinking verb after a subject ("Trump said that ..."); ``len(toks)`` if none."""
    subject_seen = False
    for k, t in enumerate(toks):
        if t.kind == "name" or (t.kind == "word" and t.low in _PRONOUNS):
            subject_seen = True
        elif t.kind == "quote":
            subject_seen = False  # "..., said X" after a quote: X is the source
        elif (
            t.kind == "word"
            and (t.low in _VERBS or t.low in _THINKING)
            and subject_seen
            and not (k and toks[k - 1].low in _ARTICLES)
        ):
            return k
    return len(toks)


def _nearest(indices: list[int], i: int) -> int:
    """The largest of the sorted ``indices`` at most ``i``, or -1."""
    k = bisect.bisect_right(indices, i)
    return indices[k - 1] if k else -1


def _unresolved(adjacent: bool) -> Attribution | None:
    """A speech verb right next to the quote whose subject could not be read: the quote
    has an attribution of its own, so it inherits nobody else's."""
    return Attribution(rule="unresolved") if adjacent else None


def _attribution(
    subj: Subject | None, rule: str, conf: float, verb: str = ""
) -> Attribution | None:
    found = _attribution_of(subj, rule, conf)
    if found is not None:
        found.verb = verb
    return found


def _attribution_of(subj: Subject | None, rule: str, conf: float) -> Attribution | None:
    if subj is None:
        return None
    if subj.kind in ("name", "name-guess"):
        factor = 1.0 if subj.kind == "name" else 0.7
        found = Attribution(subj.speaker, None, rule, round(conf * factor, 2), subj.kind)
        found.form = subj.form
        return found
    if subj.kind == "pronoun":
        if subj.speaker is None:
            return Attribution(None, None, "pronoun", 0.2, "pronoun")
        return Attribution(
            subj.speaker, None, "pronoun", round(conf * 0.85, 2), "pronoun", rivals=subj.rivals
        )
    if subj.kind.startswith("description"):
        factor = 0.75 if subj.kind == "description" else 0.5
        return Attribution(
            None, subj.label, "description", round(conf * factor, 2), subj.kind, subj.speaker
        )
    return Attribution(None, subj.label, "label", round(conf * 0.95, 2), "label")


def _sentence_subject(res: Resolver, start: int, end: int) -> Subject | None:
    toks = res.tokens(start, end)
    if not toks or any(t.kind == "quote" for t in toks):
        return None
    return res.clause_subject(toks, 0, len(toks))


def _prev_sentence(res: Resolver, q: RawQuote, floor: int) -> tuple[int, int] | None:
    """The reporter's sentence right before the quote, in the same paragraph."""
    ss, _ = res.sentence_at(q.open_pos)
    if ss <= floor:
        return None
    ps, pe = res.sentence_at(ss - 1)
    if ps < floor:
        return None
    return ps, pe


def attribute_quotes(
    res: Resolver, paras: list[tuple[int, int]], quotes: list[RawQuote]
) -> list[Attribution]:
    """One attribution per quote (``quotes`` are direct quotes in reading order)."""
    out: list[Attribution] = []
    recent = _RecentSpeakers()
    for qi, q in enumerate(quotes):
        if q.turn:
            out.append(_from_turn(res, q))
            recent.add(out[-1].speaker)
            continue
        prev = quotes[qi - 1] if qi else None
        nxt = quotes[qi + 1] if qi + 1 < len(quotes) else None
        ps = paras[q.first_para][0]
        same_para_prev = prev is not None and prev.last_para == q.first_para
        floor = prev.close_pos if same_para_prev else ps
        if nxt is not None and nxt.first_para == q.last_para:
            limit = nxt.open_pos
        else:
            limit = paras[q.last_para][1]
        after = _after_frame(res, q, limit) if q.closed else None
        before = _before_frame(res, q, floor)
        frames = [a for a in (after, before) if a is not None]
        if (
            after is not None
            and before is not None
            and before.attributed
            and before.confidence >= 0.85  # a speech verb right before the quote
            and nxt is not None
            and limit == nxt.open_pos
            and res.masked[q.close_pos : limit].rstrip().endswith(",")
        ):
            # 'X shouted, "Cruz," Beck joked, "Amen!"': the words after the first quote
            # introduce the second.
            frames = [before]
        best = next((a for a in frames if a.attributed), frames[0] if frames else None)
        if best is None:
            best = _from_discourse(res, paras, q, prev, out[-1] if out else None)
        if best is not None and best.rule == "pronoun" and best.speaker is not None:
            best = _not_the_asker(res, q, best, recent)
        if (
            best is not None
            and best.subject == "description-guess"
            and best.suggestion is not None
            and best.verb in _GOING_ON
            and recent.last is not None
            and recent.last != best.suggestion
        ):
            # "The dancer continued:": the one who was speaking goes on.
            best = replace(best, suggestion=recent.last)
        out.append(best or Attribution())
        recent.add(out[-1].speaker)

    # A quote with no attribution right before another of the same paragraph that has one:
    # ""A." "B," she said." is one speaker.
    masked = res.masked
    for qi in range(len(quotes) - 2, -1, -1):
        q, nxt = quotes[qi], quotes[qi + 1]
        a, b = out[qi], out[qi + 1]
        if a.rule != "none" or b.rule in ("none", "continuation") or not b.attributed:
            continue
        if q.last_para == nxt.first_para and not masked[q.close_pos : nxt.open_pos].strip():
            out[qi] = b.passed_on("continuation", 0.6)
    return out


def _from_discourse(
    res: Resolver,
    paras: list[tuple[int, int]],
    q: RawQuote,
    prev: RawQuote | None,
    prev_attribution: Attribution | None,
) -> Attribution | None:
    """A quote with no attribution of its own: who the text around it says is talking."""
    masked = res.masked
    ps = paras[q.first_para][0]
    opens_para = not masked[ps : q.open_pos].strip()
    p = prev_attribution
    if prev is not None and p is not None and p.attributed:
        if prev.last_para == q.first_para:
            # ""A," she said. "B."": only the previous quote's attribution lies between.
            between = (prev.close_pos, q.open_pos)
            if not masked[slice(*between)].strip(" ,;:—–-") or _one_sentence(res, *between):
                return p.passed_on("continuation", 0.8)
            if _no_new_subject(res, *between, p.speaker):
                return p.passed_on("continuation", 0.7)
        elif opens_para and prev.last_para == q.first_para - 1:
            ppe = paras[q.first_para - 1][1]
            if _no_new_subject(res, prev.close_pos, ppe, p.speaker):
                return p.passed_on("continuation", 0.6)
    if opens_para and q.first_para > 0:
        pps, ppe = paras[q.first_para - 1]
        if masked[pps:ppe].rstrip().endswith(":"):
            # "Asked about the plan, Lowry said:" then the quote as its own paragraph.
            lead_in = RawQuote([(ppe, ppe)], ppe, ppe, q.first_para - 1, q.first_para - 1)
            intro = _before_frame(res, lead_in, pps)
            if intro is not None:
                return intro.passed_on("previous-paragraph", intro.confidence * 0.95)
        subj = _sentence_subject(res, *_last_sentence(res, pps, ppe))
        if (
            subj is not None
            and subj.kind in ("name", "name-guess", "pronoun")
            and subj.speaker is not None
        ):
            return Attribution(subj.speaker, None, "previous-paragraph", 0.45, subj.kind)
        return None
    span = _prev_sentence(res, q, prev.close_pos if prev and prev.last_para == q.first_para else ps)
    if span is not None:
        subj = _sentence_subject(res, *span)
        if (
            subj is not None
            and subj.kind in ("name", "name-guess", "pronoun")
            and subj.speaker is not None
        ):
            return Attribution(subj.speaker, None, "sentence-subject", 0.45, subj.kind)
    return None


# Verbs of thinking whose object clause is reported content: "believes Clinton lied".
_THINKING = word_set(
    """think thinks thought believe believes believed argue argues argued hope hopes
    hoped fear fears feared know knows knew feel feels felt expect expects expected worry
    worries worried suspect suspects suspected predict predicts predicted suggest suggests
    suggested insist insists insisted repeating argued contend contends contended
    imply implies implied indicate indicates indicated hint hints hinted signal signals
    signaled signalled deny denies denied dispute disputes disputed doubt doubts doubted
    congratulated congratulate thanked thank accused accuse blamed blame criticized
    criticised urged urge warned warn"""
)


def _from_turn(res: Resolver, q: RawQuote) -> Attribution:
    """A turn of a transcript: the name before the colon, the interviewer named in the
    introduction ("Q:"), or the person the interview is with ("A:", named in the headline
    or else first in the story)."""
    if q.turn == "A":
        person = (
            res.headline[0] if res.headline else (res.reporter[0].person if res.reporter else None)
        )
        if person is None:
            return Attribution()
        return Attribution(person, None, "transcript", 0.85, "name")
    person = res.find_person(q.turn_speaker)
    if person is None:
        return Attribution(None, q.turn_speaker.title() or None, "transcript", 0.5, "label")
    return Attribution(person, None, "transcript", 0.9, "name")


# Single lower-case words that are never who spoke: "there", "back", "here".
_NOT_SPEAKERS = word_set("there here back now then it this that these those what which")
_CLAUSE_OPENERS = frozenset(["where", "while", "when", "as", "after", "because", "since"])
_CONJUNCTIONS = frozenset(["and", "but", "so", "yet", "then", "still", "also", "or"])
_ASKING = frozenset(["asked", "asks", "questioned", "pressed", "quizzed"])
_PASSIVE = frozenset(["was", "were", "been", "being", "is", "are", "when", "after", "if", "once"])
_GOING_ON = frozenset(["continued", "continues", "added", "adds", "went"])


class _RecentSpeakers:
    """The speakers of the quotes attributed so far: the last one, and the last one before
    it who is someone else. Kept as each quote is attributed: walking back over the
    attributions for each quote was quadratic on a long story where one person answers
    every question, or where most quotes have no speaker (issue 13)."""

    __slots__ = ("before", "last")

    def __init__(self) -> None:
        self.last: int | None = None
        self.before: int | None = None

    def add(self, speaker: int | None) -> None:
        if speaker is not None and speaker != self.last:
            self.before, self.last = self.last, speaker

    def other_than(self, speaker: int | None) -> int | None:
        """The last speaker who is not ``speaker``."""
        return self.before if self.last == speaker else self.last


def _not_the_asker(
    res: Resolver, q: RawQuote, best: Attribution, recent: _RecentSpeakers
) -> Attribution:
    """ "Lowry asked about the children." then '"...," she said': the one who asked is not
    the one answering. The pronoun goes to the previous speaker instead, if one fits."""
    ss, _ = res.sentence_at(q.open_pos)
    if ss == 0:
        return best
    ps, pe = res.sentence_at(ss - 1)
    toks = res.tokens(ps, pe)
    asked = next((k for k, t in enumerate(toks) if t.low in _ASKING), None)
    if asked is None or any(t.kind == "quote" for t in toks):
        return best
    if asked and (toks[asked - 1].text == "," or toks[asked - 1].low in _PASSIVE):
        return best  # "Kerrigan, asked whether ...": he was asked, he answers
    subj = res.subject_before(toks, asked, 0)
    if subj is None or subj.speaker != best.speaker:
        return best
    gender = res.info[best.speaker].gender
    earlier = recent.other_than(best.speaker)
    if earlier is not None and res.info[earlier].gender in (gender, None):
        return replace(best, speaker=earlier, confidence=best.confidence * 0.8)
    return best


def _one_sentence(res: Resolver, start: int, end: int) -> bool:
    """The reporter's words between two quotes end within one sentence (the first
    quote's own attribution)."""
    _s, e = res.sentence_at(start)
    return not res.masked[max(e, start) : end].strip()


def _last_sentence(res: Resolver, ps: int, pe: int) -> tuple[int, int]:
    s, e = res.sentence_at(max(ps, pe - 1))
    return max(s, ps), min(e, pe)


def _no_new_subject(res: Resolver, start: int, end: int, speaker: int | None = None) -> bool:
    """No person other than ``speaker`` is named in the reporter's words between two quotes."""
    return all(m.person == speaker for m in res.between(start, end))
