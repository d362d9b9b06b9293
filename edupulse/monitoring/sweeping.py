"""Sweeps split into batches that workers claim with a lease.

``start_sweep`` snapshots the active sites of a region into batches and enqueues one task per batch.
A worker *claims* a batch with a conditional UPDATE (only one worker can win it), probes its sites in
chunks and saves each chunk (idempotently, keyed by sweep + site) before the next, renewing the lease
as it goes. If the worker dies, its lease runs out and :func:`reclaim_expired` (run by every
``edupulse worker`` on a timer, and by ``edupulse monitor requeue``) enqueues the batch again; the new
worker skips the sites already saved, so nothing is lost or doubled. Per-host politeness, timeouts and
retries of single fetches are the probe engine's.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils import timezone

from edupulse.core import audit
from edupulse.core.actions import action
from edupulse.core.permissions import require
from edupulse.monitoring.models import CheckResult, Sweep, SweepBatch, Website
from edupulse.monitoring.models.sweeps import BatchStatus, SweepStatus

if TYPE_CHECKING:
    from edupulse.accounts.models import User
    from edupulse.orgs.models import Region

BATCH_SIZE = 200
CHUNK_SIZE = 100  # sites probed and saved together (one transaction) inside a batch

def lease_seconds() -> int:
    """``EDUPULSE_SWEEP_LEASE_SECONDS`` (default 300): renewed after every chunk, so a chunk of
    ``CHUNK_SIZE`` sites must finish well within it."""
    from django.conf import settings

    return int(getattr(settings, "SWEEP_LEASE_SECONDS", 300))
MAX_ATTEMPTS = 5


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def default_probe_runner(urls: Sequence[str], checks: Sequence[str] | None) -> list[Any]:
    """Run the engine on ``urls`` with their stored tampering baselines; tests replace :data:`probe_runner`."""
    from edupulse.monitoring.baselines import baselines_for
    from edupulse.monitoring.probes import ProbeConfig, probe_sites_sync

    return list(probe_sites_sync(list(urls), config=ProbeConfig.from_env(), checks=list(checks) if checks else None,
                                 baselines=baselines_for(urls)))


probe_runner: Callable[[Sequence[str], Sequence[str] | None], list[Any]] = default_probe_runner


@action
def start_sweep(*, acting_user: User | None, region: Region | None = None, batch_size: int = BATCH_SIZE,
                checks: Sequence[str] = (), enqueue: bool = True) -> Sweep:
    """Create a sweep of every active site in ``region`` (all sites when None) and queue its batches."""
    sweep = Sweep(region=region, created_at=timezone.now(), batch_size=batch_size, checks=list(checks))
    if acting_user is not None:
        require(acting_user, "add", sweep)
    sites = Website.objects.filter(is_active=True)
    if region is not None:
        sites = sites.filter(**{f"{_level_field(region.code)}": region.code})
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
        from django.db import transaction

        batch_ids = list(sweep.batches.values_list("pk", flat=True))
        transaction.on_commit(lambda: _enqueue(batch_ids))
    return sweep


def _level_field(code: str) -> str:
    return {2: "province_id", 4: "prefecture_id", 6: "county_id"}[len(code)]


def _enqueue(batch_ids: Sequence[int]) -> None:
    from edupulse.monitoring.tasks import run_batch

    for batch_id in batch_ids:
        run_batch.enqueue(batch_id)


def claim_batch(batch_id: int, *, owner: str, lease: int | None = None) -> SweepBatch | None:
    """Take the batch if it is pending or its lease expired; None when another worker holds it or it
    is done. A single conditional UPDATE, so two workers can never both win."""
    now = timezone.now()
    claimable = Q(status=BatchStatus.PENDING) | Q(status=BatchStatus.CLAIMED, lease_expires_at__lt=now)
    won = (SweepBatch.objects.filter(claimable, pk=batch_id, attempts__lt=MAX_ATTEMPTS)
           .update(status=BatchStatus.CLAIMED, lease_owner=owner,
                   lease_expires_at=now + timedelta(seconds=lease or lease_seconds()), attempts=_plus_one()))
    if won != 1:
        return None
    return SweepBatch.objects.select_related("sweep").get(pk=batch_id)


def _plus_one() -> Any:
    from django.db.models import F

    return F("attempts") + 1


def renew_lease(batch: SweepBatch) -> bool:
    """Extend our lease; False if we lost it (it expired and someone else claimed the batch)."""
    expires = timezone.now() + timedelta(seconds=lease_seconds())
    return SweepBatch.objects.filter(pk=batch.pk, lease_owner=batch.lease_owner,
                                     status=BatchStatus.CLAIMED).update(lease_expires_at=expires) == 1


def run_batch(batch_id: int, *, owner: str | None = None) -> int:
    """Claim and process one batch; returns the number of sites saved by this call."""
    from edupulse.monitoring.recording import save_reports

    owner = owner or worker_name()
    batch = claim_batch(batch_id, owner=owner)
    if batch is None:
        return 0
    sweep = batch.sweep
    done = set(CheckResult.objects.filter(sweep=sweep, website_id__in=batch.website_ids)
               .values_list("website_id", flat=True).distinct())
    remaining = [pk for pk in batch.website_ids if pk not in done]
    sites = Website.objects.in_bulk(remaining)
    saved = 0
    for start in range(0, len(remaining), CHUNK_SIZE):
        chunk = [sites[pk] for pk in remaining[start:start + CHUNK_SIZE] if pk in sites]
        reports = probe_runner([s.url for s in chunk], sweep.checks or None)
        summary = save_reports(reports, acting_user=None, sweep=sweep, websites={s.url: s for s in chunk})
        saved += summary.saved_sites
        if not renew_lease(batch):
            return saved  # the lease was lost; the new holder finishes (already-saved sites are skipped)
    SweepBatch.objects.filter(pk=batch.pk, lease_owner=owner).update(
        status=BatchStatus.DONE, finished_at=timezone.now(), lease_expires_at=None)
    finish_if_complete(sweep)
    return saved


def finish_if_complete(sweep: Sweep) -> None:
    if not sweep.batches.exclude(status=BatchStatus.DONE).exists():
        Sweep.objects.filter(pk=sweep.pk, status=SweepStatus.RUNNING).update(
            status=SweepStatus.DONE, finished_at=timezone.now())


def reclaim_expired(*, enqueue: bool = True) -> list[int]:
    """Batches whose worker died (lease expired) are queued again; returns their ids."""
    now = timezone.now()
    expired = list(SweepBatch.objects.filter(status=BatchStatus.CLAIMED, lease_expires_at__lt=now,
                                             attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True))
    if expired and enqueue:
        _enqueue(expired)
    return expired
