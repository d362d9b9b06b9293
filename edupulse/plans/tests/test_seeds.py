"""The five seed plans, against expectations written by reading the documents (not the parser's output)."""

from __future__ import annotations

import pytest

from edupulse.plans.parsing import Plan
from edupulse.plans.tests.helpers import seed, seed_text

SECTIONS = ["一、", "二、", "三、", "四、", "五、", "六、", "七、"]


def numbers(start: int, stop: int) -> list[str]:
    return [f"{n}." for n in range(start, stop + 1)]


# Per seed: section numbers → the numbers of their tasks, in order.
OUTLINES: dict[int, dict[str, list[str]]] = {
    0: dict(zip(SECTIONS, [numbers(1, 2), numbers(3, 6), numbers(7, 12), numbers(13, 14), numbers(15, 17),
                           numbers(18, 20), numbers(21, 22)], strict=True)),
    1: dict(zip(SECTIONS, [numbers(1, 4), numbers(1, 4), numbers(1, 4), numbers(1, 4), numbers(1, 4),
                           numbers(1, 3), numbers(1, 6)], strict=True)),
    2: {"一、": ["(一)", "(二)"], "二、": ["(一)", "(二)"],
        "三、": ["(一)", "(二)", "(三)", "(四)", "(五)", "(六)"], "四、": ["(一)", "(二)", "(三)", "(四)", "(五)"]},
    3: dict(zip(SECTIONS[:6], [numbers(1, 2), numbers(3, 5), numbers(6, 9), numbers(10, 11), numbers(12, 15),
                               numbers(16, 17)], strict=True)),
    # Seed 004 writes its brackets in ASCII: "(一)".
    4: {"一、": [], "二、": [], "三、": ["(一)", "(二)", "(三)", "(四)", "(五)", "(六)", "(七)", "(八)", "(九)",
                                   "(十)", "(十一)", "(十二)", "(十三)", "(十四)"]},

}


@pytest.mark.parametrize("number", sorted(OUTLINES))
def test_every_numbered_task_is_found_in_order(number: int) -> None:
    plan = seed(number)
    assert {s.number: [t.number for t in s.tasks] for s in plan.sections} == OUTLINES[number]
    assert [s.number for s in plan.sections] == list(OUTLINES[number])


def test_numbering_restarts_in_each_section_of_seed_001() -> None:
    plan = seed(1)
    assert [len(s.tasks) for s in plan.sections] == [4, 4, 4, 4, 4, 3, 6]
    second = plan.sections[1]
    assert second.title == "优化信息化教学环境建设"
    assert second.tasks[0].title == "持续推进智慧校园建设工作"
    assert plan.sections[6].tasks[5].text.startswith("推动教育系统网络安全人员培养工作")
    # The signature, the date and the page furniture after the body belong to no task.
    assert plan.sections[6].tasks[5].text.endswith("选拔优秀选手参加市级竞赛。")


def test_deeper_levels_are_children_in_seed_002() -> None:
    plan = seed(2)
    principles = plan.sections[0].tasks[1]
    assert principles.title == "基本原則"
    assert [(c.number, c.title) for c in principles.children] == [
        ("1.", "面向未來,育人為本"), ("2.", "深度融合,創新發展"), ("3.", "聚焦重點,提升能力"), ("4.", "統籌規劃,分類推進"),
    ]
    assert principles.children[0].text.startswith("面向未來,育人為本\n面向新時代")


def test_traditional_characters_are_parsed_and_kept() -> None:
    plan = seed(2)
    assert plan.title == "江蘇教育信息化2.0 行動計劃"
    assert plan.issuer == "江蘇省教育廳"
    assert plan.doc_number == "蘇教信〔2019〕1號"
    assert plan.date == "2019-06-27"
    assert [s.title for s in plan.sections] == ["總體要求", "目標任務", "實施行動", "保障措施"]
    action = plan.sections[2].tasks[0]
    assert action.title == "基礎環境智能化提升行動"
    assert "統籌建設教育專網" in action.text and "提升基礎環境承載能力" in action.text
    last = plan.sections[3].tasks[4]
    assert last.text.endswith("師生信息素養評價監測報告。")  # not the "附:" line nor the comment box


