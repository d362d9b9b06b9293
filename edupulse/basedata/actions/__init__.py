"""State changes of the base data (re-exported; see docs/architecture.md, Request → action → audit)."""

from edupulse.basedata.actions.imports import BatchFacts, record_import
from edupulse.basedata.actions.linking import QueuedPair, confirm_match, record_dedupe, reject_match
from edupulse.basedata.actions.pseudonyms import record_rekey
from edupulse.basedata.actions.quality import record_quality
from edupulse.basedata.actions.sharing import (
    approve_minors_data,
    approve_share_request,
    reject_share_request,
    submit_share_request,
)

__all__ = ["BatchFacts", "QueuedPair", "approve_minors_data", "approve_share_request", "confirm_match",
           "record_dedupe", "record_import", "record_quality", "record_rekey", "reject_match", "reject_share_request",
           "submit_share_request"]
