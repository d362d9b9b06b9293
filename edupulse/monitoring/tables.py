"""Tables of the monitoring pages (also their CSV/Excel exports). Website, system and app column
headers are the import headers, so an export can be edited and imported back."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from edupulse.monitoring.models import (
    AlertChannel,
    AlertDelivery,
    EducationApp,
    Finding,
    InformationSystem,
    MaintenanceWindow,
    Notice,
    NoticeItem,
)
from edupulse.monitoring.models import Website as WebsiteModel
from edupulse.monitoring.models.notices import OPEN_ITEM_STATUSES, NoticeStatus


class OwnerColumns(tables.Table):
    school_code = tables.Column(
        accessor="school__code", verbose_name=pgettext_lazy("asset column", "Owner school code"), default=""
    )
    region_code = tables.Column(
        accessor="owner_region_id", verbose_name=pgettext_lazy("asset column", "Owner bureau region code"), default=""
    )
    owner = tables.Column(
        accessor="owner_name", verbose_name=pgettext_lazy("asset column", "Owner"), orderable=False, exclude_from_export=True
    )


class WebsiteTable(OwnerColumns):
    url = tables.Column(verbose_name=pgettext_lazy("asset column", "URL"))
    name = tables.LinkColumn(
        "monitoring:website-detail", args=[tables.A("pk")], verbose_name=pgettext_lazy("asset column", "Name")
    )
    category = tables.Column(verbose_name=pgettext_lazy("asset column", "Category"))
    contact_name = tables.Column(verbose_name=pgettext_lazy("asset column", "Contact person"))
    contact_phone = tables.Column(verbose_name=pgettext_lazy("asset column", "Contact phone"))
    icp_number = tables.Column(verbose_name=pgettext_lazy("asset column", "ICP filing number"))

    class Meta:
        model = WebsiteModel
        fields = ("url", "name", "category", "school_code", "region_code", "owner", "contact_name", "contact_phone", "icp_number")
        sequence = fields
        order_by = ("url",)


class SystemTable(OwnerColumns):
    name = tables.LinkColumn(
        "monitoring:system-detail", args=[tables.A("pk")], verbose_name=pgettext_lazy("asset column", "Name")
    )
    info_harm_object = tables.Column(verbose_name=pgettext_lazy("asset column", "Business information: object harmed"))
    info_harm_degree = tables.Column(verbose_name=pgettext_lazy("asset column", "Business information: degree of harm"))
    service_harm_object = tables.Column(verbose_name=pgettext_lazy("asset column", "System service: object harmed"))
    service_harm_degree = tables.Column(verbose_name=pgettext_lazy("asset column", "System service: degree of harm"))
    level = tables.Column(verbose_name=pgettext_lazy("asset column", "Protection level"))
    filing_number = tables.Column(verbose_name=pgettext_lazy("asset column", "Filing number"))
    filing_date = tables.DateColumn(format="Y-m-d", verbose_name=pgettext_lazy("asset column", "Filing date"))
    last_assessment_date = tables.DateColumn(format="Y-m-d", verbose_name=pgettext_lazy("asset column", "Last assessment date"))
    last_assessment_result = tables.Column(verbose_name=pgettext_lazy("asset column", "Last assessment result"))
    next_assessment_due = tables.DateColumn(format="Y-m-d", verbose_name=pgettext_lazy("asset column", "Next assessment due"))
    is_cii = tables.BooleanColumn(verbose_name=pgettext_lazy("asset column", "Critical information infrastructure"))

    class Meta:
        model = InformationSystem
        fields = (
            "name",
            "school_code",
            "region_code",
            "owner",
            "info_harm_object",
            "info_harm_degree",
            "service_harm_object",
            "service_harm_degree",
            "level",
            "filing_number",
            "filing_date",
            "last_assessment_date",
            "last_assessment_result",
            "next_assessment_due",
            "is_cii",
        )
        sequence = fields
        order_by = ("-level", "name")


class AppTable(OwnerColumns):
    name = tables.Column(verbose_name=pgettext_lazy("asset column", "Name"))
    platform = tables.Column(verbose_name=pgettext_lazy("asset column", "Platform"))
    provider = tables.Column(verbose_name=pgettext_lazy("asset column", "Provider"))
    filing_number = tables.Column(verbose_name=pgettext_lazy("asset column", "Filing number"))
    status = tables.Column(verbose_name=pgettext_lazy("asset column", "Filing status"))
    status_date = tables.DateColumn(format="Y-m-d", verbose_name=pgettext_lazy("asset column", "Status date"))

    class Meta:
        model = EducationApp
        fields = ("name", "school_code", "region_code", "owner", "platform", "provider", "filing_number", "status", "status_date")
        sequence = fields
        order_by = ("name",)


class FindingTable(tables.Table):
    select = tables.CheckBoxColumn(accessor="pk", exclude_from_export=True, orderable=False)
    id = tables.LinkColumn("monitoring:finding-detail", args=[tables.A("pk")], verbose_name=_("No."))
    site = tables.Column(accessor="website__name", verbose_name=_("Website"))
    url = tables.Column(accessor="website__url", verbose_name=_("URL"))
    check_name = tables.Column(verbose_name=_("Check"))
    severity = tables.Column(verbose_name=_("Severity"))
    status = tables.Column(verbose_name=_("Status"))
    first_seen = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=_("First seen"))
    last_seen = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=_("Last seen"))
    summary = tables.Column(verbose_name=_("Summary"))

    class Meta:
        model = Finding
        fields = ("select", "id", "site", "url", "check_name", "severity", "status", "first_seen", "last_seen", "summary")
        sequence = fields
        order_by = ("-severity", "-first_seen")


class NoticeTable(tables.Table):
    title = tables.LinkColumn("monitoring:notice-detail", args=[tables.A("pk")], verbose_name=_("Title"))
    number = tables.Column(verbose_name=_("Document number"), orderable=False)
    region = tables.Column(accessor="region__name", verbose_name=_("Issued by"))
    status = tables.Column(verbose_name=_("Status"))
    deadline = tables.DateColumn(format="Y-m-d", verbose_name=_("Rectification deadline"))
    created_at = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=_("Created at"))

    class Meta:
        model = Notice
        fields = ("title", "number", "region", "status", "deadline", "created_at")
        sequence = fields
        order_by = ("-created_at",)


def item_overdue(item: NoticeItem) -> bool:
    """Still open after the deadline (and not yet escalated by ``edupulse monitor escalate``)."""
    return (item.status in OPEN_ITEM_STATUSES and item.notice.status == NoticeStatus.ISSUED
            and item.notice.deadline < timezone.localdate())


def item_status_label(item: NoticeItem) -> str:
    label = str(item.get_status_display())  # type: ignore[attr-defined]
    if item_overdue(item):
        return gettext("%(status)s (overdue)") % {"status": label}
    if item.escalated_at and item.status in OPEN_ITEM_STATUSES:  # rectifying late after escalation
        return gettext("%(status)s (escalated as overdue)") % {"status": label}
    return label


class NoticeItemTable(tables.Table):
    id = tables.LinkColumn("monitoring:item-detail", args=[tables.A("pk")], verbose_name=_("No."))
    notice = tables.Column(accessor="notice__title", verbose_name=_("Notice"))
    site = tables.Column(accessor="website__name", verbose_name=_("Website"))
    problem = tables.Column(accessor="finding__get_check_name_display", verbose_name=_("Problem"))
    deadline = tables.DateColumn(accessor="notice__deadline", format="Y-m-d", verbose_name=_("Rectification deadline"))
    status = tables.Column(verbose_name=_("Status"))

    class Meta:
        model = NoticeItem
        fields = ("id", "notice", "site", "problem", "deadline", "status")
        sequence = fields
        order_by = ("-id",)

    def render_status(self, value: Any, record: NoticeItem) -> str:
        return item_status_label(record)  # items past their deadline are marked, on the page and in exports

    def value_status(self, value: Any, record: NoticeItem) -> str:
        return item_status_label(record)


class DeliveryTable(tables.Table):
    created_at = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=_("Created at"))
    channel = tables.Column(accessor="channel__name", verbose_name=_("Channel"))
    title = tables.Column(verbose_name=_("Title"))
    status = tables.Column(verbose_name=_("Status"))
    reason = tables.Column(verbose_name=_("Reason"))

    class Meta:
        model = AlertDelivery
        fields = ("created_at", "channel", "title", "status", "reason")
        order_by = ("-created_at",)


class ChannelTable(tables.Table):
    """Alert channels, read-only (the target is left out: a webhook address carries its access token)."""

    # Headers are the fields' verbose names (the admin's words).
    region = tables.Column(accessor="region__name", verbose_name=_("region"))

    class Meta:
        model = AlertChannel
        fields = ("name", "kind", "region", "min_severity", "rate_limit_per_hour", "enabled")
        order_by = ("name",)


class WindowTable(tables.Table):
    """Maintenance windows (no alerts while one is open), read-only."""

    starts_at = tables.DateTimeColumn(format="Y-m-d H:i")
    ends_at = tables.DateTimeColumn(format="Y-m-d H:i")
    region = tables.Column(accessor="region__name", verbose_name=_("region"))
    website = tables.Column(accessor="website__name", verbose_name=_("website"), default="—")

    class Meta:
        model = MaintenanceWindow
        fields = ("starts_at", "ends_at", "region", "website", "reason")
        order_by = ("-starts_at",)
