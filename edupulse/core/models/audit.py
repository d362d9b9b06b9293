"""The audit trail: one append-only, hash-chained row per write (and per read of personal data)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from edupulse.core.roles import READ_ONLY, Role
from edupulse.core.scoping import ScopedManager, ScopeSpec


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an audit row."""


class AuditLog(models.Model):
    """One audited event. Rows are never updated or deleted; ``entry_hash`` chains each row to the
    previous one with a keyed HMAC, so a row edited by hand breaks ``edupulse audit verify``.

    The org columns copy where the object sits in the hierarchy at the time of the event, so that the
    trail of a county is visible to that county's auditor without joining live data.
    """

    KIND_WRITE = "write"
    KIND_READ = "read"

    sequence = models.PositiveBigIntegerField(_("sequence"), unique=True)
    created_at = models.DateTimeField(_("time"), db_index=True)
    kind = models.CharField(_("kind"), max_length=8, default=KIND_WRITE)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True)
    actor_username = models.CharField(_("actor"), max_length=150, blank=True)
    source = models.CharField(_("source"), max_length=16)
    address = models.CharField(_("from"), max_length=128, blank=True)
    object_type = models.CharField(_("object type"), max_length=80, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    province_code = models.CharField(max_length=2, blank=True, db_index=True)
    prefecture_code = models.CharField(max_length=4, blank=True, db_index=True)
    county_code = models.CharField(max_length=6, blank=True, db_index=True)
    school_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    scope_spec = ScopeSpec(
        province="province_code", prefecture="prefecture_code", county="county_code", school="school_id"
    )
    # The trail is read-only for every role; only actions write it.
    role_permissions = dict.fromkeys(Role.values, READ_ONLY)
    objects = ScopedManager()

    class Meta:
        ordering = ["-sequence"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit rows are append-only")
