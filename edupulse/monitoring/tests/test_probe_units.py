"""Unit tests of the probe engine's pure parts: evaluate functions on fixture inputs, no network."""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import replace
from pathlib import Path

import pytest

from edupulse.monitoring.probes import CHECK_NAMES, PageSnapshot, ProbeConfig, build_baseline, scoring
from edupulse.monitoring.probes.config import ConfigError, parse_dns_server
from edupulse.monitoring.probes.darklinks import (
    dark_links_result,
    evaluate_dark_links,
    evaluate_sensitive_words,
    sensitive_words_result,
)
from edupulse.monitoring.probes.html import hidden_reason, normalise_colour, parse_page, site_of
from edupulse.monitoring.probes.http_checks import (
    evaluate_https_redirect,
    evaluate_ipv6,
    evaluate_ipv6_content,
    evaluate_ipv6_links,
    hsts_result,
    ipv6_links_result,
    ipv6_result,
    parse_hsts,
    sample_links,
)
from edupulse.monitoring.probes.net import Addresses, AddressPolicy, FetchResult, Hop, decode_body
from edupulse.monitoring.probes.tampering import (
    Baseline,
    evaluate_tampering,
    snapshot_features,
    tampering_result,
)
from edupulse.monitoring.probes.tls import evaluate_certificate, evaluate_protocols, hostname_matches
from edupulse.monitoring.probes.types import SiteReport
from edupulse.monitoring.tests.servers import DARK_BODY, HOME_BODY, TAMPERED_BODY, LocalCA, _page
from edupulse.utilities.env import SettingError

NOW = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)


def fetch(url: str = "https://www.school.edu.cn/", *, body: str = "", status: int = 200,
          headers: tuple[tuple[str, str], ...] = (), hops: tuple[Hop, ...] | None = None) -> FetchResult:
    return FetchResult(url, url, status, headers, body, hops or (Hop(url, status, None),), 10.0,
                       content_type="text/html")


def snapshot(body: str, url: str = "https://www.school.edu.cn/") -> PageSnapshot:
    return PageSnapshot(url, url, 200, (), _page("学校", body), NOW)


# --- configuration ----------------------------------------------------------------------------------------------
def test_config_from_env_parses_allow_and_dns() -> None:
    config = ProbeConfig.from_env({"EDUPULSE_PROBE_ALLOW": "127.0.0.0/8, ::1/128",
                                   "EDUPULSE_DNS_SERVERS": "127.0.0.1:5353,[::1]:53"})
    assert config.allow == (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))
    assert config.nameservers == (("127.0.0.1", 5353), ("::1", 53))


@pytest.mark.parametrize("name, value", [
    ("EDUPULSE_PROBE_ALLOW", "10.0.0.0/33"),
    ("EDUPULSE_DNS_SERVERS", "dns.example:53"),
    ("EDUPULSE_DNS_SERVERS", "127.0.0.1:99999"),
    ("EDUPULSE_PROBE_TIMEOUT", "0"),
])
def test_config_from_env_rejects_bad_values_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingError, match=name):
        ProbeConfig.from_env({name: value})


def test_parse_dns_server_forms() -> None:
    assert parse_dns_server("8.8.8.8") == ("8.8.8.8", 53)
    assert parse_dns_server("[2001:db8::1]:5300") == ("2001:db8::1", 5300)
    with pytest.raises(ConfigError):
        parse_dns_server("[::1")


def test_check_names_are_the_contract() -> None:
    assert CHECK_NAMES == ("availability", "dns", "ipv6", "ipv6_content", "ipv6_links", "tls_protocols",
                           "tls_certificate", "https_redirect", "hsts", "headers", "tampering", "dark_links",
                           "sensitive_words")


# --- SSRF policy ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254",
                                     "::1", "fe80::1", "fd00::2", "0.0.0.0", "::ffff:127.0.0.1", "224.0.0.1",
                                     "100.64.0.1", "240.0.0.1"])
def test_policy_refuses_special_addresses(address: str) -> None:
    assert AddressPolicy().refusal(address) is not None


