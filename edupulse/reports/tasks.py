"""Background tasks of the reports app (django-tasks backport of Django 6's ``django.tasks``)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django_tasks import task

from edupulse.core import context
from edupulse.core.actors import SYSTEM, Actor
from edupulse.reports.annual.generate import generate
from edupulse.reports.models import ReportRun, RunStatus

QUEUE = "default"
FILES_DIR = "reports"  # under MEDIA_ROOT: reports/<run id>/<file>


def run_directory(run_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / FILES_DIR / str(run_id)


@task(queue_name=QUEUE)
def generate_annual_report(run_id: int) -> str:
    """Write the run's files, reading the data as the officer who asked (their scope), and record progress."""
    # cycle: reports.actions imports this module to enqueue the task.
    from edupulse.reports import actions

    with context.using(context.RequestContext(source="task", address="task@reports")):
        run = ReportRun.objects.select_related("requested_by").filter(pk=run_id).first()
        if run is None or run.status != RunStatus.QUEUED:
            return "skipped"
        reader: Actor = run.requested_by or SYSTEM

        def progress(percent: int, step: str) -> None:
            actions.record_progress(run, percent, step, acting_user=SYSTEM)

        try:
            result = generate(reader, run.region_id, run.year, run.format_list, run_directory(run.pk),
                              progress=progress)
        except Exception as exc:  # the run must end as failed, whatever went wrong, so the page stops waiting
            actions.finish_run(run, error=str(exc) or type(exc).__name__, acting_user=SYSTEM)
            return "failed"
        media = Path(settings.MEDIA_ROOT)
        files = {fmt: str(path.relative_to(media)) for fmt, path in result.files.items()}
        actions.finish_run(run, files=files, acting_user=SYSTEM)
        return "done"
