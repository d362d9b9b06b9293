"""Hostile pages cannot stall the prober: the page analysis (parse_page → evaluate_dark_links) is bounded, and
what it leaves out makes the dark_links check warn, never pass.

Without the bounds each hostile page below costs seconds to minutes of CPU (measured in docs/benchmarks.md):
lexbor backtracks on descendant selectors over deep nesting, its tree builder is quadratic in the nesting depth
and re-creates every formatting element left open, once per paragraph.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import pytest
from selectolax.lexbor import LexborHTMLParser

from edupulse.monitoring.probes import cssmatch, scoring
from edupulse.monitoring.probes.config import ProbeConfig
from edupulse.monitoring.probes.cssmatch import SelectorMatcher
from edupulse.monitoring.probes.darklinks import dark_links_result, evaluate_dark_links
from edupulse.monitoring.probes.html import parse_page
from edupulse.monitoring.probes.types import CheckOutcome

URL = "https://www.school.edu.cn/"
#: CPU seconds one hostile page may cost, on a slow shared 2-vCPU machine: 2-6 times what they take there (0.1 to
#: 0.9 s), and a small fraction of what they took unbounded (5 s to well over a minute).
CPU_BOUND_S = 2.0
SPAM = '<a href="https://www.partner-links.example.com/">合作伙伴</a>'
OFF_SCREEN = "{position:absolute;left:-9999px}"


def _page(css: str, body: str) -> str:
    html = f"<html><head><title>某某中学</title><style>{css}</style></head><body>{body}</body></html>"
    assert len(html) <= ProbeConfig().max_bytes  # the probe reads no more of a page
    return html


def deep_nesting() -> str:
    """150,000 unclosed <div>, 2,000 rules of descendant selectors that almost match."""
    rules = "\n".join(f"p div div div a.c{i}, section div div span.c{i} {OFF_SCREEN}" for i in range(2000))
    return _page(rules, "<div>" * 150_000 + SPAM)


def deep_closed_nesting() -> str:
    rules = "\n".join(f"p div div div a, body div div div .c{i} {OFF_SCREEN}" for i in range(2000))
    return _page(rules, "<div>" * 80_000 + SPAM + "</div>" * 80_000)


def many_rules_over_many_elements() -> str:
    """2,000 rules, each a new lexbor search of 220,000 elements."""
    rules = "\n".join(f".k{i} i.j{i} > b.m{i} {OFF_SCREEN}" for i in range(2000))
    return _page(rules, "<i>" * 1000 + "<b></b>" * 220_000 + SPAM)


def wide_siblings() -> str:
    rules = "\n".join(f"b ~ b ~ b ~ u.c{i} + a {OFF_SCREEN}" for i in range(2000))
    return _page(rules, "<b></b>" * 200_000 + SPAM)


def huge_attribute_lists() -> str:
    attributes = " ".join(f'data-a{j}="v{j}"' for j in range(1_500))
    rules = "\n".join(f'[data-a{j}="v{j}"] div [data-a{j + 1}] a {OFF_SCREEN}' for j in range(2000))
    return _page(rules, f"<div {attributes}><section {attributes}>" * 35 + SPAM)


def formatting_left_open() -> str:
    """3,000 distinct <b> closed by a </div>, then 3,000 paragraphs: lexbor makes 9 million elements of it."""
    body = "<div>" + "".join(f"<b a={i}>" for i in range(3000)) + "</div>" + "<p>x</p>" * 3000 + SPAM
    return _page(f".x a {OFF_SCREEN}", body)


HOSTILE = [deep_nesting, deep_closed_nesting, many_rules_over_many_elements, wide_siblings, huge_attribute_lists,
           formatting_left_open]


def _dark_links(html: str) -> CheckOutcome:
    return dark_links_result(evaluate_dark_links(parse_page(html, URL)), cloaking_checked=False)


@pytest.mark.parametrize("make", HOSTILE, ids=[make.__name__ for make in HOSTILE])
def test_hostile_page_costs_bounded_cpu_and_does_not_pass(make: Callable[[], str]) -> None:
    html = make()
    started = time.process_time()
    result = _dark_links(html)
    elapsed = time.process_time() - started
    assert elapsed < CPU_BOUND_S, f"{make.__name__}: {elapsed:.2f} s of CPU"
    if "analysis_incomplete" in result.evidence:
        assert result.status == "warn"
        assert result.evidence["analysis_incomplete"]["reason"] in ("work-budget", "markup-limit")
    else:  # analysed in full within the bounds: the link is found hidden
        assert [finding["kind"] for finding in result.evidence["findings"]] == ["hidden-link"]


def test_rules_beyond_the_budget_make_the_check_warn(monkeypatch: pytest.MonkeyPatch) -> None:
    rules = "".join(f".menu{i} li a{{color:#333}}" for i in range(40)) + f".links a {OFF_SCREEN}"
    html = _page(rules, "<ul class='menu1'><li><a href='/'>首页</a></li></ul>"
                        f"<div class='links'>{SPAM}</div>")
    assert _dark_links(html).status == "warn"  # the hidden link, found
    assert "analysis_incomplete" not in _dark_links(html).evidence
    monkeypatch.setattr(cssmatch, "WORK_BUDGET", 200)  # enough for the first rules only
    result = _dark_links(html)
    assert (result.status, result.evidence["findings"]) == ("warn", [])
    gap = result.evidence["analysis_incomplete"]
    assert gap["reason"] == "work-budget" and 1 <= gap["rules_skipped"] <= 41


def test_a_link_hidden_beyond_the_rule_limit_is_not_a_pass() -> None:
    filler = "".join(f".c{i}{{color:#333}}" for i in range(scoring.DARK_MAX_CSS_RULES))
    result = _dark_links(_page(filler + f".links a {OFF_SCREEN}", f"<div class='links'>{SPAM}</div>"))
    assert result.status == "warn"
    assert result.evidence["analysis_incomplete"] == {"reason": "rule-limit", "rules_skipped": 1}


def test_an_unsupported_selector_counts_only_when_its_rule_hides() -> None:
    body = f"<div class='a.b'>{SPAM}</div>"
    hiding = _dark_links(_page(f".a\\.b a {OFF_SCREEN}", body))
    assert hiding.status == "warn"
    assert hiding.evidence["analysis_incomplete"] == {"reason": "unsupported-selector", "rules_skipped": 1}
    colouring = _dark_links(_page(".a\\.b a {color:#333}", body))
    assert (colouring.status, "analysis_incomplete" in colouring.evidence) == ("pass", False)


def test_markup_too_deep_to_parse_is_cut_and_says_how_much_was_read() -> None:
    html = _page("", "<div>" * 20_000 + SPAM)
    result = _dark_links(html)
    assert result.status == "warn"
    gap = result.evidence["analysis_incomplete"]
    assert gap["reason"] == "markup-limit" and 0 < gap["characters_read"] < len(html)


# --- the matcher finds what lexbor finds on ordinary pages ----------------------------------------------------
ORDINARY_PAGES = [
    "<div id='top' class='wrap'><ul class='nav main'><li class='on'><a href='/' title='首页'>首页</a></li>"
    "<li><a href='/news/' target='_blank'>新闻</a><ul class='sub'><li><a href='/news/1'>通知</a></li></ul></li>"
    "</ul><div class='box news'><h3>要闻</h3><ul><li><a href='/n/1'>一</a><span class='date'>01-01</span></li>"
    "<li><a href='/n/2' class='hot'>二</a><span class='date'>01-02</span></li></ul></div>"
    "<p>文字<b>粗</b><a href='/x'>链接</a></p><table><tr><td class='date'>1</td><td><a href='/t'>t</a></td></tr>"
    "</table><div class='footer'><p class='copy'>版权所有 <a href='http://www.moe.gov.cn/'>教育部</a></p></div></div>",
    "".join(f"<div class='box b{i % 4}'><h3 id='h{i}'>标题</h3><ul class='list'>"
            + "".join(f"<li class='i{j % 3}'><a href='/a/{i}/{j}' data-k='{j % 2}'>新闻</a><em>new</em></li>"
                      for j in range(8))
            + "</ul></div>" for i in range(12)),
]
_COMPOUNDS = ["div", "ul", "li", "a", "p", "h3", "span", "td", "tr", "em", "b", "*", ".box", ".nav", ".sub", ".on",
              ".date", ".b1", ".i2", ".list", ".hot", ".footer", "#top", "#h3", "ul.nav", "li.on", "a.hot",
              "div.box.b2", "[title]", "[target=_blank]", "a[data-k='1']", "[class~=news]", "a[href^='/n']",
              "li[class]", "p.copy", "span.date"]


def test_the_matcher_agrees_with_lexbor_on_ordinary_pages() -> None:
    rng = random.Random(13)
    compared = 0
    for body in ORDINARY_PAGES:
        tree = LexborHTMLParser(f"<html><head><title>t</title></head><body>{body}</body></html>")
        matcher = SelectorMatcher(tree, body)
        for _ in range(400):
            parts = [rng.choice(_COMPOUNDS)]
            for _step in range(rng.randint(0, 3)):
                parts += [rng.choice([" ", " ", " > ", " + ", " ~ "]), rng.choice(_COMPOUNDS)]
            selector = "".join(parts)
            expected = {node.mem_id for node in tree.css(selector)}
            assert {node.mem_id for node in matcher.match(selector)} == expected, selector
            compared += bool(expected)
    assert compared > 100  # many generated selectors match something: the comparison is not vacuous
