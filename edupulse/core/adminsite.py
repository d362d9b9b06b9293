"""The admin site of EduPulse: the Django admin, opened to the province administrator and superusers only.

Kept apart from ``core/admin.py`` because ``AdminConfig.default_site`` imports it before the app registry is
ready (no models here).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest

from edupulse.core.administration import may_use_admin


class EduPulseAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        # Officers below the province manage their settings on the product page (core:settings) instead.
        return may_use_admin(request.user)


class EduPulseAdminConfig(AdminConfig):
    default_site = "edupulse.core.adminsite.EduPulseAdminSite"
