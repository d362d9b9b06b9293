"""系统管理: officers get a product page with the settings their role may manage; the Django admin is the
province administrator's (and a superuser's) alone."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from edupulse.accounts.tests.factories import PASSWORD, make_superuser, make_user
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db


def _signed_in(client: Any, role: str, **scope: Any) -> Any:
    user = make_user(role, **scope)
    assert client.login(username=user.username, password=PASSWORD)
    return user


def test_a_county_officer_is_kept_out_of_the_django_admin_and_sees_the_product_page(client: Any) -> None:
    make_school("510107")
    _signed_in(client, "county_officer", region="510107")
    admin_index = client.get("/admin/")
    assert admin_index.status_code in (302, 403)
    assert client.get(reverse("admin:monitoring_alertchannel_changelist")).status_code in (302, 403)
    home = client.get(reverse("home")).content.decode()
    assert reverse("core:settings") in home and reverse("admin:index") not in home
    page = client.get(reverse("core:settings"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "系统管理" in body
    assert reverse("accounts:user-list") in body  # a county officer manages the school CIOs of the county
    assert reverse("core:audit-list") in body
    assert reverse("monitoring:channel-list") in body and reverse("monitoring:window-list") in body
    assert "/admin/" not in body


def test_the_province_admin_keeps_the_django_admin_and_its_definition_pages(client: Any) -> None:
    _signed_in(client, "province_admin", region="51")
    assert client.get("/admin/").status_code == 200
    body = client.get(reverse("core:settings")).content.decode()
    assert reverse("admin:indicators_indicatordefinition_changelist") in body
    assert reverse("admin:collection_form_changelist") in body
    assert reverse("admin:index") in body


def test_a_superuser_keeps_the_django_admin(client: Any) -> None:
    user = make_superuser()
    assert client.login(username=user.username, password=PASSWORD)
    assert client.get("/admin/").status_code == 200


def test_a_school_cio_has_no_settings_to_manage(client: Any) -> None:
    school = make_school("510107")
    _signed_in(client, "school_cio", school=school)
    assert client.get("/admin/").status_code in (302, 403)
    assert reverse("core:settings") not in client.get(reverse("home")).content.decode()
    assert client.get(reverse("core:settings")).status_code == 403


def test_the_frameworks_list_is_read_only_for_officers(client: Any) -> None:
    _signed_in(client, "prefecture_officer", region="5101")
    body = client.get(reverse("core:settings")).content.decode()
    assert reverse("supervision:framework-list") in body
    page = client.get(reverse("supervision:framework-list"))
    assert page.status_code == 200 and "<form" not in page.content.decode().split("<main>")[1].split("</main>")[0]
