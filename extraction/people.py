"""Named people: capitalised runs, gazetteer and context cues, clustering of short forms.

A lone first name that never gets a full name in the article ("her boyfriend Sam")
is kept as a person called "Sam" when the text gives person evidence for it (a role
or relationship noun before it, an age after it, a speech verb); otherwise it is
dropped. An ambiguous short form (two full names share it) links to nobody.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from .lexicon import (
    AFFILIATIONS,
    DEMONYMS,
    EVENT_VERBS,
    IRREGULAR_PAST,
    MONTHS,
    NEG_TOKENS,
    NON_PERSON_HEADS,
    PLACE_PREPS,
    ROLE_NOUNS,
    SPEECH_VERBS,
    STOP_CAPS,
    TITLE_CUES,
    UPPER,
    WEEKDAYS,
    norm_name,
    word_set,
)
from .names import (
    PERSONAL_TITLES,
    TITLE_GENDER,
    first_name_titles,
    given_gender,
    is_common_given,
    is_given,
    is_place,
    is_region,
    is_title,
    particles,
    sort_key,
    suffixes,
)
from .types import ExtractedMention, ExtractedPerson

if TYPE_CHECKING:
    from .knowledge import WorldIndex

_TOK = rf"[{UPPER}][\w]*(?:[-'’][\w]+)*"
_PARTICLE = r"(?:van|von|de|der|den|da|di|du|del|della|dos|das|bin|ibn|al|el|ter|ten|le|la)"
# Abbreviated titles before a name: "Sen. Ted Cruz", "Mr. Ryan", "Lt. Col. Ann Marsh".
_HON_DOT = (
    r"(?:(?:Mr|Mrs|Ms|Mx|Dr|Prof|Rev|Fr|Sgt|Det|Insp|Supt|Capt|Col|Gen|Lt|Maj|Adm|Cmdr|Cpl"
    r"|Cllr|Sen|Gov|Rep|Atty|Amb|Pres|Hon|Msgr)\.[ ]){0,2}"
)
# A middle initial inside a name ("Mark J. Heller", "C. Boyden Gray"), never at its end.
_INITIAL_TOK = rf"[{UPPER}]\.(?:[ ]?[{UPPER}]\.)*(?=[ ][{UPPER}])"
# Titles that make a lone surname a person of its own: "Mr. Ekovich", "Sen. Cruz".
_SURNAME_TITLES = PERSONAL_TITLES | word_set(
    """sir dame lord lady president senator sen rep representative gov governor secretary
    mayor judge justice speaker chancellor minister general gen lt col sgt adm capt maj
    commissioner ambassador amb sheriff professor rev reverend father rabbi pastor bishop
    cardinal detective det inspector insp sergeant constable cllr councillor congressman
    congresswoman atty attorney coach"""
)
_ROLE_CHAIN = frozenset(
    [
        "and",
        "fellow",
        "former",
        "long-term",
        "late",
        "co-star",
        "dance",
        "tattoo",
        "soap",
        "professional",
        "new",
        "young",
        "veteran",
        "retired",
        "then",
        "her",
        "his",
        "their",
        "its",
        "our",
        "my",
        "your",
        "the",
        "a",
        "an",
    ]
)
# The lookahead lets the regex engine skip to capital letters quickly.
_RUN = re.compile(
    rf"(?=[{UPPER}])(?<![\w@'’.-]){_HON_DOT}(?:{_INITIAL_TOK}[ ])?{_TOK}"
    rf"(?:[ ](?:{_PARTICLE}[ ]){{0,2}}(?:{_INITIAL_TOK}|{_TOK}))*(?:['’]s?(?!\w))?"
)
_SPLIT_TOK = re.compile(rf"[{UPPER}]\.(?:[ ]?[{UPPER}]\.)*|{_TOK}\.?|{_PARTICLE}")
# Capitalised words that end a name when a title-case headline ran into it: "Mary
# Steenburgen Wrote", "Taylor Russell Is One".
_NAME_BREAKERS = frozenset(
    w.capitalize() for w in SPEECH_VERBS | EVENT_VERBS | IRREGULAR_PAST if len(w) > 2
)
# Dwayne "The Rock" Johnson: a capitalised nickname between a first name and a surname.
_NICKNAMED = re.compile(
    rf"(?=[{UPPER}])(?<![\w@'’.-])({_TOK}) "
    rf"(?:\"[{UPPER}][^\"\n]{{0,38}}\"|“[{UPPER}][^”\n]{{0,38}}”"
    rf"|‘[{UPPER}][^’\n]{{0,38}}’|'[{UPPER}][^'\n]{{0,38}}') ({_TOK})(?![\w'’-])"
)
_OPEN_MARKS = "\"“‘'"
_CLOSE_MARKS = "\"”’'"
# A character in a drama, not a real person: "Frankie Lewis, played by ...", "Denise
# Harlow (Joanne Birtles)", "... is back as villain Dean Wicks", "who plays Frankie Lewis".
_CHARACTER_AFTER = re.compile(rf",? (?:who is |who was )?played by | \(({_TOK}) {_TOK}\)")
_CHARACTER_BEFORE = re.compile(
    r"\b(?:plays|playing|played|portrays|portraying|portrayed|(?:back|returns?|returned|"
    r"returning|stars?|starred|starring|appears?|appeared) as)"
    r"(?: (?:villain|character|hero|heroine|newcomer|favourite))? $"
)
# A handle ends with a letter, digit or "_" (a full stop after it ends the sentence). Runs
# separated by full stops, possessive: no backtracking over a long run of full stops.
_HANDLE = re.compile(r"(?<![\w.@])@([A-Za-z0-9_]++(?:\.++[A-Za-z0-9_]++)*+)")
# The first pronoun after a name, before the sentence ends.
_NEXT_PRONOUN = re.compile(r"[^.!?\n]*?\b(he|she|his|her|him|its|their|they)\b", re.I)
_PERSONAL_PRONOUNS = frozenset(["he", "she", "his", "her", "him"])
_SENTENCE_END = re.compile(r"[.!?][\"”’']?\s+[\"“‘']?[A-Z]")
# ", who ..." or ", a/the/its ..." right after a name.
_APPOSITION = re.compile(r",\s+(?:who\b|((?:a|an|the|its|his|her|their)\s[^.;:()]*))")
# Right after a quote's closing mark: '"...," Tilton said'.
_AFTER_QUOTE = re.compile(r"[,!?][\"”']'?\s*$")
_LOWER_WORD = re.compile(r"(?<![\w'’-])[a-z]{2,}(?![\w'’-])")
# Company suffixes written after the name: "Harlow Foods plc".
_ORG_AFTER = re.compile(r"['’]?,? (?:plc|PLC|Inc|inc|Ltd|ltd|LLC|Corp|corp|Co)\b")
_AGE_AFTER = re.compile(r"^,? (\d{1,3}),")
# (No "^": ``match`` anchors at its start position, which "^" would not honour.)
_VERB_AFTER = re.compile(r",? (?:(?:has|had|then|also|later|previously|once|who) )?([a-z]+)\b")
_INITIAL = frozenset(("", ".", "!", "?", ":", '"', "“", "‘", "'", "(", "”", "…", "~"))
_LEET = str.maketrans("013457", "oieast")
_ORG_HINT = frozenset(
    [
        "Ltd",
        "Limited",
        "Plc",
        "PLC",
        "Inc",
        "LLC",
        "FC",
        "AFC",
        "Council",
        "Party",
        "Police",
        "University",
        "College",
        "Hospital",
        "Trust",
        "Foundation",
        "Society",
        "Association",
        "Club",
        "Bank",
        "Group",
        "Agency",
        "Commission",
        "Ministry",
        "Department",
        "Court",
        "Show",
        "Festival",
        "Awards",
        "Award",
    ]
)
_CALENDAR = frozenset(m.capitalize() for m in MONTHS) | frozenset(d.capitalize() for d in WEEKDAYS)


@dataclass(slots=True)
class _Occ:
    start: int
    end: int
    kind: str  # full | maybe (a full name that needs support) | known | first | last | single
    key: tuple[str, ...]
    surface: str
    in_body: bool
    cue: bool
    after_prep: bool
    honorific: str | None
    mention: bool = True  # False for a name assembled around a nickname: no span of its own
    suffix: str = ""  # "jr", "sr": written after the surname
    # The words after it speak of a person: ", who ...", ", a professor of ...", "... he".
    personal: bool = False
    headline: bool = False


@dataclass(slots=True)
class PersonInfo:
    """What later stages need to know about one extracted person."""

    name: str
    tokens: tuple[str, ...]
    gender: str | None = None
    roles: set[str] = field(default_factory=set)
    forms: set[str] = field(default_factory=set)
    known_key: object = None
    first_pos: int = 1 << 30
    suffix: str = ""


@dataclass(slots=True)
class PeopleResult:
    people: list[ExtractedPerson]
    info: list[PersonInfo]
    mentions: list[ExtractedMention]
    tags: list[str]
    # (start, end) of mentions whose person was chosen among several with the same name.
    uncertain: set[tuple[int, int]] = field(default_factory=set)
    headline: list[int] = field(default_factory=list)  # people the headline names, in order


def _gender_of(first: str) -> str | None:
    return given_gender(first)


def _is_given(tok: str) -> bool:
    """A given name, written as one ("Emi"; "EMI" in capitals is an acronym)."""
    return is_given(tok) and not (len(tok) > 1 and tok.isupper())


# Words nameparser lists among titles that are ordinary capitalised words before a name
# ("Her", "Most", "United").
# Words that name a thing with a personal name after them: "Storm Nadia", "Operation Ruth".
_NAMED_THINGS = word_set("storm hurricane typhoon cyclone tropical operation")
_FUNCTION_CAPS = word_set(
    """A An The And Or Nor But Of In On At To For With From By Into Onto Is Are Was Were Be
    It Its This That These Those Than As If So No Not Our Your Their My We You They I Me"""
)
# Police and military ranks written in capitals: "DI Okoro", "DCI Grant", "PC Ellis".
_RANKS = word_set("di ds dc dci dcs dsu pc pcso sgt insp supt cpl pte lcpl")
_NOT_TITLES = word_set(
    "her his me most us uk states united kingdom right rock blues discovery mystery police"
)


@lru_cache(maxsize=65536)
def _is_title(word: str) -> bool:
    """A title or a role written before a name: "Sen.", "Inspector", "Striker"."""
    low = word.lower().rstrip(".")
    if word.isupper() and low in _RANKS:
        return True  # "DI Okoro", "PC Ellis"
    if low in _NOT_TITLES or len(low) < 2 or low in suffixes():
        return False  # "Sr." is a suffix after a name, not a title before one
    if low in ROLE_NOUNS and word[:1].isupper() and not is_given(word):
        return True
    return is_title(word) and (
        word.rstrip(".") not in STOP_CAPS or low in TITLE_GENDER or low in PERSONAL_TITLES
    )


def _not_a_name(words: tuple[str, ...]) -> bool:
    """Words before a lone given name that cannot be its first name: "But", "Strictly"
    is fine before a full name, not before "James" alone."""
    return all(
        w in STOP_CAPS or w in NEG_TOKENS or _is_acronym(w) or w.lower() in ROLE_NOUNS
        for w in words
    )


def _title_of(honorific: str | None) -> str:
    """The last title word of "Detective Sergeant", lower-case without its full stop."""
    return honorific.split()[-1].lower().rstrip(".") if honorific else ""


@lru_cache(maxsize=65536)
def _is_acronym(tok: str) -> bool:
    letters = [c for c in tok if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


@dataclass(frozen=True, slots=True)
class _Plan:
    """What the words of one capitalised group say, before looking at the context.

    Depends only on the words, so it is computed once per distinct group
    (``_plan``) rather than once per occurrence.
    """

    prefix_entity: str | None  # "Strictly" in "Strictly Giovanni Pernice": an entity before
    first: int  # index of the first word of the name (after the prefix and "But", "Like")
    hon: str | None  # "Detective Sergeant"
    name_words: tuple[str, ...]
    name_lower: str
    neg: bool  # an organisation word or an acronym: not a person
    given0: bool  # the first name word is a given name
    common0: bool  # ... and a common one in English (else the article must not use it as a word)
    stop0: bool  # the first name word is a stop word or a month/day
    key: tuple[str, ...]
    end_word: int  # index after the last name word in the group (a run-on is cut off)
    suffix: str = ""  # "jr", "sr", "iii": father and son share every other word


def _prev_char(text: str, pos: int, floor: int = 0) -> str:
    """``text[floor:pos].rstrip()[-1:]`` without copying the text."""
    while pos > floor and text[pos - 1].isspace():
        pos -= 1
    return text[pos - 1] if pos > floor else ""


@lru_cache(maxsize=65536)
def _run_plan(run: str) -> str | tuple[tuple[tuple[tuple[int, str], ...], _Plan], ...] | None:
    """Split a capitalised run into name groups (offsets relative to the run).

    Returns None for a lone stop word ("The", "Monday"), a string for a run that is
    one non-person entity ("BAFTA TV Award", "BBC News"), else each group with its plan.
    """
    if " " not in run and (run in STOP_CAPS or run in _CALENDAR):
        return None
    toks = [(t.start(), t.group()) for t in _SPLIT_TOK.finditer(run)]
    if any(_is_acronym(t) and not t.endswith(".") for _, t in toks) and not any(
        _is_given(t) or _is_title(t) for _, t in toks
    ):
        return run.rstrip("'’s") if run.endswith(("'s", "’s")) else run
    # Split after possessives ("Rose's Instagram") and around acronyms ("BBC").
    groups: list[list[tuple[int, str]]] = [[]]
    for pos, tok in toks:
        possessive = tok.endswith(("'s", "’s", "'", "’"))
        if possessive:
            tok = tok[:-2] if tok.endswith("s") and tok[-2] in "'’" else tok[:-1]
        acronym = _is_acronym(tok) and not tok.endswith(".")
        if acronym and groups[-1]:
            groups.append([])
        groups[-1].append((pos, tok))
        if possessive or acronym:
            groups.append([])
    out = []
    for group in groups:
        while group and group[-1][1][:1].islower():
            group.pop()  # a trailing particle
        if group:
            out.append((tuple(group), _plan(tuple(t for _, t in group))))
    return tuple(out)


@lru_cache(maxsize=65536)
def _plan(words: tuple[str, ...]) -> _Plan:
    # Find where a person name could begin: a title or a given name.
    cut = 0
    for i, w in enumerate(words):
        if (_is_title(w) or _is_initials(w)) and i + 1 < len(words):
            cut = i  # "Sen. Ted Cruz", "C. Boyden Gray"
            break
        if (
            _is_given(w)
            and w not in _CALENDAR
            and w not in STOP_CAPS
            and (i + 1 < len(words) or _not_a_name(words[:i]))  # "LeBron James" is one name
        ):
            cut = i
            break
    prefix_entity = None
    if cut and all(w in STOP_CAPS or not _is_given(w) for w in words[:cut]):
        prefix_entity = " ".join(words[:cut])
    else:
        cut = 0
    first = cut
    # "But Okafor", "Like Rose": a sentence-opening word is not part of the name.
    while len(words) - first > 1 and words[first] in STOP_CAPS and not _is_title(words[first]):
        first += 1
    rest = words[first:]
    n_hon = 0
    while n_hon < len(rest) - 1 and _is_title(rest[n_hon]):
        n_hon += 1  # "Detective Sergeant Paul Reid", "Chief Inspector Fiona Grant"
    # "Republican National Committee Chairman Reince Priebus", "Atlantic City Mayor Don
    # Guardian": an office named with its body before the name; the name follows the last
    # title word.
    for j in range(len(rest) - 2, n_hon - 1, -1):
        if _is_title(rest[j]) and not any(_is_title(w) for w in rest[j + 1 :]):
            if any(w in NEG_TOKENS for w in rest[n_hon:j]) or j - n_hon >= 2:
                n_hon = j + 1
            break
    name_words = rest[n_hon:]
    # Names never hold function words: "Take A Moment", "Lord Of The Rings".
    function_word = any(w in _FUNCTION_CAPS for w in name_words[1:2])
    # A title-case headline ran on into the next words: "Taylor Russell Is One",
    # "Clinton Says Russians Hacked".
    for i in range(1, len(name_words)):
        w = name_words[i]
        if (i >= 2 and (w in _NAME_BREAKERS or w in STOP_CAPS)) or (
            w in _NAME_BREAKERS and w.endswith("s")  # a headline's present tense: "Says"
        ):
            name_words = name_words[:i]
            break
    # A suffix is part of the name but not its key: "Martin Luther King Jr." is King.
    key_words = name_words
    suffix = ""
    while len(key_words) >= 2 and key_words[-1].lower().rstrip(".") in suffixes():
        suffix = key_words[-1].lower().rstrip(".")
        key_words = key_words[:-1]
    w0 = name_words[0]
    tail = name_words[1:]
    return _Plan(
        prefix_entity=prefix_entity,
        first=first,
        hon=" ".join(rest[:n_hon]) if n_hon else None,
        name_words=name_words,
        name_lower=" ".join(name_words).lower(),
        # Organisations name their kind last ("Northfield Borough Council", "Christmas Eve");
        # a first word such as "Bill" or "Eve" is a given name when the word is one.
        neg=any(w in NEG_TOKENS or (_is_acronym(w) and not w.endswith(".")) for w in tail)
        or ((w0 in NEG_TOKENS or _is_acronym(w0)) and not _is_given(w0))
        or (len(name_words) > 1 and is_place(" ".join(name_words)))
        or w0.lower() in _NAMED_THINGS
        or (len(name_words) > 1 and _is_title(name_words[-1]))
        or function_word,
        given0=_is_given(w0),
        common0=is_common_given(w0),
        stop0=w0 in STOP_CAPS or w0 in _CALENDAR,
        key=tuple(norm_name(w) for w in key_words),
        end_word=first + n_hon + len(name_words),
        suffix=suffix,
    )


class _Scanner:
    def __init__(self, world: WorldIndex) -> None:
        # The lookups come built: building them here, for every article, cost time in
        # proportion to the people known (issue 13).
        self.rejected = world.rejected
        self.known = world.known
        # Only a full name links to a person from another article by itself; a first name,
        # a surname or "Mr Adams" must meet the full name in this article first.
        self.known_full = world.known_full
        self.lower_words: frozenset[str] = frozenset()
        self.org_keys: set[tuple[str, ...]] = set()  # names the article shows are organisations
        self.occs: list[_Occ] = []
        self.entities: list[tuple[str, bool]] = []  # (surface, sentence_initial)
        self.roles: dict[tuple[str, ...], set[str]] = {}
        self.characters: set[tuple[str, ...]] = set()  # keys of fictional characters
        self.nicknames: set[str] = set()  # lower-cased runs that appeared wrapped in quote marks

    def scan(self, text: str, in_body: bool) -> None:
        for m in _RUN.finditer(text):
            plan = _run_plan(m.group())
            if plan is None:
                continue  # "The", "It", "Monday"
            start = m.start()
            if (
                start
                and text[start - 1] in _OPEN_MARKS
                and (text[m.end() : m.end() + 1] in _CLOSE_MARKS or m.group()[-1] in "'’")
            ):
                # Wrapped in quote marks on its own: a nickname or title ("Mr Loverboy").
                self._entity(m.group().rstrip("'’"), True)  # after a mark, as before
                self.nicknames.add(m.group().rstrip("'’").lower())
                continue
            if isinstance(plan, str):
                self._entity(plan, _prev_char(text, start) in _INITIAL)
                continue
            for group, group_plan in plan:
                self._group(text, start, group, group_plan, in_body)
        if '"' in text or "“" in text or "‘" in text or "'" in text:
            self._nicknamed(text, in_body)

    def _nicknamed(self, text: str, in_body: bool) -> None:
        """Dwayne "The Rock" Johnson is Dwayne Johnson (no mention: the span is not a name)."""
        for m in _NICKNAMED.finditer(text):
            first, last = m.group(1), m.group(2)
            if (
                first in STOP_CAPS
                or first in _CALENDAR
                or last in STOP_CAPS
                or last in NEG_TOKENS
                or _is_acronym(first)
                or _is_acronym(last)
            ):
                continue
            key = (norm_name(first), norm_name(last))
            surface = f"{first} {last}"
            occ = _Occ(m.start(), m.end(), "full", key, surface, in_body, True, False, None, False)
            self.occs.append(occ)

    def _group(
        self,
        text: str,
        run_start: int,
        group: tuple[tuple[int, str], ...],
        plan: _Plan,
        in_body: bool,
    ) -> None:
        start = run_start + group[0][0]
        last = group[plan.end_word - 1]
        end = run_start + last[0] + len(last[1])
        initial = _prev_char(text, start, max(0, start - 40)) in _INITIAL
        if plan.prefix_entity is not None:
            self._entity(plan.prefix_entity, initial)
        if plan.first:
            start = run_start + group[plan.first][0]
            initial = False
        before = text[max(0, start - 40) : start]
        prev_word, comma = _last_lower_word(before)
        # The word right before, with nothing but a space between: "band Velvet Harbour".
        adjacent = "" if comma else prev_word
        surface = text[start:end]
        hon = plan.hon
        name_words = plan.name_words
        known = None
        if self.rejected or self.known_full:
            lower = surface.lower()
            if lower in self.rejected or plan.name_lower in self.rejected:
                self._entity(surface, initial)
                return
            known = self.known_full.get(lower)
            if known is None:
                known = self.known_full.get(plan.name_lower)
        # A given name that is rare in English and used as an ordinary word in this article
        # ("storm", "take") proves nothing.
        given0 = plan.given0 and (plan.common0 or plan.key[0] not in self.lower_words)
        # "the Kingsport Lionesses", "the White House": people go without an article.
        the_before = adjacent == "the" or (plan.first and group[plan.first - 1][1] == "The")
        if name_words[-1].lower().rstrip(".") in suffixes() and text[end : end + 1] == ".":
            end += 1  # "Tom Reyes Jr."
            surface = text[start:end]
        if known is None:
            if plan.neg or (prev_word in TITLE_CUES and not hon) or len(name_words) > 4:
                self._entity(surface, initial)
                return
            # "club Remo Stars", "band Velvet Harbour" (but "campaign Chairman John Podesta")
            if (
                (adjacent in NON_PERSON_HEADS and adjacent not in ROLE_NOUNS and not hon)
                or _ORG_AFTER.match(text, end, end + 8)  # "Harlow Foods plc"
                or text[max(0, start - 2) : start] == "& "  # "Pritchard & Vale"
                or text[end : end + 2] == " &"
                or (the_before and not hon and not plan.common0)
            ):
                self.org_keys.add(plan.key)
                self._entity(surface, initial)
                return
            if len(name_words) == 1 and not hon and _is_title(name_words[0]):
                self._entity(surface, initial)  # "The Duke": a title alone is no name
                return
            if len(name_words) == 1 and not hon and is_region(name_words[0]):
                # "Israel", "Jordan": a short form of a full name at most, never a person.
                self._entity(surface, initial)
                occ = _Occ(start, end, "single", plan.key, surface, in_body, False, False, None)
                self.occs.append(occ)
                return
            if len(name_words) == 1 and not hon and not given0:
                # Fast path: a lone capitalised word that is not a given name ("Okafor",
                # "Instagram") can only be a surname short form or an entity.
                if plan.stop0:
                    return
                self._entity(surface, initial)
                occ = _Occ(start, end, "single", plan.key, surface, in_body, False, False, None)
                verb = _VERB_AFTER.match(text, end, end + 30)
                occ.cue = bool(verb and verb.group(1) in SPEECH_VERBS)
                occ.personal = occ.cue and (
                    _AFTER_QUOTE.search(text, max(0, start - 4), start) is not None
                    or self._apposed_person(text, end)
                )
                self.occs.append(occ)
                return
        prev_words = _prev_words(before) if prev_word else []
        if len(name_words) >= 2:
            cm = _CHARACTER_AFTER.match(text, end, end + 40)
            if cm is not None:
                if cm.group(1) is None or _is_given(cm.group(1)):  # "(Joanne Birtles)"
                    self.characters.add((plan.key[0], plan.key[-1]))
            elif prev_words and _CHARACTER_BEFORE.search(before):
                self.characters.add((plan.key[0], plan.key[-1]))
        role_words: set[str] = {w.lower() for w in (hon or "").split() if w.lower() in ROLE_NOUNS}
        for w in reversed(prev_words):
            if w in ROLE_NOUNS:
                role_words.add(w)
            elif w not in _ROLE_CHAIN:
                break
        after = text[end : end + 30]
        age = _AGE_AFTER.match(after)
        if age is not None:
            role_words.add(f"{age.group(1)}-year-old")  # "the 34-year-old" is this person
        strong = bool(hon or role_words)
        after_prep = prev_word in PLACE_PREPS and prev_word not in ("from", "via", "by", "with")
        key = plan.key
        if known is not None:
            kind = "known"
            key = (f"\x00known{known}",)
        elif len(plan.key) == 1 and plan.suffix:
            kind = "last"  # "Reyes Sr."
        elif (
            len(name_words) >= 2
            and name_words[0].lower() in particles()
            and (len(name_words) >= 3 or not given0)  # "Al Franken" is not a particle
        ):
            # "Van Der Berg", "De La Cruz" alone: a surname with its particles.
            kind = "last"
            key = (plan.key[-1],)
        elif len(name_words) >= 2:
            if name_words[-1].lower() in DEMONYMS or name_words[-1].lower() in AFFILIATIONS:
                self._entity(surface, initial)  # "Young Briton", "Carolina Democrat"
                return
            if after_prep and not hon and not (given0 and plan.common0):
                self._entity(surface, initial)  # "in Red Hook", "from Broughty Ferry"
                return
            if given0 or strong or self._speaks(text, start, end):
                kind = "full"
            elif self._apposed_person(text, end) or _is_initials(name_words[0]):
                kind = "full"  # "Htay Oo, its acting chairman,", "J.J. Goldberg"
            elif self._animate(text, end):
                kind = "full"  # "Joplin Reeves had the sweetest date ...: his mom"
            else:
                # "Chidi Okafor": an unlisted first name; a person if the article supports it.
                kind = "maybe"
                self._entity(surface, initial)
        else:
            if plan.stop0 and not hon:
                return
            kind = "last" if hon else ("first" if given0 else "single")
            if kind == "single":
                self._entity(surface, initial)
        if role_words:
            self.roles.setdefault(key, set()).update(role_words)
        if strong:
            cue = True
        else:
            verb = _VERB_AFTER.match(after)
            cue = bool(
                (verb and verb.group(1) in SPEECH_VERBS)
                or before.endswith(("said ", "says ", "added ", "by ", "named "))
            )
        if kind in ("full", "maybe") and hon and not _personal_title(hon):
            # "Senate Majority Leader Mitch McConnell": the office is a role, not the name.
            start = run_start + group[plan.first + len(hon.split())][0]
            surface, hon = text[start:end], None
        occ = _Occ(start, end, kind, key, surface, in_body, cue, after_prep, hon)
        occ.suffix = plan.suffix
        self.occs.append(occ)

    @staticmethod
    def _speaks(text: str, start: int, end: int) -> bool:
        """The name is the subject of a speech verb: "Roderick Lindblom said", "said X"."""
        verb = _VERB_AFTER.match(text, end, end + 30)
        if verb is not None and verb.group(1) in SPEECH_VERBS:
            return True
        before = text[max(0, start - 8) : start]
        return before.endswith(("said ", "says ", "added "))

    @staticmethod
    def _apposed_person(text: str, end: int) -> bool:
        """A person's apposition follows: ", who ...", ", a professor of law at ...",
        ", the 2012 Republican presidential nominee,", ", its acting chairman,"."""
        m = _APPOSITION.match(text, end, min(len(text), end + 90))
        if m is None:
            return False
        if m.group(1) is None:
            return True  # ", who"
        words = m.group(1).lower().replace(",", " ").split()
        return any(w in ROLE_NOUNS or _is_title(w) for w in words[1:7])

    @staticmethod
    def _animate(text: str, end: int) -> bool:
        """The next pronoun after the name, in its sentence, is "he" or "she" (not "its")."""
        m = _NEXT_PRONOUN.match(text, end, min(len(text), end + 160))
        return m is not None and m.group(1).lower() in _PERSONAL_PRONOUNS

    def _entity(self, surface: str, initial: bool) -> None:
        words = surface.split()
        while words and words[0] in STOP_CAPS:
            words.pop(0)
            initial = False
        if words:
            self.entities.append((" ".join(words), initial))


_SMALL_WORDS = word_set("a an and the of in on at to for with by or but as from is")


_TITLE_MAX_CHARS = 200  # a headline is short: longer paragraphs are not even looked at


def _title_case_spans(body: str) -> list[tuple[int, int]]:
    """Paragraphs written in title case ("Bolton And Gorka Slam Neocons")."""
    spans = []
    pos = 0
    for para in body.split("\n\n"):
        head = para.split(None, 3)
        if (
            len(para) > _TITLE_MAX_CHARS
            or len(head) < 4
            or sum(w[:1].isupper() for w in head[:3]) < 2
        ):
            pos += len(para) + 2
            continue
        words = [w for w in para.split() if w[:1].isalpha() and w.lower() not in _SMALL_WORDS]
        if 4 <= len(words) <= 25 and sum(w[:1].isupper() for w in words) >= 0.8 * len(words):
            spans.append((pos, pos + len(para)))
        pos += len(para) + 2
    return spans


def _personal_title(honorific: str | None) -> bool:
    """ "Mr", "Ms", "Dr", "Sir", "Lady": titles that belong in how a person is addressed."""
    title = _title_of(honorific)
    return title in PERSONAL_TITLES or title in first_name_titles()


def _alias_form(occ: _Occ) -> str:
    """How the article named the person, as an alias: "Mr Hale" and "Sir Elton" keep their
    title; an office or a role does not ("Senate Majority Leader Mitch McConnell")."""
    if not occ.honorific:
        return occ.surface
    if _personal_title(occ.honorific):
        return occ.surface
    return occ.surface[len(occ.honorific) :].strip()


def _is_initials(word: str) -> bool:
    """ "J.J.", "C.": initials standing for given names (not "U.S." or "U.N.")."""
    return (
        word.endswith(".")
        and all(part.isalpha() and len(part) == 1 for part in word[:-1].split("."))
        and word not in ("U.S.", "U.K.", "U.N.", "E.U.", "D.C.")
    )


def _is_full_name(form: str) -> bool:
    words = [w for w in form.split() if not _is_title(w)]
    return len(words) >= 2 or (len(words) == 1 and words[0].startswith("@"))


def _last_lower_word(before: str) -> tuple[str, bool]:
    """The lower-case word right before a name ("band"), and whether a comma follows it."""
    if not before.endswith(" "):
        return "", False
    head = before[:-1]
    comma = head.endswith(",")
    if comma:
        head = head[:-1]
    word = head[head.rfind(" ") + 1 :]
    return (word, comma) if word[:1].islower() else ("", False)


def _prev_words(before: str) -> list[str]:
    """Up to four lower-case words right before a name ("professional dancer and")."""
    if not before.endswith(" "):
        return []
    out: list[str] = []
    for tok in reversed(before.split()):
        word = tok.rstrip(",")
        if not word or not word[0].islower() or len(out) == 4:
            break
        out.append(word)
        if word != tok and len(out) > 1:
            out.pop()
            break
    out.reverse()
    return out


def _supported_keys(sc: _Scanner) -> set[tuple[str, ...]]:
    """Keys of uncertain full names ("maybe") that the rest of the article supports: the
    same name found with person evidence elsewhere, a cue (a speech verb, a role, an age),
    or the surname used alone ("Okafor")."""
    full = {o.key for o in sc.occs if o.kind == "full"}
    cued = {o.key for o in sc.occs if o.cue}
    alone = {o.key[0] for o in sc.occs if o.kind in ("single", "last", "first") and o.in_body}
    out: set[tuple[str, ...]] = set()
    for o in sc.occs:
        if o.kind != "maybe":
            continue
        if o.key in full or o.key in cued or o.key[-1] in alone:
            out.add(o.key)
    return out


class _HandleOwners:
    """The one person a social handle spells: "@joplinreeves", "@imeldaeats" (a first
    name of four letters or more), "@rose.a.e" (a first name and initials).

    A person scores 2 when their surname is in the handle (or its first six letters and
    the first four of the first name are), 1 when their first name is, 3 when the handle is
    their first name and initials; the one person with the best score owns it. Only the
    people a handle can give 2 or more are scored, found by the pieces of the handle they
    would match: scoring everyone for every handle was quadratic on a long story naming
    many people (issue 13). Those who could only score 1 are counted, not scored: they
    own the handle only when no one scores more and no one else scores 1.
    """

    def __init__(self, people: list[PersonInfo]) -> None:
        self.people = people
        self.norm: list[tuple[list[str], list[str]]] = []  # (tokens, surname pieces)
        self.by_surname6: dict[str, list[int]] = {}  # the first 6 letters of a surname
        self.by_first: dict[str, list[int]] = {}  # first names that can score 1
        self.by_initials: dict[tuple[str, str], list[int]] = {}  # (first, initials so far)
        self.longest_first = 0
        for i, p in enumerate(people):
            toks = [norm_name(t) for t in p.tokens]
            pieces = [norm_name(x) for t in p.tokens[1:] for x in re.split(r"[-'’]", t)]
            self.norm.append((toks, pieces))
            first = toks[0]
            if len(toks) > 1 and len(toks[-1]) >= 4:
                self.by_surname6.setdefault(toks[-1][:6], []).append(i)
            if len(toks) > 1 and len(first) >= 4:
                self.by_first.setdefault(first, []).append(i)
                self.longest_first = max(self.longest_first, len(first))
            initials = "".join(x[:1] for x in pieces)
            for k in range(1, len(initials) + 1):
                self.by_initials.setdefault((first, initials[:k]), []).append(i)
        self.owners: dict[str, int | None] = {}

    def owner(self, handle: str) -> int | None:
        if handle not in self.owners:
            self.owners[handle] = self._owner(handle)
        return self.owners[handle]

    def _owner(self, handle: str) -> int | None:
        h = re.sub(r"[^a-z]", "", handle.lower().translate(_LEET))
        parts = re.sub(r"[^a-z.]", "", handle.lower().translate(_LEET)).split(".")
        found: set[int] = set()  # everyone who can score 2 or more
        for size in (4, 5, 6):
            for k in range(len(h) - size + 1):
                found.update(self.by_surname6.get(h[k : k + size], ()))
        if len(parts) > 1 and all(len(x) == 1 for x in parts[1:]):
            found.update(self.by_initials.get((parts[0], "".join(parts[1:])), ()))
        scores = {i: score for i in found if (score := self._score(i, h, parts))}
        if scores:
            best = max(scores.values())
            winners = [i for i, score in scores.items() if score == best]
            return winners[0] if len(winners) == 1 else None
        # No one scores 2: the owner is the one person whose first name is in the handle.
        firsts = {
            h[k : k + size]
            for size in range(4, min(self.longest_first, len(h)) + 1)
            for k in range(len(h) - size + 1)
        }
        owner = None
        for first in firsts:
            holders = self.by_first.get(first, ())
            if holders and (owner is not None or len(holders) > 1):
                return None  # two people: the handle is no one's
            if holders:
                owner = holders[0]
        return owner

    def _score(self, i: int, h: str, parts: list[str]) -> int:
        toks, pieces = self.norm[i]
        last = toks[-1] if len(toks) > 1 else ""
        first = toks[0]
        score = 0
        if len(last) >= 4 and (last in h or (last[:6] in h and first[:4] in h)):
            score += 2
        if len(toks) > 1 and len(first) >= 4 and first in h:
            score += 1
        if (
            len(parts) > 1
            and parts[0] == first
            and all(len(x) == 1 for x in parts[1:])
            and "".join(parts[1:]) == "".join(x[:1] for x in pieces)[: len(parts) - 1]
        ):
            score += 3  # "@rose.a.e": first name plus initials
        return score


def extract_people(body: str, extra_texts: list[str], world: WorldIndex) -> PeopleResult:
    """People named in ``body`` (mentions with offsets) and in ``extra_texts`` (headline...)."""
    sc = _Scanner(world)
    sc.lower_words = frozenset(_LOWER_WORD.findall(body))
    sc.scan(body, True)
    # A paragraph in title case is a headline repeated in the body: its runs of capitals
    # are as unreliable as the headline's.
    titles = _title_case_spans(body)
    if titles:
        for occ in sc.occs:
            if any(s <= occ.start < e for s, e in titles):
                occ.headline = True
    for i, t in enumerate(extra_texts):
        n = len(sc.occs)
        sc.scan(t, False)
        if i == 0:  # the headline
            for occ in sc.occs[n:]:
                occ.headline = True
    if sc.nicknames:
        # "Bye bye Mr Loverboy": a form the article used as a nickname is not a person.
        sc.occs = [o for o in sc.occs if o.surface.lower() not in sc.nicknames]

    info: list[PersonInfo] = []
    by_key: dict[tuple[str, ...], int] = {}

    def add(key: tuple[str, ...], surface_words: list[str], occ: _Occ) -> int:
        idx = by_key.get(key)
        if idx is None:
            idx = len(info)
            by_key[key] = idx
            info.append(PersonInfo(" ".join(surface_words), tuple(surface_words)))
        p = info[idx]
        if occ.in_body:
            p.first_pos = min(p.first_pos, occ.start)
        return idx

    def words_of(occ: _Occ) -> list[str]:
        w = occ.surface.split()
        return w[len(occ.honorific.split()) :] if occ.honorific else w

    # 1. Known people and full names.
    resolved: dict[int, int] = {}
    for n, occ in enumerate(sc.occs):
        if occ.kind == "known":
            kp = world.person(int(occ.key[0][6:]))
            idx = add(occ.key, kp.name.split(), occ)
            info[idx].known_key = kp.key
            info[idx].name = kp.name
            resolved[n] = idx
    known_by_key: dict[tuple[str, str], int] = {}
    for i, p in enumerate(info):
        if p.known_key is not None and len(p.tokens) > 1:
            known_by_key.setdefault((norm_name(p.tokens[0]), norm_name(p.tokens[-1])), i)
    supported = _supported_keys(sc)
    # Title-case headlines run names into other words ("Ben Carson Defends Himself",
    # "Republican Donor Adelson"): a name found only outside the body makes no one.
    body_keys = {
        (o.key[0], o.key[-1]) for o in sc.occs if o.in_body and not o.headline and o.kind == "full"
    }
    full_lasts = {o.key[-1] for o in sc.occs if o.kind == "full"}
    for occ in sc.occs:
        if occ.kind == "maybe" and occ.key[-1] in full_lasts:
            # "Republican Donor Adelson" beside "Sheldon Adelson": words before his surname.
            occ.kind, occ.key = "last", (occ.key[-1],)
    for n, occ in enumerate(sc.occs):
        if occ.kind not in ("full", "maybe") or occ.key in sc.org_keys:
            continue
        if occ.kind == "maybe" and occ.key not in supported:
            continue
        if occ.headline and (occ.key[0], occ.key[-1]) not in body_keys:
            continue
        # "Mary Jane Smith" and "Mary Smith" are one person: key on first + last
        # (and the suffix: "Tom Reyes Jr." is not "Tom Reyes Sr.").
        key = (occ.key[0], occ.key[-1], occ.suffix) if occ.suffix else (occ.key[0], occ.key[-1])
        if key in sc.characters:
            continue  # a character in a drama, played by someone
        known_idx = known_by_key.get(key)
        if known_idx is not None:
            resolved[n] = known_idx
            continue
        words = words_of(occ)
        idx = add(key, words, occ)
        info[idx].suffix = occ.suffix
        if len(words) > len(info[idx].tokens):
            info[idx].tokens = tuple(words)
            info[idx].name = " ".join(words)
        resolved[n] = idx

    # 2. Short forms link to the one full name they fit.
    firsts: dict[str, set[int]] = {}
    lasts: dict[str, set[int]] = {}
    for i, p in enumerate(info):
        toks = [norm_name(t) for t in p.tokens]
        if p.suffix and len(toks) > 2:
            toks = toks[:-1]  # "Tom Reyes Jr." is a Reyes
        if len(toks) > 1:
            firsts.setdefault(toks[0], set()).add(i)
            lasts.setdefault(toks[-1], set()).add(i)
            for part in re.split(r"[-'’]", p.tokens[-1]):
                if len(part) > 2:
                    lasts.setdefault(norm_name(part), set()).add(i)
    cue_tokens = {occ.key for occ in sc.occs if occ.cue and not occ.after_prep}
    # Where each person was named in full in the body, to settle a shared surname.
    named_at: dict[int, list[int]] = {}
    for n, idx in resolved.items():
        if sc.occs[n].in_body:
            named_at.setdefault(idx, []).append(sc.occs[n].start)
    for positions in named_at.values():
        positions.sort()
    ends = _SentenceEnds(body)
    guessed: set[int] = set()
    # A surname the article never completes is a person when it speaks in a person's way
    # ('"...," Maddow said', "Maddow, the host, said") or speaks twice; an organisation
    # ("Ambleford said in a statement") usually does neither.
    cued = Counter(o.key for o in sc.occs if o.kind == "single" and o.in_body and o.cue)
    personal_singles = {
        o.key
        for o in sc.occs
        if o.kind == "single" and ((o.personal and o.cue) or cued[o.key] >= 2)
    }
    for n, occ in enumerate(sc.occs):
        if occ.kind not in ("first", "last", "single"):
            continue
        k = occ.key[0]
        if occ.kind == "last":
            cands = lasts.get(k, set())
            if _title_of(occ.honorific) in first_name_titles():
                cands = cands | firsts.get(k, set())  # "Lady Harriet" is Harriet Fenwick
        elif occ.kind == "first":
            cands = firsts.get(k) or lasts.get(k, set())  # "Harriet" is Harriet Fenwick
        else:
            cands = lasts.get(k) or firsts.get(k, set())  # "Okafor" is Chidi Okafor
        if occ.suffix:
            cands = {c for c in cands if info[c].suffix == occ.suffix}  # "Reyes Sr."
        hon_gender = TITLE_GENDER.get(_title_of(occ.honorific))
        if hon_gender:
            # "Mrs Lindqvist" is not Tomas Lindqvist.
            cands = {c for c in cands if _gender_of(info[c].tokens[0]) in (hon_gender, None)}
        if len(cands) == 1:
            resolved[n] = next(iter(cands))
        elif len(cands) > 1 and occ.in_body and not (cands & firsts.get(k, set())):
            # "Trump said" with Donald and Eric Trump in the story: the one named in full
            # most recently, marked as a guess so that attribution trusts it less.
            # The one named in full earlier in the same sentence; else the story's
            # first-named of them ("his mother, Denise Reeves" does not make the next
            # "Reeves said" hers).
            before = {c: _last_before(named_at.get(c, []), occ.start) for c in cands}
            recent = max(before, key=lambda c: before[c])
            if before[recent] >= 0 and not ends.between(before[recent], occ.start):
                resolved[n] = recent
            else:
                resolved[n] = min(cands, key=lambda c: info[c].first_pos)
            guessed.add(n)
        elif (
            not cands
            and occ.kind == "last"
            and k not in lasts  # a surname shared with someone of the other gender: ambiguous
            and _title_of(occ.honorific) in _SURNAME_TITLES
        ):
            resolved[n] = add(("\x00hon", occ.honorific or "", k), occ.surface.split(), occ)
        elif not cands and occ.kind == "first" and occ.key in cue_tokens:
            resolved[n] = add(occ.key, [occ.surface], occ)
        elif not cands and occ.kind == "single" and occ.in_body and occ.key in personal_singles:
            # "Maddow said ... she": a surname the article never completes, used of a person.
            resolved[n] = add(occ.key, [occ.surface], occ)

    # 3. Genders, roles, forms; mentions.
    for p in info:
        if not _is_title(p.tokens[0]):
            p.gender = _gender_of(p.tokens[0])
    for n, idx in resolved.items():
        occ = sc.occs[n]
        p = info[idx]
        p.forms.add(_alias_form(occ))
        p.roles.update(sc.roles.get(occ.key, ()))
        if occ.honorific and p.gender is None:
            p.gender = TITLE_GENDER.get(_title_of(occ.honorific))
        # Roles of one gender give it ("the actress"); roles of both ("actress" and
        # "spokesman": two people of one name, or a slip) leave it as it was. (Which of them
        # came last in a set depended on the hash seed: results varied from run to run.)
        role_genders = {ROLE_NOUNS[r] for r in p.roles if ROLE_NOUNS.get(r)}
        if len(role_genders) == 1:
            p.gender = next(iter(role_genders))

    uncertain = {(sc.occs[n].start, sc.occs[n].end) for n in guessed}
    headline_people = [idx for n, idx in sorted(resolved.items()) if sc.occs[n].headline]
    mentions_raw = [
        (sc.occs[n].start, sc.occs[n].end, idx)
        for n, idx in resolved.items()
        if sc.occs[n].in_body and sc.occs[n].mention
    ]
    # Built for the first handle that needs them.
    handle_owners: _HandleOwners | None = None
    first_with_key: dict[object, int] | None = None
    for m in _HANDLE.finditer(body):
        handle = m.group().rstrip(".")
        known = sc.known.get(handle.lower())
        owner = None
        if known is not None:
            if first_with_key is None:  # (searching the people for each handle was quadratic)
                first_with_key = {}
                for i, p in enumerate(info):
                    first_with_key.setdefault(p.known_key, i)
            owner = first_with_key.get(world.person(known).key)
        if owner is None:
            if handle_owners is None:
                handle_owners = _HandleOwners(info)
            owner = handle_owners.owner(handle[1:])
        if owner is not None:
            info[owner].forms.add(handle)
            mentions_raw.append((m.start(), m.start() + len(handle), owner))

    # Order people by first mention in the body; headline-only people last.
    order = sorted(range(len(info)), key=lambda i: (info[i].first_pos, i))
    remap = {old: new for new, old in enumerate(order)}
    info = [info[i] for i in order]
    people = [
        ExtractedPerson(
            name=p.name,
            aliases=sorted(f for f in p.forms if f != p.name),
            known_key=p.known_key,
            sort_key=sort_key(p.name) if p.known_key is None else "",
        )
        for p in info
    ]
    mentions = [ExtractedMention(remap[idx], s, e) for s, e, idx in sorted(mentions_raw)]
    headline = list(dict.fromkeys(remap[idx] for idx in headline_people))
    return PeopleResult(people, info, mentions, _tags(sc.entities, info), uncertain, headline)


def _last_before(positions: list[int], pos: int) -> int:
    """The last of the sorted ``positions`` before ``pos``, or -1."""
    k = bisect.bisect_left(positions, pos)
    return positions[k - 1] if k else -1


class _SentenceEnds:
    """Whether a sentence ends between two positions of a text, by bisection.

    Searching the text between a surname and the full name before it, for every short
    form, was quadratic on a long paragraph repeating the surname (issue 12). The matches
    of ``_SENTENCE_END`` never overlap (only their first character is a stop), so a
    search of ``text[start:end]`` finds one exactly when the first match starting at or
    after ``start`` ends by ``end``.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans: list[tuple[int, int]] | None = None  # found on first use
        self.starts: list[int] = []

    def between(self, start: int, end: int) -> bool:
        if self.spans is None:
            self.spans = [m.span() for m in _SENTENCE_END.finditer(self.text)]
            self.starts = [s for s, _e in self.spans]
        k = bisect.bisect_left(self.starts, start)
        return k < len(self.spans) and self.spans[k][1] <= end


