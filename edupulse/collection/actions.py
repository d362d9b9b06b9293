"""State changes of the collection app. Every function here is an action (see core.actions).

* ``load_forms`` loads the shipped YAML definitions into versioned form models.
* ``open_submission`` / ``save_values`` create and edit a school's submission (draft or returned only).
* ``submit`` / ``approve`` / ``return_submission`` / ``reopen`` move it through the review workflow:
  draft → submitted → county_approved → prefecture_approved → province_approved (locked); each level
  may return what waits for it, a higher level may reopen what a lower level approved.
* ``store_records`` writes the accepted records of an import in bulk (with one audit row each).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from edupulse.collection import expressions
from edupulse.collection.definitions import (
    FORMS_DIR,
    DefinitionError,
    FormSpec,
    load_yaml,
    previous_period,
)
from edupulse.collection.models import Field, Form, FormVersion, SavedExtract, Section, Submission, ValidationRule
from edupulse.collection.models.submission import EDITABLE, REVIEWING_LEVEL, SUBMISSION_WORKFLOW, SubmissionStatus
from edupulse.collection.registry import other_form_fields, spec_for
from edupulse.collection.validation import blocking, validate
from edupulse.core import audit
from edupulse.core.actions import action, save_instance
from edupulse.core.actors import Actor, is_system
from edupulse.core.permissions import can, require
from edupulse.core.scoping import scope_of
from edupulse.core.workflows import Transition
from edupulse.orgs.models import School

if TYPE_CHECKING:
    pass



# ------------------------------------------------------------------------------------------------ forms


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
    from dataclasses import asdict

    return {
        "yoy_threshold": spec.yoy_threshold, "yoy_fields": list(spec.yoy_fields), "yoy_severity": spec.yoy_severity,
        "outliers": asdict(spec.outliers), "indicators": [asdict(i) for i in spec.indicators],
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
        from edupulse.collection.registry import build_spec

        stored = FormVersion.objects.get(pk=version.pk)
        _change_version(stored, acting_user, checksum=build_spec(stored).checksum())
    return saved


# ------------------------------------------------------------------------------------------ submissions


def _freeze(version: FormVersion, acting_user: Actor) -> None:
    if not version.frozen:
        FormVersion.objects.filter(pk=version.pk).update(frozen=True)
        version.frozen = True
        audit.record("collection.formversion.freeze", version, acting_user=acting_user, before={"frozen": False},
                     after={"frozen": True})


def check_school_for_form(spec: FormSpec, school: School, period: str) -> None:
    if not spec.valid_period(period):
        raise ValidationError({"period": _("“%(period)s” is not a valid %(type)s period.")
                               % {"period": period, "type": spec.period_type}})
    if not spec.applies_to(school.category, school.county_id):
        raise ValidationError(_("The form “%(form)s” is not assigned to %(school)s (category %(category)s).")
                              % {"form": spec.name, "school": school.name, "category": school.category})


@action
def open_submission(version: FormVersion, school: School, period: str, *, acting_user: Actor) -> Submission:
    """The school's submission of this form and period, created as a draft when there is none."""
    existing = Submission.objects.filter(form_id=version.form_id, school=school, period=period).first()
    if existing is not None:
        require(acting_user, "view", existing)
        return existing
    spec = spec_for(version)
    check_school_for_form(spec, school, period)
    submission = Submission(form_id=version.form_id, version=version, school=school, period=period,
                            status=SubmissionStatus.DRAFT)
    submission.issues = [i.as_dict() for i in validate(spec, {}, prev=None)]
    _count(submission)
    save_instance(submission, acting_user=acting_user)
    _freeze(version, acting_user)
    return submission


def _count(submission: Submission) -> None:
    submission.error_count = sum(1 for i in submission.issues if i["severity"] == "error")
    submission.warning_count = sum(1 for i in submission.issues if i["severity"] == "warning")


def context_values(spec: FormSpec, school_ids: Sequence[int], period: str
                   ) -> tuple[dict[int, dict[str, Any]], dict[int, dict[str, dict[str, Any]]]]:
    """Last period's values and other forms' values of the same period, per school, for the rules."""
    prev: dict[int, dict[str, Any]] = {}
    previous = previous_period(spec.period_type, period)
    if previous and (spec.yoy_fields or any(r.scope == expressions.PREV for rule in spec.rules
                                            for r in expressions.references(rule.node))):
        for school_id, values in (Submission.objects.filter(form__code=spec.code, period=previous,
                                                            school_id__in=school_ids)
                                  .values_list("school_id", "values").iterator(chunk_size=2000)):
            prev[school_id] = values
    other_codes = {r.scope for rule in spec.rules for r in expressions.references(rule.node)
                   if r.scope not in {"", expressions.PREV}}
    others: dict[int, dict[str, dict[str, Any]]] = {}
    if other_codes:
        for school_id, code, values in (Submission.objects.filter(form__code__in=other_codes, period=period,
                                                                  school_id__in=school_ids)
                                        .values_list("school_id", "form__code", "values")):
            others.setdefault(school_id, {})[code] = values
    return prev, others


