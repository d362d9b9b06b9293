"""The base data as a source of the indicator library (``basedata.schools``): one fact per school.

Per school, over each person's current record (``records.py``: the newest live batch holding them, so a
teacher in three exports counts once): the students, the teachers, the teachers who completed the 能力提升工程
2.0 training — the teacher system's completion flag, which it sets once the 微能力点 assessment is passed
(seed 003 item 15, seed 001 四.1) — and the teachers' 2.0 training hours (online + practice).

A snapshot, like the monitoring registry: the base data describes the present, so it is read for the newest
period computed only. Every active school of the universe is expected to have base data.
"""

from __future__ import annotations

from collections import defaultdict

import pyarrow as pa
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from edupulse.basedata import store
from edupulse.basedata.records import current_sql, register_live
from edupulse.indicators import sources
from edupulse.orgs.models import School

SOURCE_CODE = "basedata.schools"
FIELDS = (
    sources.SourceField("students", "DOUBLE", _("Students (base data)")),
    sources.SourceField("teachers", "DOUBLE", _("Teachers (base data)")),
    sources.SourceField("teachers_completed_20", "DOUBLE", _("Teachers who completed the 2.0 training")),
    sources.SourceField("training_hours_20", "DOUBLE", _("2.0 training hours (online and practice)")),
)
_TEACHER_SQL = """
SELECT trim(school_code) AS school_code, count(*) AS teachers,
       count(*) FILTER (WHERE trim(training_completed) = '1') AS completed,
       sum(coalesce(try_cast(training_online_hours AS DOUBLE), 0)
           + coalesce(try_cast(training_practice_hours AS DOUBLE), 0)) AS hours
FROM ({current}) GROUP BY ALL
"""
_STUDENT_SQL = "SELECT trim(school_code) AS school_code, count(*) AS students FROM ({current}) GROUP BY ALL"


def school_counts() -> dict[str, dict[str, float]]:
    """School code → the four counts, over the current records (empty before the first import)."""
    counts: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys((f.name for f in FIELDS), 0.0))
    if not store.store_path().exists():
        return {}
    with store.connect() as connection:
        # Counting persons needs the pseudonym column (an older store is upgraded, whatever its size: this runs in
        # the indicators' background job), not the key that made it.
        if store.ready(connection, "student", check_key=False, background=True):
            register_live(connection, "student")
            for code, students in connection.execute(_STUDENT_SQL.format(current=current_sql("student"))).fetchall():
                counts[code]["students"] = float(students)
        if store.ready(connection, "teacher", check_key=False, background=True):
            register_live(connection, "teacher")
            sql = _TEACHER_SQL.format(current=current_sql("teacher"))
            for code, teachers, completed, hours in connection.execute(sql).fetchall():
                counts[code].update(teachers=float(teachers), teachers_completed_20=float(completed),
                                    training_hours_20=float(hours or 0))
    return dict(counts)


def facts(query: sources.FactQuery) -> pa.Table:
    """One row per school of the universe that has base data, attributed to the newest period asked for."""
    counts = school_counts()
    period = max(query.periods)
    columns: dict[str, list[object]] = defaultdict(list)
    places = query.schools.filter(code__in=list(counts)).values_list(
        "code", "id", "province_id", "prefecture_id", "county_id")
    for code, school_id, province, prefecture, county in places:
        for name, value in (("school_id", school_id), ("province", province), ("prefecture", prefecture),
                            ("county", county), ("period", period), *counts[code].items()):
            columns[name].append(value)
    schema = pa.schema(list(sources.PLACEMENT) + [(f.name, sources.SQL_TYPES[f.sql_type]) for f in FIELDS])
    return pa.Table.from_pydict({name: columns[name] for name in schema.names}, schema=schema)


def expected(schools: QuerySet[School]) -> QuerySet[School]:
    return schools.filter(is_active=True)


def register() -> None:
    """Register the source (called from ``BasedataConfig.ready``)."""
    sources.register(sources.Source(
        code=SOURCE_CODE, label=_("Education base data (students, teachers)"), unit_label=_("schools"),
        fields=FIELDS, facts=facts, expected=expected, snapshot=True, by_basis=False))
