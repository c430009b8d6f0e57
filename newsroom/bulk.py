"""Bulk inserts without the per-value cost of Django's insert compiler (issue 13).

``QuerySet.bulk_create`` turns every value of every row into SQL one by one: it asks each
field to ``pre_save`` and to prepare the value, checks each value for an expression, and
builds a placeholder per value. For an import, which writes tens of thousands of mentions,
quotes, keys and search entries per thousand stories, that was a sixth of the writer's
time. ``bulk_insert`` writes the same rows with the same values: a value of the plain
Python type a field stores as it is (a ``str`` for a text field, an ``int`` for an integer
or a foreign key) is sent unchanged, as the field would have returned it; every other
value goes through the field's own ``get_db_prep_save``; values are looked at column by
column, not one by one. Many rows go in PostgreSQL's ``COPY``, or on SQLite in one
single-row INSERT run for each (``executemany``); a few in a multi-row INSERT.

``LeanInsertQuerySet`` gives a model this path for every INSERT Django makes through its
queryset: ``bulk_create`` (plain, or ignoring conflicts) and ``save()`` of a new object
alike, so every caller gains without knowing. Anything else (updates on conflict, raw
inserts, expressions as values) goes to Django's compiler as before.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import Iterable, Sequence
from operator import attrgetter
from types import NoneType

from django.db import connections, router
from django.db.models import (
    AutoField,
    BigAutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    DateField,
    Field,
    FloatField,
    ForeignKey,
    IntegerField,
    Model,
    PositiveBigIntegerField,
    PositiveIntegerField,
    PositiveSmallIntegerField,
    QuerySet,
    SlugField,
    SmallIntegerField,
    TextField,
)
from django.db.models.constants import OnConflict

# Field classes whose value, when it is exactly this Python type, is what the field's
# ``get_db_prep_save`` returns for it (the type's own conversion is the identity). Exact
# classes only: a subclass may convert (an ``EmailField`` does not, but is not listed).
_INTEGERS = (
    AutoField,
    BigAutoField,
    IntegerField,
    BigIntegerField,
    SmallIntegerField,
    PositiveIntegerField,
    PositiveBigIntegerField,
    PositiveSmallIntegerField,
)
_PLAIN: dict[type[Field], type] = {
    CharField: str,
    TextField: str,
    SlugField: str,
    BooleanField: bool,
    FloatField: float,
    **dict.fromkeys(_INTEGERS, int),
}

# PostgreSQL: parameters one statement may carry (its protocol counts them in 16 bits);
# from how many rows a COPY pays for itself; rows per INSERT of arrays.
_POSTGRES_MAX_PARAMS = 65_535
_POSTGRES_COPY_ROWS = 8
_POSTGRES_ARRAY_ROWS = 5_000
# SQLite: from how many rows one INSERT run for each (``executemany``) pays for itself.
_SQLITE_MANY_ROWS = 8
# "varchar(200)" -> "varchar", "numeric(10, 2)" -> "numeric".
_TYPE_MODIFIER = re.compile(r"\([^)]*\)")


class _Column:
    """How one field's value is read from an object and made ready for the database."""

    __slots__ = ("attname", "field", "plain", "pre_save", "stamp")

    def __init__(self, field: Field):
        self.field = field
        self.attname = field.attname
        # ``pre_save`` matters only where a field overrides it (``auto_now`` dates, files);
        # a date's only for ``auto_now`` or ``auto_now_add``.
        self.pre_save = type(field).pre_save is not Field.pre_save and not (
            isinstance(field, DateField) and not (field.auto_now or field.auto_now_add)
        )
        # A date the insert fills (``auto_now``, ``auto_now_add``): one for all its rows.
        self.stamp = self.pre_save and isinstance(field, DateField)
        target = field.target_field if isinstance(field, ForeignKey) else field
        self.plain = _PLAIN.get(type(target))

    def value(self, obj: Model, connection):
        """The object's value for this column, ready for the database."""
        value = self.field.pre_save(obj, True) if self.pre_save else getattr(obj, self.attname)
        if value is None or type(value) is self.plain:
            return value
        if hasattr(value, "resolve_expression"):
            raise _NotPlain
        return self.field.get_db_prep_save(value, connection)

    def prepare(self, value, connection):
        """``value`` ready for the database (``get_db_prep_save``, but a plain value as
        it is)."""
        if value is None or type(value) is self.plain:
            return value
        return self.field.get_db_prep_save(value, connection)

    def values(self, objs: Sequence[Model], read: Sequence, connection) -> Sequence:
        """This column's values of ``objs`` (``read``: as the objects hold them), ready
        for the database, as ``value`` gives each."""
        if self.stamp:
            # The time of the insert, as PostgreSQL's now() gives one per transaction (a
            # call and a conversion per row were a twentieth of an import on SQLite).
            stamp = self.field.pre_save(objs[0], True)
            for obj in objs[1:]:
                setattr(obj, self.attname, stamp)
            return [self.prepare(stamp, connection)] * len(objs)
        if self.pre_save:
            return [self.value(obj, connection) for obj in objs]
        return self.prepare_all(read, connection, expressions=True)

    def prepare_all(self, values: Sequence, connection, *, expressions: bool = False):
        """``values`` ready for the database, as ``prepare`` makes each: as they are when
        all are of the plain type or None (two passes in C); else each distinct value
        (and type) made ready once, as a batch repeats a few (a status, an article's date
        in each of its quotes). ``expressions``: refuse one (``_NotPlain``)."""
        if set(map(type, values)) <= {self.plain, NoneType}:
            return values
        plain, made, ready = self.plain, {}, []
        for value in values:
            if value is None or type(value) is plain:
                ready.append(value)
                continue
            try:
                ready.append(made[type(value), value])
                continue
            except KeyError:
                hashable = True
            except TypeError:  # unhashable (a list, a dict): made ready each time
                hashable = False
            if expressions and hasattr(value, "resolve_expression"):
                raise _NotPlain
            prepared = self.field.get_db_prep_save(value, connection)
            if hashable:
                made[type(value), value] = prepared
            ready.append(prepared)
        return ready


