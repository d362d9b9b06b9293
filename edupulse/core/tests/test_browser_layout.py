"""Wide registry pages fit a 1440 px screen, in Chinese and in English, and the English navigation stays on at most
two clean lines (issue 14: the systems, overdue-assessment and 未备案 pages overflowed)."""

from __future__ import annotations

import os
from datetime import date
from typing import Any

import pytest

from edupulse.accounts.tests.factories import PASSWORD, make_user
from edupulse.conftest import require_service
from edupulse.core.tests.test_browser import CHROMIUM, CHROMIUM_ARGS
from edupulse.monitoring.tests.factories import make_app, make_system
from edupulse.orgs.tests.factories import make_school
from edupulse.utilities.config import current

PAGES = ("/monitoring/systems/", "/monitoring/systems/overdue/", "/monitoring/filings/missing/")


@pytest.fixture
def wide_page() -> Any:
    require_service("chromium", os.path.exists(CHROMIUM), f"{CHROMIUM} (apt-get install chromium)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    # heavy: Playwright starts a browser driver; only the browser tests need it.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
        browser.close()


def _fits(page: Any, url: str, name: str) -> None:
    page.goto(url)
    width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    if screenshots := current().screenshots:
        page.screenshot(path=screenshots / f"layout-{name}.png")
    assert width <= inner, f"{url} is {width} px wide on a {inner} px screen"


@pytest.mark.django_db(transaction=True)
def test_registry_pages_fit_1440_px_and_the_english_navigation_stays_clean(live_server: Any, wide_page: Any) -> None:
    school = make_school("510107", name="成都市武侯区第一实验小学")
    for number in range(3):
        make_system(school, name=f"学籍管理与综合素质评价信息系统{number}", level=2, filing_number="",
                    next_assessment_due=date(2020, 1, 1))
        make_app(school, name=f"智慧校园家校互动平台{number}")
    admin = make_user("province_admin", region="51")
    page = wide_page
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", admin.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    for url in PAGES:
        _fits(page, live_server.url + url, "zh" + url.replace("/", "-"))
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    for url in PAGES:
        _fits(page, live_server.url + url, "en" + url.replace("/", "-"))
    lines = page.evaluate("""(() => {
        const tops = new Set([...document.querySelectorAll('.mainnav a')].map(a => Math.round(a.getBoundingClientRect().top)));
        const wrapped = [...document.querySelectorAll('.mainnav a')].filter(a => a.getClientRects().length > 1);
        return [tops.size, wrapped.length];
    })()""")
    assert lines[0] <= 2 and lines[1] == 0, f"the English navigation takes {lines[0]} lines, {lines[1]} links wrapped"
