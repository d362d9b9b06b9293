"""Demo data for the monitoring platform, without network access (``edupulse monitor demo``).

For the schools and bureaus in the database: a portal for every education bureau (province,
prefectures, counties that have schools), a website for about 30 % of schools, business systems with
等保 levels (some overdue, some never filed), some education apps, the current state of every site,
open findings that match that state, a year of regional daily figures for the trend (improving IPv6
and HTTPS rates), and daily aggregates: a year of ``availability`` for the bureau portals and the
last ``RECENT_DAYS`` days of availability / IPv6 / TLS certificate for every site (a full year of every
check for every site would be ~100 million rows; the dashboard reads the regional roll-up instead).

Deterministic for a seed; refuses to run twice (it only adds to an empty registry).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone, translation

from edupulse.core import audit
from edupulse.core.actions import action
from edupulse.core.actors import SYSTEM, Actor
from edupulse.core.context import inside_action
from edupulse.core.regions import PREFECTURE, PROVINCE, RegionCode
from edupulse.monitoring.checks import severity_for
from edupulse.monitoring.demo_notices import load_demo_notices
from edupulse.monitoring.describing import describe
from edupulse.monitoring.models import (
    DailyAggregate,
    EducationApp,
    Finding,
    InformationSystem,
    RegionDaily,
    SiteState,
    Website,
)
from edupulse.monitoring.models.registry import AppPlatform, AppStatus, WebsiteCategory
from edupulse.monitoring.probes import scoring
from edupulse.orgs.models import Region, School

SCHOOL_SITE_SHARE = 0.30
RECENT_DAYS = 7
#: Security-header grades drawn for the demo sites, weighted by repetition (half pass, a fifth fail). Ten
#: entries as before, so the random sequence, and every later draw of a seed, stays as it was.
GRADES = ("A+", "A", "A", "A-", "A-", "B+", "B", "C", "D", "F")
SYSTEM_NAMES = ("教育管理公共服务平台", "学籍管理系统", "智慧教育云平台", "教育资源公共服务平台", "教师管理信息系统",
                "教育统计系统", "招生考试报名系统", "校园安全管理平台")
APP_NAMES = ("家校通", "智慧课堂", "作业帮手", "校园通", "成长记录", "阳光食堂")
PROVIDERS = ("某某教育科技有限公司", "某某信息技术股份有限公司", "某某软件有限公司")


@dataclass
class DemoSummary:
    websites: int = 0
    systems: int = 0
    apps: int = 0
    findings: int = 0
    region_days: int = 0
    daily_aggregates: int = 0
    notices: int = 0
    skipped: bool = False


def _bureau_name(region: Region) -> str:
    return f"{region.name}教育局"


@action
def _load(*, acting_user: Actor, seed: int, days: int) -> DemoSummary:
    rng = random.Random(seed)
    summary = DemoSummary()
    if Website.objects.exists():
        summary.skipped = True
        return summary
    today = timezone.localdate()
    schools = list(School.objects.filter(is_active=True).only("pk", "code", "name", "county_id", "prefecture_id",
                                                              "province_id", "contact_name", "contact_phone"))
    county_codes = sorted({s.county_id for s in schools})
    region_codes = sorted({code for county in county_codes for code in RegionCode.parse(county).lineage()})
    regions = Region.objects.in_bulk(region_codes)

    sites: list[Website] = []
    for code in region_codes:
        region = regions[code]
        sites.append(Website(url=f"https://jyj.gov{code}.cn/", name=f"{_bureau_name(region)}门户网站",
                             category=WebsiteCategory.BUREAU_PORTAL, owner_region=region,
                             **Website.placement_fields(code), contact_name="信息中心",
                             icp_number=f"蜀ICP备{rng.randrange(10**7, 10**8)}号-1"))
    for school in schools:
        if rng.random() < SCHOOL_SITE_SHARE:
            sites.append(Website(url=f"https://www.s{school.code}.edu.cn/", name=f"{school.name}网站",
                                 category=WebsiteCategory.SCHOOL_SITE, school=school,
                                 **Website.placement_fields(school.county_id), contact_name=school.contact_name,
                                 contact_phone=school.contact_phone))
    Website.objects.bulk_create(sites, batch_size=2000)
    sites = list(Website.objects.order_by("pk"))
    audit.record_many("monitoring.website.create", list(sites), acting_user=SYSTEM)
    summary.websites = len(sites)

    systems = _systems(rng, region_codes, regions, schools, today)
    InformationSystem.objects.bulk_create(systems, batch_size=2000)
    audit.record_many("monitoring.informationsystem.create", list(InformationSystem.objects.all()), acting_user=SYSTEM)
    summary.systems = len(systems)
    apps = _apps(rng, county_codes, regions, today)
    EducationApp.objects.bulk_create(apps, batch_size=2000)
    audit.record_many("monitoring.educationapp.create", list(EducationApp.objects.all()), acting_user=SYSTEM)
    summary.apps = len(apps)

    summary.findings = _states_and_findings(rng, sites, today)
    summary.region_days = _trend(rng, days, today)
    summary.daily_aggregates = _aggregates(rng, sites, days, today)
    summary.notices = load_demo_notices(acting_user=acting_user)
    summary.websites = Website.objects.count()  # the demo school's own site may have been added for its notice
    return summary


def _systems(rng: random.Random, region_codes: list[str], regions: dict[str, Region], schools: list[School],
             today: date) -> list[InformationSystem]:
    result = []
    owners: list[tuple[Region | None, School | None]] = [(regions[c], None) for c in region_codes]
    owners += [(None, s) for s in rng.sample(schools, k=min(len(schools), len(schools) // 40))]
    for region, school in owners:
        level = region.region_code.level if region is not None else None
        high = level in {PROVINCE, PREFECTURE}
        info = ("society", "serious") if high or rng.random() < 0.5 else ("citizens", "serious")
        service = ("society", "especially_serious") if level == PROVINCE else \
            ("citizens", "serious")
        system = InformationSystem(name=rng.choice(SYSTEM_NAMES), owner_region=region, school=school,
                                   info_harm_object=info[0], info_harm_degree=info[1],
                                   service_harm_object=service[0], service_harm_degree=service[1])
        system.compute()
        if rng.random() < 0.85:  # filed
            filed = today - timedelta(days=rng.randrange(200, 2000))
            system.filing_number = f"{(region.code if region else school.county_id if school else '51')[:6]:0<6}" \
                                   f"{rng.randrange(10**4, 10**5)}"
            system.filing_date = filed
            if system.level >= 3:
                # Most assessed within the interval, some overdue.
                back = rng.randrange(30, 330) if rng.random() < 0.8 else rng.randrange(400, 800)
                system.last_assessment_date = today - timedelta(days=back)
                system.last_assessment_result = rng.choice(["conforms", "basically", "basically", "fails"])
        system.compute()
        if school is not None:
            system.store_placement(school.county_id)
        else:
            assert region is not None
            system.place_in_hierarchy()
        system.is_cii = level == PROVINCE
        result.append(system)
    return result


def _apps(rng: random.Random, county_codes: list[str], regions: dict[str, Region], today: date) -> list[EducationApp]:
    result = []
    for code in county_codes:
        for _ in range(rng.randrange(1, 4)):
            status = rng.choices([AppStatus.FILED, AppStatus.PENDING, AppStatus.NOT_FILED], [0.7, 0.15, 0.15])[0]
            app = EducationApp(name=f"{regions[code].name}{rng.choice(APP_NAMES)}", owner_region=regions[code],
                               platform=rng.choice(list(AppPlatform.values)[:4]), provider=rng.choice(PROVIDERS),
                               status=status, status_date=today - timedelta(days=rng.randrange(10, 700)),
                               filing_number=f"教APP备{rng.randrange(10**6, 10**7)}号" if status == AppStatus.FILED else "")
            app.place_in_hierarchy()
            result.append(app)
    return result


def _states_and_findings(rng: random.Random, sites: list[Website], today: date) -> int:
    now = timezone.now()
    states, findings = [], []
    for site in sites:
        portal = site.category == WebsiteCategory.BUREAU_PORTAL
        available = rng.random() < 0.975
        ipv6 = rng.random() < (0.9 if portal else 0.74)
        https = rng.random() < (0.92 if portal else 0.78)
        cert = today + timedelta(days=rng.randrange(-10, 400)) if https else None
        grade = rng.choice(GRADES)
        headers = _headers_outcome(grade)
        statuses = {"availability": "pass" if available else "fail", "ipv6": "pass" if ipv6 else "fail",
                    "tls_certificate": "pass", "headers": headers[0]}
        state = SiteState(website=site, last_probed_at=now - timedelta(minutes=rng.randrange(5, 600)),
                          statuses=statuses, streaks={}, available=available, ipv6=ipv6, https=https,
                          cert_not_after=cert, headers_grade=grade, score=rng.randrange(40, 100))
        state.copy_placement(site)
        states.append(state)
        problems: list[tuple[str, str, dict[str, object]]] = []
        if not available:
            problems.append(("availability", "fail", {"status_code": 0, "error": "timed out", "error_kind": "timeout",
                                                      "final_url": site.url, "redirects": 0, "elapsed_ms": 15000}))
        if not ipv6:
            problems.append(("ipv6", "fail", {"aaaa": [], "reachable": False, "reason": "no AAAA record"}))
        if cert is not None and cert < today + timedelta(days=30):
            days = (cert - today).days
            problems.append(("tls_certificate", "warn" if cert >= today else "fail",
                             {"not_after": cert.isoformat(), "days_to_expiry": days,
                              **({"problems": ["expired"]} if days < 0 else {})}))
        if rng.random() < 0.004:
            problems.append(("dark_links", "fail", {"finding_count": 1, "findings": [
                {"kind": "hidden-link", "href": "http://www.example-bet.com/", "text": "澳门博彩",
                 "reason": "display:none", "matches": ["博彩"]}]}))
        if rng.random() < 0.002:
            problems.append(("tampering", "fail", {"score": 62, "refetch_scores": [60, 58]}))
        for check, status, evidence in problems:
            first = now - timedelta(days=rng.choice([0, 1, 3, 9, 20, 45, 90]), hours=rng.randrange(0, 23))
            findings.append(_demo_finding(site, check, status, evidence, first, now))
        if headers[0] != "pass":
            # Seen since the first sweep; drawn without the generator so that the other draws stay as they were.
            findings.append(_demo_finding(site, "headers", *headers, now - timedelta(days=60), now))
    SiteState.objects.bulk_create(states, batch_size=2000)
    Finding.objects.bulk_create(findings, batch_size=2000)
    audit.record_many("monitoring.finding.open", list(Finding.objects.all()), acting_user=SYSTEM)
    return len(findings)


def _headers_outcome(grade: str) -> tuple[str, dict[str, object]]:
    """The headers check's status and evidence for a grade, as the probe scores it: the grade's lowest score
    against the check's thresholds, so that a grade shown on a site page and its findings agree."""
    score = next((floor for floor, letter in scoring.OBSERVATORY_GRADES if letter == grade), 0)
    status = scoring.status_for(score, scoring.HEADERS_PASS_SCORE, scoring.HEADERS_WARN_SCORE)
    return status, {"grade": grade, "score": score, "algorithm": "mdn-http-observatory/4", "tests": {}}


