"""Sweeps split into batches that workers claim with a lease.

``actions.start_sweep`` snapshots the active sites of a region into batches and enqueues one task per batch;
this module is the worker's side, the orchestration around the sweep actions (``actions/sweeps.py``).
A worker *claims* a batch with a conditional UPDATE (only one worker can win it). It probes the whole
batch at once (the engine runs in a thread with its own event loop) and, in the worker's main thread,
saves the reports in chunks as they arrive (through ``actions.save_reports``), so probing and saving overlap. Each chunk is saved
idempotently (keyed by sweep + site) in one transaction that first renews the lease: a worker that
lost its lease saves nothing more and stops. If the worker dies, its lease runs out and
:func:`reclaim_expired` (run by every ``edupulse worker`` on a timer, and by ``edupulse monitor
requeue``) enqueues the batch again; the new worker skips the sites already saved, so nothing is lost
or doubled. The reports come from the configured probe runner (:mod:`monitoring.runners`). Per-host
politeness, timeouts and retries of single fetches are the probe engine's.
"""

from __future__ import annotations

import os
import queue
import socket
import threading
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from edupulse.core.actors import SYSTEM
from edupulse.monitoring import runners
from edupulse.monitoring.actions.results import save_reports
from edupulse.monitoring.actions.sweeps import enqueue_batches, finish_batch
from edupulse.monitoring.models import CheckResult, Sweep, SweepBatch, Website
from edupulse.monitoring.models.sweeps import BatchStatus

CHUNK_SIZE = 100  # reports saved together (one transaction, one lease renewal) inside a batch
MAX_ATTEMPTS = 5


def lease_seconds() -> int:
    """``EDUPULSE_SWEEP_LEASE_SECONDS`` (default 300). The lease is renewed with every saved chunk and,
    while no report arrives, every third of the lease, so a live worker never loses it."""
    return int(getattr(settings, "SWEEP_LEASE_SECONDS", 300))


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim_batch(batch_id: int, *, owner: str, lease: int | None = None) -> SweepBatch | None:
    """Take the batch if it is pending or its lease expired; None when another worker holds it or it
    is done. A single conditional UPDATE, so two workers can never both win."""
    now = timezone.now()
    claimable = Q(status=BatchStatus.PENDING) | Q(status=BatchStatus.CLAIMED, lease_expires_at__lt=now)
    won = (SweepBatch.objects.filter(claimable, pk=batch_id, attempts__lt=MAX_ATTEMPTS)
           .update(status=BatchStatus.CLAIMED, lease_owner=owner,
                   lease_expires_at=now + timedelta(seconds=lease or lease_seconds()), attempts=F("attempts") + 1))
    if won != 1:
        return None
    return SweepBatch.objects.select_related("sweep").get(pk=batch_id)


def renew_lease(batch: SweepBatch) -> bool:
    """Extend our lease; False if we lost it (it expired and someone else claimed the batch)."""
    expires = timezone.now() + timedelta(seconds=lease_seconds())
    return SweepBatch.objects.filter(pk=batch.pk, lease_owner=batch.lease_owner,
                                     status=BatchStatus.CLAIMED).update(lease_expires_at=expires) == 1


def run_batch(batch_id: int, *, owner: str | None = None) -> int:
    """Claim and process one batch; returns the number of sites saved by this call."""
    owner = owner or worker_name()
    batch = claim_batch(batch_id, owner=owner)
    if batch is None:
        return 0
    sweep = batch.sweep
    done = set(CheckResult.objects.filter(sweep=sweep, website_id__in=batch.website_ids)
               .values_list("website_id", flat=True).distinct())
    remaining = [pk for pk in batch.website_ids if pk not in done]
    sites = Website.objects.in_bulk(remaining)
    todo = [sites[pk] for pk in remaining if pk in sites]
    saved, complete = _probe_and_save(batch, sweep, todo)
    if not complete:
        return saved  # the lease was lost; the new holder finishes (already-saved sites are skipped)
    finish_batch(batch, acting_user=SYSTEM)
    return saved


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


