"""State changes of the monitoring app, one module per topic (Zulip's ``zerver/actions/`` layout).

* :mod:`.registry` — websites, information systems, education apps: save, delete, import;
* :mod:`.results` — saving probe reports (results, site states, findings), purging, the daily roll-up;
* :mod:`.baselines` — storing tampering baselines;
* :mod:`.sweeps` — starting a sweep, finishing a batch (and the sweep with its last batch);
* :mod:`.notices` — 通报 and 整改: create, issue, acknowledge, submit evidence, record a re-probe, escalate
  (enforcing ``models.notices.NOTICE_WORKFLOW`` / ``ITEM_WORKFLOW``);
* :mod:`.alerts` — alert channels, maintenance windows, queueing deliveries, recording a send.

The orchestration around them lives beside, outside this package, and calls them: batch leases, the sweep
worker and its probe thread (:mod:`monitoring.sweeping`), the probe runner (:mod:`monitoring.runners`), the
re-probe that runs the probe before its action (:mod:`monitoring.noticing`), sending alerts
(:mod:`monitoring.alerting`), baseline fetching (:mod:`monitoring.baselines`), the scheduler and tasks.
"""

from edupulse.monitoring.actions.alerts import queue_alerts, record_delivery, save_channel, save_window
from edupulse.monitoring.actions.baselines import save_baselines
from edupulse.monitoring.actions.notices import (
    acknowledge_item,
    create_notice,
    escalate_overdue,
    issue_notice,
    record_reprobe,
    submit_evidence,
)
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
from edupulse.monitoring.actions.sweeps import finish_batch, start_sweep

__all__ = [
    "acknowledge_item", "create_notice", "delete_app", "delete_system", "delete_website", "escalate_overdue",
    "finish_batch", "import_assets", "issue_notice", "purge_results", "queue_alerts", "record_delivery",
    "record_reprobe", "roll_up_day", "save_app", "save_baselines", "save_channel", "save_reports", "save_system",
    "save_website", "save_window", "start_sweep", "submit_evidence",
]
