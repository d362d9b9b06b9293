"""State changes of this app (one module per topic)."""

from edupulse.reports.actions.runs import finish_run, record_progress, request_annual_report

__all__ = ["finish_run", "record_progress", "request_annual_report"]
