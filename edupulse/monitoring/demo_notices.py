"""Demo notices (通报) at every stage of the rectification loop, so a newcomer sees each one working.

Run by the monitoring demo after its findings exist. The demo school CIO's school gets a website with open
findings and two items of its own to work on (one to acknowledge, one acknowledged and awaiting evidence). Across
the province there are notices whose items are: awaiting acknowledgement, acknowledged, evidence submitted,
re-probed and verified (one notice closed because all its items were), and overdue and escalated. Everything
goes through the same actions an officer's clicks do; only the dates of the overdue notice are moved into the
past, as a notice issued a month ago would be.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from edupulse.accounts.models import User
from edupulse.core import audit
from edupulse.core.actors import Actor
from edupulse.core.roles import Role
from edupulse.monitoring.actions import notices as notice_actions
from edupulse.monitoring.actions.registry import save_website
from edupulse.monitoring.actions.results import CheckLike, save_reports
from edupulse.monitoring.models import Finding, Notice, NoticeItem, Website
from edupulse.monitoring.models.registry import WebsiteCategory
from edupulse.monitoring.models.results import FindingStatus
from edupulse.orgs.models import Region, School

# Checks a unit can plausibly fix in a week, so a passing re-probe is believable.
FIXABLE = ("ipv6", "tls_certificate", "availability")


@dataclass
class _Check:
    name: str
    status: str
    score: int | None = 100
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Report:
    """A re-probe's report in the shape ``save_reports`` reads (no network in the demo)."""

    url: str
    checks: Sequence[CheckLike]
    started_at: datetime
    duration_ms: float = 180.0


def _open_findings(region_code: str, acting_user: Actor, *, school: School | None = None,
                   limit: int = 4) -> list[Finding]:
    """Open findings in the region not yet in a notice; at a small demo scale some sites are probed failing
    first, so that every notice has items."""
    chosen = _unnotified(region_code, school, limit)
    if len(chosen) < limit:
        sites = Website.objects.filter(**{_level_column(region_code, "id"): region_code}).exclude(
            findings__status=FindingStatus.OPEN)
        if school is not None:
            sites = sites.filter(school=school)
        _fail_probes(list(sites.order_by("pk")[:limit - len(chosen)]), acting_user)
        chosen = _unnotified(region_code, school, limit)
    return chosen


def _unnotified(region_code: str, school: School | None, limit: int) -> list[Finding]:
    findings = Finding.objects.filter(status=FindingStatus.OPEN, check_name__in=FIXABLE,
                                      **{_level_column(region_code, "code"): region_code})
    if school is not None:
        findings = findings.filter(website__school=school)
    taken = NoticeItem.objects.values("finding_id")
    return list(findings.exclude(pk__in=taken).select_related("website").order_by("pk")[:limit])


def _fail_probes(sites: Sequence[Website], acting_user: Actor) -> None:
    """Two failing probes in a row (IPv6, certificate) open findings on ``sites``."""
    now = timezone.now()
    for minutes in (90, 30):
        checks = tuple(_Check(name, "fail", 40, {"reason": "demo"}) for name in ("ipv6", "tls_certificate"))
        save_reports([_Report(site.url, checks, now - timedelta(minutes=minutes)) for site in sites],
                     acting_user=acting_user, websites={site.url: site for site in sites})


def _level_column(region_code: str, columns: str) -> str:
    """The placement column of a region's level: ``province_code`` on findings, ``province_id`` on websites."""
    level = {2: "province", 4: "prefecture", 6: "county"}[len(region_code)]
    return f"{level}_{columns}"


def _issue(region: Region, findings: Sequence[Finding], title: str, days: int, acting_user: Actor) -> Notice | None:
    if not findings:
        return None
    notice = notice_actions.create_notice(findings, acting_user=acting_user, region=region, title=title,
                                          deadline=timezone.localdate() + timedelta(days=days),
                                          body="请各单位对照问题清单立即整改，按期提交整改报告和佐证材料。")
    return notice_actions.issue_notice(notice, acting_user=acting_user)


