"""The platform's side of every probe check: its label, the severity of the finding it opens, the sentence that
describes a problem it found and the rectification asked for (整改要求) — one ``CheckPresentation`` per check.

The probe engine is a Django-free library: what a check needs fetched and how it is judged is its
``CheckSpec`` in ``edupulse.monitoring.probes.checks``; everything a person reads about it (through Django's
i18n: Chinese by default) is its presentation here, registered under the same name. A test fails while a
registered probe check has no presentation. The model fields' choices (``CHECK_CHOICES``) are made from the
presentations, so models and migrations do not import the engine.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

Evidence = Mapping[str, Any]


class CheckStatus(models.TextChoices):
    """The status of a stored check result (the probe engine's ``OutcomeStatus``)."""

    PASS = "pass", gettext_lazy("Pass")
    WARN = "warn", gettext_lazy("Warning")
    FAIL = "fail", gettext_lazy("Fail")
    ERROR = "error", gettext_lazy("Probe error")


class Severity(models.IntegerChoices):
    LOW = 1, gettext_lazy("Low")
    MEDIUM = 2, gettext_lazy("Medium")
    HIGH = 3, gettext_lazy("High")
    CRITICAL = 4, gettext_lazy("Critical")


@dataclass(frozen=True)
class CheckPresentation:
    """What the platform shows of one probe check.

    ``describe(status, evidence)`` says in one sentence what is wrong, with the figures from the evidence (a
    finding is opened by "fail" or "warn"; the evidence tells the cases apart); ``advice()`` is what the
    responsible unit is asked to do. Both are called with the reader's language active.
    """

    name: str
    label: str | Promise
    #: Severity of a finding opened by a *failing* check; a warning is one step lower (never below LOW).
    fail_severity: Severity
    describe: Callable[[str, Evidence], str]
    advice: Callable[[], str]


class Presentations:
    """The presentations by check name, in the engine's report order."""

    def __init__(self, presentations: Iterable[CheckPresentation]) -> None:
        self._by_name: dict[str, CheckPresentation] = {}
        for presentation in presentations:
            self.register(presentation)

    def register(self, presentation: CheckPresentation) -> CheckPresentation:
        if presentation.name in self._by_name:
            raise ValueError(f"check {presentation.name!r} already has a presentation")
        self._by_name[presentation.name] = presentation
        return presentation

    def unregister(self, name: str) -> None:
        del self._by_name[name]

    @contextlib.contextmanager
    def registered(self, presentation: CheckPresentation) -> Iterator[CheckPresentation]:
        """``presentation`` registered for the duration of the block (tests)."""
        self.register(presentation)
        try:
            yield presentation
        finally:
            self.unregister(presentation.name)

    def get(self, name: str) -> CheckPresentation | None:
        return self._by_name.get(name)

    def names(self) -> tuple[str, ...]:
        return tuple(self._by_name)

    def __iter__(self) -> Iterator[CheckPresentation]:
        return iter(tuple(self._by_name.values()))


# --- descriptions -------------------------------------------------------------------------------------------
#: Dark-link kinds (``probes.darklinks.DarkLinkFinding.kind``) in words.
_DARK_KINDS: dict[str, Callable[[], str]] = {
    "hidden-link": lambda: _("hidden link"),
    "keyword-link": lambda: _("link to a gambling/pornography site"),
    "script-link": lambda: _("link written by a script"),
    "zero-width": lambda: _("text split by zero-width characters"),
    "cloaking": lambda: _("content or redirects shown only to search-engine spiders or to visitors from a search "
                          "engine"),
    "referrer-hijack": lambda: _("script redirecting visitors from search engines"),
    "hidden-iframe": lambda: _("hidden frame loading another site"),
    "redirect": lambda: _("redirect of visitors to another site"),
}

_CERT_PROBLEMS: dict[str, Callable[[], str]] = {
    "expired": lambda: _("expired"),
    "not yet valid": lambda: _("not yet valid"),
    "host name mismatch": lambda: _("issued for another host name"),
    "self-signed": lambda: _("self-signed"),
}


def _items(values: Any, limit: int = 3) -> str:
    items = [str(value) for value in (values or []) if str(value)]
    text = "、".join(items[:limit])
    return text + (_(" and %(count)d more") % {"count": len(items) - limit} if len(items) > limit else "")


def _availability(status: str, ev: Evidence) -> str:
    if not ev.get("error") and not ev.get("error_kind") and (ev.get("slow") or ev.get("too_many_redirects")):
        if ev.get("too_many_redirects"):
            return _("The site redirects %(count)s times before answering.") % {"count": ev.get("redirects")}
        return _("The site answers slowly (%(ms)s ms).") % {"ms": round(float(ev.get("elapsed_ms") or 0))}
    kind = ev.get("error_kind")
    if kind == "timeout":
        return _("The site cannot be reached: no answer within the time limit.")
    if kind == "dns":
        return _("The site cannot be reached: its domain name does not resolve.")
    if kind in ("connect", "tls"):
        return _("The site cannot be reached: the connection was refused or broken.")
    if ev.get("status_code"):
        return _("The site cannot be reached: it answers with HTTP status %(code)s.") % {"code": ev["status_code"]}
    return _("The site cannot be reached.")


def _dns(status: str, ev: Evidence) -> str:
    return _("The domain name %(host)s has no address (no A or AAAA record).") % {"host": ev.get("host", "")}


def _ipv6(status: str, ev: Evidence) -> str:
    if not ev.get("aaaa"):
        return _("The site has no IPv6 address (no AAAA record).")
    closed = [port for port, ok in (ev.get("other_ports") or {}).items() if not ok]
    if closed and "port" in str(ev.get("error", "")):
        return _("The site answers over IPv6, but not on port %(ports)s, which answers over IPv4.") % {
            "ports": "、".join(closed)}
    return _("The site has an IPv6 address but cannot be reached over IPv6.")


def _ipv6_content(status: str, ev: Evidence) -> str:
    if ev.get("v4_status") != ev.get("v6_status"):
        return _("The site answers differently over IPv4 (HTTP %(v4)s) and IPv6 (HTTP %(v6)s).") % {
            "v4": ev.get("v4_status"), "v6": ev.get("v6_status")}
    return _("The page over IPv6 differs from the page over IPv4 by %(pct)s%%.") % {
        "pct": round(100 * float(ev.get("difference") or 0))}


def _ipv6_links(status: str, ev: Evidence) -> str:
    tested, reachable = int(ev.get("tested") or 0), int(ev.get("reachable") or 0)
    return _("Only %(pct)s%% of the second- and third-level links checked can be reached over IPv6 "
             "(%(reachable)s of %(tested)s).") % {
        "pct": round(100 * float(ev.get("share") or 0)), "reachable": reachable, "tested": tested}


def _tls_protocols(status: str, ev: Evidence) -> str:
    if ev.get("insecure"):
        names = {"TLSv1": "TLS 1.0", "TLSv1.1": "TLS 1.1", "SSLv3": "SSL 3.0"}
        return _("The server still accepts insecure protocol versions: %(versions)s.") % {
            "versions": _items([names.get(version, version) for version in ev["insecure"]])}
    return _("The server does not offer TLS 1.3.")


def _tls_certificate(status: str, ev: Evidence) -> str:
    problems = ev.get("problems") or []
    if problems:
        words = [_CERT_PROBLEMS[p]() if p in _CERT_PROBLEMS else _("not trusted") for p in problems]
        return _("The HTTPS certificate is invalid: %(problems)s.") % {"problems": "、".join(dict.fromkeys(words))}
    return _("The HTTPS certificate expires in %(days)s days.") % {"days": ev.get("days_to_expiry")}


def _https_redirect(status: str, ev: Evidence) -> str:
    if status == "warn" and "another host" in str(ev.get("reason", "")):
        return _("Visitors using http:// are first sent to another host, not to https:// on the same host.")
    return _("Visitors using http:// are not redirected to https://.")


def _hsts(status: str, ev: Evidence) -> str:
    if ev.get("certificate"):
        return _("HSTS is sent over an invalid certificate (%(problem)s), so browsers ignore it.") % {
            "problem": ev["certificate"]}
    if "shorter" in str(ev.get("reason", "")):
        return _("HSTS is enabled but its max-age is shorter than one year.")
    return _("HSTS (Strict-Transport-Security) is not enabled.")


def _headers(status: str, ev: Evidence) -> str:
    failed = [name for name, test in (ev.get("tests") or {}).items() if not test.get("pass")]
    return _("Security headers are graded %(grade)s (%(score)s points); failing: %(tests)s.") % {
        "grade": ev.get("grade", "F"), "score": ev.get("score"), "tests": _items(failed, 5) or "-"}


def _tampering(status: str, ev: Evidence) -> str:
    if ev.get("new_keywords"):
        return _("The home page differs from its recorded baseline on every re-check and now carries gambling or "
                 "pornographic words (%(words)s): it has probably been tampered with.") % {
            "words": _items(ev["new_keywords"], 5)}
    return _("The home page differs from its recorded baseline (similarity score %(score)s) on every re-check: "
             "it may have been tampered with.") % {"score": min(ev.get("refetch_scores") or [ev.get("score", 0)])}


def _analysis_gap(gap: dict[str, Any]) -> str:
    """Why the page was not analysed in full (``probes.html.AnalysisGap``): a warn, never a pass."""
    reason, count = gap.get("reason"), gap.get("rules_skipped", 0)
    if reason == "markup-limit":
        return _("The page's markup is nested too deep to analyse in full (only the first %(chars)s characters "
                 "were read): hidden links may have been missed.") % {"chars": gap.get("characters_read", "?")}
    if reason == "work-budget":
        return _("The page's style sheet is too costly to analyse in full (%(n)s rules not applied): hidden links "
                 "may have been missed.") % {"n": count}
    if reason == "rule-limit":
        return _("The page has more style rules than are analysed (%(n)s not applied): hidden links may have "
                 "been missed.") % {"n": count}
    return _("%(n)s hiding style rule(s) use selectors the probe cannot read: hidden links may have been "
             "missed.") % {"n": count}


def _dark_links(status: str, ev: Evidence) -> str:
    gap = ev.get("analysis_incomplete")
    findings = ev.get("findings") or []
    if gap and not findings:
        return _analysis_gap(gap)  # nothing found in the part that was analysed: the gap is the news
    kinds = [_DARK_KINDS[f["kind"]]() for f in findings if f.get("kind") in _DARK_KINDS]
    examples = [f.get("href") or f.get("text") for f in findings if f.get("href") or f.get("text")]
    text = _("%(count)s suspicious link(s) found on the home page: %(kinds)s.") % {
        "count": ev.get("finding_count", len(findings)), "kinds": "、".join(dict.fromkeys(kinds)) or "-"}
    if examples:
        # The leading space is part of the message: English needs it between sentences, Chinese does not.
        text += _(" For example: %(examples)s.") % {"examples": _items(examples, 2)}
    if gap:
        text += _(" %(gap)s") % {"gap": _analysis_gap(gap)}  # the space as above
    return text


def _sensitive_words(status: str, ev: Evidence) -> str:
    words = [*(ev.get("gambling_porn") or []), *(ev.get("sensitive") or [])]
    return _("The page contains words that must not appear on an education website: %(words)s.") % {
        "words": _items(words, 5)}


PRESENTATIONS = Presentations([
    CheckPresentation(
        "availability", gettext_lazy("Availability"), Severity.HIGH, _availability,
        advice=lambda: _("Restore the site's service and tell the informatization office the cause; a site that "
                         "is no longer used must be closed and deregistered.")),
    CheckPresentation(
        "dns", gettext_lazy("DNS"), Severity.HIGH, _dns,
        advice=lambda: _("Fix the domain name's DNS records, or deregister the site if it has been closed.")),
    CheckPresentation(
        "ipv6", gettext_lazy("IPv6 reachability"), Severity.MEDIUM, _ipv6,
        advice=lambda: _("Enable IPv6 on the site (AAAA record and IPv6 access on the same ports as IPv4), as the "
                         "IPv6 deployment plan requires for every official education website.")),
    CheckPresentation(
        "ipv6_content", gettext_lazy("Same content over IPv6"), Severity.MEDIUM, _ipv6_content,
        advice=lambda: _("Make the IPv6 service serve the same site as IPv4 (check the IPv6 proxy or CDN "
                         "configuration).")),
    CheckPresentation(
        "ipv6_links", gettext_lazy("Links reachable over IPv6"), Severity.LOW, _ipv6_links,
        advice=lambda: _("Make the site's second- and third-level pages and sub-domains reachable over IPv6.")),
    CheckPresentation(
        "tls_protocols", gettext_lazy("TLS protocol versions"), Severity.MEDIUM, _tls_protocols,
        advice=lambda: _("Disable TLS 1.0 and 1.1 on the server and enable TLS 1.2 and 1.3.")),
    CheckPresentation(
        "tls_certificate", gettext_lazy("TLS certificate"), Severity.HIGH, _tls_certificate,
        advice=lambda: _("Install a valid certificate issued by a trusted authority for the site's domain "
                         "name, and renew it before it expires.")),
    CheckPresentation(
        "https_redirect", gettext_lazy("HTTP to HTTPS redirect"), Severity.MEDIUM, _https_redirect,
        advice=lambda: _("Enable HTTPS and redirect every http:// request to https://.")),
    CheckPresentation(
        "hsts", gettext_lazy("HSTS"), Severity.LOW, _hsts,
        advice=lambda: _("Send the Strict-Transport-Security header with a max-age of at least one year.")),
    CheckPresentation(
        "headers", gettext_lazy("Security headers"), Severity.LOW, _headers,
        advice=lambda: _("Configure the missing security response headers (Content-Security-Policy, "
                         "X-Content-Type-Options, X-Frame-Options, Referrer-Policy and others).")),
    CheckPresentation(
        "tampering", gettext_lazy("Tampering"), Severity.CRITICAL, _tampering,
        advice=lambda: _("Check the page at once; if it was tampered with, take the site offline, restore it "
                         "from a clean copy, find and close the way in, and report the incident.")),
    CheckPresentation(
        "dark_links", gettext_lazy("Hidden malicious links"), Severity.CRITICAL, _dark_links,
        advice=lambda: _("Remove the hidden links at once, check the site's back end and server for intrusion "
                         "and web shells, change all administrator passwords, and report what was found.")),
    CheckPresentation(
        "sensitive_words", gettext_lazy("Sensitive words"), Severity.HIGH, _sensitive_words,
        advice=lambda: _("Remove the content at once, find out how it was published, and tighten the "
                         "review of content before publication.")),
])

#: The check names the platform stores (equal to ``probes.CHECK_NAMES``, which a test checks).
CHECK_NAMES: tuple[str, ...] = PRESENTATIONS.names()
#: Choices of the ``check_name`` model fields (the list the migrations were made from).
CHECK_CHOICES: list[tuple[str, str | Promise]] = [(item.name, item.label) for item in PRESENTATIONS]


def severity_for(check: str, status: str) -> int:
    """The severity of a finding opened by ``check`` with ``status`` (fail, or warn: one step lower)."""
    presentation = PRESENTATIONS.get(check)
    base = presentation.fail_severity if presentation is not None else Severity.MEDIUM
    return base if status == CheckStatus.FAIL else max(Severity.LOW, base - 1)
