"""Quality scores of an imported batch, per school and per county, prefecture and province.

Four ratios between 0 and 1 over the rows of the batch (rows that could be read as records; a ragged
row counts as read and as failing every dimension):

* **completeness** = 1 − (``required`` issues) / (rows × required fields): the share of required cells filled;
* **validity** = 1 − (rows with an issue of ``id_format``, ``id_checksum``, ``id_region``,
  ``id_spreadsheet_mangled``, ``code_table``, ``date_range``, ``school_unknown`` or ``ragged_row``) / rows;
* **uniqueness** = 1 − (rows with ``duplicate_person``) / rows: the later occurrences of a person;
* **consistency** = 1 − (rows with ``id_birth_date``, ``id_gender`` or ``age_grade``) / rows: the record
  agrees with its own ID number and its grade with its age.

The **score** is their mean × 100 (equal weights: none of the four is more urgent to a school than the others).
A school is the school code of the row as given (an unknown code is its own group, with no region); a
region groups the schools of the register placed in it. Each score also says how many school codes its rows
name (``schools``), so that every figure shown says what it covers.

The scores are computed once, when a batch is imported (``importing.py`` calls :func:`quality_report` on the
rows it has just written, and ``record_import`` stores them as ``QualityScore`` rows), so that the trend across
batches (``quality_trend.py``) reads stored figures instead of rescanning every batch; :func:`backfill` stores
them for batches imported before that.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb

from edupulse.basedata import store
from edupulse.basedata.actions import record_quality
from edupulse.basedata.models import ImportBatch
from edupulse.basedata.reading import RAGGED_ROW
from edupulse.basedata.schemas import SCHEMAS
from edupulse.basedata.validation import prepare, school_register
from edupulse.core.actors import Actor
from edupulse.core.regions import RegionCode
from edupulse.utilities.export import to_xlsx

DIMENSIONS = {
    "validity": ("id_format", "id_checksum", "id_region", "id_spreadsheet_mangled", "code_table", "date_range",
                 "school_unknown", RAGGED_ROW,
                 "training_hours"),
    "uniqueness": ("duplicate_person",),
    "consistency": ("id_birth_date", "id_gender", "age_grade",
                    "age_range",
                    "training_completion"),
}
WORST_SCHOOLS = 10


@dataclass(frozen=True)
class Score:
    """The quality of one group of rows (a batch, a school or a region)."""

    key: str
    rows: int
    completeness: float
    validity: float
    uniqueness: float
    consistency: float
    schools: int = 0

    @property
    def score(self) -> float:
        return round(100 * (self.completeness + self.validity + self.uniqueness + self.consistency) / 4, 2)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "score": self.score}


def _ratio(bad: int, total: int) -> float:
    return round(1 - bad / total, 4) if total else 1.0


def _per_row_sql(kind: str, key: str) -> str:
    """One row per data row of the batch: its school and, per dimension, whether it failed (and how many
    required cells are empty)."""
    flags = ", ".join(f"bool_or(i.rule IN ({', '.join(repr(r) for r in rules)})) AS bad_{name}"
                      for name, rules in DIMENSIONS.items())
    return f"""
SELECT r."row", coalesce(r.school_code, first(i.school_code)) AS school_code,
       count(i.rule) FILTER (WHERE i.rule = 'required') AS missing, {flags}
FROM (SELECT "row", trim(school_code) AS school_code FROM "{kind}" WHERE batch_key = '{key}'
      UNION ALL SELECT "row", trim(school_code) FROM "{kind}_rejected" WHERE batch_key = '{key}'
      UNION ALL SELECT DISTINCT "row", NULL FROM "{kind}_issue" WHERE batch_key = '{key}' AND rule = '{RAGGED_ROW}') r
LEFT JOIN "{kind}_issue" i ON i.batch_key = '{key}' AND i."row" = r."row"
GROUP BY r."row", r.school_code
"""  # noqa: S608 - the key is a hex uuid of our own, the kind one of SCHEMAS


def _group_scores(connection: duckdb.DuckDBPyConnection, group: str, required: int) -> list[Score]:
    rows = connection.execute(f"""
SELECT {group} AS key, count(*) AS n, sum(missing), count(*) FILTER (WHERE bad_validity),
       count(*) FILTER (WHERE bad_uniqueness), count(*) FILTER (WHERE bad_consistency),
       count(DISTINCT school_code)
FROM per_row GROUP BY ALL ORDER BY key
""").fetchall()  # noqa: S608 - group is one of our column expressions
    return [Score(str(key or ""), n, _ratio(int(missing or 0), n * required), _ratio(validity, n),
                  _ratio(uniqueness, n), _ratio(consistency, n), schools)
            for key, n, missing, validity, uniqueness, consistency, schools in rows]


def batch_quality(batch: ImportBatch, connection: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The scores of ``batch``: overall, per school, county, prefecture, province, and the worst schools."""
    prepare(connection, school_register())
    return {"batch": batch.pk, **quality_report(connection, batch.kind, batch.key)}


