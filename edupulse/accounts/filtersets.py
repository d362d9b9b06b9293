"""Filters of the user management list (shared by the page and its exports)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from edupulse.accounts.forms import region_choices
from edupulse.accounts.managing import grantable_roles
from edupulse.accounts.models import User
from edupulse.core.regions import RegionCode

STATUS_CHOICES = [
    ("active", _("Active")),
    ("disabled", _("Disabled")),
    ("must_change", _("Must change password")),
]


class UserFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    role = django_filters.ChoiceFilter(label=_("Role"), choices=[])
    status = django_filters.ChoiceFilter(label=_("Status"), choices=STATUS_CHOICES, method="in_status")
    region = django_filters.CharFilter(label=_("Region"), method="in_region")

    class Meta:
        model = User
        fields = ["q", "role", "status", "region"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        officer = getattr(self.request, "user", None)
        self.filters["role"].extra["choices"] = grantable_roles(officer)
        # A callable: the regions are read only when the form is rendered, not for an export.
        self.filters["region"].extra["widget"] = forms.Select(choices=lambda: region_choices(officer))  # type: ignore[arg-type]

    def search(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        """Username, real name, phone, or the school's name or code."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(username__icontains=value) | Q(first_name__icontains=value)
                               | Q(phone__startswith=value) | Q(scope_school__name__icontains=value)
                               | Q(scope_school__code=value))

    def in_status(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        if value == "active":
            return queryset.filter(is_active=True)
        if value == "disabled":
            return queryset.filter(is_active=False)
        return queryset.filter(must_change_password=True)

    def in_region(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        """Users whose scope lies in the region: its own officers and those of the regions and schools below."""
        region = RegionCode.parse_or_none(value.strip())
        if region is None:
            return queryset.none()
        return queryset.filter(Q(scope_region__code__startswith=region.code)
                               | Q(scope_school__county__code__startswith=region.code))
