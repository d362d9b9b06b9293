"""Probe results: raw rows (kept briefly), daily aggregates (kept for years), the current state of
each site, region roll-ups for the dashboard, and findings (one open per site × check)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from edupulse.core.regions import PlacedInRegion, RegionPlacement
from edupulse.core.roles import READ_ONLY, Role
from edupulse.core.scoping import ScopedManager, ScopeSpec
from edupulse.monitoring.checks import CHECK_CHOICES, CheckStatus, Severity
from edupulse.monitoring.describing import advice, describe
from edupulse.monitoring.models.base import OWNED_SCOPE

if TYPE_CHECKING:
    from edupulse.monitoring.models.registry import Website

SITE_SCOPE = OWNED_SCOPE.via("website")
# Results are written only by the platform (probes, sweeps); every role reads them in its area.
RESULT_PERMISSIONS = dict.fromkeys(Role.values, READ_ONLY)


class CheckResult(models.Model):
    """One check of one probe run. High volume and short-lived: purged after
    ``RAW_RETENTION_DAYS`` (see ``edupulse monitor purge``); the daily aggregate keeps the history.

    Not audited row by row: the action that saves a batch of reports writes one summary audit row.
    ``sweep`` + ``website`` + ``check`` is unique, so a batch re-run after a crash never doubles."""

    website = models.ForeignKey("monitoring.Website", verbose_name=_("website"), on_delete=models.CASCADE,
                                related_name="results")
    sweep = models.ForeignKey("monitoring.Sweep", verbose_name=_("sweep"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="results")
    check_name = models.CharField(_("check"), max_length=20, choices=CHECK_CHOICES)
    status = models.CharField(_("status"), max_length=5, choices=CheckStatus.choices)
    score = models.IntegerField(_("score"), null=True, blank=True)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    checked_at = models.DateTimeField(_("checked at"), db_index=True)
    duration_ms = models.FloatField(_("duration (ms)"), default=0)

    scope_spec = SITE_SCOPE
    role_permissions = RESULT_PERMISSIONS
    objects = ScopedManager()

    class Meta:
        ordering = ["-checked_at"]
        verbose_name = _("check result")
        verbose_name_plural = _("check results")
        constraints = [models.UniqueConstraint(fields=["sweep", "website", "check_name"],
                                               condition=Q(sweep__isnull=False), name="monitoring_result_once_per_sweep")]
        indexes = [models.Index(fields=["website", "check_name", "-checked_at"])]

    def __str__(self) -> str:
        return f"{self.check_name} {self.status}"


class DailyAggregate(models.Model):
    """Per site × check × day: how many runs passed, warned, failed or errored, and the mean score."""

    website = models.ForeignKey("monitoring.Website", verbose_name=_("website"), on_delete=models.CASCADE,
                                related_name="daily")
    day = models.DateField(_("day"))
    check_name = models.CharField(_("check"), max_length=20, choices=CHECK_CHOICES)
    runs = models.PositiveIntegerField(_("runs"), default=0)
    passes = models.PositiveIntegerField(_("passes"), default=0)
    warns = models.PositiveIntegerField(_("warnings"), default=0)
    fails = models.PositiveIntegerField(_("failures"), default=0)
    errors = models.PositiveIntegerField(_("errors"), default=0)
    score_sum = models.BigIntegerField(default=0)
    scored_runs = models.PositiveIntegerField(default=0)
    last_status = models.CharField(_("last status"), max_length=5, choices=CheckStatus.choices)

    scope_spec = SITE_SCOPE
    role_permissions = RESULT_PERMISSIONS
    objects = ScopedManager()

    class Meta:
        ordering = ["-day"]
        verbose_name = _("daily aggregate")
        verbose_name_plural = _("daily aggregates")
        # Site, then day: saving a chunk of results looks up (sites, today) without reading a year of rows.
        constraints = [models.UniqueConstraint(fields=["website", "day", "check_name"], name="monitoring_daily_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.check_name} {self.passes}/{self.runs}"

    @property
    def mean_score(self) -> float | None:
        return self.score_sum / self.scored_runs if self.scored_runs else None


class SiteState(PlacedInRegion, models.Model):
    """The latest known state of a site: per-check status and streaks (for n-to-open / m-to-resolve)
    and the few facts the dashboard counts, so that it reads one row per site."""

    website = models.OneToOneField("monitoring.Website", verbose_name=_("website"), on_delete=models.CASCADE,
                                   related_name="state", primary_key=True)
    # Copied from the website (on every save of results and of the website) so that the dashboard
    # counts 25,000 states with one index range scan and no join.
    province_code = models.CharField(max_length=2, blank=True, editable=False)
    prefecture_code = models.CharField(max_length=4, blank=True, editable=False)
    county_code = models.CharField(max_length=6, blank=True, editable=False)
    school_id = models.BigIntegerField(null=True, blank=True, editable=False, db_index=True)
    active = models.BooleanField(default=True, editable=False)
    last_probed_at = models.DateTimeField(_("last probed"), null=True, blank=True)
    statuses = models.JSONField(default=dict, blank=True)  # check -> latest status
    streaks = models.JSONField(default=dict, blank=True)  # check -> [failures in a row, passes in a row]
    available = models.BooleanField(_("available"), null=True)
    ipv6 = models.BooleanField(_("IPv6"), null=True)
    https = models.BooleanField(_("HTTPS"), null=True)
    cert_not_after = models.DateField(_("certificate expires"), null=True, blank=True, db_index=True)
    headers_grade = models.CharField(_("header grade"), max_length=2, blank=True)
    score = models.IntegerField(_("health score"), null=True, blank=True)
    # The engine's tampering baseline (``Baseline.to_dict()``), built by ``edupulse monitor baseline``.
    baseline = models.JSONField(_("tampering baseline"), null=True, blank=True)
    baseline_at = models.DateTimeField(_("baseline taken"), null=True, blank=True)

    scope_spec = ScopeSpec(province="province_code", prefecture="prefecture_code", county="county_code",
                           school="school_id")
    placement_columns = "code"
    role_permissions = RESULT_PERMISSIONS
    objects = ScopedManager()

    class Meta:
        ordering = ["website_id"]  # not "website": that would join the websites for every count
        verbose_name = _("site state")
        verbose_name_plural = _("site states")
        # Covering indexes: the dashboard's counts are answered from the index alone.
        # The child level's code follows the leading one, for the per-region breakdown.
        indexes = [models.Index(fields=[*codes, "active", "available", "ipv6", "https", "cert_not_after",
                                        "last_probed_at"], name=f"monitoring_state_{codes[0][:4]}_cov")
                   for codes in (("province_code", "prefecture_code"), ("prefecture_code", "county_code"),
                                 ("county_code",))]

    def __str__(self) -> str:
        return f"state of {self.website_id}"

    def copy_placement(self, site: Website) -> None:
        self.store_placement_of(RegionPlacement.of(site))
        self.school_id = site.school_id
        self.active = site.is_active


class RegionDaily(PlacedInRegion, models.Model):
    """Dashboard roll-up per region (province, prefecture, county) and day; written by
    :func:`monitoring.actions.roll_up_day`, so that a year of trend is 365 rows, not 100 million."""

    region = models.ForeignKey("orgs.Region", verbose_name=_("region"), on_delete=models.CASCADE, related_name="+")
    province_code = models.CharField(max_length=2, db_index=True)
    prefecture_code = models.CharField(max_length=4, blank=True, db_index=True)
    county_code = models.CharField(max_length=6, blank=True, db_index=True)
    day = models.DateField(_("day"))
    sites = models.PositiveIntegerField(_("sites"), default=0)
    probed = models.PositiveIntegerField(_("probed sites"), default=0)
    available = models.PositiveIntegerField(_("available"), default=0)
    ipv6 = models.PositiveIntegerField(_("IPv6"), default=0)
    https = models.PositiveIntegerField(_("HTTPS"), default=0)
    open_findings = models.PositiveIntegerField(_("open findings"), default=0)

    scope_spec = ScopeSpec(province="province_code", prefecture="prefecture_code", county="county_code")
    placement_columns = "code"
    role_permissions = RESULT_PERMISSIONS
    objects = ScopedManager()

    class Meta:
        ordering = ["region", "day"]
        verbose_name = _("regional daily roll-up")
        verbose_name_plural = _("regional daily roll-ups")
        constraints = [models.UniqueConstraint(fields=["region", "day"], name="monitoring_region_daily_unique")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.day}"


class FindingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class Finding(PlacedInRegion, models.Model):
    """A problem found on a site by one check. At most one open finding per site × check; opened after
    ``FAILURES_TO_OPEN`` failures in a row, resolved after ``SUCCESSES_TO_RESOLVE`` passes in a row."""

    website = models.ForeignKey("monitoring.Website", verbose_name=_("website"), on_delete=models.CASCADE,
                                related_name="findings")
    # Copied from the website, like SiteState's, so that counting a province's findings needs no join.
    province_code = models.CharField(max_length=2, blank=True, editable=False)
    prefecture_code = models.CharField(max_length=4, blank=True, editable=False)
    county_code = models.CharField(max_length=6, blank=True, editable=False)
    school_id = models.BigIntegerField(null=True, blank=True, editable=False, db_index=True)
    check_name = models.CharField(_("check"), max_length=20, choices=CHECK_CHOICES)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices, db_index=True)
    status = models.CharField(_("status"), max_length=8, choices=FindingStatus.choices,
                              default=FindingStatus.OPEN, db_index=True)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    summary = models.CharField(_("summary"), max_length=255, blank=True)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)

    scope_spec = ScopeSpec(province="province_code", prefecture="prefecture_code", county="county_code",
                           school="school_id")
    placement_columns = "code"
    role_permissions = RESULT_PERMISSIONS
    audited = True
    # last_seen / evidence refreshes on every failing probe are bookkeeping, not audited events.
    unaudited_fields = ("last_seen", "evidence", "severity")
    objects = ScopedManager()

    class Meta:
        ordering = ["-severity", "-first_seen"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [models.UniqueConstraint(fields=["website", "check_name"], condition=Q(status="open"),
                                               name="monitoring_one_open_finding")]
        indexes = [models.Index(fields=[code, "status", "severity", "first_seen", "website"],
                                name=f"monitoring_finding_{code[:4]}_cov")
                   for code in ("province_code", "prefecture_code", "county_code")]

    audit_select_related = ("website",)

    def __str__(self) -> str:
        return f"{self.get_check_name_display()} @ {self.website_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding and self.website_id is not None:
            self.copy_placement(self.website)
        super().save(*args, **kwargs)

    def audit_label(self) -> str:
        """The check and the site by name, for the audit trail (the stored text has the site's id)."""
        return f"{self.get_check_name_display()} · {self.website.name}"

    def copy_placement(self, site: Website) -> None:
        self.store_placement_of(RegionPlacement.of(site))
        self.school_id = site.school_id

    @property
    def description(self) -> str:
        """What is wrong, in the reader's language (the stored ``summary`` is in the server's language)."""
        return describe(self.check_name, self.evidence)

    @property
    def advice(self) -> str:
        """The rectification asked of the responsible unit (整改要求), in the reader's language."""
        return advice(self.check_name)
