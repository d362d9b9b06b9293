from __future__ import annotations

from edupulse.core.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet
from edupulse.monitoring import actions
from edupulse.monitoring.api import serializers as s
from edupulse.monitoring.filtersets import (
    AppFilterSet,
    DeliveryFilterSet,
    FindingFilterSet,
    NoticeItemFilterSet,
    SystemFilterSet,
    WebsiteFilterSet,
)
from edupulse.monitoring.models import (
    AlertChannel,
    AlertDelivery,
    EducationApp,
    Finding,
    InformationSystem,
    Notice,
    NoticeItem,
    SiteState,
    Sweep,
    Website,
)


class WebsiteViewSet(ScopedModelViewSet):
    """Monitored websites (registry)."""

    model = Website
    queryset = Website.objects.select_related("school", "owner_region")
    serializer_class = s.WebsiteSerializer
    filterset_class = WebsiteFilterSet
    save_action = staticmethod(actions.save_website)
    delete_action = staticmethod(actions.delete_website)


class InformationSystemViewSet(ScopedModelViewSet):
    """Information systems under classified protection (等级保护); level and due date are computed."""

    model = InformationSystem
    queryset = InformationSystem.objects.select_related("school", "owner_region").prefetch_related("websites")
    serializer_class = s.InformationSystemSerializer
    filterset_class = SystemFilterSet
    save_action = staticmethod(actions.save_system)
    delete_action = staticmethod(actions.delete_system)


class EducationAppViewSet(ScopedModelViewSet):
    """Education apps and their 备案 status."""

    model = EducationApp
    queryset = EducationApp.objects.select_related("school", "owner_region")
    serializer_class = s.EducationAppSerializer
    filterset_class = AppFilterSet
    save_action = staticmethod(actions.save_app)
    delete_action = staticmethod(actions.delete_app)


class FindingViewSet(ScopedReadOnlyViewSet):
    model = Finding
    queryset = Finding.objects.select_related("website")
    serializer_class = s.FindingSerializer
    filterset_class = FindingFilterSet


class SiteStateViewSet(ScopedReadOnlyViewSet):
    model = SiteState
    queryset = SiteState.objects.all()
    serializer_class = s.SiteStateSerializer


class SweepViewSet(ScopedReadOnlyViewSet):
    model = Sweep
    queryset = Sweep.objects.all()
    serializer_class = s.SweepSerializer


class NoticeViewSet(ScopedReadOnlyViewSet):
    model = Notice
    queryset = Notice.objects.all()
    serializer_class = s.NoticeSerializer


class NoticeItemViewSet(ScopedReadOnlyViewSet):
    model = NoticeItem
    queryset = NoticeItem.objects.all()
    serializer_class = s.NoticeItemSerializer
    filterset_class = NoticeItemFilterSet


class AlertChannelViewSet(ScopedModelViewSet):
    model = AlertChannel
    queryset = AlertChannel.objects.all()
    serializer_class = s.AlertChannelSerializer
    save_action = staticmethod(actions.save_channel)


class AlertDeliveryViewSet(ScopedReadOnlyViewSet):
    model = AlertDelivery
    queryset = AlertDelivery.objects.all()
    serializer_class = s.AlertDeliverySerializer
    filterset_class = DeliveryFilterSet
