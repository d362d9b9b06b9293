"""Progress of a plan's tasks: the owner unit, status steps and progress updates with evidence files."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from edupulse.core import audit
from edupulse.core.actions import action, save_instance
from edupulse.core.actors import Actor, is_system
from edupulse.core.permissions import require
from edupulse.plans.models import TASK_WORKFLOW, PlanTask, TaskStatus, TaskUpdate

# As the rectification evidence of monitoring's notice items.
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
EVIDENCE_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".docx", ".doc", ".zip", ".txt", ".xlsx")


def _change(task: PlanTask, acting_user: Actor, verb: str, **fields: Any) -> PlanTask:
    """Change the task's fields, validate, save and write one audit row named by ``verb``."""
    require(acting_user, "change", task)
    before = audit.snapshot(task)
    for name, value in fields.items():
        setattr(task, name, value)
    task.full_clean()
    task.save()
    audit.record(f"plans.task.{verb}", task, acting_user=acting_user, before=before, after=audit.snapshot(task))
    return task


@action
def assign_task(task: PlanTask, owner_unit: str, *, acting_user: Actor) -> PlanTask:
    """Make ``owner_unit`` (a unit's name, e.g. one of the plan's responsible units) answerable for the task."""
    require(acting_user, "change", task)  # the role and scope first: a reader is refused whatever the state
    TASK_WORKFLOW.enforce(acting_user, task, "assign")
    owner_unit = owner_unit.strip()
    if not owner_unit:
        raise ValidationError({"owner_unit": _("Name the unit that owns the task.")})
    return _change(task, acting_user, "assign", owner_unit=owner_unit)


@action
def move_task(task: PlanTask, verb: str, *, acting_user: Actor) -> PlanTask:
    """One step of the task's workflow by a person (start, complete, delay, resume, reopen)."""
    if verb not in {"start", "complete", "delay", "resume", "reopen"}:
        raise ValueError(verb)
    require(acting_user, "change", task)
    step = TASK_WORKFLOW.enforce(acting_user, task, verb)
    fields: dict[str, Any] = {"status": step.target}
    if verb == "complete":
        fields["progress"] = 100
    return _change(task, acting_user, verb, **fields)


def _check_evidence(evidence: UploadedFile) -> None:
    if evidence.size is not None and evidence.size > MAX_EVIDENCE_BYTES:
        raise ValidationError({"evidence": _("The file is larger than 20 MB.")})
    if not str(evidence.name).lower().endswith(EVIDENCE_SUFFIXES):
        raise ValidationError({"evidence": _("Upload a PDF, image, Word, Excel, text or ZIP file.")})


def _next_verb(task: PlanTask, progress: int) -> str | None:
    """What a progress report does to the status: 100 % completes the task; a report past the deadline marks it
    delayed; the first progress starts it."""
    if progress >= 100:
        return "complete"
    if task.is_overdue(timezone.localdate()) and task.status != TaskStatus.DELAYED:
        return "delay"
    if task.status == TaskStatus.NOT_STARTED and progress > 0:
        return "start"
    return None


@action
def record_update(task: PlanTask, *, acting_user: Actor, text: str, progress: int,
                  evidence: UploadedFile | None = None) -> TaskUpdate:
    """A progress report with an optional evidence file; moves the task's status through its workflow."""
    require(acting_user, "change", task)
    TASK_WORKFLOW.enforce(acting_user, task, "report")
    if not text.strip():
        raise ValidationError({"text": _("Describe the progress made.")})
    if not 0 <= progress <= 100:
        raise ValidationError({"progress": _("Progress is a percentage from 0 to 100.")})
    update = TaskUpdate(task=task, text=text.strip(), progress=progress, created_at=timezone.now(),
                        author=None if is_system(acting_user) else acting_user)  # type: ignore[misc]
    if evidence is not None:
        _check_evidence(evidence)
        update.evidence.save(str(evidence.name), evidence, save=False)
    save_instance(update, acting_user=acting_user)
    verb = _next_verb(task, progress)
    fields: dict[str, Any] = {"progress": progress}
    if verb is not None:
        fields["status"] = TASK_WORKFLOW.enforce(acting_user, task, verb).target
    _change(task, acting_user, verb or "report", **fields)
    return update
