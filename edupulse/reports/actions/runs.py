"""Report runs: an officer requests a report; the task records its progress and its files."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edupulse.core.actions import action, save_instance
from edupulse.core.actors import Actor, is_system
from edupulse.indicators import reading
from edupulse.orgs.models import Region
from edupulse.reports import tasks
from edupulse.reports.models import ReportRun, RunStatus

if TYPE_CHECKING:
    from edupulse.accounts.models import User


@action
def request_annual_report(region: Region, year: str, formats: Sequence[str], *, acting_user: Actor,
                          enqueue: bool = True) -> ReportRun:
    """Create a queued run of ``region``'s annual report for ``year`` and queue its task after the commit.
    Refuses a year for which the region has no indicator values (nothing to report)."""
    year = str(year).strip()
    if not year.isdigit() or not reading.region_values(acting_user, year, region.code):
        known = "、".join(reading.periods(acting_user)) or "-"
        raise ValidationError(_("%(region)s has no indicator values for %(year)s (years with data: %(known)s).") % {
            "region": region.name, "year": year or "-", "known": known})
    run = ReportRun(region=region, year=year, formats=",".join(formats), created_at=timezone.now(),
                    requested_by=None if is_system(acting_user) else cast("User", acting_user))
    run = save_instance(run, acting_user=acting_user, verb="add")
    if enqueue:
        run_id = run.pk
        transaction.on_commit(lambda: tasks.generate_annual_report.enqueue(run_id))
    return run


@action
def record_progress(run: ReportRun, progress: int, step: str, *, acting_user: Actor) -> ReportRun:
    """The run is working: ``progress`` 0-100 and the step it is on (a Chinese label)."""
    run = ReportRun.objects.select_for_update().get(pk=run.pk)
    if run.status == RunStatus.QUEUED:
        run.status, run.started_at = RunStatus.RUNNING, timezone.now()
    run.progress, run.step = max(0, min(progress, 100)), step[:100]
    return save_instance(run, acting_user=acting_user, verb="change")


@action
def finish_run(run: ReportRun, *, acting_user: Actor, files: dict[str, str] | None = None,
               error: str = "") -> ReportRun:
    """Done with ``files`` (format → path under MEDIA_ROOT), or failed with ``error``."""
    run = ReportRun.objects.select_for_update().get(pk=run.pk)
    run.finished_at = timezone.now()
    if error:
        run.status, run.error = RunStatus.FAILED, error[:2000]
    else:
        run.status, run.files, run.progress, run.step = RunStatus.DONE, dict(files or {}), 100, _("Done")
    return save_instance(run, acting_user=acting_user, verb="change")
