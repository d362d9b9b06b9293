"""The probe engine against real local sites (HTTP/HTTPS on 127.0.0.1 and ::1, test CA, local DNS)."""

from __future__ import annotations

import asyncio
import ipaddress
import json
from io import StringIO

import pytest
from django.core.management import call_command

from edupulse.conftest import require_service
from edupulse.monitoring.probes import (
    CHECK_NAMES,
    ProbeConfig,
    SiteReport,
    build_baseline,
    fetch_snapshots,
    probe_sites,
    probe_sites_sync,
)
from edupulse.monitoring.tests.servers import SITES, LocalSites, local_sites

__all__ = ["local_sites"]

NAMES = [name for name in SITES if name not in ("slow", "tamper", "flaky", "rotating", "redirectv6literal")]


@pytest.fixture(scope="module")
def reports(local_sites: LocalSites) -> dict[str, SiteReport]:
    urls = [local_sites.url(name, "http" if name in ("plain", "noredirect") else "https") for name in NAMES]
    return dict(zip(NAMES, probe_sites_sync(urls, config=local_sites.config()), strict=True))


def status(reports: dict[str, SiteReport], site: str, check: str) -> str:
    return reports[site].check(check).status


def test_every_check_is_present_in_order(reports: dict[str, SiteReport]) -> None:
    for report in reports.values():
        assert tuple(check.name for check in report.checks) == CHECK_NAMES
        for check in report.checks:
            assert check.status in ("pass", "warn", "fail", "error")
            json.dumps(check.evidence)  # evidence is JSON as it is


def test_good_site_passes_everything(reports: dict[str, SiteReport]) -> None:
    good = reports["good"]
    failing = {c.name: c.status for c in good.checks if c.status != "pass"}
    assert failing == {}
    assert good.check("headers").evidence["grade"] == "A+"
    assert good.check("tls_protocols").evidence["offered"] == ["TLSv1.2", "TLSv1.3"]
    assert good.check("ipv6_links").evidence["share"] == 1.0


def test_plain_http_site(reports: dict[str, SiteReport]) -> None:
    assert status(reports, "plain", "availability") == "pass"
    assert status(reports, "plain", "https_redirect") == "fail"
    assert status(reports, "plain", "hsts") == "fail"
    tls = reports["plain"].check("tls_certificate")
    assert tls.status == "pass" and tls.evidence["applicable"] is False
    assert reports["plain"].check("headers").evidence["grade"] == "F"


def test_ipv6_families(reports: dict[str, SiteReport], local_sites: LocalSites) -> None:
    require_service("IPv6 loopback", local_sites.has_ipv6, "::1 (the IPv6 tests need it; required in CI)")
    assert reports["v4only"].check("ipv6").evidence["reason"] == "no AAAA record"
    assert status(reports, "v4only", "ipv6") == "fail"
    assert status(reports, "v4only", "ipv6_content") == "pass"  # does not apply, says so
    assert reports["v4only"].check("ipv6_content").evidence["applicable"] is False
    # Same ports as over IPv4 (internet.nl): the good site's plain-HTTP port answers over IPv6 too.
    assert reports["good"].check("ipv6").evidence["other_ports"] == {str(local_sites.http_port): True}
    assert status(reports, "v6only", "ipv6") == "pass"
    assert status(reports, "v6only", "availability") == "pass"
    broken = reports["brokenv6"].check("ipv6")
    assert (broken.status, broken.score, broken.evidence["reachable"]) == ("fail", 50, False)
    # One cause, one finding: the links of a site unreachable over IPv6 are not failed a second time.
    links = reports["brokenv6"].check("ipv6_links")
    assert links.status == "pass" and links.evidence["applicable"] is False and "ipv6 check" in links.evidence["reason"]
    assert status(reports, "diffv6", "ipv6_content") == "fail"
    assert reports["diffv6"].check("ipv6_content").evidence["difference"] > 0.1
    assert status(reports, "good", "ipv6_content") == "pass"
    half = reports["halfv6links"].check("ipv6_links")
    assert 0 < half.evidence["share"] < 1 and half.evidence["unreachable"]
    # An HTTP error over IPv6 alone is an IPv6 fault; a link dead over IPv4 as well is left out of the share.
    errors = reports["v6links404"].check("ipv6_links")
    assert errors.status != "pass" and all("/news/" in url for url in errors.evidence["unreachable"])
    assert len(errors.evidence["unreachable"]) >= 2
    assert [url.rsplit("/", 1)[1] for url in errors.evidence["broken_on_ipv4_too"]] == ["gone.html"]


