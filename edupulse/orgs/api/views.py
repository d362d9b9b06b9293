from __future__ import annotations

from edupulse.core.api.viewsets import ScopedModelViewSet
from edupulse.orgs import actions
from edupulse.orgs.api.serializers import RegionSerializer, SchoolSerializer
from edupulse.orgs.filtersets import RegionFilterSet, SchoolFilterSet
from edupulse.orgs.models import Region, School


class RegionViewSet(ScopedModelViewSet):
    """Regions (read; province admins may set flags). Codes and names come from GB/T 2260."""

    model = Region
    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    filterset_class = RegionFilterSet
    lookup_field = "code"
    http_method_names = ["get", "patch", "head", "options"]


class SchoolViewSet(ScopedModelViewSet):
    model = School
    queryset = School.objects.select_related("county")
    serializer_class = SchoolSerializer
    filterset_class = SchoolFilterSet
    lookup_field = "code"
    save_action = staticmethod(actions.save_school)
    delete_action = staticmethod(actions.delete_school)
