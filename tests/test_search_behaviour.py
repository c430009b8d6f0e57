"""Full-text search behaviour, the same on whichever engine the suite runs on.

CI runs the suite on SQLite (FTS5) and on PostgreSQL (tsvector + GIN): every test here
runs on both, against `search.services`, with no engine-specific expectation.
"""

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.models import Article, Quote
from search.backends import get_backend
from search.services import article_ids, person_ids, quote_ids, ranked, search
from tests.factories import (
    make_alias,
    make_mention_in,
    make_person,
    make_quote_in,
    make_story,
)

pytestmark = pytest.mark.django_db

DRAFT = Article.Status.DRAFT


@pytest.fixture
def desk():
    """A few stories, people and quotes; published unless said otherwise."""
    rose = make_person("Rose Ayling-Ellis", description="EastEnders actress")
    make_alias(rose, "Rose")
    jowita = make_person("Jowita Przystał", description="Professional dancer")
    zoe = make_person("Zoë Ball", description="Radio presenter")
    joe = make_person("Joe Sugg", description="YouTuber")
    make_alias(joe, "ThatcherJoe", kind="stage_name")
    dan = make_person("Dan Walker", description="Presenter")
    fan = make_person("Johnny Bee", description="Sky walker fan")
    hidden = make_person("Hidden Person", description="Only named in a draft")

    winner = make_story(
        "Rose Ayling-Ellis wins the Glitterball",
        [
            "The actress danced a silent routine in the final.",
            "Jowita Przystał cheered from the wings.",
            "“It was the best dance of my life,” she said.",
            "One fan wrote: “glitterball nonsense”.",
        ],
        standfirst="A historic night for the show",
    )
    make_mention_in(winner, rose, "The actress")
    make_mention_in(winner, jowita, "Jowita Przystał")
    best = make_quote_in(winner, "It was the best dance of my life", speaker=rose)
    rejected = make_quote_in(
        winner, "glitterball nonsense", speaker_label="one fan", status=Quote.Status.REJECTED
    )
    weather = make_story("Weather update", ["Zoë Ball read the forecast on the radio."])
    make_mention_in(weather, zoe, "Zoë Ball")
    backstage = make_story(
        "Backstage notes",
        ["The glitterball trophy was polished by ThatcherJoe and Dan Walker on Friday."],
    )
    make_mention_in(backstage, joe, "ThatcherJoe")
    make_mention_in(backstage, dan, "Dan Walker")
    make_mention_in(backstage, fan, "Friday")
    draft = make_story(
        "Secret glitterball plans",
        ["Hidden Person said “Dancing is pure joy” in a draft."],
        status=DRAFT,
    )
    make_mention_in(draft, hidden, "Hidden Person")
    draft_quote = make_quote_in(draft, "Dancing is pure joy", speaker=zoe)
    return {
        "rose": rose,
        "jowita": jowita,
        "zoe": zoe,
        "joe": joe,
        "dan": dan,
        "fan": fan,
        "hidden": hidden,
        "winner": winner,
        "weather": weather,
        "backstage": backstage,
        "draft": draft,
        "best": best,
        "rejected": rejected,
        "draft_quote": draft_quote,
    }


def test_runs_on_the_suites_engine():
    """The backend in use is the one for this database (FTS5 on SQLite, tsvector on PG)."""
    assert get_backend().vendor == connection.vendor


def test_words_match_in_any_order(desk):
    """All words are required, in any order, across headline and body."""
    assert article_ids("glitterball rose") == [desk["winner"].pk]
    assert article_ids("rose glitterball") == [desk["winner"].pk]


def test_quoted_phrase_matches_words_next_to_each_other_only(desk):
    """A quoted phrase needs its words adjacent and in order."""
    assert article_ids('"silent routine"') == [desk["winner"].pk]
    assert article_ids('"routine silent"') == []


def test_last_word_is_a_prefix_as_you_type(desk):
    """The last word matches as a prefix: "glitterb" and "przys" find their words."""
    assert set(article_ids("glitterb")) == {desk["winner"].pk, desk["backstage"].pk}
    assert person_ids("jowita przys") == [desk["jowita"].pk]
    assert article_ids("trophy glitterb") == [desk["backstage"].pk]
    assert article_ids("glitterb trophy") == []  # only the last word is a prefix


@pytest.mark.parametrize("query", ["Przystal", "przystał", "PRZYSTAŁ", "przystal"])
def test_accents_and_case_are_ignored(desk, query):
    """ "Przystal" and "Przystał" (any case) find the same person and article."""
    assert person_ids(query) == [desk["jowita"].pk]
    assert article_ids(query) == [desk["winner"].pk]


@pytest.mark.parametrize("query", ["Zoe", "zoë", "ZOË BALL"])
def test_zoe_finds_zoe_with_diaeresis(desk, query):
    """ "Zoe" finds "Zoë" and the other way round."""
    assert person_ids(query) == [desk["zoe"].pk]
    assert article_ids(query) == [desk["weather"].pk]


@pytest.mark.parametrize("query", ["dancing", "dance", "danced", "dances"])
def test_english_stemming(desk, query):
    """Forms of a word find each other: "dancing" finds "danced" and "dance"."""
    assert article_ids(query + " ") == [desk["winner"].pk]


def test_alias_finds_the_person(desk):
    """A first-name alias finds the person; a stage name that is only an alias does too."""
    assert person_ids("Rose") == [desk["rose"].pk]
    assert person_ids("thatcherjoe") == [desk["joe"].pk]


