from edupulse.core.models.audit import AuditLog
from edupulse.core.models.exports import ExportJob, ExportStatus

__all__ = ["AuditLog", "ExportJob", "ExportStatus"]
