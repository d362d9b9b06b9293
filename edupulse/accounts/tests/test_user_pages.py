"""用户管理 pages and the forced password change, through the test client."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from edupulse.accounts.models import User
from edupulse.accounts.tests.factories import PASSWORD, make_user
from edupulse.core.models import AuditLog
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_hashing(settings: Any) -> None:
    """Argon2 is deliberately slow; test_access checks that it is the hasher in use."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_section_shows_only_to_roles_that_manage_someone() -> None:
    school = make_school("510107")
    shown = {role: "用户管理" in signed_in(make_user(role, **scope)).get("/").content.decode()
             for role, scope in {"province_admin": {"region": "51"}, "prefecture_officer": {"region": "5101"},
                                 "county_officer": {"region": "510107"}, "school_cio": {"school": school},
                                 "expert_reviewer": {"region": "510107"}, "auditor": {"region": "51"}}.items()}
    assert shown == {"province_admin": True, "prefecture_officer": True, "county_officer": True,
                     "school_cio": False, "expert_reviewer": False, "auditor": False}
    assert signed_in(make_user("auditor", region="51")).get("/users/").status_code == 403


def test_the_list_shows_the_managed_users_filters_and_exports() -> None:
    mine, theirs = make_school("510107", name="武侯实验小学"), make_school("510104", name="锦江小学")
    officer = make_user("county_officer", region="510107")
    cio = make_user("school_cio", school=mine, first_name="张三", username="zhangsan")
    outside = make_user("school_cio", school=theirs, username="jinjiang-cio")
    peer = make_user("county_officer", region="510107", username="wuhou-peer")
    client = signed_in(officer)
    page = client.get("/users/").content.decode()
    assert "zhangsan" in page and "武侯实验小学" in page
    assert outside.username not in page and peer.username not in page and ">school_cio<" not in page
    assert "zhangsan" not in client.get("/users/", {"status": "disabled"}).content.decode()
    assert "zhangsan" in client.get("/users/", {"q": "张"}).content.decode()
    assert "zhangsan" not in client.get("/users/", {"region": "510104"}).content.decode()
    export = client.get("/users/", {"export": "csv"}).content.decode("utf-8-sig")
    assert "zhangsan" in export and "学校信息化负责人" in export and "school_cio" not in export and outside.username not in export
    assert client.get("/users/", {"export": "xlsx"})["Content-Type"].startswith("application/vnd.openxml")
    assert client.get(f"/users/{cio.pk}/").status_code == 200


@pytest.mark.parametrize("path", ["/users/{pk}/", "/users/{pk}/edit/"])
def test_a_user_outside_the_officers_management_is_absent(path: str) -> None:
    officer = make_user("county_officer", region="510107")
    others = [make_user("school_cio", school=make_school("510104")), make_user("county_officer", region="510107"),
              make_user("expert_reviewer", region="510107"), officer]
    client = signed_in(officer)
    for other in others:
        assert client.get(path.format(pk=other.pk)).status_code == 404
    assert client.get(path.format(pk=2147480000)).status_code == 404


def test_refused_writes_change_nothing() -> None:
    officer = make_user("county_officer", region="510107")
    outside = make_user("school_cio", school=make_school("510104"))
    client = signed_in(officer)
    before = AuditLog.objects.count()
    assert client.post(f"/users/{outside.pk}/active/", {"active": "0"}).status_code == 404
    assert client.post(f"/users/{outside.pk}/reset-password/", {}).status_code == 404
    assert client.post(f"/users/{officer.pk}/active/", {"active": "0"}).status_code == 404
    assert AuditLog.objects.count() == before
    assert User.objects.get(pk=outside.pk).is_active and User.objects.get(pk=officer.pk).is_active


