"""From stored form versions to :class:`~edupulse.collection.definitions.FormSpec` (cached per process)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from edupulse.collection.definitions import (
    Choice,
    FieldSpec,
    FormSpec,
    OutlierSpec,
    RuleSpec,
    SectionSpec,
)
from edupulse.collection.models import Form, FormVersion

_CACHE: dict[tuple[int, str], FormSpec] = {}


def spec_for(version: FormVersion) -> FormSpec:
    """The spec of a stored version; cached by (id, checksum) so an edit in the admin is seen at once."""
    key = (version.pk, version.checksum)
    spec = _CACHE.get(key)
    if spec is None:
        spec = build_spec(version)
        _CACHE[key] = spec
    return spec


def build_spec(version: FormVersion) -> FormSpec:
    form = version.form
    sections = list(version.sections.order_by("order"))
    fields = list(version.fields.order_by("order").select_related("section"))
    rules = list(version.rules.order_by("order"))
    extras = version.extras or {}
    field_specs = tuple(
        FieldSpec(code=f.code, label=f.label, type=f.type, section=f.section.code, unit=f.unit, required=f.required,
                  min=f.min_value, max=f.max_value, decimals=f.decimals, max_length=f.max_length, help=f.help_text,
                  choices=tuple(Choice(str(c["code"]), str(c["label"])) for c in f.choices))
        for f in fields
    )
    outliers = extras.get("outliers") or {}
    return FormSpec(
        code=form.code, name=form.name, version=version.number, period_type=form.period_type,
        sections=tuple(SectionSpec(s.code, s.title, tuple(f.code for f in fields if f.section_id == s.pk))
                       for s in sections),
        fields=field_specs,
        rules=tuple(RuleSpec(code=r.code, expr=r.expression, severity=r.severity, missing=r.missing_strategy,
                             message=r.message) for r in rules),
        description=form.description, deadline_days=form.deadline_days, categories=tuple(form.categories),
        regions=tuple(form.regions), yoy_threshold=extras.get("yoy_threshold"),
        yoy_fields=tuple(extras.get("yoy_fields") or ()), yoy_severity=extras.get("yoy_severity", "warning"),
        outliers=OutlierSpec(fields=tuple(outliers.get("fields") or ()), threshold=outliers.get("threshold", 3.5),
                             min_peers=outliers.get("min_peers", 8),
                             group_by=tuple(outliers.get("group_by") or ("category", "prefecture"))),
    )


def current_version(form_code: str) -> FormVersion:
    """The current version of a form by code; ValidationError with a translated message if unknown."""
    version = (FormVersion.objects.select_related("form").filter(form__code=form_code, is_current=True)
               .order_by("-number").first())
    if version is None:
        known = ", ".join(Form.objects.order_by("code").values_list("code", flat=True)) or "-"
        raise ValidationError(_("There is no form “%(code)s”. Known forms: %(known)s.") % {"code": form_code,
                                                                                       "known": known})
    return version


def other_form_fields() -> dict[str, set[str]]:
    """Field codes of the current version of every form, for checking cross-form references."""
    result: dict[str, set[str]] = {}
    for version in FormVersion.objects.filter(is_current=True).select_related("form"):
        result[version.form.code] = set(version.fields.values_list("code", flat=True))
    return result
