"""The base-data store: a DuckDB file (``EDUPULSE_BASEDATA_DUCKDB_PATH``) separate from the analytics store.

Per kind of record three tables, every row keyed by its batch's ``batch_key``:

* ``<kind>``: the clean rows (no issue of error level; ``age_grade`` is a warning and stays clean);
* ``<kind>_rejected``: rows with at least one error, kept whole so that they can be fixed and re-imported;
* ``<kind>_issue``: one row per issue (row, rule, field, value — ID numbers masked — message, school code).

A separate file, because imports write hundreds of MB while the analytics store is rebuilt by
``edupulse analytics sync``; one writer per file is DuckDB's rule, and the two never wait on each other.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from django.conf import settings

from edupulse.basedata.schemas import Schema
from edupulse.basedata.validation import open_work_connection

ISSUE_COLUMNS = (("row", "BIGINT"), ("rule", "VARCHAR"), ("field", "VARCHAR"), ("value", "VARCHAR"),
                 ("message", "VARCHAR"), ("school_code", "VARCHAR"))


def store_path() -> Path:
    return Path(settings.BASEDATA_DUCKDB_PATH)


def connect(path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A connection to the store file (created on first use), with the memory bound of validation."""
    target = path or store_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    return open_work_connection(target)


def ensure_tables(connection: duckdb.DuckDBPyConnection, schema: Schema) -> None:
    record = ", ".join(f'"{f.name}" VARCHAR' for f in schema.fields)
    for table in (schema.kind, f"{schema.kind}_rejected"):
        connection.execute(f'CREATE TABLE IF NOT EXISTS "{table}" (batch_key VARCHAR, "row" BIGINT, {record})')
    issue = ", ".join(f'"{name}" {sql_type}' for name, sql_type in ISSUE_COLUMNS)
    connection.execute(f'CREATE TABLE IF NOT EXISTS "{schema.kind}_issue" (batch_key VARCHAR, {issue})')


def forget_key(connection: duckdb.DuckDBPyConnection, schema: Schema, key: str) -> None:
    """Remove the rows of ``key`` (leftovers of an import whose batch row was never committed)."""
    for table in (schema.kind, f"{schema.kind}_rejected", f"{schema.kind}_issue"):
        connection.execute(f'DELETE FROM "{table}" WHERE batch_key = ?', [key])  # noqa: S608 - our names