def test_certificates(reports: dict[str, SiteReport]) -> None:
    assert "expired" in reports["expired"].check("tls_certificate").evidence["problems"]
    assert "host name mismatch" in reports["wronghost"].check("tls_certificate").evidence["problems"]
    assert "self-signed" in reports["selfsigned"].check("tls_certificate").evidence["problems"]
    for name in ("expired", "wronghost", "selfsigned"):
        assert status(reports, name, "tls_certificate") == "fail"
        assert status(reports, name, "availability") == "pass"  # a bad certificate does not hide the page
    expiring = reports["expiring"].check("tls_certificate")
    assert expiring.status == "warn" and expiring.evidence["days_to_expiry"] <= 10


def test_legacy_tls_versions_flagged(reports: dict[str, SiteReport]) -> None:
    legacy = reports["legacy"].check("tls_protocols")
    assert legacy.evidence["insecure"] == ["TLSv1", "TLSv1.1"]
    assert legacy.status == "fail"


def test_hsts_and_redirect(reports: dict[str, SiteReport]) -> None:
    assert status(reports, "nohsts", "hsts") == "fail"
    assert status(reports, "shorthsts", "hsts") == "warn"
    assert status(reports, "noredirect", "https_redirect") == "fail"
    assert reports["good"].check("https_redirect").evidence["same_host_first"] is True


def test_headers_grades(reports: dict[str, SiteReport]) -> None:
    grades = {name: reports[name].check("headers").evidence.get("grade") for name in
              ("good", "nohsts", "cookies", "unsafecsp", "sri", "metacsp")}
    assert grades == {"good": "A+", "nohsts": "B+", "cookies": "F", "unsafecsp": "B+", "sri": "F", "metacsp": "B+"}
    assert reports["error500"].check("headers").status == "error"


def test_dark_links_and_cloaking(reports: dict[str, SiteReport]) -> None:
    dark = reports["dark"].check("dark_links")
    assert dark.status == "fail"
    reasons = {finding["reason"] for finding in dark.evidence["findings"]}
    assert {"display:none", "off-screen", "zero-font", "same-colour", "written by a script"} <= reasons
    # visibility:hidden on a link with no listed word is how menus hide links: counted, not reported
    assert dark.evidence["hidden_external_links"] == 1
    cloaked = reports["cloaked"].check("dark_links")
    assert cloaked.status == "fail" and cloaked.evidence["findings"][0]["kind"] == "cloaking"
    hijack = reports["hijack"].check("dark_links")
    assert hijack.evidence["findings"][0]["kind"] == "referrer-hijack"
    assert status(reports, "good", "dark_links") == "pass"


def test_sensitive_words_and_encodings(reports: dict[str, SiteReport]) -> None:
    assert reports["sensitive"].check("sensitive_words").evidence["sensitive"] == ["代开发票"]
    assert set(reports["gbk"].check("sensitive_words").evidence["sensitive"]) == {"代考", "替考"}


def test_response_size_is_capped(local_sites: LocalSites) -> None:
    config = local_sites.config(max_bytes=100_000)
    [report] = probe_sites_sync([local_sites.url("big")], config=config, checks=["availability", "sensitive_words"],
                                keep_snapshots=True)
    assert report.snapshot is not None and report.snapshot.truncated
    assert len(report.snapshot.body) <= 100_000  # characters decoded from at most 100,000 bytes


def test_timeout_is_a_failure_not_a_hang(local_sites: LocalSites) -> None:
    config = local_sites.config(timeout_s=0.3)
    [report] = probe_sites_sync([local_sites.url("slow")], config=config, checks=["availability", "dark_links"])
    assert report.check("availability").evidence["error_kind"] == "timeout"
    assert report.check("availability").status == "fail"
    assert report.check("dark_links").status == "error"
    assert report.duration_ms < 2000


def test_unknown_host_fails_dns(local_sites: LocalSites) -> None:
    [report] = probe_sites_sync(["https://nosuch.edu.test/"], config=local_sites.config(),
                                checks=["availability", "dns", "ipv6"])
    assert report.check("dns").status == "fail"
    assert report.check("dns").evidence["error"] == "NXDOMAIN"
    assert report.check("availability").status == "fail"


def test_tampering_against_baseline(local_sites: LocalSites) -> None:
    config = local_sites.config()
    url = local_sites.url("tamper")
    local_sites.set_state(tampered=False)
    samples = asyncio.run(fetch_snapshots([url], config=config, samples=3))[url]
    baseline = build_baseline(samples)
    [clean] = probe_sites_sync([url], config=config, checks=["tampering"], baselines={url: baseline})
    assert clean.checks[0].status == "pass" and clean.checks[0].evidence["identical"] is True
    local_sites.set_state(tampered=True)
    try:
        [defaced] = probe_sites_sync([url], config=config, checks=["tampering"], baselines={url: baseline})
    finally:
        local_sites.set_state(tampered=False)
    result = defaced.checks[0]
    assert result.status == "fail"
    assert result.evidence["new_link_domains"] == ["casino-dark.example"]
    assert len(result.evidence["refetch_scores"]) == 2


