"""Sweeps over the task backends: a worker dying mid-batch loses and doubles nothing."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from edupulse.conftest import require_service
from edupulse.core.actions import run_as_system
from edupulse.monitoring import actions, sweeping
from edupulse.monitoring.checks import CHECK_NAMES
from edupulse.monitoring.models import CheckResult, DailyAggregate, SweepBatch
from edupulse.monitoring.runners import EngineRunner
from edupulse.monitoring.tests.factories import make_website, report
from edupulse.orgs.models import Region
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db


class WorkerDied(BaseException):
    """Stands for the process being killed: not an Exception, so nothing on the way catches it."""


@pytest.fixture(autouse=True)
def _keep_test_connection(monkeypatch):
    """The database worker closes 'old' connections between tasks; inside a test's transaction (on
    PostgreSQL with CONN_MAX_AGE=0) that would close the test's own connection."""
    import django_tasks_db.management.commands.db_worker as db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


@pytest.fixture
def fake_probes(monkeypatch, settings):
    """Replace the network probes by instant reports; ``die_after`` kills the 'worker' after n calls."""
    calls: list[list[str]] = []
    state = {"die_after": None}

    def runner(urls, checks):
        if state["die_after"] is not None and len(calls) >= state["die_after"]:
            state["die_after"] = None
            raise WorkerDied
        calls.append(list(urls))
        return [report(u, failing=("hsts",)) for u in urls]

    settings.PROBE_RUNNER = runner
    monkeypatch.setattr(sweeping, "CHUNK_SIZE", 2)
    return calls, state


@pytest.fixture
def fake_engine(monkeypatch, settings):
    """Replace the engine itself, keeping the default runner: ``run_batch`` then takes the streaming path
    (the engine in a thread, ``on_report`` per site). ``stall_after`` makes the
    engine hang after that many sites (until cancelled); ``gate = (n, event)`` makes it wait (at most 5 s)
    for the event before the n-th site and note in ``gate_open`` whether it came."""
    log: dict = {"calls": [], "cancelled": False, "stall_after": None, "gate": None}

    async def probe_sites(urls, *, on_report=None, **_kwargs):
        log["calls"].append(list(urls))
        try:
            for index, url in enumerate(urls):
                if log["stall_after"] is not None and index >= log["stall_after"]:
                    await asyncio.Event().wait()  # a site that never answers: only the cancellation ends it
                if log["gate"] is not None and index == log["gate"][0]:
                    log["gate_open"] = await asyncio.to_thread(log["gate"][1].wait, 5)
                on_report(index, report(url, failing=("hsts",)))
        except asyncio.CancelledError:
            log["cancelled"] = True
            raise
        return []

    settings.PROBE_RUNNER = EngineRunner(engine=probe_sites)
    monkeypatch.setattr(sweeping, "CHUNK_SIZE", 3)
    return log


def _sites(n: int):
    school = make_school("510107")
    return [make_website(school) for _ in range(n)]


def _assert_exactly_once(sweep, sites):
    per_site = Counter(dict(CheckResult.objects.filter(sweep=sweep).values_list("website_id")
                            .annotate(n=Count("pk")).values_list("website_id", "n")))
    assert per_site == {s.pk: len(CHECK_NAMES) for s in sites}
    assert set(DailyAggregate.objects.filter(website__in=sites).values_list("runs", flat=True)) == {1}
    sweep.refresh_from_db()
    assert sweep.status == "done"
    assert set(sweep.batches.values_list("status", flat=True)) == {"done"}
    # The sweep was finished once, by an action, on the record (who and when it ended).
    from edupulse.core.models import AuditLog

    finished = AuditLog.objects.filter(action="monitoring.sweep.finish", object_id=str(sweep.pk))
    assert list(finished.values_list("actor_username", "after__status")) == [("system", "done")]


def test_two_workers_cannot_claim_the_same_batch():
    _sites(1)
    sweep = run_as_system(actions.start_sweep, enqueue=False)
    batch = sweep.batches.get()
    assert sweeping.claim_batch(batch.pk, owner="a") is not None
    assert sweeping.claim_batch(batch.pk, owner="b") is None


