"""A real browser (Debian's chromium driven by Playwright) walks the foundation as a county officer.

Runs in CI (where `make test` installs chromium); elsewhere it skips when chromium is missing.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest

from edupulse.accounts.tests.factories import PASSWORD, make_user
from edupulse.conftest import require_service
from edupulse.orgs.tests.factories import make_school
from edupulse.utilities.config import current

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture
def browser_page() -> Any:
    require_service("chromium", os.path.exists(CHROMIUM), f"{CHROMIUM} (apt-get install chromium)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(locale="zh-CN")
        yield page
        browser.close()


@pytest.mark.django_db(transaction=True)
def test_county_officer_walks_the_ui_in_chinese_and_never_sees_mianyang(live_server: Any, browser_page: Any) -> None:
    mine = make_school("510107", name="成都市武侯区第一实验小学")
    theirs = make_school("510703", name="绵阳市涪城区石塘镇中心小学")
    officer = make_user("county_officer", region="510107", username="wuhou")
    page = browser_page
    page.goto(f"{live_server.url}/schools/")
    assert "/login/" in page.url
    page.fill("input[name=username]", officer.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/schools/")
    body = page.inner_text("body")
    assert "学校标识码" in body and mine.name in body and theirs.name not in body
    assert "四川省成都市武侯区" in body  # the officer's area in the header
    if screenshots := current().screenshots:
        page.screenshot(path=screenshots / "schools.png", full_page=True)
    page.fill("input[name=q]", "实验")
    page.click(".filters button[type=submit]")
    assert mine.name in page.inner_text("table")
    page.click(f"text={mine.code}")
    assert "成都市" in page.inner_text("main")
    response = page.goto(f"{live_server.url}/schools/{theirs.code}/")
    assert response is not None and response.status == 404
    page.goto(f"{live_server.url}/regions/")
    assert "武侯区" in page.inner_text("main") and "绵阳市" not in page.inner_text("main")
    if screenshots := current().screenshots:
        page.screenshot(path=screenshots / "regions.png", full_page=True)
