from rest_framework import serializers

from edupulse.core.models import AuditLog


class AuditLogSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = AuditLog
        fields = ["sequence", "created_at", "kind", "action", "actor_id", "actor_username", "source", "address",
                  "object_type", "object_id", "object_repr", "before", "after", "entry_hash"]
