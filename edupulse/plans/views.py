"""Work plan pages: the list, the upload, a plan's tree with its targets measured, a task with its progress, the
overdue tasks, the 督导通报 download, and the POSTs that confirm or reject links and move tasks."""

from __future__ import annotations

from abc import abstractmethod
from collections import defaultdict
from typing import Any, ClassVar
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from edupulse.core.permissions import can
from edupulse.core.views import ScopedDetailView, ScopedListView, ScopedMixin
from edupulse.indicators import reading
from edupulse.plans import actions, documents
from edupulse.plans.actions.imports import existing_plan
from edupulse.plans.filtersets import OverdueFilterSet, PlanFilterSet
from edupulse.plans.forms import AssignForm, ImportForm, UpdateForm
from edupulse.plans.measuring import Measured, measure
from edupulse.plans.models import LINK_WORKFLOW, TASK_WORKFLOW, Plan, PlanTarget, PlanTask, TaskStatus, TaskUpdate
from edupulse.plans.tables import PlanTable, TaskTable

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _errors_by_field(exc: ValidationError) -> dict[str | None, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: list(errors) for field, errors in exc.message_dict.items()}
    return {None: list(exc.messages)}


def _overdue_q(today: Any) -> Q:
    return Q(due_date__lt=today) & ~Q(status=TaskStatus.DONE)


class PlanListView(ScopedListView):
    model = Plan
    table_class = PlanTable
    filterset_class = PlanFilterSet
    template_name = "plans/list.html"
    export_name = "plans"
    title = gettext_lazy("Work plans")

    def get_queryset(self) -> QuerySet[Plan]:
        today = timezone.localdate()
        return super().get_queryset().select_related("region").annotate(
            task_count=Count("tasks"), done_count=Count("tasks", filter=Q(tasks__status=TaskStatus.DONE)),
            overdue_count=Count("tasks", filter=Q(tasks__due_date__lt=today) & ~Q(tasks__status=TaskStatus.DONE)))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(can_import=can(self.request.user, "add", Plan), **kwargs)


class OverdueTaskListView(ScopedListView):
    """Tasks past their deadline and not done, in every plan the user sees."""

    model = PlanTask
    table_class = TaskTable
    filterset_class = OverdueFilterSet
    template_name = "plans/list.html"
    export_name = "overdue-tasks"
    title = gettext_lazy("Overdue tasks")

    def get_queryset(self) -> QuerySet[PlanTask]:
        return super().get_queryset().filter(_overdue_q(timezone.localdate())).select_related("plan").order_by(
            "due_date", "plan", "order")


