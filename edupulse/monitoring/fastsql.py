"""Multi-row INSERT … ON CONFLICT for the high-volume, unaudited result tables.

Saving a sweep writes ~13 rows per site; building model instances for each costs more than the database
work. These helpers prepare only the values that need it (dates, JSON) with the model's own fields and
hand plain tuples to ``executemany``. ``ON CONFLICT (…) DO UPDATE SET x = excluded.x`` is the same on
SQLite (≥ 3.24) and PostgreSQL, the two supported databases.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models

BATCH = 5000


def _concrete(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """The concrete field for a name or attname (``website_id``)."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return field


def upsert(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]], *,
           conflict: Sequence[str] = (), update: Sequence[str] = (), increment: Sequence[str] = ()) -> int:
    """Insert ``rows`` (tuples in ``fields`` order, foreign keys by ``<name>_id``); on a conflict on the
    unique ``conflict`` columns, overwrite the ``update`` columns with the new values and add the new
    values to the ``increment`` columns (in the database, so that two writers of the same row both count)."""
    if not rows:
        return 0
    meta = model._meta
    columns = [_concrete(model, name) for name in fields]
    quote = connection.ops.quote_name
    names = [quote(f.column) for f in columns]
    # Table and column names come from the model, never from input.
    sql = f"INSERT INTO {quote(meta.db_table)} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})"  # noqa: S608
    if conflict:
        targets = ", ".join(quote(_concrete(model, c).column) for c in conflict)
        table = quote(meta.db_table)
        assignments = [f"{quote(_concrete(model, u).column)} = excluded.{quote(_concrete(model, u).column)}"
                       for u in update]
        assignments += [f"{column} = {table}.{column} + excluded.{column}"
                        for column in (quote(_concrete(model, i).column) for i in increment)]
        sql += f" ON CONFLICT ({targets}) DO " + (f"UPDATE SET {', '.join(assignments)}" if assignments else "NOTHING")
    # Only dates, times and JSON need converting for the driver; other values go as they are.
    converters = [(i, f) for i, f in enumerate(columns)
                  if isinstance(f, (models.DateField, models.DateTimeField, models.JSONField))]
    prepared: list[Sequence[Any]] = []
    # The same instant or day repeats on every row of a report: convert each distinct one once.
    cache: dict[tuple[int, Any], Any] = {}
    for row in rows:
        if converters:
            values = list(row)
            for i, field in converters:
                value = values[i]
                if isinstance(field, models.JSONField):
                    values[i] = field.get_db_prep_save(value, connection)
                    continue
                key = (i, value)
                if key not in cache:
                    cache[key] = field.get_db_prep_save(value, connection)
                values[i] = cache[key]
            prepared.append(values)
        else:
            prepared.append(row)
    with connection.cursor() as cursor:
        for start in range(0, len(prepared), BATCH):
            cursor.executemany(sql, prepared[start:start + BATCH])
    return len(rows)