def _rows(columns: Sequence[_Column], objs: Sequence[Model], connection) -> list[tuple]:
    """The objects' rows for ``columns``, ready for the database: the attributes read
    together (``attrgetter``, in C) and looked at column by column, not value by value
    (a sixth of the time of a bulk insert was calling ``_Column.value`` for each)."""
    if not objs or not columns:
        return [() for _ in objs]
    read = list(map(attrgetter(*(column.attname for column in columns)), objs))
    by_column = list(zip(*read, strict=True)) if len(columns) > 1 else [read]
    prepared = [
        column.values(objs, values, connection)
        for column, values in zip(columns, by_column, strict=True)
    ]
    return list(zip(*prepared, strict=True))


class _NotPlain(Exception):
    """A value is an expression (a database default, say): Django's compiler writes it."""


@functools.cache
def _column(field: Field) -> _Column:
    return _Column(field)


@functools.cache
def supports(model: type[Model], vendor: str) -> bool:
    """Whether the lean path can write ``model`` on a ``vendor`` database: one that returns
    the keys of a multi-row insert, and a single table whose only columns the database
    fills are the primary key and columns with a database default (written from the
    objects, unless one holds the ``DatabaseDefault`` itself)."""
    opts = model._meta
    return (
        vendor in ("sqlite", "postgresql")
        and not any(p._meta.concrete_model is not opts.concrete_model for p in opts.all_parents)
        and all(f is opts.pk or f.has_db_default() for f in opts.db_returning_fields)
    )


def _rows_per_statement(connection, columns: int) -> int:
    if connection.vendor == "sqlite":
        # The limit this SQLite was built with (32,766 since 3.32), not Django's 999.
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    else:
        limit = _POSTGRES_MAX_PARAMS
    return max(1, min(limit // max(columns, 1), 2_000))


def _execute(model, connection, columns, values, *, returning: bool, ignore_conflicts: bool):
    """INSERT ``values`` (a list per row) into ``columns``; the new keys if ``returning``."""
    if connection.vendor == "postgresql" and len(values) >= _POSTGRES_COPY_ROWS:
        if not ignore_conflicts:
            return _copy(model, connection, columns, values, returning=returning)
        return _insert_arrays(model, connection, columns, values, returning=returning)
    # (Keys are reserved in a transaction only; Django's bulk_create always opens one.)
    if (
        connection.vendor == "sqlite"
        and len(values) >= _SQLITE_MANY_ROWS
        and (connection.in_atomic_block or not returning)
    ):
        return _insert_many(
            model,
            connection,
            columns,
            values,
            returning=returning,
            ignore_conflicts=ignore_conflicts,
        )
    quote = connection.ops.quote_name
    head = "INSERT INTO {} ({}) VALUES ".format(
        quote(model._meta.db_table), ", ".join(quote(c.field.column) for c in columns)
    )
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    suffix = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    suffix += f" RETURNING {quote(model._meta.pk.column)}" if returning else ""
    keys = []
    with _cursor(connection) as cursor:
        step = _rows_per_statement(connection, len(columns))
        for start in range(0, len(values), step):
            part = values[start : start + step]
            statement = head + ", ".join([row] * len(part)) + suffix
            cursor.execute(statement, [value for row_values in part for value in row_values])
            if returning:
                keys += _fetch_keys(cursor, len(part))
    return keys


def _insert_many(model, connection, columns, values, *, returning: bool, ignore_conflicts: bool):
    """SQLite: one single-row INSERT run for every row (``executemany``: compiled once,
    each row bound in C). A multi-row INSERT is a statement as long as its rows, which
    Django rewrites (its placeholders) and SQLite compiles again for every batch: a third
    slower. ``executemany`` returns no rows, so the new rows' keys are reserved first
    (``reserve_keys``) and written with them, as on PostgreSQL's COPY."""
    quote = connection.ops.quote_name
    names = [c.field.column for c in columns]
    keys = []
    if returning:
        keys = reserve_keys(model, len(values), using=connection.alias)
        names = [model._meta.pk.column, *names]
        values = [(key, *row) for key, row in zip(keys, values, strict=True)]
    statement = "INSERT INTO {} ({}) VALUES ({}){}".format(
        quote(model._meta.db_table),
        ", ".join(quote(name) for name in names),
        ", ".join(["%s"] * len(names)),
        " ON CONFLICT DO NOTHING" if ignore_conflicts else "",
    )
    with _cursor(connection) as cursor:
        cursor.executemany(statement, values)
    return keys


def _copy(model, connection, columns, values, *, returning: bool) -> list:
    """PostgreSQL's own bulk load, ``COPY … FROM STDIN``: psycopg writes each row in C,
    where a multi-row INSERT has it handle every value in Python. The keys of new rows
    are taken from the table's sequence first (the values the column's default would
    have taken), in order."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = [c.field.column for c in columns]
    keys = []
    with _cursor(connection) as cursor, connection.wrap_database_errors:
        if returning:
            keys = reserve_keys(model, len(values), using=connection.alias)
            names = [model._meta.pk.column, *names]
            values = [[key, *row] for key, row in zip(keys, values, strict=True)]
        statement = f"COPY {table} ({', '.join(quote(name) for name in names)}) FROM STDIN"
        with cursor.copy(statement) as copy:
            for row_values in values:
                copy.write_row(row_values)
    return keys


def _insert_arrays(model, connection, columns, values, *, returning: bool) -> list:
    """A multi-row INSERT … ON CONFLICT DO NOTHING on PostgreSQL (which COPY cannot do):
    one array per column, unnested into rows, so a handful of parameters however many
    rows. Each array has its column's type without a length ("varchar", not
    "varchar(200)": that cast would cut a value too long, which the column must refuse)."""
    quote = connection.ops.quote_name
    arrays = ", ".join(f"%s::{_array_type(c.field, connection)}" for c in columns)
    statement = "INSERT INTO {} ({}) SELECT * FROM unnest({}) ON CONFLICT DO NOTHING".format(
        quote(model._meta.db_table), ", ".join(quote(c.field.column) for c in columns), arrays
    )
    statement += f" RETURNING {quote(model._meta.pk.column)}" if returning else ""
    keys = []
    with _cursor(connection) as cursor:
        for start in range(0, len(values), _POSTGRES_ARRAY_ROWS):
            part = values[start : start + _POSTGRES_ARRAY_ROWS]
            cursor.execute(statement, [list(column) for column in zip(*part, strict=True)])
            if returning:
                keys += _fetch_keys(cursor, len(part))
    return keys


def _fetch_keys(cursor, rows: int) -> list:
    keys = [key for (key,) in cursor.fetchall()]
    assert len(keys) == rows, "the database returned a key per row"
    return keys


def _cursor(connection):
    """A cursor of ``connection`` (Django's wrapper: its errors, its query log). On
    PostgreSQL one that binds parameters on the server: they travel in psycopg's binary
    format (and a statement run often is prepared), where Django's default cursor, which
    binds on the client, writes each value into the statement's text in Python."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw = ServerBindingCursor(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


def _array_type(field: Field, connection) -> str:
    return _TYPE_MODIFIER.sub("", field.db_type(connection)) + "[]"


class LeanInsertQuerySet(QuerySet):
    """A queryset whose INSERTs (``bulk_create``, ``save()`` of a new object) take the lean
    path where they can."""

    def _insert(
        self,
        objs,
        fields,
        returning_fields=None,
        raw=False,
        using=None,
        on_conflict=None,
        update_fields=None,
        unique_fields=None,
    ):
        using = using or self.db
        connection = connections[using]
        values = None
        if (
            not (raw or update_fields or unique_fields)
            and on_conflict in (None, OnConflict.IGNORE)
            and supports(self.model, connection.vendor)
        ):
            columns = [_column(field) for field in fields]
            try:
                values = _rows(columns, objs, connection)
            except _NotPlain:
                values = None
        if values is None:
            return super()._insert(
                objs,
                fields,
                returning_fields=returning_fields,
                raw=raw,
                using=using,
                on_conflict=on_conflict,
                update_fields=update_fields,
                unique_fields=unique_fields,
            )
        pk = self.model._meta.pk
        returning = bool(returning_fields) and pk in returning_fields
        # Rows that carry their keys (reserved with ``reserve_keys``): the database has none
        # to give, and COPY must not take others from the sequence.
        given = pk in fields
        keys = _execute(
            self.model,
            connection,
            columns,
            values,
            returning=returning and not given,
            ignore_conflicts=on_conflict is not None,
        )
        if not returning:
            return []
        if given:
            keys = [obj.pk for obj in objs]
        # The key as the database gave it; the other returned columns (defaults) as written.
        return [
            tuple(key if field is pk else getattr(obj, field.attname) for field in returning_fields)
            for obj, key in zip(objs, keys, strict=True)
        ]

    _insert.alters_data = True
    _insert.queryset_only = False  # the manager offers it: ``Model.save`` inserts through it


def reserve_keys(model: type[Model], count: int, *, using: str | None = None) -> list[int]:
    """``count`` primary keys for rows of ``model`` to be inserted later in this
    transaction (with their keys set, by ``bulk_create``): what the column's default would
    give them, taken now so that other rows can refer to them first. The importer creates
    a batch's new people this way, in one INSERT at the batch's end instead of one per file
    (issue 13).

    PostgreSQL takes them from the table's sequence (``nextval``: reserved for everybody;
    keys not used are a gap, as after any rolled-back insert). SQLite, whose writers are
    serialised and which numbers an ``AUTOINCREMENT`` key after the larger of the largest
    key and ``sqlite_sequence``, moves ``sqlite_sequence`` past them: the reservation
    holds against any insert in this transaction, and rolls back with it."""
    if count <= 0:
        return []
    connection = connections[using or router.db_for_write(model)]
    table = model._meta.db_table
    pk = model._meta.pk.column
    with _cursor(connection) as cursor:
        if connection.vendor == "postgresql":
            # Keys usually come as one run: the run's ends, not a row per key, travel back
            # (a twentieth of an import's statements on PostgreSQL are reservations). Other
            # sessions taking keys meanwhile leave gaps: then the keys themselves.
            cursor.execute(
                "SELECT min(key), max(key), CASE WHEN max(key) - min(key) + 1 = count(*)"
                " THEN NULL ELSE array_agg(key ORDER BY key) END FROM"
                " (SELECT nextval(pg_get_serial_sequence(%s, %s)) AS key"
                " FROM generate_series(1, %s)) AS taken",
                [connection.ops.quote_name(table), pk, count],
            )
            low, high, scattered = cursor.fetchone()
            keys = scattered if scattered is not None else list(range(low, high + 1))
            assert len(keys) == count, "the sequence gave a key per row"
            return keys
        if connection.vendor != "sqlite" or not connection.in_atomic_block:
            raise NotImplementedError("keys are reserved in a transaction, on SQLite or PostgreSQL")
        quote = connection.ops.quote_name
        cursor.execute(
            f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0),"
            f" coalesce((SELECT max({quote(pk)}) FROM {quote(table)}), 0))",
            [table],
        )
        (last,) = cursor.fetchone()
        cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [last + count, table])
        if not cursor.rowcount:
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, last + count]
            )
    return list(range(last + 1, last + count + 1))


