"""The situational-awareness dashboard: numbers for one region, each with the number of sites it covers.

Current figures come from :class:`SiteState` (one row per site) and open findings; the trend up to
yesterday from the :class:`RegionDaily` roll-up (one row per region and day) and today's point from the
current figures (see :func:`trend`), so a page costs a handful of indexed aggregate queries
whatever the number of sites or the length of history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from edupulse.core.permissions import can
from edupulse.core.regions import RegionCode, level_below, level_field
from edupulse.monitoring.checks import Severity
from edupulse.monitoring.models import Finding, InformationSystem, NoticeItem, RegionDaily, SiteState, Website
from edupulse.monitoring.models.notices import OPEN_ITEM_STATUSES
from edupulse.monitoring.models.results import FindingStatus
from edupulse.orgs.models import Region

IPV6_TARGET = 100.0  # % of official education websites (work plans: all of them)
CERT_WARNING_DAYS = 30
TREND_DAYS = 365
WORST_SITES = 10
# Every function takes a region code, "" for the nation. Websites hold their placement in foreign-key
# columns (province_id …), site states and findings in char columns (province_code …).


def _child_level(region_code: str) -> str | None:
    """The level of the breakdown below ``region_code`` (provinces for the nation; None below a county)."""
    region = RegionCode.parse_optional(region_code)
    return level_below(region.level if region is not None else None)


def rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class Figure:
    value: int
    covered: int  # how many sites the figure is computed over

    @property
    def percent(self) -> float | None:
        return rate(self.value, self.covered)


def _sites(user: Any, region_code: str) -> QuerySet[Website]:
    sites = Website.objects.visible_to(user).filter(is_active=True)
    if region_code:
        sites = sites.filter(**RegionCode.parse(region_code).lookup())
    return sites


def _states(user: Any, region_code: str) -> QuerySet[SiteState]:
    """Current states of the active sites in the region, scoped, read without joining the websites."""
    states = SiteState.objects.visible_to(user).filter(active=True)
    if region_code:
        states = states.filter(**RegionCode.parse(region_code).lookup("code"))
    return states


def _state_counts(today: date) -> dict[str, Count]:
    """Fresh expressions each time. They count ``active`` (never null) rather than the primary key, which
    is not in the covering indexes, so that SQLite and PostgreSQL answer from the index alone."""
    soon = today + timedelta(days=CERT_WARNING_DAYS)
    return {
        "probed": Count("active", filter=Q(last_probed_at__isnull=False)),
        "available_known": Count("active", filter=Q(available__isnull=False)),
        "available": Count("active", filter=Q(available=True)),
        "ipv6_known": Count("active", filter=Q(ipv6__isnull=False)),
        "ipv6": Count("active", filter=Q(ipv6=True)),
        "https_known": Count("active", filter=Q(https__isnull=False)),
        "https": Count("active", filter=Q(https=True)),
        "certs": Count("active", filter=Q(cert_not_after__isnull=False)),
        "expiring": Count("active", filter=Q(cert_not_after__gte=today, cert_not_after__lte=soon)),
        "expired": Count("active", filter=Q(cert_not_after__lt=today)),
    }


@dataclass
class Counts:
    """Site and state counts of a region, total and per child region, from one grouped query each."""

    sites: dict[str, int]  # child code ("" = sites of the region itself) -> active sites
    states: dict[str, dict[str, int]]  # child code -> the counts of _state_counts

    def total(self, key: str) -> int:
        return sum(r.get(key, 0) for r in self.states.values())


def counts(user: Any, region_code: str, today: date | None = None) -> Counts:
    today = today or timezone.localdate()
    child_level = _child_level(region_code)
    sites_qs, states_qs = _sites(user, region_code), _states(user, region_code)
    if child_level is None:  # a county: nothing below it
        return Counts({"": sites_qs.count()}, {"": states_qs.aggregate(**_state_counts(today))})
    child_site, child_state = level_field(child_level), level_field(child_level, "code")
    sites = {code or "": n for code, n in sites_qs.values_list(child_site).annotate(n=Count("pk")).order_by()}
    states = {r.pop(child_state) or "": r
              for r in states_qs.values(child_state).annotate(**_state_counts(today)).order_by()}
    return Counts(sites, states)


def summary(user: Any, region_code: str, today: date | None = None, known: Counts | None = None) -> dict[str, Any]:
    """The region's figures; ``known`` reuses counts already made for the breakdown."""
    today = today or timezone.localdate()
    c = known or counts(user, region_code, today)
    now = timezone.now()
    findings = Finding.objects.visible_to(user).filter(status=FindingStatus.OPEN)
    if region_code:
        findings = findings.filter(**RegionCode.parse(region_code).lookup("code"))
    by_severity = {r["severity"]: r for r in findings.values("severity").annotate(
        total=Count("pk"), week=Count("pk", filter=Q(first_seen__lt=now - timedelta(days=7))),
        month=Count("pk", filter=Q(first_seen__lt=now - timedelta(days=30)))).order_by()}
    severities = [{"severity": int(s), "label": str(s.label), "total": by_severity.get(int(s), {}).get("total", 0),
                   "older_than_7_days": by_severity.get(int(s), {}).get("week", 0),
                   "older_than_30_days": by_severity.get(int(s), {}).get("month", 0)}
                  for s in sorted(Severity, reverse=True)]
    # Rank on the index alone, then fetch the names of the few worst sites.
    worst = list(findings.values("website_id").annotate(weight=Sum("severity"), open=Count("pk"))
                 .order_by("-weight", "-open", "website_id")[:WORST_SITES])
    names = {w["pk"]: w for w in Website.objects.filter(pk__in=[r["website_id"] for r in worst])
             .values("pk", "name", "url")}
    for site in worst:
        site["website__name"], site["website__url"] = names[site["website_id"]]["name"], names[site["website_id"]]["url"]
    return {
        "sites": sum(c.sites.values()), "probed": c.total("probed"),
        "available": Figure(c.total("available"), c.total("available_known")),
        "ipv6": Figure(c.total("ipv6"), c.total("ipv6_known")),
        "https": Figure(c.total("https"), c.total("https_known")),
        "expiring": Figure(c.total("expiring"), c.total("certs")),
        "expired": Figure(c.total("expired"), c.total("certs")),
        "ipv6_target": IPV6_TARGET,
        "severities": severities,
        "open_findings": sum(s["total"] for s in severities),
        "worst": worst,
    }


