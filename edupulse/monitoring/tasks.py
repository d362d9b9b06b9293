"""Background tasks of the monitoring app (django-tasks backport of Django 6's ``django.tasks``)."""

from __future__ import annotations

from django_tasks import task

from edupulse.core import context
from edupulse.core.actors import SYSTEM
from edupulse.monitoring.models import NoticeItem

QUEUE = "monitoring"


@task(queue_name=QUEUE)
def run_batch(batch_id: int) -> int:
    """Claim and probe one sweep batch (see :mod:`monitoring.sweeping`)."""
    # cycle: sweeping imports monitoring.actions, which imports this module.
    from edupulse.monitoring import sweeping

    with context.using(context.RequestContext(source="task", address=f"task@{_worker()}")):
        return sweeping.run_batch(batch_id)


def _worker() -> str:
    from edupulse.monitoring.sweeping import worker_name  # cycle: as in run_batch

    return worker_name()


@task(queue_name=QUEUE)
def send_alerts() -> int:
    """Send the pending alert deliveries (queued after findings open or resolve)."""
    # cycle: alerting imports monitoring.actions, which imports this module.
    from edupulse.monitoring.alerting import send_pending_alerts

    with context.using(context.RequestContext(source="task", address=f"task@{_worker()}")):
        return send_pending_alerts(acting_user=SYSTEM)


@task(queue_name=QUEUE)
def reprobe(item_id: int) -> str:
    """Re-probe a notice item after its unit submitted rectification evidence."""
    # cycle: noticing imports monitoring.actions, which imports this module.
    from edupulse.monitoring.noticing import reprobe_item

    with context.using(context.RequestContext(source="task", address=f"task@{_worker()}")):
        item = NoticeItem.objects.filter(pk=item_id).first()
        if item is None or item.status != "submitted":
            return "skipped"
        return reprobe_item(item, acting_user=SYSTEM).status


@task(queue_name=QUEUE)
def build_baselines() -> dict[str, int]:
    """Tampering baselines for the active sites that have none (queued weekly by the scheduler)."""
    # cycle: baselines imports monitoring.actions, which imports this module.
    from edupulse.monitoring.baselines import build_missing_baselines

    with context.using(context.RequestContext(source="task", address=f"task@{_worker()}")):
        return build_missing_baselines()
