"""Reading persons out of the base-data store: the live batches, each person's current record and history.

A *person* is an (ID type, ID number) pair, named outside the store only by its pseudonym
(``pseudonyms.py``). Several batches may hold the same person (a new 学籍 export every term, the aid system's
list); the *current* record is the person's row in the newest live batch of the kind, and the *history* is
every row of every live batch. Only batches that have an ``ImportBatch`` row are live: store rows under any
other key are leftovers of a failed import (``importing.py``) and are never read.

A person is found by the pseudonym stored with each row at import (``store.py``), never by computing the HMAC
over the store at read time; every reader first calls ``store.ready``, which upgrades an older store and refuses
one whose pseudonyms another key made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from edupulse.basedata import store
from edupulse.basedata.models import ImportBatch
from edupulse.basedata.schemas import SCHEMAS


@dataclass(frozen=True)
class LiveBatch:
    key: str
    pk: int
    source: str
    seq: int  # 1 = oldest


def live_batches(kind: str) -> list[LiveBatch]:
    """The batches of ``kind`` in import order (every batch: scoping applies to the persons, not here)."""
    rows = ImportBatch.objects.filter(kind=kind).order_by("created_at", "pk").values_list("key", "pk", "source")
    return [LiveBatch(key, pk, source, seq) for seq, (key, pk, source) in enumerate(rows, start=1)]


def register_live(connection: duckdb.DuckDBPyConnection, kind: str, name: str = "live") -> list[LiveBatch]:
    """Register the live batches of ``kind`` as the relation ``name`` (batch_key, batch_id, source, seq)."""
    batches = live_batches(kind)
    connection.register(name, pa.table({
        "batch_key": pa.array([b.key for b in batches], pa.string()),
        "batch_id": pa.array([b.pk for b in batches], pa.int64()),
        "source": pa.array([b.source for b in batches], pa.string()),
        "seq": pa.array([b.seq for b in batches], pa.int64()),
    }))
    return batches


def has_table(connection: duckdb.DuckDBPyConnection, table: str) -> bool:
    found = connection.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]).fetchall()
    return bool(found[0][0])


def versions_sql(kind: str, live: str = "live", where: str = "") -> str:
    """Every clean row of a live batch, with its person's stored pseudonym and its batch (newest version first =
    1). ``where``: a condition on the row ``t`` restricting the persons (all of each person's rows pass it or none,
    e.g. a condition on ``t.pseudonym``)."""
    fields = ", ".join(f't."{f.name}"' for f in SCHEMAS[kind].fields)
    only = f"WHERE {where}" if where else ""
    return f"""
SELECT t.pseudonym, l.batch_id, l.source, l.seq, t."row", {fields},
       row_number() OVER (PARTITION BY t.pseudonym ORDER BY l.seq DESC, t."row") AS version
FROM "{kind}" t JOIN {live} l USING (batch_key) {only}
"""  # noqa: S608 - kind is one of SCHEMAS, live our relation name, where our condition


def current_sql(kind: str, live: str = "live") -> str:
    """One row per person: the newest version."""
    return f"SELECT * EXCLUDE (version) FROM ({versions_sql(kind, live)}) WHERE version = 1"  # noqa: S608


def rows_as_dicts(result: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in result.description or ()]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def person_history(connection: duckdb.DuckDBPyConnection, kind: str, pseudonym: str) -> list[dict[str, Any]]:
    """Every version of the person named by ``pseudonym``, newest first (a filter on the stored column; the
    caller decides from the current version's school whether the reader may see it)."""
    if not store.ready(connection, kind):
        return []
    register_live(connection, kind)
    # An equality on the stored column: DuckDB evaluates it in the scan, reading the other columns only where it holds.
    return rows_as_dicts(connection.execute(
        f"SELECT * FROM ({versions_sql(kind, where='t.pseudonym = $pseudonym')}) ORDER BY version",  # noqa: S608
        {"pseudonym": pseudonym}))


def school_roster(connection: duckdb.DuckDBPyConnection, kind: str, school_code: str, *, number: str = "",
                  limit: int = 50, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    """The persons whose current record is at ``school_code`` (ordered by class and 学籍号/教职工号), a page of
    them, and their count; ``number`` narrows to one 学籍号 (or 教职工号)."""
    if not store.ready(connection, kind):
        return 0, []
    register_live(connection, kind)
    number_field = "student_no" if kind == "student" else "teacher_no"
    connection.execute(f"""
CREATE OR REPLACE TEMP TABLE wanted AS
SELECT DISTINCT t.pseudonym FROM "{kind}" t JOIN live USING (batch_key) WHERE trim(t.school_code) = ?""",  # noqa: S608
                       [school_code])
    versions = versions_sql(kind, where="t.pseudonym IN (SELECT pseudonym FROM wanted)")
    current = (f"SELECT * EXCLUDE (version) FROM ({versions}) "  # noqa: S608
               f"WHERE version = 1 AND trim(school_code) = $school AND ($number = '' OR upper(trim({number_field})) = $number)")
    params = {"school": school_code, "number": number.strip().upper()}
    total = connection.execute(f"SELECT count(*) FROM ({current})", params).fetchall()[0][0]  # noqa: S608
    order = "class_name, " if kind == "student" else ""
    rows = rows_as_dicts(connection.execute(
        f"SELECT * FROM ({current}) ORDER BY {order}{number_field} LIMIT {int(limit)} OFFSET {int(offset)}",  # noqa: S608
        params))
    return int(total), rows


def record_at(connection: duckdb.DuckDBPyConnection, kind: str, batch_key: str, row: int) -> dict[str, Any] | None:
    """One stored clean row (by its batch's key and its row number), or None."""
    if not has_table(connection, kind):
        return None
    found = rows_as_dicts(connection.execute(
        f'SELECT * FROM "{kind}" WHERE batch_key = ? AND "row" = ?', [batch_key, row]))  # noqa: S608
    return found[0] if found else None
