"""Quality scores stored per batch and group, so that a trend across batches is a read, not a rescan."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from edupulse.core.regions import PlacedInRegion
from edupulse.core.roles import ALL, NONE, READ_ONLY, Role
from edupulse.core.scoping import ScopedManager, ScopeSpec
from edupulse.orgs.models import School


class QualityLevel(models.TextChoices):
    """What a stored score is about: the whole batch, one school, or one region of the register."""

    BATCH = "batch", pgettext_lazy("quality level", "whole batch")
    SCHOOL = "school", pgettext_lazy("quality level", "school")
    COUNTY = "county", pgettext_lazy("quality level", "county")
    PREFECTURE = "prefecture", pgettext_lazy("quality level", "prefecture")
    PROVINCE = "province", pgettext_lazy("quality level", "province")


class QualityScore(PlacedInRegion, models.Model):
    """The quality of one group of a batch's rows (``basedata.quality``: four ratios and their score),
    written when the batch is imported (``record_quality``, inside ``record_import``'s transaction).

    Placed where the group is: a school's score at the school (and its county), a region's score in that
    region, the whole batch's score where the batch is placed. So ``visible_to`` gives an officer the scores
    of their own region and of everything below it, never the region above, and a school's CIO the scores of
    their own school only. ``kind`` and ``source`` repeat the batch's, so that a trend reads one index.
    Only schools of the register are stored per school (a code the register does not know is no school one
    can follow from batch to batch; its rows count in the batch's score).
    """

    batch = models.ForeignKey("basedata.ImportBatch", verbose_name=_("import batch"), on_delete=models.CASCADE,
                              related_name="quality_scores")
    kind = models.CharField(_("records"), max_length=16)
    source = models.CharField(_("source system"), max_length=16)
    level = models.CharField(pgettext_lazy("quality", "level"), max_length=16, choices=QualityLevel.choices)
    key = models.CharField(pgettext_lazy("quality", "group"), max_length=16, blank=True)
    school = models.ForeignKey(School, verbose_name=_("school"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    rows = models.PositiveIntegerField(pgettext_lazy("quality", "rows"))
    schools = models.PositiveIntegerField(pgettext_lazy("quality", "schools"))
    completeness = models.FloatField(pgettext_lazy("quality", "completeness"))
    validity = models.FloatField(pgettext_lazy("quality", "validity"))
    uniqueness = models.FloatField(pgettext_lazy("quality", "uniqueness"))
    consistency = models.FloatField(pgettext_lazy("quality", "consistency"))
    score = models.FloatField(pgettext_lazy("quality", "score"))
    province_code = models.CharField(max_length=2, blank=True, editable=False)
    prefecture_code = models.CharField(max_length=4, blank=True, editable=False)
    county_code = models.CharField(max_length=6, blank=True, editable=False)

    scope_spec = ScopeSpec(province="province_code", prefecture="prefecture_code", county="county_code",
                           school="school_id")
    placement_columns = "code"
    role_permissions = {
        Role.PROVINCE_ADMIN: ALL,
        Role.PREFECTURE_OFFICER: READ_ONLY,
        Role.COUNTY_OFFICER: READ_ONLY,
        Role.SCHOOL_CIO: READ_ONLY,  # their own school's scores: what their fixes changed
        Role.EXPERT_REVIEWER: NONE,
        Role.AUDITOR: READ_ONLY,
    }
    audited = True
    objects = ScopedManager()

    class Meta:
        ordering = ["batch__created_at", "batch_id", "level", "key"]
        verbose_name = _("data quality score")
        verbose_name_plural = _("data quality scores")
        constraints = [models.UniqueConstraint(fields=["batch", "level", "key"], name="basedata_quality_once_per_group")]
        indexes = [models.Index(fields=["level", "key", "kind"], name="basedata_quality_trend")]

    def __str__(self) -> str:
        return f"{self.batch_id} {self.level} {self.key}: {self.score:.2f}"
