"""Loading and editing form definitions (versioned; a version that holds data is frozen)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from edupulse.collection import expressions
from edupulse.collection.definitions import (
    FORMS_DIR,
    DefinitionError,
    FormSpec,
    load_yaml,
)
from edupulse.collection.models import Field, Form, FormVersion, Section, ValidationRule
from edupulse.collection.registry import build_spec, other_form_fields
from edupulse.core import audit
from edupulse.core.actions import action, save_instance
from edupulse.core.actors import Actor
from edupulse.core.permissions import require


@dataclass(frozen=True)
class FormLoadResult:
    code: str
    version: int
    status: str  # created | updated | unchanged


@action
def load_forms(*, acting_user: Actor, directory: Path = FORMS_DIR) -> list[FormLoadResult]:
    """Load every ``*.yaml`` in ``directory``. Idempotent; a changed definition of a frozen version is
    refused (give it a new ``version:``)."""
    require(acting_user, "add", Form)
    specs = [load_yaml(path) for path in sorted(directory.glob("*.yaml"))]
    known = other_form_fields()
    known.update({spec.code: {f.code for f in spec.fields} for spec in specs})
    for spec in specs:
        for rule in spec.rules:
            try:
                expressions.check_references(rule.node, own_fields=known[spec.code], other_forms=known)
            except expressions.ExpressionError as exc:
                raise DefinitionError(f"{spec.code}: {rule.code}: {exc}") from None
    return [_store_spec(spec, acting_user) for spec in specs]


def _extras(spec: FormSpec) -> dict[str, Any]:
    return {
        "yoy_threshold": spec.yoy_threshold, "yoy_fields": list(spec.yoy_fields), "yoy_severity": spec.yoy_severity,
        "outliers": asdict(spec.outliers),
    }


def _store_spec(spec: FormSpec, acting_user: Actor) -> FormLoadResult:
    form = Form.objects.filter(code=spec.code).first() or Form(code=spec.code)
    form.name, form.description, form.period_type = spec.name, spec.description, spec.period_type
    form.deadline_days, form.categories, form.regions = spec.deadline_days, list(spec.categories), list(spec.regions)
    save_instance(form, acting_user=acting_user)
    checksum = spec.checksum()
    version = FormVersion.objects.filter(form=form, number=spec.version).first()
    if version is not None and version.checksum == checksum:
        status = "unchanged"
    elif version is not None and version.frozen:
        raise DefinitionError(
            _("%(code)s version %(version)d already holds data and is frozen; raise “version:” in the YAML file to "
              "change the form.") % {"code": spec.code, "version": spec.version})
    else:
        status = "updated" if version is not None else "created"
        if version is None:
            version = FormVersion(form=form, number=spec.version)
        else:
            before = audit.snapshot(version)
            version.sections.all().delete()
            version.rules.all().delete()
            audit.record("collection.formversion.rebuild", version, acting_user=acting_user, before=before)
        version.checksum, version.extras = checksum, _extras(spec)
        save_instance(version, acting_user=acting_user)
        _create_children(version, spec, acting_user)
    newest = FormVersion.objects.filter(form=form).order_by("-number").values_list("pk", flat=True).first() or 0
    for stale in FormVersion.objects.filter(form=form, is_current=True).exclude(pk=newest):
        _change_version(stale, acting_user, is_current=False)
    for current in FormVersion.objects.filter(pk=newest, is_current=False):
        _change_version(current, acting_user, is_current=True)
    return FormLoadResult(spec.code, spec.version, status)


def _change_version(version: FormVersion, acting_user: Actor, **changes: Any) -> None:
    """Set bookkeeping columns of a form version (current flag, checksum, frozen) with an audit row of the
    change; a plain ``save`` would re-run the version's validation for columns no one edits by hand."""
    before = {name: getattr(version, name) for name in changes}
    if before == changes:
        return
    FormVersion.objects.filter(pk=version.pk).update(**changes)
    for name, value in changes.items():
        setattr(version, name, value)
    audit.record("collection.formversion.update", version, acting_user=acting_user, before=before, after=changes)


def _create_children(version: FormVersion, spec: FormSpec, acting_user: Actor) -> None:
    sections = Section.objects.bulk_create(
        [Section(version=version, code=s.code, title=s.title, order=i) for i, s in enumerate(spec.sections)])
    by_code = {s.code: s for s in sections}
    fields = Field.objects.bulk_create([
        Field(version=version, section=by_code[f.section], code=f.code, label=f.label, type=f.type, unit=f.unit,
              required=f.required, min_value=f.min, max_value=f.max, decimals=f.decimals, max_length=f.max_length,
              help_text=f.help, choices=[{"code": c.code, "label": c.label} for c in f.choices], order=i)
        for i, f in enumerate(spec.fields)
    ])
    rules = ValidationRule.objects.bulk_create([
        ValidationRule(version=version, code=r.code, expression=r.expr, severity=r.severity,
                       missing_strategy=r.missing, message=r.message, order=i)
        for i, r in enumerate(spec.rules)
    ])
    audit.record_many("collection.section.create", list(sections), acting_user=acting_user)
    audit.record_many("collection.field.create", list(fields), acting_user=acting_user)
    audit.record_many("collection.validationrule.create", list(rules), acting_user=acting_user)


@action
def save_form_part(instance: Section | Field | ValidationRule | FormVersion | Form, *,
                   acting_user: Actor) -> Any:
    """Edit a form definition in the admin; refused once the version is frozen."""
    version = instance if isinstance(instance, FormVersion) else getattr(instance, "version", None)
    if version is not None and version.pk and FormVersion.objects.filter(pk=version.pk, frozen=True).exists():
        raise ValidationError(_("This form version already holds data and is frozen. Load a new version instead."))
    if isinstance(instance, ValidationRule):
        try:
            node = expressions.parse(instance.expression)
            known = other_form_fields()
            own = set(Field.objects.filter(version=instance.version).values_list("code", flat=True))
            expressions.check_references(node, own_fields=own, other_forms=known)
        except expressions.ExpressionError as exc:
            raise ValidationError({"expression": str(exc)}) from None
    saved = save_instance(instance, acting_user=acting_user)
    if version is not None and version.pk and not isinstance(instance, FormVersion | Form):
        # A new checksum invalidates the cached spec and old templates.
        stored = FormVersion.objects.get(pk=version.pk)
        _change_version(stored, acting_user, checksum=build_spec(stored).checksum())
    return saved
