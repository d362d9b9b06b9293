"""Sweeps: starting one and finishing its batches.

Claiming a batch and renewing its lease are the worker's coordination (:mod:`monitoring.sweeping`), not
state changes anyone reads back; what does change state is here: a sweep is created with its batches, a
batch is marked done by the worker that holds it, and the sweep is done when its last batch is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from edupulse.core import audit
from edupulse.core.actions import action
from edupulse.core.actors import Actor
from edupulse.core.permissions import require
from edupulse.indicators.refresh import latest_period, request_recompute
from edupulse.monitoring import tasks
from edupulse.monitoring.models import Sweep, SweepBatch, Website
from edupulse.monitoring.models.sweeps import BatchStatus, SweepStatus

if TYPE_CHECKING:
    from edupulse.orgs.models import Region

BATCH_SIZE = 200


@action
def start_sweep(*, acting_user: Actor, region: Region | None = None, batch_size: int = BATCH_SIZE,
                checks: Sequence[str] = (), enqueue: bool = True) -> Sweep:
    """Create a sweep of every active site in ``region`` (all sites when None) and queue its batches."""
    sweep = Sweep(region=region, created_at=timezone.now(), batch_size=batch_size, checks=list(checks))
    require(acting_user, "add", sweep)
    sites = Website.objects.filter(is_active=True)
    if region is not None:
        sites = sites.filter(**region.region_code.lookup())
    ids = list(sites.order_by("pk").values_list("pk", flat=True))
    sweep.total_sites = len(ids)
    if not ids:
        sweep.status, sweep.finished_at = SweepStatus.DONE, sweep.created_at
    sweep.save()
    SweepBatch.objects.bulk_create([
        SweepBatch(sweep=sweep, number=n, website_ids=ids[i:i + batch_size])
        for n, i in enumerate(range(0, len(ids), batch_size), start=1)
    ])
    audit.record("monitoring.sweep.create", sweep, acting_user=acting_user, after=audit.snapshot(sweep))
    if enqueue:
        batch_ids = list(sweep.batches.values_list("pk", flat=True))
        transaction.on_commit(lambda: enqueue_batches(batch_ids))
    return sweep


def enqueue_batches(batch_ids: Sequence[int]) -> None:
    """One ``run_batch`` task per batch (after the commit that created or freed them)."""
    for batch_id in batch_ids:
        tasks.run_batch.enqueue(batch_id)


@action
def finish_batch(batch: SweepBatch, *, acting_user: Actor) -> bool:
    """Mark ``batch`` done if its worker still holds it; the sweep is done (and audited) with its last batch.

    False when the lease was lost meanwhile: the worker that took over finishes the batch instead."""
    held = SweepBatch.objects.filter(pk=batch.pk, lease_owner=batch.lease_owner, status=BatchStatus.CLAIMED)
    if held.update(status=BatchStatus.DONE, finished_at=timezone.now(), lease_expires_at=None) != 1:
        return False
    # Two workers finishing the last two batches at once: the sweep's row lock makes the second see the first.
    sweep = Sweep.objects.select_for_update().get(pk=batch.sweep_id)
    if sweep.status == SweepStatus.RUNNING and not sweep.batches.exclude(status=BatchStatus.DONE).exists():
        before = audit.snapshot(sweep)
        sweep.status, sweep.finished_at = SweepStatus.DONE, timezone.now()
        sweep.save(update_fields=["status", "finished_at"])
        audit.record("monitoring.sweep.finish", sweep, acting_user=acting_user, before=before,
                     after=audit.snapshot(sweep))
        request_recompute([latest_period()])  # the measured website indicators are this sweep's results
    return True
