"""Computing indicators in bulk: every definition, every region level, in a few DuckDB queries.

For each source in use the engine loads the facts (one Arrow table, one row per unit with data) and the
universe of schools into an in-memory DuckDB, then runs one aggregate query per source with
``GROUPING SETS`` over (period, province), (…, prefecture), (…, county) — or per school, or per region and
school category for the collection summary — that sums every definition's numerator and denominator over
the units that have data for it and counts the schools behind them. A value is ``factor × Σ numerator /
Σ denominator`` of its group: a ratio of sums, never a mean of the schools' ratios. A second query per
source counts the schools *expected* to have data in each group (coverage). Nothing is computed per school
in Python; ranks among peers are a pass over the few hundred region rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa
import sqlglot
from django.db.models import QuerySet

from edupulse.core.regions import COUNTY, LEVELS, PREFECTURE, PROVINCE, RegionCode
from edupulse.indicators.definitions import Definition
from edupulse.indicators.sources import FactQuery, Source, get
from edupulse.indicators.values import Coverage, Value
from edupulse.orgs.models import Region, School

REGIONS = "regions"  # province, prefecture and county rows
SCHOOLS = "schools"  # one row per school
_LEVEL_COLUMNS = {PROVINCE: ("province",), PREFECTURE: ("province", "prefecture"),
                  COUNTY: ("province", "prefecture", "county")}


@dataclass(frozen=True)
class Universe:
    """The schools a computation is over (scope and filters applied) and whether bureau-owned units count
    (they do, unless a filter on schools — category, urban–rural class — is active)."""

    schools: QuerySet[School]
    bureaus: bool = True
    region_prefix: str = ""

    @classmethod
    def everything(cls) -> Universe:
        return cls(School.objects.filter(is_active=True))


@dataclass(frozen=True)
class Group:
    """One output row's key: the level and code of the region (or the school's id), and optionally the
    school category (collection summary)."""

    level: str
    code: str
    category: str = ""


@dataclass
class Sums:
    numerator: float = 0.0
    denominator: float = 0.0
    with_data: int = 0
    expected: int = 0


@dataclass
class Result:
    """Per (indicator, period, group) sums; ``values()`` turns them into :class:`Value` rows."""

    definitions: list[Definition]
    periods: tuple[str, ...]
    sums: dict[tuple[str, str, Group], Sums] = field(default_factory=dict)
    # (indicator, period) pairs actually computed: a snapshot source is read for the newest period only.
    computed: set[tuple[str, str]] = field(default_factory=set)


def _sql_condition(condition: str) -> str:
    """The condition as DuckDB SQL with every column quoted (already checked by ``definitions.parse``)."""
    tree = sqlglot.parse_one(condition, read="duckdb")
    for column in tree.find_all(sqlglot.exp.Column):
        column.replace(sqlglot.exp.column(column.name, quoted=True))
    return tree.sql(dialect="duckdb")


def _measure_sql(definition: Definition, part: str) -> str:
    measure = definition.numerator if part == "numerator" else definition.denominator
    if measure.kind == "sum":
        return f'CAST("{measure.field}" AS DOUBLE)'
    return f"CASE WHEN {_sql_condition(measure.condition)} THEN 1.0 ELSE 0.0 END"


def _applies_sql(definition: Definition) -> str:
    """Whether a fact row counts for the definition: the school category applies and every field it
    uses has a value (so numerator and denominator are summed over the same units)."""
    parts = [f'"{name}" IS NOT NULL' for name in sorted(definition.fields())]
    if definition.categories:
        parts.append("category IN (" + ", ".join(f"'{c}'" for c in definition.categories) + ")")
    return " AND ".join(parts) or "TRUE"


def _expected_sql(definition: Definition) -> str:
    if not definition.categories:
        return "expected"
    return "expected AND category IN (" + ", ".join(f"'{c}'" for c in definition.categories) + ")"


def _grouping_sets(grain: str, summary_level: str | None) -> list[tuple[str, ...]]:
    """The grouping sets of a computation, as column tuples."""
    if grain == SCHOOLS:
        return [("school_id",)]
    if summary_level is not None:  # the collection summary: region × category, region, total
        return [(summary_level, "category"), (summary_level,), ()]
    return [_LEVEL_COLUMNS[level] for level in LEVELS]


def _group_by(sets: list[tuple[str, ...]], prefix: tuple[str, ...] = ()) -> str:
    return "GROUP BY GROUPING SETS (" + ", ".join("(" + ", ".join((*prefix, *s)) + ")" for s in sets) + ")"


def schools_table(universe: Universe) -> pa.Table:
    """The universe's schools with their placement and category, as DuckDB reads them."""
    rows = list(universe.schools.values_list("id", "province_id", "prefecture_id", "county_id", "category"))
    columns: list[Sequence[Any]] = list(zip(*rows, strict=True)) if rows else [[], [], [], [], []]
    return pa.table({"school_id": pa.array(columns[0], pa.int64()), "province": pa.array(columns[1], pa.string()),
                     "prefecture": pa.array(columns[2], pa.string()), "county": pa.array(columns[3], pa.string()),
                     "category": pa.array(columns[4], pa.string())})


