"""Storing recomputed indicator values (derived data: one audit row per run, not per value)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.utils import timezone

from edupulse.core import audit
from edupulse.core.actions import action
from edupulse.core.actors import Actor
from edupulse.indicators import computing, sources
from edupulse.indicators.definitions import Definition, effective
from edupulse.indicators.models import IndicatorValue
from edupulse.indicators.values import BASES, Value

# The stored columns, in the order of the rows written below.
COLUMNS = ("period", "basis", "indicator", "region_id", "level", "province_code", "prefecture_code", "county_code",
           "numerator", "denominator", "value", "schools_with_data", "schools_expected", "target", "attained", "rank",
           "peers", "definition_version", "computed_at")


def _by_basis(definitions: Sequence[Definition], periods: list[str], bases: Sequence[str]) -> dict[str, computing.Result]:
    """One computation per basis — but the indicators of sources that do not depend on the basis (probe states,
    the registry) are computed once and lent to the other bases."""
    varying = [d for d in definitions if sources.get(d.source).by_basis]
    fixed = [d for d in definitions if not sources.get(d.source).by_basis]
    results: dict[str, computing.Result] = {}
    first: computing.Result | None = None
    schools = computing.schools_table(computing.Universe.everything())
    for basis in bases:
        if first is None:
            first = results[basis] = computing.compute(definitions, periods, basis, schools=schools)
        else:
            results[basis] = computing.borrow(computing.compute(varying, periods, basis, schools=schools), first,
                                              fixed)
    return results


def _row(v: Value, basis: str, version: int, now: Any) -> tuple[Any, ...]:
    placement = IndicatorValue.placement_fields(v.region)
    return (v.period, basis, v.indicator, v.region, v.level, placement["province_code"],
            placement["prefecture_code"] or "", placement["county_code"] or "", v.numerator, v.denominator, v.value,
            v.coverage.schools_with_data, v.coverage.schools_expected, v.target, v.attained, v.rank, v.peers, version,
            now)


def _replace(basis: str, computed: set[tuple[str, str]], rows: list[tuple[Any, ...]]) -> None:
    """Delete what was recomputed and insert the new rows in plain SQL. Derived rows without an audit trail of
    their own and with nothing pointing at them: Django's deletion collector would first load all 12,000 of them,
    and bulk_create would build as many model instances — together more than the computation itself."""
    by_period: dict[str, list[str]] = defaultdict(list)
    for indicator, period in computed:
        by_period[period].append(indicator)
    quote = connection.ops.quote_name
    table = quote(IndicatorValue._meta.db_table)
    names = ", ".join(quote(c) for c in COLUMNS)
    placeholders = ", ".join(["%s"] * len(COLUMNS))
    with connection.cursor() as cursor:
        for period, indicators in by_period.items():
            listed = ", ".join(["%s"] * len(indicators))
            cursor.execute(f"DELETE FROM {table} WHERE basis = %s AND period = %s AND indicator IN ({listed})",  # noqa: S608
                           [basis, period, *indicators])
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)  # noqa: S608 (our names)


@action
def recompute(periods: Iterable[str], *, acting_user: Actor, bases: Sequence[str] = BASES,
              definitions: Sequence[Definition] | None = None) -> dict[str, list[Value]]:
    """Compute every indicator in force for ``periods`` over all active schools and replace the stored values
    of what was computed (a snapshot source's indicators only for the newest period). Returns the values
    stored, by basis."""
    periods = sorted(set(periods))
    definitions = list(definitions if definitions is not None else effective().values())
    versions = {d.code: d.version for d in definitions}
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)  # as the database stores it (SQLite: UTC text)
    stored: dict[str, list[Value]] = {}
    for basis, result in _by_basis(definitions, periods, bases).items():
        stored[basis] = computing.values(result)
        _replace(basis, result.computed, [_row(v, basis, versions[v.indicator], stamp) for v in stored[basis]])
    audit.record("indicators.value.recompute", None, acting_user=acting_user, object_type="indicators.indicatorvalue",
                 object_repr=",".join(periods), after={"periods": periods, "bases": list(bases),
                                                      "indicators": len(definitions),
                                                      "values": sum(len(v) for v in stored.values())})
    return stored
