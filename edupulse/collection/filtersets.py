"""Filters shared by the submission list page, its exports and the API."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from edupulse.collection.models import Form, Submission
from edupulse.collection.models.submission import SubmissionStatus
from edupulse.core.filtersets import YesNoFilter
from edupulse.core.regions import RegionCode


class SubmissionFilterSet(django_filters.FilterSet):
    form = django_filters.ModelChoiceFilter(label=_("Form"), queryset=Form.objects.all(), to_field_name="code")
    period = django_filters.CharFilter(label=_("Period"))
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=SubmissionStatus.choices)
    region = django_filters.CharFilter(label=_("Region code"), method="in_region")
    school = django_filters.CharFilter(label=_("School code"), field_name="school__code")
    has_errors = YesNoFilter(label=_("Has errors"), method="with_errors")

    class Meta:
        model = Submission
        fields = ["form", "period", "status", "region", "school", "has_errors"]

    def in_region(self, queryset: QuerySet[Submission], name: str, value: str) -> QuerySet[Submission]:
        region = RegionCode.parse_or_none(value.strip())
        if region is None:
            return queryset.none()
        return queryset.filter(**region.lookup(via="school"))

    def with_errors(self, queryset: QuerySet[Submission], name: str, value: bool | None) -> QuerySet[Submission]:
        if value is None:
            return queryset
        return queryset.filter(error_count__gt=0) if value else queryset.filter(error_count=0)
