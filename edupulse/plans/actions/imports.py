"""Importing a plan document: parse it and store the whole tree (sections, tasks, targets) in one transaction.

The same file (same SHA-256) imported again into the same region changes nothing and gives back the plan stored
the first time. A file that cannot be read raises ``ValidationError`` with the reader's Chinese message, and
nothing is written.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from edupulse.core import audit
from edupulse.core.actions import action, save_instance
from edupulse.core.actors import Actor, is_system
from edupulse.core.permissions import require
from edupulse.orgs.models import Region
from edupulse.plans import parsing
from edupulse.plans.actions.links import store_suggestions
from edupulse.plans.models import Plan, PlanSection, PlanTarget, PlanTask
from edupulse.plans.reading import PlanInputError, PlanSource, read_plan_bytes
from edupulse.plans.targets import Target
from edupulse.plans.text import normalise

_YEAR = re.compile(r"(20\d\d)\s*年")


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def existing_plan(region: Region, data: bytes) -> Plan | None:
    """The plan already imported from these bytes in ``region`` (unscoped: the caller checks the user)."""
    return Plan.objects.filter(region=region, file_hash=file_hash(data)).first()


def plan_year(parsed: parsing.Plan) -> int | None:
    """The year a plan covers: its date's, else its title's, else the year most of its deadlines name."""
    if parsed.date:
        return int(parsed.date[:4])
    match = _YEAR.search(normalise(parsed.title or ""))
    if match:
        return int(match.group(1))
    years = Counter(int(d[:4]) for d in _deadlines(parsed))
    return years.most_common(1)[0][0] if years else None


def _deadlines(parsed: parsing.Plan) -> list[str]:
    return [t.deadline for t in parsed.all_tasks() if t.deadline] + [
        t.deadline for t in parsed.all_targets() if t.deadline]


def _source_text(source: PlanSource) -> str:
    """The document's text as read, with its 任务分解表 rows after it (one row a line, cells by tabs)."""
    rows = ["\t".join(cell for cell in row) for table in source.tables for row in table]
    return "\n".join([source.text, *rows]) if rows else source.text


def read_upload(file_name: str, data: bytes) -> tuple[PlanSource, parsing.Plan]:
    """Read and parse the bytes of an uploaded plan; ``ValidationError`` (Chinese) when they are no plan."""
    suffix = PurePath(file_name).suffix.lower()
    try:
        if suffix not in (".txt", ".docx", ".pdf"):
            raise PlanInputError(_("Unsupported file type “%(suffix)s”: use .txt, .docx or .pdf.")
                                 % {"suffix": suffix or file_name})
        source = read_plan_bytes(data, suffix)
        parsed = parsing.parse_text(source.text, source.tables)
    except PlanInputError as error:
        raise ValidationError({"file": str(error)}) from None
    if not parsed.sections or not parsed.all_tasks():
        raise ValidationError({"file": _("No numbered tasks were found in this file: is it a work plan?")})
    return source, parsed


@action
def import_plan(file_name: str, data: bytes, region: Region, *, acting_user: Actor) -> Plan:
    """Parse the file and store the plan of ``region`` with its sections, tasks and targets, then suggest the
    indicators that measure its targets. Re-importing the same file in the same region returns the stored plan."""
    found = existing_plan(region, data)
    if found is not None:
        require(acting_user, "view", found)
        return found
    source, parsed = read_upload(file_name, data)
    original = _source_text(source)
    plan = save_instance(Plan(
        region=region, title=(parsed.title or PurePath(file_name).stem)[:300], issuer=(parsed.issuer or "")[:200],
        doc_number=(parsed.doc_number or "")[:100], date=parsed.date or "", period=plan_year(parsed),
        file_name=PurePath(file_name).name[:255], file_hash=file_hash(data), original_text=original,
        normalised_text=normalise(original), imported_at=timezone.now(),
        imported_by=None if is_system(acting_user) else acting_user),  # type: ignore[misc]
        acting_user=acting_user)
    counts = _store_tree(plan, parsed)
    audit.record("plans.plan.import", plan, acting_user=acting_user, after={"file": plan.file_name, **counts})
    store_suggestions(plan, acting_user=acting_user)
    return plan


def _store_tree(plan: Plan, parsed: parsing.Plan) -> dict[str, int]:
    """Write the sections, tasks and targets (inside the import's action: one audit row covers them)."""
    order = _Counter()
    for number, section in enumerate(parsed.sections, start=1):
        stored = PlanSection(plan=plan, number=section.number or "", title=(section.title or "")[:300], order=number)
        stored.save()
        _store_targets(plan, stored, None, section.targets, order)
        for task in section.tasks:
            _store_task(plan, stored, None, task, 0, order)
    return {"sections": len(parsed.sections), "tasks": order.tasks, "targets": order.targets}


class _Counter:
    def __init__(self) -> None:
        self.tasks = 0
        self.targets = 0


def _store_task(plan: Plan, section: PlanSection, parent: PlanTask | None, task: parsing.Task, depth: int,
                order: _Counter) -> None:
    order.tasks += 1
    units = list(task.units)
    stored = PlanTask(plan=plan, section=section, parent=parent, number=task.number or "", title=task.title[:500],
                      text=task.text, order=order.tasks, depth=depth, units=units,
                      lead_unit=units[0][:100] if units else "", deadline=task.deadline or "")
    stored.save()
    _store_targets(plan, section, stored, task.targets, order)
    for child in task.children:
        _store_task(plan, section, stored, child, depth + 1, order)


def _store_targets(plan: Plan, section: PlanSection, task: PlanTask | None, targets: list[Target],
                   order: _Counter) -> None:
    for target in targets:
        order.targets += 1
        PlanTarget(plan=plan, section=section, task=task, order=order.targets, subject=target.subject[:200],
                   comparator=target.comparator, value=target.value, unit=target.unit[:20],
                   population=(target.population or "")[:100], deadline=target.deadline or "",
                   span=target.span[:500]).save()
