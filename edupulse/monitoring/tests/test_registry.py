"""Registry: owner placement and scope, 等保 grading, validation, import/export."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from edupulse.accounts.tests.factories import PASSWORD, make_user
from edupulse.core.actions import run_as_system
from edupulse.monitoring import actions, grading
from edupulse.monitoring.models import InformationSystem, Website
from edupulse.monitoring.tests.factories import SCOPED_FACTORIES, make_app, make_system, make_website
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("info", "service", "level"), [
    (("citizens", "general"), ("citizens", "general"), 1),
    (("citizens", "especially_serious"), ("citizens", "serious"), 2),
    (("society", "serious"), ("citizens", "general"), 3),
    (("society", "especially_serious"), ("citizens", "general"), 4),
    (("citizens", "general"), ("nation", "general"), 3),
    (("nation", "serious"), ("society", "serious"), 4),
    (("nation", "especially_serious"), ("citizens", "general"), 5),
])
def test_level_is_the_higher_of_the_two_dimensions(info, service, level):
    assert grading.system_level(*info, *service) == level


def test_next_due_by_level():
    assert grading.next_assessment_due(3, date(2024, 1, 10), None) == date(2025, 1, 9)
    assert grading.next_assessment_due(4, date(2024, 1, 10), None) == date(2024, 7, 10)
    assert grading.next_assessment_due(2, date(2024, 1, 10), None) is None
    assert grading.next_assessment_due(3, None, date(2024, 3, 1)) == date(2025, 3, 1)


def test_system_level_and_due_are_computed_on_save():
    school = make_school("510107")
    system = make_system(school, filing_number="51010799001", filing_date=date(2023, 1, 1),
                         last_assessment_date=date(2023, 6, 1), last_assessment_result="conforms")
    assert system.level == 3
    assert system.next_assessment_due == date(2024, 5, 31)


def test_bureau_portal_visible_to_county_and_above_not_to_schools(client):
    school = make_school("510107")
    portal = make_website(region="510107", name="武侯区教育局门户")
    prefecture_portal = make_website(region="5101", name="成都市教育局门户")
    school_site = make_website(school, name="学校网站")
    county = make_user("county_officer", region="510107")
    prefecture = make_user("prefecture_officer", region="5101")
    cio = make_user("school_cio", school=school)
    other_county = make_user("county_officer", region="510104")
    visible = {u.username: set(Website.objects.visible_to(u).values_list("pk", flat=True))
               for u in (county, prefecture, cio, other_county)}
    assert visible[county.username] == {portal.pk, school_site.pk}
    assert visible[prefecture.username] == {portal.pk, prefecture_portal.pk, school_site.pk}
    assert visible[cio.username] == {school_site.pk}
    assert visible[other_county.username] == set()
    client.login(username=cio.username, password=PASSWORD)
    assert client.get(f"/monitoring/websites/{portal.pk}/").status_code == 404


def test_owner_must_be_school_xor_region():
    school = make_school("510107")
    with pytest.raises(ValidationError) as exc:
        make_website(school, owner_region_id="510107")
    assert "school" in exc.value.message_dict
    with pytest.raises(ValidationError):
        make_website(None, region="")


def test_bad_icp_and_filing_numbers_are_field_errors():
    school = make_school("510107")
    with pytest.raises(ValidationError) as exc:
        make_website(school, icp_number="ICP 123")
    assert "icp_number" in exc.value.message_dict
    make_website(school, icp_number="蜀ICP备12345678号-1")
    with pytest.raises(ValidationError) as exc:
        make_system(school, filing_number="123", filing_date=date(2024, 1, 1))
    assert "filing_number" in exc.value.message_dict


def test_school_may_edit_only_contacts_of_its_site():
    school = make_school("510107")
    site = make_website(school)
    cio = make_user("school_cio", school=school)
    site.contact_phone = "028-12345678"
    actions.save_website(site, acting_user=cio)
    site.url = "https://evil.example.com/"
    with pytest.raises(ValidationError) as exc:
        actions.save_website(site, acting_user=cio)
    assert "url" in exc.value.message_dict


def test_overdue_and_missing_filing_lists(client):
    school = make_school("510107")
    overdue = make_system(school, name="过期系统", filing_number="51010799002", filing_date=date(2020, 1, 1),
                          last_assessment_date=date(2021, 1, 1), last_assessment_result="basically")
    unfiled = make_system(school, name="未备案系统")
    app = make_app(school, name="未备案应用")
    officer = make_user("county_officer", region="510107")
    client.login(username=officer.username, password=PASSWORD)
    page = client.get("/monitoring/systems/overdue/").content.decode()
    assert overdue.name in page and unfiled.name not in page
    page = client.get("/monitoring/filings/missing/").content.decode()
    assert unfiled.name in page and app.name in page and overdue.name not in page


def _xlsx(rows):
    from edupulse.utilities.export import to_xlsx

    return to_xlsx(rows[0], rows[1:])


def test_import_websites_from_excel_all_or_nothing(client):
    school = make_school("510107")
    officer = make_user("county_officer", region="510107")
    client.login(username=officer.username, password=PASSWORD)
    good = [["网址", "名称", "类别", "所属学校标识码", "所属教育局区域代码", "联系人", "联系电话"],
            ["https://a.example.edu.cn/", "甲校网站", "学校网站", school.code, "", "张三", "028-1234567"],
            ["https://jy.wuhou.gov.cn/", "武侯区教育局", "局门户网站", "", "510107", "", ""]]
    bad = [*good, ["https://b.example.edu.cn/", "乙", "不知道", "", "510104", "", 2812345678]]
    upload = io.BytesIO(_xlsx(bad))
    upload.name = "sites.xlsx"
    response = client.post("/monitoring/import/website/", {"file": upload})
    assert response.status_code == 200
    text = response.content.decode()
    assert "第 4 行" in text and "不知道" in text and "前导零" in text
    assert not Website.objects.exists()
    upload = io.BytesIO(_xlsx(good))
    upload.name = "sites.xlsx"
    response = client.post("/monitoring/import/website/", {"file": upload})
    assert response.status_code == 302
    assert set(Website.objects.values_list("name", flat=True)) == {"甲校网站", "武侯区教育局"}


def test_import_rejects_owner_outside_scope():
    from edupulse.monitoring import importing

    officer = make_user("county_officer", region="510107")
    content = b"url,name,category,owner bureau region code\nhttps://x.example.cn/,X,bureau_portal,510104\n"
    report = importing.parse("website", content, "x.csv", user=officer)
    assert not report.ok
    assert report.errors[0]["row"] == 2


def test_export_round_trip_headers(client):
    school = make_school("510107")
    make_website(school, name="导出网站")
    officer = make_user("county_officer", region="510107")
    client.login(username=officer.username, password=PASSWORD)
    response = client.get("/monitoring/websites/?export=csv")
    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    assert "导出网站" in body and body.splitlines()[0].startswith("网址")


def test_system_links_websites_with_audit():
    school = make_school("510107")
    site = make_website(school)
    system = make_system(school)
    run_as_system(actions.save_system, system, websites=[site])
    assert list(InformationSystem.objects.get(pk=system.pk).websites.all()) == [site]


def test_every_model_has_a_factory():
    from django.apps import apps

    labels = {f"monitoring.{m.__name__}" for m in apps.get_app_config("monitoring").get_models()
              if not getattr(m, "scope_test_exempt", "")}
    assert labels == set(SCOPED_FACTORIES)


@pytest.mark.parametrize("label", sorted(SCOPED_FACTORIES))
def test_factories_place_objects_in_scope(label):
    from django.apps import apps

    school = make_school("510107")
    instance = SCOPED_FACTORIES[label](school)
    model = apps.get_model(label)
    inside = make_user("county_officer", region="510107")
    outside = make_user("county_officer", region="510104")
    assert model._default_manager.visible_to(inside).filter(pk=instance.pk).exists()
    assert not model._default_manager.visible_to(outside).filter(pk=instance.pk).exists()