_END = object()


def _probe_and_save(batch: SweepBatch, sweep: Sweep, sites: list[Website]) -> tuple[int, bool]:
    """Probe ``sites`` in a thread and save their reports in chunks, in this thread, as they arrive.

    Returns (sites saved, finished); finished is False when the lease was lost (nothing more is saved).
    A failure of the prober is raised here after saving the reports that did arrive."""
    if not sites:
        return 0, True
    by_url = {site.url: site for site in sites}
    produce = runners.producer_for(runners.probe_runner(), list(by_url), list(sweep.checks) or None, CHUNK_SIZE)
    # The probe thread collects reports and hands over whole chunks, so this thread wakes once per chunk
    # (not per site) and the two threads do not trade the GIL for every report.
    inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
    collected: list[Any] = []
    lock = threading.Lock()
    stop = threading.Event()

    def emit(report: Any) -> None:
        with lock:
            collected.append(report)
            if len(collected) < CHUNK_SIZE:
                return
            chunk = collected[:]
            collected.clear()
        inbox.put(chunk)

    def probe() -> None:
        try:
            produce(emit, stop)
        except BaseException as error:  # handed to the main thread, which re-raises it
            inbox.put(_Failed(error))
        else:
            inbox.put(_END)

    def take_collected() -> list[Any]:
        with lock:
            chunk = collected[:]
            collected.clear()
        return chunk

    thread = threading.Thread(target=probe, name=f"sweep-batch-{batch.pk}", daemon=True)
    idle_renewal = max(1.0, lease_seconds() / 3)  # renew at least this often while nothing is saved
    flush_after = min(10.0, idle_renewal)  # save the reports collected so far when no chunk came for this long
    saved = 0
    last_write = last_look = time.monotonic()

    def save(chunk: list[Any]) -> bool:
        nonlocal saved, last_write, last_look
        ok, count = _save_chunk(batch, sweep, chunk, by_url)
        saved += count
        last_write = last_look = time.monotonic()
        return ok

    thread.start()
    try:
        while True:
            try:
                item = inbox.get(timeout=max(0.05, flush_after - (time.monotonic() - last_look)))
            except queue.Empty:  # no full chunk for a while: save what there is, or at least keep the lease
                last_look = time.monotonic()
                item = take_collected()
                if not item:
                    if last_look - last_write >= idle_renewal:
                        if not renew_lease(batch):
                            return saved, False
                        last_write = last_look
                    continue
            if item is _END:
                break
            if isinstance(item, _Failed):
                rest = take_collected()
                if rest and isinstance(item.error, Exception):
                    save(rest)
                raise item.error
            if not save(item):
                return saved, False
        rest = take_collected()
        if rest and not save(rest):
            return saved, False
        return saved, True
    finally:
        stop.set()
        thread.join(timeout=60)


def _save_chunk(batch: SweepBatch, sweep: Sweep, reports: list[Any], websites: dict[str, Website]) -> tuple[bool, int]:
    """Renew the lease and save ``reports`` in one transaction; (False, 0) when the lease is lost.

    Renewing first fences a worker whose lease expired and was taken over: it saves nothing. On
    PostgreSQL the renewal also locks the batch row until the results are committed, so a worker
    claiming the batch meanwhile waits and then sees them (and skips those sites)."""
    with transaction.atomic():
        if not renew_lease(batch):
            return False, 0
        summary = save_reports(reports, acting_user=SYSTEM, sweep=sweep, websites=websites)
    return True, summary.saved_sites


def reclaim_expired(*, enqueue: bool = True) -> list[int]:
    """Batches whose worker died (lease expired) are queued again; returns their ids."""
    now = timezone.now()
    expired = list(SweepBatch.objects.filter(status=BatchStatus.CLAIMED, lease_expires_at__lt=now,
                                             attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True))
    if expired and enqueue:
        enqueue_batches(expired)
    return expired