def breakdown(user: Any, region_code: str, known: Counts | None = None) -> list[dict[str, Any]]:
    """Per child region (prefectures of a province, counties of a prefecture): the same rates."""
    if _child_level(region_code) is None:
        return []
    c = known or counts(user, region_code)
    children = sorted(code for code in c.sites if code)
    names = dict(Region.objects.filter(code__in=children).values_list("code", "name"))
    rows = []
    for code in children:
        r = c.states.get(code, {})
        rows.append({"code": code, "name": names.get(code, code), "sites": c.sites[code],
                     "ipv6": Figure(r.get("ipv6", 0), r.get("ipv6_known", 0)),
                     "https": Figure(r.get("https", 0), r.get("https_known", 0)),
                     "available": Figure(r.get("available", 0), r.get("available_known", 0))})
    return rows


# Columns of the region table a user may sort by: key → how to read it from a row (missing values last).
SORT_KEYS: dict[str, Any] = {
    "name": lambda row: row["code"],
    "sites": lambda row: row["sites"],
    "ipv6": lambda row: row["ipv6"].percent,
    "https": lambda row: row["https"].percent,
    "available": lambda row: row["available"].percent,
}
HTTPS_TARGET = 100.0  # work plans: every official site over HTTPS (seed 000 item 20)


