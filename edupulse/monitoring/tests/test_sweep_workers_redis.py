"""End to end: a sweep on two real ``edupulse worker`` processes (RQ on Redis), one of them killed mid-sweep.

Everything the reviewer does by hand, with real processes: a database the processes share (a temporary
SQLite file in WAL mode, or a fresh PostgreSQL database when the suite runs on PostgreSQL), ``edupulse
migrate``, regions, 300 websites served by a local HTTP server with a local DNS server (both in this test
process), two ``edupulse worker`` processes with ``EDUPULSE_TASK_BACKEND=rq`` on a Redis database of
their own, ``edupulse monitor sweep``. Once some batches are done, one worker (the RQ parent and the
work horse running its batch) gets SIGKILL. The survivor's reaper re-queues the dead worker's batch
when its lease runs out, and the sweep must finish with exactly one result per site and check: none
missing, none doubled.

The lease is 5 s instead of 300 s (``EDUPULSE_SWEEP_LEASE_SECONDS`` refuses less than 30), through a
settings module that imports the real settings and changes only ``SWEEP_LEASE_SECONDS``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from edupulse.conftest import require_service
from edupulse.core.tests.waiting import wait_until
from edupulse.monitoring.tests.test_sweeps import _redis_up

pytestmark = [pytest.mark.redis, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]
REDIS_URL = "redis://127.0.0.1:6379/13"  # a database of its own, flushed before and after
SITES = 300
BATCH_SIZE = 30
CHECKS = ("availability", "dns", "headers")
LEASE_SECONDS = 5
DEADLINE_SECONDS = 45  # for the sweep itself, from enqueueing to done

PAGE = ("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>某某学校</title></head>"
        "<body><h1>某某学校</h1><p>学校新闻</p><a href=\"/news/1.html\">通知</a></body></html>").encode()

SETUP = """
import json, sys
import django
django.setup()
from edupulse.core.actions import run_as_system
from edupulse.monitoring import actions
from edupulse.orgs import actions as orgs
run_as_system(orgs.load_regions)
rows = [{"url": url, "name": f"测试教育局网站{n}", "category": "bureau_portal", "owner_region_id": "510107"}
        for n, url in enumerate(json.loads(sys.stdin.read()), start=1)]
print(run_as_system(actions.import_assets, "website", rows))
"""

# Long-lived: reads a sweep id per line, answers with its batches as JSON (one fresh query each time).
WATCH = """
import json, sys
import django
django.setup()
from edupulse.monitoring.models import SweepBatch
for line in sys.stdin:
    rows = SweepBatch.objects.filter(sweep_id=int(line)).values_list("number", "status", "lease_owner", "attempts")
    print(json.dumps(list(rows)), flush=True)
"""

VERIFY = """
import json, sys
import django
django.setup()
from django.db.models import Count
from edupulse.monitoring.models import CheckResult, DailyAggregate, Sweep, Website
sweep = Sweep.objects.get(pk=int(sys.argv[1]))
per_site = dict(CheckResult.objects.filter(sweep=sweep).values_list("website_id").annotate(n=Count("pk"))
                .values_list("website_id", "n"))
