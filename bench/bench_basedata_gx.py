"""Side-by-side: the student rules in Great Expectations 1.x (PostgreSQL data source) vs EduPulse (issue 11).

Great Expectations is NOT a project dependency: it runs in a venv of its own, outside the repository, in a
child process that never imports edupulse. Set-up (the versions measured are in docs/benchmarks.md)::

    python3 -m venv /work/gx-venv
    /work/gx-venv/bin/pip install "great_expectations[postgresql]==1.24.1" pyarrow
    # → great_expectations 1.24.1, SQLAlchemy 2.1.9, psycopg2-binary 2.9.13, pyarrow 26.0.1, pandas 3.1.1

and a PostgreSQL server (here 127.0.0.1:5432, database ``test``, user ``postgres``, trust; ``--dsn`` to change).

Why PostgreSQL: GX's documented way to express a rule it has no expectation for is an
``UnexpectedRowsExpectation`` (a SQL query returning the failing rows), and GX runs those only on SQL data
sources and Spark — not on pandas. The GB 11643 checksum, the birth date and gender in the ID, the region by
birth year, the date parsing, and the age–grade check are such rules; on PostgreSQL GX can run all twelve.

The same file (``bench_basedata.generate``, run by the main venv) is validated by both sides, alternately, in
fresh child processes (peak RSS of each from ``os.wait4``):

* EduPulse: ``validation.validate_file`` as ``bench_basedata.py`` times it.
* GX, the way a data engineer who picked GX would: the Parquet file read with pyarrow and COPYed into a
  PostgreSQL table (with a ``row_no`` column: GX needs a key column to say WHICH rows fail) plus the GB/T 2260
  region table, then an ephemeral Data Context, a PostgreSQL data source, a table asset, a whole-table batch
  definition, an Expectation Suite of built-in expectations (not null, regex with a row condition, in set,
  compound uniqueness) and UnexpectedRowsExpectations, a Validation Definition and a Checkpoint run with
  ``result_format`` COMPLETE, ``unexpected_index_column_names=["row_no"]`` and ``partial_unexpected_count`` = the
  row count (on SQL, GX otherwise returns 20 failing rows per expectation even with COMPLETE); the failing rows
  are then read out of the result per rule. Timed: load (read + COPY + ANALYZE) and validate (context objects,
  run, read-out); GX's import and the creation of the context are reported separately.

Both sides first validate the tests' hand-written dirty file (``edupulse/basedata/tests/helpers.py``: every
rule fires), then the first run of each size: the script prints, per rule, whether they find the same failing
rows. The UnexpectedRows queries return at most 200 rows inside GX, so their full row sets are read with the
same SQL outside GX (untimed) and GX's own count is compared too; GX's compound uniqueness flags every occurrence
of a repeated person (EduPulse: the later ones) and returns values, not rows, so its count is compared.

Run (from the repository root, with the main venv)::

    PYTHONPATH=$PWD .venv/bin/python bench/bench_basedata_gx.py [N ...] [--runs 3] [--gx-python /work/gx-venv/bin/python]

Default sizes 100,000 and 1,000,000. This file imports only the standard library at the top: the same file is
the orchestrator (main venv), the EduPulse child (main venv) and the GX child (GX venv).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TODAY = datetime.date(2025, 6, 1)
SCHOOLS = [f"2151{i:06d}" for i in range(2000)]  # the register bench_basedata.py is told to draw from
DEFAULT_DSN = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
DEFAULT_GX_PYTHON = "/work/gx-venv/bin/python"
# The rules both sides report, in EduPulse's order (docs/cli-basedata.md, "Rules (students)").
RULES = ("required", "id_format", "id_checksum", "id_birth_date", "id_gender", "id_region",
         "id_spreadsheet_mangled", "code_table", "date_range", "age_grade", "school_unknown", "duplicate_person")


# ---------------------------------------------------------------------------------------------------------
# Reference data (main venv): EduPulse's code tables, formats and regions, written as JSON for the GX child.
# ---------------------------------------------------------------------------------------------------------

def write_reference(path: Path, register: list[tuple[str, str, bool]]) -> None:
    """The rules' parameters taken from EduPulse itself, so that GX checks against the same tables, and the
    register of schools (code, county, active) both sides check ``school_code`` against."""
    sys.path.insert(0, str(ROOT))
    from edupulse.basedata.regions import region_spans
    from edupulse.basedata.rules import (
        AGE_ABOVE,
        AGE_BELOW,
        EARLIEST_DATE,
        ENROLLED_STATUSES,
        FULL_WIDTH,
        ID_FORMATS,
        MANGLED_PATTERNS,
        REGION_YEARS,
        RIC_WEIGHTS,
    )
    from edupulse.basedata.schemas import STUDENT, code_table, codes

    formats: dict[str, list[str]] = {}
    for code in code_table("id_type"):
        formats.setdefault(code.extra["format"], []).append(code.code)
    reference = {
        "today": TODAY.isoformat(),
        "earliest": EARLIEST_DATE.isoformat(),
        "required": [f.name for f in STUDENT.fields if f.required],
        "identifiers": [f.name for f in STUDENT.fields if f.kind == "identifier"],
        "code_tables": {f.name: sorted(codes(f.code_table)) for f in STUDENT.fields if f.code_table},
        "id_formats": {fmt: {"types": types, "regex": ID_FORMATS[fmt]} for fmt, types in sorted(formats.items())},
        "ric_weights": list(RIC_WEIGHTS),
        "mangled": list(MANGLED_PATTERNS),
        "full_width": FULL_WIDTH,
        "typical_age": {c.code: int(c.extra["typical_age"]) for c in code_table("grade")},
        "age_below": AGE_BELOW,
        "age_above": AGE_ABOVE,
        "enrolled": list(ENROLLED_STATUSES),
        "region_years": list(REGION_YEARS),
        "regions": [(s.code, s.start, s.end) for s in region_spans()],
        "register": register,
        "schools": [code for code, _, active in register if active],
    }
    path.write_text(json.dumps(reference), encoding="utf-8")


# ---------------------------------------------------------------------------------------------------------
# EduPulse child (main venv).
# ---------------------------------------------------------------------------------------------------------

def edupulse_child(parquet: Path, reference: Path, out: Path) -> None:
    """Time ``validate_file`` on ``parquet``; write the seconds and the failing rows per rule to ``out``."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edupulse.settings")
    import django

    django.setup()
    from edupulse.basedata.validation import validate_file  # app registry: after django.setup()

    register = [tuple(school) for school in json.loads(reference.read_text(encoding="utf-8"))["register"]]
    started = time.perf_counter()
    result = validate_file(parquet, "student", today=TODAY, schools=register)
    seconds = time.perf_counter() - started
    rows: dict[str, list[int]] = {rule: [] for rule in RULES}
    duplicates: list[str] = []
    for issue in result.issues:
        rows.setdefault(issue.rule, []).append(issue.row)
        if issue.rule == "duplicate_person":
            duplicates.append(issue.value or "")
    out.write_text(json.dumps({"seconds": seconds, "rows": result.rows, "issues": len(result.issues),
                               "failing": rows, "duplicate_values": duplicates}), encoding="utf-8")


