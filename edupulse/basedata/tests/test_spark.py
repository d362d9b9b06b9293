"""The rule SQL on Spark: a dirty file (every rule broken, plus demo rows with injected errors) checked by DuckDB
and by PySpark in local mode (the ``spark`` session of conftest.py) with the transpiled query must give exactly
the same issues."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from edupulse.basedata import demo
from edupulse.basedata.rules import CompiledCheck
from edupulse.basedata.schemas import STUDENT, TEACHER, Schema
from edupulse.basedata.spark import to_spark
from edupulse.basedata.tests import helpers, test_teacher_rules
from edupulse.basedata.validation import open_work_connection, prepare, run_checks

SPARK_TYPES = {"BIGINT": "bigint", "VARCHAR": "string", "BOOLEAN": "boolean", "INTEGER": "int"}


def _dirty_file(path: Path) -> Path:
    pupils = demo.students(400, [(helpers.ACTIVE, "510107")], seed=5, today=helpers.TODAY)
    return helpers.write_csv(path, helpers.ROWS + pupils.rows)


def _to_spark(spark: Any, connection: duckdb.DuckDBPyConnection, name: str, sql: str) -> None:
    result = connection.execute(sql)
    columns = [(d[0], SPARK_TYPES[str(d[1])]) for d in result.description or ()]
    rows = result.fetchall()
    ddl = ", ".join(f"`{column}` {sql_type}" for column, sql_type in columns)
    spark.createDataFrame(rows, ddl).createOrReplaceTempView(name)


def _issues(rows: list[tuple[Any, ...]], compiled: CompiledCheck) -> set[tuple[int, int | None, str, str]]:
    """(row, first_row, rule, field) of every TRUE flag of the flagged rows (``__row, first_row, v_…, c0…``)."""
    found = set()
    for row in rows:
        for index, failed in enumerate(row[-len(compiled.rules):]):
            if failed:
                rule = compiled.rules[index]
                found.add((int(row[0]), row[1], rule.name, rule.field))
    return found


def _both_engines(spark: Any, path: Path, schema: Schema) -> tuple[set[Any], set[Any]]:
    """The issues DuckDB finds in ``path`` and those Spark finds with the transpiled query on the same tables."""
    with open_work_connection() as connection:
        prepare(connection, helpers.SCHOOLS)
        _loaded, compiled = run_checks(connection, path, schema, today=helpers.TODAY)
        in_duckdb = _issues(connection.execute("SELECT * FROM flagged").fetchall(), compiled)
        _to_spark(spark, connection, "src", "SELECT * FROM src")
        _to_spark(spark, connection, "basedata_schools", "SELECT * FROM basedata_schools")
        # Only the region keys of the regions the file names: the join matches nothing else.
        _to_spark(spark, connection, "basedata_region_years", """
SELECT region_key FROM basedata_region_years WHERE region_key // 10000 IN
  (SELECT DISTINCT try_cast(left(trim(id_number), 6) AS BIGINT) FROM src)""")
    return in_duckdb, _issues([tuple(r) for r in spark.sql(to_spark(compiled.sql)).collect()], compiled)


def test_spark_finds_exactly_the_issues_duckdb_finds(spark: Any, tmp_path: Path) -> None:
    in_duckdb, in_spark = _both_engines(spark, _dirty_file(tmp_path / "students.csv"), STUDENT)
    rules_hit = {rule for _row, _first, rule, _field in in_duckdb}
    assert rules_hit >= {"required", "id_format", "id_checksum", "id_birth_date", "id_gender", "id_region",
                         "id_spreadsheet_mangled", "code_table", "date_range", "age_grade", "school_unknown",
                         "duplicate_person"}
    assert in_spark == in_duckdb, {"only_duckdb": sorted(in_duckdb - in_spark)[:10],
                                   "only_spark": sorted(in_spark - in_duckdb)[:10]}


def test_spark_finds_exactly_the_teacher_issues_duckdb_finds(spark: Any, tmp_path: Path) -> None:
    """The teacher rules (hours as numbers, completion, age) too: the hand-written cases and demo teachers."""
    staff = demo.teachers(600, [(helpers.ACTIVE, "510107")], seed=5, today=helpers.TODAY)
    path = test_teacher_rules.write_csv(tmp_path / "teachers.csv", test_teacher_rules.ROWS + staff.rows)
    in_duckdb, in_spark = _both_engines(spark, path, TEACHER)
    assert {rule for _row, _first, rule, _field in in_duckdb} >= {"age_range", "training_hours", "training_completion"}
    assert in_spark == in_duckdb, {"only_duckdb": sorted(in_duckdb - in_spark)[:10],
                                   "only_spark": sorted(in_spark - in_duckdb)[:10]}
