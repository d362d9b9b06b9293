"""The periodic jobs: due jobs run once however many workers tick, sweeps do not pile up, failures are kept."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from edupulse.monitoring import scheduling
from edupulse.monitoring.models import ScheduledJob, Sweep
from edupulse.monitoring.tests.factories import make_website
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db

ONLY_FULL_SWEEP = {"full_sweep": 60, "quick_sweep": 0, "rollup": 0, "escalate": 0, "purge": 0}


@pytest.fixture
def sites():
    return [make_website(make_school("510107"), name=f"学校网站{i}", url=f"http://s{i}.example.edu.cn/")
            for i in range(3)]


def test_a_due_sweep_starts_once_however_many_workers_tick(settings, sites):
    settings.SCHEDULE_MINUTES = ONLY_FULL_SWEEP
    now = timezone.now()
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
    sweep = Sweep.objects.get()
    assert sweep.checks == list(scheduling.QUICK_CHECKS)


def test_switched_off_jobs_never_run(settings, sites):
    settings.SCHEDULE_MINUTES = dict.fromkeys(ONLY_FULL_SWEEP, 0)
    assert scheduling.run_due_jobs() == {}
    assert not Sweep.objects.exists()


def test_a_failing_job_is_recorded_and_the_others_still_run(settings, monkeypatch, sites):
    settings.SCHEDULE_MINUTES = {**ONLY_FULL_SWEEP, "rollup": 60}

    def broken() -> dict[str, object]:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(scheduling, "JOBS", (scheduling.Job("rollup", broken), *scheduling.JOBS[:1]))
    ran = scheduling.run_due_jobs()
    assert ran["rollup"] == {"error": "RuntimeError: database is locked"}
    assert ran["full_sweep"]["sites"] == 3
    assert ScheduledJob.objects.get(name="rollup").last_result["error"].startswith("RuntimeError")


def test_scheduler_once_prints_each_job_run(settings, sites, capsys):
    settings.SCHEDULE_MINUTES = {**ONLY_FULL_SWEEP, "rollup": 60, "escalate": 60}
    call_command("scheduler", "--once")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {line["job"] for line in lines} == {"full_sweep", "rollup", "escalate"}
    assert next(line for line in lines if line["job"] == "escalate")["result"] == {"escalated": 0}
