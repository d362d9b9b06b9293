"""What the 大数据应用服务中心 dashboard shows, assembled from the indicator reading API.

Without filters every figure is a stored value (``reading.region_values`` / ``child_values`` / ``trend``: a few
indexed queries per page); a filter on school category, urban–rural class or key counties switches to values
computed on demand (``reading.computed_values``) over the schools that pass it. Every figure keeps its
coverage, so the page can say how many schools stand behind it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from edupulse.core.actors import Actor
from edupulse.core.regions import RegionCode
from edupulse.indicators import reading, sources
from edupulse.indicators.definitions import Definition
from edupulse.indicators.reading import SchoolFilter
from edupulse.indicators.values import APPROVED, BASES, Value
from edupulse.orgs.codes import SchoolCategory

THEMES: dict[str, Any] = {
    "infrastructure": gettext_lazy("Infrastructure"),
    "application": gettext_lazy("Resources and application"),
    "teachers": gettext_lazy("Teacher capability"),
    "governance": gettext_lazy("Data and governance"),
    "security": gettext_lazy("Cybersecurity"),
}
URBAN_RURAL_GROUPS: dict[str, Any] = {"1": gettext_lazy("Urban"), "2": gettext_lazy("Town"),
                                      "3": gettext_lazy("Rural")}
# What the indicator sources count, as their ``unit_label`` names it (translated here for the tiles' fractions).
UNIT_WORDS = (gettext_lazy("schools"), gettext_lazy("websites"), gettext_lazy("systems"))
# The categories the survey covers, in the order officers think of them.
CATEGORIES = ("21", "31", "34", "36", "51")


@dataclass(frozen=True)
class Options:
    """What the page is asked for: period, basis, the indicator of the map and the school filter."""

    period: str
    basis: str
    indicator: str
    school_filter: SchoolFilter = field(default_factory=SchoolFilter)

    def query(self, **changes: str) -> dict[str, str]:
        """The query string that keeps these options (for links that drill down or switch indicator)."""
        params = {"period": self.period, "indicator": self.indicator}
        if self.basis != APPROVED:
            params["basis"] = self.basis
        if self.school_filter.categories:
            params["category"] = self.school_filter.categories[0]
        if self.school_filter.urban_rural:
            params["urban_rural"] = self.school_filter.urban_rural[0]
        if self.school_filter.key_counties_only:
            params["key_county"] = "1"
        params.update(changes)
        return params


def parse_options(params: Mapping[str, str], periods: Sequence[str], definitions: Mapping[str, Definition]) -> Options:
    """Read the query; anything unknown falls back to the default (newest period, approved, first indicator)."""
    period = params.get("period", "")
    if period not in periods:
        period = periods[-1] if periods else ""
    basis = params.get("basis", APPROVED)
    basis = basis if basis in BASES else APPROVED
    indicator = params.get("indicator", "")
    if indicator not in definitions:
        indicator = next(iter(definitions), "")
    category = params.get("category", "")
    urban_rural = params.get("urban_rural", "")
    school_filter = SchoolFilter(
        categories=(category,) if category in CATEGORIES else (),
        urban_rural=(urban_rural,) if urban_rural in URBAN_RURAL_GROUPS else (),
        key_counties_only=params.get("key_county") == "1")
    return Options(period, basis, indicator, school_filter)


def filter_choices() -> dict[str, list[tuple[str, str]]]:
    """The choices of the filter form (labels in Chinese)."""
    labels = dict(SchoolCategory.choices)
    return {"categories": [(c, str(labels[c])) for c in CATEGORIES],
            "urban_rural": [(k, str(v)) for k, v in URBAN_RURAL_GROUPS.items()]}


def previous_period(periods: Sequence[str], period: str) -> str | None:
    earlier = [p for p in periods if p < period]
    return earlier[-1] if earlier else None


class Figures:
    """The values behind one page: the region's own, its children's and its trend, stored or (with a school
    filter) computed once per period and reused."""

    def __init__(self, user: Actor, region: str, options: Options, periods: Sequence[str]) -> None:
        self.user, self.region, self.options, self.periods = user, region, options, list(periods)
        self.code = RegionCode.parse(region)
        self._computed: dict[str, list[Value]] = {}

    @property
    def filtered(self) -> bool:
        return self.options.school_filter.active

    def _compute(self, period: str) -> list[Value]:
        if period not in self._computed:
            self._computed[period] = reading.computed_values(
                self.user, period, self.region, self.options.basis, self.options.school_filter)
        return self._computed[period]

    def own(self, period: str) -> dict[str, Value]:
        """The region's values by indicator."""
        if not self.filtered:
            return reading.region_values(self.user, period, self.region, self.options.basis)
        return {v.indicator: v for v in self._compute(period) if v.region == self.region}

    def children(self, period: str, indicator: str) -> list[Value]:
        """The children's values of one indicator (prefectures of a province, counties of a prefecture)."""
        if not self.filtered:
            return reading.child_values(self.user, period, self.region, self.options.basis, indicators=[indicator])
        level = self.code.child_level
        return [v for v in self._compute(period) if v.level == level and v.indicator == indicator]

    def trend(self, indicator: str) -> list[Value]:
        """The region's value of one indicator in every period, oldest first."""
        if not self.filtered:
            return reading.trend(self.user, self.region, indicator, self.options.basis)
        points = [self.own(p).get(indicator) for p in self.periods]
        return [v for v in points if v is not None]


def format_value(value: float | None, definition: Definition) -> str:
    if value is None:
        return "—"
    number = f"{value:.{definition.decimals}f}"
    return f"{number}%" if definition.unit == "%" else f"{number} {definition.unit}".strip()


