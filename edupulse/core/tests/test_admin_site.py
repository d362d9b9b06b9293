"""The Django admin speaks as the product: a Chinese header and title, no "Django"."""

from __future__ import annotations

from typing import Any

import pytest

from edupulse.accounts.tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_the_admin_is_titled_in_chinese(client: Any) -> None:
    user = make_user("province_admin", region="51")
    assert client.login(username=user.username, password=PASSWORD)
    body = client.get("/admin/").content.decode()
    assert "EduPulse 后台管理" in body and "Django" not in body