def revalidate(submission: Submission) -> FormSpec:
    spec = spec_for(submission.version)
    prev, others = context_values(spec, [submission.school_id], submission.period)
    issues = validate(spec, submission.values, prev=prev.get(submission.school_id),
                      others=others.get(submission.school_id, {}))
    submission.issues = [i.as_dict() for i in issues]
    _count(submission)
    return spec


@action
def save_values(submission: Submission, values: Mapping[str, Any], *, acting_user: Actor,
                explanations: Mapping[str, str] | None = None, source: str = "web") -> Submission:
    """Replace the values (and explanations) of an editable submission and re-validate it."""
    stored = Submission.objects.select_for_update().get(pk=submission.pk)
    require(acting_user, "change", stored)
    if stored.status not in EDITABLE:
        raise ValidationError(_("This submission is %(status)s and can no longer be changed.")
                              % {"status": stored.get_status_display()})
    spec = spec_for(stored.version)
    unknown = set(values) - set(spec.fields_by_code)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    stored.values = {f.code: values.get(f.code) for f in spec.fields}
    stored.explanations = {k: v for k, v in (explanations or {}).items() if v and str(v).strip()}
    stored.source = source
    revalidate(stored)
    saved = save_instance(stored, acting_user=acting_user)
    assert isinstance(saved, Submission)
    return saved


def _transition(submission: Submission, step: Transition, *, acting_user: Actor, comment: str = "") -> Submission:
    """Move the submission along ``step`` of :data:`SUBMISSION_WORKFLOW` and audit it as ``collection.submission.<verb>``."""
    before = {"status": submission.status, "review_comment": submission.review_comment}
    assert step.target is not None
    submission.status = step.target
    fields = ["status", "updated_at"]
    if comment or step.verb in {"return", "reopen", "approve"}:
        submission.review_comment = comment
        fields.append("review_comment")
    if step.verb == "submit" and submission.submitted_at is None:
        submission.submitted_at = timezone.now()
        fields.append("submitted_at")
    submission.save(update_fields=fields)
    audit.record(f"collection.submission.{step.verb}", submission, acting_user=acting_user, before=before,
                 after={"status": step.target, "review_comment": submission.review_comment})
    return submission


def _locked_get(submission: Submission, acting_user: Actor) -> Submission:
    stored = Submission.objects.select_for_update().select_related("version", "school").get(pk=submission.pk)
    require(acting_user, "change", stored)
    return stored


@action
def submit(submission: Submission, *, acting_user: Actor) -> Submission:
    """Send a draft (or returned) submission for review; refused while errors or unexplained warnings remain."""
    stored = _locked_get(submission, acting_user)
    step = SUBMISSION_WORKFLOW.enforce(acting_user, stored, "submit", message_args=_message_args(stored))
    revalidate(stored)
    Submission.objects.filter(pk=stored.pk).update(issues=stored.issues, error_count=stored.error_count,
                                                   warning_count=stored.warning_count)
    problems = blocking(stored.issues, _explanations(stored))
    if problems:
        raise ValidationError([p["message"] for p in problems[:50]])
    return _transition(stored, step, acting_user=acting_user)


def _explanations(submission: Submission) -> dict[str, str]:
    notes = dict(submission.explanations or {})
    general = notes.get("*", "")
    if general:
        for issue in submission.issues:
            notes.setdefault(issue["field"], general)
    return notes


def _message_args(submission: Submission) -> dict[str, Any]:
    """What the workflow's refusals name: the current state and the level whose turn it is."""
    level = REVIEWING_LEVEL.get(SubmissionStatus(submission.status), "")
    return {"status": submission.get_status_display(), "level": _level_label(level)}


def _level_label(level: str) -> str:
    return {"county": _("county"), "prefecture": _("prefecture"), "province": _("province")}.get(level, level)


@action
def approve(submission: Submission, *, acting_user: Actor, comment: str = "") -> Submission:
    """Approve what waits for the caller's level; the next level up then reviews it (the province locks it)."""
    stored = _locked_get(submission, acting_user)
    step = SUBMISSION_WORKFLOW.enforce(acting_user, stored, "approve", message_args=_message_args(stored))
    return _transition(stored, step, acting_user=acting_user, comment=comment)


@action
def return_submission(submission: Submission, *, acting_user: Actor, comment: str) -> Submission:
    """Send a submission that waits for the caller's level back to the school with a comment."""
    if not comment.strip():
        raise ValidationError({"comment": _("Say what must be corrected when returning a submission.")})
    stored = _locked_get(submission, acting_user)
    step = SUBMISSION_WORKFLOW.enforce(acting_user, stored, "return", message_args=_message_args(stored))
    return _transition(stored, step, acting_user=acting_user, comment=comment.strip())


