"""Search query parsing: what users type becomes a safe AST, rendered per backend."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search.query import Term, fold, name_key, parse, to_fts5, to_tsquery


def test_words_are_folded_case_folded_and_last_one_is_a_prefix():
    """Plain words are lower-cased, accent-free, all required; the last one is a prefix."""
    query = parse("Zoë  PRZYSTAŁ dan")
    assert query.terms == (Term(("zoe",)), Term(("przystal",)), Term(("dan",), prefix=True))


def test_quoted_phrase_is_one_term_and_a_closed_quote_ends_prefixing():
    """A quoted phrase is one term; a query ending with a closing quote has no prefix."""
    query = parse('rose "won the glitterball"')
    assert query.terms == (Term(("rose",)), Term(("won", "the", "glitterball")))


def test_unclosed_quote_runs_to_the_end_as_a_prefix_phrase():
    """An unbalanced quote is a phrase up to the end, its last word typed as a prefix."""
    assert parse('"rose ayl').terms == (Term(("rose", "ayl"), prefix=True),)


def test_words_joined_by_punctuation_are_a_phrase():
    """ "ayling-ellis" and "o'brien" search their parts next to each other."""
    assert parse("ayling-ellis o'brien").terms == (
        Term(("ayling", "ellis")),
        Term(("o", "brien"), prefix=True),
    )


def test_stop_words_outside_phrases_are_dropped():
    """Stop words alone are dropped (PostgreSQL ignores them), so both engines agree."""
    assert parse("the voice of the").terms == (Term(("voice",)),)
    assert not parse("the of and")


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "!!!", '"', '""', "()", "* ^ : -", "\x00", "😀🎉", '" "', "-- ;", "\\"],
)
def test_unusable_queries_have_no_terms(raw):
    """Empty, punctuation-only, NUL and emoji-only queries parse to nothing."""
    assert not parse(raw)


def test_fts_operators_are_searched_as_words_not_obeyed():
    """NEAR/AND/OR/NOT and FTS punctuation are plain text: words are quoted (OR and NOT
    are stop words, so dropped), punctuation only separates them."""
    query = parse('NEAR(rose, ayling) OR title:strictly NOT ^dance* "x')
    fts = to_fts5(query)
    assert fts == '"near rose" "ayling" "title strictly" "dance" "x"'
    assert to_tsquery(query).startswith("('near' <-> 'rose') & 'ayling'")


def test_huge_query_is_bounded():
    """A 10,000-character query is cut to a bounded number of terms and word lengths."""
    query = parse(" ".join(["word"] * 5000) + " " + "x" * 10_000)
    assert 1 <= len(query.terms) <= 12
    assert all(len(word) <= 60 for word in query.all_words)


def test_tsquery_renders_phrases_and_prefixes():
    """Phrases become <-> chains, the prefix word gets :*, terms are ANDed."""
    assert to_tsquery(parse('"glitter ball" danc')) == "('glitter' <-> 'ball') & 'danc':*"


def test_fold_keeps_word_boundaries():
    """Folding swaps letters for letters only, so index and original text align."""
    text = "Przystał, Zoë ½ Straße — Æsir ﬁ"
    assert fold(text) == "Przystal, Zoe ½ Strasse — AEsir ﬁ"
    assert len(re.findall(r"[^\W_]+", fold(text))) == len(re.findall(r"[^\W_]+", text))


def test_name_key_is_folded_words():
    """Names compare as folded, case-folded words: "Rose Ayling-Ellis" → "rose ayling ellis"."""
    assert name_key("Rose Ayling-Ellis") == "rose ayling ellis"
    assert name_key("@Jowita_Przystał") == "jowita przystal"


FTS5_SAFE = re.compile(r'^("[^\W_]+( [^\W_]+)*"\*? ?)*$')
TSQUERY_SAFE = re.compile(r"^[\w' <>&():*-]*$")


@given(st.text(max_size=300))
def test_any_input_renders_only_quoted_words(raw):
    """Whatever is typed, FTS5 gets only double-quoted words (and *), never raw syntax."""
    query = parse(raw)
    assert FTS5_SAFE.match(to_fts5(query))
    for word in query.all_words:
        assert re.fullmatch(r"[^\W_]+", word)
        assert "'" not in word and '"' not in word and "\\" not in word
    assert TSQUERY_SAFE.match(to_tsquery(query))
