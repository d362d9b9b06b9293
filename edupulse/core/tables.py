import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from edupulse.core.models import AuditLog


class AuditLogTable(tables.Table):
    sequence = tables.Column(verbose_name=_("No."))
    created_at = tables.DateTimeColumn(format="Y-m-d H:i:s", verbose_name=_("Time"))
    actor_username = tables.Column(verbose_name=_("Actor"))
    source = tables.Column(verbose_name=_("Source"))
    address = tables.Column(verbose_name=_("From"))
    kind = tables.Column(verbose_name=_("Kind"))
    action = tables.Column(verbose_name=_("Action"))
    object_repr = tables.Column(verbose_name=_("Object"))

    class Meta:
        model = AuditLog
        fields = ("sequence", "created_at", "actor_username", "source", "address", "kind", "action", "object_repr")
        order_by = ("-sequence",)
