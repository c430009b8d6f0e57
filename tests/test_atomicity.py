"""Atomicity (issue 12, point 5): the search index commits with the article it describes,
and concurrent person merges neither fail with a 500 nor corrupt people."""

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import threading

import pytest
from django.conf import settings
from django.db import connection

from articles import services
from articles.importing import UNCHANGED, Importer
from articles.models import Article, Quote
from people.models import Person, PersonRedirect
from search import index
from search.models import SearchEntry
from search.services import article_ids, quote_ids
from tests.factories import (
    make_alias,
    make_article,
    make_editor,
    make_mention,
    make_person,
    make_quote,
)

STORY = (
    " date 2024-05-02 Harbour board opens a new ferry terminal\n\n"
    "The harbour master, Mr Tobias Wrenfield, opened the ferry terminal on Thursday.\n\n"
    '"This terminal gives the islands a timetable they can trust," Mr Wrenfield said.\n'
)

# Run in a child process: import one file; with "die", the process exits the instant the
# import's transaction has committed (os._exit: no on_commit callback, no cleanup), as a
# `kill -9` landing between the commit and whatever was meant to follow it would.
CHILD = textwrap.dedent(
    """
    import json, os, sys
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from pathlib import Path

    from articles.importing import Importer
    from search.services import article_ids, quote_ids

    path, mode = Path(sys.argv[1]), sys.argv[2]
    if mode == "migrate":
        call_command("migrate", verbosity=0)
        mode = "die"
    if mode == "die":
        importer = Importer()
        commit = connection._commit

        def commit_then_die():
            commit()
            os._exit(17)

        connection._commit = commit_then_die
        importer.import_path(path)
        sys.exit("the import never committed")
    found = lambda: [article_ids("ferry", include_drafts=True),
                     quote_ids("timetable", include_drafts=True)]
    before = found()
    outcome = Importer().import_path(path)
    print(json.dumps({"before": before, "status": outcome.status, "after": found()}))
    """
)


def _child(path, mode, database_url):
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        DJANGO_SECRET_KEY=settings.SECRET_KEY,
        DJANGO_SETTINGS_MODULE="newsroom.settings",
    )
    return subprocess.run(
        [sys.executable, "-c", CHILD, str(path), mode],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _database_url(tmp_path):
    """The test database for the child processes: PostgreSQL's test database, or a fresh
    SQLite file (the SQLite test database lives in this process's memory)."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'crash.sqlite3'}", "migrate"
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}", "die"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_kill_just_after_the_import_commits_leaves_the_article_searchable(tmp_path):
    """A process killed the instant an import commits leaves the article and its quote
    searchable (the index commits with them), and the re-import reports them unchanged."""
    story = tmp_path / "ferry.txt"
    story.write_text(STORY)
    url, first = _database_url(tmp_path)
    died = _child(story, first, url)
    assert died.returncode == 17, died.stderr
    checked = _child(story, "check", url)
    assert checked.returncode == 0, checked.stderr
    result = json.loads(checked.stdout.splitlines()[-1])
    assert result["status"] == UNCHANGED
    assert len(result["before"][0]) == 1 and len(result["before"][1]) == 1, result
    assert result["after"] == result["before"]


@pytest.mark.django_db
def test_reimporting_an_unchanged_file_repairs_its_missing_search_entries(tmp_path):
    """Entries lost after an import's commit (an older version's crash, a failed index
    write) are rewritten by the next import of the same file, which stays `unchanged`."""
    story = tmp_path / "ferry.txt"
    story.write_text(STORY)
    article_id = Importer().import_path(story).article_id
    quote = Quote.objects.get(article_id=article_id)
    index.discard_queue()  # (an after-commit flush still pending in this test transaction)
    lost = SearchEntry.objects.exclude(kind=SearchEntry.Kind.PERSON)
    index.get_backend().remove(list(lost))
    lost.delete()
    assert article_ids("ferry", include_drafts=True) == []

    outcome = Importer().import_path(story)

    assert outcome.status == UNCHANGED
    assert article_ids("ferry", include_drafts=True) == [article_id]
    assert quote_ids("timetable", include_drafts=True) == [quote.pk]
    assert any("search index repaired" in note for note in outcome.notes)


@pytest.mark.django_db
def test_services_write_the_index_before_they_commit(django_capture_on_commit_callbacks):
    """A service's index writes are part of its transaction: nothing is left for an
    after-commit callback (which a crash would lose)."""
    article = make_article("Tidal lagoon plans approved", status=Article.Status.DRAFT)
    with django_capture_on_commit_callbacks(execute=False):
        services.article_set_status(article=article, status=Article.Status.PUBLISHED)
        assert not any(index._queue.by_alias.get(connection.alias, {}).values())
        assert SearchEntry.objects.get(kind="article", object_id=article.pk).published


# --- Person merges (defect 7) ------------------------------------------------------------


def _pair():
    """Two records of one person, each with a quote, a mention and an alias."""
    article = make_article("Lighthouse keepers honoured")
    first, second = make_person("Morwenna Castellan"), make_person("Morwenna Castellan-Reyes")
    for offset, person in enumerate((first, second)):
        make_quote(article, speaker=person, start=offset * 20)
        make_mention(article, person, start=offset * 20, end=offset * 20 + 4)
    make_alias(second, "Wenna")
    return first, second


def _assert_consistent(kept, gone):
    """One person left, holding everything; the other's slug redirects to them; no
    redirect points a live person's slug at anyone."""
    assert list(Person.objects.values_list("pk", flat=True)) == [kept.pk]
    assert Quote.objects.filter(speaker_id=kept.pk).count() == 2
    assert dict(PersonRedirect.objects.values_list("old_slug", "person_id")) == {gone.slug: kept.pk}


