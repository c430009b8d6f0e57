"""An import batch bumps the content version once, as it ends (issue 13): its first bump
used to lock the version row until the batch committed, so every editor's write (which
bumps it too) waited for the whole batch — seconds under the mixed load."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from articles.content_version import bump_content_version, content_state, deferred_bumps
from articles.importing import import_sources
from articles.sources import collect_sources

pytestmark = pytest.mark.django_db


def version_writes(queries) -> int:
    return sum(
        1
        for q in queries.captured_queries
        if q["sql"].startswith("UPDATE") and "articles_contentversion" in q["sql"]
    )


def test_bumps_inside_are_one_bump_at_the_end():
    before = content_state()
    with transaction.atomic(), deferred_bumps():
        bump_content_version(retraction=False)
        bump_content_version(retraction=False)
        assert content_state() == before  # nothing written yet: no lock taken
    after = content_state()
    assert after.token != before.token
    assert after.retraction == before.retraction  # only additions were asked for


def test_one_retraction_makes_the_bump_a_retraction():
    before = content_state()
    with deferred_bumps():
        bump_content_version(retraction=False)
        bump_content_version(retraction=True)
    assert content_state().retraction != before.retraction


def test_a_block_that_fails_bumps_nothing():
    before = content_state()
    with pytest.raises(RuntimeError), deferred_bumps():
        bump_content_version()
        raise RuntimeError
    assert content_state() == before


def test_an_import_batch_writes_the_version_row_once_as_it_ends(tmp_path):
    folder = tmp_path / "desk"
    folder.mkdir()
    for n in range(5):
        (folder / f"{n}.txt").write_text(
            f"Story number {n}\n\nAmelia Okafor{n} said: “Line {n} of the story.” "
            "The council met on Monday.\n",
            encoding="utf-8",
        )
    before = content_state()
    with CaptureQueriesContext(connection) as queries:
        outcomes = import_sources(collect_sources([folder]))
    assert {o.status for o in outcomes} == {"created"}
    assert version_writes(queries) == 1
    assert content_state().token != before.token
    # The bump is the batch's last write before it commits.
    writes = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE"))
    ]
    assert "articles_contentversion" in writes[-1] or "search_" in writes[-1]
