from collections.abc import Callable
from typing import Any

from edupulse.accounts.tests.factories import make_user
from edupulse.core import audit, exports
from edupulse.core.actors import SYSTEM
from edupulse.core.models import AuditLog, ExportJob


def _audit_row_for(school: Any) -> AuditLog:
    # Saving a school writes its audit row; return the newest row about this school.
    row = AuditLog.objects.filter(school_id=school.pk).order_by("-sequence").first()
    assert row is not None, audit
    return row


def make_export_job(user: Any, *, written: bool = True) -> ExportJob:
    """A background export of the school list requested by ``user`` (written by the task when ``written``)."""
    job: ExportJob = exports.request_export("学校", "/schools/", "", "csv", 1, acting_user=user)
    return exports.write_export(job, acting_user=SYSTEM) if written else job


def _export_job_for(school: Any) -> ExportJob:
    return make_export_job(make_user("school_cio", school=school), written=False)


SCOPED_FACTORIES: dict[str, Callable[[Any], Any]] = {"core.AuditLog": _audit_row_for, "core.ExportJob": _export_job_for}
