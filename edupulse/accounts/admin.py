from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import TokenProxy

from edupulse.accounts import actions
from edupulse.accounts.models import User
from edupulse.core.admin import ScopedModelAdmin

# Roles and scopes replace Django groups; tokens are obtained at /api/auth/token/, never listed.
for unscoped in (Group, TokenProxy):
    if admin.site.is_registered(unscoped):
        admin.site.unregister(unscoped)


@admin.register(User)
class UserAdmin(ScopedModelAdmin, DjangoUserAdmin):
    list_display = ("username", "first_name", "role", "scope_region", "scope_school", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("", {"fields": ("first_name", "last_name", "email", "phone")}),
        ("", {"fields": ("role", "scope_region", "scope_school", "is_active")}),
    )
    add_fieldsets = ((None, {"fields": ("username", "password1", "password2", "role", "scope_region", "scope_school")}),)
    raw_id_fields = ("scope_school",)
    save_action = staticmethod(actions.save_user)
