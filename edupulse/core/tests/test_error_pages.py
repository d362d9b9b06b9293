"""403, 404 and 500 answer in Chinese, styled like the product, with a way back."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

from edupulse.accounts.tests.factories import PASSWORD, make_user
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db


def test_a_school_outside_the_scope_gets_the_chinese_not_found_page_with_a_way_back(client: Any) -> None:
    theirs = make_school("510703")
    officer = make_user("county_officer", region="510107")
    client.login(username=officer.username, password=PASSWORD)
    response = client.get(f"/schools/{theirs.code}/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page and "不在您的管辖范围内" in page and "返回首页" in page
    assert "Not Found" not in page and 'class="mainnav"' in page  # the product's navigation, not a bare page


def test_the_server_error_page_needs_no_database_or_request_context() -> None:
    response = server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "服务器出错" in page and "返回首页" in page and "Server Error" not in page
