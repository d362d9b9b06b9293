"""Keeping the stored indicator values current: domain apps call :func:`request_recompute` from the actions
that change the data behind them (an import, a review decision, a finished sweep)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from edupulse.indicators import tasks
from edupulse.indicators.models import IndicatorValue

# A burst of changes (a page of approvals, an import of 5,000 files) queues one run, not thousands.
PENDING_SECONDS = 600


def request_recompute(periods: Iterable[str]) -> None:
    """Once the current transaction commits, queue a recomputation of ``periods`` unless one is already queued."""
    wanted = sorted({str(p) for p in periods if p})
    if not wanted:
        return

    def enqueue() -> None:
        if cache.add(tasks.pending_key(wanted), True, timeout=PENDING_SECONDS):
            tasks.recompute_indicators.enqueue(wanted)

    transaction.on_commit(enqueue)


def latest_period() -> str:
    """The period that snapshot sources (probe states, the registry) are attributed to: the newest period
    with stored values, else the current year."""
    newest = IndicatorValue.objects.order_by("-period").values_list("period", flat=True).first()
    return newest or str(timezone.localdate().year)
