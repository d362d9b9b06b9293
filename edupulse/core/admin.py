"""Admin base class: the same scope and role rules as every other page, and writes through actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from edupulse.core.actions import delete_object, save_object
from edupulse.core.models import AuditLog
from edupulse.core.permissions import can

# The admin speaks as the product, not as "Django 站点管理员" (core is the app every admin module imports).
admin.site.site_header = gettext_lazy("EduPulse administration")
admin.site.site_title = gettext_lazy("EduPulse administration")
admin.site.index_title = gettext_lazy("Settings and data")


class ScopedModelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Querysets, foreign-key choices and permissions follow ``visible_to`` and ``can``."""

    save_action: ClassVar[Callable[..., Any]] = staticmethod(save_object)
    delete_action: ClassVar[Callable[..., Any]] = staticmethod(delete_object)

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        return super().get_queryset(request).visible_to(request.user)  # type: ignore[attr-defined]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        related = db_field.related_model
        if hasattr(related._default_manager, "visible_to"):
            base = kwargs.get("queryset") or related._default_manager.all()
            kwargs["queryset"] = base.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, "view", self.model)

    def has_view_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return can(request.user, "view", obj if obj is not None else self.model)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return can(request.user, "add", self.model)

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return can(request.user, "change", obj if obj is not None else self.model)

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return can(request.user, "delete", obj if obj is not None else self.model)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        type(self).save_action(obj, acting_user=request.user)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        type(self).delete_action(obj, acting_user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        for obj in queryset:
            type(self).delete_action(obj, acting_user=request.user)


@admin.register(AuditLog)
class AuditLogAdmin(ScopedModelAdmin):
    list_display = ("sequence", "created_at", "actor_username", "source", "address", "kind", "action", "object_repr")
    list_filter = ("kind", "source")
    search_fields = ("action", "actor_username", "object_repr", "object_id")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False
