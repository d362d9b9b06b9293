"""A real browser (Debian's chromium driven by Playwright): the province administrator creates a county officer,
who signs in and must choose a password before reaching the overview.

Runs in CI (where `make test` installs chromium); elsewhere it skips when chromium is missing.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from edupulse.accounts.models import User
from edupulse.accounts.tests.factories import PASSWORD, make_user
from edupulse.conftest import require_service
from edupulse.core.tests.test_browser import CHROMIUM, CHROMIUM_ARGS
from edupulse.utilities.config import current


@pytest.fixture
def page(settings: Any) -> Any:
    require_service("chromium", os.path.exists(CHROMIUM), f"{CHROMIUM} (apt-get install chromium)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    # optional: Playwright is a test dependency only, loaded once chromium is known to be there.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser.new_page(locale="zh-CN")
        browser.close()


def _shot(page: Any, name: str) -> None:
    if screenshots := current().screenshots:
        page.screenshot(path=screenshots / name, full_page=True)


def _sign_in(page: Any, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")


@pytest.mark.django_db(transaction=True)
def test_province_admin_creates_a_county_officer_who_must_change_the_password(live_server: Any, page: Any) -> None:
    admin = make_user("province_admin", region="51", username="sichuan-admin", first_name="省管理员")
    base = live_server.url
    _sign_in(page, base, admin.username, PASSWORD)
    page.wait_for_url(f"{base}/")
    page.click("nav.mainnav >> text=用户管理")
    page.wait_for_url(f"{base}/users/")
    page.click("text=新建用户")
    page.wait_for_url(f"{base}/users/new/")
    page.fill("input[name=username]", "wuhou-lisi")
    page.fill("input[name=first_name]", "李四")
    page.fill("input[name=phone]", "13800000000")
    page.select_option("select[name=role]", label="县级管理员")
    page.select_option("select[name=scope_region]", "510107")
    _shot(page, "users-create.png")
    page.click("main button[type=submit]")
    page.wait_for_selector(".one-time-password")
    temporary = page.inner_text(".one-time-password").strip()
    assert "用户已创建" in page.inner_text("main") and "四川省成都市武侯区" in page.inner_text("main")
    _shot(page, "users-created.png")
    page.click("button:has-text('退出')")
    page.wait_for_url(f"{base}/login/")

    _sign_in(page, base, "wuhou-lisi", temporary)
    page.wait_for_url(f"{base}/password/")
    assert "您的密码由管理员设置" in page.inner_text("main")
    page.goto(f"{base}/schools/")
    assert page.url.startswith(f"{base}/password/")  # nothing else opens before the change
    page.fill("input[name=old_password]", temporary)
    page.fill("input[name=new_password1]", "short1")
    page.fill("input[name=new_password2]", "short1")
    page.click("main button[type=submit]")
    assert "密码太短，至少需要 10 个字符。" in page.inner_text("main")
    _shot(page, "users-password-change.png")
    page.fill("input[name=old_password]", temporary)
    page.fill("input[name=new_password1]", "Lisi-own-choice-2026")
    page.fill("input[name=new_password2]", "Lisi-own-choice-2026")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/schools/")
    assert "密码已修改" in page.inner_text("main")
    page.goto(f"{base}/")
    assert page.url == f"{base}/" and "李四" in page.inner_text("header")
    _shot(page, "users-home-after-change.png")
    assert not User.objects.get(username="wuhou-lisi").must_change_password
