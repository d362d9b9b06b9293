"""The re-probe of a notice item: the one step of the 通报 → 整改 loop that runs the probe.

The loop's state changes are actions in :mod:`monitoring.actions.notices`; this module is the orchestration
around the last of them, because the probe must not run inside the action's transaction.
"""

from __future__ import annotations

from edupulse.core.actors import Actor
from edupulse.core.permissions import require
from edupulse.monitoring.actions.notices import record_reprobe
from edupulse.monitoring.models import NoticeItem
from edupulse.monitoring.models.notices import ITEM_WORKFLOW
from edupulse.monitoring.runners import probe_runner


def reprobe_item(item: NoticeItem, *, acting_user: Actor) -> NoticeItem:
    """Probe the finding's check on the site again and record the outcome (:func:`record_reprobe`).

    The probe runs before the action's transaction: a site that takes its full time limit to answer must not
    hold the database's write lock meanwhile (on SQLite it would stop every worker saving sweep results)."""
    require(acting_user, "change", item)  # refused before the probe runs, not after it (the record needs "change")
    ITEM_WORKFLOW.enforce(acting_user, item, "reprobe")
    reports = probe_runner()([item.website.url], [item.finding.check_name])
    return record_reprobe(item, reports, acting_user=acting_user)
