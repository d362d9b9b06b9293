"""Big exports don't block (issue 14, item 6): over ``EXPORT_INLINE_ROWS`` a list export becomes a background
job with a progress page and a download that only its requester gets."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from edupulse.accounts.tests.factories import PASSWORD, make_user
from edupulse.core import exports
from edupulse.core.actors import SYSTEM
from edupulse.core.models import AuditLog, ExportJob, ExportStatus
from edupulse.core.tests.arrange import arranging
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                         "QUEUES": ["default", "monitoring"]}}


@pytest.fixture
def tasks_now(settings: Any, tmp_path: Any) -> None:
    """The task runs when the request's transaction commits, in the test, and files go to a temporary folder."""
    settings.TASKS = IMMEDIATE
    settings.MEDIA_ROOT = tmp_path
    settings.EXPORT_INLINE_ROWS = 2


def login(client: Any, user: Any) -> None:
    assert client.login(username=user.username, password=PASSWORD)


def test_a_big_export_runs_in_the_background_and_only_its_requester_downloads_it(
        client: Any, tasks_now: None, django_capture_on_commit_callbacks: Any) -> None:
    for n in range(3):
        make_school("510107", name=f"武侯区第{n}小学")
    make_school("510104", name="锦江区小学")
    officer = make_user("county_officer", region="510107")
    login(client, officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/schools/", {"export": "csv"})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert response["Location"] == f"/exports/{job.pk}/"
    assert (job.requester, job.status, job.rows_total, job.county_code) == (officer, ExportStatus.READY, 3, "510107")
    assert job.file_name.startswith("学校-") and "武侯区" in job.file_name and job.file_name.endswith(".csv")
    page = client.get(f"/exports/{job.pk}/").content.decode()
    assert "已完成" in page and f"/exports/{job.pk}/download/" in page

    download = client.get(f"/exports/{job.pk}/download/")
    assert download.status_code == 200
    assert "filename*=utf-8''%E5%AD%A6%E6%A0%A1" in download["Content-Disposition"]  # 学校…, RFC 5987
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 4 and not any("锦江区小学" in cell for row in rows for cell in row)
    assert AuditLog.objects.filter(action="core.exportjob.download", actor_username=officer.username).count() == 1
    assert AuditLog.objects.filter(action="core.exportjob.create", actor_username=officer.username).count() == 1

    # Another county's officer, and the province admin above, get a missing key: the job is the requester's.
    for other in (make_user("county_officer", region="510104"), make_user("province_admin", region="51")):
        login(client, other)
        assert client.get(f"/exports/{job.pk}/").status_code == 404
        assert client.get(f"/exports/{job.pk}/download/").status_code == 404


def test_a_small_export_is_answered_at_once(client: Any, settings: Any) -> None:
    make_school("510107")
    login(client, make_user("county_officer", region="510107"))
    response = client.get("/schools/", {"export": "xlsx"})
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert not ExportJob.objects.exists()


def test_jobs_expire_after_seven_days(client: Any, tasks_now: None, django_capture_on_commit_callbacks: Any) -> None:
    for _n in range(3):
        make_school("510107")
    officer = make_user("county_officer", region="510107")
    login(client, officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/schools/", {"export": "xlsx"})
    job = ExportJob.objects.get()
    assert job.expires_at - job.created_at >= timedelta(days=7) - timedelta(seconds=5)
    stored = exports.exports_dir() / job.stored_as
    assert stored.is_file()
    with arranging():
        ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(f"/exports/{job.pk}/download/").status_code == 404
    assert exports.purge_expired_exports(acting_user=SYSTEM) == 1
    assert not stored.exists() and not ExportJob.objects.exists()
