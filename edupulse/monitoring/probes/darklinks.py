"""Dark links (暗链) and sensitive words: pure evaluations over parsed pages.

Dark links are links a visitor does not see but a search engine does: hidden by CSS, written by scripts,
split with zero-width characters, or served only to spiders (cloaking: the Baiduspider fetch has links the
browser fetch has not). A hidden link to the site's own pages is common (drop-down menus) and not reported;
nor is a hidden or script-written link to a trusted site (``wordlists.TRUSTED_LINK_DOMAINS``: gov.cn, edu.cn,
filing badges, WeChat popups…). A hidden link or frame to any other site is a dark link (fail), and so is
any link, frame or redirect whose text, URL or host matches the gambling/porn lists.

Finding kinds: hidden-link, hidden-iframe, keyword-link, script-link, zero-width, redirect, cloaking,
referrer-hijack.

Sensitive words are counted in the page text unless a warning word (远离, 严禁, 抵制…) comes shortly before
them in the same clause: an anti-gambling notice is not gambling content.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from edupulse.monitoring.probes import scoring
from edupulse.monitoring.probes.html import AnalysisGap, Link, ParsedPage, site_of, strip_zero_width
from edupulse.monitoring.probes.types import CheckOutcome
from edupulse.monitoring.probes.wordlists import (
    WordMatcher,
    bad_domains,
    in_warning_context,
    is_trusted_host,
    keywords,
    sensitive_words,
)


@dataclass(frozen=True)
class DarkLinkFinding:
    kind: str  # hidden-link | hidden-iframe | keyword-link | script-link | zero-width | redirect | cloaking | referrer-hijack
    href: str
    text: str
    reason: str
    matches: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "href": self.href, "text": self.text, "reason": self.reason,
                "matches": list(self.matches)}


@dataclass(frozen=True)
class DarkLinksEvaluation:
    findings: tuple[DarkLinkFinding, ...]
    links: int
    hidden_internal: int
    score: int
    malicious: bool  # a list match or a failing kind (scoring.DARK_FAILING_KINDS): a dark link, not a suspicion
    trusted_hidden: int = 0  # hidden or script-written links to trusted sites (not reported)
    #: Links to other sites hidden the way menus, tabs and carousels hide them, matching no list (not reported).
    hidden_external: int = 0
    #: What the page analysis left out (``ParsedPage.analysis_incomplete``): a link may be hidden unseen.
    incomplete: AnalysisGap | None = None


def _matches(link: Link, *, text_warnings: bool = False) -> tuple[str, ...]:
    """List words in the link's text and URL, and list domains in its host.

    ``text_warnings``: drop text words standing in a warning ("远离赌博") — only for visible same-site links,
    whose text is a news title, never for a link to another site.
    """
    text_words = _words_outside_warnings(keywords(), strip_zero_width(link.text).lower()) if text_warnings \
        else keywords().find(link.text)
    found = text_words + keywords().find(link.href) + bad_domains().find(link.host)
    return tuple(dict.fromkeys(found))


_PENALTIES = {
    "hidden-link": scoring.DARK_HIDDEN_EXTERNAL_PENALTY,
    "hidden-iframe": scoring.DARK_HIDDEN_IFRAME_PENALTY,
    "script-link": scoring.DARK_SCRIPT_LINK_PENALTY,
    "zero-width": scoring.DARK_ZERO_WIDTH_PENALTY,
    "redirect": scoring.DARK_EXTERNAL_REDIRECT_PENALTY,  # a listed target takes the keyword-link penalty
    "cloaking": scoring.DARK_CLOAKING_PENALTY,
    "referrer-hijack": scoring.DARK_REFERRER_HIJACK_PENALTY,
}


def _penalty(finding: DarkLinkFinding) -> int:
    base = _PENALTIES.get(finding.kind, scoring.DARK_HIDDEN_EXTERNAL_PENALTY)
    return max(base, scoring.DARK_KEYWORD_LINK_PENALTY) if finding.matches else base


def _is_failing(finding: DarkLinkFinding) -> bool:
    return bool(finding.matches) or finding.kind in scoring.DARK_FAILING_KINDS


#: Who a cloaking finding says was shown what browsers were not.
SPIDER = "the search-engine spider"
SEARCH_VISITOR = "visitors arriving from a search engine"


def spider_redirect_finding(
    browser_final_url: str, spider_final_url: str | None, spider_first_location: str | None, who: str = SPIDER,
) -> DarkLinkFinding | None:
    """A "cloaking" finding when the search-engine spider was redirected to another site than the browser. Pure.

    ``spider_first_location`` is the first redirect the spider got (its ``Location``, absolute or relative);
    ``spider_final_url`` where the spider ended (None when that fetch failed). The finding's ``href`` is the
    off-site target, so the evidence names it even when it could not be fetched.
    """
    browser_host = (urlsplit(browser_final_url).hostname or "").lower()
    browser_site = site_of(browser_host)
    for target in (spider_first_location, spider_final_url):
        if not target:
            continue
        try:
            absolute = urljoin(browser_final_url, target.strip())
            host = (urlsplit(absolute).hostname or "").lower()
        except ValueError:  # a malformed Location (bad IPv6 literal…)
            continue
        if host and site_of(host) != browser_site:
            link = Link(href=absolute, text="", host=host, external=True)
            return DarkLinkFinding("cloaking", absolute, "", f"{who}: redirected to {site_of(host)}, browsers are not",
                                   _matches(link))
    return None


def _shown_only_to(page: ParsedPage, other: ParsedPage, who: str) -> list[DarkLinkFinding]:
    """Cloaking: links, frames, redirects and gambling/porn words ``other`` was shown and the browser was not."""
    if other is page:  # the usual case: the very page the browser got, nothing can differ
        return []
    findings: list[DarkLinkFinding] = []
    browser_domains = {site_of(link.host) for link in (*page.links, *page.frames, *page.redirects) if link.external}
    extra: dict[str, Link] = {}
    for link in (*other.links, *other.frames, *other.redirects):
        if link.external and site_of(link.host) not in browser_domains:
            extra.setdefault(site_of(link.host), link)
    for domain, link in extra.items():
        findings.append(DarkLinkFinding("cloaking", link.href, link.text, f"{who}: shown links to {domain}",
                                        _matches(link)))
    words = set(keywords().find(other.text)) - set(keywords().find(page.text))
    if words:
        findings.append(DarkLinkFinding("cloaking", "", other.title[:80], f"{who}: shown these words",
                                        tuple(sorted(words))))
    return findings


def evaluate_dark_links(page: ParsedPage, spider: ParsedPage | None = None,
                        extra_findings: Sequence[DarkLinkFinding] = (),
                        visitor: ParsedPage | None = None) -> DarkLinksEvaluation:
    """``spider``: the page as Baiduspider got it; ``visitor``: as a phone browser arriving from a Baidu search
    got it (the two audiences hacked sites serve differently); ``extra_findings``: what the engine saw outside
    the pages (one of them redirected off-site)."""
    findings: list[DarkLinkFinding] = list(extra_findings)
    hidden_internal = 0
    hidden_external = 0
    trusted_hidden = 0
    # One Aho-Corasick pass over every link first: on a clean page no link needs matching on its own.
    any_match = bool(
        keywords().find(" ".join(f"{link.text} {link.href}" for link in page.links))
        or bad_domains().find(" ".join(link.host for link in page.links))
    )
    for link in page.links:
        if any_match:
            # A visible link to the site's own page carries a news title: "抵制赌博" there is a warning.
            visible_own = not link.external and not link.hidden and link.source == "html"
            matches = _matches(link, text_warnings=visible_own)
        else:
            matches = ()
        trusted = link.external and not matches and (link.hidden or link.source == "script") \
            and is_trusted_host(link.host)
        if trusted:
            trusted_hidden += 1
        elif link.hidden and (matches or (link.external and link.hidden in scoring.DARK_SEO_TRICKS)):
            findings.append(DarkLinkFinding("hidden-link", link.href, link.text, link.hidden, matches))
        elif link.hidden and link.external:
            hidden_external += 1  # a drop-down, tab, carousel or share menu: display:none and no list match
        elif link.hidden:
            hidden_internal += 1
        elif link.source == "script" and (link.external or matches):
            findings.append(DarkLinkFinding("script-link", link.href, link.text, "written by a script", matches))
        elif link.zero_width:
            findings.append(DarkLinkFinding("zero-width", link.href, link.text, "zero-width characters", matches))
        elif matches:
            findings.append(DarkLinkFinding("keyword-link", link.href, link.text, "gambling/porn list", matches))
    for frame in page.frames:
        if not frame.external:
            continue
        matches = _matches(frame)
        if frame.hidden and (matches or (frame.hidden in scoring.DARK_SEO_TRICKS and not is_trusted_host(frame.host))):
            findings.append(DarkLinkFinding("hidden-iframe", frame.href, "", f"hidden frame ({frame.hidden})",
                                            matches))
        elif matches:
            findings.append(DarkLinkFinding("keyword-link", frame.href, "", "frame on the gambling/porn list",
                                            matches))
    for target in page.redirects:
        if target.source == "referrer":
            continue  # reported below, as the referrer hijack's target
        if not target.external:
            continue
        matches = _matches(target)
        how = "meta refresh" if target.source == "meta" else "script redirect"
        if matches:
            findings.append(DarkLinkFinding("redirect", target.href, "", f"{how} to a gambling/porn site", matches))
        elif target.source != "script-conditional" and not is_trusted_host(target.host):
            # The home page sends every visitor to another, unlisted site: a moved site or a hijack — a warning.
            findings.append(DarkLinkFinding("redirect", target.href, "", f"{how} to another site"))
    for text in page.zero_width_text:
        matches = tuple(keywords().find(text))
        if matches:
            findings.append(DarkLinkFinding("zero-width", "", text[:80], "keyword split by zero-width characters",
                                            matches))
    if page.referrer_hijack:
        hijack_target = next((link for link in page.redirects if link.source == "referrer"), None)
        findings.append(DarkLinkFinding("referrer-hijack", hijack_target.href if hijack_target else "", "",
                                        "script branches on document.referrer and a search engine name and "
                                        "redirects or rewrites the page",
                                        _matches(hijack_target) if hijack_target and hijack_target.external else ()))
    # Links, frames, redirects (a meta refresh served to them only) and words the browser is not shown.
    if spider is not None:
        findings += _shown_only_to(page, spider, SPIDER)
    if visitor is not None:
        findings += _shown_only_to(page, visitor, SEARCH_VISITOR)
    score = max(0, 100 - sum(_penalty(finding) for finding in findings))
    malicious = any(_is_failing(finding) for finding in findings)
    if not malicious:  # suspicions only: a person must look, the check warns at worst (scoring.DARK_FAILING_KINDS)
        score = max(score, scoring.DARK_WARN)
    return DarkLinksEvaluation(tuple(findings), len(page.links), hidden_internal, score, malicious, trusted_hidden,
                               hidden_external, page.analysis_incomplete)


def dark_links_result(ev: DarkLinksEvaluation, *, cloaking_checked: bool) -> CheckOutcome:
    evidence = {
        "links": ev.links,
        "hidden_internal_links": ev.hidden_internal,
        "trusted_hidden_links": ev.trusted_hidden,
        "hidden_external_links": ev.hidden_external,
        "cloaking_checked": cloaking_checked,
        "findings": [finding.as_dict() for finding in ev.findings[: scoring.EVIDENCE_ITEMS]],
        "finding_count": len(ev.findings),
    }
    score = ev.score
    if ev.incomplete is not None:
        evidence["analysis_incomplete"] = _gap_evidence(ev.incomplete)
        score = min(score, scoring.DARK_PASS - 1)  # never a pass: a link may hide behind what was left out
    if ev.malicious:
        return CheckOutcome("dark_links", "fail", min(score, scoring.DARK_WARN - 1), evidence)
    status = scoring.status_for(score, scoring.DARK_PASS, scoring.DARK_WARN)
    return CheckOutcome("dark_links", status, score, evidence)  # type: ignore[arg-type]


def _gap_evidence(gap: AnalysisGap) -> dict[str, Any]:
    """``{"reason": "work-budget" | "rule-limit" | "unsupported-selector" | "markup-limit", "rules_skipped": n}``,
    with ``characters_read`` when only the start of the page was parsed (``markup-limit``)."""
    evidence: dict[str, Any] = {"reason": gap.reason, "rules_skipped": gap.rules_skipped}
    if gap.characters_read is not None:
        evidence["characters_read"] = gap.characters_read
    return evidence


# --- sensitive words ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SensitiveEvaluation:
    sensitive: tuple[str, ...]
    gambling_porn: tuple[str, ...]
    snippets: tuple[str, ...]
    score: int


def _words_outside_warnings(matcher: WordMatcher, lowered: str, first: dict[str, int] | None = None) -> list[str]:
    """Distinct words of ``matcher`` in ``lowered`` having at least one occurrence outside a warning ("远离赌博",
    "赌博是违法行为" do not count, "澳门赌场" does). ``first`` receives each counted word's first such position."""
    found: dict[str, int] = {}
    for start, word in matcher.positions(lowered):
        if word not in found and not in_warning_context(lowered, start, scoring.SENSITIVE_WARNING_LOOKBACK,
                                                        start + len(word), scoring.SENSITIVE_WARNING_LOOKAHEAD):
            found[word] = start
    if first is not None:
        first.update(found)
    return sorted(found, key=found.__getitem__)


