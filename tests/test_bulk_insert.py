"""``newsroom.bulk.bulk_insert`` writes what ``QuerySet.bulk_create`` writes, on both
databases (issue 13: the import's bulk writes without Django's per-value compiler cost)."""

import datetime as dt

import pytest
from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import Value
from django.db.models.functions import Upper
from django.db.models.query import QuerySet as DjangoQuerySet

from articles.models import Article, Event, Quote, QuoteKey
from newsroom import bulk
from newsroom.bulk import bulk_insert
from people.models import Alias, Person
from search.models import SearchEntry, entry_id

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["copy, arrays or executemany", "values"])
def insert_path(request, monkeypatch):
    """Each way of writing rows, whatever the number of rows: on PostgreSQL COPY, or an
    INSERT of arrays when conflicts are ignored; on SQLite one INSERT run for each row
    (keys reserved first); on both, a VALUES list (for a few rows)."""
    many = 1 if request.param != "values" else 10**9
    monkeypatch.setattr(bulk, "_POSTGRES_COPY_ROWS", many)
    monkeypatch.setattr(bulk, "_SQLITE_MANY_ROWS", many)
    return request.param


WHEN = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC)


def _article(n: int, **extra) -> Article:
    values = {
        "title": "Title",
        "slug": f"title-{n}",
        "body": "Body “with” quotes.",
        "captions": ["One caption", "Two"],
        "published_at": WHEN,
        "status": Article.Status.PUBLISHED,
        "source_key": f"k{n}",
        "source_name": f"k{n}.txt",
        "source_sha256": f"{n:064d}",
        "raw_text": "raw",
        "imported_values": {"title": "abc", "n": [1, 2]},
    }
    return Article(**{**values, **extra})


def _values(model, pks):
    names = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
    moving = {"created_at", "updated_at", "imported_at"}  # "now" at each insert
    rows = model.objects.filter(pk__in=pks).order_by("pk").values(*names)
    return [{k: v for k, v in row.items() if k not in moving} for row in rows]


def test_rows_equal_those_of_djangos_bulk_create(monkeypatch, insert_path):
    """Every kind of value the import writes: text, integers, booleans, floats, choices,
    JSON (a list, a dict, and a bare string, which must still be encoded), aware
    datetimes, foreign keys, and a column with a database default."""
    lean = bulk_insert(Article, [_article(1), _article(2, imported_values="just text")])
    django = DjangoQuerySet(Article).bulk_create(
        [_article(3), _article(4, imported_values="just text")]
    )
    strip = [
        {k: v for k, v in row.items() if not k.startswith("source") and k != "slug"}
        for row in _values(Article, [a.pk for a in lean + django])
    ]
    assert strip[0] == strip[2] and strip[1] == strip[3]
    assert Article.objects.get(pk=lean[1].pk).imported_values == "just text"
    assert Article.objects.get(pk=lean[0].pk).published_at == WHEN

    person = Person.objects.create(name="Ada Example")
    article = lean[0]

    def two_quotes():
        return [
            Quote(
                article=article,
                text="Hello there",
                start=6,
                end=17,
                speaker=person,
                confidence=0.75,
                status=Quote.Status.AUTO,
            ),
            Quote(article=article, text="Bye", start=20, end=23, confidence=0.25),
        ]

    quotes, twins = two_quotes(), two_quotes()
    Quote.objects.bulk_create(quotes)  # the lean path, via the model's queryset
    monkeypatch.setattr(bulk, "supports", lambda model, vendor: False)
    Quote.objects.bulk_create(twins)  # the same queryset, on Django's own path
    rows = _values(Quote, [q.pk for q in quotes + twins])
    assert rows[:2] == rows[2:]
    # The quotes' copy of their article (kept by the model's bulk_create) is written too.
    assert all(row["article_published"] and row["article_published_at"] == WHEN for row in rows)


def test_dates_filled_on_insert_are_stamped_and_others_written_as_given(insert_path):
    """Values are read column by column (``bulk._rows``): a column of ``auto_now`` or
    ``auto_now_add`` dates is still filled for each row, on the object as in the table,
    with the time of the insert, while a plain date column is written as the objects
    hold it, None or not."""
    from django.utils import timezone

    before = timezone.now()
    articles = bulk_insert(Article, [_article(1), _article(2, published_at=None)])
    after = timezone.now()
    stored = list(
        Article.objects.filter(pk__in=[a.pk for a in articles])
        .order_by("pk")
        .values_list("imported_at", "updated_at", "published_at")
    )
    for article, (imported_at, updated_at, published_at) in zip(articles, stored, strict=True):
        assert before <= imported_at <= after and imported_at == article.imported_at
        assert before <= updated_at <= after and updated_at == article.updated_at
        assert published_at == article.published_at
    assert [row[2] for row in stored] == [WHEN, None]
    # One insert, one time: its rows are stamped alike (as PostgreSQL's now() would).
    assert len({row[0] for row in stored}) == len({row[1] for row in stored}) == 1


