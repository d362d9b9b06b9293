"""The embedded analytics store (DuckDB): column-oriented snapshots of base data for aggregates.

The transactional database (SQLite or PostgreSQL) stays the source of truth. ``sync_table`` copies a
table's rows into DuckDB through a temporary CSV file (DuckDB's bulk CSV reader is far faster than
row-by-row inserts and needs no extension download — intranets have no internet). Domain apps register
what they publish with :func:`register`; ``edupulse analytics sync`` refreshes everything.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from django.conf import settings


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str  # DuckDB type: VARCHAR, INTEGER, BIGINT, DOUBLE, BOOLEAN, DATE, TIMESTAMP


@dataclass(frozen=True)
class Publication:
    """One analytics table: its columns and a function yielding its rows from the ORM."""

    table: str
    columns: tuple[Column, ...]
    rows: Callable[[], Iterable[Sequence[Any]]]


_PUBLICATIONS: dict[str, Publication] = {}


def register(publication: Publication) -> None:
    _PUBLICATIONS[publication.table] = publication


def publications() -> list[Publication]:
    return list(_PUBLICATIONS.values())


def connect(path: Path | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    target = Path(path or settings.DUCKDB_PATH)
    target.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(target), read_only=read_only)


def sync_table(connection: duckdb.DuckDBPyConnection, publication: Publication) -> int:
    """Replace ``publication.table`` atomically with the current rows; returns the row count."""
    with tempfile.NamedTemporaryFile("w", suffix=".csv", newline="", encoding="utf-8", delete=False) as handle:
        writer = csv.writer(handle)
        count = 0
        for row in publication.rows():
            writer.writerow(["" if v is None else v for v in row])
            count += 1
        path = handle.name
    try:
        columns = ", ".join(f"'{c.name}': '{c.sql_type}'" for c in publication.columns)
        staging = f"{publication.table}__staging"
        connection.execute("BEGIN")
        connection.execute(
            f"CREATE OR REPLACE TABLE {staging} AS SELECT * FROM read_csv(?, header=false, "  # noqa: S608
            f"columns={{{columns}}}, nullstr='', quote='\"', escape='\"')",
            [path],
        )
        connection.execute(f"DROP TABLE IF EXISTS {publication.table}")
        connection.execute(f"ALTER TABLE {staging} RENAME TO {publication.table}")
        connection.execute("COMMIT")
    except Exception:
        connection.execute("ROLLBACK")
        raise
    finally:
        Path(path).unlink(missing_ok=True)
    return count


def sync_all(path: Path | None = None, progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    counts: dict[str, int] = {}
    with connect(path) as connection:
        for publication in publications():
            counts[publication.table] = sync_table(connection, publication)
            if progress:
                progress(publication.table, counts[publication.table])
    return counts
