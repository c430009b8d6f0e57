"""The search index stays current: editors' edits, services, the importer, rebuilds."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import services
from articles.models import Article, Quote
from people.models import Person
from search import index
from search.models import SearchEntry
from search.services import article_ids, person_ids, quote_ids, search
from tests.factories import (
    make_alias,
    make_article,
    make_mention_in,
    make_person,
    make_quote_in,
    make_story,
    make_tag,
)

pytestmark = pytest.mark.django_db

PUBLISHED, DRAFT = Article.Status.PUBLISHED, Article.Status.DRAFT


@pytest.fixture
def story():
    """A published story naming Giovanni Pernice, with one quote of his."""
    giovanni = make_person("Giovanni Pernice")
    article = make_story(
        "Pernice returns to the ballroom",
        ["Giovanni Pernice said: “The ballroom is my home.”"],
    )
    make_mention_in(article, giovanni, "Giovanni Pernice")
    quote = make_quote_in(article, "The ballroom is my home.", speaker=giovanni)
    return article, giovanni, quote


def test_unpublishing_and_publishing_an_article_updates_everything_it_carries(story):
    """article_set_status hides the article, its quotes and the people only it names from
    the public, and publishing brings them back."""
    article, giovanni, quote = story
    services.article_set_status(article=article, status=DRAFT)
    assert (article_ids("ballroom"), quote_ids("ballroom"), person_ids("pernice")) == (
        [],
        [],
        [],
    )
    assert article_ids("ballroom", include_drafts=True) == [article.pk]
    services.article_set_status(article=article, status=PUBLISHED)
    assert (article_ids("ballroom"), quote_ids("ballroom"), person_ids("pernice")) == (
        [article.pk],
        [quote.pk],
        [giovanni.pk],
    )


def test_rejecting_a_quote_hides_it(story):
    """quote_set_status(rejected) removes the quote from public and editors' results."""
    _, _, quote = story
    services.quote_set_status(quote=quote, status=Quote.Status.REJECTED)
    assert quote_ids("ballroom home") == []
    assert quote_ids("ballroom home", include_drafts=True) == []
    services.quote_set_status(quote=quote, status=Quote.Status.CONFIRMED)
    assert quote_ids("ballroom home") == [quote.pk]


def test_renaming_a_person_reindexes_them_and_their_quotes(story):
    """A renamed person is found by the new name only, and so are their quotes."""
    _, giovanni, quote = story
    giovanni.name = "Gianni Pernicello"
    giovanni.save()
    assert person_ids("gianni") == [giovanni.pk]
    assert person_ids("giovanni") == []
    assert quote_ids("pernicello") == [quote.pk]


def test_adding_and_removing_an_alias(story):
    """An alias added in the admin finds the person at once; removed, it no longer does."""
    _, giovanni, _ = story
    alias = make_alias(giovanni, "Gio the Great", kind="stage_name")
    assert person_ids("great") == [giovanni.pk]
    alias.delete()
    assert person_ids("great") == []


def test_correcting_a_quotes_speaker(story):
    """quote_set_speaker: the quote is found by its new speaker's name, not the old one."""
    _, _, quote = story
    rose = make_person("Rose Ayling-Ellis")
    services.quote_set_speaker(quote=quote, speaker=rose)
    assert quote_ids("ayling ballroom") == [quote.pk]
    assert quote_ids("giovanni ballroom") == []


def test_person_merge_moves_name_quotes_and_visibility(story):
    """After person_merge the source's name finds the target (as an alias), the moved
    quotes carry the target's name, and the source's entry is gone."""
    _, giovanni, quote = story
    target = make_person("Giovanni Pernice-Smith")
    services.person_merge(source=giovanni, target=target)
    assert person_ids("pernice") == [target.pk]
    assert person_ids("giovanni pernice smith") == [target.pk]
    assert quote_ids("pernice-smith") == [quote.pk]
    assert not SearchEntry.objects.filter(kind="person", object_id=giovanni.pk).exists()


def test_rejecting_a_person_as_not_a_person(story):
    """person_reject_as_not_person: the name no longer finds the person or their quotes;
    the quotes, back in review without a speaker, are held back from public search."""
    _, giovanni, quote = story
    services.person_reject_as_not_person(person=giovanni)
    assert person_ids("giovanni") == []
    assert quote_ids("giovanni", include_drafts=True) == []
    assert quote_ids("ballroom home", include_drafts=True) == [quote.pk]
    assert quote_ids("ballroom home") == []


