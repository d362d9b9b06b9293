"""End-to-end sweep benchmark (issue 4): ``edupulse monitor sweep`` over real ``edupulse worker`` processes.

    .venv/bin/python bench/bench_sweep.py                                   # 5000 sites, 2 workers, SQLite, db
    .venv/bin/python bench/bench_sweep.py --sites 300                       # smoke run
    .venv/bin/python bench/bench_sweep.py --backend rq --workers 4          # RQ on Redis (a database of its own)
    .venv/bin/python bench/bench_sweep.py --database-url postgres://u:p@127.0.0.1/edupulse_bench

What it does: starts the probe benchmark's server (``bench/bench_probes.py --serve``: a realistic school home
page for every ``sNNNNNN.bench.test`` host on 127.0.0.1 and ::1, plain HTTP and HTTPS, and a DNS server for
those names), migrates the database (a temporary SQLite file unless ``--database-url``; give PostgreSQL an
empty database of its own), registers ``--sites`` websites ``http://sNNNNNN.bench.test:PORT/``, starts
``--workers`` ``edupulse worker`` processes on the chosen task backend and times ``edupulse monitor sweep``
with the issue's checks from the moment it is started until the sweep is done. Then it checks that every
site has exactly one result per check, and prints one JSON object: wall time, sites/s, CPU seconds of the
workers (including RQ's work horses) and of the bench server, and the status counts per check. CPU time of
a PostgreSQL server is not included (it is another user's process).

The workers read everything from the environment, as in production, with ``EDUPULSE_PROBE_PER_IP`` lifted
(every bench site is on the same address) and ``EDUPULSE_PROBE_HTTP_PORT`` / ``EDUPULSE_PROBE_HTTPS_PORT``
pointing at the bench server's ports, so the HTTPS counterpart of every site (HSTS, headers) is really
fetched over TLS.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHECKS = ("availability", "dns", "ipv6", "ipv6_content", "ipv6_links", "headers", "dark_links", "sensitive_words",
          "https_redirect", "hsts")

SETUP = '''
import json, sys
import django
django.setup()
from edupulse.core.actions import run_as_system
from edupulse.monitoring import actions
from edupulse.monitoring.models import Website
from edupulse.orgs import actions as orgs
if Website.objects.exists():
    sys.exit("the database already has websites: give the benchmark an empty database of its own")
run_as_system(orgs.load_regions)
urls = json.loads(sys.stdin.read())
rows = [{"url": url, "name": f"基准测试网站{n}", "category": "bureau_portal", "owner_region_id": "510107"}
        for n, url in enumerate(urls, start=1)]
print(run_as_system(actions.import_assets, "website", rows))
'''

WATCH = '''
import sys
import django
django.setup()
from edupulse.monitoring.models import Sweep
for line in sys.stdin:
    print(Sweep.objects.filter(pk=int(line)).values_list("status", flat=True).first(), flush=True)
'''

VERIFY = '''
import json, sys
import django
django.setup()
from django.db.models import Count
from edupulse.monitoring.models import CheckResult, Sweep, Website
sweep = Sweep.objects.get(pk=int(sys.argv[1]))
expected = len(sweep.checks)
per_site = dict(CheckResult.objects.filter(sweep=sweep).values_list("website_id").annotate(n=Count("pk"))
                .values_list("website_id", "n"))
sites = list(Website.objects.filter(is_active=True).values_list("pk", flat=True))
statuses = {}
for name, status, n in (CheckResult.objects.filter(sweep=sweep).values_list("check_name", "status")
                        .annotate(n=Count("pk")).values_list("check_name", "status", "n")):
    statuses.setdefault(name, {})[status] = n
print(json.dumps({
    "missing": sum(1 for pk in sites if pk not in per_site),
    "doubled": sum(1 for n in per_site.values() if n > expected),
    "results": sum(per_site.values()),
    "attempts": sorted(set(sweep.batches.values_list("attempts", flat=True))),
    "statuses": statuses,
}))
'''


def _children() -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat:
                found.setdefault(int(stat[1]), []).append(int(entry.name))
    return found


def _stat(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def _tree(pid: int) -> list[int]:
    """``pid`` and its living descendants (RQ: the scheduler and the current work horse)."""
    children, found, todo = _children(), [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def cpu_seconds(pid: int) -> float:
    """CPU of ``pid`` and its descendants: their own time plus that of the children they have reaped
    (an RQ worker waits for each work horse, so finished horses count)."""
    ticks = 0
    for member in _tree(pid):
        fields = _stat(member)
        if fields:
            ticks += sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def stop_tree(pid: int, grace: float = 10.0) -> None:
    members = _tree(pid)
    for member in members:
        with contextlib.suppress(ProcessLookupError):
            os.kill(member, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(_stat(m) and _stat(m)[0] != "Z" for m in members):
        time.sleep(0.1)
    for member in members:
        with contextlib.suppress(ProcessLookupError):
            os.kill(member, signal.SIGKILL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sites", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--backend", choices=("db", "rq"), default="db")
    parser.add_argument("--database-url", default="", help="PostgreSQL (an empty database); default a SQLite file")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12",
                        help="rq backend: a Redis database of its own (it is flushed)")
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=0, help="EDUPULSE_PROBE_CONCURRENCY (default: engine's)")
    parser.add_argument("--timeout", type=float, default=1800, help="give up after this many seconds of sweep")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (database, logs)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="edupulse-bench-sweep-"))
    processes: list[subprocess.Popen[Any]] = []
    server = subprocess.Popen([sys.executable, str(ROOT / "bench" / "bench_probes.py"), "--serve"],
                              stdout=subprocess.PIPE, text=True, cwd=ROOT)
    processes.append(server)
    redis = None
    try:
        assert server.stdout is not None
        ports = json.loads(server.stdout.readline())
        env = {k: v for k, v in os.environ.items() if not k.startswith(("EDUPULSE_", "DJANGO_")) and k != "DATABASE_URL"}
        env.update({
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "edupulse.settings",
            "DATABASE_URL": args.database_url or f"sqlite:///{tmp / 'edupulse.sqlite3'}",
            "EDUPULSE_VAR_DIR": str(tmp / "var"),
            "EDUPULSE_DUCKDB_PATH": str(tmp / "analytics.duckdb"),
            "EDUPULSE_TASK_BACKEND": args.backend,
            "EDUPULSE_PROBE_ALLOW": "127.0.0.0/8,::1/128",
            "EDUPULSE_DNS_SERVERS": f"127.0.0.1:{ports['dns']}",
            "EDUPULSE_PROBE_CA_FILE": ports["ca_file"],
            "EDUPULSE_PROBE_PER_IP": "10000",  # every bench site is on 127.0.0.1 / ::1 (as bench_probes.py)
            "EDUPULSE_LOG_LEVEL": "WARNING",
            # The bench server's ports stand for 80 / 443: the https counterpart, HSTS and headers are real.
            "EDUPULSE_PROBE_HTTP_PORT": str(ports["http"]),
            "EDUPULSE_PROBE_HTTPS_PORT": str(ports["https"]),
        })
        if args.concurrency:
            env["EDUPULSE_PROBE_CONCURRENCY"] = str(args.concurrency)
        if args.backend == "rq":
            from redis import Redis

            env["EDUPULSE_REDIS_URL"] = args.redis_url
            redis = Redis.from_url(args.redis_url)
            redis.flushdb()

        def run(*command: str, stdin: str | None = None) -> str:
            done = subprocess.run(command, env=env, cwd=ROOT, input=stdin, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                sys.exit(f"{' '.join(command[:5])} failed:\n{done.stdout}\n{done.stderr}")
            return done.stdout

        edupulse = (sys.executable, "-m", "edupulse.cli")
        started = time.perf_counter()
        run(*edupulse, "migrate", "--no-input")
        migrate_s = time.perf_counter() - started
        urls = [f"http://s{n:06d}.bench.test:{ports['http']}/" for n in range(1, args.sites + 1)]
        started = time.perf_counter()
        run(sys.executable, "-c", SETUP, stdin=json.dumps(urls))
        register_s = time.perf_counter() - started

        logs = [open(tmp / f"worker-{n}.log", "w") for n in range(1, args.workers + 1)]  # noqa: SIM115
        workers = [subprocess.Popen([*edupulse, "worker", "--reclaim-interval", "30", "--no-schedule"], env=env, cwd=ROOT,
                                    stdout=log, stderr=subprocess.STDOUT) for log in logs]
        processes += workers
        watch = subprocess.Popen([sys.executable, "-c", WATCH], env=env, cwd=ROOT, stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, text=True)
        processes.append(watch)
        time.sleep(3)  # workers up (imports, Redis/database connection) before the clock starts
        for worker, log in zip(workers, logs, strict=True):
            if worker.poll() is not None:
                log.flush()
                sys.exit(f"a worker stopped at start-up:\n{Path(log.name).read_text()}")

        workers_before = sum(cpu_seconds(w.pid) for w in workers)
        server_before = cpu_seconds(server.pid)
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        out = json.loads(run(*edupulse, "monitor", "sweep", "--batch-size", str(args.batch_size),
                             *(a for check in CHECKS for a in ("--check", check))))
        status = out["status"]
        assert watch.stdin is not None and watch.stdout is not None
        while status != "done":
            if time.perf_counter() - started > args.timeout:
                sys.exit(f"sweep {out['sweep']} not done after {args.timeout:.0f} s (logs in {tmp})")
            if any(w.poll() is not None for w in workers):
                sys.exit(f"a worker died during the sweep (logs in {tmp})")
            time.sleep(0.5)
            watch.stdin.write(f"{out['sweep']}\n")
            watch.stdin.flush()
            status = watch.stdout.readline().strip()
        wall = time.perf_counter() - started
        workers_cpu = sum(cpu_seconds(w.pid) for w in workers) - workers_before
        server_cpu = cpu_seconds(server.pid) - server_before
        check = json.loads(run(sys.executable, "-c", VERIFY, str(out["sweep"])))
        for log in logs:
            log.close()
        print(json.dumps({
            "sites": args.sites, "workers": args.workers, "backend": args.backend,
            "database": "postgresql" if args.database_url.startswith("postgres") else "sqlite",
            "batch_size": args.batch_size, "batches": out["batches"], "checks": list(CHECKS),
            "wall_s": round(wall, 2), "sites_per_s": round(args.sites / wall, 1),
            "workers_cpu_s": round(workers_cpu, 2), "server_cpu_s": round(server_cpu, 2),
            "workers_cpu_ms_per_site": round(workers_cpu / args.sites * 1000, 2),
            "migrate_s": round(migrate_s, 1), "register_s": round(register_s, 1),
            "load_average_before": round(load_before, 2), "cpus": os.cpu_count(),
            "missing": check["missing"], "doubled": check["doubled"], "results": check["results"],
            "attempts": check["attempts"], "statuses": check["statuses"],
        }, ensure_ascii=False))
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                stop_tree(process.pid)
            process.wait(10)
        if redis is not None:
            redis.flushdb()
        if args.keep:
            print(f"# kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
