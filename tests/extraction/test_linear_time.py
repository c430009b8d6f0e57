"""The pipeline takes time in proportion to its input, whatever the input (issue 12).

Three kinds of test: the story that hung the importer; the helpers that replaced
backtracking patterns or re-scanning loops give exactly what the patterns gave; and a
time budget per kilobyte on long stories built from the tokens that once made a stage
quadratic or worse. ``bench/bench_pathological.py`` gives the figures.
"""

from __future__ import annotations

import contextlib
import re
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extraction import IngestError, attribution, parse_article
from extraction.attribution import Resolver, _RecentSpeakers
from extraction.lexicon import UPPER, norm_name
from extraction.people import _LEET, _SENTENCE_END, PersonInfo, _HandleOwners, _SentenceEnds
from extraction.text import _boundaries
from extraction.zoning import _SPLIT_HEAD, _inline_boilerplate, split_headline
from extraction.zoning import strip_trailing_junk as strip_junk
from tests.deadlines import deadline

CORPUS = Path(__file__).parent / "corpus"
# The story of issue 12: 40 dashes in the opening sentence, each of which doubled the time
# the headline's clean-up took.
HANGING_LINE = (
    "Council news ---------------------------------------- the council met on Monday to "
    "agree a new budget for the coming year after months of talks."
)


def test_a_run_of_dashes_in_the_opening_sentence_does_not_hang():
    """The story that hung the importer gets its headline at once."""
    with deadline(10):
        article = parse_article(HANGING_LINE.encode(), source_name="council.txt")
    assert article.headline == (
        "Council news ---------------------------------------- the council met on Monday to "
        "agree a new"
    )
    assert article.headline_derived


def test_runs_of_commas_and_mixed_marks_in_the_opening_sentence_do_not_hang():
    """Commas did the same as dashes, and so did a mix of the two."""
    for run in ("," * 36, ",-" * 18, "-" * 37):
        line = (
            f"Council news {run} the council met on Monday to agree a new budget for the "
            "coming year after months of talks."
        )
        with deadline(10):
            article = parse_article(line.encode(), source_name="council.txt")
        assert article.headline.endswith(f"{run} the council met on Monday to agree a new budget")


def test_trailing_junk_is_stripped_from_a_cut_headline():
    assert strip_junk("Council agrees a new budget -- and the") == "Council agrees a new budget"
    assert strip_junk("Talks end, with") == "Talks end"
    assert strip_junk("Council agrees a budget") == "Council agrees a budget"
    assert strip_junk("---") == ""
    assert strip_junk("Meeting of the") == "Meeting"  # each small word after a space
    assert strip_junk("Theatre") == "Theatre"  # "the" only as a word of its own


# --- The helpers give what the patterns they replaced gave --------------------------------

_OLD_TRAILING_JUNK = re.compile(
    r"(?:[\s,;:–—-]+|\s+(?:and|or|but|the|a|an|of|on|in|for|to|with|at|by|from|as|their|his|"
    r"her|its|who|which|that|after|before|while))+$",
    re.IGNORECASE,
)
_OLD_BOUNDARY = re.compile(r"[.!?…]+[\"”’')\]]*[ \t]+(?=[\"“‘'(\[]?[" + UPPER + r"0-9@])|\n+")
_OLD_INLINE_BOILERPLATE = re.compile(
    r"(?:We|I) may (?:earn|receive) (?:a )?(?:small )?(?:commission|affiliate)[^.!?\n]*[.!?]?"
    r"|This (?:article|post|story|page) (?:contains|may contain|includes) affiliate links"
    r"[^.!?\n]*[.!?]?"
    r"|(?:Our|All) (?:products|items|picks) (?:are|were) independently (?:selected|chosen)"
    r"[^.!?\n]*[.!?]?"
    r"|If you (?:buy|click|purchase) (?:something|through)[^.!?\n]*(?:commission|affiliate)"
    r"[^.!?\n]*[.!?]?",
    re.IGNORECASE,
)
_OLD_LOWER_WORD = re.compile(r"\b[a-z][a-z'’-]*\b")
EQUIVALENCE = settings(max_examples=300, deadline=None)


def pieces(*tokens: str, max_size: int = 12):
    return st.lists(st.sampled_from(tokens), max_size=max_size).map("".join)


@EQUIVALENCE
@given(pieces(" ", ",", "-", "—", ":", "\n", "\u00a0", "x", "a", "an", "And", "THE", "their", "K"))
def test_strip_trailing_junk_is_the_old_pattern(text):
    assert strip_junk(text) == _OLD_TRAILING_JUNK.sub("", text)