@pytest.mark.django_db
@pytest.mark.parametrize("crossed", [False, True], ids=["repeated", "crossed"])
def test_a_merge_made_stale_by_another_is_refused_and_writes_nothing(crossed):
    """Merging people whom another merge already changed (the same merge sent twice, or
    the crossed one) raises MergeConflict: no person re-created, no self-redirect."""
    first, second = _pair()
    stale_first, stale_second = Person.objects.get(pk=first.pk), Person.objects.get(pk=second.pk)
    services.person_merge(source=first, target=second)
    source, target = (stale_second, stale_first) if crossed else (stale_first, stale_second)

    with pytest.raises(services.MergeConflict, match="merged into Morwenna Castellan-Reyes"):
        services.person_merge(source=source, target=target)

    _assert_consistent(kept=second, gone=first)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("crossed", [False, True], ids=["repeated", "crossed"])
def test_concurrent_merges_one_wins_and_the_other_is_refused(crossed):
    """Two merges of the same pair at once, from two connections (identical, or crossed):
    one merges, the other gets MergeConflict; the records stay consistent."""
    if connection.vendor == "sqlite":
        # The in-memory test database is shared-cache: its table locks fail at once
        # instead of waiting. The process test below covers SQLite on a real file.
        pytest.skip("SQLite: see test_concurrent_merges_in_two_processes_on_sqlite")
    first, second = _pair()
    jobs = [(first, second), (second, first) if crossed else (first, second)]
    start = threading.Barrier(len(jobs))
    outcomes = []

    def merge(source, target):
        pk = source.pk
        try:
            start.wait()
            services.person_merge(source=source, target=target)
            outcomes.append(("merged", pk))
        except services.MergeConflict:
            outcomes.append(("refused", pk))
        except Exception as error:  # reported by the assertion below
            outcomes.append((repr(error), pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=merge, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(status for status, _ in outcomes) == ["merged", "refused"], outcomes
    winner = next(pk for status, pk in outcomes if status == "merged")
    gone, kept = (first, second) if winner == first.pk else (second, first)
    _assert_consistent(kept=kept, gone=gone)


MERGER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import django

    django.setup()
    from django.core.management import call_command
    from articles import services
    from people.models import Person

    mode, folder = sys.argv[1], Path(sys.argv[2])
    if mode == "setup":
        call_command("migrate", verbosity=0)
        sys.path.insert(0, ".")
        from tests.test_atomicity import _pair

        print(*[person.pk for person in _pair()])
        sys.exit()
    source, target = Person.objects.get(pk=sys.argv[3]), Person.objects.get(pk=sys.argv[4])
    pk = source.pk
    (folder / f"ready-{source.pk}-{sys.argv[5]}").touch()
    while not (folder / "go").exists():
        time.sleep(0.01)
    try:
        services.person_merge(source=source, target=target)
        print("merged", pk)
    except services.MergeConflict:
        print("refused", pk)
    """
)


@pytest.mark.django_db
@pytest.mark.parametrize("crossed", [False, True], ids=["repeated", "crossed"])
def test_concurrent_merges_in_two_processes_on_sqlite(tmp_path, crossed):
    """SQLite: two processes merging the same pair at once (identical, or crossed) on one
    database file: one merges, the other is refused; nobody is re-created."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL: see test_concurrent_merges_one_wins_and_the_other_is_refused")
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{tmp_path / 'merge.sqlite3'}",
        DJANGO_SECRET_KEY=settings.SECRET_KEY,
        DJANGO_SETTINGS_MODULE="newsroom.settings",
    )

    def run(*args, **kwargs):
        command = [sys.executable, "-c", MERGER, *map(str, args)]
        return subprocess.Popen(
            command, env=env, cwd=settings.BASE_DIR, stdout=subprocess.PIPE, text=True, **kwargs
        )

    setup = run("setup", tmp_path)
    first, second = map(int, setup.communicate(timeout=300)[0].split())
    jobs = [(first, second), (second, first) if crossed else (first, second)]
    merges = [run("merge", tmp_path, *job, n) for n, job in enumerate(jobs)]
    while len(list(tmp_path.glob("ready-*"))) < len(jobs):
        assert all(merge.poll() is None for merge in merges), "a merger died"
        threading.Event().wait(0.05)
    (tmp_path / "go").touch()
    outcomes = [merge.communicate(timeout=120)[0].split() for merge in merges]

    assert sorted(status for status, _ in outcomes) == ["merged", "refused"], outcomes
    winner = next(int(pk) for status, pk in outcomes if status == "merged")
    kept = second if winner == first else first
    with sqlite3.connect(tmp_path / "merge.sqlite3") as db:
        people = db.execute("SELECT id FROM people_person").fetchall()
        redirects = db.execute(
            "SELECT r.old_slug, p.slug FROM people_personredirect r"
            " JOIN people_person p ON p.id = r.person_id"
        ).fetchall()
        quotes = db.execute("SELECT speaker_id FROM articles_quote").fetchall()
    assert people == [(kept,)]
    assert quotes == [(kept,), (kept,)]
    assert len(redirects) == 1 and redirects[0][0] != redirects[0][1]


