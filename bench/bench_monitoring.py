"""Dashboard latency of the monitoring platform at province scale (issue 4).

Builds a throw-away SQLite database (or uses DATABASE_URL if it points to PostgreSQL) with the demo
province (~25,000 schools), one website per school (25,000 sites) plus the bureau portals, the current
state of every site, open findings, a year of regional daily roll-ups and a year of per-site daily
aggregates (``--aggregate-checks`` checks per site, default 1 = ~9 million rows), then times the
dashboard page through Django's test client as a province admin, a prefecture officer and a county
officer. Prints medians and p95 and a JSON line.

    .venv/bin/python bench/bench_monitoring.py [--requests 60] [--aggregate-checks 1] [--keep PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--aggregate-checks", type=int, default=1, choices=range(0, 14))
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--only-dashboard", action="store_true", help="skip the result-saving measurement")
    parser.add_argument("--save-sites", type=int, default=2000, help="sites for the result-saving measurement")
    parser.add_argument("--keep", default="", help="keep the SQLite database at this path")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="edupulse-bench-monitoring-"))
    db_path = Path(args.keep) if args.keep else workdir / "bench.sqlite3"
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("EDUPULSE_VAR_DIR", str(workdir))
    os.environ["DJANGO_SETTINGS_MODULE"] = "edupulse.settings"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from edupulse.accounts.models import User
    from edupulse.monitoring import demo
    from edupulse.monitoring.checks import CHECK_NAMES
    from edupulse.monitoring.models import DailyAggregate, Website

    setup_test_environment()
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    if not Website.objects.exists():
        call_command("load_regions", verbosity=0)
        call_command("demo_data", "--quiet", "--json", stdout=open(os.devnull, "w"))  # noqa: SIM115
        demo.SCHOOL_SITE_SHARE = 1.0  # one site per school: 25,000+ sites
        demo.RECENT_DAYS = 0
        summary = demo.load(seed=11, days=args.days)
        _year_of_aggregates(args.days, args.aggregate_checks, CHECK_NAMES, DailyAggregate, timezone.localdate())
        print(f"built in {time.perf_counter() - t0:.0f} s: {summary}", file=sys.stderr)
    sites = Website.objects.count()
    aggregates = DailyAggregate.objects.count()

    users = {role: User.objects.get(username=name) for role, name in
             (("province", "demo51-province"), ("prefecture", "demo51-prefecture"), ("county", "demo51-county"))}
    results = {}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        for _ in range(3):
            assert client.get("/monitoring/").status_code == 200  # warm-up (templates, statement cache)
        times, cpu = [], []
        for _ in range(args.requests):
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get("/monitoring/")
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)  # SQLite runs in-process: CPU = cost
            assert response.status_code == 200
        times.sort()
        cpu.sort()
        results[role] = {"median_ms": round(statistics.median(times), 1),
                         "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1), "max_ms": round(times[-1], 1),
                         "cpu_median_ms": round(statistics.median(cpu), 1),
                         "cpu_p95_ms": round(cpu[int(0.95 * (len(cpu) - 1))], 1)}
    save_rate = None if args.only_dashboard else _save_throughput(args.save_sites)
    line = {"bench": "monitoring-dashboard", "save_reports": save_rate, "sites": sites,
            "daily_aggregates": aggregates, "days": args.days,
            "database": os.environ["DATABASE_URL"].split(":", 1)[0], "requests": args.requests,
            "python": platform.python_version(), "cpus": os.cpu_count(), "results": results}
    for role, r in results.items():
        print(f"{role:<11} median {r['median_ms']:>7} ms   p95 {r['p95_ms']:>7} ms   max {r['max_ms']:>7} ms   "
              f"(CPU median {r['cpu_median_ms']} ms, p95 {r['cpu_p95_ms']} ms)")
    if save_rate is not None:
        print(f"save_reports: {save_rate['wall_sites_per_s']} sites/s wall, {save_rate['cpu_sites_per_s']} sites per "
              "CPU-second (13 checks each, in sweep-sized chunks)")
    print(json.dumps(line))
    return 0


def _save_throughput(count: int) -> dict[str, float]:
    """Sites per second through ``save_reports`` (raw rows, aggregates, state, findings), in sweep chunks."""
    from django.utils import timezone

    from edupulse.core.actions import run_as_system
    from edupulse.monitoring import actions
    from edupulse.monitoring.models import Website
    from edupulse.monitoring.tests.factories import report

    sites = list(Website.objects.order_by("?")[:count])
    sweep = run_as_system(actions.start_sweep, enqueue=False)
    now = timezone.now()
    reports = [report(s.url, failing=("hsts",) if i % 7 == 0 else (), at=now) for i, s in enumerate(sites)]
    from edupulse.monitoring.sweeping import CHUNK_SIZE

    start, start_cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(reports), CHUNK_SIZE):
        chunk = sites[i:i + CHUNK_SIZE]
        run_as_system(actions.save_reports, reports[i:i + CHUNK_SIZE], sweep=sweep,
                      websites={s.url: s for s in chunk})
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    return {"wall_sites_per_s": round(len(sites) / wall, 1), "cpu_sites_per_s": round(len(sites) / cpu, 1)}


def _year_of_aggregates(days: int, checks: int, names: tuple[str, ...], model: type, today: object) -> None:
    """A year of per-site daily aggregates for ``checks`` checks, inserted with executemany."""
    from django.db import connection, transaction

    from edupulse.monitoring.models import Website

    rng = random.Random(5)
    site_ids = list(Website.objects.values_list("pk", flat=True))
    table = model._meta.db_table  # type: ignore[attr-defined]
    sql = (f"INSERT INTO {table} (website_id, day, check_name, runs, passes, warns, fails, errors, score_sum, "
           "scored_runs, last_status) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)")
    existing = set(model.objects.values_list("website_id", "check_name", "day").distinct()) if checks else set()
    for check in names[:checks]:
        for back in range(days):
            day = today - timedelta(days=back)  # type: ignore[operator]
            rows = []
            for pk in site_ids:
                if (pk, check, day) in existing:
                    continue
                fails = 0 if rng.random() < 0.92 else rng.randrange(1, 6)
                rows.append((pk, day, check, 24, 24 - fails, 0, fails, 0, (24 - fails) * 100, 24, "pass"))
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(sql, rows)


if __name__ == "__main__":
    raise SystemExit(main())