def _snippet(text: str, word: str, index: int) -> str:
    return text[max(0, index - 20) : index + len(word) + 20].replace("\n", " ")


def evaluate_sensitive_words(page: ParsedPage) -> SensitiveEvaluation:
    text = strip_zero_width(page.text)
    lowered = text.lower()
    if len(lowered) != len(text):  # a rare character whose lower case is longer: index the lowered text
        text = lowered
    positions: dict[str, int] = {}
    sensitive = tuple(_words_outside_warnings(sensitive_words(), lowered, positions))
    gambling = tuple(_words_outside_warnings(keywords(), lowered, positions))
    words = sensitive + gambling
    snippets = tuple(_snippet(text, word, positions[word]) for word in words[: scoring.EVIDENCE_ITEMS])
    score = max(0, 100 - scoring.SENSITIVE_PENALTY_PER_WORD * len(words))
    return SensitiveEvaluation(sensitive, gambling, snippets, score)


def sensitive_words_result(ev: SensitiveEvaluation) -> CheckOutcome:
    evidence = {"sensitive": list(ev.sensitive), "gambling_porn": list(ev.gambling_porn),
                "snippets": list(ev.snippets)}
    if not ev.sensitive and not ev.gambling_porn:
        return CheckOutcome("sensitive_words", "pass", 100, evidence)
    if ev.gambling_porn or ev.score < scoring.SENSITIVE_WARN_SCORE:
        return CheckOutcome("sensitive_words", "fail", ev.score, evidence)
    return CheckOutcome("sensitive_words", "warn", ev.score, evidence)
