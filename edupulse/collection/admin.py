"""Admin: form definitions are editable until frozen (through ``save_form_part``); submissions are read-only
here because they change only through the entry form, imports and the review workflow."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from edupulse.collection import actions
from edupulse.collection.models import Field, Form, FormVersion, SavedExtract, Section, Submission, ValidationRule
from edupulse.core.admin import ScopedModelAdmin


class DefinitionAdmin(ScopedModelAdmin):
    save_action = staticmethod(actions.save_form_part)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # definitions are versioned, never deleted


@admin.register(Form)
class FormAdmin(DefinitionAdmin):
    list_display = ("code", "name", "period_type", "deadline_days", "is_active")
    search_fields = ("code", "name")


@admin.register(FormVersion)
class FormVersionAdmin(DefinitionAdmin):
    list_display = ("form", "number", "is_current", "frozen", "checksum", "created_at")
    list_filter = ("is_current", "frozen")
    readonly_fields = ("form", "number", "checksum", "frozen", "created_at")


@admin.register(Section)
class SectionAdmin(DefinitionAdmin):
    list_display = ("version", "order", "code", "title")


@admin.register(Field)
class FieldAdmin(DefinitionAdmin):
    list_display = ("version", "order", "code", "label", "type", "unit", "required", "min_value", "max_value")
    list_filter = ("type", "required")
    search_fields = ("code", "label")
    readonly_fields = ("version", "code")


@admin.register(ValidationRule)
class ValidationRuleAdmin(DefinitionAdmin):
    list_display = ("version", "code", "severity", "missing_strategy", "expression", "message")
    list_filter = ("severity", "missing_strategy")
    readonly_fields = ("version",)


@admin.register(Submission)
class SubmissionAdmin(ScopedModelAdmin):
    list_display = ("school", "form", "period", "status", "error_count", "warning_count", "submitted_at")
    list_filter = ("status", "period")
    search_fields = ("school__code", "school__name")
    list_select_related = ("school", "form")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SavedExtract)
class SavedExtractAdmin(ScopedModelAdmin):
    list_display = ("name", "form", "owner", "created_at")
    save_action = staticmethod(actions.save_extract)
    delete_action = staticmethod(actions.delete_extract)
