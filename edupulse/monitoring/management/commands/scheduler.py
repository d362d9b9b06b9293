"""``edupulse scheduler [--once] [--interval SECONDS]``: run the periodic monitoring jobs when they are due.

Every ``edupulse worker`` already does this on its timer; this command is for a deployment that wants the
schedule in its own process, and ``--once`` for a cron line. Several schedulers and workers may run at
once: each due job is started by exactly one of them (see ``monitoring.scheduling``). Prints one JSON
object per job run: ``{"job": NAME, "result": {...}}``.
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from edupulse.monitoring.scheduling import run_due_jobs


class Command(BaseCommand):
    help = ("Run the periodic monitoring jobs (full and quick sweeps, dashboard roll-up, escalation of overdue "
            "notice items, retention) when due; intervals from EDUPULSE_*_MINUTES.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run what is due now, then exit")
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between ticks (default 30)")

    def handle(self, *args: Any, once: bool, interval: float, **options: Any) -> None:
        while True:
            for job, result in run_due_jobs().items():
                self.stdout.write(json.dumps({"job": job, "result": result}, ensure_ascii=False, default=str))
            close_old_connections()
            if once:
                return
            time.sleep(interval)
