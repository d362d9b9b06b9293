from edupulse.core.models.audit import AuditLog

__all__ = ["AuditLog"]
