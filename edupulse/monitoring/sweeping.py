"""Sweeps split into batches that workers claim with a lease.

``start_sweep`` snapshots the active sites of a region into batches and enqueues one task per batch.
A worker *claims* a batch with a conditional UPDATE (only one worker can win it). It probes the whole
batch at once (the engine runs in a thread with its own event loop) and, in the worker's main thread,
saves the reports in chunks as they arrive, so probing and saving overlap. Each chunk is saved
idempotently (keyed by sweep + site) in one transaction that first renews the lease: a worker that
lost its lease saves nothing more and stops. If the worker dies, its lease runs out and
:func:`reclaim_expired` (run by every ``edupulse worker`` on a timer, and by ``edupulse monitor
requeue``) enqueues the batch again; the new worker skips the sites already saved, so nothing is lost
or doubled. Per-host politeness, timeouts and retries of single fetches are the probe engine's.
"""

from __future__ import annotations

import os
import queue
import socket
import threading
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from edupulse.core import audit
from edupulse.core.actions import action
from edupulse.core.actors import SYSTEM, Actor
from edupulse.core.permissions import require
from edupulse.monitoring.models import CheckResult, Sweep, SweepBatch, Website
from edupulse.monitoring.models.sweeps import BatchStatus, SweepStatus

if TYPE_CHECKING:
    from edupulse.orgs.models import Region

BATCH_SIZE = 200
CHUNK_SIZE = 100  # reports saved together (one transaction, one lease renewal) inside a batch
MAX_ATTEMPTS = 5


def lease_seconds() -> int:
    """``EDUPULSE_SWEEP_LEASE_SECONDS`` (default 300). The lease is renewed with every saved chunk and,
    while no report arrives, every third of the lease, so a live worker never loses it."""
    from django.conf import settings

    return int(getattr(settings, "SWEEP_LEASE_SECONDS", 300))


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def default_probe_runner(urls: Sequence[str], checks: Sequence[str] | None) -> list[Any]:
    """Run the engine on ``urls`` with their stored tampering baselines; tests replace :data:`probe_runner`.

    ``run_batch`` does not call this one: with the default runner it streams the engine's reports
    (:func:`_engine_producer`); a replaced runner is called chunk by chunk instead."""
    from edupulse.monitoring.baselines import baselines_for
    from edupulse.monitoring.probes import ProbeConfig, probe_sites_sync

    return list(probe_sites_sync(list(urls), config=ProbeConfig.from_env(), checks=list(checks) if checks else None,
                                 baselines=baselines_for(urls)))


probe_runner: Callable[[Sequence[str], Sequence[str] | None], list[Any]] = default_probe_runner

# A producer runs in the probe thread: it calls ``emit(report)`` once per site and returns when done,
# or early once ``stop`` is set. It must not touch the database (connections are per thread).
Producer = Callable[[Callable[[Any], None], threading.Event], None]


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
        from django.db import transaction

        batch_ids = list(sweep.batches.values_list("pk", flat=True))
        transaction.on_commit(lambda: _enqueue(batch_ids))
    return sweep


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
    SweepBatch.objects.filter(pk=batch.pk, lease_owner=owner, status=BatchStatus.CLAIMED).update(
        status=BatchStatus.DONE, finished_at=timezone.now(), lease_expires_at=None)
    finish_if_complete(sweep)
    return saved


def _producer(urls: list[str], checks: list[str] | None) -> Producer:
    if probe_runner is default_probe_runner:
        return _engine_producer(urls, checks)
    runner = probe_runner

    def produce(emit: Callable[[Any], None], stop: threading.Event) -> None:
        for start in range(0, len(urls), CHUNK_SIZE):
            if stop.is_set():
                return
            for report in runner(urls[start:start + CHUNK_SIZE], checks):
                emit(report)

    return produce


def _engine_producer(urls: list[str], checks: list[str] | None) -> Producer:
    """The engine over the whole batch on its own event loop; ``on_report`` streams each site's report."""
    import asyncio

    from edupulse.monitoring.baselines import baselines_for
    from edupulse.monitoring.probes import ProbeConfig, probe_sites
    from edupulse.monitoring.probes.engine import run_async

    config, baselines = ProbeConfig.from_env(), baselines_for(urls)  # database work: here, in the caller's thread

    def produce(emit: Callable[[Any], None], stop: threading.Event) -> None:
        async def main() -> None:
            probing = asyncio.ensure_future(probe_sites(urls, config=config, checks=checks, baselines=baselines,
                                                        on_report=lambda _index, report: emit(report)))
            while not probing.done():
                if stop.is_set():
                    probing.cancel()
                    break
                await asyncio.wait({probing}, timeout=0.2)
            try:
                await probing
            except asyncio.CancelledError:
                if not stop.is_set():
                    raise

        run_async(main())

    return produce


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
    produce = _producer(list(by_url), list(sweep.checks) or None)
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
    from edupulse.monitoring.actions.results import save_reports

    with transaction.atomic():
        if not renew_lease(batch):
            return False, 0
        summary = save_reports(reports, acting_user=SYSTEM, sweep=sweep, websites=websites)
    return True, summary.saved_sites


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
