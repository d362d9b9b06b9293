"""Recording an import batch (the provenance row and its audit entry)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from edupulse.basedata.actions.quality import record_quality
from edupulse.basedata.models import ImportBatch
from edupulse.core.actions import action, save_instance
from edupulse.core.actors import Actor, is_system


@dataclass(frozen=True)
class BatchFacts:
    """What the importer learnt about the file; the action turns it into an :class:`ImportBatch`."""

    key: str
    kind: str
    source: str
    file_name: str
    file_sha256: str
    file_format: str
    rows_total: int
    rows_clean: int
    rows_rejected: int
    issue_counts: dict[str, int] = field(default_factory=dict)
    region_code: str = ""
    # The batch's quality report (``quality.quality_report`` on the rows just written), stored with the batch.
    quality: dict[str, Any] | None = None


@action
def record_import(facts: BatchFacts, *, acting_user: Actor, commit_store: Callable[[], None]) -> ImportBatch:
    """Create the batch row (audited) and its quality scores (``record_quality``, one audit row), and, as the
    last step inside this transaction, commit the rows already written to the base-data store
    (``commit_store``). If that commit fails the batch row is rolled back with it; if anything before it
    fails, the caller rolls the store back: all or nothing."""
    batch = ImportBatch(
        key=facts.key, kind=facts.kind, source=facts.source, file_name=facts.file_name[:255],
        file_sha256=facts.file_sha256, file_format=facts.file_format, rows_total=facts.rows_total,
        rows_clean=facts.rows_clean, rows_rejected=facts.rows_rejected, issue_counts=facts.issue_counts,
        importer=None if is_system(acting_user) else acting_user,  # type: ignore[misc]  # a User here
        importer_name=acting_user.get_username(),
    )
    batch.store_placement(facts.region_code)
    save_instance(batch, acting_user=acting_user)
    if facts.quality is not None:
        record_quality(batch, facts.quality, acting_user=acting_user)
    commit_store()
    return batch
