"""Reading persons out of the base-data store: the live batches, each person's current record and history.

A *person* is an (ID type, ID number) pair, named outside the store only by its pseudonym
(``pseudonyms.py``). Several batches may hold the same person (a new 学籍 export every term, the aid system's
list); the *current* record is the person's row in the newest live batch of the kind, and the *history* is
every row of every live batch. Only batches that have an ``ImportBatch`` row are live: store rows under any
other key are leftovers of a failed import (``importing.py``) and are never read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from edupulse.basedata.models import ImportBatch
from edupulse.basedata.pseudonyms import pseudonym_sql
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


def versions_sql(kind: str, live: str = "live") -> str:
    """Every clean row of a live batch, with its person's pseudonym and its batch (newest version first = rank 1)."""
    fields = ", ".join(f't."{f.name}"' for f in SCHEMAS[kind].fields)
    person = pseudonym_sql("t.id_type", "t.id_number")
    return f"""
SELECT {person} AS pseudonym, l.batch_id, l.source, l.seq, t."row", {fields},
       row_number() OVER (PARTITION BY trim(t.id_type), upper(trim(t.id_number)) ORDER BY l.seq DESC, t."row") AS version
FROM "{kind}" t JOIN {live} l USING (batch_key)
"""  # noqa: S608 - kind is one of SCHEMAS, live our relation name


def current_sql(kind: str, live: str = "live") -> str:
    """One row per person: the newest version."""
    return f"SELECT * EXCLUDE (version) FROM ({versions_sql(kind, live)}) WHERE version = 1"  # noqa: S608


def rows_as_dicts(result: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in result.description or ()]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]
