from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from edupulse.core.filtersets import YesNoFilter
from edupulse.core.regions import RegionCode
from edupulse.orgs.codes import Ownership, SchoolCategory, UrbanRural
from edupulse.orgs.models import Region, School


class SchoolFilterSet(django_filters.FilterSet):
    """Filters shared by the school list page, its exports and the API."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    # A code, validated by the lookup itself (and the scope by visible_to); the drop-down of the page is
    # filled only when a form is rendered, so API requests do not pay for building it.
    region = django_filters.CharFilter(label=_("Region"), method="in_region")
    # distinct=False: plain columns cannot duplicate rows, and DISTINCT makes the page and COUNT sort.
    category = django_filters.MultipleChoiceFilter(label=_("Category"), choices=SchoolCategory.choices, distinct=False)
    urban_rural = django_filters.MultipleChoiceFilter(label=_("Urban-rural classification"), choices=UrbanRural.choices,
                                                      distinct=False)
    ownership = django_filters.ChoiceFilter(label=_("Public or private"), choices=Ownership.choices)
    is_active = YesNoFilter(label=_("Active"))

    class Meta:
        model = School
        fields = ["q", "region", "category", "urban_rural", "ownership", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Django 5 accepts a callable for choices and calls it when the widget renders.
        self.filters["region"].extra["widget"] = forms.Select(choices=self._region_choices)  # type: ignore[arg-type]

    def _region_choices(self) -> list[tuple[str, str]]:
        """The prefectures and counties of the user's own area (evaluated only when rendered)."""
        user = getattr(self.request, "user", None)
        regions = Region.objects.visible_to(user).filter(level__in=["prefecture", "county"]).exclude(  # type: ignore[attr-defined]
            name__in=["市辖区", "县"])
        choices = [("", "---------")]
        choices += [(r.code, ("\u3000" if r.level == "county" else "") + r.name) for r in regions.only("code", "name", "level")]
        return choices

    def search(self, queryset: QuerySet[School], name: str, value: str) -> QuerySet[School]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))

    def in_region(self, queryset: QuerySet[School], name: str, value: str) -> QuerySet[School]:
        region = RegionCode.parse_or_none(value.strip())
        if region is None:
            return queryset.none()
        return queryset.filter(**region.lookup())


class RegionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    parent = django_filters.CharFilter(label=_("Parent code"), field_name="parent_id")
    level = django_filters.ChoiceFilter(label=_("Level"), choices=Region._meta.get_field("level").choices)
    is_rural_revitalization_key_county = YesNoFilter()

    class Meta:
        model = Region
        fields = ["q", "parent", "level", "is_rural_revitalization_key_county"]

    def search(self, queryset: QuerySet[Region], name: str, value: str) -> QuerySet[Region]:
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value)) if value else queryset