def test_policy_allows_public_and_allowlisted() -> None:
    policy = AddressPolicy((ipaddress.ip_network("127.0.0.0/8"),))
    assert policy.refusal("202.205.109.205") is None
    assert policy.refusal("2001:da8::1") is None
    assert policy.refusal("127.0.0.5") is None
    assert policy.refusal("::1") is not None  # the v4 block does not allow v6 loopback


# --- html and dark links ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("style, reason", [
    ({"display": "none"}, "display:none"),
    ({"visibility": "hidden"}, "visibility:hidden"),
    ({"position": "absolute", "left": "-9999px"}, "off-screen"),
    ({"text-indent": "-10000px"}, "off-screen"),
    ({"font-size": "0"}, "zero-font"),
    ({"font-size": "1px"}, "zero-font"),
    ({"height": "0", "overflow": "hidden"}, "zero-size"),
    ({"opacity": "0"}, "opacity:0"),
    ({"position": "absolute", "left": "10px"}, None),
    ({"font-size": "12px"}, None),
])
def test_hidden_reason(style: dict[str, str], reason: str | None) -> None:
    assert hidden_reason(style) == reason


def test_colour_normalisation() -> None:
    assert normalise_colour("#FFF") == normalise_colour("rgb(255, 255, 255)") == normalise_colour("white")
    assert normalise_colour("rgba(0,0,0,0)") == "transparent"
    assert normalise_colour("var(--x)") is None


def test_site_of_handles_chinese_second_levels() -> None:
    assert site_of("www.scu.edu.cn") == "scu.edu.cn"
    assert site_of("news.moe.gov.cn") == "moe.gov.cn"
    assert site_of("a.b.example.com") == "example.com"


def test_parse_page_finds_every_kind_of_dark_link() -> None:
    page = parse_page(_page("暗链", DARK_BODY), "https://dark.edu.test/")
    by_host = {link.host: link for link in page.links}
    assert by_host["casino-dark.example"].hidden == "display:none"
    assert by_host["hidden-vis.example"].hidden == "visibility:hidden"
    assert by_host["offscreen.example"].hidden == "off-screen"
    assert by_host["tiny.example"].hidden == "zero-font"
    assert by_host["samecolour.example"].hidden == "same-colour"
    assert by_host["fontcolour.example"].hidden == "same-colour"  # <font color> equal to the div's background
    assert by_host["scripted.example"].source == "script"
    assert by_host["zw.example"].zero_width
    assert page.zero_width_text  # 博\u200b彩 in the text
    assert by_host["www.moe.gov.cn"].hidden is None


def test_parent_colour_does_not_reach_a_link() -> None:
    # Browsers paint links in the link colour: a white paragraph does not make its link white.
    page = parse_page("<p style='color:#fff'><a href='http://x.example/'>x</a></p>", "https://s.edu.cn/")
    assert page.links[0].hidden is None


def test_stylesheet_rules_hide_links() -> None:
    html = ("<html><head><style>.fl a{display:none} #x{position:absolute;top:-800px}</style></head><body>"
            "<div class='fl'><a href='http://a.example/'>a</a></div><div id='x'><a href='http://b.example/'>b</a>"
            "</div></body></html>")
    page = parse_page(html, "https://s.edu.cn/")
    assert [link.hidden for link in page.links] == ["display:none", "off-screen"]


def test_dark_links_evaluation_and_score() -> None:
    result = dark_links_result(
        evaluate_dark_links(parse_page(_page("暗链", DARK_BODY), "https://dark.edu.test/")), cloaking_checked=False
    )
    kinds = {finding["kind"] for finding in result.evidence["findings"]}
    assert result.status == "fail"
    assert {"hidden-link", "script-link", "zero-width"} <= kinds
    assert result.evidence["hidden_internal_links"] == 1  # the drop-down menu is not reported


def test_clean_page_has_no_dark_links() -> None:
    result = dark_links_result(evaluate_dark_links(parse_page(_page("x", HOME_BODY), "https://good.edu.test/")),
                               cloaking_checked=True)
    assert (result.status, result.score, result.evidence["findings"]) == ("pass", 100, [])


