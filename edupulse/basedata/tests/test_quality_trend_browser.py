"""Debian's Chromium (driven by Playwright) opens the quality trend of a county: the line chart is drawn from the
static ECharts with the score and its four dimensions over both batches, and the table under it holds the same
figures. Screenshots go to EDUPULSE_SCREENSHOTS when it is set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from edupulse.accounts.tests.factories import PASSWORD, make_user
from edupulse.basedata.tests.test_quality_trend import FIRST_SCORE, register, two_batches  # noqa: F401 — fixture
from edupulse.core.tests.test_browser import browser_page  # noqa: F401 — the fixture (Debian's chromium)
from edupulse.utilities.config import current

# The chart as ECharts holds it: each series' name and values, once drawn.
SERIES = """el => {
  const chart = window.echarts && echarts.getInstanceByDom(el);
  const option = chart && chart.getOption();
  return option ? option.series.map(s => [s.name, s.data]) : null;
}"""


@pytest.mark.django_db(transaction=True)
def test_the_county_trend_is_drawn_and_tabled(live_server: Any, browser_page: Any,  # noqa: F811 — the fixture
                                              tmp_path: Path) -> None:
    two_batches(tmp_path)
    officer = make_user("county_officer", region="510107", username="wuhou-quality")
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", officer.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/basedata/quality/")
    page.wait_for_function("() => window.echarts && echarts.getInstanceByDom(document.getElementById('quality-trend'))")
    series = page.eval_on_selector("#quality-trend", SERIES)
    assert [name for name, _data in series] == ["得分", "完整性", "有效性", "唯一性", "一致性"]
    assert series[0][1] == [FIRST_SCORE, 100] and series[3][1] == [75, 100]  # the score; uniqueness in %
    body = page.inner_text("body")
    assert "数据质量趋势" in body and "武侯区" in body and "+6.95" in body
    if screenshots := current().screenshots:
        page.screenshot(path=screenshots / "quality-trend.png", full_page=True)
