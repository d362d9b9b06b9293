"""Factories for the generic scope test: "app.Model" -> function(school) -> instance built through actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from edupulse.core.actions import run_as_system
from edupulse.core.regions import PREFECTURE, RegionCode
from edupulse.orgs.models import Region, School
from edupulse.supervision import actions
from edupulse.supervision.models import SupervisionResult, SupervisionRound, SupervisionScore


def make_round(region: str, *, period: str = "2022", score: bool = False, publish: bool = False,
               **fields: Any) -> SupervisionRound:
    """A round of ``region`` (created, and scored and published when asked) by the system."""
    supervision: SupervisionRound = run_as_system(actions.create_round, Region.objects.get(code=region), period,
                                                  **fields)
    if score or publish:
        supervision = run_as_system(actions.score_round, supervision)
    if publish:
        supervision = run_as_system(actions.publish_round, supervision)
    return supervision


def _prefecture(school: School) -> str:
    return RegionCode.parse(school.county_id).at(PREFECTURE).code


def _round(school: School) -> SupervisionRound:
    """A draft round of the school's prefecture: its officers and those above see it, its counties do not."""
    return make_round(_prefecture(school))


def _result(school: School) -> SupervisionResult:
    """The school's county's result in a published round of its prefecture."""
    supervision = make_round(_prefecture(school), publish=True)
    return SupervisionResult.objects.get(round=supervision, region_id=school.county_id)


def _score(school: School) -> SupervisionScore:
    supervision = make_round(_prefecture(school), publish=True)
    return SupervisionScore.objects.filter(round=supervision, region_id=school.county_id).order_by("item").first()  # type: ignore[return-value]


SCOPED_FACTORIES: dict[str, Callable[[Any], Any]] = {
    "supervision.SupervisionRound": _round,
    "supervision.SupervisionResult": _result,
    "supervision.SupervisionScore": _score,
}
