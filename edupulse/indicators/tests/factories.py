"""Factories for the generic scope test: "app.Model" -> function(school) -> instance built through actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from edupulse.collection import actions as collection_actions
from edupulse.core.actions import run_as_system
from edupulse.indicators.actions import recompute, save_definition
from edupulse.indicators.definitions import builtin
from edupulse.indicators.models import IndicatorDefinition, IndicatorValue
from edupulse.orgs.models import School


def make_definition(_school: School | None = None) -> IndicatorDefinition:
    """A saved version of a built-in definition: one for the whole deployment, whatever the school."""
    existing = IndicatorDefinition.objects.filter(code="multimedia_rate").first()
    if existing is not None:
        return existing
    saved: IndicatorDefinition = run_as_system(save_definition, builtin()["multimedia_rate"].as_yaml())
    return saved


def make_value(school: School) -> IndicatorValue:
    """The stored value of the school's county (one computation covers the schools that exist by then)."""
    stored = IndicatorValue.objects.filter(indicator="internet_rate", region_id=school.county_id, period="2022",
                                           basis="approved").first()
    if stored is not None:
        return stored
    run_as_system(collection_actions.load_forms)
    run_as_system(recompute, ["2022"])
    return IndicatorValue.objects.get(indicator="internet_rate", region_id=school.county_id, period="2022",
                                      basis="approved")


SCOPED_FACTORIES: dict[str, Callable[[Any], Any]] = {
    "indicators.IndicatorDefinition": make_definition,
    "indicators.IndicatorValue": make_value,
}