# ---------------------------------------------------------------------------------------------------------
# GX child (GX venv): SQL for the rules GX has no expectation for, the suite, the load, the run.
# ---------------------------------------------------------------------------------------------------------

def _date_sql(y: str, m: str, d: str) -> str:
    """A DATE from integer parts, NULL (never an error) when they are no date. Nested CASEs: PostgreSQL
    evaluates a CASE's branches in order, so make_date only sees valid parts."""
    return (f"(CASE WHEN {y} >= 1 AND {m} BETWEEN 1 AND 12 AND {d} >= 1 THEN CASE WHEN {d} <= "
            f"extract(day FROM make_date({y}, {m}, 1) + interval '1 month - 1 day') THEN make_date({y}, {m}, {d}) "
            f"END END)")


def _parsed_date_sql(value: str) -> str:
    """``value`` (trimmed text) as a DATE the way EduPulse parses dates — 2010-03-05, 2010-3-5, 2010/3/5,
    20100305, 2010年3月5日 — else NULL. Plain ``~`` tests and split_part: ``regexp_match`` with capture
    groups costs ~100 µs a value in PostgreSQL (measured), 30× a ``~`` test."""
    dashed = f"translate(substr({value}, 6), '/', '-')"
    chinese = f"split_part({value}, '年', 2)"
    return ("(CASE "
            f"WHEN {value} ~ '^[0-9]{{4}}[-/][0-9]{{1,2}}[-/][0-9]{{1,2}}$' THEN "
            + _date_sql(f"left({value}, 4)::int", f"split_part({dashed}, '-', 1)::int", f"split_part({dashed}, '-', 2)::int")
            + f" WHEN {value} ~ '^[0-9]{{8}}$' THEN "
            + _date_sql(f"left({value}, 4)::int", f"substr({value}, 5, 2)::int", f"substr({value}, 7, 2)::int")
            + f" WHEN {value} ~ '^[0-9]{{4}}年[0-9]{{1,2}}月[0-9]{{1,2}}日$' THEN "
            + _date_sql(f"left({value}, 4)::int", f"split_part({chinese}, '月', 1)::int",
                        f"split_part(split_part({chinese}, '月', 2), '日', 1)::int")
            + " END)")


