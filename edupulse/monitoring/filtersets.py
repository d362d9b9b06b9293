"""Filters shared by the monitoring pages, their exports and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from edupulse.core.filtersets import YesNoFilter
from edupulse.core.regions import RegionCode
from edupulse.monitoring.checks import CHECK_CHOICES, Severity
from edupulse.monitoring.models import (
    AlertDelivery,
    EducationApp,
    Finding,
    InformationSystem,
    Notice,
    NoticeItem,
    Website,
)
from edupulse.monitoring.models.alerts import DeliveryStatus
from edupulse.monitoring.models.notices import OPEN_ITEM_STATUSES, ItemStatus, NoticeStatus
from edupulse.monitoring.models.registry import AppStatus, WebsiteCategory
from edupulse.monitoring.models.results import FindingStatus


def region_filter(queryset: QuerySet[Any], value: str, prefix: str = "") -> QuerySet[Any]:
    """Objects placed in the region ``value`` (none for a malformed code); ``prefix`` reaches the placed
    object through a relation, e.g. ``"website__"``."""
    region = RegionCode.parse_or_none(value.strip())
    if region is None:
        return queryset.none()
    return queryset.filter(**{f"{prefix}{region.field()}": region.code})


class WebsiteFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    region = django_filters.CharFilter(label=_("Region code"), method="in_region")
    category = django_filters.ChoiceFilter(label=pgettext_lazy("asset column", "Category"),
                                           choices=WebsiteCategory.choices)
    is_active = YesNoFilter(label=_("Monitored"))

    class Meta:
        model = Website
        fields = ["q", "region", "category", "is_active"]

    def search(self, queryset: QuerySet[Website], name: str, value: str) -> QuerySet[Website]:
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(url__icontains=value)) if value else queryset

    def in_region(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return region_filter(queryset, value)


class SystemFilterSet(WebsiteFilterSet):
    category = None  # type: ignore[assignment]
    is_active = None  # type: ignore[assignment]
    level = django_filters.MultipleChoiceFilter(label=_("Protection level"),
                                                choices=[(n, str(n)) for n in range(1, 6)])
    is_cii = YesNoFilter(label=_("Critical information infrastructure"))
    overdue = YesNoFilter(label=_("Assessment overdue"), method="filter_overdue")
    missing_filing = YesNoFilter(label=_("Filing missing"), method="filter_missing")

    class Meta:
        model = InformationSystem
        fields = ["q", "region", "level", "is_cii", "overdue", "missing_filing"]

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(filing_number__startswith=value)) if value else queryset

    def filter_overdue(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if value is None:
            return queryset
        condition = Q(next_assessment_due__lt=timezone.localdate())
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_missing(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if value is None:
            return queryset
        condition = Q(level__gte=2, filing_number="")
        return queryset.filter(condition) if value else queryset.exclude(condition)


class AppFilterSet(WebsiteFilterSet):
    category = None  # type: ignore[assignment]
    is_active = None  # type: ignore[assignment]
    status = django_filters.MultipleChoiceFilter(label=_("Filing status"), choices=AppStatus.choices)

    class Meta:
        model = EducationApp
        fields = ["q", "region", "status"]

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(provider__icontains=value)) if value else queryset


class FindingFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    region = django_filters.CharFilter(label=_("Region code"), method="in_region")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=FindingStatus.choices)
    severity = django_filters.MultipleChoiceFilter(label=_("Severity"), choices=Severity.choices)
    check_name = django_filters.MultipleChoiceFilter(label=_("Check"), choices=CHECK_CHOICES)

    class Meta:
        model = Finding
        fields = ["q", "region", "status", "severity", "check_name"]

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        return queryset.filter(Q(website__name__icontains=value) | Q(website__url__icontains=value)) \
            if value else queryset

    def in_region(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return region_filter(queryset, value, "website__")


class NoticeItemFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=ItemStatus.choices)
    overdue = YesNoFilter(label=_("Past the deadline, not rectified"), method="filter_overdue")

    class Meta:
        model = NoticeItem
        fields = ["status", "overdue"]

    def filter_overdue(self, queryset: QuerySet[NoticeItem], name: str, value: bool | None) -> QuerySet[NoticeItem]:
        if value is None:
            return queryset
        late = Q(notice__status=NoticeStatus.ISSUED, notice__deadline__lt=timezone.localdate(),
                 status__in=[*OPEN_ITEM_STATUSES, ItemStatus.ESCALATED])
        return queryset.filter(late) if value else queryset.exclude(late)


class NoticeFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=NoticeStatus.choices)
    year = django_filters.NumberFilter(label=_("Year"))

    class Meta:
        model = Notice
        fields = ["q", "status", "year"]

    def search(self, queryset: QuerySet[Notice], name: str, value: str) -> QuerySet[Notice]:
        value = value.strip()
        return queryset.filter(Q(title__icontains=value) | Q(number_prefix__icontains=value)) if value else queryset


class DeliveryFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=DeliveryStatus.choices)

    class Meta:
        model = AlertDelivery
        fields = ["status"]