def test_a_columns_repeated_values_are_made_ready_once_each_as_the_field_would():
    """A column's distinct values (by type and value) are made ready once, the rest taken
    from the first: the same as the field's ``get_db_prep_save`` of each, for choices,
    dates (in two time zones), JSON (unhashable: each made ready) and None."""
    from unittest import mock

    status = Quote._meta.get_field("status")
    published_at = Quote._meta.get_field("article_published_at")
    captions = Article._meta.get_field("captions")
    paris = dt.timezone(dt.timedelta(hours=2))
    columns = {
        status: [Quote.Status.AUTO, "auto", Quote.Status.AUTO, None, Quote.Status.REJECTED],
        published_at: [WHEN, None, WHEN, WHEN.astimezone(paris), WHEN + dt.timedelta(days=1)],
        captions: [["One"], ["One"], [], None, ["Two", "Three"]],
    }
    for field, values in columns.items():
        expected = [None if v is None else field.get_db_prep_save(v, connection) for v in values]
        with mock.patch.object(field, "get_db_prep_save", wraps=field.get_db_prep_save) as prepare:
            ready = bulk._column(field).prepare_all(values, connection)
        # (Equal: the same instant in either zone; JSON adapters compare as text.)
        assert all(a == b or str(a) == str(b) for a, b in zip(ready, expected, strict=True))
        if field is status:
            # "auto" is its plain type; the enum members are two, each made ready once.
            assert prepare.call_count == 2
        if field is published_at:
            # WHEN in two zones is one value (the same instant, stored alike).
            assert prepare.call_count == 2
        if field is captions:
            assert prepare.call_count == 4


def test_keys_are_set_in_order_across_several_statements(monkeypatch, insert_path):
    monkeypatch.setattr(bulk, "_rows_per_statement", lambda connection, columns: 7)
    people = bulk_insert(Person, [Person(name=f"P {n}", slug=f"p-{n}") for n in range(50)])
    assert len({p.pk for p in people}) == 50
    assert all(not p._state.adding and p._state.db == "default" for p in people)
    stored = dict(Person.objects.values_list("pk", "name"))
    assert all(stored[p.pk] == p.name for p in people)


def test_sqlite_compiles_one_single_row_insert_for_all_the_rows():
    """On SQLite, many rows are one single-row INSERT run for each (``executemany``), their
    keys reserved first: a multi-row INSERT as long as its rows was rewritten by Django
    and compiled by SQLite for every batch (a third slower)."""
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL writes many rows with COPY")
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        people = bulk_insert(Person, [Person(name=f"P {n}", slug=f"p-{n}") for n in range(20)])
    inserts = [q["sql"] for q in queries.captured_queries if "INSERT INTO" in q["sql"]]
    assert len(inserts) == 1 and inserts[0].startswith('20 times: INSERT INTO "people_person"')
    assert [p.pk for p in people] == list(range(people[0].pk, people[0].pk + 20))
    assert dict(Person.objects.values_list("pk", "slug")) == {p.pk: p.slug for p in people}


def test_a_model_with_its_own_keys_is_written_with_them():
    entries = [
        SearchEntry(id=entry_id("article", n), kind="article", object_id=n, title=f"t{n}")
        for n in (1, 2)
    ]
    bulk_insert(SearchEntry, entries)
    assert dict(SearchEntry.objects.values_list("id", "title")) == {5: "t1", 9: "t2"}


def test_ignore_conflicts_skips_rows_that_exist_and_reads_no_keys(insert_path):
    article = bulk_insert(Article, [_article(9)])[0]
    quote = Quote.objects.create(article=article, text="Words", start=0, end=5)
    QuoteKey.objects.bulk_create([QuoteKey(quote=quote, key=1)])
    rows = [QuoteKey(quote=quote, key=1), QuoteKey(quote=quote, key=2)]
    QuoteKey.objects.bulk_create(rows, ignore_conflicts=True)
    assert sorted(QuoteKey.objects.values_list("key", flat=True)) == [1, 2]
    assert all(row.pk is None for row in rows)  # as bulk_create: which ones were skipped?


def test_related_objects_saved_after_assignment_give_their_key():
    person = Person(name="Late Saved", slug="late-saved")
    alias = Alias(person=person, text="Late", normalized="late")
    bulk_insert(Person, [person])
    bulk_insert(Alias, [alias])
    assert Alias.objects.get(pk=alias.pk).person_id == person.pk