def _as_gx_query(sql: str) -> str:
    """GX formats the query with ``{batch}``: every other brace (regex repetitions) must be doubled."""
    return sql.replace("{", "{{").replace("}", "}}").replace("{{batch}}", "{batch}")


def custom_queries(ref: dict[str, Any], regions_table: str) -> dict[str, list[str]]:
    """The rules GX has no built-in expectation for, as UnexpectedRows queries over ``{batch}`` (one or more
    per rule), returning ``row_no`` of every failing row, with EduPulse's semantics: values trimmed, the ID
    upper-cased, ID checks only on a well-formed number of a type whose format is the resident ID's.
    ``OFFSET 0`` keeps PostgreSQL from inlining a subquery, which would repeat its expressions (the date
    parse, the check digit) at every use."""
    ric_types = ", ".join(f"'{t}'" for t in ref["id_formats"]["ric"]["types"])
    # The well-formed resident IDs with the 17-digit body as a BIGINT (digit arithmetic, as EduPulse does).
    ric = (f"SELECT row_no, id, left(id, 17)::bigint AS body, gender, birth_text FROM (SELECT row_no, "
           f"upper(trim(id_number)) AS id, NULLIF(trim(gender), '') AS gender, NULLIF(trim(birth_date), '') AS birth_text, "
           f"trim(id_type) AS id_type FROM {{batch}}) v WHERE id_type IN ({ric_types}) AND id ~ '^[1-9][0-9]{{16}}[0-9X]$'")
    terms = " + ".join(f"((body / {10 ** (16 - i)}) % 10) * {w}" for i, w in enumerate(ref["ric_weights"]))
    # The body is region (6 digits), yyyymmdd, sequence (3): digits 7–14 are (body / 1000) % 10^8.
    id_birth = _date_sql("((body / 10000000) % 10000)::int", "((body / 100000) % 100)::int",
                         "((body / 1000) % 100)::int")
    first, last = ref["region_years"]
    today, earliest = ref["today"], ref["earliest"]
    start_year = TODAY.year if TODAY.month >= 9 else TODAY.year - 1
    typical = "CASE grade " + " ".join(f"WHEN '{g}' THEN {a}" for g, a in ref["typical_age"].items()) + " END"
    enrolled = ", ".join(f"'{s}'" for s in ref["enrolled"])
    texts = ("SELECT row_no, NULLIF(trim(birth_date), '') AS birth_text, NULLIF(trim(enrol_date), '') AS enrol_text, "
             "NULLIF(trim(grade), '') AS grade, NULLIF(trim(status), '') AS status FROM {batch}")
    dated = (f"SELECT row_no, birth_text, enrol_text, grade, status, {_parsed_date_sql('birth_text')} AS born, "
             f"{_parsed_date_sql('enrol_text')} AS enrolled FROM ({texts}) t OFFSET 0")
    age = f"({start_year} - extract(year FROM born) - CASE WHEN to_char(born, 'MMDD') > '0831' THEN 1 ELSE 0 END)"
    return {
        # The check character as a number (X = 10) against the computed value: the sum appears once.
        "id_checksum": [f"SELECT row_no FROM ({ric}) r WHERE CASE right(id, 1) WHEN 'X' THEN 10 "
                        f"ELSE ascii(right(id, 1)) - 48 END <> (12 - ({terms}) % 11) % 11"],
        "id_birth_date": [f"SELECT row_no FROM (SELECT row_no, {id_birth} AS id_birth, "
                          f"{_parsed_date_sql('birth_text')} AS born FROM ({ric}) r OFFSET 0) x "
                          f"WHERE id_birth IS NULL OR id_birth <> born"],
        "id_gender": [f"SELECT row_no FROM ({ric}) r WHERE gender IN ('1', '2') AND (body % 2 = 1) <> (gender = '1')"],
        "id_region": [f"SELECT row_no FROM (SELECT row_no, body, {id_birth} AS id_birth FROM ({ric}) r OFFSET 0) x "
                      f"WHERE id_birth IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {regions_table} g "
                      f"WHERE g.code = (body / 100000000000)::text AND least(greatest(extract(year FROM id_birth)::int, "
                      f"{first}), {last}) BETWEEN g.start_year AND g.end_year)"],
        "date_range": [
            f"SELECT row_no FROM ({dated}) d WHERE birth_text IS NOT NULL AND "
            f"(born IS NULL OR born < DATE '{earliest}' OR born > DATE '{today}')",
            f"SELECT row_no FROM ({dated}) d WHERE enrol_text IS NOT NULL AND (enrolled IS NULL OR "
            f"enrolled < DATE '{earliest}' OR enrolled > DATE '{today}' OR enrolled < born)"],
        "age_grade": [f"SELECT row_no FROM ({dated}) d WHERE ({typical}) IS NOT NULL AND born IS NOT NULL AND "
                      f"(status IS NULL OR status IN ({enrolled})) AND ({age} < ({typical}) - {ref['age_below']} "
                      f"OR {age} > ({typical}) + {ref['age_above']})"],
    }


