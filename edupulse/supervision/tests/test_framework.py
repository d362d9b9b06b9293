"""The shipped framework parses and adds up to 100; broken frameworks are refused in Chinese."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from edupulse.indicators.definitions import builtin
from edupulse.supervision.framework import FRAMEWORK_DIR, FrameworkError, available, from_snapshot, load, parse, rule_text


def _shipped() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((FRAMEWORK_DIR / "default.yaml").read_text(encoding="utf-8"))
    return data


def test_the_shipped_framework_parses_and_its_points_add_up_to_100() -> None:
    assert "default" in available()
    framework = load("default", builtin())
    assert framework.points == 100
    assert {item.kind for item in framework.items} == {"indicator", "findings", "overdue_rectification",
                                                      "registry_gap", "reporting"}
    internet = framework.item("A1")
    assert (internet.indicator, internet.target) == ("internet_rate", 98.0)  # the indicator's own target
    assert from_snapshot(framework.as_data()) == framework  # a round's snapshot reads back unchanged


def test_rules_are_chinese_sentences() -> None:
    framework = load("default", builtin())
    assert rule_text(framework.item("C1")) == "本地区网站每有一个未处置的高危及以上监测问题扣 3 分，扣完为止。"
    assert "按档计分" in rule_text(framework.item("B2"), "学生空间开通率")


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["dimensions"][0]["items"][0].update(points=9), "各指标分值合计为 101，不是 100"),
    (lambda d: d["dimensions"][0]["items"][0].update(indicator="no_such_rate"), "未知指标 no_such_rate"),
    (lambda d: d["dimensions"][0]["items"][0].update(kind="guess"), "必须是以下之一"),
    (lambda d: d["dimensions"][2]["items"][0].pop("deduct"), "security.C1.deduct：必须是数字"),
    (lambda d: d["dimensions"][1]["items"][0].update(code="B2"), "代码重复"),
])
def test_a_broken_framework_is_refused_with_a_chinese_message(change: Any, message: str) -> None:
    data = copy.deepcopy(_shipped())
    change(data)
    with pytest.raises(FrameworkError) as error:
        parse(data, indicators=builtin())
    assert message in str(error.value)
    assert str(error.value).startswith("督导评估指标体系，")