def test_cloaking_detected_from_spider_page() -> None:
    browser = parse_page(_page("x", HOME_BODY), "https://c.edu.test/")
    spider = parse_page(_page("x", HOME_BODY + "<a href='http://spider-only.example/'>百家乐</a>"),
                        "https://c.edu.test/")
    result = dark_links_result(evaluate_dark_links(browser, spider), cloaking_checked=True)
    assert result.status == "fail"
    assert result.evidence["findings"][0]["kind"] == "cloaking"


def test_hidden_external_link_without_keyword_is_counted_or_warned_by_how_it_is_hidden() -> None:
    menu = parse_page(_page("x", HOME_BODY + "<div style='display:none'><a href='http://partner.example/'>合作"
                                             "</a></div>"), "https://s.edu.test/")
    result = dark_links_result(evaluate_dark_links(menu), cloaking_checked=False)
    assert result.status == "pass" and result.evidence["hidden_external_links"] == 1  # how drop-downs hide links
    trick = parse_page(_page("x", HOME_BODY + "<div style='position:absolute;left:-9999px'><a href='http://partner"
                                              ".example/'>合作</a></div>"), "https://s.edu.test/")
    result = dark_links_result(evaluate_dark_links(trick), cloaking_checked=False)
    assert result.status == "warn" and result.score == 100 - scoring.DARK_HIDDEN_EXTERNAL_PENALTY


def test_sensitive_words() -> None:
    page = parse_page(_page("x", HOME_BODY + "<p>代开发票</p>"), "https://s.edu.test/")
    result = sensitive_words_result(evaluate_sensitive_words(page))
    assert result.status == "warn"
    assert result.evidence["sensitive"] == ["代开发票"]
    gambling = parse_page(_page("x", HOME_BODY + "<p>六合彩开奖</p>"), "https://s.edu.test/")
    assert sensitive_words_result(evaluate_sensitive_words(gambling)).status == "fail"


def test_decode_body_gbk_meta() -> None:
    raw = "<meta charset='gbk'><p>代考</p>".encode("gbk")
    assert "代考" in decode_body(raw, None)


# --- tampering ----------------------------------------------------------------------------------------------------
def test_baseline_round_trip_and_identical_page() -> None:
    baseline = build_baseline([snapshot(HOME_BODY), snapshot(HOME_BODY), snapshot(HOME_BODY)])
    again = Baseline.from_dict(baseline.to_dict())
    assert again.text_nodes == baseline.text_nodes and again.samples == 3
    evaluation = evaluate_tampering(again, snapshot_features(snapshot(HOME_BODY)))
    assert evaluation.identical and not evaluation.changed


def test_rotating_news_is_not_tampering() -> None:
    samples = [snapshot(HOME_BODY + f"<ul><li><a href='/news/{i}.html'>新闻{i}号</a></li></ul>") for i in range(3)]
    baseline = build_baseline(samples)
    later = snapshot_features(snapshot(HOME_BODY + "<ul><li><a href='/news/9.html'>新闻九</a></li></ul>"))
    evaluation = evaluate_tampering(baseline, later)
    assert not evaluation.changed
    assert evaluation.score >= scoring.TAMPER_CHANGED_BELOW


def test_defaced_page_is_tampering_only_when_refetches_agree() -> None:
    baseline = build_baseline([snapshot(HOME_BODY)] * 3)
    defaced = evaluate_tampering(baseline, snapshot_features(snapshot(TAMPERED_BODY)))
    clean = evaluate_tampering(baseline, snapshot_features(snapshot(HOME_BODY)))
    assert defaced.changed and defaced.new_link_domains == ("casino-dark.example",)
    assert tampering_result(baseline, defaced, [defaced, defaced]).status == "fail"
    transient = tampering_result(baseline, defaced, [clean])
    assert transient.status == "pass" and transient.evidence["transient"] is True
    assert tampering_result(None, None, []).evidence["applicable"] is False


def test_injected_script_counts() -> None:
    baseline = build_baseline([snapshot(HOME_BODY)] * 2)
    injected = snapshot_features(snapshot(HOME_BODY + "<script src='http://evil.example/a.js'></script>"))
    evaluation = evaluate_tampering(baseline, injected)
    assert evaluation.new_scripts == 1
    assert evaluation.score == 100 - scoring.TAMPER_NEW_SCRIPT_PENALTY


