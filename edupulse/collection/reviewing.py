"""Review work an officer does many times at once, and what a reviewer reads beside the values.

* :func:`bulk_review` approves or returns several submissions with one comment. Each goes through its own
  ``approve`` / ``return_submission`` action (one transaction and one audit row per submission, the
  workflow enforced for each), so the batch is *not* all-or-nothing: a submission that a colleague has
  already approved, or that waits for another level, is refused with the workflow's own Chinese reason
  and the others still go through. Reason: every submission is a separate school's report; one that
  moved on meanwhile must not hold back fifty that are ready, and retrying the refused ones is safe
  because the finished ones are no longer offered.
* :func:`year_on_year` gives, per field, last period's value and the change, for the review page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from edupulse.collection import actions
from edupulse.collection.definitions import FormSpec, previous_period
from edupulse.collection.models import Submission
from edupulse.collection.validation import display
from edupulse.core.actors import Actor

BULK_VERBS = ("approve", "return")
MAX_BULK = 500  # one page of the review list at most is ever selected; more is a mistake or a script


@dataclass
class BulkOutcome:
    """What a bulk review did: the submissions moved, and per refused submission the reason."""

    done: list[Submission] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (school name or id, reason in Chinese)


def bulk_review(ids: Sequence[int], verb: str, comment: str, *, acting_user: Actor) -> BulkOutcome:
    """Approve or return each submission of ``ids`` that ``acting_user`` sees, one action each."""
    if verb not in BULK_VERBS:
        raise ValidationError(_("Unknown action."))
    if verb == "return" and not comment.strip():
        raise ValidationError(_("Say what must be corrected when returning a submission."))
    wanted = list(dict.fromkeys(ids))[:MAX_BULK]
    visible = {s.pk: s for s in Submission.objects.visible_to(acting_user).filter(pk__in=wanted)
               .select_related("school")}
    outcome = BulkOutcome()
    for pk in wanted:
        submission = visible.get(pk)
        if submission is None:  # outside the scope answers like a key that does not exist
            outcome.refused.append((f"#{pk}", _("No such submission in your area.")))
            continue
        try:
            moved = _review_one(submission, verb, comment, acting_user)
        except (ValidationError, PermissionDenied) as exc:
            outcome.refused.append((submission.school.name, _reason(exc)))
        else:
            outcome.done.append(moved)
    return outcome


def _review_one(submission: Submission, verb: str, comment: str, acting_user: Actor) -> Submission:
    if verb == "approve":
        return actions.approve(submission, acting_user=acting_user, comment=comment)
    return actions.return_submission(submission, acting_user=acting_user, comment=comment)


def _reason(exc: ValidationError | PermissionDenied) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc) or _("You do not have permission to do this here.")


def year_on_year(spec: FormSpec, submission: Submission) -> dict[str, dict[str, Any]]:
    """Per field code: last period's value as shown (``previous``) and the change (``change``), for numbers
    the difference and the percentage; fields without a previous value get a dash."""
    before = previous_period(spec.period_type, submission.period)
    prev_values: dict[str, Any] = {}
    if before:
        found = (Submission.objects.filter(form_id=submission.form_id, school_id=submission.school_id, period=before)
                 .values_list("values", flat=True).first())
        prev_values = found or {}
    result: dict[str, dict[str, Any]] = {}
    for spec_field in spec.fields:
        old, new = prev_values.get(spec_field.code), submission.values.get(spec_field.code)
        result[spec_field.code] = {"previous": display(spec_field, old) if old is not None else "—",
                                   "change": _change(old, new)}
    return result


def _change(old: Any, new: Any) -> str:
    """"+12 (+8.5%)" for numbers, "changed" for other values that differ, "" when equal or unknown."""
    if old is None or new is None:
        return ""
    if isinstance(old, bool) or isinstance(new, bool) or not isinstance(old, (int, float)) \
            or not isinstance(new, (int, float)):
        return "" if old == new else _("changed")
    diff = new - old
    if diff == 0:
        return "0"
    text = f"{diff:+g}"
    return f"{text} ({100 * diff / old:+.1f}%)" if old else text