METADATA = {
    0: ("2022年教育网络安全和信息化工作要点", "中共陕西省委教育工委 陕西省教育厅", None, None),
    1: ("2022年常州市教育网络安全和信息化工作要点", "常州市教育局", "常教办〔2022〕5号", "2022-04-18"),
    3: ("2022 年教育信息化和网络安全工作要点", "中共四川省委教育工委办公室 四川省教育厅办公室", None, "2022-04-08"),
    4: (None, None, None, None),
}


@pytest.mark.parametrize("number", sorted(METADATA))
def test_metadata(number: int) -> None:
    plan = seed(number)
    assert (plan.title, plan.issuer, plan.doc_number, plan.date) == METADATA[number]


def test_titles_and_wrapped_lines_of_seed_003() -> None:
    plan = seed(3)
    task = plan.sections[0].tasks[1]
    assert task.title == "统筹机关信息化建设"
    assert "按程序推进厅机关及直属事业单位信息化项目建设" in task.text  # a PDF line break mended
    assert plan.sections[4].tasks[0].title == "推进智慧教育创新发展"


# Every percentage (and 全覆盖) target of each seed, by reading: (span, subject, comparator, value, population).
PERCENT_TARGETS: dict[int, list[tuple[str, str, str, float, str | None]]] = {
    0: [("全省教育系统官方网站IPv6支持能力全覆盖", "全省教育系统官方网站IPv6支持能力", ">=", 100, None)],
    1: [("创建率超90%", "创建率", ">", 90, "中小学")],
    2: [("高校無線網絡實現全覆蓋", "高校無線網絡", ">=", 100, "高校")],
    3: [("高校门户网站 IPv6 支持率达到 100%", "高校门户网站 IPv6 支持率", "=", 100, "高校")],
    4: [
        ("具备条件的学校互联网全覆盖", "具备条件的学校互联网", ">=", 100, "学校"),
        ("网络教学环境全覆盖", "网络教学环境", ">=", 100, "学校"),
        ("教学区域无线网络覆盖率达到98%", "教学区域无线网络覆盖率", "=", 98, "高等学校"),
        ("普通教室多媒体教学设备配备比例达到80%", "普通教室多媒体教学设备配备比例", "=", 80, "高等学校"),
        ("全省中小学互联网接入率达到98%", "全省中小学互联网接入率", "=", 98, "中小学"),
        ("10Mbps以上宽带接入比例达到70%以上", "10Mbps以上宽带接入比例", ">=", 70, "中小学"),
        ("普通教室多媒体教学设备配备比例达到80%", "普通教室多媒体教学设备配备比例", "=", 80, "中小学"),
        ("普通高校建立省校数据对接技术通道的比例达到100%", "普通高校建立省校数据对接技术通道的比例", "=", 100, "普通高校"),
        ("90%以上的教师", "开通网络学习空间", ">=", 90, "教师"),
        ("60%初中以上的学生", "开通网络学习空间", "=", 60, "初中以上的学生"),
        ("中小学教师培训全覆盖", "中小学教师培训", ">=", 100, "中小学"),
        ("互联网全覆盖", "互联网", ">=", 100, "学校"),
        ("网络教学环境全覆盖", "网络教学环境", ">=", 100, "学校"),
        ("优质数字教育资源全覆盖", "优质数字教育资源", ">=", 100, None),
        ("90%以上的教师", "开通网络学习空间", ">=", 90, "教师"),
        ("60%初中以上的学生", "开通网络学习空间", "=", 60, "初中以上的学生"),
        ("中小学教师培训全覆盖", "中小学教师培训", ">=", 100, "中小学"),
    ],
}


