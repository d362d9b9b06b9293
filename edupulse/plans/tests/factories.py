"""Plans built through the actions, for the scope tests (every model of the app) and this app's tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from edupulse.core.actions import run_as_system
from edupulse.orgs.models import Region, School
from edupulse.plans import actions
from edupulse.plans.models import Plan, PlanTask, TaskUpdate
from edupulse.plans.tests.helpers import DATA

PLAN_TEXT = """关于印发2022年教育信息化工作要点的通知
一、加强基础建设
1.推进学校网络提速。全区中小学互联网接入率达到100%。（责任单位：信息中心、电教馆）
2.建设网络学习空间。为90%以上的教师开通网络学习空间，2022年6月底前完成。（责任单位：电教馆）
二、强化网络安全
1.加强网站安全。学校门户网站IPv6支持率达到100%。（责任单位：网信科）
"""


def seed_bytes(number: int) -> bytes:
    return (DATA / f"seed_{number:03d}.txt").read_bytes()


def make_plan(school_or_region: School | Region | str, text: str = PLAN_TEXT, name: str = "要点.txt") -> Plan:
    """A small plan of the school's county (or of the region given), imported by the system."""
    if isinstance(school_or_region, School):
        region = Region.objects.get(code=school_or_region.county_id)
    elif isinstance(school_or_region, Region):
        region = school_or_region
    else:
        region = Region.objects.get(code=school_or_region)
    plan: Plan = run_as_system(actions.import_plan, name, text.encode("utf-8"), region)
    return plan


def first_task(school: School) -> PlanTask:
    task: PlanTask = make_plan(school).tasks.order_by("order").first()
    return task


def make_update(school: School) -> TaskUpdate:
    evidence = SimpleUploadedFile("进展.pdf", b"%PDF-1.4 progress", content_type="application/pdf")
    update: TaskUpdate = run_as_system(actions.record_update, first_task(school), text="已完成光纤改造", progress=50,
                                       evidence=evidence)
    return update


SCOPED_FACTORIES: dict[str, Callable[[Any], Any]] = {
    "plans.Plan": make_plan,
    "plans.PlanSection": lambda school: make_plan(school).sections.first(),
    "plans.PlanTask": first_task,
    "plans.PlanTarget": lambda school: make_plan(school).targets.first(),
    "plans.TaskUpdate": make_update,
}
