"""Factories for the generic scope test: "app.Model" -> function(school) -> instance built through actions."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import Any

from edupulse.basedata.actions import BatchFacts, record_import
from edupulse.basedata.models import ImportBatch
from edupulse.core.actions import run_as_system


def make_batch(school: Any) -> ImportBatch:
    """A batch of one school's students placed in its county (the store part is not needed here)."""
    key = uuid.uuid4().hex
    facts = BatchFacts(key=key, kind="student", source="xueji", file_name=f"{school.code}.csv",
                       file_sha256=hashlib.sha256(key.encode()).hexdigest(), file_format="csv", rows_total=1,
                       rows_clean=1, rows_rejected=0, issue_counts={}, region_code=school.county_id)
    batch: ImportBatch = run_as_system(record_import, facts, commit_store=lambda: None)
    return batch


SCOPED_FACTORIES: dict[str, Callable[[Any], Any]] = {
    "basedata.ImportBatch": make_batch,
}
