"""Filters shared by every app, and the audit log's filterset."""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget

from edupulse.core.models import AuditLog


class YesNoWidget(BooleanWidget):
    """全部 / 是 / 否: django-filter's widget labels "no filter" 未知 (unknown), which reads as a value."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.choices = [("", _("All")), ("true", _("Yes")), ("false", _("No"))]


class YesNoFilter(django_filters.BooleanFilter):
    """A yes/no filter whose empty choice is 全部; use it instead of ``BooleanFilter`` everywhere."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", YesNoWidget)
        super().__init__(*args, **kwargs)


class AuditLogFilterSet(django_filters.FilterSet):
    action = django_filters.CharFilter(label=_("Action"), lookup_expr="startswith")
    actor = django_filters.CharFilter(label=_("Actor"), field_name="actor_username")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=[("write", _("write")), ("read", _("read"))])
    object_type = django_filters.CharFilter(label=_("Object type"))
    since = django_filters.DateFilter(label=_("From date"), field_name="created_at", lookup_expr="date__gte")
    until = django_filters.DateFilter(label=_("To date"), field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = AuditLog
        fields = ["action", "actor", "kind", "object_type", "since", "until"]
