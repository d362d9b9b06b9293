"""A school's submission: opening, entering values, and the review workflow (``SUBMISSION_WORKFLOW``:
draft → submitted → county_approved → prefecture_approved → province_approved (locked); each level may return
what waits for it, a higher level may reopen what a lower level approved)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from edupulse.collection import expressions
from edupulse.collection.definitions import (
    FormSpec,
    previous_period,
)
from edupulse.collection.models import FormVersion, Submission
from edupulse.collection.models.submission import EDITABLE, REVIEWING_LEVEL, SUBMISSION_WORKFLOW, SubmissionStatus
from edupulse.collection.registry import spec_for
from edupulse.collection.validation import blocking, validate
from edupulse.core import audit
from edupulse.core.actions import action, save_instance
from edupulse.core.actors import Actor
from edupulse.core.permissions import require
from edupulse.core.workflows import Transition
from edupulse.indicators.refresh import request_recompute
from edupulse.orgs.models import School


def freeze_version(version: FormVersion, acting_user: Actor) -> None:
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
    count_issues(submission)
    save_instance(submission, acting_user=acting_user)
    freeze_version(version, acting_user)
    return submission


@action
def create_submission(version: FormVersion, school: School, period: str, values: Mapping[str, Any], *,
                      acting_user: Actor, explanations: Mapping[str, str] | None = None) -> Submission:
    """A new draft saved with its first values: the entry page creates a submission only when it is saved."""
    if Submission.objects.filter(form_id=version.form_id, school=school, period=period).exists():
        raise ValidationError(_("%(school)s already has a submission of this form for %(period)s.")
                              % {"school": school.name, "period": period})
    submission = open_submission(version, school, period, acting_user=acting_user)
    return save_values(submission, values, explanations=explanations, acting_user=acting_user)


def count_issues(submission: Submission) -> None:
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
    count_issues(submission)
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
    return save_instance(stored, acting_user=acting_user)


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
    request_recompute([submission.period])  # what counts as reported or approved has changed
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
