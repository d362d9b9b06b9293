"""State changes of the base data (re-exported; see docs/architecture.md, Request → action → audit)."""

from edupulse.basedata.actions.imports import BatchFacts, record_import

__all__ = ["BatchFacts", "record_import"]
