"""Targets, deadlines, numbering and units on made-up sentences; the cost of hostile input."""

from __future__ import annotations

import time

import pytest

from edupulse.plans.deadlines import find_deadlines
from edupulse.plans.numbering import heading
from edupulse.plans.parsing import parse_text
from edupulse.plans.targets import extract_targets
from edupulse.plans.text import Passage, normalise
from edupulse.plans.units import responsible_units


def targets(text: str, year: int | None = 2022) -> list[tuple[str, str, float, str]]:
    return [(t.subject, t.comparator, t.value, t.unit) for t in extract_targets(Passage.of(text), year)]


@pytest.mark.parametrize(("text", "expected"), [
    ("义务教育学校宽带接入率达到百分之八十五以上。", [("义务教育学校宽带接入率", ">=", 85, "%")]),
    ("建成十二个智慧教育示范区。", [("智慧教育示范区", "=", 12, "个")]),
    ("政务服务办结时间不超过5个工作日。", [("政务服务办结时间", "<=", 5, "个工作日")]),
    ("教师培训不少于50学时。", [("教师培训", ">=", 50, "学时")]),
    ("生机比达到5:1。", [("生机比", "=", 5, "5:1")]),
    ("数据差错率低于1%。", [("数据差错率", "<", 1, "%")]),
    ("平台可用率不低于99.9%。", [("平台可用率", ">=", 99.9, "%")]),
    ("覆盖率提高到９５％。", [("覆盖率", "=", 95, "%")]),  # full-width digits; the unit is always "%"
])
def test_comparators_and_numerals(text: str, expected: list[tuple[str, str, float, str]]) -> None:
    assert targets(text) == expected


def test_two_populations_in_one_clause() -> None:
    found = extract_targets(Passage.of("为全省90%以上的教师和60%初中以上的学生开通网络学习空间。"), 2017)
    assert [(t.population, t.value, t.comparator, t.subject, t.span) for t in found] == [
        ("教师", 90, ">=", "开通网络学习空间", "90%以上的教师"),
        ("初中以上的学生", 60, "=", "开通网络学习空间", "60%初中以上的学生"),
    ]


def test_words_inside_quotes_and_versions_are_not_targets() -> None:
    assert targets("建设“三个课堂”，实施提升工程2.0，推广IPv6和5G。") == []


@pytest.mark.parametrize(("text", "expected"), [
    ("2023年3月6日前完成", "2023-03-06"), ("2022年底", "2022-12"), ("到2017年底", "2017-12"),
    ("6月底前完成", "2022-06"), ("年底前实现", "2022-12"), ("2024年10月前上线", "2024-10"),
])
def test_deadlines(text: str, expected: str) -> None:
    assert [d.value for d in find_deadlines(normalise(text), 2022)] == [expected]


def test_deadlines_without_a_year_need_the_plan_year() -> None:
    assert find_deadlines(normalise("年底前完成"), None) == []
    assert find_deadlines(normalise("2022年计划创建20所"), 2022) == []


@pytest.mark.parametrize(("line", "level", "ordinal"), [
    ("一、总体要求", 1, 1), ("（十二）加强安全", 2, 12), ("(三)保障", 2, 3), ("1.坚持", 3, 1), ("12．推进", 3, 12),
    ("3、落实", 3, 3), ("（2）细则", 4, 2), ("④其他", 5, 4),
])
def test_numbering_levels(line: str, level: int, ordinal: int) -> None:
    found = heading(normalise(line))
    assert found is not None and (found.level, found.ordinal) == (level, ordinal)


@pytest.mark.parametrize("line", ["2022年工作要点", "2.0版本上线", "一是加强领导"])
def test_not_numbering(line: str) -> None:
    assert heading(normalise(line)) is None


@pytest.mark.parametrize(("text", "units"), [
    ("推进。（责任单位：信保处、省电教馆）", ["信保处", "省电教馆"]),
    ("推进。牵头单位：办公室；配合单位：信保处、财务处。", ["办公室", "信保处", "财务处"]),
    ("推进。（信保处牵头，财务处、办公室配合）", ["信保处", "财务处", "办公室"]),
])
def test_responsible_units(text: str, units: list[str]) -> None:
    assert responsible_units(Passage.of(text)) == units


def test_units_belong_to_the_task_they_follow() -> None:
    plan = parse_text("一、总体\n1. 甲任务。做甲。（责任单位：甲处）\n2. 乙任务。做乙。\n"
                      "二、其他\n1. 丙任务。（牵头单位：丙处 配合单位：丁处）\n")
    tasks = [(t.number, t.title, t.units) for s in plan.sections for t in s.tasks]
    assert tasks == [("1.", "甲任务", ["甲处"]), ("2.", "乙任务", []), ("1.", "丙任务", ["丙处", "丁处"])]


def test_a_plan_without_chapters_has_one_unnamed_section() -> None:
    plan = parse_text("某某工作要点\n1. 甲。\n2. 乙。\n")
    assert [(s.number, s.title, [t.number for t in s.tasks]) for s in plan.sections] == [(None, None, ["1.", "2."])]


@pytest.mark.parametrize("filler", ["、", "1%、", "（", "全覆盖、"])
def test_hostile_lines_parse_in_bounded_time(filler: str) -> None:
    text = "一、总体\n1. " + filler * (5 * 1024 * 1024 // len(filler.encode()))
    started = time.process_time()
    parse_text(text)
    assert time.process_time() - started < 1.0