def test_name_fragment_finds_the_person(desk):
    """A fragment inside a name (no word start) still finds the person (trigram-style)."""
    assert person_ids("owita") == [desk["jowita"].pk]
    assert person_ids("ow") == []  # fragments shorter than three characters do not


def test_headline_match_ranks_above_body_only_match(desk):
    """An article with the word in its headline comes before one with it in the body."""
    assert article_ids('"glitterball"') == [desk["winner"].pk, desk["backstage"].pk]


def test_person_name_ranks_above_description_and_substring(desk):
    """A person whose name matches comes before one whose description does."""
    assert person_ids('"walker"') == [desk["dan"].pk, desk["fan"].pk]


def test_quotes_are_found_by_words_and_by_speaker(desk):
    """A quote is found by its words and by its speaker's name."""
    assert quote_ids("best dance") == [desk["best"].pk]
    assert quote_ids("Ayling-Ellis") == [desk["best"].pk]


def test_public_search_excludes_drafts_rejected_quotes_and_unnamed_people(desk):
    """Readers never find drafts, quotes from drafts, rejected quotes, or people only a
    draft names."""
    results = search("glitterball")
    assert results.articles.ids == [desk["winner"].pk, desk["backstage"].pk]
    assert quote_ids("glitterball nonsense") == []
    assert quote_ids("pure joy") == []
    assert person_ids("hidden person") == []


def test_editors_see_drafts_but_not_rejected_quotes_unless_asked(desk):
    """include_drafts adds drafts and their quotes; rejected quotes need include_rejected."""
    results = search("glitterball", include_drafts=True)
    assert set(results.articles.ids) == {
        desk["winner"].pk,
        desk["backstage"].pk,
        desk["draft"].pk,
    }
    assert quote_ids("pure joy", include_drafts=True) == [desk["draft_quote"].pk]
    assert quote_ids("nonsense", include_drafts=True) == []
    assert quote_ids("nonsense", include_drafts=True, include_rejected=True) == [
        desk["rejected"].pk
    ]
    assert person_ids("hidden person", include_drafts=True) == [desk["hidden"].pk]


def test_results_hold_ranked_hits_with_safe_highlighted_snippets(desk):
    """Hits carry rank and HTML-safe highlights: the text escaped, matches in <mark>."""
    winner = desk["winner"]
    winner.title = "<script>alert(1)</script> Rose & the Glitterball"
    winner.save()
    hit = search("glitterball").articles.hits[0]
    assert hit.object_id == winner.pk and hit.rank > 0
    assert "<script>" not in hit.title_html
    assert "&lt;script&gt;" in hit.title_html
    assert "<mark>Glitterball</mark>" in hit.title_html
    snippet = search("silent").articles.hits[0].snippet_html
    assert "<mark>silent</mark>" in snippet


def test_highlight_marks_the_accented_original(desk):
    """An unaccented query highlights the accented word as written."""
    hit = search("przystal").people.hits[0]
    assert hit.title_html == "Jowita <mark>Przystał</mark>"


def test_pages_and_totals(desk):
    """limit/offset and page pick a page of each kind; total counts every match."""
    first = search("glitterball", limit=1)
    second = search("glitterball", limit=1, page=2)
    assert first.articles.total == second.articles.total == 2
    assert first.articles.ids + second.articles.ids == article_ids("glitterball")
    assert search("glitterball", limit=1, offset=1).articles.ids == second.articles.ids


def test_kinds_limit_what_is_searched(desk):
    """Only the kinds asked for are searched."""
    results = search("rose", kinds=["person"])
    assert results.people.ids == [desk["rose"].pk]
    assert results.articles.total == results.quotes.total == 0


def test_ranked_orders_a_queryset_by_relevance(desk):
    """ranked() narrows a queryset to the ids and keeps their order (for API and admin)."""
    ids = article_ids("glitterball")
    assert list(ranked(Article.objects.published(), ids)) == [
        desk["winner"],
        desk["backstage"],
    ]
    assert list(ranked(Article.objects.all(), [])) == []


HOSTILE = [
    "",
    "   ",
    "!!!???",
    '"',
    '"rose',
    'rose"',
    '""""""',
    "NEAR(rose glitterball, 2)",
    "rose AND OR NOT glitterball",
    "NOT rose",
    "* ^ : ( ) { } [ ] + - ~ |",
    "title:rose",
    "glitter*",
    "^rose",
    "rose\x00glitterball",
    "\x00",
    "😀 rose 🎉",
    "'; DROP TABLE articles_article; --",
    "rose:* & !glitterball | (",
    "<->",
    "\\",
    "%_%",
    "x" * 10_000,
    "rose " * 2_000,
    "‮rose",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_raise(desk, query):
    """Operators, quotes, NUL, emoji and huge input return results or nothing, never an
    error, on the public and the editors' search and the id helpers alike."""
    search(query)
    search(query, include_drafts=True, limit=100, page=3)
    article_ids(query)
    quote_ids(query, include_drafts=True, include_rejected=True)
    person_ids(query)


def test_operator_words_are_plain_words(desk):
    """FTS syntax typed by a user is not obeyed: NOT does not exclude, NEAR is a word."""
    assert article_ids("NOT glitterball") == article_ids("glitterball")
    assert article_ids("rose* NEAR") == []


def test_punctuation_only_is_an_empty_query(desk):
    """A query with nothing searchable reports itself as empty."""
    results = search(" ** :: ")
    assert results.is_empty_query and results.total == 0


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_random_queries_never_raise(desk, query):
    """Any text at all (property-based) searches without an error."""
    search(query, include_drafts=True)