def _key(row: dict[str, Any], sets: list[tuple[str, ...]], grain: str, summary_level: str | None) -> Group | None:
    """The group of an output row, from which grouping-set columns are filled."""
    if grain == SCHOOLS:
        return Group("school", str(row["school_id"])) if row["school_id"] is not None else None
    present = tuple(c for c in ("province", "prefecture", "county", "category") if row.get(f"g_{c}") == 0)
    if summary_level is not None:
        if present == ():
            return Group("total", "")
        code = row[summary_level] or ""
        return Group(summary_level, code, row["category"] or "" if "category" in present else "")
    level = {("province",): PROVINCE, ("province", "prefecture"): PREFECTURE,
             ("province", "prefecture", "county"): COUNTY}.get(present)
    code = row[present[-1]] if level else None
    return Group(level, code) if level and code else None  # bureau rows above the county have no county


def _grouping_columns(sets: list[tuple[str, ...]]) -> list[str]:
    return sorted({c for s in sets for c in s})


def _run(connection: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = connection.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _source_sums(connection: duckdb.DuckDBPyConnection, source: Source, definitions: list[Definition],
                 universe: Universe, periods: tuple[str, ...], basis: str, grain: str,
                 summary_level: str | None, result: Result) -> None:
    if source.snapshot:
        periods = periods[-1:]
    result.computed.update((d.code, p) for d in definitions for p in periods)
    facts = source.facts(FactQuery(periods, basis, universe.schools, universe.bureaus, universe.region_prefix))
    connection.register("facts_raw", facts)
    expected_ids = pa.table({"school_id": pa.array(
        list(source.expected(universe.schools).values_list("id", flat=True)), pa.int64())})
    connection.register("expected_ids", expected_ids)
    # Units of schools outside the universe are dropped; bureau-owned units (no school) stay when allowed.
    connection.execute("""
        CREATE OR REPLACE TEMP TABLE facts AS
        SELECT f.*, s.category FROM facts_raw f LEFT JOIN schools s USING (school_id)
        WHERE s.school_id IS NOT NULL OR (f.school_id IS NULL AND ?)""", [universe.bureaus])
    sets = _grouping_sets(grain, summary_level)
    group_columns = _grouping_columns(sets)
    selects = [*group_columns, *(f"GROUPING({c}) AS g_{c}" for c in group_columns if grain != SCHOOLS)]
    expected_selects = list(selects)
    for i, d in enumerate(definitions):
        ok = _applies_sql(d)
        selects += [f"SUM(CASE WHEN {ok} THEN {_measure_sql(d, 'numerator')} END) AS n{i}",
                    f"SUM(CASE WHEN {ok} THEN {_measure_sql(d, 'denominator')} END) AS d{i}",
                    f"COUNT(DISTINCT CASE WHEN {ok} THEN school_id END) AS w{i}"]
        expected_selects.append(f"COUNT(*) FILTER (WHERE {_expected_sql(d)}) AS e{i}")
    period_clause = _group_by(sets, prefix=("period",))
    clause = _group_by(sets)
    rows = _run(connection, f"SELECT period, {', '.join(selects)} FROM facts {period_clause}")  # noqa: S608
    expected_rows = _run(connection, f"""
        SELECT {', '.join(expected_selects)} FROM (
            SELECT s.*, e.school_id IS NOT NULL AS expected FROM schools s LEFT JOIN expected_ids e USING (school_id)
        ) {clause}""")  # noqa: S608
    expected: dict[Group, list[int]] = {}
    for row in expected_rows:
        group = _key(row, sets, grain, summary_level)
        if group is not None:
            expected[group] = [int(row[f"e{i}"] or 0) for i in range(len(definitions))]
    seen: set[tuple[str, Group]] = set()
    for row in rows:
        group = _key(row, sets, grain, summary_level)
        if group is None:
            continue
        seen.add((row["period"], group))
        counts = expected.get(group)
        for i, d in enumerate(definitions):
            result.sums[(d.code, row["period"], group)] = Sums(
                float(row[f"n{i}"] or 0), float(row[f"d{i}"] or 0), int(row[f"w{i}"] or 0),
                counts[i] if counts else 0)
    # Groups with expected schools and no data at all still get a row (value None, coverage 0 of n).
    for group, counts in expected.items():
        for period in periods:
            if (period, group) in seen:
                continue
            for i, d in enumerate(definitions):
                result.sums[(d.code, period, group)] = Sums(expected=counts[i])
    connection.unregister("facts_raw")
    connection.unregister("expected_ids")


def compute(definitions: Sequence[Definition], periods: Iterable[str], basis: str, *,
            universe: Universe | None = None, grain: str = REGIONS, summary_level: str | None = None,
            schools: pa.Table | None = None) -> Result:
    """Numerator, denominator and coverage sums of every definition for every group and period. ``schools`` is
    the universe's table when the caller already read it (:func:`schools_table`; several bases, one read)."""
    universe = universe or Universe.everything()
    periods = tuple(sorted(set(periods)))
    result = Result(list(definitions), periods)
    by_source: dict[str, list[Definition]] = defaultdict(list)
    for d in definitions:
        by_source[d.source].append(d)
    with duckdb.connect() as connection:
        connection.register("schools", schools if schools is not None else schools_table(universe))
        for code, group in by_source.items():
            _source_sums(connection, get(code), group, universe, periods, basis, grain, summary_level, result)
    return result


def _parent(group: Group) -> str:
    """The peers of a region are the children of its parent (prefectures of a province, counties of a
    prefecture); provinces are ranked among the provinces computed."""
    parent = RegionCode.parse(group.code).parent if group.level != PROVINCE else None
    return parent.code if parent is not None else ""


def values(result: Result) -> list[Value]:
    """Region rows with names, targets, attainment and ranks among peers (1 = best)."""
    region_groups = {g for (_i, _p, g) in result.sums if g.level in LEVELS}
    names = dict(Region.objects.filter(code__in={g.code for g in region_groups}).values_list("code", "name"))
    out: list[Value] = []
    peers: dict[tuple[str, str, str, str], list[int]] = defaultdict(list)
    by_indicator: dict[str, list[tuple[str, Group, Sums]]] = defaultdict(list)
    for (code, period, group), sums in result.sums.items():
        if group.level in LEVELS:
            by_indicator[code].append((period, group, sums))
    for d in result.definitions:
        for period, group, s in sorted(by_indicator[d.code], key=lambda item: item[1].code):
            value = d.value_of(s.numerator, s.denominator)
            out.append(Value(
                indicator=d.code, region=group.code, name=names.get(group.code, group.code), level=group.level,
                period=period, numerator=round(s.numerator, 4), denominator=round(s.denominator, 4), value=value,
                coverage=Coverage(s.with_data, s.expected),
                target=d.target.value if d.target else None, attained=d.attained(value)))
            if value is not None:
                peers[(d.code, period, group.level, _parent(group))].append(len(out) - 1)
    by_code = {d.code: d for d in result.definitions}
    for (code, _period, _level, _parent_code), indexes in peers.items():
        definition = by_code[code]
        ordered = sorted(indexes, key=lambda k: out[k].value or 0.0, reverse=definition.direction == "higher")
        rank = 0
        previous: float | None = None
        for position, k in enumerate(ordered, start=1):
            if out[k].value != previous:
                rank, previous = position, out[k].value
            out[k] = _with_rank(out[k], rank, len(ordered))
    return out


def borrow(result: Result, donor: Result, definitions: Sequence[Definition]) -> Result:
    """``result`` with the donor's sums of ``definitions`` added: the indicators of sources that do not depend on
    the basis (probe states, the registry) are the same for every basis, so they are computed once."""
    codes = {d.code for d in definitions}
    result.sums.update({key: sums for key, sums in donor.sums.items() if key[0] in codes})
    result.computed.update(key for key in donor.computed if key[0] in codes)
    result.definitions = [d for d in donor.definitions if d.code in codes or d in result.definitions]
    return result


def _with_rank(value: Value, rank: int, peers: int) -> Value:
    # dataclasses.replace on a frozen dataclass; spelled out for mypy.
    return Value(**{**value.__dict__, "rank": rank, "peers": peers})


def school_values(result: Result, universe: Universe) -> list[Value]:
    """School rows (grain ``SCHOOLS``): ``region`` is the school's 10-digit code, ``name`` its name."""
    ids = {int(g.code) for (_i, _p, g) in result.sums if g.level == "school"}
    schools = {pk: (code, name) for pk, code, name in
               universe.schools.filter(id__in=ids).values_list("id", "code", "name")}
    out: list[Value] = []
    for d in result.definitions:
        for (code, period, group), s in result.sums.items():
            if code != d.code or group.level != "school" or int(group.code) not in schools:
                continue
            school_code, name = schools[int(group.code)]
            value = d.value_of(s.numerator, s.denominator)
            out.append(Value(
                indicator=d.code, region=school_code, name=name, level="school", period=period,
                numerator=round(s.numerator, 4), denominator=round(s.denominator, 4), value=value,
                coverage=Coverage(s.with_data, s.expected), target=d.target.value if d.target else None,
                attained=d.attained(value)))
    return sorted(out, key=lambda v: (v.indicator, v.region))