def build_suite(gx: Any, gxe: Any, ref: dict[str, Any], regions_table: str, columns: list[str]) -> tuple[Any, dict[str, str]]:
    """The suite for a file with ``columns`` and, per expectation key (in its ``meta``), the EduPulse rule it
    stands for. Optional columns absent from the file are not checked (as EduPulse does)."""
    from great_expectations.expectations.row_conditions import Column

    suite = gx.ExpectationSuite(name="students")
    rule_of: dict[str, str] = {}

    def add(rule: str, expectation: Any) -> None:
        key = f"{rule}#{len(rule_of)}"
        expectation.meta = {"rule": rule, "key": key}
        suite.add_expectation(expectation)
        rule_of[key] = rule

    for name in ref["required"]:
        add("required", gxe.ExpectColumnValuesToNotBeNull(column=name))
    mangled = "|".join(f"^\\s*(?:{p})\\s*$" for p in ref["mangled"]) + "|" + ref["full_width"]
    for spec in ref["id_formats"].values():
        # PostgreSQL's regex has no \p{Han}: the CJK Unified Ideographs block instead. A value damaged by a
        # spreadsheet is id_spreadsheet_mangled's, not id_format's (as in EduPulse): it matches too.
        regex = spec["regex"].replace(r"\p{Han}", "一-鿿")
        add("id_format", gxe.ExpectColumnValuesToMatchRegex(
            column="id_number", regex=f"^\\s*(?:{regex})\\s*$|{mangled}", row_condition=Column("id_type").is_in(spec["types"])))
    for rule, queries in custom_queries(ref, regions_table).items():
        if rule == "date_range":
            continue  # after id_spreadsheet_mangled and code_table, as in EduPulse's order (the order is cosmetic)
        for query in queries:
            add(rule, gxe.UnexpectedRowsExpectation(unexpected_rows_query=_as_gx_query(query)))
    for name in ref["identifiers"]:
        add("id_spreadsheet_mangled", gxe.ExpectColumnValuesToNotMatchRegex(column=name, regex=mangled))
    for name, values in ref["code_tables"].items():
        if name in columns:
            add("code_table", gxe.ExpectColumnValuesToBeInSet(column=name, value_set=values))
    for query in custom_queries(ref, regions_table)["date_range"]:
        add("date_range", gxe.UnexpectedRowsExpectation(unexpected_rows_query=_as_gx_query(query)))
    add("school_unknown", gxe.ExpectColumnValuesToBeInSet(column="school_code", value_set=ref["schools"]))
    add("duplicate_person", gxe.ExpectCompoundColumnsToBeUnique(column_list=["id_type", "id_number"]))
    return suite, rule_of