@EQUIVALENCE
@given(pieces(*".!?…\"”’')] \t\nAa1@(“", max_size=14), st.data())
def test_sentence_boundaries_are_the_old_pattern(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    old = [m.span() for m in _OLD_BOUNDARY.finditer(text, start, end)]
    assert [m.span() for m in _boundaries(text, start, end)] == old


def _old_split_headline(line: str) -> tuple[str, str]:
    for m in _SPLIT_HEAD.finditer(line):
        head, rest = line[: m.start()], line[m.end() :]
        if (
            len(head.split()) >= 4
            and len(rest.split()) >= 4
            and len(_OLD_LOWER_WORD.findall(rest)) >= 3
        ):
            return head.strip(), rest.strip()
    return line, ""


@EQUIVALENCE
@given(pieces("The ", "A ", "x ", "ab ", "a-b ", "’ ", "! ", "?", " ", "\t", "cat", "He ", "9 "))
def test_headline_splitting_is_the_old_loop(line):
    assert split_headline(line) == _old_split_headline(line)


@EQUIVALENCE
@given(
    pieces(
        "We may earn commission",
        "I may receive a small affiliate",
        "if you buy something",
        "If you click through",
        "commission",
        "AFFILIATE",
        "This post contains affiliate links",
        "our picks were independently chosen",
        " ",
        "x",
        ".",
        "!",
        "\n",
    )
)
def test_inline_boilerplate_is_the_old_pattern(para):
    assert _inline_boilerplate(para) == [m.span() for m in _OLD_INLINE_BOILERPLATE.finditer(para)]


@EQUIVALENCE
@given(pieces(*".!?\"”’'“‘ \nAaZ", max_size=14), st.data())
def test_sentence_ends_between_is_the_old_search(text, data):
    ends = _SentenceEnds(text)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assert ends.between(start, end) == bool(_SENTENCE_END.search(text, start, end))


def test_pronouns_resolve_the_same_from_the_lists_as_by_walking(monkeypatch):
    """The per-gender lists a long walk falls back on give the walk's answers."""
    stories = sorted(CORPUS.glob("*.txt"))
    assert stories
    walked = [parse_article(p.read_bytes(), source_name=p.name) for p in stories]
    monkeypatch.setattr(attribution, "_PRONOUN_WALK", 0)  # always ask the lists
    for story, before in zip(stories, walked, strict=True):
        after = parse_article(story.read_bytes(), source_name=story.name)
        assert after.quotes == before.quotes, story.name
        assert after.events == before.events, story.name


# --- A time budget per kilobyte -----------------------------------------------------------

# Tokens that once made a stage quadratic or worse (issue 12 and what profiling found).
DANGEROUS = [
    " 'ab",
    '" \'ab"',
    "'a' ",
    "‘a’ ",
    "'\"‘“’”",
    "\"“”'‘’„«» ",
    "The ",
    "The Ab ",
    "ab\n",
    "-\n",
    ",\n",
    "-",
    "- ",
    ", ",
    ".",
    "!",
    "…",
    "'s ",
    "and ",
    "If you buy something ",
    "affiliate ",
    "Mary Qedton ",
    "Qabton and ",
    "Anna Qabton met Brian Qabton. ",
    '"Hi," he said. ',
    "said the singer. ",
    "the pair ",
    "\n\n",
]
# Generous: the pipeline runs at 1-5 ms per KB on such text on an idle core; a quadratic
# stage takes seconds per KB at these sizes.
BUDGET_PER_KB = 0.020
BUDGET_FIXED = 2.0


@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
@given(
    tokens=st.lists(st.sampled_from(DANGEROUS), min_size=1, max_size=3, unique=True),
    size=st.integers(50_000, 150_000),
    seed=st.randoms(use_true_random=False),
)
def test_long_pathological_stories_parse_in_linear_time(tokens, size, seed):
    """Stories of 50-150 KB built from random runs of dangerous tokens stay in budget."""
    parts: list[str] = ["Council news ---------- and the council met\n\n"]
    length = 0
    while length < size:
        token = seed.choice(tokens)
        run = token * seed.randint(1, 2_000)
        parts.append(run)
        length += len(run)
    raw = "".join(parts)[:size].encode()
    budget = BUDGET_FIXED + BUDGET_PER_KB * len(raw) / 1024
    started = time.process_time()
    with deadline(budget * 3), contextlib.suppress(IngestError):
        parse_article(raw, source_name="hostile.txt", max_bytes=len(raw))
    spent = time.process_time() - started
    assert spent <= budget, f"{spent:.2f} s CPU for {len(raw):,} bytes of {tokens}"


# --- Long stories of quotes and names (issue 13) -------------------------------------------


def long_story(size: int) -> bytes:
    """Paragraphs of quotes and people as a long feature runs them, to ``size`` bytes: a
    description speaking in each paragraph, one person answering every question, quotes
    with no speaker before "the dancer continued", and a new person with a handle."""
    blocks = [
        '"It was a long night," said the dancer.\n\n',
        'Mary Qedton asked about the plan. "It is fine," she said.\n\n',
        '"Lovely day."\n\nThe dancer continued: "More to come."\n\n',
        'Anna Q{n}ton, who joined in May, posted as @annaq{n}ton: "Yes."\n\n',
    ]
    parts = ["Council news\n\nMary Qedton and Tom Qabton arrived on Monday.\n\n"]
    n = length = 0
    while length < size:
        block = blocks[n % len(blocks)].format(n=n)
        parts.append(block)
        length += len(block)
        n += 1
    return "".join(parts).encode()


def _parse_cpu_seconds(raw: bytes) -> float:
    """The CPU time of parsing ``raw``, the lesser of two runs: a run slowed by a
    neighbour on a shared machine is not the pipeline's cost."""
    spent = []
    for _ in range(2):
        started = time.process_time()
        with deadline(120):  # a hang fails here, not in CI's overall limit
            parse_article(raw, source_name="long.txt", max_bytes=len(raw))
        spent.append(time.process_time() - started)
    return min(spent)


def test_a_long_story_of_quotes_and_names_parses_in_linear_time():
    """Eight times the story takes about eight times the CPU, measured against the
    eighth in the same run, so a slow or busy machine does not fail it (an absolute
    budget per KB did). Each paragraph's description looked through every paragraph
    before, each quote walked back over the earlier attributions, and each handle scored
    every person: 11 s for 400 KB on the old code, about 40 times its time for 50 KB.
    The bound, 16, is twice linear and a quarter of quadratic (64)."""
    eighth, full = long_story(50_000), long_story(400_000)
    article = parse_article(full, source_name="long.txt", max_bytes=len(full))
    assert len(article.quotes) > 8_000 and len(article.people) > 1_500
    ratio = _parse_cpu_seconds(full) / _parse_cpu_seconds(eighth)
    assert ratio <= 16, f"8x the text took {ratio:.1f}x the CPU"


def _old_handle_owner(handle: str, people: list[PersonInfo]) -> int | None:
    """``people._handle_owner`` before issue 13: every person scored for every handle."""
    h = re.sub(r"[^a-z]", "", handle.lower().translate(_LEET))
    parts = re.sub(r"[^a-z.]", "", handle.lower().translate(_LEET)).split(".")
    scores: dict[int, int] = {}
    for i, p in enumerate(people):
        toks = [norm_name(t) for t in p.tokens]
        pieces = [norm_name(x) for t in p.tokens[1:] for x in re.split(r"[-'’]", t)]
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
            score += 3
        if score:
            scores[i] = score
    if not scores:
        return None
    best = max(scores.values())
    winners = [i for i, score in scores.items() if score == best]
    return winners[0] if len(winners) == 1 else None


# Name words that overlap, so that handles often fit several people at once.
_NAME_WORDS = """Rose Roseanne Ayling-Ellis Ayling Ellis Annabel Anna Qabton Qabtonia O'Brien
    Brien Sam Van Dyke Ed Edwards Jo Jones""".split()  # noqa: SIM905 (words read as words)
_HANDLE_PIECES = """rose anna annabel ayling ellis qabton obrien brien sam van dyke . a e j q b
    3 _ edwards jo""".split()  # noqa: SIM905


@settings(max_examples=400, deadline=None)
@given(
    people=st.lists(st.lists(st.sampled_from(_NAME_WORDS), min_size=1, max_size=3), max_size=7),
    handles=st.lists(
        st.lists(st.sampled_from(_HANDLE_PIECES), min_size=1, max_size=5).map("".join),
        min_size=1,
        max_size=6,
    ),
)
def test_handle_owners_are_the_old_scoring_of_everyone(people, handles):
    """Scoring only the people a handle can give two points, and counting the rest, names
    the owner that scoring everyone named."""
    info = [PersonInfo(" ".join(words), tuple(words)) for words in people]
    owners = _HandleOwners(info)
    for handle in handles:
        assert owners.owner(handle) == _old_handle_owner(handle, info), handle


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(0, 3)), max_size=12), st.integers(0, 3))
def test_recent_speakers_are_the_walk_back_over_attributions(speakers, speaker):
    """The last speaker, and the last other than a given one, as walking back found them."""
    recent = _RecentSpeakers()
    for said in speakers:
        recent.add(said)
    assert recent.last == next((s for s in reversed(speakers) if s is not None), None)
    other = next((s for s in reversed(speakers) if s is not None and s != speaker), None)
    assert recent.other_than(speaker) == other


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=1, max_size=8), st.data())
def test_paragraph_start_is_the_old_search_through_the_paragraphs(lengths, data):
    """Paragraphs joined by a blank line, as the pipeline makes them: the paragraph holding
    a position is the one looking through them all found."""
    paras, pos = [], 0
    for length in lengths:
        paras.append((pos, pos + length))
        pos += length + 2
    body = "x" * pos
    res = Resolver(body, body, [], [], [], paras)
    at = data.draw(st.integers(0, pos + 2))
    expected = res.sentence_at(at)[0]
    for para in paras:
        if para[0] <= at < para[1] + 2:
            expected = para[0]
            break
    assert res.paragraph_start(at) == expected