def percent_targets(plan: Plan) -> list[tuple[str, str, str, float, str | None]]:
    return [(t.span, t.subject, t.comparator, t.value, t.population) for t in plan.all_targets() if t.unit == "%"]


@pytest.mark.parametrize("number", sorted(PERCENT_TARGETS))
def test_every_percentage_target_with_its_exact_span(number: int) -> None:
    plan = seed(number)
    assert percent_targets(plan) == PERCENT_TARGETS[number]
    for target in plan.all_targets():
        assert target.span in seed_text(number)


def test_targets_of_seed_004_core_goals_carry_the_deadline() -> None:
    core = seed(4).sections[1]
    assert core.title == "核心目标" and not core.tasks
    teachers = [t for t in core.targets if t.population == "教师"]
    assert [(t.value, t.deadline) for t in teachers] == [(90, "2017-12")]
    bandwidth = [t for t in core.targets if t.unit == "Gbps"]
    assert [(t.subject, t.comparator, t.value) for t in bandwidth] == [("高等学校接入带宽", ">=", 1)]


def test_counts_of_seed_001() -> None:
    plan = seed(1)
    four_hundreds = [(t.subject, t.value, t.unit) for t in plan.sections[1].targets]
    assert four_hundreds == [("智慧校园示范校", 100, "所"), ("数字化学习实验室", 100, "个"),
                             ("数字化学习精品课程", 100, "门"), ("教育信息化优秀项目", 100, "个")]
    campus = [(t.subject, t.comparator, t.value, t.unit) for t in plan.sections[1].tasks[0].targets]
    assert campus == [
        ("省级中小学智慧校园", "=", 20, "所"), ("创建率", ">", 90, "%"), ("省级智慧校园示范校", "=", 5, "所"),
        ("市级智慧校园示范校", "=", 20, "所"), ("数字化学习实验室", "=", 10, "个"), ("数字化学习精品课程", "=", 10, "门"),
        ("市级教育信息化项目", "=", 100, "个"),
    ]


def test_descriptive_counts_are_not_targets() -> None:
    # "做好11个国家乡村振兴重点帮扶县…" (seed 000, task 8) and "完善43个教学联盟" (seed 003, task 9) describe.
    assert seed(0).sections[2].tasks[1].targets == []
    assert seed(3).sections[2].tasks[3].targets == []


def test_gigabit_to_the_school_in_seed_002() -> None:
    targets = seed(2).sections[2].tasks[0].targets
    assert [(t.subject, t.comparator, t.value, t.unit, t.span, t.population) for t in targets[:2]] == [
        ("学校接入带宽", ">=", 1000, "Mbps", "千兆進校", "中小學校"),
        ("班级接入带宽", ">=", 100, "Mbps", "百兆進班", "中小學校"),
    ]


def test_units_are_attached_to_their_task_in_seed_004() -> None:
    tasks = seed(4).sections[2].tasks
    assert tasks[0].units == ["信保处", "省教育信息化发展研究中心"]
    assert tasks[1].units == ["财务处", "信保处", "市县教育局", "高等学校"]
    assert tasks[5].units == ["职成教处", "信保处"]
    assert tasks[13].units == ["信保处", "办公室", "省教育信息化发展研究中心"]
    assert all(task.units for task in tasks)
    assert not any(t.units for s in seed(0).sections for t in s.tasks)


def test_deadlines() -> None:
    # "年底前" takes the plan's year; seed 004 names none, so the year of its explicit deadlines (到2017年底).
    assert seed(4).sections[2].tasks[10].deadline == "2017-12"
    assert seed(3).sections[4].tasks[3].deadline == "2022-12"  # 确保2022年底全面完成全员培训任务
    assert seed(2).sections[1].tasks[0].deadline == "2022-12"  # 到2022 年基本實現…
    assert seed(0).sections[0].tasks[1].deadline is None