def test_build_baseline_needs_a_good_sample() -> None:
    with pytest.raises(ValueError):
        build_baseline([replace(snapshot(HOME_BODY), status=500)])


# --- http checks ---------------------------------------------------------------------------------------------------
def test_hsts_scoring() -> None:
    assert hsts_result(parse_hsts("max-age=31536000"), https_available=True).status == "pass"
    short = hsts_result(parse_hsts("max-age=15768000; includeSubDomains"), https_available=True)
    assert short.status == "warn" and 0 < (short.score or 0) < 100
    assert hsts_result(parse_hsts(None), https_available=True).status == "fail"
    assert hsts_result(parse_hsts("max-age=abc"), https_available=True).status == "fail"
    assert hsts_result(None, https_available=False).status == "fail"


def test_https_redirect_evaluation() -> None:
    hops = (Hop("http://s.edu.cn/", 301, "https://s.edu.cn/"), Hop("https://s.edu.cn/", 200, None))
    ok = evaluate_https_redirect(replace(fetch("http://s.edu.cn/", hops=hops), final_url="https://s.edu.cn/"))
    assert ok.redirects_to_https and ok.same_host_first
    missing = evaluate_https_redirect(fetch("http://s.edu.cn/"))
    assert not missing.redirects_to_https


def test_ipv6_needs_every_web_port_that_answers_over_ipv4() -> None:
    addresses = Addresses("s.edu.cn", ("1.2.3.4",), ("2001:db8::1",))
    page = fetch("http://s.edu.cn/")
    closed = evaluate_ipv6(addresses, page, {443: "Connection refused"})
    assert not closed.reachable and closed.error == "port 443 over IPv6: Connection refused"
    result = ipv6_result(addresses, closed)
    assert (result.status, result.score, result.evidence["other_ports"]) == ("fail", 50, {"443": False})
    assert evaluate_ipv6(addresses, page, {443: None}).reachable
    assert evaluate_ipv6(addresses, page).reachable  # no other port answers over IPv4: the page decides


def test_ipv6_content_difference() -> None:
    same = evaluate_ipv6_content(fetch(body="<p nonce=\"abc\">同一页面</p>"), fetch(body="<p nonce=\"xyz\">同一页面</p>"))
    assert same.difference == 0.0
    other = evaluate_ipv6_content(fetch(body="<h1>首页</h1>" * 50), fetch(body="<p>维护中 maintenance</p>" * 50))
    assert other.difference > scoring.IPV6_CONTENT_MAX_DIFFERENCE


def test_link_sample_covers_every_host_and_section_first() -> None:
    menu = [f"http://www.s.edu.cn/col/{i}/" for i in range(20)]
    hrefs = [*menu, "http://www.s.edu.cn/news/1.html", "http://www.s.edu.cn/news/2.html",
             "http://jwc.s.edu.cn/notice/1.html", "http://www.s.edu.cn/about.html"]
    sample = sample_links(hrefs, 5)
    # The first five links are all the menu; the sample takes one per (host, first segment) before a second.
    assert sample == ["http://www.s.edu.cn/col/0/", "http://www.s.edu.cn/news/1.html",
                      "http://jwc.s.edu.cn/notice/1.html", "http://www.s.edu.cn/about.html",
                      "http://www.s.edu.cn/col/1/"]
    assert sample_links(hrefs[:3], 10) == hrefs[:3]  # fewer links than the sample: all of them
    assert sample_links([], 5) == []


def test_ipv6_links_share() -> None:
    evaluation = evaluate_ipv6_links([("a", True), ("b", True), ("c", False), ("d", True)])
    assert evaluation.share == 0.75
    assert ipv6_links_result(evaluation, {"level2": 4, "level3": 0}).status == "warn"


