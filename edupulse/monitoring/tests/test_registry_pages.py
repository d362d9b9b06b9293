"""Edit pages of the registry: information systems (等级保护) and education apps, as officers and schools."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from edupulse.accounts.models import User
from edupulse.accounts.tests.factories import PASSWORD, make_user
from edupulse.core.actions import run_as_system
from edupulse.core.models import AuditLog
from edupulse.monitoring import actions
from edupulse.monitoring.models import EducationApp, InformationSystem
from edupulse.monitoring.tests.factories import make_app, make_system, make_website
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db

WUHOU, YANTA = "510107", "610113"


def _login(client: Any, role: str, **scope: Any) -> Any:
    user = make_user(role, **scope)
    assert client.login(username=user.username, password=PASSWORD)
    return user


def _system_data(system: InformationSystem, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": system.name,
        "info_harm_object": system.info_harm_object, "info_harm_degree": system.info_harm_degree,
        "service_harm_object": system.service_harm_object, "service_harm_degree": system.service_harm_degree,
        "filing_number": system.filing_number,
        "filing_date": system.filing_date.isoformat() if system.filing_date else "",
        "last_assessment_date": system.last_assessment_date.isoformat() if system.last_assessment_date else "",
        "last_assessment_result": system.last_assessment_result,
        "websites": [site.pk for site in system.websites.all()],
    }
    if system.is_cii:
        data["is_cii"] = "on"
    data.update(changes)
    return data


def _app_data(app: EducationApp, **changes: Any) -> dict[str, Any]:
    data = {"name": app.name, "platform": app.platform, "provider": app.provider,
            "filing_number": app.filing_number, "status": app.status,
            "status_date": app.status_date.isoformat() if app.status_date else ""}
    data.update(changes)
    return data


def _updates(model: str, pk: int) -> int:
    return AuditLog.objects.filter(action=f"monitoring.{model}.update", object_id=str(pk)).count()


def test_officer_regrades_a_system_and_links_a_website(client: Any) -> None:
    school = make_school(WUHOU)
    system = make_system(school)  # society/serious + citizens/serious: level 3
    assert system.level == 3
    site = make_website(school)
    other_province_site = make_website(make_school(YANTA))
    _login(client, "county_officer", region=WUHOU)

    detail = client.get(f"/monitoring/systems/{system.pk}/")
    assert f"/monitoring/systems/{system.pk}/edit/" in detail.content.decode()
    page = client.get(f"/monitoring/systems/{system.pk}/edit/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "保护等级：3 级" in html
    assert site.url in html and other_province_site.url not in html  # only websites in the area are offered
    assert 'name="level"' not in html  # the level is computed, never typed
    assert ">保存</button>" in html

    response = client.post(f"/monitoring/systems/{system.pk}/edit/", _system_data(
        system, info_harm_object="nation", info_harm_degree="especially_serious", websites=[site.pk]))
    assert response.status_code == 302
    assert response["Location"] == f"/monitoring/systems/{system.pk}/"
    system.refresh_from_db()
    assert system.level == 5
    assert list(system.websites.all()) == [site]
    assert _updates("informationsystem", system.pk) == 1
    assert AuditLog.objects.filter(action="monitoring.informationsystem.websites", object_id=str(system.pk)).exists()
    assert "第5级" in client.get(f"/monitoring/systems/{system.pk}/").content.decode()


def test_links_outside_the_officers_area_are_kept(client: Any) -> None:
    school = make_school(WUHOU)
    own_site = make_website(school)
    city_portal = make_website(region="5101")  # the prefecture bureau's portal: a county officer cannot see it
    system = make_system(school)
    run_as_system(actions.save_system, system, websites=[city_portal])
    _login(client, "county_officer", region=WUHOU)
    assert city_portal.url not in client.get(f"/monitoring/systems/{system.pk}/edit/").content.decode()

    response = client.post(f"/monitoring/systems/{system.pk}/edit/", _system_data(system, name="新名称", websites=[]))
    assert response.status_code == 302
    system.refresh_from_db()
    assert system.name == "新名称" and list(system.websites.all()) == [city_portal]

    # Linking one of the county's own sites keeps the prefecture's link the officer cannot see.
    response = client.post(f"/monitoring/systems/{system.pk}/edit/", _system_data(system, websites=[own_site.pk]))
    assert response.status_code == 302
    assert set(system.websites.all()) == {city_portal, own_site}
    # Through the action too: an officer may not add a link to a site outside the area.
    with pytest.raises(PermissionDenied):
        actions.save_system(system, acting_user=User.objects.get(role="county_officer"),
                            websites=[city_portal, own_site, make_website(region="510104")])


def test_a_school_may_not_relink_its_system_even_through_the_action() -> None:
    school = make_school(WUHOU)
    system, site = make_system(school), make_website(school)
    cio = make_user("school_cio", school=school)
    with pytest.raises(ValidationError) as refused:
        actions.save_system(system, acting_user=cio, websites=[site])
    assert "websites" in refused.value.message_dict
    assert not system.websites.exists()


def test_bad_filing_number_is_a_chinese_field_error_and_nothing_is_written(client: Any) -> None:
    system = make_system(make_school(WUHOU))
    _login(client, "county_officer", region=WUHOU)
    response = client.post(f"/monitoring/systems/{system.pk}/edit/", _system_data(
        system, filing_number="5101ABC0001", filing_date="2026-01-05", info_harm_object="nation"))
    assert response.status_code == 200
    assert "等级保护备案编号为 11 位数字。" in response.context["form"].errors["filing_number"]
    system.refresh_from_db()
    assert system.filing_number == "" and system.level == 3
    assert _updates("informationsystem", system.pk) == 0

    # A filing number without its date: the model's own rule, in Chinese, on the date field.
    response = client.post(f"/monitoring/systems/{system.pk}/edit/", _system_data(system, filing_number="51010712345"))
    assert response.status_code == 200
    assert response.context["form"].errors["filing_date"]
    assert _updates("informationsystem", system.pk) == 0


def test_pages_outside_the_scope_are_absent(client: Any) -> None:
    system = make_system(make_school(YANTA))
    app = make_app(make_school(YANTA))
    _login(client, "county_officer", region=WUHOU)
    for url in (f"/monitoring/systems/{system.pk}/edit/", f"/monitoring/apps/{app.pk}/edit/"):
        assert client.get(url).status_code == 404
        assert client.post(url, {"name": "改名"}).status_code == 404
    system.refresh_from_db()
    app.refresh_from_db()
    assert system.name != "改名" and app.name != "改名"


def test_readers_may_not_edit(client: Any) -> None:
    school = make_school(WUHOU)
    system, app = make_system(school), make_app(school)
    _login(client, "expert_reviewer", region=WUHOU)
    assert client.get(f"/monitoring/systems/{system.pk}/edit/").status_code == 403
    assert client.get(f"/monitoring/apps/{app.pk}/edit/").status_code == 403
    assert "/edit/" not in client.get(f"/monitoring/systems/{system.pk}/").content.decode()
    assert f"/monitoring/apps/{app.pk}/edit/" not in client.get("/monitoring/apps/").content.decode()


def test_school_cio_sees_its_system_and_app_read_only(client: Any) -> None:
    school = make_school(WUHOU)
    system, app = make_system(school), make_app(school)
    site = make_website(school)
    _login(client, "school_cio", school=school)

    page = client.get(f"/monitoring/systems/{system.pk}/edit/")
    assert page.status_code == 200
    form = page.context["form"]
    assert form.read_only and all(field.disabled for field in form.fields.values())
    html = page.content.decode()
    assert "学校可以查看但不能修改此记录" in html and ">保存</button>" not in html

    response = client.post(f"/monitoring/systems/{system.pk}/edit/", _system_data(
        system, name="改名", info_harm_object="nation", websites=[site.pk]))
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    system.refresh_from_db()
    assert system.name != "改名" and system.level == 3 and not system.websites.exists()

    response = client.post(f"/monitoring/apps/{app.pk}/edit/", _app_data(app, name="改名", status="revoked"))
    assert response.status_code == 200
    app.refresh_from_db()
    assert app.name != "改名" and app.status == "not_filed"
    assert _updates("informationsystem", system.pk) == 0 and _updates("educationapp", app.pk) == 0


def test_officer_edits_an_app_from_the_list(client: Any) -> None:
    app = make_app(make_school(WUHOU))
    _login(client, "county_officer", region=WUHOU)
    listing = client.get("/monitoring/apps/").content.decode()
    assert f"/monitoring/apps/{app.pk}/edit/" in listing and "编辑" in listing
    assert list(client.get("/monitoring/apps/").context["table"].columns.names())[-1] == "actions"
    export = client.get("/monitoring/apps/", {"export": "csv"}).content.decode("utf-8-sig")
    assert "编辑" not in export and "/edit/" not in export

    response = client.post(f"/monitoring/apps/{app.pk}/edit/", _app_data(app, status="filed"))
    assert response.status_code == 200
    assert "已备案的应用须填写备案号。" in response.context["form"].errors["filing_number"]
    assert _updates("educationapp", app.pk) == 0

    response = client.post(f"/monitoring/apps/{app.pk}/edit/", _app_data(
        app, status="filed", filing_number="教APP备1100001号", status_date="2026-03-01"))
    assert response.status_code == 302 and response["Location"] == "/monitoring/apps/"
    app.refresh_from_db()
    assert app.status == "filed" and app.filing_number == "教APP备1100001号"
    assert _updates("educationapp", app.pk) == 1
