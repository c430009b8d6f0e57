"""Search snippets of long texts are cut from a bounded window around the first match
(issue 12: one 4.9 MB article made a search take 197 s on SQLite), on both engines."""

import time

import pytest

from search import backends
from search.query import match_window, parse
from search.services import search
from tests.factories import make_story

SENTENCE = "The council met on Monday to agree a new budget for the coming year after talks."


def _long_story(size: int, *, extra: str = "", title: str = "Budget talks"):
    paragraphs = [SENTENCE] * (size // (len(SENTENCE) + 2))
    if extra:
        paragraphs[len(paragraphs) * 3 // 4] = extra
    return make_story(title, paragraphs)


@pytest.mark.django_db
def test_search_of_a_multi_megabyte_article_costs_the_same_as_a_short_one():
    """A 4 MB article matching on every line: the snippet engine sees a bounded window.

    Before the fix this search took 36 s on SQLite (snippet() is quadratic in the matches);
    the budget below is over ten times what the bounded search takes on a loaded machine."""
    article = _long_story(4_000_000)
    search("budget")  # indexes the article (this connection's queued writes)
    began = time.perf_counter()
    results = search("budget")
    elapsed = time.perf_counter() - began
    assert results.articles.ids == [article.pk]
    snippet = results.articles.hits[0].snippet_html
    assert "<mark>budget</mark>" in snippet
    assert len(snippet) < 1000
    assert elapsed < 3.0, f"search took {elapsed:.1f}s"


@pytest.mark.django_db
def test_snippet_engine_is_only_given_a_window_of_a_long_text(monkeypatch):
    """However long the text, the snippet is computed from at most SNIPPET_WINDOW_CHARS."""
    seen = []
    backend_class = type(backends.get_backend())
    original = backend_class._snippet_of

    def spy(self, kind, query, text):
        seen.append(len(text))
        return original(self, kind, query, text)

    monkeypatch.setattr(backend_class, "_snippet_of", spy)
    _long_story(300_000, extra="Zoë danced with Jowita Przystał at the glitterball.")
    results = search("przystal dancing")
    assert seen and max(seen) <= backends.SNIPPET_WINDOW_CHARS
    snippet = results.articles.hits[0].snippet_html
    # Found deep in the text, stemmed and accent-folded, marked in the original.
    assert "<mark>danced</mark>" in snippet
    assert "<mark>Przystał</mark>" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")


@pytest.mark.django_db
def test_short_articles_keep_whole_text_snippets():
    """Texts under the window are snippeted as before (no leading ellipsis at the start)."""
    make_story("Budget", [SENTENCE])
    snippet = search("budget").articles.hits[0].snippet_html
    assert snippet.startswith("The council met") and "<mark>budget</mark>" in snippet


def test_match_window_is_bounded_and_cut_at_white_space():
    """The window holds the first likely match, is at most ``size`` long, and whole words."""
    text = ("lorem ipsum " * 50_000) + "the treasurer's budgets " + ("dolor sit " * 50_000)
    window, before, after = match_window(text, parse("budget"), 4000)
    assert len(window) <= 4000 and before and after
    assert "budgets" in window
    assert not window[0].isspace() and not window[-1].isspace()
    assert window.split()[0] in {"lorem", "ipsum"} and window.split()[-1] in {"dolor", "sit"}


def test_match_window_without_a_match_is_the_start():
    """No likely match: the start of the text (the engine then marks nothing)."""
    window, before, after = match_window("alpha beta " * 10_000, parse("zeta"), 500)
    assert window.startswith("alpha") and not before and after and len(window) <= 500


def test_match_window_leaves_short_text_alone():
    """A text within the window is returned whole."""
    assert match_window("short text", parse("text"), 500) == ("short text", False, False)
