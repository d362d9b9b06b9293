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
from edupulse.core.tests.arrange import arranging
from edupulse.monitoring import actions, documents, noticing
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
    settings.PROBE_RUNNER = lambda urls, checks: [report(u) for u in urls]


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
    # The units are told what to do, in Chinese, once per kind of problem (整改要求).
    assert "整改要求" in xml and "（一）" in xml and "请立即清除暗链" in xml
    _require_cjk_font()
    pdf = client.get(f"/monitoring/notices/{notice.pk}/document.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    client.logout()

    item = NoticeItem.objects.get()
    page = client.get(f"/monitoring/rectification/{item.pk}/").content.decode()
    assert f"/monitoring/rectification/{item.pk}/acknowledge/" not in page  # the issuer does not sign for the school
    assert client.post(f"/monitoring/rectification/{item.pk}/acknowledge/").status_code in {302, 403}
    item.refresh_from_db()
    assert item.status == "issued" and item.acknowledged_at is None
    client.logout()

    client.login(username=cio.username, password=PASSWORD)
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


def test_reprobe_failure_keeps_item_open(monkeypatch, probes_pass, settings):
    notice = make_notice(make_school("510107"))
    run_as_system(actions.issue_notice, notice)
    item = notice.items.get()
    run_as_system(actions.acknowledge_item, item)
    run_as_system(actions.submit_evidence, item, response="已整改")
    settings.PROBE_RUNNER = lambda urls, checks: [report(u, failing=("hsts",)) for u in urls]
    run_as_system(noticing.reprobe_item, item)
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


def _days_later(monkeypatch, days: int) -> None:
    """Pages and actions see ``localdate()`` ``days`` ahead (the deadline passes without waiting)."""
    real = timezone.localdate

    def later(value=None, timezone=None):
        return real(value, timezone) if value is not None else real() + timedelta(days=days)

    monkeypatch.setattr("django.utils.timezone.localdate", later)


def test_overdue_and_escalated_items_are_marked_on_the_notice_and_in_the_rectification_list(client, monkeypatch):
    school = make_school("510107")
    notice = make_notice(school)
    run_as_system(actions.issue_notice, notice)
    item = notice.items.get()
    officer = make_user("county_officer", region="510107")
    cio = make_user("school_cio", school=school)
    client.login(username=officer.username, password=PASSWORD)
    assert "已逾期" not in client.get(f"/monitoring/notices/{notice.pk}/").content.decode()

    _days_later(monkeypatch, 30)  # past the deadline, before `edupulse monitor escalate` ran
    page = client.get(f"/monitoring/notices/{notice.pk}/").content.decode()
    assert "1 个事项已逾期" in page and "待签收（已逾期）" in page
    assert "待签收（已逾期）" in client.get("/monitoring/rectification/").content.decode()
    # The list can be narrowed to what is late, and the export says so too.
    assert f"/monitoring/rectification/{item.pk}/" in client.get("/monitoring/rectification/?overdue=true").content.decode()
    assert f"/monitoring/rectification/{item.pk}/" not in client.get(
        "/monitoring/rectification/?overdue=false").content.decode()
    assert "待签收（已逾期）" in client.get("/monitoring/rectification/?overdue=true&export=csv").content.decode("utf-8-sig")
    client.logout()
    client.login(username=cio.username, password=PASSWORD)
    assert "已逾期：整改期限" in client.get(f"/monitoring/rectification/{item.pk}/").content.decode()

    assert run_as_system(actions.escalate_overdue) == 1
    assert "逾期已上报" in client.get("/monitoring/rectification/").content.decode()
    page = client.get(f"/monitoring/rectification/{item.pk}/").content.decode()
    assert "已逾期，已于" in page and "签收" in page  # still to be acknowledged, late
    client.logout()
    client.login(username=officer.username, password=PASSWORD)
    assert "逾期已上报" in client.get(f"/monitoring/notices/{notice.pk}/").content.decode()


def test_escalated_item_can_still_be_rectified_late_and_is_escalated_once(probes_pass, monkeypatch):
    notice = make_notice(make_school("510107"))
    run_as_system(actions.issue_notice, notice)
    item = notice.items.get()
    _days_later(monkeypatch, 30)
    assert run_as_system(actions.escalate_overdue) == 1
    item.refresh_from_db()
    run_as_system(actions.acknowledge_item, item)
    run_as_system(actions.submit_evidence, item, response="逾期整改完成")
    assert run_as_system(actions.escalate_overdue) == 0  # escalated once; the record stays in escalated_at
    run_as_system(noticing.reprobe_item, item)
    item.refresh_from_db()
    notice.refresh_from_db()
    assert item.status == "verified" and item.escalated_at and notice.status == "closed"


def test_failed_reprobe_shows_the_reason_and_the_next_step(client, monkeypatch, probes_pass, settings):
    school = make_school("510107")
    notice = make_notice(school)
    run_as_system(actions.issue_notice, notice)
    item = notice.items.get()
    run_as_system(actions.acknowledge_item, item)
    run_as_system(actions.submit_evidence, item, response="已整改")
    settings.PROBE_RUNNER = lambda urls, checks: [report(u, failing=("hsts",)) for u in urls]
    cio = make_user("school_cio", school=school)
    client.login(username=cio.username, password=PASSWORD)
    response = client.post(f"/monitoring/rectification/{item.pk}/reprobe/", follow=True)
    page = response.content.decode()
    assert "复测未通过" in page and "HSTS 检测项仍发现该问题" in page and "请继续整改" in page
    assert "提交整改材料" in page  # the form to submit again


def test_a_unit_downloads_its_copy_of_the_notice_with_only_its_own_items(client):
    first, second = make_school("510107", name="第一小学"), make_school("510107", name="第二小学")
    findings = [make_finding(make_website(first, name="第一小学网站")),
                make_finding(make_website(second, name="第二小学网站"))]
    notice = run_as_system(actions.create_notice, findings, region=Region.objects.get(code="510107"),
                           title="关于网站安全问题的通报", deadline=date.today() + timedelta(days=10))
    run_as_system(actions.issue_notice, notice)
    mine = notice.items.get(school=first)
    client.login(username=make_user("school_cio", school=first).username, password=PASSWORD)
    assert f"/monitoring/rectification/{mine.pk}/document.docx" in client.get(
        f"/monitoring/rectification/{mine.pk}/").content.decode()
    docx = client.get(f"/monitoring/rectification/{mine.pk}/document.docx")
    assert docx.status_code == 200
    xml = zipfile.ZipFile(io.BytesIO(docx.content)).read("word/document.xml").decode()
    assert notice.number in xml and "第一小学网站" in xml and "第二小学网站" not in xml
    theirs = notice.items.get(school=second)
    assert client.get(f"/monitoring/rectification/{theirs.pk}/document.docx").status_code == 404


def test_a_finding_is_notified_once_while_its_item_is_open(client):
    school = make_school("510107")
    notice = make_notice(school)
    run_as_system(actions.issue_notice, notice)
    finding = notice.items.get().finding
    officer = make_user("county_officer", region="510107")
    client.login(username=officer.username, password=PASSWORD)
    form = client.get(f"/monitoring/notices/new/?select={finding.pk}").content.decode()
    assert f"已在通报 {notice.number} 中" in form
    response = client.post(f"/monitoring/notices/new/?select={finding.pk}", {
        "select": [finding.pk], "title": "重复通报", "region": "510107", "number_prefix": "",
        "deadline": (date.today() + timedelta(days=7)).isoformat(), "body": ""})
    assert response.status_code == 200 and "仍未办结" in response.content.decode()
    assert Notice.objects.count() == 1


def test_evidence_posted_from_a_stale_page_shows_why_instead_of_failing(client, probes_pass):
    school = make_school("510107")
    notice = make_notice(school)
    run_as_system(actions.issue_notice, notice)
    item = notice.items.get()  # not acknowledged yet, but the page of another tab offered the form
    client.login(username=make_user("school_cio", school=school).username, password=PASSWORD)
    response = client.post(f"/monitoring/rectification/{item.pk}/", {"response": "已整改"})
    assert response.status_code == 200 and "请先签收" in response.content.decode()


# --- edge cases found by an audit of the loop ------------------------------------------------------------------
def _item_with_evidence() -> NoticeItem:
    """An issued notice's item, acknowledged by the school and with its evidence submitted."""
    notice = make_notice(make_school("510107"))
    run_as_system(actions.issue_notice, notice)
    item = notice.items.get()
    run_as_system(actions.acknowledge_item, item)
    run_as_system(actions.submit_evidence, item, response="已整改")
    return item


def test_a_draft_is_checked_again_when_issued(probes_pass) -> None:
    from django.core.exceptions import ValidationError

    school = make_school("510107")
    first = make_notice(school)
    finding = first.items.get().finding
    county = Region.objects.get(code=school.county_id)
    second = run_as_system(actions.create_notice, [finding], region=county, title="重复通报",
                           deadline=date.today() + timedelta(days=10))  # allowed: the first is only a draft
    run_as_system(actions.issue_notice, first)
    with pytest.raises(ValidationError, match="仍未办结"):  # "…is already in notice …1号, which is still open"
        run_as_system(actions.issue_notice, second)
    second.refresh_from_db()
    assert second.status == "draft"
    assert NoticeItem.objects.filter(finding=finding, notice__status="issued").count() == 1

    stale = make_notice(make_school("510107"))
    with arranging():
        Notice.objects.filter(pk=stale.pk).update(deadline=date.today())
    stale.refresh_from_db()
    with pytest.raises(ValidationError, match="整改期限"):  # "The deadline must be in the future."
        run_as_system(actions.issue_notice, stale)
    resolved = make_notice(make_school("510107"))
    with arranging():
        Finding.objects.filter(pk=resolved.items.get().finding_id).update(status="resolved", resolved_at=timezone.now())
    with pytest.raises(ValidationError, match="已恢复"):  # "Finding … is already resolved."
        run_as_system(actions.issue_notice, resolved)


def test_evidence_submitted_in_time_is_not_escalated_while_it_waits_for_the_reprobe(probes_pass, monkeypatch, settings) -> None:
    item = _item_with_evidence()
    later = timezone.now() + timedelta(days=11)
    assert run_as_system(actions.escalate_overdue, now=later) == 0
    item.refresh_from_db()
    assert item.status == "submitted"
    # The re-probe fails: the unit's turn again, so now it is overdue.
    settings.PROBE_RUNNER = lambda urls, checks: [report(u, failing=("hsts",)) for u in urls]
    run_as_system(noticing.reprobe_item, item)
    assert run_as_system(actions.escalate_overdue, now=later) == 1


def test_the_unit_does_not_see_its_item_before_the_notice_is_issued(client, probes_pass) -> None:
    school = make_school("510107")
    item = make_notice(school).items.get()
    client.login(username=make_user("school_cio", school=school).username, password=PASSWORD)
    assert client.get(f"/monitoring/rectification/{item.pk}/").status_code == 404
    run_as_system(actions.issue_notice, item.notice)
    assert client.get(f"/monitoring/rectification/{item.pk}/").status_code == 200


def test_notice_list_exports_in_excel_with_local_times(client, probes_pass) -> None:
    school = make_school("510107")
    notice = make_notice(school)
    client.login(username=make_user("county_officer", region="510107").username, password=PASSWORD)
    xlsx = client.get("/monitoring/notices/?export=xlsx")  # a time-zone-aware time used to crash xlsxwriter
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    csv_text = client.get("/monitoring/notices/?export=csv").content.decode("utf-8-sig")
    local = timezone.localtime(notice.created_at).strftime("%Y-%m-%d %H:%M")
    assert local in csv_text and "+00:00" not in csv_text


def test_an_export_with_a_mistyped_filter_says_why_instead_of_exporting_nothing(client, probes_pass) -> None:
    make_notice(make_school("510107"))
    client.login(username=make_user("county_officer", region="510107").username, password=PASSWORD)
    response = client.get("/monitoring/notices/?status=bogus&export=csv")
    assert response.status_code == 400
    assert "未导出" in response.content.decode() and "bogus" in response.content.decode()


def test_the_reprobe_does_not_hold_a_transaction_while_the_site_answers(probes_pass, monkeypatch, settings) -> None:
    from django.db import connection

    item = _item_with_evidence()
    outside = len(connection.savepoint_ids)  # the test's own transaction
    during: list[int] = []

    def probe(urls, checks):  # type: ignore[no-untyped-def]
        during.append(len(connection.savepoint_ids))
        return [report(u) for u in urls]

    settings.PROBE_RUNNER = probe
    run_as_system(noticing.reprobe_item, item)
    assert during == [outside]  # no action savepoint open while probing (SQLite's write lock would be held)
    item.refresh_from_db()
    assert item.status == "verified"
