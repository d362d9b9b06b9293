"""Saving probe reports: raw results, daily aggregates, site state and findings (one action).

A finding opens after ``FAILURES_TO_OPEN`` failing (or warning) runs of a check in a row and resolves
after ``SUCCESSES_TO_RESOLVE`` passing runs in a row; a run whose probe itself errored changes neither
streak (the site's fault is not proven). Saving is idempotent per sweep: a site that already has
results in the sweep is skipped, so a batch re-run after a crash never doubles anything.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone, translation

from edupulse.core import audit
from edupulse.core.actions import action
from edupulse.core.actors import Actor
from edupulse.core.context import inside_action
from edupulse.monitoring import fastsql
from edupulse.monitoring.actions.alerts import queue_alerts
from edupulse.monitoring.checks import CheckStatus, severity_for
from edupulse.monitoring.describing import describe
from edupulse.monitoring.models import (
    AlertDelivery,
    CheckResult,
    DailyAggregate,
    Finding,
    RegionDaily,
    SiteState,
    SweepBatch,
    Website,
)
from edupulse.monitoring.models.results import FindingStatus

if TYPE_CHECKING:
    from edupulse.monitoring.models import Sweep

FAILURES_TO_OPEN = 2
SUCCESSES_TO_RESOLVE = 2
RAW_RETENTION_DAYS = 30
AGGREGATE_RETENTION_DAYS = 5 * 366
DELIVERY_RETENTION_DAYS = 180
PROBLEM = {CheckStatus.FAIL, CheckStatus.WARN}
_COUNTER: dict[str, int] = {CheckStatus.PASS: 0, CheckStatus.WARN: 1, CheckStatus.FAIL: 2, CheckStatus.ERROR: 3}  # after "runs"


class CheckLike(Protocol):
    name: str
    status: str
    score: int | None
    evidence: dict[str, Any]


class ReportLike(Protocol):
    """The engine's ``SiteReport`` (duck-typed so that tests and the demo can build their own)."""

    url: str
    checks: Sequence[CheckLike]
    started_at: datetime
    duration_ms: float


@dataclass
class SaveSummary:
    saved_sites: int = 0
    skipped_sites: int = 0
    unknown_urls: list[str] = field(default_factory=list)
    results: int = 0
    opened: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)


def _summary_text(check: CheckLike) -> str:
    """The finding's one-line summary in the server's language (Chinese by default), for lists, exports and
    alerts; pages show ``Finding.description`` in the reader's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return describe(check.name, check.evidence or {}, check.status)[:255]


def _cert_not_after(check: CheckLike, checked_at: datetime) -> date | None:
    evidence = check.evidence or {}
    for key in ("not_after", "expires_at", "notAfter"):
        value = evidence.get(key)
        if isinstance(value, str):
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
            except ValueError:
                continue
    for key in ("days_to_expiry", "days_left", "days_remaining"):
        value = evidence.get(key)
        if isinstance(value, (int, float)):
            return (checked_at + timedelta(days=float(value))).date()
    return None


def _applies(check: CheckLike) -> bool:
    """The engine marks a check that does not apply with ``evidence["applicable"] = False``."""
    return (check.evidence or {}).get("applicable", True) is not False


def _update_state(state: SiteState, checks: Sequence[CheckLike], checked_at: datetime) -> None:
    state.last_probed_at = checked_at
    by_name = {c.name: c for c in checks}
    for check in checks:
        state.statuses[check.name] = check.status
    if (c := by_name.get("availability")) is not None and c.status != CheckStatus.ERROR:
        state.available = c.status in (CheckStatus.PASS, CheckStatus.WARN)
    if (c := by_name.get("ipv6")) is not None and c.status != CheckStatus.ERROR:
        state.ipv6 = c.status == CheckStatus.PASS if _applies(c) else None
    if (c := by_name.get("tls_certificate")) is not None and c.status != CheckStatus.ERROR:
        # "Does not apply" here means the site has no HTTPS service at all.
        state.https = c.status in (CheckStatus.PASS, CheckStatus.WARN) and _applies(c)
        state.cert_not_after = _cert_not_after(c, checked_at) if state.https else None
    if (c := by_name.get("headers")) is not None and isinstance((c.evidence or {}).get("grade"), str):
        state.headers_grade = str(c.evidence["grade"])[:2]
    scores = [c.score for c in checks if c.score is not None]
    state.score = round(sum(scores) / len(scores)) if scores else state.score


@action
def save_reports(reports: Iterable[ReportLike], *, acting_user: Actor, sweep: Sweep | None = None,
                 websites: dict[str, Website] | None = None) -> SaveSummary:
    """Store a list of site reports (see module docstring); writes one summary audit row, plus one per
    finding opened or resolved. ``websites`` maps URL → Website when the caller already has them."""
    reports = list(reports)
    summary = SaveSummary()
    urls = [r.url for r in reports]
    sites = websites if websites is not None else {w.url: w for w in Website.objects.filter(url__in=urls)}
    known = [r for r in reports if r.url in sites]
    summary.unknown_urls = [r.url for r in reports if r.url not in sites]
    if sweep is not None:
        done = set(CheckResult.objects.filter(sweep=sweep, website__in=[sites[r.url] for r in known])
                   .values_list("website_id", flat=True).distinct())
        summary.skipped_sites = sum(1 for r in known if sites[r.url].pk in done)
        known = [r for r in known if sites[r.url].pk not in done]
    if not known:
        return summary
    site_ids = [sites[r.url].pk for r in known]
    states = {s.website_id: s for s in SiteState.objects.filter(website_id__in=site_ids)}
    open_findings = {(f.website_id, f.check_name): f
                     for f in Finding.objects.filter(website_id__in=site_ids, status=FindingStatus.OPEN)}
    # (site, day, check) -> this call's [runs, passes, warns, fails, errors, score_sum, scored_runs, last_status];
    # added to the stored counters by the database, so that a quick and a full sweep saving the same site at
    # the same time both count.
    aggregates: dict[tuple[int, date, str], list[Any]] = {}
    new_results: list[tuple[Any, ...]] = []
    sweep_id = sweep.pk if sweep is not None else None
    for report in known:
        site = sites[report.url]
        checked_at = report.started_at
        day = timezone.localdate(checked_at)
        state = states.get(site.pk)
        if state is None:
            state = SiteState(website=site, statuses={}, streaks={})
            states[site.pk] = state
        state.copy_placement(site)
        for check in report.checks:
            new_results.append((site.pk, sweep_id, check.name, check.status, check.score, check.evidence or {},
                                checked_at, report.duration_ms))
            agg = aggregates.setdefault((site.pk, day, check.name), [0, 0, 0, 0, 0, 0, 0, check.status])
            agg[0] += 1
            agg[1 + _COUNTER[check.status]] += 1
            if check.score is not None:
                agg[5] += check.score
                agg[6] += 1
            agg[7] = check.status
            _advance_finding(site, check, state, open_findings, checked_at, summary, acting_user)
        _update_state(state, report.checks, checked_at)
        summary.saved_sites += 1
    fastsql.upsert(CheckResult, ("website_id", "sweep_id", "check_name", "status", "score", "evidence",
                                 "checked_at", "duration_ms"), new_results)
    counters = ("runs", "passes", "warns", "fails", "errors", "score_sum", "scored_runs")
    fastsql.upsert(DailyAggregate, ("website_id", "day", "check_name", *counters, "last_status"),
                   [(*key, *values) for key, values in aggregates.items()],
                   conflict=("website_id", "day", "check_name"), update=("last_status",), increment=counters)
    SiteState.objects.bulk_create(
        list(states.values()), batch_size=2000, update_conflicts=True, unique_fields=["website"],
        update_fields=["last_probed_at", "statuses", "streaks", "available", "ipv6", "https", "cert_not_after",
                       "headers_grade", "score", "province_code", "prefecture_code", "county_code", "school_id",
                       "active"])
    summary.results = len(new_results)
    audit.record("monitoring.results.save", sweep, acting_user=acting_user,
                 object_type="monitoring.checkresult", object_repr=f"{summary.saved_sites} sites",
                 after={"sites": summary.saved_sites, "results": summary.results, "skipped": summary.skipped_sites,
                        "opened": summary.opened, "resolved": summary.resolved,
                        "sweep": sweep.pk if sweep is not None else None})
    for finding_id in summary.opened:
        queue_alerts(finding_id, "opened")
    for finding_id in summary.resolved:
        queue_alerts(finding_id, "resolved")
    return summary


def _advance_finding(site: Website, check: CheckLike, state: SiteState,
                     open_findings: dict[tuple[int, str], Finding], checked_at: datetime, summary: SaveSummary,
                     acting_user: Actor) -> None:
    fails, passes = state.streaks.get(check.name, [0, 0])
    if check.status == CheckStatus.ERROR:
        return
    if check.status in PROBLEM:
        fails, passes = fails + 1, 0
    else:
        fails, passes = 0, passes + 1
    state.streaks[check.name] = [fails, passes]
    finding = open_findings.get((site.pk, check.name))
    if check.status in PROBLEM:
        severity = severity_for(check.name, check.status)
        if finding is not None:
            finding.last_seen, finding.evidence = checked_at, check.evidence or {}
            finding.severity = max(finding.severity, severity)
            with inside_action():
                finding.save(update_fields=["last_seen", "evidence", "severity"])
        elif fails >= FAILURES_TO_OPEN:
            finding = Finding(website=site, check_name=check.name, severity=severity, first_seen=checked_at,
                              last_seen=checked_at, summary=_summary_text(check), evidence=check.evidence or {})
            finding.save()
            open_findings[(site.pk, check.name)] = finding
            audit.record("monitoring.finding.open", finding, acting_user=acting_user, after=audit.snapshot(finding))
            summary.opened.append(finding.pk)
    elif finding is not None and passes >= SUCCESSES_TO_RESOLVE:
        before = audit.snapshot(finding)
        finding.status, finding.resolved_at, finding.last_seen = FindingStatus.RESOLVED, checked_at, checked_at
        finding.save()
        del open_findings[(site.pk, check.name)]
        audit.record("monitoring.finding.resolve", finding, acting_user=acting_user, before=before,
                     after=audit.snapshot(finding))
        summary.resolved.append(finding.pk)


@dataclass
class PurgeSummary:
    results: int
    aggregates: int
    deliveries: int
    batches: int


@action
def purge_results(*, acting_user: Actor, now: datetime | None = None,
                  raw_days: int = RAW_RETENTION_DAYS,
                  aggregate_days: int = AGGREGATE_RETENTION_DAYS) -> PurgeSummary:
    """Delete raw results older than ``raw_days`` and aggregates older than ``aggregate_days``."""
    now = now or timezone.now()
    results = CheckResult.objects.filter(checked_at__lt=now - timedelta(days=raw_days)).delete()[0]
    aggregates = DailyAggregate.objects.filter(day__lt=(now - timedelta(days=aggregate_days)).date()).delete()[0]
    deliveries = AlertDelivery.objects.filter(created_at__lt=now - timedelta(days=DELIVERY_RETENTION_DAYS)).delete()[0]
    batches = SweepBatch.objects.filter(sweep__created_at__lt=now - timedelta(days=raw_days)).delete()[0]
    summary = PurgeSummary(results, aggregates, deliveries, batches)
    audit.record("monitoring.results.purge", None, acting_user=acting_user, object_type="monitoring.checkresult",
                 object_repr="purge", after=summary.__dict__ | {"raw_days": raw_days, "aggregate_days": aggregate_days})
    return summary


@action
def roll_up_day(*, acting_user: Actor, day: date | None = None) -> int:
    """Write the dashboard's per-region counts for ``day`` (today by default) from the current site
    states and open findings; re-running a day replaces its rows."""
    day = day or timezone.localdate()
    sites = Website.objects.filter(is_active=True)
    counters: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for level in ("province_id", "prefecture_id", "county_id"):
        rows = (sites.exclude(**{f"{level}__isnull": True}).values(level)
                .annotate(sites=Count("id"), probed=Count("state__last_probed_at"),
                          available=Count("id", filter=Q(state__available=True)),
                          ipv6=Count("id", filter=Q(state__ipv6=True)),
                          https=Count("id", filter=Q(state__https=True))).order_by())
        for row in rows:
            target = counters[row[level]]
            for key in ("sites", "probed", "available", "ipv6", "https"):
                target[key] = row[key]
        open_rows = (Finding.objects.filter(status=FindingStatus.OPEN, website__is_active=True)
                     .exclude(**{f"website__{level}__isnull": True})
                     .values(f"website__{level}").annotate(n=Count("id")).order_by())
        for row in open_rows:
            counters[row[f"website__{level}"]]["open_findings"] = row["n"]
    RegionDaily.objects.filter(day=day).delete()
    RegionDaily.objects.bulk_create([
        RegionDaily(region_id=code, **RegionDaily.placement_fields(code), day=day, **values)
        for code, values in counters.items()
    ], batch_size=2000)
    audit.record("monitoring.regiondaily.roll_up", None, acting_user=acting_user,
                 object_type="monitoring.regiondaily", object_repr=str(day), after={"regions": len(counters)})
    return len(counters)
