from django.contrib import admin

from edupulse.core.admin import ScopedModelAdmin
from edupulse.orgs import actions
from edupulse.orgs.models import Region, School


@admin.register(Region)
class RegionAdmin(ScopedModelAdmin):
    list_display = ("code", "name", "level", "parent", "is_rural_revitalization_key_county")
    list_filter = ("level", "is_rural_revitalization_key_county")
    search_fields = ("code", "name")
    readonly_fields = ("code", "name", "level", "parent")

    def has_add_permission(self, request, *args):  # type: ignore[no-untyped-def]
        return False  # regions come from GB/T 2260 (edupulse load-regions)


@admin.register(School)
class SchoolAdmin(ScopedModelAdmin):
    list_display = ("code", "name", "category", "county", "urban_rural", "ownership", "is_active")
    list_filter = ("category", "urban_rural", "ownership", "is_active")
    search_fields = ("code", "name")
    list_select_related = ("county",)
    save_action = staticmethod(actions.save_school)
    delete_action = staticmethod(actions.delete_school)
