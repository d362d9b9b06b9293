"""The periodic jobs: due jobs run once however many workers tick, sweeps do not pile up, failures are kept."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from edupulse.core.tests.arrange import arranging
from edupulse.monitoring import scheduling
from edupulse.monitoring.models import ScheduledJob, Sweep
from edupulse.monitoring.tests.factories import make_website
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db

ONLY_FULL_SWEEP = {"full_sweep": 60, "quick_sweep": 0, "rollup": 0, "escalate": 0, "purge": 0, "baseline": 0}


@pytest.fixture
def established():
    """An installation whose workers have been ticking for a while: every job last ran two days ago."""
    ScheduledJob.objects.bulk_create([ScheduledJob(name=job.name, last_started_at=timezone.now() - timedelta(days=2))
                                      for job in scheduling.JOBS])


@pytest.fixture
def sites():
    return [make_website(make_school("510107"), name=f"学校网站{i}", url=f"http://s{i}.example.edu.cn/")
            for i in range(3)]


def test_a_due_sweep_starts_once_however_many_workers_tick(settings, sites):
    settings.SCHEDULE_MINUTES = ONLY_FULL_SWEEP
    start = timezone.now()
    # A new installation: the first worker to tick does not sweep every site at once; the first sweep comes
    # one interval later.
    assert scheduling.run_due_jobs(start) == {}
    assert not Sweep.objects.exists()
    now = start + timedelta(minutes=60)
    first = scheduling.run_due_jobs(now)
    assert first["full_sweep"]["sites"] == 3
    # Another worker ticking at the same moment, or a minute later, finds nothing due.
    assert scheduling.run_due_jobs(now) == {}
    assert scheduling.run_due_jobs(now + timedelta(minutes=1)) == {}
    assert Sweep.objects.count() == 1
    # An hour later the job is due again, but the first sweep has not finished: no second sweep piles up.
    later = scheduling.run_due_jobs(now + timedelta(minutes=61))
    assert "still running" in later["full_sweep"]["skipped"]
    assert Sweep.objects.count() == 1
    with arranging():  # the sweep's workers finished it
        Sweep.objects.update(status="done")
    assert scheduling.run_due_jobs(now + timedelta(minutes=122))["full_sweep"]["sites"] == 3
    assert Sweep.objects.count() == 2
    row = ScheduledJob.objects.get(name="full_sweep")
    assert row.last_finished_at is not None and row.last_result["sites"] == 3


def test_claim_is_won_by_exactly_one_caller():
    now = timezone.now()
    assert [scheduling.claim("rollup", 60, now) for _ in range(3)] == [True, False, False]


def test_quick_sweep_runs_only_the_quick_checks(settings, sites):
    settings.SCHEDULE_MINUTES = {**ONLY_FULL_SWEEP, "full_sweep": 0, "quick_sweep": 10}
    scheduling.run_due_jobs()
    scheduling.run_due_jobs(timezone.now() + timedelta(minutes=10))
    sweep = Sweep.objects.get()
    assert sweep.checks == list(scheduling.QUICK_CHECKS)


def test_switched_off_jobs_never_run(settings, sites):
    settings.SCHEDULE_MINUTES = dict.fromkeys(ONLY_FULL_SWEEP, 0)
    assert scheduling.run_due_jobs() == {}
    assert not Sweep.objects.exists()


def test_a_failing_job_is_recorded_and_the_others_still_run(settings, monkeypatch, sites, established):
    settings.SCHEDULE_MINUTES = {**ONLY_FULL_SWEEP, "rollup": 60}

    def broken() -> dict[str, object]:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(scheduling, "JOBS", (scheduling.Job("rollup", broken), *scheduling.JOBS[:1]))
    ran = scheduling.run_due_jobs()
    assert ran["rollup"] == {"error": "RuntimeError: database is locked"}
    assert ran["full_sweep"]["sites"] == 3
    assert ScheduledJob.objects.get(name="rollup").last_result["error"].startswith("RuntimeError")


def test_scheduler_once_prints_each_job_run(settings, sites, established, capsys):
    settings.SCHEDULE_MINUTES = {**ONLY_FULL_SWEEP, "rollup": 60, "escalate": 60}
    call_command("scheduler", "--once")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {line["job"] for line in lines} == {"full_sweep", "rollup", "escalate"}
    assert next(line for line in lines if line["job"] == "escalate")["result"] == {"escalated": 0}


def test_every_worker_tick_runs_the_due_jobs_unless_told_not_to(settings, sites, established, monkeypatch):
    import django.db

    from edupulse.monitoring.management.commands import worker

    monkeypatch.setattr(django.db, "close_old_connections", lambda: None)  # keep the test's connection
    settings.SCHEDULE_MINUTES = ONLY_FULL_SWEEP
    worker._tick(schedule=False)
    assert not Sweep.objects.exists()
    worker._tick(schedule=True)
    worker._tick(schedule=True)
    assert Sweep.objects.count() == 1


def test_weekly_baseline_job_queues_a_task_that_builds_missing_baselines(settings, sites, monkeypatch):
    from types import SimpleNamespace

    from edupulse.monitoring import baselines, tasks
    from edupulse.monitoring.models import SiteState

    settings.SCHEDULE_MINUTES = {**dict.fromkeys(ONLY_FULL_SWEEP, 0), "baseline": 60}
    queued: list[object] = []
    monkeypatch.setattr(tasks, "build_baselines", SimpleNamespace(enqueue=lambda: queued.append("task")))
    assert scheduling.run_due_jobs() == {"baseline": {"queued": "build_baselines"}} and queued == ["task"]
    # The task: fetch only the sites without a baseline (network replaced by a stand-in), store what was built.
    fetched: list[list[str]] = []

    def fake_fetch(urls, **_):  # type: ignore[no-untyped-def]
        fetched.append(list(urls))
        return {url: {"version": 0} for url in urls[:2]}

    monkeypatch.setattr(baselines, "fetch_baselines", fake_fetch)
    assert baselines.build_missing_baselines() == {"sites": 3, "baselines": 2}
    assert SiteState.objects.filter(baseline__isnull=False).count() == 2
    assert baselines.build_missing_baselines() == {"sites": 1, "baselines": 1}
    assert fetched[1] == [sites[2].url]