def test_an_expression_goes_to_djangos_compiler():
    event = Event(summary=Upper(Value("text")), start=0, end=1)
    event.article = bulk_insert(Article, [_article(7)])[0]
    bulk_insert(Event, [event])
    assert Event.objects.get(pk=event.pk).summary == "TEXT"


def test_a_failed_insert_leaves_nothing_behind(insert_path):
    """One statement per batch inside one transaction: a refused row undoes the rows
    before it."""
    Person.objects.create(name="Taken", slug="taken")
    with pytest.raises(IntegrityError), transaction.atomic():  # the slug is unique
        bulk_insert(Person, [Person(name="A", slug="free"), Person(name="B", slug="taken")])
    assert not Person.objects.filter(slug="free").exists()


def _spy_on_djangos_insert(monkeypatch) -> list:
    called = []
    original = DjangoQuerySet._insert

    def spy(self, objs, *args, **kwargs):
        called.append(self.model)
        return original(self, objs, *args, **kwargs)

    monkeypatch.setattr(DjangoQuerySet, "_insert", spy)
    return called


def test_save_of_a_new_object_takes_the_lean_path_too(monkeypatch):
    called = _spy_on_djangos_insert(monkeypatch)
    article = _article(5)
    article.save()
    assert Article not in called  # (its history row is simple-history's own insert)
    assert article.pk and not article._state.adding
    stored = Article.objects.get(pk=article.pk)
    assert (stored.imported_values, stored.published_at) == (article.imported_values, WHEN)
    article.title = "Changed"
    article.save()  # an update: not an insert at all
    assert Article.objects.get(pk=article.pk).title == "Changed"


def test_unsupported_models_and_conflict_updates_go_to_djangos_compiler(monkeypatch):
    called = _spy_on_djangos_insert(monkeypatch)
    person = Person.objects.create(name="Ada Example", slug="ada")
    Person.objects.bulk_create(
        [Person(name="Ada Example 2", slug="ada")],
        update_conflicts=True,
        unique_fields=["slug"],
        update_fields=["name"],
    )
    assert Person in called
    assert Person.objects.get(pk=person.pk).name == "Ada Example 2"
    called.clear()
    monkeypatch.setattr(bulk, "supports", lambda model, vendor: False)
    bulk_insert(Person, [Person(name="X", slug="x")])
    assert called == [Person]
    assert Person.objects.filter(slug="x").exists()


def test_a_value_too_long_for_its_column_is_refused_not_cut(insert_path):
    """PostgreSQL checks lengths (SQLite stores what it is given), on every path: the
    arrays of an INSERT that ignores conflicts are cast to the column's type without its
    length, so the column itself refuses."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite does not enforce varchar lengths")
    for ignore_conflicts in (False, True):
        with pytest.raises(DataError), transaction.atomic():
            bulk_insert(
                Person,
                [Person(name="x" * 201, slug="long")],
                ignore_conflicts=ignore_conflicts,
            )
    assert not Person.objects.filter(slug="long").exists()


def test_rows_with_reserved_keys_are_written_with_them(insert_path):
    """Keys reserved for rows written later (the importer's new people, issue 13): the rows
    keep them on every path (COPY must not take others from the sequence), and an insert
    meanwhile, in the same transaction, takes none of them."""
    keys = bulk.reserve_keys(Person, 10)
    assert len(set(keys)) == 10
    other = Person.objects.create(name="Meanwhile", slug="meanwhile")
    assert other.pk not in keys and other.pk > max(keys)
    people = [Person(pk=key, name=f"Kept {key}", slug=f"kept-{key}") for key in keys]
    written = Person.objects.bulk_create(people)
    assert [p.pk for p in written] == keys
    assert all(not p._state.adding for p in written)
    assert dict(Person.objects.filter(pk__in=keys).values_list("pk", "name")) == {
        key: f"Kept {key}" for key in keys
    }
    assert bulk.reserve_keys(Person, 2)[0] > max(keys)
    assert bulk.reserve_keys(Person, 0) == []


def test_reserved_keys_with_gaps_are_each_the_sequences():
    """Keys come back as a run's two ends when the sequence gave a run, and one by one when
    another session's keys (here: a sequence stepping by three) left gaps."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's writers are serialised: its reserved keys are always a run")
    run = bulk.reserve_keys(Person, 5)
    assert run == list(range(run[0], run[0] + 5))
    with connection.cursor() as cursor:
        cursor.execute("ALTER SEQUENCE people_person_id_seq INCREMENT BY 3")
    scattered = bulk.reserve_keys(Person, 4)
    assert scattered == [run[-1] + 3 * n for n in range(1, 5)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value FROM people_person_id_seq")
        assert cursor.fetchone()[0] == scattered[-1]  # each key taken once
