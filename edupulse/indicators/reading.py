"""Reading indicator values: what the dashboard, the annual report and supervision ask for.

Stored values (``models.IndicatorValue``, written by ``actions.recompute``) answer the default questions —
a region, its children, its trend — through ``visible_to``, so a county officer reads their county only.
Questions the store cannot answer (filters on school category, urban–rural class or the key-county flag;
the schools of a region) are computed on demand over the schools the user may see, with the same engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from edupulse.core.actors import Actor
from edupulse.core.regions import PROVINCE, RegionCode
from edupulse.indicators import computing
from edupulse.indicators.definitions import Definition, effective
from edupulse.indicators.models import IndicatorValue
from edupulse.indicators.values import APPROVED, Coverage, Value
from edupulse.orgs.models import School


@dataclass(frozen=True)
class SchoolFilter:
    """Filters on the schools behind a value; empty fields filter nothing."""

    categories: tuple[str, ...] = ()
    urban_rural: tuple[str, ...] = ()  # 城乡分类 codes, or their first digit ("1" urban, "2" town, "3" rural)
    key_counties_only: bool = False  # 国家乡村振兴重点帮扶县

    @property
    def active(self) -> bool:
        return bool(self.categories or self.urban_rural or self.key_counties_only)

    def apply(self, schools: QuerySet[School]) -> QuerySet[School]:
        if self.categories:
            schools = schools.filter(category__in=self.categories)
        if self.urban_rural:
            within = Q()
            for code in self.urban_rural:
                within |= Q(urban_rural__startswith=code)
            schools = schools.filter(within)
        if self.key_counties_only:
            schools = schools.filter(county__is_rural_revitalization_key_county=True)
        return schools


def definitions() -> dict[str, Definition]:
    """The definitions in force, by code, in library order."""
    return effective()


def _value(row: IndicatorValue, name: str) -> Value:
    return Value(indicator=row.indicator, region=row.region_id, name=name, level=row.level, period=row.period,
                 numerator=row.numerator, denominator=row.denominator, value=row.value,
                 coverage=Coverage(row.schools_with_data, row.schools_expected), target=row.target,
                 attained=row.attained, rank=row.rank, peers=row.peers)


def _rows(user: Actor, basis: str) -> QuerySet[IndicatorValue]:
    return IndicatorValue.objects.visible_to(user).filter(basis=basis).select_related("region")


def _read(rows: Iterable[IndicatorValue]) -> list[Value]:
    return [_value(row, row.region.name) for row in rows]


def periods(user: Actor, basis: str = APPROVED) -> list[str]:
    """The periods with stored values the user may see, oldest first."""
    return sorted(set(_rows(user, basis).values_list("period", flat=True).distinct()))


def region_values(user: Actor, period: str, region: str, basis: str = APPROVED) -> dict[str, Value]:
    """The region's own values by indicator (empty when the user may not see the region)."""
    rows = _rows(user, basis).filter(period=period, region_id=RegionCode.parse(region).code)
    return {v.indicator: v for v in _read(rows)}


def child_values(user: Actor, period: str, region: str | None, basis: str = APPROVED,
                 indicators: Sequence[str] = ()) -> list[Value]:
    """Values of the region's children (prefectures of a province, counties of a prefecture; provinces when
    ``region`` is None), the ones the user may see."""
    rows = _rows(user, basis).filter(period=period)
    if region is None:
        rows = rows.filter(level=PROVINCE)
    else:
        code = RegionCode.parse(region)
        if code.child_level is None:
            return []
        rows = rows.filter(level=code.child_level, **code.lookup("code"))
    if indicators:
        rows = rows.filter(indicator__in=list(indicators))
    return _read(rows.order_by("indicator", "region_id"))


def trend(user: Actor, region: str, indicator: str, basis: str = APPROVED) -> list[Value]:
    """The region's value of one indicator in every stored period, oldest first."""
    rows = _rows(user, basis).filter(region_id=RegionCode.parse(region).code, indicator=indicator)
    return _read(rows.order_by("period"))


def _universe(user: Actor, region: str, school_filter: SchoolFilter) -> computing.Universe:
    schools = School.objects.visible_to(user).filter(is_active=True, **RegionCode.parse(region).lookup())
    return computing.Universe(school_filter.apply(schools), bureaus=not school_filter.active, region_prefix=region)


def computed_values(user: Actor, period: str, region: str, basis: str = APPROVED,
                    school_filter: SchoolFilter | None = None, indicators: Sequence[str] = ()) -> list[Value]:
    """The region's and its descendants' values computed now over the schools the user may see that pass the
    filter (what the store holds for the unfiltered case)."""
    in_force = effective()
    chosen = [in_force[c] for c in indicators if c in in_force] if indicators else list(in_force.values())
    result = computing.compute(chosen, [period], basis, universe=_universe(user, region, school_filter or SchoolFilter()))
    code = RegionCode.parse(region)
    return [v for v in computing.values(result) if code.contains(v.region)]


def school_values(user: Actor, period: str, region: str, basis: str = APPROVED,
                  school_filter: SchoolFilter | None = None, indicators: Sequence[str] = ()) -> list[Value]:
    """Each school's values in the region (the schools the user may see), computed now: ``region`` holds the
    school's 10-digit code, ``name`` its name, ``level`` is ``"school"``."""
    in_force = effective()
    chosen = [in_force[c] for c in indicators if c in in_force] if indicators else list(in_force.values())
    universe = _universe(user, region, school_filter or SchoolFilter())
    result = computing.compute(chosen, [period], basis, universe=universe, grain=computing.SCHOOLS)
    return computing.school_values(result, universe)
