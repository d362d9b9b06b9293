"""State changes of the base data (re-exported; see docs/architecture.md, Request → action → audit)."""

from edupulse.basedata.actions.imports import BatchFacts, record_import
from edupulse.basedata.actions.linking import QueuedPair, confirm_match, record_dedupe, reject_match

__all__ = ["BatchFacts", "QueuedPair", "confirm_match", "record_dedupe", "record_import", "reject_match"]
