from django.contrib import admin

from edupulse.core.admin import ScopedModelAdmin
from edupulse.monitoring import actions
from edupulse.monitoring.models import (
    AlertChannel,
    AlertDelivery,
    EducationApp,
    Finding,
    InformationSystem,
    MaintenanceWindow,
    Notice,
    Sweep,
    Website,
)


class ReadOnlyAdmin(ScopedModelAdmin):
    """Written by the platform only (probes, flows); the admin shows them."""

    def has_add_permission(self, request, *args):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Website)
class WebsiteAdmin(ScopedModelAdmin):
    list_display = ("url", "name", "category", "owner_name", "county", "is_active")
    list_filter = ("category", "is_active")
    search_fields = ("url", "name", "icp_number")
    raw_id_fields = ("school",)
    list_select_related = ("school", "owner_region", "county")
    save_action = staticmethod(actions.save_website)
    delete_action = staticmethod(actions.delete_website)


@admin.register(InformationSystem)
class InformationSystemAdmin(ScopedModelAdmin):
    list_display = ("name", "level", "owner_name", "filing_number", "next_assessment_due", "is_cii")
    list_filter = ("level", "is_cii", "last_assessment_result")
    search_fields = ("name", "filing_number")
    raw_id_fields = ("school", "websites")  # a province has tens of thousands of sites: no select boxes
    readonly_fields = ("level", "next_assessment_due")
    save_action = staticmethod(actions.save_system)
    delete_action = staticmethod(actions.delete_system)


@admin.register(EducationApp)
class EducationAppAdmin(ScopedModelAdmin):
    list_display = ("name", "platform", "provider", "status", "filing_number", "owner_name")
    list_filter = ("platform", "status")
    search_fields = ("name", "provider", "filing_number")
    raw_id_fields = ("school",)
    save_action = staticmethod(actions.save_app)
    delete_action = staticmethod(actions.delete_app)


@admin.register(AlertChannel)
class AlertChannelAdmin(ScopedModelAdmin):
    list_display = ("name", "kind", "region", "min_severity", "rate_limit_per_hour", "enabled")
    list_filter = ("kind", "enabled")
    save_action = staticmethod(actions.save_channel)


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(ScopedModelAdmin):
    list_display = ("starts_at", "ends_at", "region", "website", "reason")
    raw_id_fields = ("website",)
    save_action = staticmethod(actions.save_window)


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ("website", "check_name", "severity", "status", "first_seen", "last_seen")
    list_filter = ("status", "severity", "check_name")


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ("title", "number", "region", "status", "deadline")
    list_filter = ("status",)


@admin.register(Sweep)
class SweepAdmin(ReadOnlyAdmin):
    list_display = ("pk", "region", "status", "total_sites", "created_at", "finished_at")


@admin.register(AlertDelivery)
class AlertDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "channel", "title", "status", "reason")
    list_filter = ("status",)
