"""Recomputing the stored pseudonyms under the configured key (``edupulse basedata rekey``)."""

from __future__ import annotations

from collections.abc import Callable

from edupulse.core import audit
from edupulse.core.actions import action
from edupulse.core.actors import Actor


@action
def record_rekey(summary: dict[str, object], *, acting_user: Actor, commit_store: Callable[[], None]) -> None:
    """Audit the rekey (rows per table, the fingerprints of the keys before and after — never a key, never data),
    then commit the recomputed pseudonyms to the store as the last step: all or nothing. After a rotation every
    pseudonym named earlier (page addresses, audit rows, extracts) names nobody under the new key; this row says
    when that happened and which key was in force before."""
    audit.record(action="basedata.pseudonyms.rekey", instance=None, acting_user=acting_user, after=summary)
    commit_store()
