"""Background recomputation of the stored indicator values (queued when the data behind them changes)."""

from __future__ import annotations

from django.core.cache import cache
from django_tasks import task

from edupulse.core import context
from edupulse.core.actors import SYSTEM
from edupulse.indicators.actions import recompute

QUEUE = "default"


def pending_key(periods: list[str]) -> str:
    """The cache key that marks a recomputation of ``periods`` as queued and not yet started."""
    return "indicators:recompute-queued:" + ",".join(sorted(periods))


@task(queue_name=QUEUE)
def recompute_indicators(periods: list[str]) -> int:
    """Recompute and store every indicator for ``periods`` (both bases); returns the values stored."""
    # Cleared before computing: a change committed while this runs queues another run, which sees it.
    cache.delete(pending_key(periods))
    with context.using(context.RequestContext(source="task", address="task@indicators")):
        stored = recompute(periods, acting_user=SYSTEM)
    return sum(len(values) for values in stored.values())
