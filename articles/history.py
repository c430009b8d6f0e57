"""History rows written in bulk, fast: plain values per model, written in one go
(``newsroom.bulk.insert_values``: a multi-row INSERT, or COPY on PostgreSQL).

``bulk_history_create`` (django-simple-history) builds a historical model object per row,
looks up the user and the change reason per row, and has Django's insert compiler turn
every value into SQL one by one: for an import, whose every article, person, alias, quote
and event gets a history row, that was a fifth of the writer's time (issue 13). The rows
written here are the same (same columns, each value converted by its own field, as the ORM
would), without those per-row objects.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from operator import attrgetter

from django.db import connections, router
from django.db.models import Field, Model
from django.utils import timezone

from newsroom.bulk import insert_values, prepare, prepared_rows


@functools.cache
def historical_model(model: type[Model]) -> type[Model]:
    """The history model of ``model``, asked once: each access to ``model.history`` builds
    a manager class."""
    return model.history.model


@functools.cache
def _columns(model: type[Model]) -> tuple[list[str], list[Field]]:
    """The tracked attributes, and the historical fields they are written to."""
    historical = historical_model(model)
    by_attname = {field.attname: field for field in historical._meta.concrete_fields}
    tracked = [field.attname for field in historical.tracked_fields]
    own = ["history_date", "history_user_id", "history_change_reason", "history_type"]
    fields = [by_attname[name] for name in [*own, *tracked]]
    return tracked, fields


def insert_history(
    model: type[Model],
    rows: Sequence[tuple[Model, str]],
    *,
    reason: str,
    date: dt.datetime | None = None,
    m2m_rows: Mapping[str, Sequence[Model]] | None = None,
) -> None:
    """History records of ``rows`` ((saved object, "+" created, "~" changed or "-"
    deleted)), all with the change reason ``reason``, the time ``date`` (now by default)
    and the current history user (the one django-simple-history would record: none
    outside a request). The many-to-many fields the history tracks are recorded too, as
    django-simple-history does, for created and changed rows: read from the database,
    or, for a field named in ``m2m_rows``, taken from the saved through rows given there,
    which the caller vouches are all the objects' rows (it has just written them)."""
    if not rows:
        return
    historical = historical_model(model)
    tracked, fields = _columns(model)
    connection = connections[router.db_for_write(historical)]
    user = historical.get_default_history_user(rows[0][0])
    # The same date, user and reason for every record: made ready once.
    head = tuple(
        prepare(field, value, connection)
        for field, value in zip(
            fields[:3], [date or timezone.now(), getattr(user, "pk", None), reason], strict=True
        )
    )
    read = attrgetter(*tracked) if len(tracked) > 1 else lambda row: (getattr(row, tracked[0]),)
    tails = prepared_rows(fields[3:], [(kind, *read(row)) for row, kind in rows], connection)
    params = [head + tail for tail in tails]
    m2m = bool(getattr(historical, "_history_m2m_fields", None))
    # The records' keys come back from the insert when their many-to-many rows need them.
    keys = insert_values(historical, fields, params, using=connection.alias, returning=m2m)
    if m2m:
        records: dict[object, list[int]] = defaultdict(list)
        for (row, kind), history_id in zip(rows, keys, strict=True):
            if kind != "-":
                records[row.pk].append(history_id)
        if records:
            _insert_m2m_history(model, records, using=connection.alias, known=m2m_rows or {})


def _insert_m2m_history(
    model: type[Model],
    records: dict[object, list[int]],
    *,
    using,
    known: Mapping[str, Sequence[Model]],
) -> None:
    """What django-simple-history records of each tracked many-to-many field with a history
    record (a copy of the object's through rows, linked to the record), for the records
    ``insert_history`` just wrote (``records``: object id -> its records' keys): a query
    and an insert per field for the whole batch, where the library's own ``save()`` builds
    the object back from its record and reads its related rows with their objects, once
    per field and record (two thirds of the time an import of changed stories took to save
    an article, issue 13). The copies are plain rows, as the records are."""
    historical = historical_model(model)
    connection = connections[using]
    for field in historical._history_m2m_fields:
        through = field.remote_field.through
        names = [f.attname for f in through._meta.fields]
        m2m_history = _m2m_history_model(historical, names)
        source = names.index(through._meta.get_field(field.m2m_field_name()).attname)
        by_attname = {f.attname: f for f in m2m_history._meta.concrete_fields}
        fields = [by_attname["history_id"], *(by_attname[name] for name in names)]
        if field.name in known:
            # Just written by the caller: not read back (an import's events, issue 13).
            rows = [[getattr(row, name) for name in names] for row in known[field.name]]
        else:
            rows = through.objects.filter(**{f"{names[source]}__in": list(records)}).order_by()
            rows = rows.values_list(*names)
        copies = [
            (history_id, *values)
            for values in rows
            if values[source] in records
            for history_id in records[values[source]]
        ]
        insert_values(m2m_history, fields, prepared_rows(fields, copies, connection), using=using)


def insert_created_history(model: type[Model], objects: Iterable[Model], *, reason: str) -> None:
    """``insert_history`` for objects just created."""
    insert_history(model, [(obj, "+") for obj in objects], reason=reason)


def _m2m_history_model(historical: type[Model], names: list[str]) -> type[Model]:
    """The model django-simple-history keeps a tracked many-to-many field's rows in: the
    one pointing at ``historical`` whose other columns are the through table's."""
    for relation in historical._meta.related_objects:
        model = relation.related_model
        own = {f.attname for f in model._meta.fields} - {"history_id", model._meta.pk.attname}
        if relation.field.name == "history" and own == set(names):
            return model
    raise LookupError(f"no many-to-many history of {names} for {historical.__name__}")
