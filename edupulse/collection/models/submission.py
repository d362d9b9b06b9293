"""Submissions: one school's values for one form and period, and where they are in the review workflow."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from edupulse.core.roles import READ_ONLY, VIEW, Role
from edupulse.core.scoping import ScopedManager
from edupulse.core.workflows import Transition, Workflow
from edupulse.orgs.models import School


class SubmissionStatus(models.TextChoices):
    """Where a submission is in the review workflow (:data:`SUBMISSION_WORKFLOW`)."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted, awaiting county review")
    COUNTY_APPROVED = "county_approved", _("Approved by county, awaiting prefecture")
    PREFECTURE_APPROVED = "prefecture_approved", _("Approved by prefecture, awaiting province")
    PROVINCE_APPROVED = "province_approved", _("Approved by province (locked)")
    RETURNED = "returned", _("Returned for correction")


# States in which the school (or an officer on its behalf) may still change values.
EDITABLE = frozenset({SubmissionStatus.DRAFT, SubmissionStatus.RETURNED})
# Approved at some level; with SUBMITTED, the states that count as "reported" for completeness.
APPROVED = frozenset({SubmissionStatus.COUNTY_APPROVED, SubmissionStatus.PREFECTURE_APPROVED,
                      SubmissionStatus.PROVINCE_APPROVED})
REPORTED = frozenset({SubmissionStatus.SUBMITTED, *APPROVED})

_WRITE = frozenset({VIEW, "add", "change"})

# Who fills in and who reviews: the school (or an officer for it) submits; each level's officer approves or
# returns what waits for that level; a level above the one that approved reopens (the province its own lock).
_ENTERERS = (Role.SCHOOL_CIO, Role.COUNTY_OFFICER, Role.PREFECTURE_OFFICER, Role.PROVINCE_ADMIN)
_COUNTY, _PREFECTURE, _PROVINCE = (Role.COUNTY_OFFICER,), (Role.PREFECTURE_OFFICER,), (Role.PROVINCE_ADMIN,)


def _step(source: str, verb: str, target: str, roles: tuple[str, ...], label: Any) -> Transition:
    return Transition(source=source, verb=verb, target=target, roles=frozenset(roles), label=label)


_S = SubmissionStatus
SUBMISSION_WORKFLOW = Workflow(
    name="collection.submission",
    transitions=(
        _step(_S.DRAFT, "submit", _S.SUBMITTED, _ENTERERS, _("Submit")),
        _step(_S.RETURNED, "submit", _S.SUBMITTED, _ENTERERS, _("Submit")),
        _step(_S.SUBMITTED, "approve", _S.COUNTY_APPROVED, _COUNTY, _("Approve")),
        _step(_S.SUBMITTED, "return", _S.RETURNED, _COUNTY, _("Return with comment")),
        _step(_S.COUNTY_APPROVED, "approve", _S.PREFECTURE_APPROVED, _PREFECTURE, _("Approve")),
        _step(_S.COUNTY_APPROVED, "return", _S.RETURNED, _PREFECTURE, _("Return with comment")),
        _step(_S.PREFECTURE_APPROVED, "approve", _S.PROVINCE_APPROVED, _PROVINCE, _("Approve")),
        _step(_S.PREFECTURE_APPROVED, "return", _S.RETURNED, _PROVINCE, _("Return with comment")),
        _step(_S.COUNTY_APPROVED, "reopen", _S.RETURNED, _PREFECTURE + _PROVINCE, _("Reopen")),
        _step(_S.PREFECTURE_APPROVED, "reopen", _S.RETURNED, _PROVINCE, _("Reopen")),
        _step(_S.PROVINCE_APPROVED, "reopen", _S.RETURNED, _PROVINCE, _("Reopen")),
    ),
    refusals={
        "submit": _("Only a draft or a returned submission can be submitted; this one is %(status)s."),
        "approve": _("This submission is %(status)s; there is nothing to approve."),
        "return": _("This submission is %(status)s and cannot be returned."),
        "reopen": _("Only approved submissions can be reopened."),
    },
    denials={
        "approve": _("Only the %(level)s education authority can do this at this stage."),
        "return": _("Only the %(level)s education authority can do this at this stage."),
        "reopen": _("Only a higher education authority can reopen approved data."),
    },
)

# The level whose officers review a submission in each waiting state (for messages and lists).
REVIEWING_LEVEL = {_S.SUBMITTED: "county", _S.COUNTY_APPROVED: "prefecture", _S.PREFECTURE_APPROVED: "province"}


class Submission(models.Model):
    """The values of one form for one school and period.

    ``values`` maps field codes to clean values (numbers, booleans, code strings, ISO dates, text);
    ``explanations`` maps field codes to the school's explanation of a warning; ``issues`` holds the
    result of the last validation (rule, field, severity, message) so lists can show it without
    re-validating.
    """

    form = models.ForeignKey("collection.Form", verbose_name=_("form"), on_delete=models.PROTECT,
                             related_name="submissions")
    version = models.ForeignKey("collection.FormVersion", verbose_name=_("form version"), on_delete=models.PROTECT,
                                related_name="submissions")
    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="submissions")
    period = models.CharField(_("period"), max_length=10, db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=SubmissionStatus.choices,
                              default=SubmissionStatus.DRAFT, db_index=True)
    values = models.JSONField(_("values"), default=dict, blank=True)
    explanations = models.JSONField(_("explanations"), default=dict, blank=True)
    issues = models.JSONField(_("validation issues"), default=list, blank=True)
    error_count = models.PositiveSmallIntegerField(_("errors"), default=0)
    warning_count = models.PositiveSmallIntegerField(_("warnings"), default=0)
    source = models.CharField(_("source"), max_length=10, default="web")
    file_checksum = models.CharField(_("file checksum"), max_length=64, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    scope_spec = School.scope_spec.via("school")
    role_permissions = {
        Role.PROVINCE_ADMIN: _WRITE,
        Role.PREFECTURE_OFFICER: _WRITE,
        Role.COUNTY_OFFICER: _WRITE,
        Role.SCHOOL_CIO: _WRITE,
        Role.EXPERT_REVIEWER: READ_ONLY,
        Role.AUDITOR: READ_ONLY,
    }
    audited = True
    # Bookkeeping not worth an audit row of its own.
    audit_exclude = ("updated_at", "issues")
    objects = ScopedManager()

    class Meta:
        ordering = ["period", "school__code"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(fields=["form", "school", "period"], name="collection_submission_unique"),
        ]
        indexes = [models.Index(fields=["form", "period", "status"])]

    # The audit trail names a submission by its school, form and period (core.audit_labels).
    audit_select_related = ("school", "form")

    def __str__(self) -> str:
        return f"{self.form_id}/{self.period}/{self.school_id}"

    def audit_label(self) -> str:
        return f"{self.school.name} · {self.form.name} · {self.period}"

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE
