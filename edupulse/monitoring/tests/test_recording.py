"""Saving reports: streaks, one open finding per site × check, aggregates, idempotence, purge, roll-up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from edupulse.core.actions import run_as_system
from edupulse.core.models import AuditLog
from edupulse.monitoring import actions
from edupulse.monitoring.actions import results
from edupulse.monitoring.checks import CHECK_NAMES
from edupulse.monitoring.models import CheckResult, DailyAggregate, Finding, RegionDaily, SiteState
from edupulse.monitoring.runners import EngineRunner
from edupulse.monitoring.tests.factories import FakeCheck, FakeReport, make_website, report
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db


def save(*reports, **kw):
    return run_as_system(actions.save_reports, list(reports), **kw)


def test_check_names_match_the_engine():
    probes = pytest.importorskip("edupulse.monitoring.probes")
    assert tuple(probes.CHECK_NAMES) == CHECK_NAMES


def test_finding_opens_after_n_failures_and_resolves_after_m_passes():
    site = make_website(make_school())
    now = timezone.now()
    at = [now + timedelta(minutes=i) for i in range(10)]
    assert results.FAILURES_TO_OPEN == 2 and results.SUCCESSES_TO_RESOLVE == 2
    save(report(site.url, failing=("hsts",), at=at[0]))
    assert not Finding.objects.exists()
    summary = save(report(site.url, failing=("hsts",), at=at[1]))
    finding = Finding.objects.get()
    assert summary.opened == [finding.pk] and finding.first_seen == at[1] and finding.severity == 1
    save(report(site.url, failing=("hsts",), at=at[2]))
    assert Finding.objects.count() == 1 and Finding.objects.get().last_seen == at[2]
    save(report(site.url, at=at[3]))
    assert Finding.objects.get().status == "open"
    summary = save(report(site.url, at=at[4]))
    finding.refresh_from_db()
    assert finding.status == "resolved" and finding.resolved_at == at[4] and summary.resolved == [finding.pk]
    actions_logged = set(AuditLog.objects.values_list("action", flat=True))
    assert {"monitoring.finding.open", "monitoring.finding.resolve", "monitoring.results.save"} <= actions_logged


def test_probe_errors_do_not_break_streaks():
    site = make_website(make_school())
    now = timezone.now()
    error = FakeReport(site.url, (FakeCheck("availability", "error", None, {"reason": "timeout"}),), now)
    fail = FakeReport(site.url, (FakeCheck("availability", "fail", 0, {"status_code": 500, "error": "HTTP status 500"}),),
                      now)
    save(fail)
    save(error)
    save(fail)
    finding = Finding.objects.get()
    assert finding.check_name == "availability" and finding.severity == 3
    assert finding.summary == "网站无法访问：返回 HTTP 状态码 500。"  # in the server's language, for exports and alerts


def test_aggregates_and_state():
    site = make_website(make_school())
    day = timezone.now().replace(hour=12)
    cert = {"tls_certificate": {"not_after": (day + timedelta(days=20)).isoformat(), "days_to_expiry": 20},
            "headers": {"grade": "B+"}}
    save(report(site.url, failing=("headers",), at=day, evidence=cert))
    save(report(site.url, at=day + timedelta(minutes=5), evidence=cert))
    agg = DailyAggregate.objects.get(website=site, check_name="headers")
    assert (agg.runs, agg.passes, agg.fails, agg.mean_score) == (2, 1, 1, 75)
    state = SiteState.objects.get(website=site)
    assert state.ipv6 and state.https and state.available
    assert state.cert_not_after == (day + timedelta(days=20)).date() and state.headers_grade == "B+"
    assert CheckResult.objects.filter(website=site).count() == 2 * len(CHECK_NAMES)


def test_no_https_service_is_not_https():
    site = make_website(make_school())
    na = FakeReport(site.url, (FakeCheck("tls_certificate", "pass", None,
                                         {"applicable": False, "reason": "no HTTPS service"}),), timezone.now())
    save(na)
    assert SiteState.objects.get(website=site).https is False


def test_saving_the_same_sweep_twice_does_not_double():
    site = make_website(make_school())
    sweep = run_as_system(actions.start_sweep, enqueue=False)
    first = save(report(site.url, failing=("dns",)), sweep=sweep)
    second = save(report(site.url, failing=("dns",)), sweep=sweep)
    assert first.saved_sites == 1 and second.skipped_sites == 1 and second.saved_sites == 0
    assert CheckResult.objects.filter(sweep=sweep).count() == len(CHECK_NAMES)
    assert DailyAggregate.objects.get(website=site, check_name="dns").runs == 1


def test_unknown_urls_are_reported_not_saved():
    summary = save(report("https://unknown.example.cn/"))
    assert summary.unknown_urls == ["https://unknown.example.cn/"] and not CheckResult.objects.exists()


def test_purge_keeps_aggregates_longer_than_raw_results():
    site = make_website(make_school())
    old = timezone.now() - timedelta(days=40)
    save(report(site.url, at=old))
    save(report(site.url))
    summary = run_as_system(actions.purge_results)
    assert summary.results == len(CHECK_NAMES)
    assert CheckResult.objects.count() == len(CHECK_NAMES)
    assert DailyAggregate.objects.filter(day=timezone.localdate(old)).exists()
    summary = run_as_system(actions.purge_results, now=timezone.now() + timedelta(days=6 * 366))
    assert not DailyAggregate.objects.exists()


def test_roll_up_counts_per_region_level():
    school = make_school("510107")
    a = make_website(school)
    b = make_website(region="510107")
    save(report(a.url))
    save(report(b.url, failing=("ipv6",)))
    save(report(b.url, failing=("ipv6",)))
    run_as_system(actions.roll_up_day)
    county = RegionDaily.objects.get(region_id="510107")
    province = RegionDaily.objects.get(region_id="51")
    assert (county.sites, county.probed, county.ipv6, county.https, county.open_findings) == (2, 2, 1, 2, 1)
    assert province.sites >= 2 and province.county_code == "" and county.county_code == "510107"
    run_as_system(actions.roll_up_day)  # re-running replaces the day
    assert RegionDaily.objects.filter(region_id="510107").count() == 1


def test_tampering_baselines_are_stored_and_passed_to_the_engine(monkeypatch):
    probes = pytest.importorskip("edupulse.monitoring.probes")
    from edupulse.monitoring import baselines

    site = make_website(make_school())
    html = "<html><head><title>首页</title></head><body><p>学校新闻</p><a href='/a'>a</a></body></html>"
    snapshot = probes.PageSnapshot(url=site.url, final_url=site.url, status=200,
                                   headers=(("content-type", "text/html"),), body=html, fetched_at=timezone.now())
    built = probes.build_baseline([snapshot, snapshot]).to_dict()
    assert run_as_system(baselines.save_baselines, {site.url: built, "https://unknown.example/": built}) == 2
    stored = baselines.baselines_for([site.url])
    assert stored[site.url].title == "首页"
    seen = {}

    async def engine(urls, **kwargs):
        seen.update(kwargs)
        return []

    EngineRunner(engine=engine)([site.url], None)
    assert site.url in seen["baselines"]
