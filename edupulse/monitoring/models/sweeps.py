"""Sweeps: one run of the probes over many sites, split into batches that workers claim with a lease."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from edupulse.core.roles import ALL, NONE, READ_ONLY, Role
from edupulse.core.scoping import ScopedManager, ScopeSpec
from edupulse.monitoring.models.regional import REGION_SCOPE, RegionOwned


class SweepStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")


class Sweep(RegionOwned):
    """A sweep of every active website in ``region`` (or everywhere)."""

    status = models.CharField(_("status"), max_length=8, choices=SweepStatus.choices, default=SweepStatus.RUNNING)
    created_at = models.DateTimeField(_("created at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    total_sites = models.PositiveIntegerField(_("sites"), default=0)
    batch_size = models.PositiveIntegerField(_("batch size"), default=200)
    checks = models.JSONField(_("checks"), default=list, blank=True)  # empty = every check

    role_permissions = {Role.PROVINCE_ADMIN: ALL, Role.PREFECTURE_OFFICER: ALL, Role.COUNTY_OFFICER: ALL,
                        Role.SCHOOL_CIO: READ_ONLY, Role.EXPERT_REVIEWER: READ_ONLY, Role.AUDITOR: READ_ONLY}
    audited = True
    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("sweep")
        verbose_name_plural = _("sweeps")

    def __str__(self) -> str:
        return f"sweep #{self.pk} ({self.region_id or 'all'})"


class BatchStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    CLAIMED = "claimed", _("Claimed")
    DONE = "done", _("Done")


class SweepBatch(models.Model):
    """A slice of a sweep's sites. A worker claims it with a lease; if the worker dies, the lease
    expires and the batch is claimable again (``lease_expires_at < now``). Internal bookkeeping:
    not audited (the sweep is), changed only by :mod:`monitoring.sweeping`."""

    sweep = models.ForeignKey(Sweep, verbose_name=_("sweep"), on_delete=models.CASCADE, related_name="batches")
    number = models.PositiveIntegerField(_("number"))
    website_ids = models.JSONField(default=list)
    status = models.CharField(_("status"), max_length=8, choices=BatchStatus.choices, default=BatchStatus.PENDING,
                              db_index=True)
    lease_owner = models.CharField(_("worker"), max_length=128, blank=True)
    lease_expires_at = models.DateTimeField(_("lease expires"), null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    scope_spec = REGION_SCOPE.via("sweep")
    role_permissions = dict.fromkeys(Role.values, READ_ONLY)
    objects = ScopedManager()

    class Meta:
        ordering = ["sweep", "number"]
        verbose_name = _("sweep batch")
        verbose_name_plural = _("sweep batches")
        constraints = [models.UniqueConstraint(fields=["sweep", "number"], name="monitoring_batch_unique")]

    def __str__(self) -> str:
        return f"{self.sweep_id}/{self.number}"


class ScheduledJob(models.Model):
    """When each periodic job (:mod:`monitoring.scheduling`) last started and finished. Starting a due job is
    a conditional UPDATE of ``last_started_at``, so when several workers tick at once exactly one runs it.
    Internal bookkeeping: no page, endpoint or admin shows it; the jobs' own actions are audited."""

    name = models.CharField(_("job"), max_length=40, primary_key=True)
    last_started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)
    last_result = models.JSONField(_("last result"), default=dict, blank=True)

    scope_test_exempt = "scheduler bookkeeping: no page, endpoint or admin shows it"
    scope_spec = ScopeSpec(custom=lambda scope: Q(pk__in=[]))
    role_permissions = dict.fromkeys(Role.values, NONE)
    objects = ScopedManager()

    class Meta:
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")

    def __str__(self) -> str:
        return self.name