def test_transient_change_does_not_alert(local_sites: LocalSites) -> None:
    config = local_sites.config()
    url = local_sites.url("flaky")
    local_sites.set_state(tampered=False, flaky_hits=10)
    baseline = build_baseline(asyncio.run(fetch_snapshots([url], config=config, samples=2))[url])
    local_sites.set_state(tampered=True, flaky_hits=0)  # only the next hit is defaced
    try:
        [report] = probe_sites_sync([url], config=config, checks=["tampering"], baselines={url: baseline})
    finally:
        local_sites.set_state(tampered=False)
    assert report.checks[0].status == "pass"
    assert report.checks[0].evidence["transient"] is True


def test_rotating_news_does_not_alert(local_sites: LocalSites) -> None:
    config = local_sites.config()
    url = local_sites.url("rotating")
    baseline = build_baseline(asyncio.run(fetch_snapshots([url], config=config, samples=3))[url])
    [report] = probe_sites_sync([url], config=config, checks=["tampering"], baselines={url: baseline})
    assert report.checks[0].status == "pass"


def test_checks_subset_costs_only_what_it_needs(local_sites: LocalSites) -> None:
    [report] = probe_sites_sync([local_sites.url("good")], config=local_sites.config(), checks=["availability"])
    assert [check.name for check in report.checks] == ["availability"]


def test_async_api_and_order(local_sites: LocalSites) -> None:
    urls = [local_sites.url(name) for name in ("good", "dark", "good")]
    reports = asyncio.run(probe_sites(urls, config=local_sites.config(concurrency=2), checks=["availability"]))
    assert [report.url for report in reports] == urls


def test_invalid_url_reports_errors_not_exceptions() -> None:
    [report] = probe_sites_sync(["ftp://x.test/"], config=ProbeConfig(), checks=["availability", "dns"])
    assert [check.status for check in report.checks] == ["error", "error"]


# --- CLI ---------------------------------------------------------------------------------------------------------
def test_cli_json_contract(local_sites: LocalSites) -> None:
    out = StringIO()
    call_command("probe", local_sites.url("good"), local_sites.url("plain", "http"), "--json",
                 "--allow", "127.0.0.0/8", "--allow", "::1/128", "--dns", f"127.0.0.1:{local_sites.dns_port}",
                 stdout=out, **{"timeout": 5.0})
    data = json.loads(out.getvalue())
    assert [item["url"] for item in data] == [local_sites.url("good"), local_sites.url("plain", "http")]
    for item in data:
        assert set(item) == {"url", "checks"}
        assert [check["name"] for check in item["checks"]] == list(CHECK_NAMES)
        for check in item["checks"]:
            assert set(check) == {"name", "status", "score", "evidence"}
    headers = next(check for check in data[1]["checks"] if check["name"] == "headers")
    assert headers["evidence"]["grade"] == "F" and headers["score"] == 10


def test_cli_records_a_baseline_then_finds_the_page_tampered(local_sites: LocalSites, tmp_path) -> None:
    url, saved = local_sites.url("tamper"), tmp_path / "baselines.json"
    common = ["--json", "--check", "tampering", "--allow", "127.0.0.0/8", "--allow", "::1/128",
              "--dns", f"127.0.0.1:{local_sites.dns_port}"]
    local_sites.set_state(tampered=False)
    out = StringIO()
    call_command("probe", url, *common, "--save-baseline", str(saved), "--samples", "2", stdout=out)
    [clean] = json.loads(out.getvalue())
    assert clean["checks"][0]["status"] == "pass" and json.loads(saved.read_text())[url]["samples"] == 2
    local_sites.set_state(tampered=True)
    try:
        out = StringIO()
        call_command("probe", url, *common, "--baseline", str(saved), stdout=out)
    finally:
        local_sites.set_state(tampered=False)
    [defaced] = json.loads(out.getvalue())
    assert defaced["checks"][0]["status"] == "fail"
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("probe", url, *common, "--baseline", str(tmp_path / "missing.json"), stdout=out)
    assert "baseline" in json.loads(out.getvalue())["error"]


def test_cli_refuses_loopback_without_allow(local_sites: LocalSites) -> None:
    out = StringIO()
    call_command("probe", local_sites.url("good"), "--json", "--check", "availability",
                 "--dns", f"127.0.0.1:{local_sites.dns_port}", stdout=out)
    [item] = json.loads(out.getvalue())
    check = item["checks"][0]
    assert check["status"] == "error" and "not in the probe allowlist" in check["evidence"]["reason"]


