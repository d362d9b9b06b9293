"""Monitoring pages as a new user walks them: the labels say what the fields are, the figures agree."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import pytest
import python_calamine
from django.utils import timezone

from edupulse.accounts.tests.factories import PASSWORD, make_user
from edupulse.core.actions import run_as_system
from edupulse.monitoring import actions, dashboard, demo
from edupulse.monitoring.models import Finding, SiteState
from edupulse.monitoring.models.results import FindingStatus
from edupulse.monitoring.tests.factories import make_website, report
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db


def _signed_in(client: Any, role: str, region: str = "510107") -> Any:
    user = make_user(role, region=region)
    assert client.login(username=user.username, password=PASSWORD)
    return user


def test_website_detail_labels_category_and_owner_as_a_website_has_them(client: Any) -> None:
    site = make_website(make_school("510107", name="武侯区第一小学"))
    _signed_in(client, "county_officer")
    body = client.get(f"/monitoring/websites/{site.pk}/").content.decode()
    assert "<dt>类别</dt>" in body and "<dt>所属单位</dt>" in body and "武侯区第一小学" in body
    assert "学校类别" not in body and "创建人" not in body
    listing = client.get("/monitoring/websites/").content.decode()
    assert "学校类别" not in listing  # the list's category filter is the website's category too


def test_the_demo_header_grade_agrees_with_the_findings() -> None:
    """The grade is what the headers check measured; a grade the check fails or warns on is a finding."""
    for _ in range(40):
        make_school("510107")
    demo.load(seed=3, days=2)
    open_headers = set(Finding.objects.filter(check_name="headers", status=FindingStatus.OPEN)
                       .values_list("website_id", flat=True))
    states = list(SiteState.objects.exclude(headers_grade=""))
    assert states and any(s.headers_grade == "F" for s in states)
    for state in states:
        status = state.statuses.get("headers")
        assert status in {"pass", "warn", "fail"}, state.website_id
        assert (status != "pass") == (state.website_id in open_headers), (state.headers_grade, status)
        if state.headers_grade in {"D", "F"}:
            assert status == "fail"


def test_the_trend_s_last_point_is_today_and_agrees_with_the_tiles(client: Any) -> None:
    """The roll-up was written in the morning; sites changed since. Today's point is the tiles' figure."""
    school = make_school("510107")
    sites = [make_website(school) for _ in range(4)]
    for site in sites:
        run_as_system(actions.save_reports, [report(site.url)])
    run_as_system(actions.roll_up_day, day=timezone.localdate() - timedelta(days=1))
    run_as_system(actions.roll_up_day)  # this morning: 4 of 4 with IPv6
    run_as_system(actions.save_reports, [report(sites[0].url, failing=("ipv6",))])  # since then
    officer = _signed_in(client, "county_officer")
    tiles = dashboard.summary(officer, "510107")
    trend = dashboard.trend(officer, "510107", current=tiles)
    assert trend["days"][-1] == timezone.localdate().isoformat()
    assert trend["ipv6"][-1] == tiles["ipv6"].percent == 75.0 and trend["ipv6"][0] == 100.0
    assert trend["open_findings"][-1] == tiles["open_findings"]
    page = client.get("/monitoring/").content.decode()
    assert "今天的点取自当前监测状态" in page  # the chart says what it covers
    assert json.loads(client.get("/monitoring/").context["trend_json"])["ipv6"][-1] == 75.0


def test_the_region_table_sorts_exports_colours_against_the_target_and_leads_back_up(client):
    """The dashboard's table of child regions: sortable, exportable, red below the target, a breadcrumb up."""
    good, bad = make_website(make_school("510107")), make_website(make_school("510104"))
    run_as_system(actions.save_reports, [report(good.url), report(bad.url, failing=("ipv6",))])
    officer = make_user("province_admin", region="51")
    client.login(username=officer.username, password=PASSWORD)
    page = client.get("/monitoring/", {"region": "5101", "sort": "-ipv6"}).content.decode()
    assert page.index("武侯区") < page.index("锦江区")  # 100 % before 0 %
    assert 'class="num missed">0.0% (0/1)' in page and 'class="num attained">100.0% (1/1)' in page
    assert '<a href="?region=51">四川省</a>' in page  # the breadcrumb back up
    ascending = client.get("/monitoring/", {"region": "5101", "sort": "ipv6"}).content.decode()
    assert ascending.index("锦江区") < ascending.index("武侯区")
    export = client.get("/monitoring/", {"region": "5101", "sort": "-ipv6", "format": "xlsx"})
    assert export.status_code == 200 and "filename*=UTF-8''" in export["Content-Disposition"]
    rows = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_index(0).to_python()
    assert rows[1][:4] == ["510107", "武侯区", 1, 100.0] and rows[2][:4] == ["510104", "锦江区", 1, 0.0]
