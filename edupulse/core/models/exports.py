"""Background exports of big lists: the job, its progress and the file it produced."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from edupulse.core.regions import PlacedInRegion
from edupulse.core.roles import Role
from edupulse.core.scoping import ScopedManager, ScopeSpec


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class ExportJob(PlacedInRegion, models.Model):
    """A list export run by the task queue because it is too big for a request (``EXPORT_INLINE_ROWS``).

    It re-runs the list's own view (``path`` and ``query``: the same filters, scope and columns) as its
    ``requester``, and is placed in the requester's area. Only the requester opens or downloads it (the pages
    filter on ``requester`` on top of ``visible_to``); the file is removed ``EXPORT_KEEP_DAYS`` after it was asked
    for. ``rows_done`` is progress, stamped while the file is written (bookkeeping, not audited)."""

    requester = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.CASCADE,
                                  related_name="+")
    title = models.CharField(_("list"), max_length=120)
    path = models.CharField(_("page"), max_length=300)
    query = models.CharField(_("filters"), max_length=2000, blank=True)
    fmt = models.CharField(_("format"), max_length=4, choices=[("csv", "CSV"), ("xlsx", "Excel")])
    status = models.CharField(_("status"), max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    stored_as = models.CharField(max_length=100, blank=True, editable=False)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    province_code = models.CharField(max_length=2, blank=True, editable=False)
    prefecture_code = models.CharField(max_length=4, blank=True, editable=False)
    county_code = models.CharField(max_length=6, blank=True, editable=False)
    school_id = models.BigIntegerField(null=True, blank=True, editable=False)

    scope_spec = ScopeSpec(province="province_code", prefecture="prefecture_code", county="county_code",
                           school="school_id")
    placement_columns = "code"
    # Everyone who may list something may export it; the job itself is the requester's (see above).
    role_permissions = dict.fromkeys(Role.values, frozenset({"view", "add", "change"}))
    audited = True
    unaudited_fields = ("rows_done",)
    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self) -> str:
        return self.file_name or self.title

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.READY:
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0
