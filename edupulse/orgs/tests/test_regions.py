from __future__ import annotations

import pytest

from edupulse.accounts.tests.factories import PASSWORD, make_superuser, make_user
from edupulse.core.actions import run_as_system
from edupulse.orgs import actions
from edupulse.orgs.models import Region
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db


def test_all_of_china_is_loaded_with_real_codes():
    assert Region.objects.filter(level="province").count() == 31
    assert Region.objects.filter(level="prefecture").count() == 342
    assert Region.objects.filter(level="county").count() == 2978
    assert Region.objects.get(code="510107").name == "武侯区"
    assert Region.objects.get(code="510107").parent.name == "成都市"


def test_reloading_is_idempotent_and_keeps_flags():
    county = Region.objects.get(code="513433")  # 冕宁县
    run_as_system(actions.set_region_flags, county, is_rural_revitalization_key_county=True)
    result = run_as_system(actions.load_regions)
    assert (result.created, result.updated, result.total) == (0, 0, 3351)
    assert Region.objects.get(code="513433").is_rural_revitalization_key_county


def test_tree_of_sichuan_lists_21_prefectures_with_school_counts(client):
    make_school("510107")
    make_school("510107", category="11")
    admin = make_superuser()
    client.login(username=admin.username, password=PASSWORD)
    page = client.get("/regions/51/")
    assert page.status_code == 200
    rows = page.context["rows"]
    assert len(rows) == 21
    chengdu = next(r for r in rows if r["region"].code == "5101")
    assert chengdu["region"].name == "成都市" and chengdu["total"] == 2
    assert sum(len(r["children"]) for r in rows) == 183 == page.context["county_count"]
    wuhou = next(c for c in chengdu["children"] if c["region"].code == "510107")
    assert wuhou["region"].name == "武侯区" and wuhou["total"] == 2
    assert "武侯区" in page.content.decode() and "涪城区" in page.content.decode()


def test_county_officer_tree_stops_at_own_county(client):
    officer = make_user("county_officer", region="510107")
    client.login(username=officer.username, password=PASSWORD)
    assert client.get("/regions/5107/").status_code == 404  # 绵阳市
    page = client.get("/regions/5101/")
    assert [r["region"].code for r in page.context["rows"]] == ["510107"]


def test_overview_counts_only_schools_in_the_area(client):
    make_school("510107", category="21")
    make_school("510107", category="11")
    make_school("510703", category="21")
    officer = make_user("county_officer", region="510107")
    client.login(username=officer.username, password=PASSWORD)
    page = client.get("/")
    panel = next(p for p in page.context["panels"] if p["template"] == "orgs/overview_panel.html")
    assert panel["total"] == 2 and {r["code"]: r["count"] for r in panel["rows"]} == {"11": 1, "21": 1}
    assert "您的管辖范围内共 2 所学校" in page.content.decode()
