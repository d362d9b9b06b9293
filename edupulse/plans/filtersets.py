"""Filters of the plan pages (shared by the pages and their exports)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from edupulse.plans.models import Plan, PlanTask, TaskStatus


class PlanFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    period = django_filters.NumberFilter(label=_("Year covered"))

    class Meta:
        model = Plan
        fields = ["q", "period"]

    def search(self, queryset: QuerySet[Plan], name: str, value: str) -> QuerySet[Plan]:
        return queryset.filter(Q(title__icontains=value) | Q(doc_number__icontains=value) | Q(issuer__icontains=value))


class OverdueFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=[
        (s.value, s.label) for s in TaskStatus if s != TaskStatus.DONE])

    class Meta:
        model = PlanTask
        fields = ["q", "status"]

    def search(self, queryset: QuerySet[PlanTask], name: str, value: str) -> QuerySet[PlanTask]:
        return queryset.filter(Q(title__icontains=value) | Q(owner_unit__icontains=value)
                               | Q(lead_unit__icontains=value) | Q(plan__title__icontains=value))
