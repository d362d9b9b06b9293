"""``edupulse worker``: run the background worker of the configured task backend.

``EDUPULSE_TASK_BACKEND=db`` (default) runs django-tasks-db's worker on the database queue;
``rq`` runs an RQ worker (django-rq, with django-tasks-rq's job class) on Redis. Either way a timer
thread re-queues sweep batches whose worker died (expired lease, see ``monitoring.sweeping``) and runs the
periodic jobs that are due (``monitoring.scheduling``), unless ``--no-schedule``.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from django import db
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from edupulse.monitoring.scheduling import run_due_jobs
from edupulse.monitoring.sweeping import reclaim_expired

logger = logging.getLogger("edupulse.monitoring.worker")


def _tick(schedule: bool) -> None:
    """Re-queue batches of dead workers; with ``schedule``, run the periodic jobs that are due
    (``monitoring.scheduling``: exactly one of several workers runs each)."""
    try:
        requeued = reclaim_expired()
        if requeued:
            logger.warning("re-queued sweep batches with expired leases: %s", requeued)
    except Exception:  # keep the worker alive; the next round retries
        logger.exception("re-queueing expired sweep batches failed")
    if schedule:
        try:
            for job, result in run_due_jobs().items():
                logger.info("scheduled job %s: %s", job, result)
        except Exception:
            logger.exception("running the scheduled jobs failed")
    db.close_old_connections()


def _reaper(stop: threading.Event, interval: float, schedule: bool) -> None:
    while not stop.wait(interval):
        _tick(schedule)


class Command(BaseCommand):
    help = "Run the background worker for the configured task backend (EDUPULSE_TASK_BACKEND=db|rq)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queues", default="monitoring,default", help="comma-separated queue names")
        parser.add_argument("--burst", action="store_true", help="process what is queued, then exit")
        parser.add_argument("--reclaim-interval", type=float, default=60.0,
                            help="seconds between checks for batches of dead workers and for due scheduled jobs "
                                 "(default 60)")
        parser.add_argument("--no-schedule", action="store_true",
                            help="do not run the periodic jobs (sweeps, roll-up, escalation, purge) from this worker")

    def handle(self, *args: Any, queues: str, burst: bool, reclaim_interval: float, no_schedule: bool,
               **options: Any) -> None:
        backend = settings.TASK_BACKEND
        names = [q.strip() for q in queues.split(",") if q.strip()]
        self.stdout.write(json.dumps({"worker": backend, "queues": names, "burst": burst}))
        stop = threading.Event()
        if not burst:
            threading.Thread(target=_reaper, args=(stop, reclaim_interval, not no_schedule), daemon=True).start()
        else:
            reclaim_expired()
        try:
            if backend == "rq":
                # heavy, and only for RQ: RQ forks a work horse per job, so load the probe engine (HTTP client, TLS,
                # parsers) once here and each batch does not import it again (about 0.35 s per batch).
                import edupulse.monitoring.actions.results
                import edupulse.monitoring.probes.engine
                import edupulse.monitoring.sweeping  # noqa: F401

                call_command("rqworker", *names, job_class="django_tasks_rq.Job", burst=burst,
                             with_scheduler=not burst)
            else:
                call_command("db_worker", queue_name=",".join(names), batch=burst, startup_delay=not burst,
                             verbosity=options.get("verbosity", 1))
        finally:
            stop.set()
