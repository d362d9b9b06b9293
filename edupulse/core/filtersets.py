import django_filters
from django.utils.translation import gettext_lazy as _

from edupulse.core.models import AuditLog


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
