"""Entity resolution's state changes: queueing uncertain pairs, and an officer's decision on one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils import timezone

from edupulse.basedata.models import REVIEW_WORKFLOW, MatchReview
from edupulse.core import audit
from edupulse.core.actions import action, save_instance
from edupulse.core.actors import Actor, is_system


@dataclass(frozen=True)
class QueuedPair:
    left_batch: int
    left_row: int
    right_batch: int
    right_row: int
    probability: float
    school_id: int


@action
def record_dedupe(run_key: str, kind: str, pairs: Sequence[QueuedPair], summary: dict[str, object], *,
                  acting_user: Actor, commit_store: Callable[[], None]) -> int:
    """Queue the uncertain pairs not queued before (one summary audit row for the run: counts, never data),
    then commit the run's master records to the store as the last step. Returns the number queued."""
    known = set(MatchReview.objects.filter(kind=kind).values_list(
        "left_batch_id", "left_row", "right_batch_id", "right_row"))
    fresh = [MatchReview(run_key=run_key, kind=kind, left_batch_id=p.left_batch, left_row=p.left_row,
                         right_batch_id=p.right_batch, right_row=p.right_row, probability=p.probability,
                         school_id=p.school_id)
             for p in pairs if (p.left_batch, p.left_row, p.right_batch, p.right_row) not in known]
    MatchReview.objects.bulk_create(fresh, batch_size=2000)
    audit.record(action="basedata.dedupe.run", instance=None, acting_user=acting_user,
                 after={**summary, "run": run_key, "queued": len(fresh)})
    commit_store()
    return len(fresh)


def _decide(review: MatchReview, verb: str, acting_user: Actor) -> MatchReview:
    transition = REVIEW_WORKFLOW.enforce(acting_user, review, verb)
    review.status = str(transition.target)
    review.decided_by = None if is_system(acting_user) else acting_user  # type: ignore[assignment]
    review.decided_at = timezone.now()
    save_instance(review, acting_user=acting_user)
    return review


@action
def confirm_match(review: MatchReview, *, acting_user: Actor) -> MatchReview:
    """The two records are the same person: every later run links them."""
    return _decide(review, "confirm", acting_user)


@action
def reject_match(review: MatchReview, *, acting_user: Actor) -> MatchReview:
    """The two records are different persons: every later run keeps them apart."""
    return _decide(review, "reject", acting_user)