def _tags(entities: list[tuple[str, bool]], info: list[PersonInfo]) -> list[str]:
    name_parts = {norm_name(t) for p in info for t in p.tokens}
    counts: Counter[str] = Counter()
    surfaces: defaultdict[str, Counter[str]] = defaultdict(Counter)
    mid: set[str] = set()
    for surface, initial in entities:
        words = surface.split()
        if len(words) == 1 and (surface in _CALENDAR or norm_name(surface) in name_parts):
            continue
        if all(w in _CALENDAR or w in STOP_CAPS for w in words):
            continue
        key = surface.lower()
        counts[key] += 1
        surfaces[key][surface] += 1
        if not initial:
            mid.add(key)
    # Fold a one-word form into the longer name it starts ("Strictly" -> "Strictly Come Dancing").
    by_first: dict[str, list[str]] = {}
    for key in counts:
        if " " in key:
            by_first.setdefault(key.split(" ", 1)[0], []).append(key)
    for key in list(counts):
        if " " in key:
            continue
        longer = by_first.get(key, ())
        if len(longer) == 1:
            counts[longer[0]] += counts.pop(key)
            mid.add(longer[0])
    tags = []
    for key, n in counts.most_common():
        if key not in mid:
            continue
        words = key.split()
        surface = surfaces[key].most_common(1)[0][0]
        if n >= 2 or (len(words) >= 2 and any(w in _ORG_HINT for w in surface.split())):
            if len(words) == 1 and _is_acronym(surface) and n < 2:
                continue
            tags.append(surface)
    return tags[:12]
