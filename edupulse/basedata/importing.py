"""Importing a base-data file as one batch: validate, split clean from rejected rows, store, record.

Atomic: the rows are written to the store inside a DuckDB transaction that is committed as the last
step of the ``record_import`` action, inside the Django transaction that creates the batch row; any
failure before that rolls the store back, a failure of the store's commit rolls the batch row back.
(The one window left — Django's own COMMIT failing after DuckDB's — leaves rows under a key no batch
names; they are never read, and :func:`store.forget_key` is there to sweep them.)

Pseudonyms: each stored row carries its person's pseudonym, computed by the same INSERT (``store.py``); a store
whose pseudonyms another key made refuses the import before anything is written (``PseudonymKeyChangedError``).

Idempotent: a file is known by the SHA-256 of its bytes; the same hash from the same source system for
the same kind of record returns the existing batch and changes nothing (no rows, no audit entry).
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from edupulse.basedata import store
from edupulse.basedata.actions import BatchFacts, record_import
from edupulse.basedata.models import ImportBatch
from edupulse.basedata.quality import quality_report
from edupulse.basedata.reading import LoadResult
from edupulse.basedata.rules import WARNING_RULES, CompiledCheck, issues_sql
from edupulse.basedata.schemas import SCHEMAS, Schema
from edupulse.basedata.validation import MASKED_FIELDS, prepare, rule_names, run_checks, school_register
from edupulse.core.actors import Actor
from edupulse.core.regions import RegionCode

HASH_CHUNK = 1 << 20


@dataclass(frozen=True)
class ImportOutcome:
    batch: ImportBatch
    created: bool  # False: this file was imported before and nothing changed


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def common_region(counties: list[str]) -> str:
    """The smallest region holding every county (``""``: none, or more than one province)."""
    lineages = [RegionCode.parse(c).ancestors_and_self() for c in counties if RegionCode.parse_or_none(c)]
    if not lineages:
        return ""
    common = ""
    for level in zip(*lineages, strict=False):
        if len({code.code for code in level}) != 1:
            break
        common = level[0].code
    return common


def import_file(path: Path, kind: str, source: str, *, acting_user: Actor, region: str | None = None,
                today: datetime.date | None = None, store_path: Path | None = None,
                before_commit: Callable[[], None] | None = None) -> ImportOutcome:
    """Import ``path`` as records of ``kind`` from ``source``. ``before_commit`` runs inside the action
    just before the store commits (tests use it to fail midway)."""
    schema = SCHEMAS[kind]
    digest = file_sha256(path)
    existing = ImportBatch.objects.filter(kind=kind, source=source, file_sha256=digest).first()
    if existing is not None:
        return ImportOutcome(existing, created=False)
    key = uuid.uuid4().hex
    with store.connect(store_path) as connection:
        store.ensure_tables(connection, schema)
        prepare(connection, school_register())
        loaded, compiled = run_checks(connection, path, schema, today=today)
        counts = _stage_issues(connection, compiled, loaded)
        connection.execute("BEGIN TRANSACTION")
        try:
            clean, rejected = _write_rows(connection, schema, key, loaded)
            facts = BatchFacts(key=key, kind=kind, source=source, file_name=path.name, file_sha256=digest,
                               file_format=loaded.file_format, rows_total=loaded.rows, rows_clean=clean,
                               rows_rejected=rejected, issue_counts=counts,
                               region_code=_batch_region(connection) if region is None else region,
                               quality=quality_report(connection, kind, key))

            def commit() -> None:
                if before_commit is not None:
                    before_commit()
                connection.execute("COMMIT")

            batch = record_import(facts, acting_user=acting_user, commit_store=commit)
        except BaseException:
            with contextlib.suppress(duckdb.Error):  # already rolled back when the COMMIT itself failed
                connection.execute("ROLLBACK")
            raise
    return ImportOutcome(batch, created=True)


def _stage_issues(connection: duckdb.DuckDBPyConnection, compiled: CompiledCheck, loaded: LoadResult) -> dict[str, int]:
    """The issues as a temporary table (values masked), reading issues included; the count per rule."""
    connection.execute("CREATE OR REPLACE TEMP TABLE issues AS "
                       + issues_sql("flagged", compiled.rules, MASKED_FIELDS, with_school=True))
    if loaded.issues:
        # One INSERT from an Arrow table: a file with a million ragged rows would take minutes row by row.
        read = pa.table({"row": pa.array([i.row for i in loaded.issues], pa.int64()),
                         "rule": [i.rule for i in loaded.issues], "field": [i.field for i in loaded.issues],
                         "value": pa.array([i.value or None for i in loaded.issues], pa.string()),
                         "message": [i.message for i in loaded.issues]})
        connection.register("__read_issues", read)
        connection.execute("INSERT INTO issues SELECT *, NULL FROM __read_issues")
        connection.unregister("__read_issues")
    counts = dict.fromkeys(rule_names(compiled), 0)
    counts.update(dict(connection.execute("SELECT rule, count(*) FROM issues GROUP BY rule").fetchall()))
    return counts


def _write_rows(connection: duckdb.DuckDBPyConnection, schema: Schema, key: str, loaded: LoadResult) -> tuple[int, int]:
    """Clean rows to ``<kind>``, rows with an error to ``<kind>_rejected`` (each with its person's pseudonym),
    issues to ``<kind>_issue``."""
    warnings = ", ".join(f"'{rule}'" for rule in sorted(WARNING_RULES))
    connection.execute(f"CREATE OR REPLACE TEMP TABLE bad AS SELECT DISTINCT row AS __row FROM issues "  # noqa: S608
                       f"WHERE rule NOT IN ({warnings})")
    columns = ", ".join(f'"{name}"' for name, _type in store.record_columns(schema))
    fields = ", ".join(f's."{f.name}"' for f in schema.fields)
    # The pseudonym is computed here, once per row and inside the import's transaction, so that readers filter on
    # it instead of computing the HMAC over the whole store (store.py); the columns are named, not positional. The
    # clean rows go in in pseudonym order: the column's min/max per row group then lets a lookup skip all but one.
    values = f"?, s.__row, {fields}, {store.stored_pseudonym_sql('s.')} AS {store.PSEUDONYM}"
    connection.execute(f'INSERT INTO "{schema.kind}" ({columns}) SELECT {values} FROM src s '  # noqa: S608
                       f"ANTI JOIN bad USING (__row) ORDER BY {store.PSEUDONYM}", [key])
    connection.execute(f'INSERT INTO "{schema.kind}_rejected" ({columns}) SELECT {values} FROM src s '  # noqa: S608
                       "SEMI JOIN bad USING (__row)", [key])
    connection.execute(f'INSERT INTO "{schema.kind}_issue" SELECT ?, * FROM issues', [key])  # noqa: S608
    rejected_rows, = connection.execute("SELECT count(*) FROM src SEMI JOIN bad USING (__row)").fetchone() or (0,)
    ragged = len(loaded.issues)
    return loaded.rows - rejected_rows - ragged, rejected_rows + ragged


def _batch_region(connection: duckdb.DuckDBPyConnection) -> str:
    rows = connection.execute("SELECT DISTINCT sch.county FROM src JOIN basedata_schools sch "
                              "ON sch.code = trim(src.school_code)").fetchall()
    return common_region([county for county, in rows])
