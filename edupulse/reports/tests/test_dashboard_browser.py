"""Debian's Chromium (driven by Playwright) opens the dashboard: the map and the charts are drawn with the expected
regions, the drill-down goes province → prefecture → county → a school's page, a county officer sees only their
county, and the wall screen fills 1920×1080. Screenshots go to EDUPULSE_SCREENSHOTS when it is set."""

from __future__ import annotations

from typing import Any

import pytest

from edupulse.accounts.tests.factories import PASSWORD
from edupulse.core.tests.test_browser import browser_page  # noqa: F401 — the fixture (Debian's chromium)
from edupulse.reports.tests import dashboard_data
from edupulse.utilities.config import current

# The map's series: names and values as ECharts holds them, once the boundary file is loaded and drawn.
SERIES = """el => {
  const chart = window.echarts && echarts.getInstanceByDom(el);
  const option = chart && chart.getOption();
  if (!option || !option.series || !option.series.length) return null;
  // ECharts adds every feature of the map to the data; the figures are those with a value.
  return option.series[0].data.filter(d => typeof d.value === "number" && !isNaN(d.value)).map(d => [d.name, d.value]);
}"""
# Whether the canvas has pixels of more than one colour (something was drawn, not a blank rectangle).
PAINTED = """el => {
  const canvas = el.querySelector("canvas");
  if (!canvas) return 0;
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  const colours = new Set();
  for (let i = 0; i < data.length; i += 4 * 97) colours.add(data[i] << 16 | data[i + 1] << 8 | data[i + 2] | (data[i + 3] << 24));
  return colours.size;
}"""


def _sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _map_series(page: Any) -> list[list[Any]]:
    page.wait_for_function(f"() => ({SERIES})(document.getElementById('dash-map')) !== null")
    return page.eval_on_selector("#dash-map", SERIES)


def _shoot(page: Any, name: str, *, full_page: bool = True) -> None:
    if screenshots := current().screenshots:
        screenshots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=screenshots / name, full_page=full_page)


@pytest.mark.django_db(transaction=True)
def test_province_officer_drills_down_to_a_school_and_county_officer_sees_only_theirs(
        live_server: Any, browser_page: Any) -> None:  # noqa: F811 — the imported fixture
    world = dashboard_data.build()
    page = browser_page
    page.set_viewport_size({"width": 1440, "height": 900})
    _sign_in(page, live_server.url, world["province"].username)
    page.goto(f"{live_server.url}/dashboard/?indicator=internet_rate")
    assert "四川省" in page.inner_text("h1")
    series = _map_series(page)
    assert {name for name, _value in series} == {"成都市", "绵阳市"}
    assert dict(series) == {"成都市": 75, "绵阳市": 50}
    assert page.eval_on_selector("#dash-map", PAINTED) > 3
    assert page.eval_on_selector("#dash-ranking", PAINTED) > 3 and page.eval_on_selector("#dash-trend", PAINTED) > 3
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440  # no horizontal scrolling on a laptop
    _shoot(page, "dashboard-province.png")

    # Drill down by clicking 成都市 on the map (its centre on the canvas).
    page.eval_on_selector("#dash-map", "el => el.scrollIntoView()")
    point = page.evaluate("""() => {
      const chart = echarts.getInstanceByDom(document.getElementById('dash-map'));
      const box = document.getElementById('dash-map').getBoundingClientRect();
      const xy = chart.convertToPixel({seriesIndex: 0}, [104.07, 30.66]);
      return [box.left + xy[0], box.top + xy[1]];
    }""")
    with page.expect_navigation():
        page.mouse.click(point[0], point[1])
    assert "/dashboard/5101/" in page.url
    assert {name for name, _v in _map_series(page)} == {"武侯区", "锦江区"}
    assert page.eval_on_selector("#dash-map", PAINTED) > 3
    assert "四川省" in page.inner_text(".breadcrumb") and "成都市" in page.inner_text(".breadcrumb")
    _shoot(page, "dashboard-prefecture.png")

    page.click("#dash-table a:text('武侯区')")
    page.wait_for_url("**/dashboard/510107/**")
    schools = page.inner_text("#dash-schools")
    lagging = world["schools"]["510107"][2]
    assert lagging.name in schools and "未达标" in schools
    _shoot(page, "dashboard-county.png")
    page.click(f"#dash-schools a:text('{lagging.name}')")
    page.wait_for_url(f"**/schools/{lagging.code}/")
    assert lagging.name in page.inner_text("main")

    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{live_server.url}/dashboard/wall/?indicator=internet_rate")
    assert {name for name, _v in _map_series(page)} == {"成都市", "绵阳市"}
    assert page.evaluate("document.documentElement.scrollWidth") <= 1920
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080  # one screen, nothing to scroll
    _shoot(page, "dashboard-wall.png", full_page=False)

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1440, "height": 900})
    _sign_in(page, live_server.url, world["county"].username)
    page.goto(f"{live_server.url}/dashboard/?indicator=internet_rate")
    main = page.inner_text("main")
    assert "武侯区" in main and "锦江区" not in main and "绵阳市" not in main
    assert page.eval_on_selector("#dash-trend", PAINTED) > 3
    _shoot(page, "dashboard-county-officer.png")
    for code in ("51", "5101", "510104"):
        response = page.goto(f"{live_server.url}/dashboard/{code}/")
        assert response is not None and response.status == 404
