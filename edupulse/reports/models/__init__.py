"""Models of this app (one module per model family)."""

from edupulse.reports.models.runs import ReportRun, RunStatus

__all__ = ["ReportRun", "RunStatus"]
