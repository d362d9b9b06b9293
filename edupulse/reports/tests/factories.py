"""Factories for the generic scope test: "app.Model" -> function(school) -> instance built through actions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from edupulse.core.actions import action, save_instance
from edupulse.core.actors import SYSTEM, Actor
from edupulse.orgs.models import Region
from edupulse.reports import actions
from edupulse.reports.models import ReportRun
from edupulse.reports.tasks import run_directory


@action
def _place_run(run: ReportRun, *, acting_user: Actor) -> ReportRun:
    return save_instance(run, acting_user=acting_user, verb="add")


def make_run(school: Any, **fields: Any) -> ReportRun:
    """A queued run of the annual report of the school's county (no task queued, no data needed)."""
    values: dict[str, Any] = {"region": Region.objects.get(code=school.county_id), "year": "2022",
                              "created_at": timezone.now()}
    values.update(fields)
    return _place_run(ReportRun(**values), acting_user=SYSTEM)


def make_finished_run(school: Any) -> ReportRun:
    """A run of the school's county that is done, with a small PDF under MEDIA_ROOT to download."""
    run = make_run(school)
    directory = run_directory(run.pk)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "report.pdf").write_bytes(b"%PDF-1.4 report")
    files = {"pdf": str((directory / "report.pdf").relative_to(Path(settings.MEDIA_ROOT)))}
    finished: ReportRun = actions.finish_run(run, files=files, acting_user=SYSTEM)
    return finished


SCOPED_FACTORIES: dict[str, Callable[[Any], Any]] = {
    "reports.ReportRun": make_run,
}
