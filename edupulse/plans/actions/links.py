"""Linking a plan's targets to the indicator library: the platform suggests, a person confirms or rejects."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from edupulse.core import audit
from edupulse.core.actions import action
from edupulse.core.actors import SYSTEM, Actor, is_system
from edupulse.core.permissions import require
from edupulse.indicators import reading
from edupulse.plans import linking
from edupulse.plans.models import LINK_WORKFLOW, LinkStatus, Plan, PlanTarget


def store_suggestions(plan: Plan, *, acting_user: Actor) -> list[PlanTarget]:
    """Suggest an indicator for each target no person has decided on; one audit row names them (call inside an
    action). Returns the targets with a suggestion."""
    require(acting_user, "change", plan)
    names = {code: definition.name for code, definition in reading.definitions().items()}
    suggested = []
    for target in plan.targets.filter(link_status__in=[LinkStatus.NONE, LinkStatus.SUGGESTED]).order_by("order"):
        found = linking.suggest(target.subject, target.population, target.span, target.unit, names)
        code = found.indicator if found else ""
        if code == target.indicator_code:
            if code:
                suggested.append(target)
            continue
        # The suggestion is the platform's own step, whoever imported the plan (a by_system row of the table).
        step = LINK_WORKFLOW.enforce(SYSTEM, target, "suggest") if code else None
        target.indicator_code = code
        target.link_status = step.target if step and step.target else LinkStatus.NONE
        target.save()
        if code:
            suggested.append(target)
    audit.record("plans.plan.suggest_links", plan, acting_user=acting_user,
                 after={"suggested": {str(t.pk): t.indicator_code for t in suggested}})
    return suggested


@action
def suggest_links(plan: Plan, *, acting_user: Actor) -> list[PlanTarget]:
    """Propose an indicator per target of the plan (stored as ``suggested``; a person's decisions stand)."""
    return store_suggestions(plan, acting_user=acting_user)


def _decide(target: PlanTarget, verb: str, acting_user: Actor, code: str) -> PlanTarget:
    require(acting_user, "change", target)
    step = LINK_WORKFLOW.enforce(acting_user, target, verb)
    before = audit.snapshot(target)
    target.indicator_code = code
    target.link_status = step.target or target.link_status
    target.confirmed_by = None if is_system(acting_user) else acting_user  # type: ignore[assignment]
    target.confirmed_at = timezone.now()
    target.full_clean()
    target.save()
    audit.record(f"plans.target.{verb}", target, acting_user=acting_user, before=before,
                 after=audit.snapshot(target))
    return target


@action
def confirm_link(target: PlanTarget, *, acting_user: Actor, indicator_code: str = "") -> PlanTarget:
    """A person confirms the suggested indicator, or links the target to ``indicator_code`` of their choosing."""
    code = indicator_code or target.indicator_code
    if code not in reading.definitions():
        raise ValidationError({"indicator_code": _("Choose an indicator of the library.")})
    return _decide(target, "confirm", acting_user, code)


@action
def reject_link(target: PlanTarget, *, acting_user: Actor) -> PlanTarget:
    """A person rejects the link (the rejected indicator stays recorded; the platform does not suggest again)."""
    return _decide(target, "reject", acting_user, target.indicator_code)