print(json.dumps({
    "status": sweep.status,
    "batches": sorted(set(sweep.batches.values_list("status", flat=True))),
    "attempts": sorted(sweep.batches.values_list("attempts", flat=True)),
    "sites": list(Website.objects.values_list("pk", flat=True)),
    "per_site": {str(k): v for k, v in per_site.items()},
    "runs": sorted(set(DailyAggregate.objects.values_list("runs", flat=True))),
}))
"""




class LocalWeb:
    """HTTP on 127.0.0.1 for any ``sNNN.sweep.test`` host (each answers after its own 0.1-1 s delay, so a
    batch takes a moment) and a DNS server for those names; one thread, one event loop."""

    def __init__(self, hosts: list[str]) -> None:
        self.hosts = hosts
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.http_port = self.dns_port = 0
        self._cleanup: list[Any] = []

    async def _start(self) -> None:
        from aiohttp import web

        from edupulse.monitoring.tests.servers import DnsServer

        async def handler(request: web.Request) -> web.Response:
            host = request.host.split(":")[0]
            await asyncio.sleep(0.1 + (zlib.crc32(host.encode()) % 90) / 100)
            return web.Response(body=PAGE, content_type="text/html", charset="utf-8",
                                headers={"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"})

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        self.http_port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        records = {host: {"A": ["127.0.0.1"]} for host in self.hosts}
        transport, _ = await self.loop.create_datagram_endpoint(lambda: DnsServer(records),
                                                                local_addr=("127.0.0.1", 0))
        self.dns_port = transport.get_extra_info("sockname")[1]
        self._cleanup = [runner, transport]

    def start(self) -> LocalWeb:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(30)
        return self

    def stop(self) -> None:
        async def _stop() -> None:
            runner, transport = self._cleanup
            transport.close()
            await runner.cleanup()

        asyncio.run_coroutine_threadsafe(_stop(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture
def redis_db() -> Iterator[Any]:
    require_service("Redis", _redis_up(), "127.0.0.1:6379")
    from redis import Redis

    connection = Redis.from_url(REDIS_URL)
    connection.flushdb()
    try:
        yield connection
    finally:
        connection.flushdb()
        connection.close()


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A database the processes share: a SQLite file (WAL), or, when the suite runs on PostgreSQL
    (``DATABASE_URL=postgresql://…``, see tools/pytest-postgres), a fresh database on that server."""
    from urllib.parse import urlsplit, urlunsplit

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path / 'edupulse.sqlite3'}"
        return
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'edupulse'}_sweep_e2e_{os.getpid()}"
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def web_sites() -> Iterator[LocalWeb]:
    web = LocalWeb([f"s{n:03d}.sweep.test" for n in range(1, SITES + 1)]).start()
    try:
        yield web
    finally:
        web.stop()


def _environment(tmp_path: Path, database_url: str, web: LocalWeb) -> dict[str, str]:
    (tmp_path / "e2e_settings.py").write_text(
        "from edupulse.settings import *  # noqa: F403\n"
        f"SWEEP_LEASE_SECONDS = {LEASE_SECONDS}  # the environment variable refuses less than 30\n")
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("EDUPULSE_", "DJANGO_", "RQ_")) and key != "DATABASE_URL"}
    env.update({
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": "e2e_settings",
        "DATABASE_URL": database_url,
        "EDUPULSE_VAR_DIR": str(tmp_path / "var"),
        "EDUPULSE_DUCKDB_PATH": str(tmp_path / "analytics.duckdb"),
        "EDUPULSE_TASK_BACKEND": "rq",
        "EDUPULSE_REDIS_URL": REDIS_URL,
        "EDUPULSE_ENFORCE_ACTIONS": "1",
        "EDUPULSE_PROBE_ALLOW": "127.0.0.0/8",
        "EDUPULSE_DNS_SERVERS": f"127.0.0.1:{web.dns_port}",
        "EDUPULSE_PROBE_TIMEOUT": "10",
        "EDUPULSE_PROBE_PER_IP": "1000",  # every test site is on 127.0.0.1
        "EDUPULSE_LOG_LEVEL": "WARNING",
    })
    return env


def _run(env: dict[str, str], *args: str, stdin: str | None = None, timeout: float = 60) -> str:
    done = subprocess.run(args, env=env, input=stdin, capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          check=False)
    assert done.returncode == 0, f"{args[:4]} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _edupulse(env: dict[str, str], *args: str, timeout: float = 60) -> str:
    return _run(env, sys.executable, "-m", "edupulse.cli", *args, timeout=timeout)


