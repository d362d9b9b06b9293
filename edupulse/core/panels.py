"""The auditor's landing panel: the newest writes and the newest reads of personal data in their area, with
links to the filterable, exportable audit list (``core:audit-list``, ``?kind=read`` for the read log)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from edupulse.core import audit_labels
from edupulse.core.models import AuditLog
from edupulse.core.roles import Role

ROWS = 10


def audit_panel(request: HttpRequest) -> dict[str, Any] | None:
    if getattr(request.user, "role", "") != Role.AUDITOR:
        return None
    trail = AuditLog.objects.visible_to(request.user)
    writes = list(trail.filter(kind=AuditLog.KIND_WRITE)[:ROWS])
    reads = list(trail.filter(kind=AuditLog.KIND_READ)[:ROWS])
    audit_labels.describe_objects(writes + reads)
    return {"writes": writes, "reads": reads}
