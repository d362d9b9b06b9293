"""Tables of the plan pages (also their CSV/Excel exports)."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from edupulse.plans.models import Plan, PlanTask


class PlanTable(tables.Table):
    title = tables.LinkColumn("plans:plan-detail", args=[tables.A("pk")], verbose_name=_("Title"))
    doc_number = tables.Column(verbose_name=_("Document number"))
    issuer = tables.Column(verbose_name=_("Issuer"))
    region = tables.Column(accessor="region__name", verbose_name=_("Issuing region"))
    period = tables.Column(verbose_name=_("Year covered"))
    tasks = tables.Column(accessor="task_count", verbose_name=_("Tasks"), orderable=False)
    done = tables.Column(accessor="done_count", verbose_name=_("Done"), orderable=False)
    overdue = tables.Column(accessor="overdue_count", verbose_name=_("Overdue"), orderable=False)
    imported_at = tables.DateTimeColumn(verbose_name=_("Imported at"), format="Y-m-d H:i")

    class Meta:
        model = Plan
        fields = ("title", "doc_number", "issuer", "region", "period", "tasks", "done", "overdue", "imported_at")
        attrs = {"class": "table"}


class TaskTable(tables.Table):
    plan = tables.LinkColumn("plans:plan-detail", args=[tables.A("plan_id")], accessor="plan__title",
                             verbose_name=_("Work plan"))
    number = tables.Column(verbose_name=_("No."))
    title = tables.LinkColumn("plans:task-detail", args=[tables.A("pk")], verbose_name=_("Task"))
    units = tables.Column(verbose_name=_("Responsible units"), orderable=False)
    owner_unit = tables.Column(verbose_name=_("Owner unit"))
    deadline = tables.Column(verbose_name=_("Deadline"))
    status = tables.Column(verbose_name=_("Status"))
    progress = tables.Column(verbose_name=_("Progress (%)"))

    class Meta:
        model = PlanTask
        fields = ("plan", "number", "title", "units", "owner_unit", "deadline", "status", "progress")
        attrs = {"class": "table"}

    def render_units(self, value: list[str]) -> str:
        return "、".join(value)

    def value_units(self, value: list[str]) -> str:
        return "、".join(value)
