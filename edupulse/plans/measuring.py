"""A plan's targets beside what the indicator library measures: the value for the plan's region and year, how many
schools it covers, and whether the target's own value and comparator are met. Read-only (pages, the 督导通报)."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from edupulse.core.actors import Actor
from edupulse.indicators import reading
from edupulse.indicators.definitions import Definition
from edupulse.indicators.values import Value
from edupulse.plans.models import LinkStatus, Plan, PlanTarget

COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "=": operator.ge,
}
# "达到 X" (=) is met by reaching X: 99 % of schools when the plan says 98 % is attained.


@dataclass(frozen=True)
class Measured:
    """A target with its linked indicator and the current value (None when unlinked, unmeasured or unseen)."""

    target: PlanTarget
    definition: Definition | None
    value: Value | None
    attained: bool | None  # None: no value, or units that cannot be compared
    comparable: bool  # the target's unit is the indicator's

    @property
    def covers(self) -> str:
        if self.value is None:
            return ""
        coverage = self.value.coverage
        return f"{coverage.schools_with_data}/{coverage.schools_expected}"


def attained(target: PlanTarget, value: Value | None, definition: Definition | None) -> tuple[bool | None, bool]:
    comparable = definition is not None and definition.unit == target.unit
    if value is None or value.value is None or not comparable:
        return None, comparable
    return COMPARE[target.comparator](value.value, target.value), comparable


def measure(user: Actor, plan: Plan, targets: Iterable[PlanTarget] | None = None,
            period: str | None = None) -> list[Measured]:
    """Each target of the plan with its confirmed indicator's value in the plan's region, in ``period`` (default
    the year the plan covers)."""
    definitions = reading.definitions()
    period = period or (str(plan.period) if plan.period else "")
    values = reading.region_values(user, period, plan.region_id) if period else {}
    result = []
    for target in targets if targets is not None else plan.targets.order_by("order"):
        definition = definitions.get(target.indicator_code) if target.indicator_code else None
        linked = target.link_status == LinkStatus.CONFIRMED and definition is not None
        value = values.get(target.indicator_code) if linked else None
        met, comparable = attained(target, value, definition) if linked else (None, False)
        result.append(Measured(target, definition, value, met, comparable))
    return result
