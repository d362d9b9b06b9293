"""Background tasks of core: big list exports (see :mod:`edupulse.core.exports`)."""

from __future__ import annotations

from django_tasks import task

from edupulse.core import exports
from edupulse.core.actors import SYSTEM
from edupulse.core.models import ExportJob, ExportStatus


@task(queue_name="default")
def run_export(job_id: int) -> str:
    """Write one export job's file; old jobs are purged first (they expire after seven days)."""
    exports.purge_expired_exports(acting_user=SYSTEM)
    job = ExportJob.objects.select_related("requester").filter(pk=job_id).first()
    if job is None or job.status != ExportStatus.QUEUED:
        return "skipped"
    return exports.write_export(job, acting_user=SYSTEM).status