def quality_report(connection: duckdb.DuckDBPyConnection, kind: str, key: str) -> dict[str, Any]:
    """The scores of the rows stored under ``key`` (``batch_quality`` without the batch id), on a connection
    where the register is already loaded (``validation.prepare``): the importer calls it on its own
    connection, inside its transaction, on the rows it has just written."""
    required = sum(1 for f in SCHEMAS[kind].fields if f.required)
    connection.execute(f"CREATE OR REPLACE TEMP TABLE per_row AS {_per_row_sql(kind, key)}")
    connection.execute("""
CREATE OR REPLACE TEMP TABLE per_row AS
SELECT p.*, s.county FROM per_row p LEFT JOIN basedata_schools s ON s.code = p.school_code""")
    overall = _group_scores(connection, "'batch'", required)
    schools = _group_scores(connection, "school_code", required)
    counties = [s for s in _group_scores(connection, "county", required) if s.key]
    connection.execute("DROP TABLE per_row")  # one row per data row: not kept for the rest of an import
    return {
        "overall": overall[0].as_dict() if overall else Score("batch", 0, 1, 1, 1, 1).as_dict(),
        "schools": [s.as_dict() for s in schools],
        "counties": [s.as_dict() for s in counties],
        "prefectures": [s.as_dict() for s in _roll_up(counties, "prefecture")],
        "provinces": [s.as_dict() for s in _roll_up(counties, "province")],
        "worst_schools": [s.as_dict() for s in sorted(schools, key=lambda s: (s.score, s.key))[:WORST_SCHOOLS]],
    }


@dataclass(frozen=True)
class Backfill:
    """What :func:`backfill` did: the batches it scored (and the score rows stored), and the batches it left
    alone because the store holds no row of theirs (a store moved or swept: there is nothing to score)."""

    scored: list[int]
    rows: int
    empty: list[int]

    def as_dict(self) -> dict[str, Any]:
        return {"scored": self.scored, "scores": self.rows, "empty": self.empty}


def backfill(*, acting_user: Actor, store_path: Path | None = None) -> Backfill:
    """Score and store every batch that has no stored scores yet (imported before scores were stored at
    import), oldest first, each in its own ``record_quality`` action: idempotent, and an interrupted run
    keeps what it stored. The register of schools is today's (the import used the register of its day)."""
    pending = list(ImportBatch.objects.filter(quality_scores__isnull=True).order_by("created_at", "id"))
    scored: list[int] = []
    empty: list[int] = []
    rows = 0
    if not pending:
        return Backfill(scored, 0, empty)
    with store.connect(store_path) as connection:
        prepare(connection, school_register())
        for batch in pending:
            store.ensure_tables(connection, SCHEMAS[batch.kind])
            report = quality_report(connection, batch.kind, batch.key)
            if not report["overall"]["rows"]:
                empty.append(batch.pk)
                continue
            rows += record_quality(batch, report, acting_user=acting_user)
            scored.append(batch.pk)
    return Backfill(scored, rows, empty)


def _roll_up(counties: list[Score], level: str) -> list[Score]:
    """Region scores from county scores, weighted by rows (each ratio is a share of rows or of cells)."""
    groups: dict[str, list[Score]] = {}
    for county in counties:
        region = RegionCode.parse(county.key).at(level)
        groups.setdefault(region.code, []).append(county)
    scores = []
    for code, members in sorted(groups.items()):
        n = sum(m.rows for m in members)

        def weighted(name: str, members: list[Score] = members, n: int = n) -> float:
            return round(sum(getattr(m, name) * m.rows for m in members) / n, 4) if n else 1.0

        scores.append(Score(code, n, weighted("completeness"), weighted("validity"), weighted("uniqueness"),
                            weighted("consistency"), sum(m.schools for m in members)))
    return scores


ISSUE_EXPORT_HEADERS = ("行号", "规则", "字段", "值", "问题说明", "姓名", "班级")


def school_issue_rows(batch: ImportBatch, school_code: str, connection: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    """The issues of one school's rows in ``batch`` with the name and class that locate the row
    (values of ID numbers stay masked as stored)."""
    kind, key = batch.kind, batch.key
    place = "class_name" if "class_name" in SCHEMAS[kind].names else "NULL"
    return connection.execute(f"""
SELECT i."row", i.rule, i.field, i.value, i.message, r.name, r.place
FROM "{kind}_issue" i
LEFT JOIN (SELECT "row", name, {place} AS place FROM "{kind}" WHERE batch_key = ?
           UNION ALL SELECT "row", name, {place} FROM "{kind}_rejected" WHERE batch_key = ?) r ON r."row" = i."row"
WHERE i.batch_key = ? AND trim(i.school_code) = ?
ORDER BY i."row", i.rule
""", [key, key, key, school_code]).fetchall()  # noqa: S608 - kind is one of SCHEMAS


def export_school_issues(batch: ImportBatch, school_code: str, connection: duckdb.DuckDBPyConnection,
                         out: Path) -> int:
    """Write the school's issues to ``out`` (XLSX, values as text); returns the number of issues."""
    rows = school_issue_rows(batch, school_code, connection)
    out.write_bytes(to_xlsx(ISSUE_EXPORT_HEADERS, rows, sheet=school_code, text_columns=(3,)))
    return len(rows)