def load_postgres(parquet: Path, dsn: str, table: str, regions_table: str,
                  ref: dict[str, Any]) -> tuple[list[str], int]:
    """The Parquet file into a PostgreSQL table (all text, plus ``row_no``) by COPY, and the region table;
    the file's columns and row count."""
    import io

    import psycopg2
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    data = pq.read_table(parquet)
    data = data.append_column("row_no", pa.array(range(1, data.num_rows + 1), pa.int64()))
    buffer = io.BytesIO()
    pcsv.write_csv(data, buffer)  # NULL as an empty field, '' as "": COPY keeps them apart
    buffer.seek(0)
    columns = ", ".join(f"{c} bigint" if c == "row_no" else f"{c} text" for c in data.column_names)
    with psycopg2.connect(dsn.replace("postgresql+psycopg2", "postgresql")) as connection:
        cursor = connection.cursor()
        cursor.execute(f"CREATE TABLE {table} ({columns})")
        cursor.copy_expert(f"COPY {table} FROM STDIN WITH (FORMAT csv, HEADER true)", buffer)
        cursor.execute(f"CREATE TABLE {regions_table} (code text, start_year int, end_year int)")
        regions = io.StringIO("".join(f"{c}\t{s}\t{e}\n" for c, s, e in ref["regions"]))
        cursor.copy_expert(f"COPY {regions_table} FROM STDIN", regions)
        cursor.execute(f"CREATE INDEX ON {regions_table} (code)")
        cursor.execute(f"ANALYZE {table}")
        cursor.execute(f"ANALYZE {regions_table}")
    return data.column_names, data.num_rows


def drop_tables(dsn: str, *tables: str) -> None:
    import psycopg2

    with psycopg2.connect(dsn.replace("postgresql+psycopg2", "postgresql")) as connection:
        connection.cursor().execute(f"DROP TABLE IF EXISTS {', '.join(tables)}")


def read_failures(result: Any, rule_of: dict[str, str]) -> tuple[dict[str, list[int]], dict[str, Any]]:
    """Failing ``row_no`` per rule out of the checkpoint result; for the UnexpectedRows expectations GX's
    own count (it returns at most 200 of the rows), for the compound uniqueness the duplicated values (GX
    gives no rows for it)."""
    rows: dict[str, list[int]] = {rule: [] for rule in RULES}
    extra: dict[str, Any] = {"custom_counts": {}, "duplicate_values": [], "unexpected_counts": {}}
    for validation in result.run_results.values():
        for item in validation.results:
            rule = rule_of[item.expectation_config.meta["key"]]
            outcome = item.result
            if item.expectation_config.type == "unexpected_rows_expectation":
                extra["custom_counts"][rule] = extra["custom_counts"].get(rule, 0) + outcome["observed_value"]
                rows[rule] += [r["row_no"] for r in outcome.get("details", {}).get("unexpected_rows", [])]
            elif item.expectation_config.type == "expect_compound_columns_to_be_unique":
                extra["duplicate_values"] = [[v["id_type"], v["id_number"]] for v in outcome["unexpected_list"]]
                extra["unexpected_counts"][rule] = outcome["unexpected_count"]
            else:
                rows[rule] += [r["row_no"] for r in outcome["unexpected_index_list"]]
                # None when the row condition leaves no rows (an ID type absent from the file).
                extra["unexpected_counts"][rule] = (extra["unexpected_counts"].get(rule, 0)
                                                    + (outcome["unexpected_count"] or 0))
    return rows, extra