def sort_breakdown(rows: list[dict[str, Any]], sort: str) -> tuple[list[dict[str, Any]], str]:
    """The rows ordered by ``sort`` (a key of SORT_KEYS, ``-`` first for descending; regions without a value
    last either way); returns the rows and the sort actually applied (the region code when ``sort`` is unknown)."""
    key = sort.lstrip("-")
    if key not in SORT_KEYS:
        return rows, "name"
    read = SORT_KEYS[key]
    known = [r for r in rows if read(r) is not None]
    unknown = [r for r in rows if read(r) is None]
    return sorted(known, key=read, reverse=sort.startswith("-")) + unknown, sort


def breakdown_table(rows: list[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the region table for export: each rate with the sites it is computed over."""
    header = [_("Region code"), _("Region"), _("Sites"), _("IPv6 support rate") + "（%）", _("IPv6: sites checked"),
              _("HTTPS rate") + "（%）", _("HTTPS: sites checked"), _("Availability") + "（%）",
              _("Availability: sites checked")]
    body = [[r["code"], r["name"], r["sites"], r["ipv6"].percent, r["ipv6"].covered, r["https"].percent,
             r["https"].covered, r["available"].percent, r["available"].covered] for r in rows]
    return header, body


def trend(user: Any, region_code: str, today: date | None = None,
          current: dict[str, Any] | None = None) -> dict[str, list[Any]]:
    """Daily rates of the last TREND_DAYS days from the roll-up; with ``current`` (the tiles' :func:`summary`),
    today's point is the tiles' figures instead of today's roll-up row.

    Why: the roll-up is written every EDUPULSE_ROLLUP_MINUTES from the states of that moment (a rate of the
    sites probed), while the tiles read the states now (a rate of the sites whose state is known). Read side
    by side, the line's last point and the tiles must be one figure, so today is taken from the same counts;
    refreshing the roll-up on every page view instead would write from a read.
    """
    today = today or timezone.localdate()
    rows = RegionDaily.objects.visible_to(user).filter(day__gt=today - timedelta(days=TREND_DAYS))
    if current is not None:
        rows = rows.exclude(day=today)
    # A region's own rows; for the nation, the sum of the provinces.
    rows = rows.filter(region_id=region_code) if region_code else rows.filter(prefecture_code="")
    per_day: dict[date, dict[str, Any]] = {}
    for r in rows.values("day").annotate(sites=Sum("sites"), probed=Sum("probed"), ipv6=Sum("ipv6"),
                                         https=Sum("https"), available=Sum("available"),
                                         open_findings=Sum("open_findings")).order_by("day"):
        per_day[r["day"]] = {key: rate(r[key], r["probed"]) for key in ("ipv6", "https", "available")} | {
            "open_findings": r["open_findings"], "probed": r["probed"]}
    if current is not None and current["sites"]:
        per_day[today] = {key: current[key].percent for key in ("ipv6", "https", "available")} | {
            "open_findings": current["open_findings"], "probed": current["probed"]}
    days = sorted(per_day)
    return {"days": [d.isoformat() for d in days],
            **{key: [per_day[d][key] for d in days] for key in ("ipv6", "https", "available", "open_findings",
                                                               "probed")}}


def overview_panel(request: Any) -> dict[str, Any] | None:
    """The monitoring panel of the overview page: key rates, open findings and pending rectification."""
    user = request.user
    if not can(user, "view", Website):
        return None
    figures = summary(user, "")
    overdue = (InformationSystem.objects.visible_to(user).filter(next_assessment_due__lt=timezone.localdate()).count()
               if can(user, "view", InformationSystem) else 0)
    pending = (NoticeItem.objects.visible_to(user).filter(status__in=OPEN_ITEM_STATUSES, notice__status="issued")
               .count() if can(user, "view", NoticeItem) else 0)
    return {"summary": figures, "overdue_assessments": overdue, "pending_items": pending}
