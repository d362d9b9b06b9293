"""Read-only indicator API: ``/api/indicators/definitions/`` (what is in force) and ``/api/indicators/values/``
(stored values, filtered by period, basis, region, level and indicator; ``within`` = a region and below)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import Http404
from rest_framework.request import Request
from rest_framework.response import Response

from edupulse.core.api.viewsets import ScopedReadOnlyViewSet
from edupulse.core.regions import RegionCode
from edupulse.indicators.api.serializers import DefinitionSerializer, IndicatorValueSerializer
from edupulse.indicators.definitions import effective
from edupulse.indicators.models import IndicatorDefinition, IndicatorValue


class IndicatorValueFilterSet(django_filters.FilterSet):
    within = django_filters.CharFilter(method="filter_within", label="region and below")

    class Meta:
        model = IndicatorValue
        fields = ["period", "basis", "region", "level", "indicator"]

    def filter_within(self, queryset: QuerySet[IndicatorValue], name: str, value: str) -> QuerySet[IndicatorValue]:
        code = RegionCode.parse_or_none(value)
        return queryset.filter(**code.lookup("code")) if code else queryset.none()


class IndicatorValueViewSet(ScopedReadOnlyViewSet):
    """Stored indicator values the caller may see (a county officer: their county's)."""

    model = IndicatorValue
    queryset = IndicatorValue.objects.select_related("region").order_by("period", "indicator", "region_id", "basis")
    serializer_class = IndicatorValueSerializer
    filterset_class = IndicatorValueFilterSet


class IndicatorDefinitionViewSet(ScopedReadOnlyViewSet):
    """The definitions in force by code: the built-in library with the versions saved in the admin applied.
    Definitions are reference data, the same for every signed-in user: the listing is the library, not the
    rows of saved versions, so the scope test does not compare it with ``visible_to`` (``lists_rows``)."""

    lists_rows = False
    model = IndicatorDefinition
    queryset = IndicatorDefinition.objects.all()
    serializer_class = DefinitionSerializer
    lookup_field = "code"
    filterset_class = None
    filter_backends: list[Any] = []

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        definitions = list(effective().values())
        page: list[Any] | None = self.paginate_queryset(definitions)  # type: ignore[arg-type]
        serializer = self.get_serializer(page if page is not None else definitions, many=True)
        return self.get_paginated_response(serializer.data) if page is not None else Response(serializer.data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        definition = effective().get(str(kwargs.get(self.lookup_field, "")))
        if definition is None:
            raise Http404
        return Response(self.get_serializer(definition).data)