def _racing_merge(monkeypatch):
    """services.person_merge as if another editor had just made the same merge first."""
    real = services.person_merge

    def merge(*, source, target, user=None):
        stale = Person.objects.get(pk=source.pk), Person.objects.get(pk=target.pk)
        real(source=source, target=target)
        return real(source=stale[0], target=stale[1], user=user)

    monkeypatch.setattr(services, "person_merge", merge)


@pytest.mark.django_db
def test_api_answers_409_with_json_to_a_merge_someone_else_made(client, monkeypatch):
    """The API maps a refused merge to 409 Conflict with a JSON `detail`."""
    first, second = _pair()
    client.force_login(make_editor())
    _racing_merge(monkeypatch)
    response = client.post(
        f"/api/v1/people/{first.slug}/merge/",
        {"into": second.slug},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert "merged into Morwenna Castellan-Reyes" in response.json()["detail"]
    _assert_consistent(kept=second, gone=first)


@pytest.mark.django_db
def test_admin_shows_a_message_for_a_merge_someone_else_made(editor_client, monkeypatch):
    """The admin's merge action reports a refused merge as an error message."""
    first, second = _pair()
    _racing_merge(monkeypatch)
    response = editor_client.post(
        "/admin/people/person/",
        {"action": "merge", "_selected_action": [first.pk, second.pk], "keep": second.pk},
        follow=True,
    )
    assert response.status_code == 200
    texts = [str(message) for message in response.context["messages"]]
    assert any("merged into Morwenna Castellan-Reyes" in text for text in texts), texts
    _assert_consistent(kept=second, gone=first)
