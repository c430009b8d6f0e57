"""History rows written in bulk, fast: one ``executemany`` of plain values per model.

``bulk_history_create`` (django-simple-history) builds a historical model object per row,
looks up the user and the change reason per row, and has Django's insert compiler turn
every value into SQL one by one: for an import, whose every article, person, alias, quote
and event gets a history row, that was a fifth of the writer's time (issue 13). The rows
written here are the same (same columns, each value converted by its own field, as the ORM
would), without those per-row objects.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence

from django.db import connections, router
from django.db.models import Field, Model
from django.utils import timezone


@functools.cache
def historical_model(model: type[Model]) -> type[Model]:
    """The history model of ``model``, asked once: each access to ``model.history`` builds
    a manager class."""
    return model.history.model


@functools.cache
def _columns(model: type[Model]) -> tuple[list[str], list[Field], str]:
    """The tracked attributes, the historical fields they are written to, and the INSERT."""
    historical = historical_model(model)
    by_attname = {field.attname: field for field in historical._meta.concrete_fields}
    tracked = [field.attname for field in historical.tracked_fields]
    own = ["history_date", "history_user_id", "history_change_reason", "history_type"]
    fields = [by_attname[name] for name in [*own, *tracked]]
    connection = connections[router.db_for_write(historical)]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(historical._meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    return tracked, fields, sql


def insert_history(model: type[Model], rows: Sequence[tuple[Model, str]], *, reason: str) -> None:
    """History records of ``rows`` ((saved object, "+" created or "~" changed)), all with
    the change reason ``reason``, the time now and the current history user (the one
    django-simple-history would record: none outside a request)."""
    if not rows:
        return
    historical = historical_model(model)
    tracked, fields, sql = _columns(model)
    connection = connections[router.db_for_write(historical)]
    user = historical.get_default_history_user(rows[0][0])
    head = [timezone.now(), getattr(user, "pk", None), reason]
    preps = [field.get_db_prep_save for field in fields]
    params = (
        [
            prep(value, connection)
            for prep, value in zip(
                preps, [*head, kind, *(getattr(row, name) for name in tracked)], strict=True
            )
        ]
        for row, kind in rows
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, list(params))


def insert_created_history(model: type[Model], objects: Iterable[Model], *, reason: str) -> None:
    """``insert_history`` for objects just created."""
    insert_history(model, [(obj, "+") for obj in objects], reason=reason)
