"""Scoring on the hand-built world (conftest.py), computed by hand, and the round's workflow."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from edupulse.core.actions import run_as_system
from edupulse.core.actors import SYSTEM
from edupulse.core.models import AuditLog
from edupulse.core.regions import RegionCode
from edupulse.indicators.definitions import builtin
from edupulse.supervision import actions
from edupulse.supervision.framework import parse
from edupulse.supervision.models import RoundStatus, SupervisionResult, SupervisionScore
from edupulse.supervision.scoring import Scorer
from edupulse.supervision.tests.conftest import CHENGDU, JINJIANG, WUHOU
from edupulse.supervision.tests.factories import make_round

pytestmark = pytest.mark.django_db

# One item of every kind; the points add up to 100.
SMALL = {"code": "small", "title": "测试指标", "dimensions": [
    {"code": "infra", "title": "基础设施", "items": [
        {"code": "I1", "title": "互联网接入", "points": 20, "kind": "indicator", "indicator": "internet_rate"},
        {"code": "I2", "title": "多媒体", "points": 20, "kind": "indicator", "indicator": "multimedia_rate",
         "bands": [{"at_least": 60, "share": 0.5}]}]},
    {"code": "safe", "title": "网络安全", "items": [
        {"code": "F", "title": "高危问题", "points": 20, "kind": "findings", "deduct": 5},
        {"code": "O", "title": "逾期整改", "points": 15, "kind": "overdue_rectification", "deduct": 5},
        {"code": "R", "title": "未备案", "points": 15, "kind": "registry_gap", "deduct": 10}]},
    {"code": "data", "title": "数据报送", "items": [
        {"code": "P", "title": "填报", "points": 10, "kind": "reporting", "form": "edu_informatization_annual"}]},
]}


def test_scores_and_ranks_computed_by_hand(world: dict[str, Any]) -> None:
    framework = parse(SMALL, indicators=builtin())
    scored = {r.region: r for r in Scorer(framework, RegionCode.parse(CHENGDU), "2022", SYSTEM, date.today()).run()}
    assert set(scored) == {WUHOU, JINJIANG}  # a prefecture round scores its counties
    wuhou, jinjiang = scored[WUHOU], scored[JINJIANG]
    got = {code: score for code, (score, _evidence) in wuhou.items.items()}
    assert got == {
        "I1": 10.2,   # 20 × 50 ÷ 98 = 10.204 (1 of 2 schools online; target 98)
        "I2": 10.0,   # 65 % is below 80 but in the band ≥ 60: half the points
        "F": 15.0,    # one open high finding: 20 − 5 (the low ones do not count)
        "O": 10.0,    # one item past its deadline: 15 − 5
        "R": 5.0,     # one unfiled level-3 system: 15 − 10
        "P": 6.67,    # 2 of 3 schools reported: 10 × 66.7 ÷ 100
    }
    assert wuhou.total == 56.87
    assert jinjiang.total == 100.0
    assert (jinjiang.rank, wuhou.rank, wuhou.peers) == (1, 2, 2)
    assert wuhou.subtotals(framework) == {"infra": {"score": 20.2, "points": 40.0},
                                          "safe": {"score": 30.0, "points": 50.0},
                                          "data": {"score": 6.67, "points": 10.0}}
    # The evidence is data: the ids counted and the numbers used, not prose.
    assert wuhou.items["F"][1]["ids"] == [world["finding"].pk] and wuhou.items["F"][1]["count"] == 1
    assert wuhou.items["O"][1]["ids"] == [world["item"].pk]
    assert wuhou.items["R"][1]["ids"] == [world["system"].pk]
    internet = wuhou.items["I1"][1]
    assert (internet["value"], internet["numerator"], internet["denominator"]) == (50.0, 1, 2)
    assert (internet["schools_with_data"], internet["schools_expected"]) == (2, 3)
    assert wuhou.items["P"][1] == {"form": "edu_informatization_annual", "expected": 3, "reported": 2,
                                        "rate": 66.7, "target": 100.0}
    assert jinjiang.items["F"][1]["count"] == 0


def test_a_province_round_scores_prefectures_and_counties(world: dict[str, Any]) -> None:
    supervision = make_round("51", score=True)
    levels = dict(SupervisionResult.objects.filter(round=supervision).values_list("region_id", "level"))
    assert levels == {CHENGDU: "prefecture", WUHOU: "county", JINJIANG: "county"}
    # 成都 counts everything below it: the finding, the overdue item and the system of 武侯区.
    evidence = dict(SupervisionScore.objects.filter(round=supervision, region_id=CHENGDU)
                    .values_list("item", "evidence"))
    assert (evidence["C1"]["count"], evidence["C2"]["count"], evidence["C3"]["count"]) == (1, 1, 1)
    ranks = dict(SupervisionResult.objects.filter(round=supervision).values_list("region_id", "rank"))
    assert ranks == {CHENGDU: 1, JINJIANG: 1, WUHOU: 2}  # ranked within their level


def test_scoring_again_replaces_the_scores_and_publishing_locks_them(world: dict[str, Any]) -> None:
    supervision = make_round(CHENGDU, score=True)
    items = SupervisionScore.objects.filter(round=supervision).count()
    assert items == 2 * 13
    supervision = run_as_system(actions.score_round, supervision)
    assert SupervisionScore.objects.filter(round=supervision).count() == items  # replaced, not added
    assert AuditLog.objects.filter(action="supervision.supervisionround.score").count() == 2  # one row per run
    supervision = run_as_system(actions.publish_round, supervision)
    assert supervision.status == RoundStatus.PUBLISHED
    with pytest.raises(ValidationError, match="评分已锁定"):
        run_as_system(actions.score_round, supervision)
    with pytest.raises(ValidationError):
        run_as_system(actions.publish_round, supervision)


def test_a_round_is_not_held_by_a_county(world: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="县级不能发起"):
        make_round(WUHOU)
