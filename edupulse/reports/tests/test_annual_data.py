"""The report's numbers and sentences against a hand-computed small province (see conftest.province)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import translation

from edupulse.accounts.tests.factories import make_user
from edupulse.core.actions import run_as_system
from edupulse.core.actors import SYSTEM
from edupulse.monitoring import actions as monitoring
from edupulse.monitoring.tests.factories import make_finding, make_website
from edupulse.orgs.models import Region
from edupulse.reports.annual import data, narrative, render
from edupulse.reports.tests.conftest import WUHOU


@pytest.fixture
def report(province):
    with translation.override("zh-hans"):
        yield data.gather(SYSTEM, "51", "2022")


def _row(report, code):
    return next(r for r in report.rows if r.code == code)


def sentences(report):
    with translation.override("zh-hans"):
        return [p for chapter in render.layout(report).chapters for section in chapter.sections
                for p in section.paragraphs] + [p for c in render.layout(report).chapters for p in c.paragraphs]


def test_the_narrative_states_the_computed_value_coverage_target_and_change(report):
    said = sentences(report)
    # 千兆进校: 2 of the 4 reporting schools (5 expected); 2021: 1 of 3 = 33.3%.
    assert "全省千兆进校比例为50%（2/4），覆盖4/5所学校，距100%的目标还差50个百分点，比2021年提高16.7个百分点。" in said
    # Multimedia is a ratio of sums (94/150), not a mean of the schools' ratios (which would be 74.2%).
    assert ("全省普通教室多媒体教学设备配备比例为62.7%（94/150），覆盖4/5所学校，距80%的目标还差17.3个百分点，"
            "比2021年下降30.6个百分点。") in said
    assert "全省中小学互联网接入率为100%（4/4），覆盖4/5所学校，达到98%的目标，与2021年持平。" in said


def test_an_indicator_without_data_claims_no_value(report):
    said = sentences(report)
    # Primary schools only: no junior+ students; no website has been probed.
    for name in ("初中以上学生网络学习空间开通率", "官方网站IPv6支持率（监测）"):
        about = [s for s in said if s.startswith("全省" + name)]
        assert about == [f"全省{name}暂无2022年数据（覆盖0/0{'所学校' if '学生' in name else '个单位'}）。"]
        assert not re.search(r"\d+(\.\d+)?%", about[0])


def test_overview_reporting_and_attainment(report):
    said = sentences(report)
    assert "2022年度教育信息化统计应填报学校5所，已填报4所（填报率80%），其中按时填报0所（按时填报率0%）。" in said
    judged = [r for r in report.rows if r.target is not None and r.value is not None]
    reached = sum(1 for r in judged if r.attained)
    assert f"在有目标值且有数据的{len(judged)}项指标中，{reached}项达到目标，{len(judged) - reached}项尚未达到。" in said


def test_children_are_ranked_and_charted(report):
    infrastructure = report.themes[0]
    assert infrastructure.title == "基础设施"
    gigabit = next(r for r in infrastructure.rankings if r.code == "gigabit_rate")
    # 成都: 2 of 3 schools at 1000 Mbps; 绵阳: 0 of 1.
    assert [(v.name, v.value) for v in gigabit.values] == [("成都市", 66.7), ("绵阳市", 0.0)]
    with translation.override("zh-hans"):
        document = render.layout(report)
    chapter = next(c for c in document.chapters if c.title == "二、基础设施")
    svgs = [chart.svg for s in chapter.sections for chart in s.charts]
    assert any("成都市" in svg and "绵阳市" in svg and "目标 100%" in svg for svg in svgs)


def test_a_county_officer_cannot_report_on_another_county(province):
    officer = make_user("county_officer", region="510107")
    assert data.gather(officer, "510107", "2022").region_name == "武侯区"
    with pytest.raises(data.NoDataError):
        data.gather(officer, "510703", "2022")


def test_unknown_region_or_year_is_refused(province):
    with pytest.raises(data.NoDataError, match="99"):
        data.gather(SYSTEM, "99", "2022")
    with translation.override("zh-hans"), pytest.raises(data.NoDataError, match="有数据的年份：2021、2022"):
        data.gather(SYSTEM, "51", "2019")


def test_cybersecurity_states_monitoring_notices_and_rectification(province):
    school = province["wuhou_a"]
    findings = [make_finding(make_website(school)) for _ in range(2)]
    notice = run_as_system(monitoring.create_notice, findings, region=Region.objects.get(code=WUHOU),
                           title="关于网站安全问题的通报", deadline=date.today() + timedelta(days=1))
    notice = run_as_system(monitoring.issue_notice, notice)
    run_as_system(monitoring.acknowledge_item, notice.items.order_by("pk").first())
    with translation.override("zh-hans"):
        # Two days later the deadline has passed.
        report = data.gather(SYSTEM, "51", "2022", today=date.today() + timedelta(days=2))
        said = narrative.security_sentences(report.security, report.year)
    security = report.security
    assert (security.websites, security.open_findings, security.notices_issued) == (2, 2, 1)
    assert dict(security.items) == {"待签收": 1, "已签收": 1, "已提交整改材料": 0, "已复核销号": 0, "逾期已上报": 0}
    assert security.overdue == 2  # both items are still open past the deadline
    # Issued now, not in 2022: the notice counts up to the report date, not in the report year.
    assert said[1] == "截至报告生成日，共发布通报1份（其中2022年0份），涉及整改事项2项（待签收1个、已签收1个），其中逾期2项。"
