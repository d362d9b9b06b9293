"""The review queue of entity resolution: pairs of records whose match probability is uncertain."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from edupulse.core.roles import NONE, Role
from edupulse.core.scoping import ScopedManager
from edupulse.core.workflows import Transition, Workflow
from edupulse.orgs.models import School


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("awaiting review")
    CONFIRMED = "confirmed", _("the same person")
    REJECTED = "rejected", _("different persons")


_OFFICERS = frozenset({Role.PROVINCE_ADMIN, Role.PREFECTURE_OFFICER, Role.COUNTY_OFFICER})

REVIEW_WORKFLOW = Workflow(
    name="basedata.match_review",
    transitions=(
        Transition(ReviewStatus.PENDING, "confirm", ReviewStatus.CONFIRMED, _OFFICERS, _("The same person")),
        Transition(ReviewStatus.PENDING, "reject", ReviewStatus.REJECTED, _OFFICERS, _("Different persons")),
    ),
    refusals={"confirm": _("This pair has already been decided."), "reject": _("This pair has already been decided.")},
)


class MatchReview(models.Model):
    """Two records (each a batch and a row of the base-data store) that entity resolution scored between
    its two thresholds: an officer decides whether they are the same person. A confirmed pair is linked by
    every later run, a rejected one kept apart. Placed at the first record's school, so that the school's
    county, prefecture and province officers see it (the school itself does not decide on its own records)."""

    run_key = models.CharField(_("run"), max_length=32)
    kind = models.CharField(_("records"), max_length=16, default="student")
    left_batch = models.ForeignKey("basedata.ImportBatch", on_delete=models.CASCADE, related_name="+")
    left_row = models.PositiveIntegerField()
    right_batch = models.ForeignKey("basedata.ImportBatch", on_delete=models.CASCADE, related_name="+")
    right_row = models.PositiveIntegerField()
    probability = models.FloatField(_("match probability"))
    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=pgettext_lazy("basedata", "decided by"))
    decided_at = models.DateTimeField(pgettext_lazy("basedata", "decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)

    scope_spec = School.scope_spec.via("school")
    role_permissions = {
        Role.PROVINCE_ADMIN: frozenset({"view", "change"}),
        Role.PREFECTURE_OFFICER: frozenset({"view", "change"}),
        Role.COUNTY_OFFICER: frozenset({"view", "change"}),
        Role.SCHOOL_CIO: NONE,
        Role.EXPERT_REVIEWER: NONE,
        Role.AUDITOR: NONE,
    }
    audited = True
    objects = ScopedManager()

    class Meta:
        ordering = ["status", "-probability", "pk"]
        verbose_name = _("match to review")
        verbose_name_plural = _("matches to review")
        constraints = [models.UniqueConstraint(fields=["left_batch", "left_row", "right_batch", "right_row"],
                                               name="basedata_review_once_per_pair")]

    def __str__(self) -> str:
        return f"{self.left_batch_id}:{self.left_row} ~ {self.right_batch_id}:{self.right_row} ({self.probability:.2f})"

    @staticmethod
    def unique_id(batch_id: int, row: int) -> int:
        """The record's id in a linking run: batch × 10^9 + row (a batch holds far fewer rows)."""
        return batch_id * 1_000_000_000 + row

    @staticmethod
    def split(unique_id: int) -> tuple[int, int]:
        return divmod(unique_id, 1_000_000_000)