def bulk_insert(
    model: type[Model],
    objs: Iterable[Model],
    *,
    using: str | None = None,
    ignore_conflicts: bool = False,
) -> list:
    """``bulk_create`` on the lean path, for a model whose manager does not offer it (an
    automatic many-to-many table, a history model)."""
    queryset = LeanInsertQuerySet(model, using=using or router.db_for_write(model))
    return queryset.bulk_create(objs, ignore_conflicts=ignore_conflicts)


def insert_values(
    model: type[Model],
    fields: list[Field],
    rows: list[list],
    *,
    using: str | None = None,
    returning: bool = False,
) -> list:
    """Write ``rows`` of ``model`` (values for ``fields``, already made ready for the
    database by each field's ``get_db_prep_save``) on the same paths as ``bulk_insert``:
    for writers that build rows without objects (``articles.history``). Returns the new
    rows' keys, in order, if ``returning`` (else nothing)."""
    if not rows:
        return []
    connection = connections[using or router.db_for_write(model)]
    columns = [_column(field) for field in fields]
    return _execute(model, connection, columns, rows, returning=returning, ignore_conflicts=False)


def prepare(field: Field, value, connection):
    """``value`` ready for the database in ``field``, as its ``get_db_prep_save`` makes
    it (a plain value as it is)."""
    return _column(field).prepare(value, connection)


def prepared_rows(fields: Sequence[Field], rows: Sequence[Sequence], connection) -> list[tuple]:
    """``rows`` (values for ``fields``) ready for the database, as ``prepare`` makes each
    value, looked at column by column (``_Column.prepare_all``), not a call per value."""
    if not rows or not fields:
        return [() for _ in rows]
    columns = zip(fields, zip(*rows, strict=True), strict=True)
    prepared = [_column(field).prepare_all(values, connection) for field, values in columns]
    return list(zip(*prepared, strict=True))
