"""Schools: code rules and bad input in the action, the API, the web form and bulk import."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from edupulse.accounts.tests.factories import PASSWORD, make_user
from edupulse.core.actions import run_as_system
from edupulse.orgs import actions
from edupulse.orgs.models import School
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db

GOOD = {"code": "2151000001", "name": "武侯区测试小学", "category": "21", "county": "510107",
        "urban_rural": "111", "ownership": "public"}


def _api_client(client, role="county_officer", region="510107"):
    user = make_user(role, region=region)
    client.login(username=user.username, password=PASSWORD)
    return client


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"code": "215100001"}, "code", "10位数字"),
    ({"code": "2161000001"}, "code", "第3-4位"),
    ({"code": "9951000001"}, "code", "不是有效的学校类别代码"),
    ({"code": "3151000001"}, "code", "类别位为 31"),
    ({"category": "99", "code": "9951000001"}, "category", ""),
    ({"county": "519999"}, "county", ""),
])
def test_api_rejects_bad_schools_with_field_errors_and_writes_nothing(client, change, field, message):
    api = _api_client(client)
    before = School.objects.count()
    response = api.post("/api/schools/", {**GOOD, **change}, content_type="application/json",
                        HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400, response.content
    errors = response.json()
    assert field in errors
    assert message in " ".join(errors[field])
    assert School.objects.count() == before


def test_api_creates_a_valid_school_in_scope_and_refuses_one_outside(client):
    api = _api_client(client)
    assert api.post("/api/schools/", GOOD, content_type="application/json").status_code == 201
    outside = {**GOOD, "code": "2151000002", "county": "510703"}  # 涪城区, another prefecture
    response = api.post("/api/schools/", outside, content_type="application/json")
    assert response.status_code == 400 and "county" in response.json()
    assert not School.objects.filter(code="2151000002").exists()


def test_duplicate_code_is_a_field_error(client):
    make_school("510107", code="2151000001")
    response = _api_client(client).post("/api/schools/", GOOD, content_type="application/json")
    assert response.status_code == 400 and "code" in response.json()


def test_web_form_shows_chinese_errors_next_to_the_field(client):
    school = make_school("510107")
    user = make_user("county_officer", region="510107")
    client.login(username=user.username, password=PASSWORD)
    data = {"code": "2161" + school.code[4:], "name": school.name, "category": "21", "county": "510107",
            "urban_rural": "111", "ownership": "public", "is_active": "on"}
    response = client.post(f"/schools/{school.code}/edit/", data)
    assert response.status_code == 200
    assert "第3-4位" in response.content.decode()
    school.refresh_from_db()
    assert school.code.startswith("2151")


def test_school_cio_may_edit_contacts_only():
    school = make_school("510107")
    cio = make_user("school_cio", school=school)
    school.contact_name = "王老师"
    actions.save_school(school, acting_user=cio)
    school.name = "别的名字"
    with pytest.raises(ValidationError):
        actions.save_school(school, acting_user=cio)


def test_bulk_import_is_all_or_nothing():
    rows = [
        {"code": "2151000011", "name": "甲小学", "category": "21", "county_id": "510107", "urban_rural": "111"},
        {"code": "2151000012", "name": "乙小学", "category": "21", "county_id": "999999", "urban_rural": "111"},
    ]
    result = run_as_system(actions.import_schools, rows)
    assert result.created == 0 and result.errors[0]["row"] == 2 and "county" in result.errors[0]["errors"]
    assert not School.objects.filter(code__in=["2151000011", "2151000012"]).exists()


def test_nine_year_school_is_coded_as_junior_category():
    school = make_school("510107", category="31", school_type="312")
    assert school.get_school_type_display()
    with pytest.raises(ValidationError) as exc:
        make_school("510107", category="21", school_type="312")
    assert "school_type" in exc.value.message_dict
