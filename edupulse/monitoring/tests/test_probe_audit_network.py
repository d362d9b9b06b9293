"""Cases a black-box audit of ``edupulse probe --json`` found wrong (HTTP, IPv6, HSTS, tampering): pure evaluations."""

from __future__ import annotations

from dataclasses import replace

import pytest

from edupulse.monitoring.probes import build_baseline, scoring
from edupulse.monitoring.probes.engine import InvalidUrlError, normalise_url
from edupulse.monitoring.probes.http_checks import (
    availability_result,
    evaluate_availability,
    evaluate_https_redirect,
    evaluate_ipv6,
    evaluate_ipv6_links,
    hsts_result,
    https_redirect_result,
    ipv6_links_result,
    ipv6_result,
    link_answered,
    parse_hsts,
)
from edupulse.monitoring.probes.net import Addresses, Hop
from edupulse.monitoring.probes.tampering import evaluate_tampering, snapshot_features, tampering_result
from edupulse.monitoring.probes.types import PageSnapshot
from edupulse.monitoring.tests.servers import HOME_BODY, _page
from edupulse.monitoring.tests.test_probe_units import NOW, fetch


def snapshot(html: str, url: str = "https://www.school.edu.cn/") -> PageSnapshot:
    """A fetched page whose whole HTML (title included) is ``html``."""
    return PageSnapshot(url, url, 200, (), html, NOW)

DUAL = Addresses("s.edu.cn", ("1.2.3.4",), ("2001:db8::1",))


def test_redirect_to_https_on_another_host_first_is_a_warning() -> None:
    hops = (Hop("http://s.edu.cn/", 301, "https://www.other.edu.cn/"), Hop("https://www.other.edu.cn/", 200, None))
    evaluation = evaluate_https_redirect(replace(fetch("http://s.edu.cn/", hops=hops),
                                                 final_url="https://www.other.edu.cn/"))
    result = https_redirect_result(evaluation, https_available=True)
    assert (result.status, result.score) == ("warn", scoring.HTTPS_REDIRECT_OTHER_HOST)
    assert "another host" in result.evidence["reason"]


def test_hsts_over_an_invalid_certificate_fails_and_a_short_max_age_warns_with_a_score() -> None:
    header = parse_hsts("max-age=31536000")
    invalid = hsts_result(header, https_available=True, certificate_problem="certificate has expired")
    assert invalid.status == "fail" and invalid.evidence["certificate"] == "certificate has expired"
    short = hsts_result(parse_hsts("max-age=300"), https_available=True)
    assert short.status == "warn" and short.score is not None and short.score >= scoring.HSTS_SHORT_MIN_SCORE


def test_many_redirects_lower_the_availability_score() -> None:
    hops = (*(Hop(f"https://s.edu.cn/{i}", 302, f"/{i + 1}") for i in range(5)), Hop("https://s.edu.cn/5", 200, None))
    result = availability_result(evaluate_availability(fetch(hops=hops)))
    assert (result.status, result.score) == ("warn", scoring.AVAILABILITY_MANY_REDIRECTS_SCORE)


def test_ipv6_is_not_blamed_for_a_site_that_is_down_on_ipv4_too() -> None:
    timeout = replace(fetch(), status=0, error="timed out", error_kind="timeout")
    down = ipv6_result(DUAL, evaluate_ipv6(DUAL, timeout, v4_fetch=timeout))
    assert down.status == "error" and "IPv4 either" in down.evidence["reason"]
    only_v6 = ipv6_result(DUAL, evaluate_ipv6(DUAL, timeout, v4_fetch=fetch()))
    assert (only_v6.status, only_v6.score) == ("fail", scoring.IPV6_AAAA_POINTS)


def test_an_ipv6_address_refused_by_the_allowlist_is_an_error() -> None:
    blocked = replace(fetch(), status=0, error="::1 is loopback and not in the probe allowlist", error_kind="blocked")
    result = ipv6_result(DUAL, evaluate_ipv6(DUAL, blocked, v4_fetch=fetch()))
    assert result.status == "error" and "allowlist" in result.evidence["reason"]


