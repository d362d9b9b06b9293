"""Computed indicator values per period, basis, indicator and region (province, prefecture, county)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from edupulse.core.regions import PlacedInRegion
from edupulse.core.roles import READ_ONLY, Role
from edupulse.core.scoping import ScopedManager, ScopeSpec

VALUE_PERMISSIONS = dict.fromkeys(Role.values, READ_ONLY)


class Basis(models.TextChoices):
    """Which submissions count: county-approved or higher (the default, as the collection summary), or
    every submitted one."""

    APPROVED = "approved", _("Approved")
    REPORTED = "reported", _("Reported (submitted or approved)")


class IndicatorValue(PlacedInRegion, models.Model):
    """``factor × Σ numerator / Σ denominator`` of one indicator over the units of one region that have
    data, with the sums and the coverage (schools with data / schools expected) that stand behind it.

    Derived data, written in bulk by :func:`indicators.actions.recompute` (one audit row per run, not per
    value); a county officer sees the rows of their county, a prefecture officer those of the prefecture
    and its counties."""

    period = models.CharField(_("period"), max_length=10)
    basis = models.CharField(_("basis"), max_length=10, choices=Basis.choices, default=Basis.APPROVED)
    indicator = models.CharField(_("indicator"), max_length=40)
    region = models.ForeignKey("orgs.Region", verbose_name=_("region"), on_delete=models.CASCADE, related_name="+")
    level = models.CharField(_("level"), max_length=10)
    province_code = models.CharField(max_length=2, db_index=True)
    prefecture_code = models.CharField(max_length=4, blank=True, db_index=True)
    county_code = models.CharField(max_length=6, blank=True, db_index=True)
    numerator = models.FloatField(_("numerator"), default=0)
    denominator = models.FloatField(_("denominator"), default=0)
    value = models.FloatField(_("value"), null=True, blank=True)
    schools_with_data = models.PositiveIntegerField(_("schools with data"), default=0)
    schools_expected = models.PositiveIntegerField(_("schools expected"), default=0)
    target = models.FloatField(_("target value"), null=True, blank=True)
    attained = models.BooleanField(_("attained"), null=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    peers = models.PositiveIntegerField(_("peers ranked"), null=True, blank=True)
    definition_version = models.PositiveIntegerField(_("definition version"), default=0)
    computed_at = models.DateTimeField(_("computed at"))

    scope_spec = ScopeSpec(province="province_code", prefecture="prefecture_code", county="county_code")
    placement_columns = "code"
    role_permissions = VALUE_PERMISSIONS
    objects = ScopedManager()

    class Meta:
        ordering = ["indicator", "region"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [models.UniqueConstraint(fields=["period", "basis", "indicator", "region"],
                                               name="indicators_value_unique")]
        indexes = [models.Index(fields=["basis", "period", "level", "indicator"], name="indicators_value_level")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.region_id} {self.period}"
