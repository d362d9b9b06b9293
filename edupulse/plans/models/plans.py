"""Work plans (工作要点) as stored records: the plan, its sections, tasks, quantitative targets and progress updates.

A plan belongs to the authority that issued it (``region``): its province/prefecture/county codes are copied on
save, so a county officer sees the county's plans and those of no other county (nor the prefecture's), and the
officers above see it. Sections, tasks, targets and updates are scoped through their plan.

School CIOs see none of it: a 工作要点 is a bureau's plan of work whose tasks fall to the bureau's offices and
directly affiliated units (信息中心, 电教馆); schools answer through the statistics collection and monitoring,
which are the evidence the plan's targets are measured by.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from edupulse.core.regions import PlacedInRegion
from edupulse.core.roles import ALL, NONE, READ_ONLY, Role
from edupulse.core.scoping import ScopedManager, ScopeSpec
from edupulse.core.workflows import Transition, Workflow, rows

PLAN_SCOPE = ScopeSpec(province="province_code", prefecture="prefecture_code", county="county_code")

# Officers of the region manage its plans; reviewers and auditors read; schools see nothing (module docstring).
PLAN_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.PROVINCE_ADMIN: ALL,
    Role.PREFECTURE_OFFICER: ALL,
    Role.COUNTY_OFFICER: ALL,
    Role.SCHOOL_CIO: NONE,
    Role.EXPERT_REVIEWER: READ_ONLY,
    Role.AUDITOR: READ_ONLY,
}
OFFICERS = frozenset({Role.PROVINCE_ADMIN, Role.PREFECTURE_OFFICER, Role.COUNTY_OFFICER})


def due_date(deadline: str) -> date | None:
    """The last day a deadline allows: ``2024-10`` → 2024-10-31, ``2023-03-06`` → itself; None when blank."""
    if not deadline:
        return None
    parts = [int(p) for p in deadline.split("-")]
    if len(parts) == 3:
        return date(parts[0], parts[1], parts[2])
    if len(parts) == 2:
        return date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
    return date(parts[0], 12, 31)


class Plan(PlacedInRegion, models.Model):
    """One imported 工作要点 of the authority of ``region``, with the file it came from (original text kept; the
    OpenCC-simplified copy beside it). ``file_hash`` is unique per region: importing the same file again in the
    same region finds this plan."""

    region = models.ForeignKey("orgs.Region", verbose_name=_("issuing region"), on_delete=models.PROTECT,
                               related_name="+")
    province_code = models.CharField(max_length=2, blank=True, editable=False, db_index=True)
    prefecture_code = models.CharField(max_length=4, blank=True, editable=False, db_index=True)
    county_code = models.CharField(max_length=6, blank=True, editable=False, db_index=True)
    title = models.CharField(_("title"), max_length=300)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    doc_number = models.CharField(_("document number"), max_length=100, blank=True)
    date = models.CharField(_("date"), max_length=10, blank=True, help_text=_("YYYY-MM-DD or YYYY-MM"))
    period = models.PositiveSmallIntegerField(_("year covered"), null=True, blank=True, db_index=True)
    file_name = models.CharField(_("file name"), max_length=255)
    file_hash = models.CharField(_("file SHA-256"), max_length=64)
    original_text = models.TextField(_("original text"))
    normalised_text = models.TextField(_("simplified text"), blank=True)
    imported_by = models.ForeignKey("accounts.User", verbose_name=_("imported by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    imported_at = models.DateTimeField(_("imported at"))

    scope_spec = PLAN_SCOPE
    placement_columns = "code"
    role_permissions = PLAN_PERMISSIONS
    audited = True
    objects = ScopedManager()

    class Meta:
        ordering = ["-imported_at", "-pk"]
        verbose_name = _("work plan")
        verbose_name_plural = _("work plans")
        constraints = [models.UniqueConstraint(fields=["region", "file_hash"], name="plans_plan_file_unique")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.place_in_hierarchy()
        super().save(*args, **kwargs)

    def place_in_hierarchy(self) -> None:
        self.store_placement(str(self.region_id or ""))

    def clean_fields(self, exclude: Any = None) -> None:
        self.place_in_hierarchy()
        super().clean_fields(exclude=exclude)


class PlanSection(models.Model):
    """A 一、 heading of a plan (or the unnamed section of a plan without one)."""

    plan = models.ForeignKey(Plan, verbose_name=_("work plan"), on_delete=models.CASCADE, related_name="sections")
    number = models.CharField(_("number"), max_length=20, blank=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    order = models.PositiveIntegerField(_("order"))

    scope_spec = PLAN_SCOPE.via("plan")
    role_permissions = PLAN_PERMISSIONS
    audited = True
    objects = ScopedManager()

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("plan section")
        verbose_name_plural = _("plan sections")

    def __str__(self) -> str:
        return f"{self.number}{self.title}".strip() or str(_("(unnumbered section)"))


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DELAYED = "delayed", _("Delayed")


OPEN_TASK_STATUSES = (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.DELAYED)
_T = TaskStatus
TASK_WORKFLOW = Workflow(
    name="plans.task",
    transitions=(
        Transition(_T.NOT_STARTED, "start", _T.IN_PROGRESS, OFFICERS, _("Start")),
        # A progress report keeps the state (the action then starts, completes or delays the task by its content).
        *rows((OPEN_TASK_STATUSES, "report", None, OFFICERS), label=_("Report progress")),
        *rows((OPEN_TASK_STATUSES, "complete", _T.DONE, OFFICERS), label=_("Mark done")),
        *rows(((_T.NOT_STARTED, _T.IN_PROGRESS), "delay", _T.DELAYED, OFFICERS), label=_("Mark delayed")),
        Transition(_T.DELAYED, "resume", _T.IN_PROGRESS, OFFICERS, _("Back on schedule")),
        Transition(_T.DONE, "reopen", _T.IN_PROGRESS, OFFICERS, _("Reopen")),
        *rows((OPEN_TASK_STATUSES, "assign", None, OFFICERS), label=_("Assign")),
    ),
    refusals={
        "start": _("Only a task not yet started can be started."),
        "report": _("The task is done: reopen it before reporting progress."),
        "complete": _("The task is already done."),
        "delay": _("Only a task not started or in progress can be marked delayed."),
        "resume": _("Only a delayed task can be put back on schedule."),
        "reopen": _("Only a finished task can be reopened."),
        "assign": _("The task is done: reopen it before assigning it."),
    },
)


class PlanTask(models.Model):
    """A numbered task of a section (``parent`` set for a task's numbered sub-items), with the responsible units the
    plan names (``units``, lead units first), its deadline as the plan writes it (``deadline``: ``YYYY-MM-DD`` or
    ``YYYY-MM``; ``due_date`` the last day it allows, for the overdue list), the unit it is assigned to and its
    progress."""

    plan = models.ForeignKey(Plan, verbose_name=_("work plan"), on_delete=models.CASCADE, related_name="tasks")
    section = models.ForeignKey(PlanSection, verbose_name=_("section"), on_delete=models.CASCADE,
                                related_name="tasks")
    parent = models.ForeignKey("self", verbose_name=_("parent task"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="children")
    number = models.CharField(_("number"), max_length=20, blank=True)
    title = models.CharField(_("title"), max_length=500)
    text = models.TextField(_("text"), blank=True)
    order = models.PositiveIntegerField(_("order"))
    depth = models.PositiveSmallIntegerField(_("depth"), default=0)
    units = models.JSONField(_("responsible units"), default=list, blank=True)
    lead_unit = models.CharField(_("lead unit"), max_length=100, blank=True)
    deadline = models.CharField(_("deadline"), max_length=10, blank=True, help_text=_("YYYY-MM-DD or YYYY-MM"))
    due_date = models.DateField(_("due date"), null=True, blank=True, db_index=True, editable=False)
    owner_unit = models.CharField(_("owner unit"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED,
                              db_index=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)

    scope_spec = PLAN_SCOPE.via("plan")
    role_permissions = PLAN_PERMISSIONS
    audited = True
    objects = ScopedManager()

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("plan task")
        verbose_name_plural = _("plan tasks")

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.due_date = due_date(self.deadline)
        super().save(*args, **kwargs)

    def is_overdue(self, today: date) -> bool:
        return self.status != TaskStatus.DONE and self.due_date is not None and self.due_date < today


class LinkStatus(models.TextChoices):
    NONE = "", _("Not linked")
    SUGGESTED = "suggested", _("Suggested")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


_L = LinkStatus
LINK_WORKFLOW = Workflow(
    name="plans.target.link",
    state_field="link_status",
    transitions=(
        # A person confirms the suggestion, or links the target to an indicator of their choosing.
        *rows(((_L.SUGGESTED, _L.NONE, _L.REJECTED, _L.CONFIRMED), "confirm", _L.CONFIRMED, OFFICERS),
              label=_("Confirm link")),
        *rows(((_L.SUGGESTED, _L.CONFIRMED), "reject", _L.REJECTED, OFFICERS), label=_("Reject link")),
        # The platform's suggestion replaces only a suggestion or nothing: a person's decision stands.
        Transition(_L.NONE, "suggest", _L.SUGGESTED, frozenset(), by_system=True),
        Transition(_L.SUGGESTED, "suggest", _L.SUGGESTED, frozenset(), by_system=True),
    ),
    refusals={
        "confirm": _("This link cannot be confirmed."),
        "reject": _("Only a suggested or confirmed link can be rejected."),
        "suggest": _("A person has already decided on this link."),
    },
)

COMPARATOR_CHOICES = [(">=", "≥"), (">", ">"), ("<=", "≤"), ("<", "<"), ("=", "=")]


class PlanTarget(models.Model):
    """A quantitative target read from a task's text (or a section's own paragraph, ``task`` empty): what is measured,
    how it compares, the value and unit as written, who it is about, its deadline and the exact ``span`` of text it
    came from; ``indicator_code`` links it to the indicator library once suggested or confirmed."""

    plan = models.ForeignKey(Plan, verbose_name=_("work plan"), on_delete=models.CASCADE, related_name="targets")
    section = models.ForeignKey(PlanSection, verbose_name=_("section"), on_delete=models.CASCADE,
                                related_name="targets")
    task = models.ForeignKey(PlanTask, verbose_name=_("task"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="targets")
    order = models.PositiveIntegerField(_("order"))
    subject = models.CharField(_("subject"), max_length=200)
    comparator = models.CharField(_("comparator"), max_length=2, choices=COMPARATOR_CHOICES)
    value = models.FloatField(_("value"))
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    population = models.CharField(_("population"), max_length=100, blank=True)
    deadline = models.CharField(_("deadline"), max_length=10, blank=True)
    span = models.CharField(_("source text"), max_length=500)
    indicator_code = models.CharField(_("indicator"), max_length=40, blank=True, db_index=True)
    link_status = models.CharField(_("link status"), max_length=10, choices=LinkStatus.choices, blank=True,
                                   default=LinkStatus.NONE)
    confirmed_by = models.ForeignKey("accounts.User", verbose_name=_("decided by"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    scope_spec = PLAN_SCOPE.via("plan")
    role_permissions = PLAN_PERMISSIONS
    audited = True
    objects = ScopedManager()

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("plan target")
        verbose_name_plural = _("plan targets")

    def __str__(self) -> str:
        return self.span


class TaskUpdate(models.Model):
    """A progress report on a task: what was done, the progress in percent and an optional evidence file (stored
    under the media directory, downloaded only through the scoped evidence page)."""

    task = models.ForeignKey(PlanTask, verbose_name=_("task"), on_delete=models.CASCADE, related_name="updates")
    text = models.TextField(_("progress report"))
    progress = models.PositiveSmallIntegerField(_("progress (%)"))
    evidence = models.FileField(_("evidence file"), upload_to="plans/evidence/%Y/%m/", blank=True)
    author = models.ForeignKey("accounts.User", verbose_name=_("author"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("reported at"))

    scope_spec = PLAN_SCOPE.via("task__plan")
    role_permissions = PLAN_PERMISSIONS
    audited = True
    objects = ScopedManager()

    class Meta:
        ordering = ["task", "-created_at", "-pk"]
        verbose_name = _("task update")
        verbose_name_plural = _("task updates")

    def __str__(self) -> str:
        return f"{self.task} · {self.progress}%"

    @property
    def evidence_name(self) -> str:
        return self.evidence.name.rsplit("/", 1)[-1] if self.evidence else ""
