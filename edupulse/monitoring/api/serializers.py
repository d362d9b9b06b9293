from __future__ import annotations

from typing import Any, ClassVar

from rest_framework import serializers

from edupulse.core.permissions import can
from edupulse.core.workflows import Workflow
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
from edupulse.monitoring.models.notices import ITEM_WORKFLOW, NOTICE_WORKFLOW, NoticeStatus
from edupulse.orgs.models import Region, School


class OwnedSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """Owner as ``school`` (学校标识码) or ``owner_region`` (region code); out-of-scope owners are "not found"."""

    school = serializers.SlugRelatedField(slug_field="code", queryset=School.objects.all(), required=False,
                                          allow_null=True)
    owner_region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all(), required=False,
                                                allow_null=True)
    owner_name = serializers.CharField(read_only=True)
    province = serializers.CharField(source="province_id", read_only=True)
    prefecture = serializers.CharField(source="prefecture_id", read_only=True)
    county = serializers.CharField(source="county_id", read_only=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["school"].queryset = School.objects.visible_to(request.user)  # type: ignore[attr-defined]
            self.fields["owner_region"].queryset = Region.objects.visible_to(request.user)  # type: ignore[attr-defined]


OWNER_FIELDS = ["school", "owner_region", "owner_name", "province", "prefecture", "county"]


class WebsiteSerializer(OwnedSerializer):
    class Meta:
        model = Website
        fields = ["id", "url", "name", "category", *OWNER_FIELDS, "contact_name", "contact_phone", "icp_number",
                  "is_active"]
        # Uniqueness is reported by the action, so that every error has one shape.
        extra_kwargs: ClassVar[dict[str, dict[str, Any]]] = {"url": {"validators": []}}


class InformationSystemSerializer(OwnedSerializer):
    class Meta:
        model = InformationSystem
        fields = ["id", "name", *OWNER_FIELDS, "info_harm_object", "info_harm_degree", "service_harm_object",
                  "service_harm_degree", "level", "filing_number", "filing_date", "last_assessment_date",
                  "last_assessment_result", "next_assessment_due", "is_cii", "websites"]
        read_only_fields = ["level", "next_assessment_due", "websites"]


class EducationAppSerializer(OwnedSerializer):
    class Meta:
        model = EducationApp
        fields = ["id", "name", *OWNER_FIELDS, "platform", "provider", "filing_number", "status", "status_date"]


class FindingSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    url = serializers.CharField(source="website.url", read_only=True)

    class Meta:
        model = Finding
        fields = ["id", "website", "url", "check_name", "severity", "status", "first_seen", "last_seen",
                  "resolved_at", "summary", "evidence"]


class SiteStateSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = SiteState
        fields = ["website", "last_probed_at", "statuses", "available", "ipv6", "https", "cert_not_after",
                  "headers_grade", "score"]


class SweepSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Sweep
        fields = ["id", "region", "status", "created_at", "finished_at", "total_sites", "batch_size", "checks"]


def _transitions_for(serializer: serializers.Serializer, workflow: Workflow, obj: Any) -> list[str]:  # type: ignore[type-arg]
    """The steps the requesting user may take on ``obj`` now, read from the workflow table (as the pages do)."""
    user = getattr(serializer.context.get("request"), "user", None)
    if user is None or not can(user, "change", obj):
        return []
    return workflow.available_verbs(user, obj)


class NoticeSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    number = serializers.CharField(read_only=True)
    transitions = serializers.SerializerMethodField(help_text="The steps the caller may take on the notice now.")

    class Meta:
        model = Notice
        fields = ["id", "region", "title", "number", "status", "deadline", "created_at", "issued_at", "transitions"]

    def get_transitions(self, notice: Notice) -> list[str]:
        return _transitions_for(self, NOTICE_WORKFLOW, notice)


class NoticeItemSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    transitions = serializers.SerializerMethodField(help_text="The steps the caller may take on the item now.")

    class Meta:
        model = NoticeItem
        fields = ["id", "notice", "finding", "website", "school", "owner_region", "status", "acknowledged_at",
                  "response", "submitted_at", "reprobed_at", "reprobe_status", "closed_at", "escalated_at",
                  "transitions"]

    def get_transitions(self, item: NoticeItem) -> list[str]:
        if item.notice.status != NoticeStatus.ISSUED:
            return []
        return _transitions_for(self, ITEM_WORKFLOW, item)


class AlertChannelSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all())

    class Meta:
        model = AlertChannel
        fields = ["id", "name", "kind", "region", "target", "secret", "min_severity", "rate_limit_per_hour",
                  "enabled"]
        extra_kwargs = {"secret": {"write_only": True}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["region"].queryset = Region.objects.visible_to(request.user)  # type: ignore[attr-defined]


class AlertDeliverySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = AlertDelivery
        fields = ["id", "channel", "finding", "event", "title", "status", "reason", "created_at", "sent_at"]
