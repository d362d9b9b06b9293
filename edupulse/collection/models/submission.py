"""Submissions: one school's values for one form and period, and where they are in the review workflow."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from edupulse.core.roles import READ_ONLY, VIEW, Role
from edupulse.core.scoping import ScopedManager
from edupulse.orgs.models import School


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted, awaiting county review")
    COUNTY_APPROVED = "county_approved", _("Approved by county, awaiting prefecture")
    PREFECTURE_APPROVED = "prefecture_approved", _("Approved by prefecture, awaiting province")
    PROVINCE_APPROVED = "province_approved", _("Approved by province (locked)")
    RETURNED = "returned", _("Returned for correction")


# States in which the school (or an officer on its behalf) may still change values.
EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})
# States that count as "reported" for completeness.
REPORTED = frozenset({Status.SUBMITTED, Status.COUNTY_APPROVED, Status.PREFECTURE_APPROVED, Status.PROVINCE_APPROVED})
APPROVED = frozenset({Status.COUNTY_APPROVED, Status.PREFECTURE_APPROVED, Status.PROVINCE_APPROVED})

_WRITE = frozenset({VIEW, "add", "change"})


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
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
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

    def __str__(self) -> str:
        return f"{self.form_id}/{self.period}/{self.school_id}"

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE
