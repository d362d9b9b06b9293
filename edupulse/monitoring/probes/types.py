"""Value types shared by every probe: check outcomes, reports and page snapshots.

Everything here is a frozen dataclass and JSON-friendly (``evidence`` holds only str/int/float/bool/None,
lists and dicts of those), so the monitoring platform can store results as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

#: The status of a check's outcome (the platform stores it as ``monitoring.checks.CheckStatus``).
OutcomeStatus = Literal["pass", "warn", "fail", "error"]
STATUSES: tuple[str, ...] = ("pass", "warn", "fail", "error")


@dataclass(frozen=True)
class CheckOutcome:
    """The outcome of one check on one site (the platform stores it as a ``monitoring.models.CheckResult`` row).

    ``status`` is pass / warn / fail / error (error = the probe itself could not decide, e.g. a timeout
    while the check needed the page). ``score`` is 0-100 for most checks, the Observatory score (which may
    exceed 100) for ``headers``, or None where a number means nothing. A check that does not apply passes
    with ``evidence["applicable"] = False`` and ``evidence["reason"]``.
    """

    name: str
    status: OutcomeStatus
    score: int | None
    evidence: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "score": self.score, "evidence": self.evidence}




def not_applicable(name: str, reason: str, **extra: Any) -> CheckOutcome:
    """A check that does not apply to this site: it passes and says why (never absent)."""
    return CheckOutcome(name, "pass", None, {"applicable": False, "reason": reason, **extra})


def error_result(name: str, reason: str, **extra: Any) -> CheckOutcome:
    """The probe could not decide (network error before the check could run, internal error)."""
    return CheckOutcome(name, "error", None, {"reason": reason, **extra})


@dataclass(frozen=True)
class PageSnapshot:
    """One fetch of a page: what tampering baselines and comparisons are made from.

    ``body`` is the decoded text (capped at ``ProbeConfig.max_bytes``); ``headers`` keeps the final
    response's headers with lower-cased names, in order, duplicates kept.
    """

    url: str
    final_url: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: str
    fetched_at: datetime
    elapsed_ms: float = 0.0
    truncated: bool = False

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers:
            if key == lowered:
                return value
        return None

    def header_all(self, name: str) -> list[str]:
        lowered = name.lower()
        return [value for key, value in self.headers if key == lowered]


@dataclass(frozen=True)
class SiteReport:
    """Every check for one URL, in the registry's order (``probes.checks``; only the requested ones when
    ``checks=`` is given).

    ``snapshot`` is the browser fetch of the page, kept only when ``probe_sites(keep_snapshots=True)`` —
    the platform collects these to build tampering baselines with ``build_baseline``.
    """

    url: str
    checks: tuple[CheckOutcome, ...]
    started_at: datetime
    duration_ms: float
    snapshot: PageSnapshot | None = None

    def check(self, name: str) -> CheckOutcome:
        for result in self.checks:
            if result.name == name:
                return result
        raise KeyError(name)

    def as_dict(self) -> dict[str, Any]:
        """The CLI/JSON shape: ``{"url", "checks": [{"name", "status", "score", "evidence"}]}``."""
        return {"url": self.url, "checks": [result.as_dict() for result in self.checks]}
