"""The supervision report (督导通报) of a plan for a period, as DOCX (python-docx), in Chinese.

The layout follows ``monitoring.documents`` (the 通报 of findings): the authority in red, the document number,
the title, the text, a table of the tasks with their status and progress, the targets with the values measured
(and the schools they cover) and whether they are attained, the overdue tasks by name, the requirements, then the
signature and the date.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from edupulse.core.actors import Actor
from edupulse.plans.measuring import Measured, measure
from edupulse.plans.models import Plan, PlanTask, TaskStatus
from edupulse.utilities.officialdoc import OfficialDocx

COMPARATOR_WORDS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": "≥"}


@dataclass(frozen=True)
class TaskRow:
    number: str
    title: str
    units: str
    deadline: str
    status: str
    progress: str


@dataclass(frozen=True)
class TargetRow:
    span: str
    indicator: str
    target: str
    measured: str
    coverage: str
    attained: str


@dataclass(frozen=True)
class ReportDocument:
    authority: str
    number: str
    title: str
    body: list[str]
    tasks: list[TaskRow]
    targets: list[TargetRow]
    overdue: list[str]
    requirements: list[str]
    signature: str
    date: str


def _cn_date(value: Any) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _task_row(task: PlanTask) -> TaskRow:
    return TaskRow(number=task.number, title=task.title, units="、".join(task.units) or task.owner_unit or "—",
                   deadline=task.deadline or "—", status=str(TaskStatus(task.status).label),
                   progress=f"{task.progress}%")


def _number(value: float) -> str:
    return f"{value:g}"


def _target_row(item: Measured) -> TargetRow:
    target = item.target
    wanted = f"{COMPARATOR_WORDS[target.comparator]}{_number(target.value)}{target.unit}"
    if item.definition is None or item.value is None or item.value.value is None:
        measured, coverage = (_("not linked") if item.definition is None else _("no data")), "—"
    else:
        measured = f"{_number(item.value.value)}{item.definition.unit}"
        coverage = _("%(with)d of %(expected)d schools") % {
            "with": item.value.coverage.schools_with_data, "expected": item.value.coverage.schools_expected}
    verdict = {None: "—", True: _("attained"), False: _("not attained")}[item.attained]
    return TargetRow(span=target.span, indicator=item.definition.name if item.definition else "—", target=wanted,
                     measured=measured, coverage=coverage, attained=verdict)


def _document_number(region_name: str, year: int) -> str:
    """``武侯教督〔2026〕　号``: the sequence is left blank for the office that registers the report."""
    name = region_name
    for suffix in ("自治州", "自治县", "地区", "省", "市", "区", "县"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            name = name[: -len(suffix)]
            break
    return f"{name[:4]}教督〔{year}〕　号"


def document_for(user: Actor, plan: Plan, period: str | None = None) -> ReportDocument:
    """The report's content as ``user`` may see it (values through the indicator library's scoped reading)."""
    period = period or (str(plan.period) if plan.period else "")
    with translation.override("zh-hans"):
        region = plan.region
        # A province's authority is its 教育厅, a prefecture's or county's its 教育局.
        office = _("education department") if region.level == "province" else _("education bureau")
        authority = f"{region.full_name()}{office}"
        today = timezone.localdate()
        tasks = list(plan.tasks.order_by("order"))
        done = sum(1 for t in tasks if t.status == TaskStatus.DONE)
        overdue = [t for t in tasks if t.is_overdue(today)]
        measured = measure(user, plan, period=period)
        met = sum(1 for m in measured if m.attained)
        linked = sum(1 for m in measured if m.attained is not None)
        body = [_("To supervise the implementation of “%(plan)s”%(number)s, the progress of its %(tasks)d tasks was "
                  "reviewed with the data of the platform for %(period)s: %(done)d are done and %(overdue)d are past "
                  "their deadline; of the %(linked)d targets measured by the platform, %(met)d are attained.")
                % {"plan": plan.title, "number": f"（{plan.doc_number}）" if plan.doc_number else "",
                   "tasks": len(tasks), "period": _("the year %(year)s") % {"year": period} if period else "—",
                   "done": done, "overdue": len(overdue), "linked": linked, "met": met}]
        requirements = [
            _("Units responsible for overdue tasks are to report the reasons and a plan to catch up within 15 "
              "working days."),
            _("Targets not attained are to be followed up with the schools concerned; the platform's figures are "
              "the evidence of the next review."),
            _("Progress and evidence are to be recorded on the platform as the work proceeds."),
        ]
        return ReportDocument(
            authority=authority, number=_document_number(region.name, today.year),
            title=_("Supervision report on the implementation of “%(plan)s”") % {"plan": plan.title},
            body=body, tasks=[_task_row(t) for t in tasks], targets=[_target_row(m) for m in measured],
            overdue=[_("%(number)s %(title)s (deadline %(deadline)s, %(units)s)")
                     % {"number": t.number, "title": t.title, "deadline": t.deadline,
                        "units": "、".join(t.units) or t.owner_unit or _("no unit named")} for t in overdue],
            requirements=requirements, signature=authority, date=_cn_date(today))


def build_docx(user: Actor, plan: Plan, period: str | None = None) -> bytes:
    doc = document_for(user, plan, period)
    with translation.override("zh-hans"):
        out = OfficialDocx()
        out.heading(doc.authority, doc.number, doc.title)
        for text in doc.body:
            out.body(text)
        out.paragraph(_("1. Progress of the tasks"), bold=True)
        out.table([_("No."), _("Task"), _("Responsible units"), _("Deadline"), _("Status"), _("Progress")],
                  [[r.number, r.title, r.units, r.deadline, r.status, r.progress] for r in doc.tasks])
        out.paragraph(_("2. Targets and measured values"), bold=True)
        out.table([_("Target"), _("Indicator"), _("Target value"), _("Measured"), _("Coverage"), _("Attainment")],
                  [[r.span, r.indicator, r.target, r.measured, r.coverage, r.attained] for r in doc.targets])
        out.paragraph(_("3. Overdue tasks"), bold=True)
        for line in doc.overdue or [_("None.")]:
            out.body(line)
        out.paragraph(_("4. Requirements"), bold=True)
        for number, line in enumerate(doc.requirements, start=1):
            out.body(f"（{'一二三四五六七八九'[number - 1]}）{line}")
        out.signature(doc.signature, doc.date)
        return out.bytes()


def build_pdf(user: Actor, plan: Plan, period: str | None = None) -> bytes:
    """The same 督导通报 as a PDF (WeasyPrint with the Debian CJK fonts), for printing and sealing."""
    from weasyprint import HTML  # heavy: about 0.5 s to import, only for a PDF download

    with translation.override("zh-hans"):
        html = render_to_string("plans/report_document.html", {"doc": document_for(user, plan, period)})
    result: bytes = HTML(string=html).write_pdf()
    return result