def test_db_backend_worker_dies_mid_batch(fake_probes, django_capture_on_commit_callbacks):
    calls, state = fake_probes
    sites = _sites(7)
    county = Region.objects.get(code="510107")
    with django_capture_on_commit_callbacks(execute=True):
        sweep = run_as_system(actions.start_sweep, region=county, batch_size=4)
    assert sweep.batches.count() == 2
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.count() == 2
    # Worker A takes the first batch, saves one chunk (2 sites) and dies.
    first = sweep.batches.get(number=1)
    state["die_after"] = 1
    with pytest.raises(WorkerDied):
        sweeping.run_batch(first.pk, owner="worker-a")
    first.refresh_from_db()
    assert first.status == "claimed" and CheckResult.objects.filter(sweep=sweep).values("website").distinct().count() == 2
    # While the lease holds, nobody else takes the batch and nothing is re-queued.
    assert sweeping.reclaim_expired(enqueue=False) == []
    # The lease runs out (time passes); the reaper re-queues it and the database worker finishes everything.
    SweepBatch.objects.filter(pk=first.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    assert sweeping.reclaim_expired() == [first.pk]
    call_command("db_worker", queue_name="monitoring", batch=True, startup_delay=False, verbosity=0)
    _assert_exactly_once(sweep, sites)
    first.refresh_from_db()
    assert first.attempts == 2
    # The sites worker A saved were not probed again.
    probed = [u for chunk in calls for u in chunk]
    assert len(probed) == len(sites) and len(set(probed)) == len(sites)


def test_batch_is_probed_at_once_and_saved_while_probing(fake_engine):
    from django.db.models.signals import post_save

    from edupulse.core.models import AuditLog

    saves: list[int] = []
    first_saved = threading.Event()

    def on_audit(sender, instance, **kwargs):  # each saved chunk writes one summary row
        if instance.action == "monitoring.results.save":
            saves.append(instance.after["sites"])
            first_saved.set()

    # The engine does not go on past the 7th site until the first chunk is stored.
    fake_engine["gate"] = (6, first_saved)
    sites = _sites(8)
    sweep = run_as_system(actions.start_sweep, enqueue=False)
    post_save.connect(on_audit, sender=AuditLog, weak=False, dispatch_uid="test-sweep-chunks")
    try:
        assert sweeping.run_batch(sweep.batches.get().pk, owner="worker-a") == 8
    finally:
        post_save.disconnect(sender=AuditLog, dispatch_uid="test-sweep-chunks")
    # One engine run for the whole batch; its reports saved in chunks of CHUNK_SIZE as they arrived,
    # the first chunk while later sites were still being probed.
    assert fake_engine["calls"] == [[s.url for s in sites]]
    assert saves == [3, 3, 2]
    assert fake_engine["gate_open"] is True
    _assert_exactly_once(sweep, sites)


def test_lost_lease_stops_the_batch_and_the_prober(fake_engine, monkeypatch):
    sites = _sites(8)
    sweep = run_as_system(actions.start_sweep, enqueue=False)
    batch = sweep.batches.get()
    real_renew = sweeping.renew_lease
    renewals: list[int] = []

    def renew(held):
        renewals.append(held.pk)
        if len(renewals) == 2:  # meanwhile our lease ran out and worker B took the batch over
            SweepBatch.objects.filter(pk=held.pk).update(lease_owner="worker-b",
                                                        lease_expires_at=timezone.now() + timedelta(seconds=300))
        return real_renew(held)

    monkeypatch.setattr(sweeping, "renew_lease", renew)
    fake_engine["stall_after"] = 6
    assert sweeping.run_batch(batch.pk, owner="worker-a") == 3  # the second chunk is not saved
    assert fake_engine["cancelled"]
    batch.refresh_from_db()
    assert (batch.status, batch.lease_owner) == ("claimed", "worker-b")
    assert CheckResult.objects.filter(sweep=sweep).values("website").distinct().count() == 3
    # Worker B finishes the other five sites; nothing doubled.
    fake_engine["stall_after"] = None
    SweepBatch.objects.filter(pk=batch.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    assert sweeping.run_batch(batch.pk, owner="worker-b") == 5
    assert fake_engine["calls"][-1] == [s.url for s in sites[3:]]
    _assert_exactly_once(sweep, sites)


def test_prober_failure_saves_what_arrived_and_raises(settings):
    _sites(5)

    async def broken(urls, *, on_report=None, **_kwargs):
        for index, url in enumerate(urls[:4]):
            on_report(index, report(url))
        raise RuntimeError("engine bug")

    settings.PROBE_RUNNER = EngineRunner(engine=broken)
    sweep = run_as_system(actions.start_sweep, enqueue=False)
    with pytest.raises(RuntimeError, match="engine bug"):
        sweeping.run_batch(sweep.batches.get().pk, owner="worker-a")
    assert CheckResult.objects.filter(sweep=sweep).values("website").distinct().count() == 4
    assert sweep.batches.get().status == "claimed"  # another worker finishes it after the lease


def test_inline_cli_sweep(fake_probes, capsys):
    sites = _sites(3)
    call_command("monitor", "sweep", "--region", "510107", "--inline")
    import json

    out = json.loads(capsys.readouterr().out)
    assert out["sites"] == 3 and out["status"] == "done" and out["saved_sites"] == 3
    from edupulse.monitoring.models import Sweep

    _assert_exactly_once(Sweep.objects.get(pk=out["sweep"]), sites)


def test_cli_rejects_unknown_region(capsys):
    with pytest.raises(SystemExit) as exc:
        call_command("monitor", "sweep", "--region", "999999")
    assert exc.value.code == 2
    import json

    assert "unknown region" in json.loads(capsys.readouterr().err)["error"]


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.redis
def test_rq_backend_two_workers_one_dies(fake_probes, settings, monkeypatch, django_capture_on_commit_callbacks):
    require_service("Redis", _redis_up(), "127.0.0.1:6379")
    import django_rq.settings
    from redis import Redis
    from rq import SimpleWorker

    url = "redis://127.0.0.1:6379/15"
    queues = {name: {"URL": url, "DEFAULT_TIMEOUT": 600} for name in ("default", "monitoring")}
    monkeypatch.setattr(django_rq.settings, "QUEUES", queues)
    settings.RQ_QUEUES = queues
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default", "monitoring"]}}
    connection = Redis.from_url(url)
    connection.flushdb()
    try:
        _calls, state = fake_probes
        sites = _sites(6)
        with django_capture_on_commit_callbacks(execute=True):
            sweep = run_as_system(actions.start_sweep, batch_size=3)
        queue = django_rq.get_queue("monitoring")
        assert queue.count == 2
        # Worker A dies inside its first batch (after one chunk): a killed process never reports back.
        state["die_after"] = 1
        first = sweep.batches.get(number=1)
        with pytest.raises(WorkerDied):
            sweeping.run_batch(first.pk, owner="worker-a")
        # Worker B drains the queue: batch 1 is still leased (skipped), batch 2 is done.
        from django_tasks_rq import Job

        SimpleWorker([queue], connection=connection, job_class=Job).work(burst=True)
        assert set(sweep.batches.values_list("status", flat=True)) == {"claimed", "done"}
        SweepBatch.objects.filter(pk=first.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
        assert sweeping.reclaim_expired() == [first.pk]
        SimpleWorker([queue], connection=connection, job_class=Job).work(burst=True)
        _assert_exactly_once(sweep, sites)
    finally:
        connection.flushdb()


def test_worker_command_burst_runs_queued_batches(fake_probes, django_capture_on_commit_callbacks, capsys):
    sites = _sites(3)
    with django_capture_on_commit_callbacks(execute=True):
        sweep = run_as_system(actions.start_sweep, batch_size=2)
    call_command("worker", "--burst")
    assert '"worker": "db"' in capsys.readouterr().out
    _assert_exactly_once(sweep, sites)


def test_task_backend_setting_is_strict():
    from edupulse.utilities.env import SettingError, env_choice

    with pytest.raises(SettingError):
        env_choice("EDUPULSE_TASK_BACKEND", "db", ("db", "rq"), environ={"EDUPULSE_TASK_BACKEND": "celery"})


@pytest.mark.parametrize(("args", "key"), [
    (["purge"], "deleted"), (["rollup", "--day", "2026-01-31"], "regions"), (["escalate"], "escalated"),
    (["send-alerts"], "sent"), (["requeue"], "requeued_batches")])
def test_monitor_subcommands_print_json(args, key, capsys):
    import json

    call_command("monitor", *args)
    assert key in json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("args", [["rollup", "--day", "31/01/2026"], ["purge", "--aggregate-days", "3"],
                                  ["sweep", "--check", "nonsense"], ["demo", "--days", "0"]])
def test_monitor_bad_input_is_a_json_error(args, capsys):
    import json

    with pytest.raises(SystemExit) as exc:
        call_command("monitor", *args)
    assert exc.value.code == 2 and json.loads(capsys.readouterr().err)["error"]