def test_deleting_articles_quotes_and_people(story):
    """Deleted objects leave the index, cascades included."""
    article, giovanni, quote = story
    other = make_story("Another ballroom story", ["Nothing to see."])
    other.delete()
    assert article_ids("ballroom") == [article.pk]
    quote.delete()
    assert quote_ids("ballroom") == []
    article.delete()
    assert article_ids("ballroom") == []
    assert person_ids("giovanni") == []  # no longer named by published content
    giovanni.delete()
    index.flush()  # what the commit (or the next search) does
    assert not SearchEntry.objects.filter(kind="person").exists()


def test_tags_are_searchable_and_follow_renames(story):
    """Articles are found by their tags' names, which follow tag renames."""
    article, _, _ = story
    tag = make_tag("Strictly Come Dancing")
    article.tags.add(tag)
    assert article_ids("strictly") == [article.pk]
    tag.name = "Dancing on Ice"
    tag.save()
    assert article_ids("ice") == [article.pk]
    article.tags.clear()
    assert article_ids("ice") == []


def test_editing_a_headline(story):
    """A headline edited through versioned_save is searchable at once."""
    article, _, _ = story
    article.title = "Pernice wins a BAFTA"
    services.versioned_save(obj=article)
    assert article_ids("bafta") == [article.pk]


def test_index_is_written_at_commit_without_a_search(story, django_capture_on_commit_callbacks):
    """Signals queue the work and on_commit writes it, even if nobody searches."""
    article, _, _ = story
    index.flush()
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "Fresh headline"
        article.save()
    entry = SearchEntry.objects.get(kind="article", object_id=article.pk)
    assert entry.title == "Fresh headline"


STORY = (
    " date 2024-03-08 Minister opens new bridge\n\n"
    "The transport minister, Ms Ada Okafor, opened the bridge on Friday.\n\n"
    '"This bridge joins two communities," Ms Okafor said.\n'
)


def test_importer_indexes_articles_people_and_quotes(tmp_path):
    """An imported file is searchable at once: its article, people and quotes."""
    path = tmp_path / "bridge.txt"
    path.write_text(STORY)
    call_command("import_articles", "--publish", str(path), stdout=StringIO())
    article = Article.objects.get()
    assert article_ids("bridge communities") == [article.pk]
    assert person_ids("okafor") == [Person.objects.get(name__contains="Okafor").pk]
    assert quote_ids("joins two") == list(Quote.objects.values_list("pk", flat=True))
    # A re-import of a changed file replaces what it indexed.
    path.write_text(STORY.replace("bridge", "tunnel"))
    call_command("import_articles", str(path), stdout=StringIO())
    assert article_ids("tunnel") == [article.pk]
    assert article_ids("bridge") == []
    assert quote_ids("joins two tunnel") != []


def test_import_dry_run_indexes_nothing(tmp_path):
    """A dry run writes nothing, index included."""
    path = tmp_path / "bridge.txt"
    path.write_text(STORY)
    call_command("import_articles", "--dry-run", "--publish", str(path), stdout=StringIO())
    assert article_ids("bridge", include_drafts=True) == []
    assert not SearchEntry.objects.exists()


def test_seeds_are_searchable(imported_seeds):
    """The imported seed stories are found by people, quotes and headline words."""
    results = search("Ayling-Ellis")
    assert results.articles.total == 5
    assert results.people.hits[0].title_html.startswith("Rose <mark>Ayling")
    assert results.quotes.total > 0
    assert person_ids("Jowita") == list(
        Person.objects.filter(name__startswith="Jowita").values_list("pk", flat=True)
    )


def test_rebuild_command_restores_a_lost_index(imported_seeds):
    """rebuild_search_index recreates every entry from the data and reports counts."""
    index.flush()
    before = set(SearchEntry.objects.values_list("kind", "object_id", "title"))
    expected = article_ids("strictly")
    SearchEntry.objects.all().delete()
    index.get_backend().clear()
    out = StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "Indexed 5 articles" in out.getvalue()
    assert set(SearchEntry.objects.values_list("kind", "object_id", "title")) == before
    assert article_ids("strictly") == expected


