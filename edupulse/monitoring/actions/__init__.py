"""State changes of the monitoring app, one module per topic (Zulip's ``zerver/actions/`` layout).

* :mod:`.registry` — websites, information systems, education apps: save, delete, import;
* :mod:`.results` — saving probe reports (results, site states, findings), purging, the daily roll-up;
* :mod:`.baselines` — storing tampering baselines;
* :mod:`.sweeps` — starting a sweep, claiming and renewing batch leases, finishing a sweep;
* :mod:`.notices` — 通报 and 整改: create, issue, acknowledge, submit evidence, record a re-probe, escalate
  (enforcing ``models.notices.NOTICE_WORKFLOW`` / ``ITEM_WORKFLOW``);
* :mod:`.alerts` — alert channels, maintenance windows, sending queued deliveries.

The orchestration around them lives beside, outside this package, and calls them: the sweep runner and its
worker threads (:mod:`monitoring.sweeping`), the re-probe that runs the probe before its action
(:mod:`monitoring.noticing`), baseline fetching (:mod:`monitoring.baselines`), the scheduler and tasks.
"""

from edupulse.monitoring.actions.baselines import save_baselines
from edupulse.monitoring.actions.registry import (
    delete_app,
    delete_system,
    delete_website,
    import_assets,
    save_app,
    save_system,
    save_website,
)
from edupulse.monitoring.actions.results import purge_results, roll_up_day, save_reports
from edupulse.monitoring.alerting import save_channel, save_window, send_pending_alerts
from edupulse.monitoring.noticing import (
    acknowledge_item,
    create_notice,
    escalate_overdue,
    issue_notice,
    reprobe_item,
    submit_evidence,
)
from edupulse.monitoring.sweeping import claim_batch, reclaim_expired, start_sweep

__all__ = [
    "acknowledge_item", "claim_batch", "create_notice", "delete_app", "delete_system", "delete_website",
    "escalate_overdue", "import_assets", "issue_notice", "purge_results", "reclaim_expired", "reprobe_item",
    "roll_up_day", "save_app", "save_baselines", "save_channel", "save_reports", "save_system", "save_website",
    "save_window", "send_pending_alerts", "start_sweep", "submit_evidence",
]
