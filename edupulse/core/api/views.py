from edupulse.core.api.serializers import AuditLogSerializer
from edupulse.core.api.viewsets import ScopedReadOnlyViewSet
from edupulse.core.filtersets import AuditLogFilterSet
from edupulse.core.models import AuditLog


class AuditLogViewSet(ScopedReadOnlyViewSet):
    """The audit trail of the caller's area (read-only)."""

    model = AuditLog
    queryset = AuditLog.objects.all()
    serializer_class = AuditLogSerializer
    filterset_class = AuditLogFilterSet
    lookup_field = "sequence"
