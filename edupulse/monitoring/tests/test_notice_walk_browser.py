"""A real browser (Debian's chromium driven by Playwright) walks a notice (通报) from creation to closure.

Only what a user does on the pages: clicks, ticks, form fills and file uploads. The county officer of
武侯区 ticks open findings, builds and issues the notice, downloads its DOCX and PDF; the school CIO finds
the item in 整改, acknowledges it, uploads evidence; the background worker re-probes the site (first
still failing: the item stays open with the reason shown; then passing: verified and closed); the
officer sees the notice closed. Runs in CI (chromium and a CJK font installed); skips elsewhere.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from edupulse.accounts.tests.factories import PASSWORD, make_user
from edupulse.core.actions import run_as_system
from edupulse.core.models import AuditLog
from edupulse.core.tests.test_browser import browser_page  # noqa: F401  (the chromium fixture)
from edupulse.monitoring import actions
from edupulse.monitoring.models import Finding, Notice, NoticeItem
from edupulse.monitoring.tests.factories import make_finding, make_website, report
from edupulse.monitoring.tests.test_notices import _require_cjk_font
from edupulse.orgs.tests.factories import make_school
from edupulse.utilities.config import current

EVIDENCE_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n"
                b"trailer<</Root 1 0 R>>\n%%EOF\n")




def _shot(page: Any, name: str) -> None:
    if screenshots := current().screenshots:
        page.screenshot(path=screenshots / f"notice-{name}.png", full_page=True)


def _sign_in(page: Any, url: str, username: str) -> None:
    page.goto(url)
    assert "/login/" in page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(url)


def _sign_out(page: Any) -> None:
    page.click("header .who button[type=submit]")
    page.wait_for_load_state()


def _run_worker() -> None:
    """What `edupulse worker` does in production: run the queued tasks (here: the re-probe) once."""
    call_command("worker", burst=True, queues="monitoring", stdout=io.StringIO())


def _main(page: Any) -> str:
    return str(page.inner_text("main"))


def _set_probe(settings: Any, *, failing: tuple[str, ...]) -> None:
    settings.PROBE_RUNNER = lambda urls, checks: [report(u, failing=failing) for u in urls]


@pytest.mark.django_db(transaction=True)
def test_notice_walked_from_findings_to_closure(live_server: Any, browser_page: Any,  # noqa: F811
                                                 monkeypatch: Any, settings: Any, tmp_path: Any) -> None:
    _require_cjk_font()
    settings.MEDIA_ROOT = tmp_path
    school = make_school("510107", name="成都市武侯区第一实验小学")
    site = make_website(school, name="实验小学网站")
    now = timezone.now()
    for minutes in (2, 1):  # two failing probes in a row open a finding
        run_as_system(actions.save_reports, [report(site.url, failing=("dark_links", "hsts"),
                                                    at=now - timedelta(minutes=minutes))])
    dark, hsts = (Finding.objects.get(website=site, check_name=name) for name in ("dark_links", "hsts"))
    other = make_finding(make_website(school, name="图书馆网站"), "hsts")  # open, but not ticked
    officer = make_user("county_officer", region="510107", username="wuhou")
    cio = make_user("school_cio", school=school, username="shiyan_cio")
    page = browser_page
    page.set_default_timeout(15000)
    dialogs: list[str] = []

    def confirm(dialog: Any) -> None:  # the user answers 确定 to 「确定印发此通报？」
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", confirm)
    base = live_server.url

    # -- the officer ticks two open findings and builds a notice
    _sign_in(page, f"{base}/monitoring/", officer.username)
    page.click("nav.crumbs >> text=问题")
    page.wait_for_url(f"{base}/monitoring/findings/?status=open")
    _shot(page, "0-findings")
    assert "实验小学网站" in _main(page) and "图书馆网站" in _main(page)
    page.check("#findings-form th input[type=checkbox]")  # tick the whole page ...
    assert all(box.is_checked() for box in page.query_selector_all("input[name=select]"))
    page.uncheck(f"input[name=select][value='{other.pk}']")  # ... but the library site is not in this notice
    assert page.is_checked(f"input[name=select][value='{dark.pk}']")
    _shot(page, "1-findings")
    page.click("text=用所选未关闭问题生成通报")
    assert "已选 2 个问题" in _main(page)
    page.fill("input[name=title]", "关于网站暗链等问题的通报")
    page.fill("input[name=number_prefix]", "武侯教网通")
    page.fill("textarea[name=body]", "近期监测发现下列网站存在安全问题，请立即整改。")
    _shot(page, "2-form")
    page.click("text=创建通报草稿")
    page.wait_for_url(re.compile(r"/monitoring/notices/\d+/$"))
    notice = Notice.objects.get()
    assert {i.finding_id for i in notice.items.all()} == {dark.pk, hsts.pk} and other.status == "open"
    main = _main(page)
    assert "草稿" in main and "关于网站暗链等问题的通报" in main

    # -- issues it: it gets its number
    page.click("button:has-text('印发通报')")
    page.wait_for_selector("text=已印发")
    assert dialogs and "印发" in dialogs[0]  # asked to confirm first
    notice.refresh_from_db()
    number = f"武侯教网通〔{timezone.localdate().year}〕1号"
    assert notice.status == "issued" and notice.number == number
    main = _main(page)
    assert number in main and "已印发" in main and notice.deadline.strftime("%Y-%m-%d") in main
    _shot(page, "3-issued")

    # -- downloads the formal document as Word and PDF
    with page.expect_download() as info:
        page.click("text=下载 Word")
    docx = info.value
    assert docx.suggested_filename == f"{number}.docx"
    xml = zipfile.ZipFile(docx.path()).read("word/document.xml").decode()
    assert number in xml and "实验小学网站" in xml
    with page.expect_download() as info:
        page.click("text=下载 PDF")
    pdf = info.value
    assert pdf.suggested_filename == f"{number}.pdf"
    with open(pdf.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    _sign_out(page)

    # -- the school CIO finds the items in 整改, acknowledges, submits evidence
    _sign_in(page, f"{base}/monitoring/", cio.username)
    page.click("nav.mainnav >> text=整改")
    main = _main(page)
    assert "关于网站暗链等问题的通报" in main and page.inner_text("table").count("待签收") == 2
    assert "通报 ·" not in page.inner_text("nav.crumbs")  # no link to the officers' notice list (403 for schools)
    item = NoticeItem.objects.get(finding=dark)
    _shot(page, "4-school-list")
    page.click(f"a[href='/monitoring/rectification/{item.pk}/']")
    page.wait_for_url(f"{base}/monitoring/rectification/{item.pk}/")
    _shot(page, "5-school-item")
    assert "第 1 步" in page.inner_text("#next-step")  # the school is told what to do
    with page.expect_download() as info:  # its copy of the notice, with only its own items
        page.click("text=下载 Word")
    assert number in zipfile.ZipFile(info.value.path()).read("word/document.xml").decode()
    page.click("button:has-text('签收')")
    page.wait_for_load_state()
    item.refresh_from_db()
    assert item.status == "acknowledged" and "已签收" in _main(page) and "第 2 步" in page.inner_text("#next-step")

    _set_probe(settings, failing=("dark_links",))  # the dark links are still there
    page.fill("textarea[name=response]", "已删除暗链代码。")
    page.set_input_files("input[name=evidence]", files=[
        {"name": "整改报告.pdf", "mimeType": "application/pdf", "buffer": EVIDENCE_PDF}])
    page.click("button:has-text('提交整改材料')")
    page.wait_for_load_state()
    item.refresh_from_db()
    assert item.status == "submitted" and item.evidence
    assert "复测" in _main(page)
    _run_worker()
    page.reload()
    item.refresh_from_db()
    assert item.status == "submitted" and item.reprobe_status == "fail"
    main = _main(page)
    _shot(page, "6-reprobe-failed")
    assert "复测未通过" in main and "暗链" in main, main  # a reason the school can act on
    assert page.is_visible("button:has-text('提交整改材料')")  # and it can submit again

    _set_probe(settings, failing=())
    page.fill("textarea[name=response]", "已删除暗链代码并加固网站后台。")
    page.set_input_files("input[name=evidence]", files=[
        {"name": "整改报告2.pdf", "mimeType": "application/pdf", "buffer": EVIDENCE_PDF}])
    page.click("button:has-text('提交整改材料')")
    page.wait_for_load_state()
    _run_worker()
    page.reload()
    item.refresh_from_db()
    assert item.status == "verified"
    main = _main(page)
    assert "已复核销号" in main and "复测通过" in main
    notice.refresh_from_db()
    assert notice.status == "issued"  # the second item is still open
    assert "已印发" in main

    # the second item, straight through
    page.click("nav.mainnav >> text=整改")
    second = NoticeItem.objects.get(finding=hsts)
    page.click(f"a[href='/monitoring/rectification/{second.pk}/']")
    page.click("button:has-text('签收')")
    page.wait_for_load_state()
    page.fill("textarea[name=response]", "已启用HSTS。")
    page.set_input_files("input[name=evidence]", files=[
        {"name": "HSTS配置.pdf", "mimeType": "application/pdf", "buffer": EVIDENCE_PDF}])
    page.click("button:has-text('提交整改材料')")
    page.wait_for_load_state()
    _run_worker()
    page.reload()
    main = _main(page)
    assert "已复核销号" in main and "已办结" in main  # the item and the notice closed
    _shot(page, "7-school-closed")
    _sign_out(page)

    # -- the officer sees the notice closed
    _sign_in(page, f"{base}/monitoring/", officer.username)
    page.click("nav.crumbs >> text=通报")
    assert number in _main(page) and "已办结" in _main(page)
    page.click("text=关于网站暗链等问题的通报")
    main = _main(page)
    assert "已办结" in page.inner_text("#notice-status") and page.inner_text("table").count("已复核销号") == 2
    assert "共 2 个事项，已复核销号 2 个" in main
    _shot(page, "8-officer-closed")
    assert Finding.objects.get(pk=dark.pk).status == "resolved"
    trail = set(AuditLog.objects.filter(object_type="monitoring.noticeitem").values_list("action", flat=True))
    assert {"monitoring.noticeitem.acknowledge", "monitoring.noticeitem.submit", "monitoring.noticeitem.reprobe",
            "monitoring.noticeitem.verify"} <= trail
    assert AuditLog.objects.filter(action__in=["monitoring.notice.issue", "monitoring.notice.close"]).count() == 2