def _parent_of(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _descendants(pid: int) -> list[int]:
    """Children, grandchildren… of ``pid`` (RQ forks a scheduler and a work horse per job)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            parent = _parent_of(int(entry.name))
            if parent is not None:
                parents.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _kill_tree(pid: int) -> None:
    """SIGKILL a worker and everything it started, as when its machine dies."""
    for target in [pid, *_descendants(pid)]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(target, signal.SIGKILL)


def test_sweep_survives_a_killed_worker(tmp_path, database_url, redis_db, web_sites):
    env = _environment(tmp_path, database_url, web_sites)
    _edupulse(env, "migrate", "--no-input", timeout=120)
    urls = [f"http://{host}:{web_sites.http_port}/" for host in web_sites.hosts]
    assert _run(env, sys.executable, "-c", SETUP, stdin=json.dumps(urls)).strip() == str(SITES)

    logs = [open(tmp_path / f"worker-{n}.log", "w") for n in (1, 2)]  # noqa: SIM115 — closed in finally
    workers = [subprocess.Popen([sys.executable, "-m", "edupulse.cli", "worker", "--reclaim-interval", "1", "--no-schedule"],
                                env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT) for log in logs]
    watch = subprocess.Popen([sys.executable, "-c", WATCH], env=env, cwd=ROOT, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        out = json.loads(_edupulse(env, "monitor", "sweep", "--batch-size", str(BATCH_SIZE),
                                   *(arg for check in CHECKS for arg in ("--check", check))))
        assert out["backend"] == "rq" and out["sites"] == SITES and out["status"] == "running"
        sweep, batches = out["sweep"], out["batches"]
        assert batches == SITES // BATCH_SIZE

        def state() -> list[list[Any]]:
            assert watch.stdin is not None and watch.stdout is not None
            watch.stdin.write(f"{sweep}\n")
            watch.stdin.flush()
            return json.loads(watch.stdout.readline())

        # Kill worker 1 (the RQ parent and the work horse running its batch: RQ puts the horse in a process
        # group of its own) while it holds a batch, once some batches are done. Freeze it first, so that
        # the batch cannot finish between looking and killing.
        victim = workers[0]
        deadline = time.monotonic() + DEADLINE_SECONDS

        def batch_held_by_the_victim() -> tuple[int, str] | None:
            rows = state()
            done = sum(status == "done" for _n, status, _o, _a in rows)
            assert done < batches, "the sweep ended before a worker could be killed"
            held = [(number, owner) for number, status, owner, _a in rows
                    if done >= 2 and status == "claimed" and _parent_of(int(owner.rsplit(":", 1)[1])) == victim.pid]
            return held[0] if held else None

        killed_batch = None
        while killed_batch is None:
            number, owner = wait_until(batch_held_by_the_victim, deadline=deadline,
                                       waiting_for="a batch to kill the worker in")
            frozen = [victim.pid, int(owner.rsplit(":", 1)[1])]
            for pid in frozen:
                os.kill(pid, signal.SIGSTOP)
            if [number, "claimed", owner] in [row[:3] for row in state()]:
                killed_batch = number
                _kill_tree(victim.pid)
            else:
                for pid in frozen:
                    os.kill(pid, signal.SIGCONT)
        victim.wait(10)

        # The survivor finishes its batches, re-queues the dead worker's one after its lease and finishes it.
        def every_batch_done() -> list[list[Any]] | None:
            assert workers[1].poll() is None, (tmp_path / "worker-2.log").read_text()
            rows = state()
            return rows if all(status == "done" for _n, status, _o, _a in rows) else None

        rows = wait_until(every_batch_done, deadline=deadline, waiting_for="the sweep to finish", every=0.2)
        retried = {number: attempts for number, _s, _o, attempts in rows}
        assert retried[killed_batch] >= 2  # taken over by the survivor

        result = json.loads(_run(env, sys.executable, "-c", VERIFY, str(sweep)))
        assert result["status"] == "done" and result["batches"] == ["done"]
        per_site = {int(k): v for k, v in result["per_site"].items()}
        assert len(result["sites"]) == SITES
        missing = [pk for pk in result["sites"] if pk not in per_site]
        doubled = {pk: n for pk, n in per_site.items() if n != len(CHECKS)}
        assert (missing, doubled) == ([], {})
        assert result["runs"] == [1]  # each site's daily figures counted this sweep once
    finally:
        for worker in workers:
            _kill_tree(worker.pid)
        processes: list[subprocess.Popen[Any]] = [*workers, watch]
        for process in processes:
            if process.poll() is None:
                process.kill()
            process.wait(10)
        for log in logs:
            log.close()
