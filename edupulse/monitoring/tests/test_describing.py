"""Findings read as sentences an official understands: every problem the engine reports on the local test
sites is described in Chinese with its figures, never as the engine's English evidence."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from edupulse.core.tests.arrange import arranging
from edupulse.monitoring.describing import advice, describe
from edupulse.monitoring.probes import CHECK_NAMES, SiteReport
from edupulse.monitoring.tests.servers import local_sites
from edupulse.monitoring.tests.test_probe_sites import reports

__all__ = ["local_sites", "reports"]

CJK = re.compile(r"[\u4e00-\u9fff]")


def zh(check: str, evidence: dict[str, object], status: str = "fail") -> str:
    with translation.override("zh-hans"):
        return describe(check, evidence, status)


def test_every_problem_on_the_local_sites_is_described_in_chinese(reports: dict[str, SiteReport]) -> None:
    described = 0
    for name, report in reports.items():
        for check in report.checks:
            if check.status not in ("fail", "warn"):
                continue
            text = zh(check.name, check.evidence, check.status)
            assert CJK.search(text), (name, check.name, text)
            assert f"{check.name}：" not in text, (name, check.name, text)  # not the fallback
            described += 1
    assert described > 20


@pytest.mark.parametrize(("site", "check", "expected"), [
    ("expired", "tls_certificate", "HTTPS 证书无效：已过期"),
    ("wronghost", "tls_certificate", "与网站域名不符"),
    ("legacy", "tls_protocols", "TLS 1.0、TLS 1.1"),
    ("v4only", "ipv6", "网站没有 IPv6 地址"),
    ("brokenv6", "ipv6", "无法通过 IPv6 访问"),
    ("plain", "https_redirect", "未跳转到 https://"),
    ("shorthsts", "hsts", "不足一年"),
    ("dark", "dark_links", "可疑链接"),
    ("sensitive", "sensitive_words", "代开发票"),
    ("error500", "availability", "HTTP 状态码 500"),
])
def test_descriptions_carry_the_figures(reports: dict[str, SiteReport], site: str, check: str,
                                        expected: str) -> None:
    result = reports[site].check(check)
    assert expected in zh(check, result.evidence, result.status)


def test_ipv6_port_missing_over_ipv6_is_named() -> None:
    evidence = {"aaaa": ["2001:db8::1"], "reachable": False, "other_ports": {"443": False},
                "error": "port 443 over IPv6: Connection refused"}
    assert zh("ipv6", evidence) == "网站可通过 IPv6 访问，但 443 端口只能通过 IPv4 访问。"


def test_a_page_too_costly_to_analyse_says_so_instead_of_reporting_no_links() -> None:
    from edupulse.monitoring.probes.darklinks import evaluate_dark_links
    from edupulse.monitoring.probes.html import parse_page

    rules = "".join(f"p div.c{i} div div a {{display:none}}" for i in range(2500))
    page = parse_page(f"<style>{rules}</style><p><div><div><div><a href='http://x.example/'>x</a></div></div></div></p>",
                      "http://school.example.edu.cn/")
    warned = zh("dark_links", dark_links_result_evidence(evaluate_dark_links(page)), "warn")
    assert warned.startswith("页面样式规则超过分析上限") and "可能遗漏隐藏链接" in warned


def dark_links_result_evidence(evaluation) -> dict[str, object]:  # type: ignore[no-untyped-def]
    from edupulse.monitoring.probes.darklinks import dark_links_result

    result = dark_links_result(evaluation, cloaking_checked=True)
    assert result.status == "warn"
    return result.evidence


def test_ipv6_links_description_gives_the_share(reports: dict[str, SiteReport]) -> None:
    result = reports["halfv6links"].check("ipv6_links")
    text = zh("ipv6_links", result.evidence, result.status)
    assert f"{round(100 * result.evidence['share'])}%" in text and "二、三级链接" in text


def test_english_readers_get_english_and_every_check_has_advice() -> None:
    with translation.override("en"):
        assert describe("ipv6", {"aaaa": []}) == "The site has no IPv6 address (no AAAA record)."
    with translation.override("zh-hans"):
        for check in CHECK_NAMES:
            assert CJK.search(advice(check)), check
        assert "清除暗链" in advice("dark_links")


def test_evidence_of_an_unknown_shape_falls_back_to_the_check_name() -> None:
    assert zh("headers", {"tests": "not a mapping"}).startswith("headers：")


@pytest.mark.django_db
def test_findings_saved_before_get_their_summary_rewritten_in_chinese() -> None:
    import importlib

    from django.apps import apps

    from edupulse.monitoring.models import Finding
    from edupulse.monitoring.tests.factories import make_finding, make_website
    from edupulse.orgs.tests.factories import make_school

    finding = make_finding(make_website(make_school("510107")), "ipv6")
    with arranging():
        Finding.objects.filter(pk=finding.pk).update(summary="no AAAA record", evidence={"aaaa": [], "reachable": False})
    migration = importlib.import_module("edupulse.monitoring.migrations.0003_finding_summaries_in_chinese")
    with arranging():  # the live registry stands in for the migration's historical models (which have no guard)
        migration.describe_existing(apps, None)
    assert Finding.objects.get(pk=finding.pk).summary == "网站没有 IPv6 地址（无 AAAA 记录）。"
