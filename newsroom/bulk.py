"""Bulk inserts without the per-value cost of Django's insert compiler (issue 13).

``QuerySet.bulk_create`` turns every value of every row into SQL one by one: it asks each
field to ``pre_save`` and to prepare the value, checks each value for an expression, and
builds a placeholder per value. For an import, which writes tens of thousands of mentions,
quotes, keys and search entries per thousand stories, that was a sixth of the writer's
time. ``bulk_insert`` writes the same rows with the same values: a value of the plain
Python type a field stores as it is (a ``str`` for a text field, an ``int`` for an integer
or a foreign key) is sent unchanged, as the field would have returned it; every other
value goes through the field's own ``get_db_prep_save``; the statement's text is built
once per batch size.

``LeanInsertQuerySet`` gives a model this path for every INSERT Django makes through its
queryset: ``bulk_create`` (plain, or ignoring conflicts) and ``save()`` of a new object
alike, so every caller gains without knowing. Anything else (updates on conflict, raw
inserts, expressions as values) goes to Django's compiler as before.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterable

from django.db import connections, router
from django.db.models import (
    AutoField,
    BigAutoField,
    BigIntegerField,
    BooleanField,
    CharField,
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

# Most parameters one statement may carry: PostgreSQL's protocol counts them in 16 bits.
_POSTGRES_MAX_PARAMS = 65_535


class _Column:
    """How one field's value is read from an object and made ready for the database."""

    __slots__ = ("attname", "field", "plain", "pre_save")

    def __init__(self, field: Field):
        self.field = field
        self.attname = field.attname
        # ``pre_save`` matters only where a field overrides it (``auto_now`` dates, files).
        self.pre_save = type(field).pre_save is not Field.pre_save
        target = field.target_field if isinstance(field, ForeignKey) else field
        self.plain = _PLAIN.get(type(target))

    def value(self, obj: Model, connection):
        value = self.field.pre_save(obj, True) if self.pre_save else getattr(obj, self.attname)
        if value is None or type(value) is self.plain:
            return value
        if hasattr(value, "resolve_expression"):
            raise _NotPlain
        return self.field.get_db_prep_save(value, connection)


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
        # The limit this SQLite was built with (32,766 since 3.32), not Django's cautious 999.
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    else:
        limit = _POSTGRES_MAX_PARAMS
    return max(1, min(limit // max(columns, 1), 2_000))


def _execute(model, connection, columns, values, *, returning: bool, ignore_conflicts: bool):
    """INSERT ``values`` (a list per row) into ``columns``; the new keys if ``returning``."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(c.field.column) for c in columns)
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    suffix = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    suffix += f" RETURNING {quote(model._meta.pk.column)}" if returning else ""
    keys = []
    with connection.cursor() as cursor:
        step = _rows_per_statement(connection, len(columns))  # (connected by now)
        for start in range(0, len(values), step):
            part = values[start : start + step]
            sql = f"INSERT INTO {table} ({names}) VALUES {', '.join([row] * len(part))}{suffix}"
            cursor.execute(sql, [value for row_values in part for value in row_values])
            if returning:
                part_keys = cursor.fetchall()
                assert len(part_keys) == len(part), "the database returned a key per row"
                keys += [key for (key,) in part_keys]
    return keys


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
                values = [[column.value(obj, connection) for column in columns] for obj in objs]
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
        keys = _execute(
            self.model,
            connection,
            columns,
            values,
            returning=returning,
            ignore_conflicts=on_conflict is not None,
        )
        if not returning:
            return []
        # The key as the database gave it; the other returned columns (defaults) as written.
        return [
            tuple(key if field is pk else getattr(obj, field.attname) for field in returning_fields)
            for obj, key in zip(objs, keys, strict=True)
        ]

    _insert.alters_data = True
    _insert.queryset_only = False  # the manager offers it: ``Model.save`` inserts through it


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