def format_change(change: float | None, definition: Definition) -> str:
    """Change on the previous period: 个百分点 for rates, the unit otherwise."""
    if change is None:
        return ""
    number = f"{change:+.{definition.decimals}f}"
    if definition.unit == "%":
        return _("%(number)s percentage points") % {"number": number}
    return f"{number} {definition.unit}".strip()


def unit_label(definition: Definition) -> str:
    """What the indicator's source counts (学校, 网站, 系统): the measure of its numerator and denominator."""
    try:
        return str(sources.get(definition.source).unit_label)
    except KeyError:
        return ""


@dataclass
class Tile:
    definition: Definition
    value: Value | None
    previous: Value | None
    url: str = ""  # the page with this indicator on the map

    @property
    def code(self) -> str:
        return self.definition.code

    @cached_property
    def change(self) -> float | None:
        if self.value is None or self.previous is None or self.value.value is None or self.previous.value is None:
            return None
        return round(self.value.value - self.previous.value, self.definition.decimals)

    @property
    def display(self) -> str:
        return format_value(self.value.value if self.value else None, self.definition)

    @property
    def target_display(self) -> str:
        target = self.definition.target
        return f"{target.comparator if target.comparator != '>=' else '≥'}{format_value(target.value, self.definition)}" \
            if target else ""

    @property
    def change_display(self) -> str:
        return format_change(self.change, self.definition)

    @property
    def improved(self) -> bool | None:
        if not self.change:
            return None
        return self.definition.better(self.change, 0)

    @property
    def state(self) -> str:
        """CSS state: attained (达标), missed (未达标) or none (no target or no value)."""
        attained = self.value.attained if self.value else None
        return "none" if attained is None else ("attained" if attained else "missed")

    @property
    def counts_units(self) -> bool:
        """Whether the source's units are not schools (websites, systems): the fraction then names them."""
        return not self.definition.source.startswith("collection.")

    @property
    def units(self) -> str:
        return unit_label(self.definition)


@dataclass
class ThemeGroup:
    code: str
    label: str
    tiles: list[Tile]


def tiles(figures: Figures, definitions: Mapping[str, Definition]) -> list[ThemeGroup]:
    """One tile per indicator in force, grouped by theme in the themes' order."""
    now = figures.own(figures.options.period)
    before_period = previous_period(figures.periods, figures.options.period)
    before = figures.own(before_period) if before_period else {}
    groups = []
    for theme, label in THEMES.items():
        chosen = [Tile(d, now.get(code), before.get(code)) for code, d in definitions.items() if d.theme == theme]
        if chosen:
            groups.append(ThemeGroup(theme, str(label), chosen))
    return groups


def value_json(v: Value, definition: Definition) -> dict[str, Any]:
    """One value for the charts and the data endpoint: small, with its coverage."""
    return {"code": v.region, "name": v.name, "value": v.value, "display": format_value(v.value, definition),
            "numerator": v.numerator, "denominator": v.denominator,
            "with_data": v.coverage.schools_with_data, "expected": v.coverage.schools_expected,
            "attained": v.attained, "rank": v.rank, "peers": v.peers, "period": v.period}


def definition_json(d: Definition) -> dict[str, Any]:
    return {"code": d.code, "name": d.name, "unit": d.unit, "decimals": d.decimals, "direction": d.direction,
            "target": d.target.value if d.target else None, "units": unit_label(d)}


def sort_lagging(values: Sequence[Value], definition: Definition) -> list[Value]:
    """Lagging first: missed targets, then no data, then the rest; within each, worst value first."""
    def key(v: Value) -> tuple[int, float]:
        group = 0 if v.attained is False else (1 if v.value is None else 2)
        number = v.value if v.value is not None else 0.0
        return group, number if definition.direction == "higher" else -number

    return sorted(values, key=key)


def ranked(values: Sequence[Value], definition: Definition) -> list[Value]:
    """Best first (for the ranking bars and the table's default order); regions without a value last."""
    with_value = [v for v in values if v.value is not None]
    without = [v for v in values if v.value is None]
    ordered = sorted(with_value, key=lambda v: v.value or 0.0, reverse=definition.direction == "higher")
    return ordered + sorted(without, key=lambda v: v.region)


def school_rows(user: Actor, county: str, options: Options, definition: Definition) -> list[Value]:
    """The county's schools with the chosen indicator, lagging first (computed for that indicator only: the
    page stays fast on a county of a hundred schools)."""
    values = reading.school_values(user, options.period, county, options.basis, options.school_filter,
                                   indicators=[definition.code])
    return sort_lagging([v for v in values if v.indicator == definition.code], definition)


def table_headers() -> list[str]:
    # A context of their own: other apps translate the same short words differently (所在区域, 值).
    return [pgettext("dashboard", "Region"), pgettext("dashboard", "Value"), _("Numerator"), _("Denominator"),
            _("Schools with data"), pgettext("dashboard", "Schools expected"), _("Coverage (%)"),
            pgettext("dashboard", "Target"), _("Attained"), pgettext("dashboard", "Rank")]


def table_row(v: Value, definition: Definition) -> list[Any]:
    return [v.name, v.value, v.numerator, v.denominator, v.coverage.schools_with_data, v.coverage.schools_expected,
            v.coverage.percent, definition.target.value if definition.target else None,
            None if v.attained is None else (_("Attained") if v.attained else _("Not attained")),
            f"{v.rank}/{v.peers}" if v.rank else ""]