class PlanImportView(ScopedMixin, TemplateView):
    """Upload a plan document for a region in the user's area; nothing is stored unless all of it is read."""

    model = Plan
    required_verb = "add"
    template_name = "plans/import.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = kwargs.pop("form", None) or ImportForm(user=self.request.user)
        return super().get_context_data(form=form, title=_("Import a work plan"), **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ImportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            upload, region = form.cleaned_data["file"], form.cleaned_data["region"]
            data = upload.read()
            already = existing_plan(region, data) is not None
            try:
                plan = actions.import_plan(upload.name, data, region, acting_user=self.acting_user)
            except ValidationError as exc:
                for field, errors in _errors_by_field(exc).items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                if already:
                    messages.info(request, _("This file was already imported for this region: here is the plan."))
                else:
                    messages.success(request, _("Imported %(tasks)d tasks and %(targets)d targets.") % {
                        "tasks": plan.tasks.count(), "targets": plan.targets.count()})
                return HttpResponseRedirect(reverse("plans:plan-detail", args=[plan.pk]))
        return render(request, self.template_name, self.get_context_data(form=form))


def _period_choice(request: HttpRequest, user: Any, plan: Plan) -> str:
    """The year whose measured values are shown: ``?period=`` when stored, else the plan's year."""
    wanted = (request.GET.get("period") or "").strip()
    if wanted and wanted in reading.periods(user):
        return wanted
    return str(plan.period) if plan.period else ""


class PlanDetailView(ScopedDetailView):
    """The plan's tree: sections, tasks (numbers, units, deadlines, status) and each target measured."""

    model = Plan
    template_name = "plans/plan_detail.html"
    slug_field = "pk"
    slug_url_kwarg = "pk"

    def get_queryset(self) -> QuerySet[Plan]:
        return super().get_queryset().select_related("region", "imported_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        plan, user = self.object, self.acting_user
        period = _period_choice(self.request, user, plan)
        today = timezone.localdate()
        measured = measure(user, plan, period=period)
        by_task: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
        by_section: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for item in measured:
            row = _target_context(user, item)
            if item.target.task_id is None:
                by_section[item.target.section_id].append(row)
            else:
                by_task[item.target.task_id].append(row)
        tasks = list(plan.tasks.order_by("order"))
        sections = []
        for section in plan.sections.order_by("order"):
            rows = [{"task": t, "overdue": t.is_overdue(today), "targets": by_task.get(t.pk, [])}
                    for t in tasks if t.section_id == section.pk]
            sections.append({"section": section, "targets": by_section.get(section.pk, []), "tasks": rows})
        context.update(
            title=plan.title, sections=sections, period=period, periods=reading.periods(user),
            indicators=[(code, d.name) for code, d in reading.definitions().items()],
            can_change=can(user, "change", plan),
            counts={"tasks": len(tasks), "done": sum(t.status == TaskStatus.DONE for t in tasks),
                    "overdue": sum(t.is_overdue(today) for t in tasks), "targets": len(measured)},
        )
        return context


def _target_context(user: Any, item: Measured) -> dict[str, Any]:
    verbs = LINK_WORKFLOW.available_verbs(user, item.target) if can(user, "change", item.target) else []
    return {"item": item, "can_confirm": "confirm" in verbs, "can_reject": "reject" in verbs}


class PlanReportView(ScopedMixin, TemplateView):
    """The plan's 督导通报 as DOCX, or PDF with ``?format=pdf`` (``?period=`` the year of the measured values)."""

    model = Plan

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        plan = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        period = _period_choice(request, self.acting_user, plan) or None
        if request.GET.get("format") == "pdf":
            body, content_type, suffix = documents.build_pdf(self.acting_user, plan, period), "application/pdf", "pdf"
        else:
            body, content_type, suffix = documents.build_docx(self.acting_user, plan, period), DOCX, "docx"
        response = HttpResponse(body, content_type=content_type)
        name = f"督导通报-{plan.title}"[:80]
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}.{suffix}"
        return response


class _ObjectPost(ScopedMixin, TemplateView):
    """POST-only: one action on one object found in the caller's scope, then back to its page."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        try:
            self.run(obj)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Done."))
        return HttpResponseRedirect(self.next_url(obj))

    @abstractmethod
    def run(self, obj: Any) -> None:
        """The action on ``obj``: each subclass names its own."""

    def next_url(self, obj: Any) -> str:
        return reverse("plans:task-detail", args=[obj.pk])


class TargetConfirmView(_ObjectPost):
    model = PlanTarget

    def run(self, obj: PlanTarget) -> None:
        code = (self.request.POST.get("indicator_code") or "").strip()
        actions.confirm_link(obj, acting_user=self.acting_user, indicator_code=code)

    def next_url(self, obj: PlanTarget) -> str:
        return reverse("plans:plan-detail", args=[obj.plan_id]) + f"#target-{obj.pk}"


class TargetRejectView(TargetConfirmView):
    def run(self, obj: PlanTarget) -> None:
        actions.reject_link(obj, acting_user=self.acting_user)


class TaskMoveView(_ObjectPost):
    """A status step of the task (``verb`` from the buttons the workflow offers)."""

    model = PlanTask
    verbs: ClassVar[frozenset[str]] = frozenset({"start", "complete", "delay", "resume", "reopen"})

    def run(self, obj: PlanTask) -> None:
        verb = self.request.POST.get("verb", "")
        if verb not in self.verbs:
            raise ValidationError(_("Unknown step."))
        actions.move_task(obj, verb, acting_user=self.acting_user)


class TaskAssignView(_ObjectPost):
    model = PlanTask

    def run(self, obj: PlanTask) -> None:
        form = AssignForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError(_("Name the unit that owns the task."))
        actions.assign_task(obj, form.cleaned_data["owner_unit"], acting_user=self.acting_user)


class TaskDetailView(ScopedDetailView):
    """A task: its text, units, deadline, targets, status buttons, owner, updates with evidence and the report form."""

    model = PlanTask
    template_name = "plans/task_detail.html"
    slug_field = "pk"
    slug_url_kwarg = "pk"

    def get_queryset(self) -> QuerySet[PlanTask]:
        return super().get_queryset().select_related("plan", "section", "parent")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        task, user = self.object, self.acting_user
        can_change = can(user, "change", task)
        verbs = TASK_WORKFLOW.available(user, task) if can_change else []
        context.update(
            title=str(task), updates=task.updates.select_related("author"),
            children=task.children.order_by("order"), can_change=can_change,
            moves=[t for t in verbs if t.verb in TaskMoveView.verbs],
            can_report=any(t.verb == "report" for t in verbs), can_assign=any(t.verb == "assign" for t in verbs),
            form=kwargs.get("form") or UpdateForm(initial={"progress": task.progress}),
            assign_form=AssignForm(initial={"owner_unit": task.owner_unit or task.lead_unit}),
            measured=measure(user, task.plan, task.targets.order_by("order")),
            overdue=task.is_overdue(timezone.localdate()),
            text=highlighted(task.text, [t.span for t in task.targets.all()]),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        form = UpdateForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                actions.record_update(self.object, acting_user=self.acting_user, text=form.cleaned_data["text"],
                                      progress=form.cleaned_data["progress"], evidence=form.cleaned_data["evidence"])
            except ValidationError as exc:
                for field, errors in _errors_by_field(exc).items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Progress recorded."))
                return HttpResponseRedirect(reverse("plans:task-detail", args=[self.object.pk]))
        return render(request, self.template_name, self.get_context_data(object=self.object, form=form))


def highlighted(text: str, spans: list[str]) -> SafeString:
    """The task's text, escaped, with each target's span marked where it stands (spans are slices of the text)."""
    marks: list[tuple[int, int]] = []
    for span in spans:
        start = text.find(span)
        while start >= 0 and any(start < end and start + len(span) > begin for begin, end in marks):
            start = text.find(span, start + 1)
        if start >= 0 and span:
            marks.append((start, start + len(span)))
    pairs, position = [], 0
    for begin, end in sorted(marks):
        pairs.append((text[position:begin], text[begin:end]))
        position = end
    marked = format_html_join("", '{}<mark class="span">{}</mark>', pairs)
    return format_html("{}{}", marked, text[position:])


class UpdateEvidenceView(ScopedMixin, TemplateView):
    """Download the evidence file of an update in scope (files are never served from MEDIA_URL)."""

    model = TaskUpdate

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:  # type: ignore[override]
        update = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        if not update.evidence:
            raise Http404
        return FileResponse(update.evidence.open("rb"), as_attachment=True,  # type: ignore[return-value]
                            filename=update.evidence_name)
