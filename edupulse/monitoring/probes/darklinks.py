"""Dark links (暗链) and sensitive words: pure evaluations over parsed pages.

Dark links are links a visitor does not see but a search engine does: hidden by CSS, written by scripts,
split with zero-width characters, or served only to spiders (cloaking: the Baiduspider fetch has links the
browser fetch has not). A hidden link to the site's own pages is common (drop-down menus) and not reported;
a hidden *external* link is suspicious; any link whose text, URL or host matches the gambling/porn lists
is a dark link.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from edupulse.monitoring.probes import scoring
from edupulse.monitoring.probes.html import Link, ParsedPage, site_of, strip_zero_width
from edupulse.monitoring.probes.types import CheckResult
from edupulse.monitoring.probes.wordlists import bad_domains, keywords, sensitive_words


@dataclass(frozen=True)
class DarkLinkFinding:
    kind: str  # hidden-link | keyword-link | script-link | zero-width | cloaking | referrer-hijack
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
    malicious: bool  # a keyword/domain match or cloaking: a dark link, not just a suspicion


def _matches(link: Link) -> tuple[str, ...]:
    found = keywords().find(f"{link.text} {link.href}") + bad_domains().find(link.host)
    return tuple(dict.fromkeys(found))


def _penalty(finding: DarkLinkFinding) -> int:
    if finding.matches or finding.kind == "cloaking":
        return scoring.DARK_KEYWORD_LINK_PENALTY if finding.kind != "cloaking" else scoring.DARK_CLOAKING_PENALTY
    return {
        "hidden-link": scoring.DARK_HIDDEN_EXTERNAL_PENALTY,
        "script-link": scoring.DARK_SCRIPT_LINK_PENALTY,
        "zero-width": scoring.DARK_ZERO_WIDTH_PENALTY,
        "referrer-hijack": scoring.DARK_REFERRER_HIJACK_PENALTY,
    }.get(finding.kind, scoring.DARK_HIDDEN_EXTERNAL_PENALTY)


def evaluate_dark_links(page: ParsedPage, spider: ParsedPage | None = None) -> DarkLinksEvaluation:
    findings: list[DarkLinkFinding] = []
    hidden_internal = 0
    # One Aho-Corasick pass over every link first: on a clean page no link needs matching on its own.
    any_match = bool(
        keywords().find(" ".join(f"{link.text} {link.href}" for link in page.links))
        or bad_domains().find(" ".join(link.host for link in page.links))
    )
    for link in page.links:
        matches = _matches(link) if any_match else ()
        if link.hidden and (link.external or matches):
            findings.append(DarkLinkFinding("hidden-link", link.href, link.text, link.hidden, matches))
        elif link.hidden:
            hidden_internal += 1
        elif link.source == "script" and (link.external or matches):
            findings.append(DarkLinkFinding("script-link", link.href, link.text, "written by a script", matches))
        elif link.zero_width:
            findings.append(DarkLinkFinding("zero-width", link.href, link.text, "zero-width characters", matches))
        elif matches:
            findings.append(DarkLinkFinding("keyword-link", link.href, link.text, "gambling/porn list", matches))
    for text in page.zero_width_text:
        matches = tuple(keywords().find(text))
        if matches:
            findings.append(DarkLinkFinding("zero-width", "", text[:80], "keyword split by zero-width characters",
                                            matches))
    if page.referrer_hijack:
        findings.append(DarkLinkFinding("referrer-hijack", "", "", "script branches on document.referrer and a "
                                        "search engine name (redirects search visitors)"))
    if spider is not None:
        browser_domains = {site_of(link.host) for link in page.links if link.external}
        extra: dict[str, Link] = {}
        for link in spider.links:
            if link.external and site_of(link.host) not in browser_domains:
                extra.setdefault(site_of(link.host), link)
        for domain, link in extra.items():
            findings.append(DarkLinkFinding("cloaking", link.href, link.text,
                                            f"only the search-engine spider is shown links to {domain}",
                                            _matches(link)))
        # The usual case: the spider was shown the very page (same object): no words can differ.
        spider_words = set() if spider is page else set(keywords().find(spider.text)) - set(keywords().find(page.text))
        if spider_words:
            findings.append(DarkLinkFinding("cloaking", "", spider.title[:80],
                                            "only the search-engine spider is shown these words",
                                            tuple(sorted(spider_words))))
    score = max(0, 100 - sum(_penalty(finding) for finding in findings))
    malicious = any(finding.matches or finding.kind == "cloaking" for finding in findings)
    return DarkLinksEvaluation(tuple(findings), len(page.links), hidden_internal, score, malicious)


def dark_links_result(ev: DarkLinksEvaluation, *, cloaking_checked: bool) -> CheckResult:
    evidence = {
        "links": ev.links,
        "hidden_internal_links": ev.hidden_internal,
        "cloaking_checked": cloaking_checked,
        "findings": [finding.as_dict() for finding in ev.findings[: scoring.EVIDENCE_ITEMS]],
        "finding_count": len(ev.findings),
    }
    if ev.malicious:
        return CheckResult("dark_links", "fail", min(ev.score, scoring.DARK_WARN - 1), evidence)
    status = scoring.status_for(ev.score, scoring.DARK_PASS, scoring.DARK_WARN)
    return CheckResult("dark_links", status, ev.score, evidence)  # type: ignore[arg-type]


# --- sensitive words ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SensitiveEvaluation:
    sensitive: tuple[str, ...]
    gambling_porn: tuple[str, ...]
    snippets: tuple[str, ...]
    score: int


def _snippet(text: str, word: str) -> str:
    lowered = text.lower()
    index = lowered.find(word)
    if index < 0:
        return word
    return text[max(0, index - 20) : index + len(word) + 20].replace("\n", " ")


def evaluate_sensitive_words(page: ParsedPage) -> SensitiveEvaluation:
    text = strip_zero_width(page.text)
    sensitive = tuple(sensitive_words().find(text))
    gambling = tuple(keywords().find(text))
    words = sensitive + gambling
    snippets = tuple(_snippet(text, word) for word in words[: scoring.EVIDENCE_ITEMS])
    score = max(0, 100 - scoring.SENSITIVE_PENALTY_PER_WORD * len(words))
    return SensitiveEvaluation(sensitive, gambling, snippets, score)


def sensitive_words_result(ev: SensitiveEvaluation) -> CheckResult:
    evidence = {"sensitive": list(ev.sensitive), "gambling_porn": list(ev.gambling_porn),
                "snippets": list(ev.snippets)}
    if not ev.sensitive and not ev.gambling_porn:
        return CheckResult("sensitive_words", "pass", 100, evidence)
    if ev.gambling_porn or ev.score < scoring.SENSITIVE_WARN_SCORE:
        return CheckResult("sensitive_words", "fail", ev.score, evidence)
    return CheckResult("sensitive_words", "warn", ev.score, evidence)
