"""Sources of indicator data: a small registry that domain apps extend (as ``core.analytics.register``).

A source yields *facts*: one row per unit that has data (a school's counted submission, an official website
with its latest probe, a registered information system) with the unit's placement and the fields indicator
definitions may use. It also says which schools are *expected* to have data (the coverage denominator).
Apps register their sources in ``AppConfig.ready``; this app never imports them (the layer contract).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from django.db.models import QuerySet

from edupulse.orgs.models import School

# Every fact table has these columns first; ``school_id`` is null for a unit owned by a bureau.
PLACEMENT = (("school_id", pa.int64()), ("province", pa.string()), ("prefecture", pa.string()),
             ("county", pa.string()), ("period", pa.string()))
SQL_TYPES = {"DOUBLE": pa.float64(), "BOOLEAN": pa.bool_(), "VARCHAR": pa.string(), "BIGINT": pa.int64()}


@dataclass(frozen=True)
class SourceField:
    name: str
    sql_type: str  # DOUBLE, BOOLEAN, VARCHAR, BIGINT
    label: Any = ""  # shown to users: a Chinese string or a lazy translation


@dataclass(frozen=True)
class FactQuery:
    """What to read: the periods, which submissions count (``approved`` or ``reported``) and the schools in
    the universe (scope and filters already applied; ``bureaus`` says whether units owned by bureaus count)."""

    periods: tuple[str, ...]
    basis: str
    schools: QuerySet[School]
    bureaus: bool = True
    region_prefix: str = ""  # bureau-owned units: only those placed under this region code


@dataclass(frozen=True)
class Source:
    """One kind of fact: what its units are called, its fields and how to read them."""

    code: str
    label: Any  # shown to users, e.g. "教育信息化年度统计调查表"
    unit_label: Any  # what a unit is called: schools, websites, systems
    fields: tuple[SourceField, ...]
    facts: Callable[[FactQuery], pa.Table]
    # The schools expected to have data, as a School queryset filter applied to the universe.
    expected: Callable[[QuerySet[School]], QuerySet[School]]
    # A snapshot (probe states, the registry) describes the present, not a period's return: it is read for the
    # newest period computed only, and values stored for earlier periods keep the state of their time.
    snapshot: bool = False
    # Whether the facts depend on which submissions count (approved / reported): probe states and the registry do
    # not, so their indicators are computed once for both bases.
    by_basis: bool = True

    def schema(self) -> pa.Schema:
        return pa.schema(list(PLACEMENT) + [(f.name, SQL_TYPES[f.sql_type]) for f in self.fields])

    def table(self, columns: dict[str, Sequence[object]]) -> pa.Table:
        """Build the fact table from column lists (helper for the apps' ``facts`` functions)."""
        return pa.Table.from_pydict(dict(columns), schema=self.schema())


_SOURCES: dict[str, Source] = {}


def register(source: Source) -> None:
    for f in source.fields:
        if f.sql_type not in SQL_TYPES:
            raise ValueError(f"{source.code}.{f.name}: unknown type {f.sql_type}")
    _SOURCES[source.code] = source


def get(code: str) -> Source:
    return _SOURCES[code]


def registered() -> list[Source]:
    return list(_SOURCES.values())


def field_names() -> dict[str, set[str]]:
    return {s.code: {f.name for f in s.fields} for s in _SOURCES.values()}
