"""通报 → 整改 from creation to closure through the web pages, documents, numbering and escalation."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from edupulse.accounts.tests.factories import PASSWORD, make_user
from edupulse.core.actions import run_as_system
from edupulse.core.models import AuditLog
from edupulse.monitoring import actions, documents, sweeping
from edupulse.monitoring.models import Finding, Notice, NoticeItem
from edupulse.monitoring.tests.factories import make_finding, make_notice, make_website, report
from edupulse.orgs.models import Region
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db


def _require_cjk_font() -> None:
    """PDF notices need a CJK font (Debian: fonts-noto-cjk, installed by tools/system-packages)."""
    import subprocess

    from edupulse.conftest import require_service

    try:
        fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        fonts = ""
    require_service("A CJK font", bool(fonts.strip()), "apt-get install fonts-noto-cjk")


@pytest.fixture
def probes_pass(monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(sweeping, "probe_runner", lambda urls, checks: [report(u) for u in urls])


def test_full_flow_in_the_browser(client, probes_pass, django_capture_on_commit_callbacks):
    school = make_school("510107")
    site = make_website(school, name="实验小学网站")
    finding = make_finding(site, "dark_links")
    officer = make_user("county_officer", region="510107")
    cio = make_user("school_cio", school=school)
    client.login(username=officer.username, password=PASSWORD)
    page = client.get("/monitoring/findings/?status=open").content.decode()
    assert "实验小学网站" in page
    response = client.post(f"/monitoring/notices/new/?select={finding.pk}", {
        "select": [finding.pk], "title": "关于网站暗链问题的通报", "region": "510107", "number_prefix": "武侯教网通",
        "deadline": (date.today() + timedelta(days=7)).isoformat(), "body": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    notice = Notice.objects.get()
    assert notice.status == "draft" and notice.items.count() == 1
    assert client.post(f"/monitoring/notices/{notice.pk}/issue/").status_code == 302
    notice.refresh_from_db()
    year = timezone.localdate().year
    assert notice.number == f"武侯教网通〔{year}〕1号"
    docx = client.get(f"/monitoring/notices/{notice.pk}/document.docx")
    assert docx.status_code == 200
    xml = zipfile.ZipFile(io.BytesIO(docx.content)).read("word/document.xml").decode()
    assert notice.number in xml and "实验小学网站" in xml
    _require_cjk_font()
    pdf = client.get(f"/monitoring/notices/{notice.pk}/document.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    client.logout()

    client.login(username=cio.username, password=PASSWORD)
    item = NoticeItem.objects.get()
    assert client.get("/monitoring/rectification/").content.decode().count(f"/monitoring/rectification/{item.pk}/") >= 1
    assert client.get(f"/monitoring/notices/{notice.pk}/").status_code == 403  # schools see items, not notices
    assert client.post(f"/monitoring/rectification/{item.pk}/acknowledge/").status_code == 302
    evidence = SimpleUploadedFile("整改报告.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"/monitoring/rectification/{item.pk}/",
                               {"response": "已删除暗链代码并加固后台。", "evidence": evidence})
    assert response.status_code == 302 and len(callbacks) == 1  # the re-probe is queued
    item.refresh_from_db()
    assert item.status == "submitted" and item.evidence
    assert client.get(f"/monitoring/rectification/{item.pk}/evidence/").status_code == 200
    assert client.post(f"/monitoring/rectification/{item.pk}/reprobe/").status_code == 302
    item.refresh_from_db()
    notice.refresh_from_db()
    finding.refresh_from_db()
    assert item.status == "verified" and notice.status == "closed" and finding.status == "resolved"
    trail = list(AuditLog.objects.filter(object_type="monitoring.noticeitem").values_list("action", flat=True))
    assert {"monitoring.noticeitem.acknowledge", "monitoring.noticeitem.submit", "monitoring.noticeitem.verify"} \
        <= set(trail)


def test_reprobe_failure_keeps_item_open(monkeypatch, probes_pass):
    notice = make_notice(make_school("510107"))
    run_as_system(actions.issue_notice, notice)
    item = notice.items.get()
    run_as_system(actions.acknowledge_item, item)
    run_as_system(actions.submit_evidence, item, response="已整改")
    monkeypatch.setattr(sweeping, "probe_runner", lambda urls, checks: [report(u, failing=("hsts",)) for u in urls])
    run_as_system(actions.reprobe_item, item)
    item.refresh_from_db()
    assert item.status == "submitted" and item.reprobe_status == "fail"


def test_numbering_per_authority_and_year():
    school = make_school("510107")
    first, second = make_notice(school), make_notice(school)
    other = make_notice(make_school("510104"))
    for notice in (first, second, other):
        run_as_system(actions.issue_notice, notice)
    assert [n.sequence for n in (first, second, other)] == [1, 2, 1]
    assert first.number.endswith(f"〔{timezone.localdate().year}〕1号")


def test_overdue_items_are_escalated():
    notice = make_notice(make_school("510107"))
    run_as_system(actions.issue_notice, notice)
    assert run_as_system(actions.escalate_overdue) == 0
    later = timezone.now() + timedelta(days=30)
    assert run_as_system(actions.escalate_overdue, now=later) == 1
    assert notice.items.get().status == "escalated"


def test_cannot_notify_outside_region_or_resolved_findings():
    from django.core.exceptions import ValidationError

    outside = make_finding(make_website(make_school("510104")))
    county = Region.objects.get(code="510107")
    with pytest.raises(ValidationError):
        run_as_system(actions.create_notice, [outside], region=county, title="t",
                      deadline=date.today() + timedelta(days=3))
    officer = make_user("county_officer", region="510107")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.create_notice([outside], acting_user=officer, region=county, title="t",
                              deadline=date.today() + timedelta(days=3))
    assert not Notice.objects.exists() and Finding.objects.count() == 1


def test_document_text_is_chinese():
    notice = make_notice(make_school("510107"))
    doc = documents.document_for(notice)
    assert doc.authority.endswith("教育局") and "四川省" in doc.authority
    assert doc.deadline.endswith("日") and doc.rows[0].problem
