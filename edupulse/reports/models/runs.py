"""A requested report and the files it produced (the annual development report, generated as a task)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from edupulse.core.regions import PlacedInRegion
from edupulse.core.roles import NONE, READ_ONLY, VIEW, Role
from edupulse.core.scoping import ScopedManager, ScopeSpec


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Generating")
    DONE = "done", _("Done")
    FAILED = "failed", _("Generation failed")


REQUESTERS = frozenset({VIEW, "add"})


class ReportRun(PlacedInRegion, models.Model):
    """One generation of a region's annual report: what was asked (region, year, formats), by whom, how far
    it got (status, progress 0-100 and the current step in Chinese) and the files it wrote (format → path
    relative to ``MEDIA_ROOT``). Placed in its region like a region-owned record, so an officer sees the
    runs of their region and below, and a school sees none."""

    kind = models.CharField(_("report"), max_length=20, default="annual")
    region = models.ForeignKey("orgs.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    province_code = models.CharField(max_length=2, blank=True, editable=False, db_index=True)
    prefecture_code = models.CharField(max_length=4, blank=True, editable=False, db_index=True)
    county_code = models.CharField(max_length=6, blank=True, editable=False, db_index=True)
    year = models.CharField(_("year"), max_length=10)
    formats = models.CharField(_("formats"), max_length=40, default="html,pdf,docx")
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED,
                              db_index=True)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    step = models.CharField(_("step"), max_length=100, blank=True)
    files = models.JSONField(_("files"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey("accounts.User", verbose_name=_("requested by"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("requested at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    scope_spec = ScopeSpec(province="province_code", prefecture="prefecture_code", county="county_code")
    placement_columns = "code"
    # Officers request reports of their region; reviewers and auditors read the ones made; schools have none.
    role_permissions = {Role.PROVINCE_ADMIN: REQUESTERS, Role.PREFECTURE_OFFICER: REQUESTERS,
                        Role.COUNTY_OFFICER: REQUESTERS, Role.SCHOOL_CIO: NONE,
                        Role.EXPERT_REVIEWER: READ_ONLY, Role.AUDITOR: READ_ONLY}
    audited = True
    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")

    def __str__(self) -> str:
        return f"{self.kind} {self.region_id} {self.year}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.store_placement(str(self.region_id or ""))
        super().save(*args, **kwargs)

    def clean_fields(self, exclude: Any = None) -> None:
        self.store_placement(str(self.region_id or ""))
        super().clean_fields(exclude=exclude)

    @property
    def format_list(self) -> list[str]:
        return [f for f in self.formats.split(",") if f]

    @property
    def finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)
