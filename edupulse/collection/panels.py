"""Landing-page panels of the collection app: a school's inbox (催报) and an expert reviewer's queue.

Nothing in the models assigns a submission to a reviewer, so the reviewer's queue is defined here: the
submissions in the reviewer's area that wait for a review (submitted, or approved by a level below the
province) and carry something to look at — validation warnings, or a peer outlier (``outliers``) in the
newest period with submissions. Reviewers are read-only: they read and advise, officers approve.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.http import HttpRequest
from django.utils.translation import gettext as _

from edupulse.collection.models import FormVersion, InboxMessage, Submission
from edupulse.collection.models.submission import REVIEWING_LEVEL
from edupulse.collection.outliers import peer_outliers
from edupulse.collection.registry import spec_for
from edupulse.core.roles import Role
from edupulse.core.scoping import scope_of

if TYPE_CHECKING:
    from edupulse.accounts.models import User

QUEUE_ROWS = 20
INBOX_ROWS = 5


def inbox_panel(request: HttpRequest) -> dict[str, Any] | None:
    """A school's CIO: the newest reminders of the school, unread first counted."""
    scope = scope_of(request.user)
    if scope.level != "school":
        return None
    messages = InboxMessage.objects.visible_to(request.user).filter(school_id=scope.school_id or 0)
    return {"messages": list(messages[:INBOX_ROWS]), "unread": messages.filter(read_at=None).count()}


def review_queue_panel(request: HttpRequest) -> dict[str, Any] | None:
    """An expert reviewer: what waits for review in their area and has warnings or peer outliers."""
    if getattr(request.user, "role", "") != Role.EXPERT_REVIEWER:
        return None
    waiting = Submission.objects.visible_to(request.user).filter(status__in=list(REVIEWING_LEVEL))
    outliers = _outlier_counts(request, waiting)
    flagged = waiting.filter(warning_count__gt=0).values_list("pk", flat=True)
    keys = sorted(set(flagged) | set(outliers), key=lambda pk: (-outliers.get(pk, 0), pk))
    shown = Submission.objects.select_related("school").in_bulk(keys[:QUEUE_ROWS])
    rows = [{"submission": shown[pk], "outliers": outliers.get(pk, 0)} for pk in keys[:QUEUE_ROWS] if pk in shown]
    return {"rows": rows, "more": max(0, len(keys) - QUEUE_ROWS),
            "explanation": _("Submissions in your area that wait for review and have validation warnings or values "
                             "far from their peers (outliers). Check them and advise the reviewing officer.")}


def _outlier_counts(request: HttpRequest, waiting: Any) -> dict[int, int]:
    """Submission id → outliers found among its peers, for the newest period that has waiting submissions."""
    newest = waiting.order_by("-period").values_list("period", "form_id").first()
    if newest is None:
        return {}
    period, form_id = newest
    version = FormVersion.objects.filter(form_id=form_id, is_current=True).first()
    if version is None:
        return {}
    waiting_ids = set(waiting.values_list("pk", flat=True))
    counts: dict[int, int] = {}
    for outlier in peer_outliers(spec_for(version), period, user=cast("User", request.user)):
        if outlier.submission_id in waiting_ids:
            counts[outlier.submission_id] = counts.get(outlier.submission_id, 0) + 1
    return counts
