"""Storing recomputed indicator values (derived data: one audit row per run, not per value)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.utils import timezone

from edupulse.core import audit
from edupulse.core.actions import action
from edupulse.core.actors import Actor
from edupulse.indicators import computing
from edupulse.indicators.definitions import Definition, effective
from edupulse.indicators.models import IndicatorValue
from edupulse.indicators.values import BASES, Value


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
    stored: dict[str, list[Value]] = {}
    for basis in bases:
        result = computing.compute(definitions, periods, basis)
        stored[basis] = computing.values(result)
        rows = [IndicatorValue(
            period=v.period, basis=basis, indicator=v.indicator, region_id=v.region, level=v.level,
            **IndicatorValue.placement_fields(v.region), numerator=v.numerator, denominator=v.denominator,
            value=v.value, schools_with_data=v.coverage.schools_with_data,
            schools_expected=v.coverage.schools_expected, target=v.target, attained=v.attained, rank=v.rank,
            peers=v.peers, definition_version=versions[v.indicator], computed_at=now)
            for v in stored[basis]]
        for indicator, period in result.computed:
            IndicatorValue.objects.filter(basis=basis, indicator=indicator, period=period).delete()
        IndicatorValue.objects.bulk_create(rows, batch_size=2000)
    audit.record("indicators.value.recompute", None, acting_user=acting_user, object_type="indicators.indicatorvalue",
                 object_repr=",".join(periods), after={"periods": periods, "bases": list(bases),
                                                      "indicators": len(definitions),
                                                      "values": sum(len(v) for v in stored.values())})
    return stored