def test_reindex_functions_pick_up_bulk_writes(story):
    """Writes that bypass signals (QuerySet.update) are indexed by the reindex helpers."""
    article, _, quote = story
    index.flush()
    Article.objects.filter(pk=article.pk).update(title="Quietly updated headline")
    Quote.objects.filter(pk=quote.pk).update(text="Quietly updated words")
    assert article_ids("quietly") == []
    index.reindex_article(article.pk)
    assert article_ids("quietly") == [article.pk]
    assert quote_ids("quietly") == [quote.pk]


def test_after_migrate_builds_a_missing_index_and_resyncs_sqlite(story):
    """post_migrate (migrate, flush) rebuilds an empty index over existing content, and on
    SQLite realigns the FTS5 table with the entries after a flush."""
    article, _, _ = story
    SearchEntry.objects.all().delete()  # what `flush` or a first install leaves
    index.after_migrate(using=connection.alias)
    assert article_ids("ballroom") == [article.pk]
    if connection.vendor == "sqlite":
        assert index.get_backend().indexed_count() == SearchEntry.objects.count()


def test_search_sees_its_own_transactions_writes():
    """Inside one transaction (e.g. an admin action) a search sees what was just saved."""
    article = make_article("Unique zeppelin headline", body="Text.")
    assert article_ids("zeppelin") == [article.pk]


@pytest.mark.parametrize(
    ("probe", "walk_cost", "walk_max"),
    [
        (100, 0.4, 30000),  # the probe walks the whole kind
        (4, 0.0, 30000),  # probe, then keep walking newest first
        (4, 0.0, 2),  # probe, a short walk, then the GIN index for the older rest
        (4, 1e9, 30000),  # probe, then the GIN index
    ],
)
def test_newest_matches_are_ranked_whichever_way_they_are_found(
    monkeypatch, probe, walk_cost, walk_max
):
    """However the backend finds them (PostgreSQL walks the newest entries first, then
    keeps walking or turns to its GIN index), the ranked set is the newest MAX_RESULTS
    visible matches, best first; drafts do not count."""
    from search import services as search_services
    from search.backends import PostgresBackend

    monkeypatch.setattr(search_services, "MAX_RESULTS", 5)
    monkeypatch.setattr(PostgresBackend, "PROBE_ROWS", probe)
    monkeypatch.setattr(PostgresBackend, "WALK_COST", walk_cost)
    monkeypatch.setattr(PostgresBackend, "WALK_MAX", walk_max)
    matching = []
    for n in range(40):
        if n % 4 == 0:
            status = DRAFT if n == 28 else PUBLISHED
            title = "Budget day" if n % 8 == 0 else f"Story {n}"
            story = make_story(title, ["The budget was read."], status=status)
            if status == PUBLISHED:
                matching.append(story)
        else:
            make_story(f"Story {n}", ["Nothing to see here."])
    newest = sorted((a.pk for a in matching), reverse=True)[:5]
    found = article_ids("budget")
    assert sorted(found, reverse=True) == newest
    headline = [pk for pk in newest if Article.objects.get(pk=pk).title == "Budget day"]
    assert found[: len(headline)] == sorted(headline, reverse=True)  # title matches first


def _fts_deletes_scan() -> list[str]:
    """The FTS5 indexes whose deletes of merged segments would scan the whole index."""
    scanning = []
    with connection.cursor() as cursor:
        for kind in SearchEntry.Kind.values:
            cursor.execute(
                f"EXPLAIN QUERY PLAN DELETE FROM search_fts_{kind}_data WHERE id >= 1 AND id <= 2"
            )
            if not any("rowid>" in r[-1] and "rowid<" in r[-1] for r in cursor.fetchall()):
                scanning.append(kind)
    return scanning


@pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5 (SQLite) only")
@pytest.mark.parametrize("write", ["rebuild", "reindex", "migrate"])
def test_statistics_of_an_empty_index_do_not_make_indexing_scan_it(story, write):
    """ANALYZE run while the FTS5 index was empty (after `migrate` on a fresh install, or
    an import) recorded its shadow tables as two-row tables: every merge of segments then
    deleted the old ones by scanning the whole index, and a rebuild took the square of its
    size in time. The next index write, rebuild or migrate puts FTS5 back on its keys."""
    article, _, _ = story
    _analyse_an_empty_index()
    assert _fts_deletes_scan() == ["article", "quote", "person"]
    if write == "rebuild":
        index.rebuild()
    elif write == "reindex":
        index.reindex_article(article.pk)
    else:
        index.after_migrate(using=connection.alias)
    assert _fts_deletes_scan() == []
    assert article_ids("ballroom") == [article.pk]