def _passing_report(item: NoticeItem) -> _Report:
    return _Report(item.website.url, (_Check(item.finding.check_name, "pass", evidence={"reason": "整改后复测通过"}),),
                   timezone.now())


def _school_site_with_findings(school: School, acting_user: Actor) -> None:
    """The demo school has a website with open findings of its own (created through the probe results)."""
    site = Website.objects.filter(school=school).first()
    if site is None:
        site = Website(url=f"https://www.s{school.code}.edu.cn/", name=f"{school.name}网站",
                       category=WebsiteCategory.SCHOOL_SITE, school=school, contact_name=school.contact_name,
                       contact_phone=school.contact_phone)
        site = save_website(site, acting_user=acting_user)
    _fail_probes([site], acting_user)


def load_demo_notices(*, acting_user: Actor) -> int:
    """Create the demo notices (see the module docstring); returns the number of notices issued."""
    cio = User.objects.filter(role=Role.SCHOOL_CIO, scope_school__isnull=False).select_related("scope_school").first()
    school = cio.scope_school if cio is not None else School.objects.filter(is_active=True).order_by("code").first()
    if school is None:
        return 0
    county, prefecture, province = (Region.objects.get(pk=school.county_id), Region.objects.get(pk=school.prefecture_id),
                                    Region.objects.get(pk=school.province_id))
    _school_site_with_findings(school, acting_user)
    issued = []
    # 1. The county bureau's notice to the demo school: one item to acknowledge, one acknowledged (evidence due).
    own = _issue(county, _open_findings(county.code, acting_user, school=school, limit=2),
                 f"关于{school.name}网站安全问题限期整改的通报", 20, acting_user)
    if own is not None:
        issued.append(own)
        items = list(own.items.order_by("pk"))
        if len(items) > 1:
            notice_actions.acknowledge_item(items[1], acting_user=acting_user)
    # 2. The prefecture's notice: acknowledged, evidence submitted (awaiting re-probe), and re-probed and verified.
    stages = _issue(prefecture, _open_findings(prefecture.code, acting_user, limit=4),
                    f"关于{prefecture.name}教育系统网站安全监测发现问题的通报", 15, acting_user)
    if stages is not None:
        issued.append(stages)
        items = list(stages.items.order_by("pk"))
        for item in items:
            notice_actions.acknowledge_item(item, acting_user=acting_user)
        for item in items[1:]:
            notice_actions.submit_evidence(item, acting_user=acting_user, response="已完成整改：配置IPv6地址并更新证书。")
        if len(items) > 3:
            notice_actions.record_reprobe(items[3], [_passing_report(items[3])], acting_user=acting_user)
    # 3. A province notice whose every item was verified: the notice closed itself.
    closed = _issue(province, _open_findings(province.code, acting_user, limit=2), "关于部分教育网站IPv6改造情况的通报",
                    10, acting_user)
    if closed is not None:
        issued.append(closed)
        for item in closed.items.order_by("pk"):
            notice_actions.acknowledge_item(item, acting_user=acting_user)
            notice_actions.submit_evidence(item, acting_user=acting_user, response="已完成IPv6改造。")
            notice_actions.record_reprobe(item, [_passing_report(item)], acting_user=acting_user)
    # 4. A notice issued a month ago whose deadline passed: its open items are overdue and escalated.
    overdue = _issue(province, _open_findings(province.code, acting_user, limit=3), "关于教育网站安全隐患整改逾期情况的通报", 1,
                     acting_user)
    if overdue is not None:
        issued.append(overdue)
        _backdate(overdue, acting_user)
        notice_actions.escalate_overdue(acting_user=acting_user)
    return len(issued)


def _backdate(notice: Notice, acting_user: Actor) -> None:
    """Move an issued notice a month into the past (created, issued, deadline a week ago), audited as such."""
    now = timezone.now()
    before = audit.snapshot(notice)
    Notice.objects.filter(pk=notice.pk).update(created_at=now - timedelta(days=31), issued_at=now - timedelta(days=30),
                                               deadline=timezone.localdate() - timedelta(days=7))
    notice.refresh_from_db()
    audit.record("monitoring.notice.demo_backdate", notice, acting_user=acting_user, before=before,
                 after=audit.snapshot(notice))