def gx_child(parquet: Path, reference: Path, out: Path, dsn: str, verify: bool) -> None:
    """Load ``parquet`` into PostgreSQL and validate it with GX; write the timings and failing rows to ``out``."""
    os.environ["GX_ANALYTICS_ENABLED"] = "False"  # no usage statistics (there is no network here anyway)
    started = time.perf_counter()
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.data_context.types.base import ProgressBarsConfig

    imported = time.perf_counter()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context_ready = time.perf_counter()

    ref = json.loads(reference.read_text(encoding="utf-8"))
    table, regions_table = f"gx_bench_students_{os.getpid()}", f"gx_bench_regions_{os.getpid()}"
    try:
        load_started = time.perf_counter()
        columns, rows = load_postgres(parquet, dsn, table, regions_table, ref)
        loaded = time.perf_counter()
        source = context.data_sources.add_postgres("students_db", connection_string=dsn)
        batch = source.add_table_asset("students", table_name=table).add_batch_definition_whole_table("all")
        suite, rule_of = build_suite(gx, gxe, ref, regions_table, columns)
        suite = context.suites.add(suite)
        definition = context.validation_definitions.add(gx.ValidationDefinition(name="students", data=batch, suite=suite))
        checkpoint = context.checkpoints.add(gx.Checkpoint(
            name="students", validation_definitions=[definition],
            # On SQL, GX truncates the failing rows to partial_unexpected_count (default 20) even with
            # COMPLETE: raised to the row count so that every failing row comes back, as EduPulse returns.
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["row_no"],
                           "partial_unexpected_count": rows}))
        result = checkpoint.run()
        failing, extra = read_failures(result, rule_of)
        validated = time.perf_counter()
        if verify:  # not timed: the full row sets of the UnexpectedRows queries (GX returns 200 at most)
            failing.update(full_custom_rows(custom_queries(ref, regions_table), dsn, table))
    finally:
        drop_tables(dsn, table, regions_table)
    versions = {"great_expectations": gx.__version__}
    for module in ("sqlalchemy", "psycopg2", "pyarrow", "pandas"):
        versions[module] = __import__(module).__version__.split(" ")[0]
    out.write_text(json.dumps({
        "import": imported - started, "context": context_ready - imported, "load": loaded - load_started,
        "validate": validated - loaded, "seconds": validated - load_started, "expectations": len(rule_of),
        "success": bool(result.success), "failing": failing, "versions": versions, **extra}), encoding="utf-8")


def full_custom_rows(queries: dict[str, list[str]], dsn: str, table: str) -> dict[str, list[int]]:
    import psycopg2

    rows: dict[str, list[int]] = {}
    with psycopg2.connect(dsn.replace("postgresql+psycopg2", "postgresql")) as connection:
        cursor = connection.cursor()
        for rule, sqls in queries.items():
            rows[rule] = []
            for sql in sqls:
                cursor.execute(sql.replace("{batch}", table))
                rows[rule] += [r[0] for r in cursor.fetchall()]
    return rows


# ---------------------------------------------------------------------------------------------------------
# Orchestrator (main venv).
# ---------------------------------------------------------------------------------------------------------

def run_child(command: list[str], out: Path) -> tuple[dict[str, Any], float]:
    """Run ``command`` (which writes JSON to ``out``); its result and its peak RSS in MB (``wait4``)."""
    process = subprocess.Popen(command, cwd=ROOT)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{command[1:3]} failed with {process.returncode}")
    return json.loads(out.read_text(encoding="utf-8")), usage.ru_maxrss / 1024


def compare(edupulse: dict[str, Any], gx: dict[str, Any]) -> tuple[list[str], bool]:
    """Per rule: the same failing rows on both sides? For ``duplicate_person`` GX's compound uniqueness
    gives no rows and at most 200 values, counting EVERY occurrence (EduPulse: the later ones): its count must
    be EduPulse's rows plus the persons they repeat, and its values among EduPulse's."""
    lines, all_same = [], True
    for rule in RULES:
        ours = sorted(edupulse["failing"].get(rule, []))
        if rule == "duplicate_person":
            persons = set(edupulse["duplicate_values"])
            theirs_count = gx["unexpected_counts"].get(rule, 0)
            same = theirs_count == len(ours) + len(persons) and {v for _, v in gx["duplicate_values"]} <= persons
            lines.append(f"  {rule:24} EduPulse {len(ours):>6,} later rows of {len(persons):,} persons | GX "
                         f"{theirs_count:>6,} rows, every occurrence → {'consistent' if same else 'DIFFERENT'}")
        else:
            theirs = sorted(gx["failing"].get(rule, []))
            gx_count = gx["custom_counts"].get(rule, gx["unexpected_counts"].get(rule, 0))
            same = ours == theirs and gx_count == len(theirs)
            lines.append(f"  {rule:24} EduPulse {len(ours):>6,} | GX {gx_count:>6,} → {'same rows' if same else 'DIFFERENT'}")
        all_same = all_same and same
    return lines, all_same


