from collections.abc import Callable
from typing import Any

from edupulse.core import audit
from edupulse.core.models import AuditLog


def _audit_row_for(school: Any) -> AuditLog:
    # Saving a school writes its audit row; return the newest row about this school.
    row = AuditLog.objects.filter(school_id=school.pk).order_by("-sequence").first()
    assert row is not None, audit
    return row


SCOPED_FACTORIES: dict[str, Callable[[Any], Any]] = {"core.AuditLog": _audit_row_for}