# --- TLS ------------------------------------------------------------------------------------------------------------
def test_protocols_scoring() -> None:
    modern = evaluate_protocols((("TLSv1", False), ("TLSv1.1", False), ("TLSv1.2", True), ("TLSv1.3", True)))
    assert modern.score == 100 and not modern.insecure
    only12 = evaluate_protocols((("TLSv1", False), ("TLSv1.1", False), ("TLSv1.2", True), ("TLSv1.3", False)))
    assert only12.score == 100 - scoring.TLS_NO_13_PENALTY
    legacy = evaluate_protocols((("TLSv1", True), ("TLSv1.1", True), ("TLSv1.2", True), ("TLSv1.3", True)))
    assert legacy.insecure == ("TLSv1", "TLSv1.1") and legacy.score == 100 - 2 * scoring.TLS_INSECURE_PENALTY


def test_certificate_evaluation(tmp_path: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    ca = LocalCA(tmp_path)
    cert_path, _key = ca.leaf("x", ["www.school.edu.cn"], not_after=NOW + dt.timedelta(days=20))
    der = x509.load_pem_x509_certificate(cert_path.read_bytes()).public_bytes(Encoding.DER)
    evaluation = evaluate_certificate(der, "www.school.edu.cn", None, None, NOW)
    assert evaluation.days_to_expiry == 19 or evaluation.days_to_expiry == 20
    assert evaluation.hostname_matches and evaluation.trusted and not evaluation.expired
    wrong = evaluate_certificate(der, "other.edu.cn", 62, "Hostname mismatch", NOW)
    assert not wrong.hostname_matches and not wrong.trusted
    assert hostname_matches("a.school.edu.cn", ("*.school.edu.cn",))
    assert not hostname_matches("a.b.school.edu.cn", ("*.school.edu.cn",))


def test_grade_table() -> None:
    assert [scoring.grade(s) for s in (135, 100, 95, 90, 85, 80, 75, 70, 65, 60, 55, 50, 45, 40, 35, 30, 25, 24, 0)] == [
        "A+", "A+", "A", "A", "A-", "B+", "B", "B", "B-", "C+", "C", "C", "C-", "D+", "D", "D", "D-", "F", "F"]


def test_site_report_shape() -> None:
    from edupulse.monitoring.probes.types import CheckOutcome

    report = SiteReport("http://x/", (CheckOutcome("dns", "pass", 100, {"a": []}),), NOW, 1.0)
    assert report.as_dict() == {"url": "http://x/", "checks": [{"name": "dns", "status": "pass", "score": 100,
                                                                 "evidence": {"a": []}}]}


def test_baseline_survives_a_move_to_https_and_www() -> None:
    body = HOME_BODY + "<script src='/js/app.js'></script>"
    baseline = build_baseline([snapshot(body, "http://school.edu.cn/")] * 2)
    moved = evaluate_tampering(baseline, snapshot_features(snapshot(body, "https://www.school.edu.cn/")))
    assert moved.links_retained == 1.0 and moved.new_scripts == 0 and not moved.changed


# --- fast DNS wire format --------------------------------------------------------------------------------------
def test_fastdns_round_trip_against_dnspython() -> None:
    import dns.message
    import dns.rcode
    import dns.rrset

    from edupulse.monitoring.probes.fastdns import FastDnsError, decode_answer, encode_query

    wire = encode_query(4660, "www.school.edu.cn", 28)
    query = dns.message.from_wire(wire)
    assert query.id == 4660 and str(query.question[0].name) == "www.school.edu.cn."
    response = dns.message.make_response(query)
    response.answer.append(dns.rrset.from_text("www.school.edu.cn.", 60, "IN", "CNAME", "web.school.edu.cn."))
    response.answer.append(dns.rrset.from_text("web.school.edu.cn.", 60, "IN", "AAAA", "2001:da8::1", "2001:da8::2"))
    answer = decode_answer(response.to_wire(), 28)
    assert set(answer.addresses) == {"2001:da8::1", "2001:da8::2"} and not answer.nxdomain
    response.set_rcode(dns.rcode.NXDOMAIN)
    assert decode_answer(response.to_wire(), 28).nxdomain
    response.set_rcode(dns.rcode.SERVFAIL)
    with pytest.raises(FastDnsError):
        decode_answer(response.to_wire(), 28)
    assert encode_query(1, "学校.cn", 1)  # IDN names go through the idna codec