def test_cli_bad_input_is_a_json_error() -> None:
    out = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("probe", "http://a.test/", "--json", "--allow", "nonsense", stdout=out)
    assert exit_info.value.code == 2
    assert "nonsense" in json.loads(out.getvalue())["error"]


def test_spider_sent_to_another_site_is_cloaking_even_when_that_site_is_down(reports: dict[str, SiteReport]) -> None:
    dark = reports["spiderredirect"].check("dark_links")
    assert dark.status == "fail" and dark.evidence["cloaking_checked"] is True
    [finding] = dark.evidence["findings"]
    assert (finding["kind"], finding["href"]) == ("cloaking", "http://www.xpj-spider.example/")


def test_phone_visitors_from_a_search_engine_sent_elsewhere_is_cloaking(reports: dict[str, SiteReport]) -> None:
    dark = reports["searchhijack"].check("dark_links")
    assert dark.status == "fail"
    [finding] = dark.evidence["findings"]
    assert (finding["kind"], finding["href"]) == ("cloaking", "http://www.xpj-hijack.example/")
    assert finding["reason"].startswith("visitors arriving from a search engine")
    assert status(reports, "good", "dark_links") == "pass"  # the same requests on a clean site find nothing


# --- SSRF ------------------------------------------------------------------------------------------------------
def test_redirect_to_link_local_is_refused(reports: dict[str, SiteReport]) -> None:
    availability = reports["redirectprivate"].check("availability")
    assert availability.status == "error"
    assert "169.254.169.254" in availability.evidence["reason"]


@pytest.mark.parametrize("host, address", [("private.edu.test", "10.1.2.3"), ("metadata.edu.test", "169.254.169.254")])
def test_names_resolving_to_private_addresses_are_refused(local_sites: LocalSites, host: str, address: str) -> None:
    [report] = probe_sites_sync([f"http://{host}/"], config=local_sites.config(),
                                checks=["availability", "tls_certificate", "headers"])
    availability = report.check("availability")
    assert availability.status == "error" and address in availability.evidence["reason"]
    assert report.check("headers").status == "error"


def test_ip_literal_loopback_refused_without_allowlist(local_sites: LocalSites) -> None:
    config = local_sites.config(allow=())
    url = f"http://127.0.0.1:{local_sites.http_port}/"
    [report] = probe_sites_sync([url], config=config, checks=["availability", "https_redirect", "headers"])
    assert report.check("availability").status == "error"
    assert "loopback" in report.check("availability").evidence["reason"]
    assert report.check("https_redirect").status == "error"


def test_allowlist_of_one_family_does_not_open_the_other(local_sites: LocalSites) -> None:
    import ipaddress

    require_service("IPv6 loopback", local_sites.has_ipv6, "::1 (the IPv6 tests need it; required in CI)")
    config = local_sites.config(allow=(ipaddress.ip_network("127.0.0.0/8"),))
    [report] = probe_sites_sync([local_sites.url("v6only")], config=config, checks=["availability"])
    assert report.check("availability").status == "error"
    assert "::1" in report.check("availability").evidence["reason"]


def test_ipv6_address_outside_the_allowlist_is_an_error_not_an_ipv6_fault(local_sites: LocalSites) -> None:
    require_service("IPv6 loopback", local_sites.has_ipv6, "::1 (the IPv6 tests need it; required in CI)")
    config = local_sites.config(allow=(ipaddress.ip_network("127.0.0.0/8"),))
    [report] = probe_sites_sync([local_sites.url("good", "https")], config=config,
                                checks=["availability", "ipv6", "ipv6_links"])
    assert report.check("availability").status == "pass"
    for name in ("ipv6", "ipv6_links"):
        check = report.check(name)
        assert check.status == "error" and "::1" in check.evidence["reason"], (name, check)


def test_redirect_from_ipv4_to_an_ipv6_literal_is_judged_by_the_allowlist(local_sites: LocalSites) -> None:
    require_service("IPv6 loopback", local_sites.has_ipv6, "::1 (the IPv6 tests need it; required in CI)")
    url = local_sites.url("redirectv6literal", "http")
    refused = probe_sites_sync([url], config=local_sites.config(allow=(ipaddress.ip_network("127.0.0.0/8"),)),
                               checks=["availability"])[0].check("availability")
    assert refused.status == "error" and "::1" in refused.evidence["reason"]
    allowed = probe_sites_sync([url], config=local_sites.config(), checks=["availability"])[0].check("availability")
    assert allowed.status == "pass" and allowed.evidence["final_url"].endswith("/landing")