def run_pair(me: str, args: argparse.Namespace, parquet: Path, reference: Path, work: Path, order: tuple[str, ...],
             verify: bool) -> tuple[dict[str, dict[str, Any]], dict[str, float]]:
    """One run of each side on ``parquet``, in ``order``: their results and peak RSS (MB)."""
    results, rss = {}, {}
    for side in order:
        out = work / f"{side}.json"
        if side == "gx":
            command = [args.gx_python, me, "--gx-child", str(parquet), str(reference), str(out), args.dsn,
                       "verify" if verify else "time"]
        else:
            command = [sys.executable, me, "--edupulse-child", str(parquet), str(reference), str(out)]
        results[side], rss[side] = run_child(command, out)
    return results, rss


def check_dirty_file(me: str, args: argparse.Namespace, work: Path) -> None:
    """Both sides on the hand-written dirty file of the tests (every rule fires at least once)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edupulse.settings")
    from edupulse.basedata.tests.helpers import SCHOOLS as DIRTY_REGISTER
    from edupulse.basedata.tests.helpers import write_parquet

    parquet, reference = write_parquet(work / "dirty.parquet"), work / "dirty_reference.json"
    write_reference(reference, DIRTY_REGISTER)
    results, _ = run_pair(me, args, parquet, reference, work, ("gx", "edupulse"), verify=True)
    lines, same = compare(results["edupulse"], results["gx"])
    print("the tests' dirty file (20 rows, every rule):", "the same failing rows" if same else "DIFFERENCES")
    print("\n".join(lines), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--gx-python", default=DEFAULT_GX_PYTHON)
    parser.add_argument("--dsn", default=DEFAULT_DSN)
    args = parser.parse_args()
    me = str(Path(__file__).resolve())
    summary = []
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        check_dirty_file(me, args, work)
        reference = work / "reference.json"
        write_reference(reference, [(code, "510107", True) for code in SCHOOLS])
        for n in args.sizes:
            parquet = work / f"students_{n}.parquet"
            subprocess.run([sys.executable, str(ROOT / "bench" / "bench_basedata.py"), "--generate", str(n),
                            str(parquet), str(len(SCHOOLS))], check=True)
            times: dict[str, list[float]] = {"edupulse": [], "gx": [], "gx_load": [], "gx_validate": []}
            rss: dict[str, list[float]] = {"edupulse": [], "gx": []}
            for run in range(args.runs):
                order = ("gx", "edupulse") if run % 2 == 0 else ("edupulse", "gx")
                results, peaks = run_pair(me, args, parquet, reference, work, order, verify=run == 0)
                for side in ("edupulse", "gx"):
                    times[side].append(results[side]["seconds"])
                    rss[side].append(peaks[side])
                gx = results["gx"]
                times["gx_load"].append(gx["load"])
                times["gx_validate"].append(gx["validate"])
                print(f"{n:,} rows, run {run + 1} ({' then '.join(order)}): EduPulse {results['edupulse']['seconds']:.2f} s "
                      f"({peaks['edupulse']:,.0f} MB) | GX {gx['seconds']:.2f} s = load {gx['load']:.2f} + validate "
                      f"{gx['validate']:.2f} ({peaks['gx']:,.0f} MB; import {gx['import']:.1f} s, context "
                      f"{gx['context']:.2f} s, {gx['expectations']} expectations)", flush=True)
                if run == 0:
                    print(f"  versions: {gx['versions']}")
                    print("\n".join(compare(results["edupulse"], gx)[0]), flush=True)
            median = {k: statistics.median(v) for k, v in times.items()}
            summary.append((n, median, {k: statistics.median(v) for k, v in rss.items()}))
    print(f"\nmedians of {args.runs}:\nrows | EduPulse | GX load | GX validate | GX total | GX/EduPulse (total) | "
          "GX validate/EduPulse | RSS EduPulse | RSS GX")
    for n, median, peak in summary:
        print(f"{n:,} | {median['edupulse']:.2f} s | {median['gx_load']:.2f} s | {median['gx_validate']:.2f} s | "
              f"{median['gx']:.2f} s | {median['gx'] / median['edupulse']:.1f} | "
              f"{median['gx_validate'] / median['edupulse']:.1f} | {peak['edupulse']:,.0f} MB | {peak['gx']:,.0f} MB")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--edupulse-child":
        edupulse_child(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--gx-child":
        gx_child(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]), sys.argv[5], sys.argv[6] == "verify")
    else:
        main()
