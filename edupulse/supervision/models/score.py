"""The scores of a round: one result per scored region (total, rank, dimension subtotals) and one score per
region × item with its evidence. Both are placed in the scored region: a county officer sees their county's
rows only, and only once the round is published; the supervising authority sees them from the start."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from edupulse.core.regions import PlacedInRegion, RegionCode
from edupulse.core.scoping import Scope, ScopedManager, ScopeSpec
from edupulse.supervision.models.round import ROUND_PERMISSIONS, RoundStatus


def _scored_scope(scope: Scope) -> Q:
    """Rows of regions in the user's area; below the supervising authority only once the round is published."""
    region = scope.region
    if region is None:
        return Q(pk__in=[])
    supervised_here = Q(**region.lookup("code", via="round"))
    return Q(**region.lookup("code")) & (supervised_here | Q(round__status=RoundStatus.PUBLISHED))


class ScoredRow(PlacedInRegion, models.Model):
    """Abstract base: a row of a round about one scored region (a prefecture or a county)."""

    round = models.ForeignKey("supervision.SupervisionRound", verbose_name=_("supervision round"),
                              on_delete=models.CASCADE)
    region = models.ForeignKey("orgs.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("level"), max_length=10)
    province_code = models.CharField(max_length=2, editable=False, db_index=True)
    prefecture_code = models.CharField(max_length=4, blank=True, editable=False, db_index=True)
    county_code = models.CharField(max_length=6, blank=True, editable=False, db_index=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    peers = models.PositiveIntegerField(_("regions ranked"), null=True, blank=True)

    scope_spec = ScopeSpec(custom=_scored_scope)
    placement_columns = "code"
    role_permissions = ROUND_PERMISSIONS
    audited = True
    objects = ScopedManager()

    class Meta:
        abstract = True

    def in_scope(self, scope: Scope) -> bool:
        region = scope.region
        if region is None or not self.region_id:
            return False
        supervisor = RegionCode.parse(str(self.round.region_id))
        return region.contains(str(self.region_id)) and (
            region.contains(supervisor) or self.round.status == RoundStatus.PUBLISHED)


class SupervisionResult(ScoredRow):
    """A region's result in a round: total score, rank among the regions of its level, subtotals by dimension
    (``{dimension code: {"score": …, "points": …}}``)."""

    total = models.FloatField(_("total score"))
    points = models.FloatField(_("points"), default=100)
    subtotals = models.JSONField(_("subtotals by dimension"), default=dict)

    class Meta:
        ordering = ["round", "level", "rank", "region"]
        verbose_name = _("supervision result")
        verbose_name_plural = _("supervision results")
        constraints = [models.UniqueConstraint(fields=["round", "region"], name="supervision_result_unique")]

    def __str__(self) -> str:
        return f"{self.round_id} {self.region_id} {self.total:g}"


class SupervisionScore(ScoredRow):
    """One item of a region's scorecard: points, score, rank among the regions of its level on the item, and
    the evidence as data (ids of the findings, items or systems counted, the value and coverage used)."""

    item = models.CharField(_("item"), max_length=20)
    dimension = models.CharField(_("dimension"), max_length=40)
    points = models.FloatField(_("points"))
    score = models.FloatField(_("score"))
    evidence = models.JSONField(_("evidence"), default=dict)

    class Meta:
        ordering = ["round", "region", "item"]
        verbose_name = _("supervision score")
        verbose_name_plural = _("supervision scores")
        constraints = [models.UniqueConstraint(fields=["round", "region", "item"], name="supervision_score_unique")]

    def __str__(self) -> str:
        return f"{self.round_id} {self.region_id} {self.item} {self.score:g}"
