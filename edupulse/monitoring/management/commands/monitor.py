"""``edupulse monitor``: sweeps, maintenance and the demo data of the monitoring platform.

Every sub-command prints one JSON object on stdout; bad input prints ``{"error": ...}`` on stderr and
exits with status 2 (see docs/cli-monitoring.md).
"""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from edupulse.core import context
from edupulse.core.actors import SYSTEM
from edupulse.core.regions import RegionCode
from edupulse.monitoring import actions, baselines, demo, sweeping
from edupulse.monitoring.actions import results
from edupulse.monitoring.alerting import send_pending_alerts
from edupulse.monitoring.checks import CHECK_NAMES
from edupulse.monitoring.filtersets import region_filter
from edupulse.monitoring.models import Website
from edupulse.monitoring.sweeping import reclaim_expired
from edupulse.orgs.models import Region


def _fail(message: str) -> None:
    sys.stderr.write(json.dumps({"error": message}, ensure_ascii=False) + "\n")
    sys.exit(2)


def demo_line(result: dict[str, Any]) -> str:
    """The demo's counts as one Chinese line (what ``make demo`` prints)."""
    if result.get("skipped"):
        return _("Monitoring demo: a registry already exists, nothing added.")
    return _("Monitoring demo: %(websites)s websites, %(systems)s information systems, %(apps)s apps, %(findings)s "
             "open findings, %(notices)s notices at every stage of rectification, %(days)s rows of daily trend figures.") % {
        **result, "days": result.get("region_days", 0)}


class Command(BaseCommand):
    help = "Cybersecurity monitoring: sweep, requeue, purge, rollup, escalate, alerts, demo."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="sub", required=True)
        sweep = sub.add_parser("sweep", help="probe every active site of a region (all sites by default)")
        sweep.add_argument("--region", default="", help="GB/T 2260 code of a province, prefecture or county")
        sweep.add_argument("--batch-size", type=int, default=200)
        sweep.add_argument("--check", action="append", default=[], dest="checks",
                           help="run only this check (repeatable); default every check")
        sweep.add_argument("--inline", action="store_true",
                           help="probe in this process instead of queueing for workers")
        sub.add_parser("requeue", help="queue again the batches whose worker died (expired lease)")
        purge = sub.add_parser("purge", help="delete raw results and old aggregates past their retention")
        purge.add_argument("--raw-days", type=int, default=None)
        purge.add_argument("--aggregate-days", type=int, default=None)
        rollup = sub.add_parser("rollup", help="write the dashboard's per-region figures for a day")
        rollup.add_argument("--day", default="", help="YYYY-MM-DD, default today")
        baseline = sub.add_parser("baseline", help="build tampering baselines (several fetches that agree)")
        baseline.add_argument("--region", default="", help="GB/T 2260 code; default every site")
        baseline.add_argument("--refresh", action="store_true", help="rebuild existing baselines too")
        baseline.add_argument("--samples", type=int, default=3)
        baseline.add_argument("--interval", type=float, default=20.0, help="seconds between samples")
        sub.add_parser("escalate", help="escalate notice items past their deadline")
        sub.add_parser("send-alerts", help="send pending alert deliveries now")
        demo = sub.add_parser("demo", help="demo registry, a year of daily figures and open findings (no network)")
        demo.add_argument("--seed", type=int, default=4)
        demo.add_argument("--days", type=int, default=365)
        demo.add_argument("--json", action="store_true", help="print the counts as JSON instead of one line")

    def handle(self, *args: Any, sub: str, **options: Any) -> None:
        with context.using(context.cli_context()):
            result = getattr(self, "do_" + sub.replace("-", "_"))(**options)
        if sub == "demo" and not options.get("json"):
            self.stdout.write(demo_line(result))
            return
        self.stdout.write(json.dumps(result, ensure_ascii=False, default=str))

    def do_sweep(self, *, region: str, batch_size: int, checks: list[str], inline: bool, **_: Any) -> dict[str, Any]:
        target = None
        if region:
            target = Region.objects.filter(code=region).first()
            if target is None:
                _fail(f"unknown region code {region!r}: give a GB/T 2260 province (2), prefecture (4) "
                      "or county (6) code")
        if not 1 <= batch_size <= 5000:
            _fail("--batch-size must be between 1 and 5000")
        unknown = sorted(set(checks) - set(CHECK_NAMES))
        if unknown:
            _fail(f"unknown check(s) {', '.join(unknown)}; known: {', '.join(CHECK_NAMES)}")
        sweep = actions.start_sweep(acting_user=SYSTEM, region=target, batch_size=batch_size, checks=checks,
                                    enqueue=not inline)
        batch_ids = list(sweep.batches.values_list("pk", flat=True))
        saved = None
        if inline:
            saved = sum(sweeping.run_batch(b) for b in batch_ids)
            sweep.refresh_from_db()
        return {"sweep": sweep.pk, "region": region or None, "sites": sweep.total_sites, "batches": len(batch_ids),
                "backend": "inline" if inline else settings.TASK_BACKEND, "status": sweep.status,
                "saved_sites": saved}

    def do_requeue(self, **_: Any) -> dict[str, Any]:
        return {"requeued_batches": reclaim_expired()}

    def do_purge(self, *, raw_days: int | None, aggregate_days: int | None, **_: Any) -> dict[str, Any]:
        raw = results.RAW_RETENTION_DAYS if raw_days is None else raw_days
        agg = results.AGGREGATE_RETENTION_DAYS if aggregate_days is None else aggregate_days
        if raw < 1 or agg < 30:
            _fail("--raw-days must be at least 1 and --aggregate-days at least 30")
        summary = actions.purge_results(acting_user=SYSTEM, raw_days=raw, aggregate_days=agg)
        return {"deleted": summary.__dict__, "raw_days": raw, "aggregate_days": agg}

    def do_rollup(self, *, day: str, **_: Any) -> dict[str, Any]:
        try:
            target = date.fromisoformat(day) if day else None
        except ValueError:
            _fail(f"--day {day!r} is not a date like 2026-05-31")
        regions = actions.roll_up_day(acting_user=SYSTEM, day=target)
        return {"day": target, "regions": regions}

    def do_baseline(self, *, region: str, refresh: bool, samples: int, interval: float, **_: Any) -> dict[str, Any]:
        if not 1 <= samples <= 10 or interval < 0:
            _fail("--samples must be 1-10 and --interval not negative")
        sites: Any = Website.objects.filter(is_active=True)
        if region:
            if RegionCode.parse_or_none(region) is None:
                _fail(f"unknown region code {region!r}")
            sites = region_filter(sites, region)
        if not refresh:
            sites = sites.exclude(state__baseline__isnull=False)
        urls = list(sites.values_list("url", flat=True))
        built = baselines.fetch_baselines(urls, samples=samples, interval_s=interval)
        actions.save_baselines(built, acting_user=SYSTEM)
        return {"sites": len(urls), "baselines": len(built), "failed": sorted(set(urls) - set(built))}

    def do_escalate(self, **_: Any) -> dict[str, Any]:
        return {"escalated": actions.escalate_overdue(acting_user=SYSTEM)}

    def do_send_alerts(self, **_: Any) -> dict[str, Any]:
        return {"sent": send_pending_alerts(acting_user=SYSTEM)}

    def do_demo(self, *, seed: int, days: int, **_: Any) -> dict[str, Any]:
        if not 1 <= days <= 800:
            _fail("--days must be between 1 and 800")
        return demo.load(seed=seed, days=days).__dict__
