"""Factories for the generic scope test: "app.Model" -> function(school) -> instance built through actions."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from edupulse.core.actions import run_as_system
from edupulse.monitoring import actions
from edupulse.monitoring.checks import CHECK_NAMES
from edupulse.monitoring.models import (
    AlertChannel,
    EducationApp,
    Finding,
    InformationSystem,
    MaintenanceWindow,
    Notice,
    Website,
)
from edupulse.orgs.models import Region, School

_sequence = itertools.count(1)


def make_website(school: School | None = None, *, region: str = "", **fields: Any) -> Website:
    number = next(_sequence)
    values: dict[str, Any] = {
        "url": f"https://www{number}.example.edu.cn/",
        "name": f"测试网站{number}",
        "category": "school_site" if school is not None else "bureau_portal",
        "school": school,
        "owner_region_id": region or None,
    }
    values.update(fields)
    site: Website = run_as_system(actions.save_website, Website(**values))
    return site


def make_system(school: School | None = None, *, region: str = "", **fields: Any) -> InformationSystem:
    number = next(_sequence)
    values: dict[str, Any] = {
        "name": f"测试系统{number}", "school": school, "owner_region_id": region or None,
        "info_harm_object": "society", "info_harm_degree": "serious",
        "service_harm_object": "citizens", "service_harm_degree": "serious",
    }
    values.update(fields)
    system: InformationSystem = run_as_system(actions.save_system, InformationSystem(**values))
    return system


def make_app(school: School | None = None, *, region: str = "", **fields: Any) -> EducationApp:
    number = next(_sequence)
    values: dict[str, Any] = {"name": f"测试App{number}", "school": school, "owner_region_id": region or None,
                              "platform": "android", "provider": "某科技公司", "status": "not_filed"}
    values.update(fields)
    app: EducationApp = run_as_system(actions.save_app, EducationApp(**values))
    return app


@dataclass(frozen=True)
class FakeCheck:
    name: str
    status: str
    score: int | None = None
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FakeReport:
    url: str
    checks: tuple[FakeCheck, ...]
    started_at: datetime
    duration_ms: float = 12.0


def report(url: str, *, failing: tuple[str, ...] = (), at: datetime | None = None,
           evidence: dict[str, dict[str, Any]] | None = None) -> FakeReport:
    """A report where every check passes except those in ``failing``."""
    evidence = evidence or {}
    checks = tuple(FakeCheck(name, "fail" if name in failing else "pass", 50 if name in failing else 100,
                             evidence.get(name, {"reason": "test"}))
                   for name in CHECK_NAMES)
    return FakeReport(url=url, checks=checks, started_at=at or timezone.now())


def make_finding(site: Website, check: str = "hsts") -> Finding:
    """An open finding on ``site`` (two failing probes in a row)."""
    now = timezone.now()
    for offset in (2, 1):
        run_as_system(actions.save_reports, [report(site.url, failing=(check,), at=now - timedelta(minutes=offset))])
    return Finding.objects.get(website=site, check_name=check, status="open")


def make_notice(school: School) -> Notice:
    site = make_website(school)
    finding = make_finding(site)
    county = Region.objects.get(code=school.county_id)
    notice: Notice = run_as_system(actions.create_notice, [finding], region=county, title="关于网站安全问题的通报",
                                   deadline=date.today() + timedelta(days=10))
    return notice


def make_channel(school: School) -> AlertChannel:
    channel: AlertChannel = run_as_system(actions.save_channel, AlertChannel(
        region_id=school.county_id, name="县级告警", kind="email", target="ops@example.edu.cn"))
    return channel


def make_window(school: School) -> MaintenanceWindow:
    now = timezone.now()
    window: MaintenanceWindow = run_as_system(actions.save_window, MaintenanceWindow(
        region_id=school.county_id, starts_at=now, ends_at=now + timedelta(hours=2), reason="机房搬迁"))
    return window


def make_sweep(school: School) -> Any:
    make_website(school)
    county = Region.objects.get(code=school.county_id)
    return run_as_system(actions.start_sweep, region=county, enqueue=False)


def make_delivery(school: School) -> Any:
    make_channel(school)
    finding = make_finding(make_website(school), "availability")
    return finding.deliveries.first()


def make_region_daily(school: School) -> Any:
    from edupulse.monitoring.models import RegionDaily

    make_finding(make_website(school))
    run_as_system(actions.roll_up_day)
    return RegionDaily.objects.get(region_id=school.county_id, day=timezone.localdate())


SCOPED_FACTORIES: dict[str, Callable[[Any], Any]] = {
    "monitoring.Website": lambda school: make_website(school),
    "monitoring.InformationSystem": lambda school: make_system(school),
    "monitoring.EducationApp": lambda school: make_app(school),
    "monitoring.Finding": lambda school: make_finding(make_website(school)),
    "monitoring.CheckResult": lambda school: make_finding(make_website(school)).website.results.first(),
    "monitoring.DailyAggregate": lambda school: make_finding(make_website(school)).website.daily.first(),
    "monitoring.SiteState": lambda school: make_finding(make_website(school)).website.state,
    "monitoring.Notice": make_notice,
    "monitoring.NoticeItem": lambda school: make_notice(school).items.first(),
    "monitoring.AlertChannel": make_channel,
    "monitoring.MaintenanceWindow": make_window,
    "monitoring.Sweep": make_sweep,
    "monitoring.SweepBatch": lambda school: make_sweep(school).batches.first(),
    "monitoring.AlertDelivery": make_delivery,
    "monitoring.RegionDaily": make_region_daily,
}
