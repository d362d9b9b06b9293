from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from edupulse.accounts.models import User
from edupulse.accounts.tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_passwords_are_hashed_with_argon2():
    user = make_user("county_officer", region="510107")
    assert User.objects.get(pk=user.pk).password.startswith("argon2")


def test_repeated_failures_lock_the_account_even_with_the_right_password(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    user = make_user("county_officer", region="510107")
    for _ in range(3):
        response = client.post("/login/", {"username": user.username, "password": "wrong-password"})
        assert response.status_code == 200
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_role_and_scope_level_must_match():
    with pytest.raises(ValidationError) as exc:
        make_user("county_officer", region="5101")  # a prefecture, not a county
    assert "scope_region" in exc.value.message_dict


def test_pages_need_sign_in(client):
    response = client.get("/schools/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.get("/api/schools/").status_code in (401, 403)


def test_token_auth_works_and_is_scoped(client):
    from rest_framework.authtoken.models import Token

    from edupulse.orgs.tests.factories import make_school

    make_school("510107")
    make_school("510703")
    user = make_user("county_officer", region="510107")
    token = Token.objects.create(user=user)
    response = client.get("/api/schools/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert {row["county"] for row in response.json()["results"]} == {"510107"}


def test_session_and_csrf_cookies_are_hardened(settings):
    assert settings.SESSION_COOKIE_HTTPONLY and settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.X_FRAME_OPTIONS == "DENY"


def test_token_endpoint_gives_a_token_and_locks_out(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    user = make_user("county_officer", region="510107")
    ok = client.post("/api/auth/token/", {"username": user.username, "password": PASSWORD})
    assert ok.status_code == 200 and len(ok.json()["token"]) == 40
    for _ in range(2):
        assert client.post("/api/auth/token/", {"username": user.username, "password": "nope"}).status_code == 400
    assert client.post("/api/auth/token/", {"username": user.username, "password": PASSWORD}).status_code == 429


def test_province_admin_manages_users_of_the_province_only():
    from edupulse.accounts import actions
    from edupulse.core.permissions import can

    admin = make_user("province_admin", region="51")
    officer = actions.create_user(acting_user=admin, username="wuhou-officer", password="Qz7-lantern-river",
                                  role="county_officer", scope_region_id="510107")
    assert officer.pk and can(admin, "change", officer)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.create_user(acting_user=admin, username="xian-officer", password="Qz7-lantern-river",
                            role="county_officer", scope_region_id="610113")
    county = make_user("county_officer", region="510107")
    with pytest.raises(PermissionDenied):
        actions.create_user(acting_user=county, username="peer", password="Qz7-lantern-river",
                            role="county_officer", scope_region_id="510107")
