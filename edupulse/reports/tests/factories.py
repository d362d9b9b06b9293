"""Factories for the generic scope test: "app.Model" -> function(school) -> instance built through actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

from edupulse.core.actions import action, save_instance
from edupulse.core.actors import SYSTEM, Actor
from edupulse.orgs.models import Region
from edupulse.reports.models import ReportRun


@action
def _place_run(run: ReportRun, *, acting_user: Actor) -> ReportRun:
    return save_instance(run, acting_user=acting_user, verb="add")


def make_run(school: Any, **fields: Any) -> ReportRun:
    """A queued run of the annual report of the school's county (no task queued, no data needed)."""
    values: dict[str, Any] = {"region": Region.objects.get(code=school.county_id), "year": "2022",
                              "created_at": timezone.now()}
    values.update(fields)
    return _place_run(ReportRun(**values), acting_user=SYSTEM)


SCOPED_FACTORIES: dict[str, Callable[[Any], Any]] = {
    "reports.ReportRun": make_run,
}
