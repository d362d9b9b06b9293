"""Validate a base-data file end to end: load it as text, run the compiled checks, collect the issues.

``validate_file`` stores nothing (the ``validate`` command); ``importing.py`` runs the same steps on the
store's connection and keeps the results. The reference tables the checks join — GB/T 2260 codes with
their years and the register of schools — are loaded into the connection once per run.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import duckdb
import pyarrow as pa

from edupulse.basedata.reading import RAGGED_ROW, LoadResult, ReadIssue, load
from edupulse.basedata.regions import region_spans
from edupulse.basedata.rules import REGION_YEARS, CompiledCheck, check_sql, issues_sql
from edupulse.basedata.schemas import SCHEMAS, Schema
from edupulse.orgs.models import School

# DuckDB spills to disk beyond this, so a 15 M-row file validates within the 3 GB bound of the issue.
MEMORY_LIMIT = "1536MB"
# One DuckDB thread more than the cores this process may run on: measured on 2 cores, validating 15 M rows took
# 5–9 % less CPU and wall time with 3 threads than with DuckDB's default of 2 (a thread waiting on a read or a
# page of memory, probably, no longer leaves a core idle); 4 gained nothing more (docs/benchmarks.md).
WORK_THREADS = len(os.sched_getaffinity(0)) + 1 if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1) + 1
# Fields whose values are masked wherever an issue is stored (ID numbers; the 学籍号 embeds the ID number).
MASKED_FIELDS = ("id_number", "student_no", "teacher_no")


class Issue(NamedTuple):
    """One row of the issues table: ``row`` is the 1-based data row (header excluded). A named tuple: a file
    can have hundreds of thousands of issues, and a tuple is built five times faster than a frozen dataclass."""

    row: int
    rule: str
    field: str
    value: str | None
    message: str


@dataclass
class ValidationResult:
    """The outcome of checking one file."""

    kind: str
    rows: int
    counts: dict[str, int]
    issues: list[Issue] = field(default_factory=list)
    file_format: str = ""
    encoding: str = ""

    def as_dict(self) -> dict[str, object]:
        """The JSON contract of ``edupulse basedata validate --json`` (docs/cli-basedata.md)."""
        return {"rows": self.rows, "counts": self.counts, "issues": [i._asdict() for i in self.issues]}


def rule_names(compiled: CompiledCheck) -> tuple[str, ...]:
    """The rule names reported (the keys of ``counts``) in report order, the reading issue last."""
    return (*dict.fromkeys(rule.name for rule in compiled.rules), RAGGED_ROW)


def open_work_connection(path: Path | str = ":memory:") -> duckdb.DuckDBPyConnection:
    """A DuckDB connection that spills to a temporary directory instead of growing past ``MEMORY_LIMIT``."""
    connection = duckdb.connect(str(path))
    connection.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    connection.execute(f"SET threads = {WORK_THREADS}")
    connection.execute(f"SET temp_directory = '{tempfile.gettempdir()}/edupulse-duckdb'")
    return connection


def school_register() -> list[tuple[str, str, bool]]:
    """(code, county, active) of every school: the register ``school_unknown`` checks against."""
    return list(School.objects.values_list("code", "county_id", "is_active"))


def prepare(connection: duckdb.DuckDBPyConnection, schools: Iterable[tuple[str, str, bool]]) -> None:
    """Load the reference tables (temporary: they belong to this run)."""
    spans = region_spans()
    regions = pa.table({"code": [s.code for s in spans], "start_year": [s.start for s in spans],
                        "end_year": [s.end for s in spans]})
    rows = list(schools)
    register = pa.table({"code": pa.array([r[0] for r in rows], pa.string()),
                         "county": pa.array([r[1] for r in rows], pa.string()),
                         "is_active": pa.array([bool(r[2]) for r in rows], pa.bool_())})
    for name, table in (("basedata_regions", regions), ("basedata_schools", register)):
        connection.register("__reference", table)
        connection.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM __reference")  # noqa: S608
        connection.unregister("__reference")
    # One integer key per (code, year) a code was valid, so the region check is an equality hash join.
    first, last = REGION_YEARS
    connection.execute(f"""
CREATE OR REPLACE TEMP TABLE basedata_region_years AS
SELECT DISTINCT CAST(code AS BIGINT) * 10000 + y AS region_key
FROM basedata_regions, range({first}, {last + 1}) t(y)
WHERE y BETWEEN greatest(start_year, {first}) AND least(end_year, {last})""")  # noqa: S608 - our constants


def run_checks(connection: duckdb.DuckDBPyConnection, path: Path, schema: Schema, *,
               today: datetime.date | None = None) -> tuple[LoadResult, CompiledCheck]:
    """Load ``path`` as ``src`` and materialise the failing rows as ``flagged`` (one pass over ``src``)."""
    loaded = load(path, schema, connection, "src")
    compiled = check_sql(schema, "src", today)
    connection.execute(f"CREATE OR REPLACE TEMP TABLE flagged AS {compiled.sql}")
    return loaded, compiled


def collect_issues(connection: duckdb.DuckDBPyConnection, compiled: CompiledCheck, loaded: LoadResult,
                   schema: Schema, *, mask: bool) -> tuple[list[Issue], dict[str, int]]:
    """The issues in row then rule order (reading issues merged in), and the count per rule name."""
    sql = issues_sql("flagged", compiled.rules, MASKED_FIELDS if mask else ())
    # Column by column through Arrow: a tenth faster than a tuple per row from DuckDB.
    columns = [column.to_pylist() for column in connection.sql(sql).to_arrow_table().columns]
    with _collector_paused():
        issues = list(map(Issue, *columns))
    if loaded.issues:
        issues += [_from_read(issue) for issue in loaded.issues]
        issues.sort(key=lambda i: i.row)  # stable: the rule order within a row is kept
    counts = dict.fromkeys(rule_names(compiled), 0)
    counts.update(Counter(issue.rule for issue in issues))
    return issues, counts


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while the issues are built: it runs every 700 new objects and walks
    the young ones each time, which made building 360 k issues take 0.65 s instead of 0.07 s. Tuples of strings
    and numbers form no cycles, so nothing is left for it to find."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _from_read(issue: ReadIssue) -> Issue:
    return Issue(issue.row, issue.rule, issue.field, issue.value or None, issue.message)


def validate_file(path: Path, kind: str, *, today: datetime.date | None = None, mask: bool = False,
                  schools: Iterable[tuple[str, str, bool]] | None = None) -> ValidationResult:
    """Check ``path`` as records of ``kind``; stores nothing. ``mask`` masks ID values in the issues."""
    schema = SCHEMAS[kind]
    with open_work_connection() as connection:
        prepare(connection, school_register() if schools is None else schools)
        loaded, compiled = run_checks(connection, path, schema, today=today)
        issues, counts = collect_issues(connection, compiled, loaded, schema, mask=mask)
    return ValidationResult(kind, loaded.rows, counts, issues, loaded.file_format, loaded.encoding)
