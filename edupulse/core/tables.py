from typing import Any

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from edupulse.core import audit_labels
from edupulse.core.models import AuditLog


class AuditLogTable(tables.Table):
    """The trail in words: action, kind and source labels, and objects named as a person would (the stored codes
    stay in the database, where the hash chain covers them)."""

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

    def before_render(self, request: Any) -> None:
        # One query per object type for the page shown, instead of one per row.
        page = getattr(self, "page", None)
        audit_labels.describe_objects(row.record for row in (page.object_list if page is not None else self.rows))

    def render_action(self, value: str) -> str:
        return audit_labels.action_label(value)

    def render_kind(self, value: str) -> str:
        return audit_labels.kind_label(value)

    def render_source(self, value: str) -> str:
        return audit_labels.source_label(value)

    def render_object_repr(self, value: str, record: AuditLog) -> str:
        return getattr(record, "object_label", None) or audit_labels.object_words(value)