def _demo_finding(site: Website, check: str, status: str, evidence: dict[str, object], first: datetime,
                  now: datetime) -> Finding:
    with translation.override(settings.LANGUAGE_CODE):
        text = describe(check, evidence, status)
    finding = Finding(website=site, check_name=check, severity=severity_for(check, status),
                      first_seen=first, last_seen=now, summary=text, evidence=evidence)
    finding.copy_placement(site)
    return finding


def _trend(rng: random.Random, days: int, today: date) -> int:
    """A year of regional figures ending at today's real state: rates improve along a gentle curve."""
    rows = []
    base = {}
    for level in ("province_id", "prefecture_id", "county_id"):
        for r in (Website.objects.filter(is_active=True).exclude(**{f"{level}__isnull": True}).values(level)
                  .annotate(sites=Count("pk"), ipv6=Count("pk", filter=Q(state__ipv6=True)),
                            https=Count("pk", filter=Q(state__https=True)),
                            available=Count("pk", filter=Q(state__available=True)),
                            open=Count("findings", filter=Q(findings__status="open"), distinct=True)).order_by()):
            base[r[level]] = r
    for code, r in base.items():
        for back in range(days - 1, -1, -1):
            day = today - timedelta(days=back)
            progress = 1 - back / max(days, 1)
            lag = 0.35 * (1 - progress) ** 1.5  # earlier days were worse
            wobble = 0.01 * math.sin(back / 7)
            sites = r["sites"]
            rows.append(RegionDaily(
                region_id=code, **RegionDaily.placement_fields(code), day=day, sites=sites, probed=sites,
                ipv6=max(0, min(sites, round(r["ipv6"] * (1 - lag + wobble)))),
                https=max(0, min(sites, round(r["https"] * (1 - lag * 0.6 + wobble)))),
                available=max(0, min(sites, round(sites * (0.96 + 0.03 * rng.random())))) if back else r["available"],
                open_findings=max(0, round(r["open"] * (1 + 1.5 * lag + wobble)))))
    RegionDaily.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def _insert(model: type, columns: tuple[str, ...], rows: list[tuple[object, ...]]) -> int:
    """Plain executemany for the bulk of synthetic history (unaudited tables): ~5x faster than bulk_create."""
    table = model._meta.db_table  # type: ignore[attr-defined]
    # Table and column names come from the model, never from input.
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 20000):
            cursor.executemany(sql, rows[start:start + 20000])  # type: ignore[arg-type]
    return len(rows)


def _aggregates(rng: random.Random, sites: list[Website], days: int, today: date) -> int:
    columns = ("website_id", "day", "check_name", "runs", "passes", "warns", "fails", "errors", "score_sum",
               "scored_runs", "last_status")
    rows: list[tuple[object, ...]] = []
    runs = 24  # hourly probes
    for site in sites:
        portal = site.category == WebsiteCategory.BUREAU_PORTAL
        span = days if portal else RECENT_DAYS
        checks = ("availability",) if portal else ("availability", "ipv6", "tls_certificate")
        for back in range(span):
            day = today - timedelta(days=back)
            for check in checks:
                fails = 0 if rng.random() < 0.9 else rng.randrange(1, 6)
                rows.append((site.pk, day, check, runs, runs - fails, 0, fails, 0, (runs - fails) * 100, runs,
                             "pass" if fails < 3 else "fail"))
    return _insert(DailyAggregate, columns, rows)


def load(*, seed: int = 4, days: int = 365) -> DemoSummary:
    """Load the demo (see module docstring); returns counts, or ``skipped`` when a registry exists."""
    with inside_action():
        result: DemoSummary = _load(acting_user=SYSTEM, seed=seed, days=days)
    return result

