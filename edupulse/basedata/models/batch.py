"""Import batches: the provenance of every file imported into the base-data store."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from edupulse.core.regions import PlacedInRegion
from edupulse.core.roles import ALL, NONE, READ_ONLY, Role
from edupulse.core.scoping import ScopedManager, ScopeSpec


class SourceSystem(models.TextChoices):
    """The named systems base data comes from (数入一库: every batch says where it came from)."""

    XUEJI = "xueji", _("student registration system (学籍系统)")
    JIAOSHI = "jiaoshi", _("teacher management system (教师系统)")
    ZIZHU = "zizhu", _("student aid system (资助系统)")
    OTHER = "other", _("other system")


class RecordKind(models.TextChoices):
    STUDENT = "student", _("students")
    TEACHER = "teacher", _("teachers")


class ImportBatch(PlacedInRegion, models.Model):
    """One file imported from one source system: its hash, row counts, importer and time.

    The rows themselves live in the base-data DuckDB store (``EDUPULSE_BASEDATA_DUCKDB_PATH``), keyed by
    ``key``; this row is the source of truth of which batches exist (store rows of a key without a batch
    are leftovers of a failed import and are ignored and replaced). The same file from the same source is
    imported once (``unique`` on kind, source and hash). The batch is placed in the smallest region that
    holds every school of the file, so that the officers of that region and above see it.
    """

    key = models.CharField(_("store key"), max_length=32, unique=True, editable=False)
    kind = models.CharField(_("records"), max_length=16, choices=RecordKind.choices)
    source = models.CharField(_("source system"), max_length=16, choices=SourceSystem.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64)
    file_format = models.CharField(_("file format"), max_length=16)
    rows_total = models.PositiveIntegerField(_("rows read"), default=0)
    rows_clean = models.PositiveIntegerField(_("clean rows"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rejected rows"), default=0)
    issue_counts = models.JSONField(_("issues per rule"), default=dict, blank=True)
    importer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("importer"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    importer_name = models.CharField(_("importer name"), max_length=150)
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    province_code = models.CharField(max_length=2, blank=True, editable=False)
    prefecture_code = models.CharField(max_length=4, blank=True, editable=False)
    county_code = models.CharField(max_length=6, blank=True, editable=False)

    scope_spec = ScopeSpec(province="province_code", prefecture="prefecture_code", county="county_code")
    placement_columns = "code"
    role_permissions = {
        Role.PROVINCE_ADMIN: ALL,
        Role.PREFECTURE_OFFICER: READ_ONLY,
        Role.COUNTY_OFFICER: READ_ONLY,
        Role.SCHOOL_CIO: NONE,
        Role.EXPERT_REVIEWER: NONE,
        Role.AUDITOR: READ_ONLY,
    }
    audited = True
    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        constraints = [
            models.UniqueConstraint(fields=["kind", "source", "file_sha256"], name="basedata_batch_once_per_file"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name} ({self.file_sha256[:12]})"
