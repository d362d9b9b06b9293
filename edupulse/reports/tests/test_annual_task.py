"""Requesting the report from the page: a task writes the files with progress; they download for the officer
and are absent (404) for an officer of another county. The CLI writes the same files."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from edupulse.accounts.tests.factories import PASSWORD, make_user
from edupulse.core.models import AuditLog
from edupulse.reports.models import ReportRun, RunStatus


@pytest.fixture(autouse=True)
def _keep_test_connection(monkeypatch):
    """The database worker closes 'old' connections between tasks; inside a test's transaction that would close
    the test's own connection (as in monitoring/tests/test_sweeps.py)."""
    import django_tasks_db.management.commands.db_worker as db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


def _client(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_a_requested_report_is_generated_by_the_task_and_downloads_in_scope(
        province, django_capture_on_commit_callbacks):
    officer = make_user("prefecture_officer", region="5101")
    client = _client(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:annual-create"),
                               {"region": "5101", "year": "2022", "formats": ["html", "pdf", "docx"]})
    run = ReportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:annual-detail", args=[run.pk])
    assert run.status == RunStatus.QUEUED and run.requested_by == officer
    page = client.get(reverse("reports:annual-detail", args=[run.pk])).content.decode()
    assert 'http-equiv="refresh"' in page  # waits for the task

    call_command("db_worker", queue_name="default", batch=True, startup_delay=False, verbosity=0)

    run.refresh_from_db()
    assert (run.status, run.progress, run.error) == (RunStatus.DONE, 100, "")
    assert set(run.files) == {"html", "pdf", "docx"}
    # Each step was recorded by an action, on the record, rising to 100.
    steps = list(AuditLog.objects.filter(object_type="reports.reportrun", object_id=str(run.pk))
                 .order_by("sequence").values_list("after__progress", flat=True))
    assert steps[0] == 0 and steps[-1] == 100 and steps == sorted(steps) and len(steps) >= 5
    page = client.get(reverse("reports:annual-detail", args=[run.pk])).content.decode()
    assert 'http-equiv="refresh"' not in page and "已完成" in page
    pdf = client.get(reverse("reports:annual-download", args=[run.pk, "pdf"]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert "attachment" in pdf["Content-Disposition"]
    html = b"".join(client.get(reverse("reports:annual-download", args=[run.pk, "html"])).streaming_content)
    assert "成都市教育信息化年度发展报告（2022年）" in html.decode("utf-8")

    elsewhere = _client(make_user("county_officer", region="510703"))
    for url in (reverse("reports:annual-detail", args=[run.pk]),
                reverse("reports:annual-download", args=[run.pk, "pdf"])):
        assert elsewhere.get(url).status_code == 404


def test_a_county_officer_cannot_request_another_countys_report(province):
    client = _client(make_user("county_officer", region="510107"))
    response = client.post(reverse("reports:annual-create"), {"region": "510703", "year": "2022"})
    assert response.status_code == 404
    assert not ReportRun.objects.exists()


def test_a_year_without_data_is_refused_with_a_message(province):
    client = _client(make_user("province_admin", region="51"))
    response = client.post(reverse("reports:annual-create"), {"region": "51", "year": "2019"}, follow=True)
    assert "四川省没有2019年的指标数据" in response.content.decode()
    assert not ReportRun.objects.exists()


def test_cli_writes_the_three_files(province, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    call_command("report", "annual", "--region", "51", "--year", "2022", "--format", "html,pdf,docx",
                 "--out", str(tmp_path), stdout=out, stderr=err)
    result = json.loads(out.getvalue())
    assert sorted(result["files"]) == ["docx", "html", "pdf"]
    for fmt in ("html", "pdf", "docx"):
        assert (tmp_path / f"四川省教育信息化年度发展报告（2022年）.{fmt}").stat().st_size > 1000
    lines = err.getvalue().splitlines()
    assert lines[0].endswith("汇总指标与监测数据") and lines[-1].endswith("已完成")


@pytest.mark.parametrize(("region", "year", "message"), [
    ("99", "2022", "未知的行政区划代码 99"), ("51", "2019", "四川省没有2019年的指标数据"), ("51", "2022", "未知的报告格式"),
])
def test_cli_refuses_with_a_chinese_error_and_exit_2(province, tmp_path, region, year, message):
    fmt = "pdf" if message != "未知的报告格式" else "odt"
    with pytest.raises(CommandError, match=message) as error:
        call_command("report", "annual", "--region", region, "--year", year, "--format", fmt, "--out", str(tmp_path),
                     stdout=io.StringIO(), stderr=io.StringIO())
    assert error.value.returncode == 2
    assert not list(tmp_path.iterdir())