def _analyse_an_empty_index():
    """A plain ANALYZE while the index is empty (what `migrate` on a fresh install did)."""
    index.flush()
    SearchEntry.objects.all().delete()
    index.get_backend().clear()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5 (SQLite) only")
def test_refreshing_statistics_never_leaves_indexing_scanning(story):
    """The statistics refresh after migrate and every import repairs what its own ANALYZE
    records of a small or empty index, before any write needs it."""
    from articles.statistics import refresh_statistics

    _analyse_an_empty_index()
    refresh_statistics()
    assert _fts_deletes_scan() == []


def test_rebuild_finds_who_is_public_in_one_pass(story):
    """A rebuild learns which people are public (named by published content) with one
    query per table for everyone, not one per chunk of people: each of those walked every
    published article, so the people's share of a rebuild grew with the square of it."""
    _, giovanni, _ = story
    make_person("Nobody Quoted")  # named by nothing: not public
    make_person("Another Nobody")
    with CaptureQueriesContext(connection) as queries:
        index.rebuild(chunk=1)
    sql = [query["sql"] for query in queries.captured_queries]
    assert len([s for s in sql if "articles_event_people" in s]) == 1
    assert len([s for s in sql if 'FROM "articles_mention"' in s]) == 1
    public = SearchEntry.objects.filter(kind="person", published=True)
    assert list(public.values_list("object_id", flat=True)) == [giovanni.pk]


def _entry(kind, object_id):
    return SearchEntry.objects.filter(kind=kind, object_id=object_id)


def test_verifying_unchanged_articles_repairs_every_kind_of_entry_astray(story):
    """``verify_articles`` (a re-import of unchanged files) finds, for every kind, the
    entries missing or not as visible as their rows, and rewrites only those."""
    from tests.factories import make_event

    article, _, quote = story
    rejected = make_quote_in(article, "The ballroom", status=Quote.Status.REJECTED)
    draft = make_story("A draft about rehearsals", ["Rehearsals start on Monday."], status=DRAFT)
    only_in_an_event = make_person("Amelia Okafor")
    make_event(draft, people=[only_in_an_event])
    index.reindex_article(article.pk)
    index.reindex_article(draft.pk)
    index.reindex_people([only_in_an_event.pk])
    assert index.verify_articles([article.pk, draft.pk]) == {}

    lost = [_entry("article", draft.pk), _entry("person", only_in_an_event.pk)]
    for entries in lost:
        index.get_backend().remove(list(entries))
        entries.delete()
    _entry("article", article.pk).update(published=False)  # a published article hidden
    _entry("quote", rejected.pk).update(rejected=False)  # a rejected quote shown
    _entry("quote", quote.pk).update(published=False)

    repaired = index.verify_articles([article.pk, draft.pk])

    # A stale entry counts twice (removed, then written afresh).
    assert repaired == {article.pk: 6, draft.pk: 2}
    assert _entry("article", draft.pk).get().published is False
    assert _entry("article", article.pk).get().published is True
    assert _entry("quote", rejected.pk).get().rejected is True
    assert _entry("quote", quote.pk).get().published is True
    assert _entry("person", only_in_an_event.pk).exists()
    assert index.verify_articles([article.pk, draft.pk]) == {}


def test_verifying_articles_in_step_reads_no_rows_per_quote_or_person(story):
    """The database compares entries with their rows: a few queries for a whole batch,
    whatever it holds, each answering with the rows astray (none here)."""
    article, giovanni, _ = story
    from tests.factories import make_quote

    body = article.body
    for n in range(30):
        make_quote(article, text=body[: n + 10], speaker=giovanni, start=0, end=n + 10)
    index.reindex_article(article.pk)
    with CaptureQueriesContext(connection) as queries:
        assert index.verify_articles([article.pk]) == {}
    assert len(queries.captured_queries) == 5
    assert not any(
        q["sql"].startswith("SELECT") and 'FROM "search_searchentry"' in q["sql"].split("EXISTS")[0]
        for q in queries.captured_queries
    )
