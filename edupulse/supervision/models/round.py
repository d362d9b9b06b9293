"""A supervision round (督导评估): one framework applied by a supervising authority to its regions for a period.

A round belongs to its supervising region (a province or a prefecture) like a notice: the authority and those
above it see it from the start; once published (the 督导通报 is issued) the regions below it see it too, but
each of them only its own scores (``SupervisionResult`` / ``SupervisionScore`` are placed in the scored region).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from edupulse.core.regions import PlacedInRegion, RegionCode
from edupulse.core.roles import ALL, NONE, READ_ONLY, Role
from edupulse.core.scoping import Scope, ScopedManager, ScopeSpec
from edupulse.core.workflows import Transition, Workflow


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCORED = "scored", _("Scored")
    PUBLISHED = "published", _("Published")


# The supervising authorities: a province scores its prefectures and counties, a prefecture its counties.
SUPERVISORS = frozenset({Role.PROVINCE_ADMIN, Role.PREFECTURE_OFFICER})

ROUND_WORKFLOW = Workflow(
    name="supervision.round",
    transitions=(
        Transition(RoundStatus.DRAFT, "score", RoundStatus.SCORED, SUPERVISORS, _("Score the regions")),
        Transition(RoundStatus.SCORED, "score", RoundStatus.SCORED, SUPERVISORS, _("Score again")),
        Transition(RoundStatus.SCORED, "publish", RoundStatus.PUBLISHED, SUPERVISORS, _("Publish the results")),
    ),
    refusals={
        "score": _("The round is published: its scores are locked."),
        "publish": _("Only a scored round that is not yet published can be published."),
    },
)

ROUND_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.PROVINCE_ADMIN: ALL, Role.PREFECTURE_OFFICER: ALL, Role.COUNTY_OFFICER: READ_ONLY,
    Role.SCHOOL_CIO: NONE, Role.EXPERT_REVIEWER: READ_ONLY, Role.AUDITOR: READ_ONLY,
}


def _round_scope(scope: Scope) -> Q:
    """Rounds of the user's region and below; published rounds of the regions above as well."""
    region = scope.region
    if region is None:
        return Q(pk__in=[])
    above = [code for code in region.lineage() if code != region.code]
    own = Q(**region.lookup("code"))
    return own | Q(status=RoundStatus.PUBLISHED, region_id__in=above) if above else own


class SupervisionRound(PlacedInRegion, models.Model):
    """One 督导 round: the framework (a snapshot of its YAML), the period, the supervising region, the
    document number of its 通报 and the deadline for rectification it sets."""

    region = models.ForeignKey("orgs.Region", verbose_name=_("supervising region"), on_delete=models.PROTECT,
                               related_name="+")
    province_code = models.CharField(max_length=2, editable=False, db_index=True)
    prefecture_code = models.CharField(max_length=4, blank=True, editable=False, db_index=True)
    county_code = models.CharField(max_length=6, blank=True, editable=False, db_index=True)
    period = models.CharField(pgettext_lazy("supervision", "period"), max_length=10, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    document_number = models.CharField(_("document number"), max_length=40, blank=True,
                                       help_text=_("e.g. 川教督〔2022〕3号"))
    framework_code = models.CharField(_("framework"), max_length=40)
    framework_version = models.PositiveIntegerField(_("framework version"))
    framework = models.JSONField(_("framework (snapshot)"))
    deadline = models.DateField(_("rectification deadline"))
    status = models.CharField(_("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.DRAFT,
                              db_index=True)
    created_by = models.ForeignKey("accounts.User", verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    scope_spec = ScopeSpec(custom=_round_scope)
    placement_columns = "code"
    role_permissions = ROUND_PERMISSIONS
    audited = True
    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("supervision round")
        verbose_name_plural = _("supervision rounds")

    def __str__(self) -> str:
        return f"{self.document_number} {self.title}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.store_placement(str(self.region_id))
        super().save(*args, **kwargs)

    def clean_fields(self, exclude: Any = None) -> None:
        self.store_placement(str(self.region_id or ""))
        super().clean_fields(exclude=exclude)

    def in_scope(self, scope: Scope) -> bool:
        """The same rule as ``_round_scope`` for one (possibly unsaved) round."""
        region = scope.region
        if region is None or not self.region_id:
            return False
        own = RegionCode.parse(str(self.region_id))
        return region.contains(own) or (self.status == RoundStatus.PUBLISHED and own.contains(region))
