"""A guard that catches writes made outside an action.

When ``EDUPULSE_ENFORCE_ACTIONS`` is on (always in the test suite) saving or deleting an audited model
outside :func:`edupulse.core.actions.action` raises, so a view that writes directly fails its tests
instead of silently skipping the audit trail. Bulk loaders that deliberately bypass it
(``bulk_create`` of reference data) write their own summary audit row.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models.signals import pre_delete, pre_save

from edupulse.core import context


class WriteOutsideActionError(RuntimeError):
    pass


def _check(sender: type, instance: Any, **kwargs: Any) -> None:
    if not getattr(settings, "EDUPULSE_ENFORCE_ACTIONS", False):
        return
    if kwargs.get("raw"):
        return  # fixtures
    update_fields = kwargs.get("update_fields")
    bookkeeping = set(getattr(sender, "unaudited_fields", ()))
    if update_fields and bookkeeping and set(update_fields) <= bookkeeping:
        return  # e.g. last_login stamped by Django's login()
    if getattr(sender, "audited", False) and not context.in_action():
        raise WriteOutsideActionError(
            f"{sender.__name__} was written outside an action; call the action function instead"
        )


def connect() -> None:
    pre_save.connect(_check, dispatch_uid="edupulse-action-guard-save")
    pre_delete.connect(_check, dispatch_uid="edupulse-action-guard-delete")