@action
def reopen(submission: Submission, *, acting_user: Actor, comment: str) -> Submission:
    """Unlock approved data: a level above the one that approved it (the province for its own lock)."""
    if not comment.strip():
        raise ValidationError({"comment": _("Say why the submission is reopened.")})
    stored = _locked_get(submission, acting_user)
    step = SUBMISSION_WORKFLOW.enforce(acting_user, stored, "reopen", message_args=_message_args(stored))
    return _transition(stored, step, acting_user=acting_user, comment=comment.strip())


# ------------------------------------------------------------------------------------------------ import


@dataclass
class PreparedRecord:
    """One school's record after parsing and validation, ready to store."""

    school: School
    values: dict[str, Any]
    explanations: dict[str, str]
    issues: list[dict[str, Any]]
    checksum: str
    source: str


@action
def store_records(version: FormVersion, period: str, records: Sequence[PreparedRecord], *,
                  acting_user: Actor, submit_clean: bool = True) -> dict[int, str]:
    """Create or replace submissions in bulk; returns school id → resulting status.

    Callers have checked scope, assignment and that no existing submission is locked. A record with no
    errors and every warning explained is submitted at once when ``submit_clean``; otherwise it stays
    a draft the school can fix online.
    """
    if not records:
        return {}
    now = timezone.now()
    existing = {s.school_id: s for s in Submission.objects.select_for_update().filter(
        form_id=version.form_id, period=period, school_id__in=[r.school.pk for r in records])}
    to_create: list[Submission] = []
    to_update: list[Submission] = []
    result: dict[int, str] = {}
    for record in records:
        current = existing.get(record.school.pk)
        if current is not None and current.status not in EDITABLE and current.status != SubmissionStatus.SUBMITTED:
            raise ValidationError(_("School %(code)s: the submission is locked.") % {"code": record.school.code})
        if (current is not None and current.values == record.values and current.explanations == record.explanations
                and current.version_id == version.pk):
            result[record.school.pk] = current.status  # idempotent re-import: nothing to write
            continue
        clean = not blocking(record.issues, {**{i["field"]: record.explanations.get("*", "") for i in record.issues},
                                             **record.explanations})
        status = SubmissionStatus.SUBMITTED if submit_clean and clean else SubmissionStatus.DRAFT
        target = current or Submission(form_id=version.form_id, school=record.school, period=period)
        if current is None and not can(acting_user, "add", target):
            raise PermissionDenied(_("You may not add submissions for school %(code)s.") % {"code": record.school.code})
        target.version = version
        target.values, target.explanations, target.issues = record.values, record.explanations, record.issues
        target.status, target.source, target.file_checksum = status, record.source, record.checksum
        target.updated_at = now
        if status == SubmissionStatus.SUBMITTED and target.submitted_at is None:
            target.submitted_at = now
        _count(target)
        (to_update if current is not None else to_create).append(target)
        result[record.school.pk] = status
    if to_create:
        created = Submission.objects.bulk_create(to_create, batch_size=1000)
        if not all(s.pk for s in created):
            by_school = dict(Submission.objects.filter(form_id=version.form_id, period=period,
                                                       school_id__in=[s.school_id for s in created])
                             .values_list("school_id", "pk"))
            for s in created:
                s.pk = by_school[s.school_id]
        audit.record_many("collection.submission.import", list(created), acting_user=acting_user)
    if to_update:
        Submission.objects.bulk_update(
            to_update, ["version", "values", "explanations", "issues", "status", "source", "file_checksum",
                        "updated_at", "submitted_at", "error_count", "warning_count"], batch_size=1000)
        audit.record_many("collection.submission.reimport", list(to_update), acting_user=acting_user)
    if to_create or to_update:
        _freeze(version, acting_user)
    return result


def locked_schools(form: Form, period: str, school_ids: Sequence[int]) -> set[int]:
    """Schools whose submission has been approved at some level (imports may not touch them)."""
    return set(Submission.objects.filter(form=form, period=period, school_id__in=school_ids)
               .filter(~Q(status__in=[*EDITABLE, SubmissionStatus.SUBMITTED])).values_list("school_id", flat=True))


# ---------------------------------------------------------------------------------------------- extracts


@action
def save_extract(extract: SavedExtract, *, acting_user: Actor, region_code: str = "") -> SavedExtract:
    """Create or change a saved extract; a new one is placed in the area of the officer who saves it."""
    if extract._state.adding:
        extract.owner = None if is_system(acting_user) else acting_user
        extract.place(region_code or scope_of(acting_user).region_code)
    saved = save_instance(extract, acting_user=acting_user)
    assert isinstance(saved, SavedExtract)
    return saved


@action
def delete_extract(extract: SavedExtract, *, acting_user: Actor) -> None:
    from edupulse.core.actions import delete_instance

    delete_instance(extract, acting_user=acting_user)
