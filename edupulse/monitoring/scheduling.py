"""Periodic monitoring jobs: sweeps, the dashboard roll-up, escalation of overdue notice items, retention,
tampering baselines of new sites.

No cron is needed: every ``edupulse worker`` calls :func:`run_due_jobs` on a timer (``edupulse scheduler``
does the same on its own, and ``edupulse scheduler --once`` suits a cron line). Intervals come from
``settings.SCHEDULE_MINUTES`` (``EDUPULSE_*_MINUTES``; 0 switches a job off). Starting a due job is one
conditional UPDATE of its ``ScheduledJob`` row, so when several workers on several machines tick at the
same moment exactly one of them runs it. A sweep is not started while the previous sweep of the same kind
is still running (a slow sweep must not pile up behind itself), and the first scheduled sweep of a new
installation comes one interval after the first worker starts (``edupulse monitor sweep`` runs one now).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from edupulse.core.actors import SYSTEM
from edupulse.monitoring import tasks
from edupulse.monitoring.actions.notices import escalate_overdue
from edupulse.monitoring.actions.results import purge_results, roll_up_day
from edupulse.monitoring.actions.sweeps import start_sweep
from edupulse.monitoring.models import ScheduledJob, Sweep
from edupulse.monitoring.models.sweeps import SweepStatus

logger = logging.getLogger(__name__)

#: Checks of the frequent sweep: is the site up, does its name resolve, is it on IPv6.
QUICK_CHECKS: tuple[str, ...] = ("availability", "dns", "ipv6")
#: A running sweep older than this many intervals is taken as abandoned and no longer blocks the next one.
STALE_SWEEP_INTERVALS = 3


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], dict[str, Any]]
    #: Run on the very first tick of a new installation. Sweeps wait one interval instead: starting workers
    #: (on a demo database, say) must not set off a sweep of every registered site at once;
    #: ``edupulse monitor sweep`` starts one by hand.
    run_at_once: bool = True


def _sweep(checks: tuple[str, ...], minutes: int) -> dict[str, Any]:
    stale = timezone.now() - timedelta(minutes=minutes * STALE_SWEEP_INTERVALS)
    running = Sweep.objects.filter(status=SweepStatus.RUNNING, region__isnull=True, checks=list(checks),
                                   created_at__gte=stale).first()
    if running is not None:
        return {"skipped": f"sweep {running.pk} is still running"}
    sweep = start_sweep(acting_user=SYSTEM, checks=checks)
    return {"sweep": sweep.pk, "sites": sweep.total_sites}


def _full_sweep() -> dict[str, Any]:
    return _sweep((), settings.SCHEDULE_MINUTES["full_sweep"])


def _quick_sweep() -> dict[str, Any]:
    return _sweep(QUICK_CHECKS, settings.SCHEDULE_MINUTES["quick_sweep"])


def _rollup() -> dict[str, Any]:
    return {"regions": roll_up_day(acting_user=SYSTEM)}


def _escalate() -> dict[str, Any]:
    return {"escalated": escalate_overdue(acting_user=SYSTEM)}


def _baseline() -> dict[str, Any]:
    # Fetching every new site three times 20 s apart takes minutes: a task, so the worker's timer stays free.
    tasks.build_baselines.enqueue()
    return {"queued": "build_baselines"}


def _purge() -> dict[str, Any]:
    return dict(purge_results(acting_user=SYSTEM).__dict__)


JOBS: tuple[Job, ...] = (
    Job("full_sweep", _full_sweep, run_at_once=False),
    Job("quick_sweep", _quick_sweep, run_at_once=False),
    Job("rollup", _rollup),
    Job("escalate", _escalate),
    Job("purge", _purge),
    Job("baseline", _baseline),
)


def claim(name: str, minutes: int, now: datetime, *, run_at_once: bool = True) -> bool:
    """Mark ``name`` started if it is due (never run, or last started ``minutes`` ago or more); True if we won.

    A job seen for the first time without ``run_at_once`` is only marked, as if it had just run, so that it
    first runs one interval later."""
    if not ScheduledJob.objects.filter(name=name).exists():
        ScheduledJob.objects.bulk_create([ScheduledJob(name=name, last_started_at=None if run_at_once else now)],
                                         ignore_conflicts=True)
    due = Q(last_started_at__isnull=True) | Q(last_started_at__lte=now - timedelta(minutes=minutes))
    return ScheduledJob.objects.filter(due, name=name).update(last_started_at=now) == 1


def run_due_jobs(now: datetime | None = None) -> dict[str, dict[str, Any]]:
    """Run every job that is due and switched on; returns what each job that ran reported.

    A job that raises is logged and recorded in its row; the others still run.
    """
    now = now or timezone.now()
    ran: dict[str, dict[str, Any]] = {}
    for job in JOBS:
        minutes = int(settings.SCHEDULE_MINUTES.get(job.name, 0))
        if minutes <= 0 or not claim(job.name, minutes, now, run_at_once=job.run_at_once):
            continue
        try:
            result = job.run()
        except Exception as exc:  # one failing job must not stop the others or the worker
            logger.exception("scheduled job %s failed", job.name)
            result = {"error": f"{exc.__class__.__name__}: {exc}"}
        ScheduledJob.objects.filter(name=job.name).update(last_finished_at=timezone.now(), last_result=result)
        ran[job.name] = result
    return ran
