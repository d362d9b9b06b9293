"""Benchmark of the foundation (issue 2).

(a) ``edupulse demo-data --province 51 --scale 1.0`` on a fresh database (after ``migrate`` and
    ``load-regions``, which are not timed): SQLite file and PostgreSQL, N runs each, median.
(b) The school list API with the resulting ~25,000 schools: ``/api/schools/?category=21&region=5101``
    (50 rows, two filters) as the demo province admin (session via Django's test Client, in-process,
    so no network or server overhead), ``--requests`` timed requests after a warm-up: p50/p95.

Run: ``.venv/bin/python bench/bench_foundation.py [--runs 3] [--requests 200] [--no-postgres]``.
PostgreSQL: 127.0.0.1:5432 with trust auth (``--pg-url``); a database ``edupulse_bench`` is created and
dropped. Prints a Markdown table to paste into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
EDUPULSE = [sys.executable, "-m", "edupulse.cli"]
QUERIES = ["/api/schools/?category=21&region=5101", "/api/schools/?category=11&region=510107",
           "/api/schools/?region=5134&urban_rural=220&page=5"]


def run(cmd: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"command failed: {' '.join(cmd)}\n{result.stdout}\n{result.stderr}")
    return result


def psql(pg_url: str, sql: str) -> None:
    parsed = urlparse(pg_url)
    run(["psql", "-h", parsed.hostname or "127.0.0.1", "-p", str(parsed.port or 5432),
         "-U", parsed.username or "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql], dict(os.environ))


def fresh_database(kind: str, workdir: Path, pg_url: str) -> dict[str, str]:
    """Environment for a brand-new, migrated database with the regions loaded."""
    env = dict(os.environ, EDUPULSE_VAR_DIR=str(workdir), EDUPULSE_DEBUG="0")
    if kind == "postgresql":
        name = urlparse(pg_url).path.lstrip("/")
        psql(pg_url, f"DROP DATABASE IF EXISTS {name}")
        psql(pg_url, f"CREATE DATABASE {name}")
        env["DATABASE_URL"] = pg_url
    else:
        env.pop("DATABASE_URL", None)
        for stale in workdir.glob("edupulse.sqlite3*"):
            stale.unlink()
    run([*EDUPULSE, "migrate", "--verbosity", "0"], env)
    run([*EDUPULSE, "load-regions"], env)
    return env


def time_demo(env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock seconds and the command's own CPU seconds (user + sys; the database server's CPU is
    not included). CPU time is the steadier figure on a shared, noisy machine."""
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = run([*EDUPULSE, "demo-data", "--province", "51", "--scale", "1.0", "--seed", "7", "--json", "--quiet"], env)
    seconds = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    summary = json.loads(result.stdout)
    assert summary["created"] > 24_000, summary
    return seconds, cpu


def api_probe(requests: int) -> None:
    """Runs inside a child process whose environment points at the loaded database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edupulse.settings")
    import django

    django.setup()
    from django.test import Client

    from edupulse.accounts.models import User
    from edupulse.orgs.models import School

    client = Client()
    client.force_login(User.objects.get(username="demo51-province"))
    out: dict[str, object] = {"schools": School.objects.count()}
    for query in QUERIES:
        for _ in range(20):  # warm-up: caches, connection, query plans
            response = client.get(query)
            assert response.status_code == 200, (query, response.status_code, response.content[:300])
        timings = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(query)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        body = response.json()
        timings.sort()
        out[query] = {"rows": len(body["results"]), "count": body["count"],
                      "p50_ms": round(statistics.median(timings), 1),
                      "p95_ms": round(timings[int(0.95 * len(timings)) - 1], 1)}
    print(json.dumps(out))


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()[1].split()[1]
    return f"{os.cpu_count()} cores ({cpu}), {memory} RAM, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/edupulse_bench")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--api-probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.api_probe:
        api_probe(args.requests)
        return
    kinds = ["sqlite"] if args.no_postgres else ["sqlite", "postgresql"]
    rows = []
    for kind in kinds:
        with tempfile.TemporaryDirectory(prefix="edupulse-bench-") as tmp:
            timings: list[float] = []
            cpu_times: list[float] = []
            env: dict[str, str] = {}
            for number in range(args.runs):
                env = fresh_database(kind, Path(tmp), args.pg_url)
                wall, cpu = time_demo(env)
                timings.append(wall)
                cpu_times.append(cpu)
                print(f"{kind} demo-data run {number + 1}: {wall:.1f} s wall, {cpu:.1f} s CPU, "
                      f"load average {os.getloadavg()[0]:.1f}", file=sys.stderr)
            probe = run([sys.executable, __file__, "--api-probe", "--requests", str(args.requests)], env)
            api = json.loads(probe.stdout.strip().splitlines()[-1])
            if kind == "postgresql":
                psql(args.pg_url, f"DROP DATABASE IF EXISTS {urlparse(args.pg_url).path.lstrip('/')}")
        rows.append((kind, timings, cpu_times, api))
    print(f"machine: {machine()}")
    print(f"command: .venv/bin/python bench/bench_foundation.py --runs {args.runs} --requests {args.requests}\n")
    print("| database | demo-data 51 ×1.0 wall runs (s) | median wall (s) | median CPU (s) | schools | query "
          "| rows/count | p50 (ms) | p95 (ms) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for kind, timings, cpu_times, api in rows:
        runs = ", ".join(f"{t:.1f}" for t in timings)
        for i, query in enumerate(QUERIES):
            stats = api[query]
            lead = (f"| {kind} | {runs} | {statistics.median(timings):.1f} | {statistics.median(cpu_times):.1f} "
                    f"| {api['schools']} " if i == 0 else "| | | | | ")
            print(f"{lead}| `{query}` | {stats['rows']}/{stats['count']} | {stats['p50_ms']} | {stats['p95_ms']} |")


if __name__ == "__main__":
    main()