def test_the_create_form_offers_only_what_the_officer_may_grant() -> None:
    school = make_school("510107")
    officer = make_user("county_officer", region="510107")
    client = signed_in(officer)
    form = client.get("/users/new/").content.decode()
    assert 'value="school_cio"' in form and 'value="county_officer"' not in form
    forged = client.post("/users/new/", {"username": "forged", "first_name": "王五", "role": "county_officer",
                                         "scope_region": "510107"})
    assert forged.status_code == 200 and not User.objects.filter(username="forged").exists()
    elsewhere = make_school("510104")
    outside = client.post("/users/new/", {"username": "far", "first_name": "王五", "role": "school_cio",
                                          "scope_school": elsewhere.code})
    assert "您的管辖范围内没有此学校标识码对应的学校" in outside.content.decode()
    created = client.post("/users/new/", {"username": "newcio", "first_name": "王五", "role": "school_cio",
                                          "scope_school": school.code, "phone": "13800000000"})
    assert created.status_code == 200 and "no-store" in created["Cache-Control"]
    user = User.objects.get(username="newcio")
    assert user.must_change_password and user.scope_school == school and user.role == "school_cio"
    assert "只显示这一次" in created.content.decode()


def test_a_role_and_scope_that_do_not_match_are_refused_in_chinese() -> None:
    client = signed_in(make_user("province_admin", region="51"))
    response = client.post("/users/new/", {"username": "wrong", "first_name": "王五", "role": "county_officer",
                                           "scope_region": "5101"})
    assert "管辖范围必须是以下层级：县级" in response.content.decode()


def test_disable_enable_and_reset_through_the_pages() -> None:
    officer = make_user("province_admin", region="51")
    target = make_user("county_officer", region="510107")
    client = signed_in(officer)
    assert client.post(f"/users/{target.pk}/active/", {"active": "0"}).status_code == 302
    assert not User.objects.get(pk=target.pk).is_active
    assert Client().login(username=target.username, password=PASSWORD) is False
    client.post(f"/users/{target.pk}/active/", {"active": "1"})
    assert User.objects.get(pk=target.pk).is_active
    weak = client.post(f"/users/{target.pk}/reset-password/", {"password": "123"})
    assert "密码" in weak.content.decode() and not User.objects.get(pk=target.pk).must_change_password
    typed = client.post(f"/users/{target.pk}/reset-password/", {"password": "Officer-typed-2026"})
    assert "Officer-typed-2026" in typed.content.decode()
    assert User.objects.get(pk=target.pk).must_change_password
    assert Client().login(username=target.username, password="Officer-typed-2026")


def test_a_new_user_must_change_the_password_before_anything_else() -> None:
    officer = make_user("province_admin", region="51")
    client = signed_in(officer)
    created = client.post("/users/new/", {"username": "lisi", "first_name": "李四", "role": "county_officer",
                                          "scope_region": "510107", "password": "Initial-pass-2026"})
    assert created.status_code == 200
    newcomer = Client()
    assert newcomer.post("/login/", {"username": "lisi", "password": "Initial-pass-2026"}).status_code == 302
    for path in ("/", "/schools/", "/users/", "/audit/"):
        response = newcomer.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/password/"), path
    assert newcomer.get("/schools/")["Location"] == "/password/?next=%2Fschools%2F"
    assert newcomer.get("/api/schools/").status_code == 403
    assert Client().post("/api/auth/token/", {"username": "lisi", "password": "Initial-pass-2026"}).status_code == 403
    page = newcomer.get("/password/")
    assert page.status_code == 200 and "您的密码由管理员设置" in page.content.decode()
    short = newcomer.post("/password/", {"old_password": "Initial-pass-2026", "new_password1": "abc12",
                                         "new_password2": "abc12"})
    assert "密码太短，至少需要 10 个字符。" in short.content.decode()  # Django's validator, in Chinese
    assert "too short" not in short.content.decode()
    done = newcomer.post("/password/?next=/schools/", {"old_password": "Initial-pass-2026",
                                                      "new_password1": "My-own-choice-77", "new_password2": "My-own-choice-77"})
    assert done.status_code == 302 and done["Location"] == "/schools/"
    assert newcomer.get("/").status_code == 200
    user = User.objects.get(username="lisi")
    assert not user.must_change_password and user.check_password("My-own-choice-77")
    assert AuditLog.objects.filter(action="accounts.user.change_password", object_id=str(user.pk)).exists()


def test_signing_out_stays_possible_while_a_change_is_due() -> None:
    officer = make_user("province_admin", region="51")
    target = make_user("county_officer", region="510107")
    signed_in(officer).post(f"/users/{target.pk}/reset-password/", {})
    client = signed_in(User.objects.get(pk=target.pk))
    assert client.post("/logout/")["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
