"""Admin (the province administrator's): indicator definitions as versioned YAML; computed values read-only.

A definition is never changed in place: saving writes the next version through ``actions.save_definition``,
so values computed earlier can still say which version they used. ``?code=X`` on the add page starts from
the definition in force (built in or saved)."""

from __future__ import annotations

from typing import Any

import yaml
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from edupulse.core.admin import ScopedModelAdmin
from edupulse.indicators.actions import save_definition
from edupulse.indicators.definitions import DefinitionError, effective, parse
from edupulse.indicators.models import IndicatorDefinition, IndicatorValue


class DefinitionForm(forms.ModelForm):  # type: ignore[type-arg]
    """The definition as YAML text, checked by the same parser as the built-in file."""

    text = forms.CharField(label=_("Definition (YAML)"), widget=forms.Textarea(attrs={"rows": 24, "cols": 100}),
                           help_text=_("code, name, theme, source, numerator, denominator, factor, unit, direction, "
                                       "target {value, comparator, source}, categories — as in the built-in file."))

    class Meta:
        model = IndicatorDefinition
        fields = ("is_active", "note")

    def clean_text(self) -> dict[str, Any]:
        try:
            raw = yaml.safe_load(self.cleaned_data["text"])
        except yaml.YAMLError as error:
            raise ValidationError(_("This is not valid YAML: %(error)s") % {"error": error}) from None
        try:
            parse(raw)
        except DefinitionError as error:
            raise ValidationError(str(error)) from None
        return dict(raw)


@admin.register(IndicatorDefinition)
class IndicatorDefinitionAdmin(ScopedModelAdmin):
    form = DefinitionForm
    list_display = ("code", "version", "name", "is_active", "note", "saved_by", "saved_at")
    list_filter = ("is_active",)
    search_fields = ("code", "note")

    @admin.display(description=_("name"))
    def name(self, obj: IndicatorDefinition) -> str:
        return str(obj.spec.get("name", ""))

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        current = effective().get(str(request.GET.get("code", "")))
        if current is not None:
            initial["text"] = yaml.safe_dump(current.as_yaml(), allow_unicode=True, sort_keys=False)
        return initial

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # versions are kept as saved; a change is a new version

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = save_definition(form.cleaned_data["text"], acting_user=request.user,  # type: ignore[arg-type]
                                is_active=form.cleaned_data["is_active"], note=form.cleaned_data["note"])
        obj.pk = saved.pk  # the admin's redirect and message name the stored version


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ScopedModelAdmin):
    list_display = ("indicator", "region", "period", "basis", "value", "numerator", "denominator",
                    "schools_with_data", "schools_expected", "attained", "rank", "computed_at")
    list_filter = ("period", "basis", "level", "indicator")
    search_fields = ("indicator", "region__name", "region__code")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
