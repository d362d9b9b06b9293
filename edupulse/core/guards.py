"""A guard that catches writes made outside an action.

When ``EDUPULSE_ENFORCE_ACTIONS`` is on (always in the test suite) writing an audited model outside
:func:`edupulse.core.actions.action` raises, so a view or a task that writes directly fails its tests
instead of silently skipping the audit trail. It covers every way Django writes rows:

* ``Model.save`` and ``Model.delete`` (through the ``pre_save`` / ``pre_delete`` signals);
* ``QuerySet.update``, ``QuerySet.delete``, ``bulk_create`` and ``bulk_update`` (through
  :class:`GuardedQuerySet`, the base of :class:`core.scoping.ScopedQuerySet` that every audited model's
  manager uses; ``core/tests/test_guards.py`` checks that each audited model has it).

A model's ``unaudited_fields`` names bookkeeping columns (``last_login``) that may be stamped anywhere;
an ``update`` or ``save(update_fields=…)`` that touches only those passes. Bulk loaders inside an action
write their own summary audit row (:func:`core.audit.record_many`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.db import models
from django.db.models.signals import pre_delete, pre_save

from edupulse.core import context


class WriteOutsideActionError(RuntimeError):
    pass


def enforcing() -> bool:
    return bool(getattr(settings, "EDUPULSE_ENFORCE_ACTIONS", False))


def check_write(model: type[models.Model], operation: str, fields: Iterable[str] | None = None) -> None:
    """Raise when ``operation`` on ``model`` happens outside an action while the guard is on."""
    if not enforcing() or not getattr(model, "audited", False) or context.in_action():
        return
    bookkeeping = set(getattr(model, "unaudited_fields", ()))
    if fields is not None and bookkeeping and set(fields) <= bookkeeping:
        return  # e.g. last_login stamped by Django's login()
    raise WriteOutsideActionError(
        f"{model.__name__} was written outside an action ({operation}); call the action function instead"
    )


def _on_signal(sender: type[models.Model], instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return  # fixtures
    update_fields = kwargs.get("update_fields")
    check_write(sender, "save" if "update_fields" in kwargs else "delete",
                list(update_fields) if update_fields else None)


_M = TypeVar("_M", bound=models.Model)


class GuardedQuerySet(models.QuerySet[_M]):
    """The bulk writes of a QuerySet, refused outside an action for audited models."""

    def update(self, **kwargs: Any) -> int:
        check_write(self.model, "QuerySet.update", kwargs)
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        check_write(self.model, "QuerySet.delete")
        return super().delete()

    def bulk_create(self, objs: Iterable[_M], *args: Any, **kwargs: Any) -> list[_M]:
        check_write(self.model, "bulk_create")
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs: Iterable[_M], fields: Iterable[str], *args: Any, **kwargs: Any) -> int:
        fields = list(fields)
        check_write(self.model, "bulk_update", fields)
        return super().bulk_update(objs, fields, *args, **kwargs)


def connect() -> None:
    pre_save.connect(_on_signal, dispatch_uid="edupulse-action-guard-save")
    pre_delete.connect(_on_signal, dispatch_uid="edupulse-action-guard-delete")