def test_link_errors_over_ipv6_count_and_dead_links_are_left_out() -> None:
    assert not link_answered(fetch(status=404)) and not link_answered(fetch(status=503))
    assert link_answered(fetch(status=200)) and link_answered(fetch(status=301))
    results = [("http://s.edu.cn/a", True), ("http://s.edu.cn/news/1", False), ("http://s.edu.cn/gone", False)]
    evaluation = evaluate_ipv6_links(results, ["http://s.edu.cn/gone"])
    assert (evaluation.tested, evaluation.reachable, evaluation.share) == (2, 1, 0.5)
    result = ipv6_links_result(evaluation, {})
    assert result.evidence["unreachable"] == ["http://s.edu.cn/news/1"]
    assert result.evidence["broken_on_ipv4_too"] == ["http://s.edu.cn/gone"]
    all_dead = ipv6_links_result(evaluate_ipv6_links(results[2:], ["http://s.edu.cn/gone"]), {})
    assert all_dead.status == "pass" and all_dead.score is None and "dead links" in all_dead.evidence["reason"]


HIJACKED = _page(
    "澳门新葡京娱乐城",
    HOME_BODY + "<p>澳门新葡京 真人百家乐 注册送彩金</p><a href=\"http://xpj-hack.example/\">进入</a>"
    "<script src=\"http://xpj-hack.example/tj.js\"></script>",
)


def test_hijacked_title_and_gambling_text_are_tampering_even_when_most_text_remains() -> None:
    baseline = build_baseline([snapshot(_page("某某市第一中学", HOME_BODY))] * 3)
    evaluation = evaluate_tampering(baseline, snapshot_features(snapshot(HIJACKED)))
    assert evaluation.text_retained > 0.8  # most of the page is still there…
    assert evaluation.title_changed and "百家乐" in evaluation.new_keywords
    assert evaluation.changed  # …but it is tampered
    result = tampering_result(baseline, evaluation, [evaluation, evaluation])
    assert result.status == "fail" and "百家乐" in result.evidence["new_keywords"]


def test_words_already_on_the_known_good_page_are_not_tampering() -> None:
    notice = _page("某某市第一中学", HOME_BODY + "<p>远离赌博，抵制网络色情。</p>")
    baseline = build_baseline([snapshot(notice)] * 3)
    again = evaluate_tampering(baseline, snapshot_features(snapshot(notice)))
    assert again.identical and not again.changed
    restored = type(baseline).from_dict({k: v for k, v in baseline.to_dict().items() if k != "keywords"})
    assert restored.keywords == frozenset()  # baselines stored before keywords were kept still load


def test_a_new_hidden_link_without_text_is_not_an_identical_page() -> None:
    page = _page("某某市第一中学", HOME_BODY)
    baseline = build_baseline([snapshot(page)] * 3)
    injected = page.replace("</body>", "<a href=\"http://xpj-hack.example/\"></a></body>")
    evaluation = evaluate_tampering(baseline, snapshot_features(snapshot(injected)))
    assert not evaluation.identical and evaluation.new_link_domains == ("xpj-hack.example",)


def test_a_non_web_url_is_refused_by_its_scheme_not_as_a_bad_port() -> None:
    for url in ("javascript:alert(1)", "mailto:office@school.edu.cn"):
        with pytest.raises(InvalidUrlError, match="only http:// and https://"):
            normalise_url(url)
    assert normalise_url("www.school.edu.cn:8080") == "http://www.school.edu.cn:8080/"


def test_an_http_error_over_ipv6_only_is_not_reachable() -> None:
    result = ipv6_result(DUAL, evaluate_ipv6(DUAL, fetch(status=503), v4_fetch=fetch(status=200)))
    assert result.status == "fail" and result.evidence["reachable"] is False
    assert result.evidence["error"] == "HTTP 503 over IPv6 where IPv4 answers HTTP 200"
    both = ipv6_result(DUAL, evaluate_ipv6(DUAL, fetch(status=500), v4_fetch=fetch(status=500)))
    assert both.evidence["reachable"] is True  # the same error on both families is not an IPv6 fault
