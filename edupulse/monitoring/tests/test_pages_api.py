"""Dashboard figures and coverage, pages and API under scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from edupulse.accounts.tests.factories import PASSWORD, make_user
from edupulse.core.actions import run_as_system
from edupulse.monitoring import actions, dashboard
from edupulse.monitoring.tests.factories import make_finding, make_website, report
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db


def _probe(site, failing=(), evidence=None):
    run_as_system(actions.save_reports, [report(site.url, failing=failing, evidence=evidence)])


def test_dashboard_figures_say_what_they_cover(client):
    school = make_school("510107")
    a, b, c = make_website(school), make_website(school), make_website(region="510107")
    make_website(make_school("510104"))  # another county: not counted for this officer
    soon = (timezone.now() + timedelta(days=10)).isoformat()
    _probe(a, evidence={"tls_certificate": {"not_after": soon}})
    _probe(b, failing=("ipv6",))
    make_finding(c, "dark_links")
    officer = make_user("county_officer", region="510107")
    s = dashboard.summary(officer, "510107")
    assert s["sites"] == 3 and s["probed"] == 3
    assert (s["ipv6"].value, s["ipv6"].covered) == (2, 3)
    assert (s["expiring"].value, s["expiring"].covered) == (1, 1)  # of the sites whose certificate date is known
    assert s["open_findings"] == 1 and s["worst"][0]["website_id"] == c.pk
    run_as_system(actions.roll_up_day)
    client.login(username=officer.username, password=PASSWORD)
    page = client.get("/monitoring/").content.decode()
    assert "66.7%" in page and "3 个网站中 2 个" in page and "echarts.min.js" in page
    assert client.get("/monitoring/?region=510104").status_code == 404
    prefecture = make_user("prefecture_officer", region="5101")
    client.login(username=prefecture.username, password=PASSWORD)
    page = client.get("/monitoring/?region=5101").content.decode()
    assert "?region=510107" in page  # the county breakdown


def test_trend_reads_the_roll_up():
    site = make_website(region="510107")
    _probe(site)
    run_as_system(actions.roll_up_day, day=timezone.localdate() - timedelta(days=1))
    run_as_system(actions.roll_up_day)
    officer = make_user("county_officer", region="510107")
    trend = dashboard.trend(officer, "510107")
    assert len(trend["days"]) == 2 and trend["ipv6"] == [100.0, 100.0]


def test_api_scope_and_field_errors(client):
    school = make_school("510107")
    mine = make_website(school)
    make_website(make_school("510104"))
    officer = make_user("county_officer", region="510107")
    client.login(username=officer.username, password=PASSWORD)
    listing = client.get("/api/monitoring/websites/").json()
    assert [w["url"] for w in listing["results"]] == [mine.url]
    bad = client.post("/api/monitoring/websites/", {"url": "https://n.example.cn/", "name": "n",
                                                    "category": "school_site", "school": school.code,
                                                    "icp_number": "bad"}, content_type="application/json")
    assert bad.status_code == 400 and "icp_number" in bad.json()
    outside = client.post("/api/monitoring/websites/", {"url": "https://o.example.cn/", "name": "o",
                                                        "category": "bureau_portal", "owner_region": "510104"},
                          content_type="application/json")
    assert outside.status_code == 400 and "owner_region" in outside.json()
    system = client.post("/api/monitoring/systems/", {
        "name": "学籍", "owner_region": "510107", "info_harm_object": "society", "info_harm_degree": "serious",
        "service_harm_object": "nation", "service_harm_degree": "serious"}, content_type="application/json")
    assert system.status_code == 201 and system.json()["level"] == 4
    make_finding(mine)
    assert client.get("/api/monitoring/findings/?status=open").json()["count"] == 1
    cio = make_user("school_cio", school=make_school("510107"))
    client.login(username=cio.username, password=PASSWORD)
    assert client.get("/api/monitoring/websites/").json()["count"] == 0
    assert client.get("/api/monitoring/alert-channels/").status_code == 403


@pytest.mark.parametrize("url", ["/monitoring/", "/monitoring/websites/", "/monitoring/systems/",
                                 "/monitoring/systems/overdue/", "/monitoring/filings/missing/", "/monitoring/apps/",
                                 "/monitoring/findings/", "/monitoring/notices/", "/monitoring/rectification/",
                                 "/monitoring/alerts/", "/monitoring/import/website/", "/monitoring/notices/new/"])
def test_pages_render_for_an_officer(client, url):
    site = make_website(make_school("510107"))
    make_finding(site)
    officer = make_user("county_officer", region="510107")
    client.login(username=officer.username, password=PASSWORD)
    assert client.get(url).status_code == 200


def test_website_detail_and_edit(client):
    school = make_school("510107")
    site = make_website(school)
    _probe(site)
    cio = make_user("school_cio", school=school)
    client.login(username=cio.username, password=PASSWORD)
    assert client.get(f"/monitoring/websites/{site.pk}/").status_code == 200
    response = client.post(f"/monitoring/websites/{site.pk}/edit/", {"contact_name": "李四", "contact_phone": "028-1",
                                                                     "icp_number": ""})
    assert response.status_code in (200, 302)
    response = client.post(f"/monitoring/websites/{site.pk}/edit/", {"contact_name": "李四",
                                                                     "contact_phone": "028-87654321",
                                                                     "icp_number": "蜀ICP备12345678号"})
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.contact_name == "李四"


def test_overview_panel(client):
    school = make_school("510107")
    make_finding(make_website(school))
    officer = make_user("county_officer", region="510107")
    client.login(username=officer.username, password=PASSWORD)
    page = client.get("/").content.decode()
    assert "待整改事项" in page and "/monitoring/findings/?status=open" in page


def test_demo_loader_builds_a_living_dashboard():
    from edupulse.monitoring import demo
    from edupulse.monitoring.models import InformationSystem, RegionDaily, Website

    for _ in range(12):
        make_school("510107")
    summary = demo.load(seed=3, days=5)
    assert not summary.skipped
    assert Website.objects.filter(category="bureau_portal", owner_region_id="510107").exists()
    assert Website.objects.filter(owner_region_id="51").exists() and InformationSystem.objects.exists()
    assert RegionDaily.objects.filter(region_id="510107").count() == 5
    officer = make_user("province_admin", region="51")
    figures = dashboard.summary(officer, "51")
    assert figures["sites"] == summary.websites and figures["ipv6"].covered == summary.websites
    assert demo.load(seed=3, days=5).skipped


def test_the_demo_shows_every_stage_of_the_rectification_loop_and_gives_the_school_work():
    from edupulse.monitoring import demo
    from edupulse.monitoring.models import Notice, NoticeItem

    schools = [make_school("510107") for _ in range(30)] + [make_school("510104") for _ in range(30)]
    cio = make_user("school_cio", school=schools[5])
    assert demo.load(seed=3, days=2).notices == 4
    stages = set(NoticeItem.objects.values_list("status", flat=True))
    assert stages == {"issued", "acknowledged", "submitted", "verified", "escalated"}
    assert set(Notice.objects.values_list("status", flat=True)) == {"issued", "closed"}
    overdue = Notice.objects.filter(items__status="escalated", status="issued").distinct().get().deadline
    assert overdue < timezone.localdate()
    own = NoticeItem.objects.visible_to(cio)
    assert {i.status for i in own} == {"issued", "acknowledged"} and all(i.school_id == schools[5].pk for i in own)


def test_finding_page_says_what_is_wrong_and_what_to_do_in_chinese(client):
    site = make_website(make_school("510107"))
    finding = make_finding(site, "hsts")
    finding.evidence = {"reason": "no Strict-Transport-Security header"}
    finding.save(update_fields=["evidence"])
    officer = make_user("county_officer", region="510107")
    client.login(username=officer.username, password=PASSWORD)
    page = client.get(f"/monitoring/findings/{finding.pk}/").content.decode()
    assert "未启用 HSTS" in page and "不少于一年" in page


def test_a_refusal_without_a_field_is_shown_above_the_form(client, monkeypatch):
    from django.core.exceptions import ValidationError

    from edupulse.monitoring import views

    def refuse(website, *, acting_user):
        raise ValidationError("该网站已移交上级单位管理，不能在此修改。")

    monkeypatch.setattr(views.WebsiteUpdateView, "save_action", staticmethod(refuse))
    school = make_school("510107")
    site = make_website(school)
    client.login(username=make_user("school_cio", school=school).username, password=PASSWORD)
    response = client.post(f"/monitoring/websites/{site.pk}/edit/", {"contact_name": "李四",
                                                                     "contact_phone": "028-87654321",
                                                                     "icp_number": "蜀ICP备12345678号"})
    assert response.status_code == 200 and "该网站已移交上级单位管理" in response.content.decode()
