"""Pure evaluations of the HTTP-level checks: availability, DNS, IPv6 (3 checks), HTTPS redirect, HSTS.

Each ``evaluate_*`` takes what the engine fetched and returns a frozen dataclass; each ``*_result`` turns
that into a ``CheckOutcome`` using the constants in ``scoring``. No I/O here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from urllib.parse import urlsplit

from edupulse.monitoring.probes import scoring
from edupulse.monitoring.probes.net import Addresses, FetchResult
from edupulse.monitoring.probes.types import CheckOutcome, error_result, not_applicable

_NONCE = re.compile(r"""(nonce|integrity|csrf[-_]?token|_token|value)\s*=\s*["'][^"']*["']""", re.I)


# --- availability ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AvailabilityEvaluation:
    reachable: bool
    status: int
    final_url: str
    redirects: int
    elapsed_ms: float
    error: str | None
    error_kind: str | None
    attempts: int = 1


def evaluate_availability(fetch: FetchResult) -> AvailabilityEvaluation:
    return AvailabilityEvaluation(
        reachable=fetch.ok and fetch.status in scoring.AVAILABLE_STATUSES,
        status=fetch.status,
        final_url=fetch.final_url,
        redirects=max(0, len(fetch.hops) - 1),
        elapsed_ms=round(fetch.elapsed_ms, 1),
        error=fetch.error,
        error_kind=fetch.error_kind,
        attempts=fetch.attempts,
    )


def availability_result(ev: AvailabilityEvaluation) -> CheckOutcome:
    evidence = {
        "status_code": ev.status,
        "final_url": ev.final_url,
        "redirects": ev.redirects,
        "elapsed_ms": ev.elapsed_ms,
    }
    if ev.attempts > 1:
        evidence["attempts"] = ev.attempts  # the first attempt(s) failed to connect or timed out
    if ev.error_kind == "blocked":
        return error_result("availability", ev.error or "blocked", **evidence)
    if ev.error is not None:
        return CheckOutcome("availability", "fail", 0, {**evidence, "error": ev.error, "error_kind": ev.error_kind})
    if not ev.reachable:
        return CheckOutcome("availability", "fail", 0, {**evidence, "error": f"HTTP status {ev.status}"})
    score = 100
    status = "pass"
    if ev.elapsed_ms > scoring.SLOW_RESPONSE_MS:
        over_s = (ev.elapsed_ms - scoring.SLOW_RESPONSE_MS) / 1000
        score = max(scoring.AVAILABILITY_SLOW_FLOOR, round(100 - scoring.AVAILABILITY_SLOW_PENALTY_PER_S * over_s))
        status = "warn"
        evidence["slow"] = True
    if ev.redirects > scoring.MAX_REDIRECTS_OK:
        status = "warn"
        score = min(score, scoring.AVAILABILITY_MANY_REDIRECTS_SCORE)
        evidence["too_many_redirects"] = True
    return CheckOutcome("availability", status, score, evidence)  # type: ignore[arg-type]


# --- dns ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DnsEvaluation:
    host: str
    a: tuple[str, ...]
    aaaa: tuple[str, ...]
    #: The URL names an IP address: there is no name to resolve.
    literal: bool
    resolves: bool
    error: str | None


def evaluate_dns(addresses: Addresses) -> DnsEvaluation:
    return DnsEvaluation(addresses.host, addresses.ipv4, addresses.ipv6, addresses.literal,
                         bool(addresses.ipv4 or addresses.ipv6), addresses.error)


def dns_result(ev: DnsEvaluation) -> CheckOutcome:
    evidence = {"host": ev.host, "a": list(ev.a), "aaaa": list(ev.aaaa)}
    if ev.literal:
        return not_applicable("dns", "the URL names an IP address, not a host name", **evidence)
    if not ev.resolves:
        return CheckOutcome("dns", "fail", scoring.DNS_NONE, {**evidence, "error": ev.error})
    return CheckOutcome("dns", "pass", scoring.DNS_PASS, evidence)


# --- ipv6 -------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Ipv6Evaluation:
    has_aaaa: bool
    reachable: bool
    addresses: tuple[str, ...]
    error: str | None
    #: (port, reachable over IPv6) of the other web port that answers over IPv4 (internet.nl: same ports).
    other_ports: tuple[tuple[int, bool], ...] = ()
    #: The IPv6 address is one the SSRF policy refuses: nothing was tried, so nothing can be judged.
    blocked: bool = False
    #: The page failed over IPv4 too (timeout, redirect loop…): not an IPv6 fault, so not judged either.
    down_on_ipv4_too: bool = False


def evaluate_ipv6(addresses: Addresses, v6_fetch: FetchResult | None,
                  other_ports: Mapping[int, str | None] | None = None,
                  v4_fetch: FetchResult | None = None) -> Ipv6Evaluation:
    """Reachable over IPv6 = the page answers over IPv6 and so does every other web port (80/443) that
    answers over IPv4; ``other_ports`` maps such a port to None (connected over IPv6) or the error.
    ``v4_fetch`` is the page over IPv4, when it was fetched over IPv4."""
    ports = tuple(sorted((port, error is None) for port, error in (other_ports or {}).items()))
    page_ok = v6_fetch is not None and v6_fetch.ok
    error = None if v6_fetch is None or v6_fetch.ok else v6_fetch.error
    for port, port_error in sorted((other_ports or {}).items()):
        if port_error is not None and error is None:
            error = f"port {port} over IPv6: {port_error}"
    if (page_ok and v6_fetch is not None and v6_fetch.status >= 400 and v4_fetch is not None and v4_fetch.ok
            and v4_fetch.status < 400):
        # The IPv6 front end answers, but with an error where IPv4 serves the page: not reachable in any useful way.
        page_ok = False
        error = f"HTTP {v6_fetch.status} over IPv6 where IPv4 answers HTTP {v4_fetch.status}"
    blocked = v6_fetch is not None and v6_fetch.error_kind == "blocked"
    down_too = v6_fetch is not None and not page_ok and v4_fetch is not None and not v4_fetch.ok
    return Ipv6Evaluation(bool(addresses.ipv6), page_ok and all(ok for _port, ok in ports), addresses.ipv6, error,
                          ports, blocked, down_too)


def ipv6_result(addresses: Addresses, ev: Ipv6Evaluation) -> CheckOutcome:
    if addresses.literal and not addresses.ipv6:
        return not_applicable("ipv6", "the URL names an IPv4 address")
    if ev.blocked:
        return error_result("ipv6", ev.error or "the IPv6 address is refused by the probe allowlist",
                            aaaa=list(ev.addresses))
    if ev.down_on_ipv4_too:
        return error_result("ipv6", f"the site does not answer over IPv4 either ({ev.error}): IPv6 reachability "
                            "not judged (see availability)", aaaa=list(ev.addresses))
    score = scoring.IPV6_AAAA_POINTS * ev.has_aaaa + scoring.IPV6_REACHABLE_POINTS * ev.reachable
    evidence: dict[str, object] = {"aaaa": list(ev.addresses), "reachable": ev.reachable}
    if ev.other_ports:
        evidence["other_ports"] = {str(port): ok for port, ok in ev.other_ports}
    if ev.error:
        evidence["error"] = ev.error
    if not ev.has_aaaa:
        evidence["reason"] = "no AAAA record"
    return CheckOutcome("ipv6", "pass" if score == 100 else "fail", score, evidence)


def strip_nonces(body: str) -> str:
    """Values that legitimately differ per response (nonces, CSRF tokens, SRI) are blanked before comparing."""
    return _NONCE.sub(r'\1=""', body[: scoring.IPV6_CONTENT_COMPARE_BYTES])


@dataclass(frozen=True)
class ContentEvaluation:
    difference: float  # 0.0 identical … 1.0 nothing in common
    same_status: bool
    v4_status: int
    v6_status: int


def evaluate_ipv6_content(v4: FetchResult, v6: FetchResult) -> ContentEvaluation:
    """Difference of the v4 and v6 bodies (nonces stripped, first 500 KB), internet.nl style.

    ``difflib.SequenceMatcher.quick_ratio`` (a linear-time bound on the similarity) keeps this cheap on
    large pages; identical bodies short-circuit.
    """
    if v4.body == v6.body:  # the usual case: nothing to strip or compare
        return ContentEvaluation(0.0, v4.status == v6.status, v4.status, v6.status)
    a, b = strip_nonces(v4.body), strip_nonces(v6.body)
    difference = 0.0 if a == b else 1.0 - SequenceMatcher(None, a, b, autojunk=False).quick_ratio()
    return ContentEvaluation(round(difference, 4), v4.status == v6.status, v4.status, v6.status)


def ipv6_content_result(ev: ContentEvaluation) -> CheckOutcome:
    evidence = {
        "difference": ev.difference,
        "max_difference": scoring.IPV6_CONTENT_MAX_DIFFERENCE,
        "v4_status": ev.v4_status,
        "v6_status": ev.v6_status,
    }
    ok = ev.same_status and ev.difference <= scoring.IPV6_CONTENT_MAX_DIFFERENCE
    return CheckOutcome("ipv6_content", "pass" if ok else "fail", round(100 * (1 - ev.difference)), evidence)


# --- ipv6 links -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LinksEvaluation:
    tested: int
    reachable: int
    share: float
    unreachable: tuple[str, ...]
    #: Links that fail over IPv4 as well (dead links): not an IPv6 fault, left out of the share.
    broken_on_ipv4_too: tuple[str, ...] = ()


def _stratum(href: str) -> tuple[str, str]:
    """(host[:port], first path segment) of an absolute URL; "" for a page at the top of the site. A page has
    dozens of links, so this slices the string instead of calling ``urlsplit`` on each."""
    start = href.find("//") + 2
    end = len(href)
    for stop in "?#":
        position = href.find(stop, start)
        if position != -1:
            end = min(end, position)
    slash = href.find("/", start, end)
    if slash == -1:
        return href[start:end].lower(), ""
    rest = href[slash + 1 : end]
    return href[start:slash].lower(), rest.split("/", 1)[0] if "/" in rest else ""


def sample_links(hrefs: Sequence[str], limit: int) -> list[str]:
    """Up to ``limit`` of ``hrefs`` (in page order), spread over every host and first path segment first.

    A link fails over IPv6 because its host has no working IPv6 (a sub-domain without AAAA, an old system on
    another server) or because the IPv6 front end does not forward a part of the site (``/news/`` served by
    another back end). Taking one link per (host, first path segment) before a second one from any of them
    finds both kinds with a small sample, where the first N links of a page are often all one menu. Pure.
    """
    strata: dict[tuple[str, str], list[str]] = {}
    for href in hrefs:
        strata.setdefault(_stratum(href), []).append(href)
    chosen: list[str] = []
    round_number = 0
    while len(chosen) < limit:
        taken = [group[round_number] for group in strata.values() if len(group) > round_number]
        if not taken:
            break
        chosen += taken[: limit - len(chosen)]
        round_number += 1
    return chosen


def link_answered(fetch: FetchResult) -> bool:
    """A link "works" when it answers without an HTTP error: a 404 or 503 over IPv6 alone is an IPv6 fault."""
    return fetch.ok and fetch.status < 400


def evaluate_ipv6_links(results: Sequence[tuple[str, bool]], broken_on_ipv4_too: Sequence[str] = ()) -> LinksEvaluation:
    """Share of sampled links that work over IPv6, leaving out those that fail over IPv4 too. Pure."""
    dead = set(broken_on_ipv4_too)
    judged = [(url, ok) for url, ok in results if url not in dead]
    reachable = sum(1 for _url, ok in judged if ok)
    share = reachable / len(judged) if judged else 1.0
    return LinksEvaluation(len(judged), reachable, round(share, 4), tuple(url for url, ok in judged if not ok),
                           tuple(url for url, _ok in results if url in dead))


def ipv6_links_result(ev: LinksEvaluation, levels: dict[str, int]) -> CheckOutcome:
    if ev.tested == 0:
        if ev.broken_on_ipv4_too:
            return not_applicable("ipv6_links", "every sampled same-site link fails over IPv4 too (dead links)",
                                  broken_on_ipv4_too=list(ev.broken_on_ipv4_too[: scoring.EVIDENCE_ITEMS]))
        return not_applicable("ipv6_links", "no same-site links on the home page")
    evidence = {
        "tested": ev.tested,
        "reachable": ev.reachable,
        "share": ev.share,
        "levels": levels,
        "unreachable": list(ev.unreachable[: scoring.EVIDENCE_ITEMS]),
    }
    if ev.broken_on_ipv4_too:
        evidence["broken_on_ipv4_too"] = list(ev.broken_on_ipv4_too[: scoring.EVIDENCE_ITEMS])
    if ev.share >= scoring.IPV6_LINKS_PASS_SHARE:
        status = "pass"
    elif ev.share >= scoring.IPV6_LINKS_WARN_SHARE:
        status = "warn"
    else:
        status = "fail"
    return CheckOutcome("ipv6_links", status, round(100 * ev.share), evidence)  # type: ignore[arg-type]


# --- https redirect -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RedirectEvaluation:
    http_served: bool
    redirects_to_https: bool
    same_host_first: bool  # the first hop goes to https on the same host (Observatory's rule)
    chain: tuple[str, ...]
    error: str | None


def evaluate_https_redirect(http_fetch: FetchResult) -> RedirectEvaluation:
    if not http_fetch.ok:
        return RedirectEvaluation(False, False, False, (), http_fetch.error)
    chain = tuple(hop.url for hop in http_fetch.hops)
    final = urlsplit(http_fetch.final_url)
    to_https = final.scheme == "https"
    same_host_first = False
    if len(http_fetch.hops) >= 2:
        first, second = urlsplit(http_fetch.hops[0].url), urlsplit(http_fetch.hops[1].url)
        same_host_first = second.scheme == "https" and second.hostname == first.hostname
    return RedirectEvaluation(True, to_https, same_host_first, chain, None)


def https_redirect_result(ev: RedirectEvaluation, *, https_available: bool) -> CheckOutcome:
    if not ev.http_served:
        return not_applicable("https_redirect", "no plain-HTTP service to redirect", error=ev.error)
    evidence = {"chain": list(ev.chain[: scoring.EVIDENCE_ITEMS]), "same_host_first": ev.same_host_first}
    if ev.redirects_to_https and ev.same_host_first:
        return CheckOutcome("https_redirect", "pass", scoring.HTTPS_REDIRECT_OK, evidence)
    if ev.redirects_to_https:
        # internet.nl and the Observatory: first to https on the same host, so that host's HSTS is set.
        evidence["reason"] = "the first redirect goes to another host, not to HTTPS on the same host"
        return CheckOutcome("https_redirect", "warn", scoring.HTTPS_REDIRECT_OTHER_HOST, evidence)
    evidence["reason"] = "HTTP is served without redirecting to HTTPS" + (
        "" if https_available else " (no HTTPS service found)"
    )
    return CheckOutcome("https_redirect", "fail", scoring.HTTPS_REDIRECT_MISSING, evidence)


# --- hsts ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class HstsEvaluation:
    present: bool
    max_age: int | None
    include_subdomains: bool
    preload: bool
    valid: bool
    raw: str | None


def parse_hsts(value: str | None) -> HstsEvaluation:
    """Parse a Strict-Transport-Security header (first one wins, as browsers do)."""
    if value is None:
        return HstsEvaluation(False, None, False, False, False, None)
    max_age: int | None = None
    include = preload = False
    valid = True
    for part in value.split(";"):
        key, _sep, val = part.strip().partition("=")
        key = key.strip().lower()
        val = val.strip().strip('"')
        if key == "max-age":
            if val.isdigit():
                max_age = int(val)
            else:
                valid = False
        elif key == "includesubdomains":
            include = True
        elif key == "preload":
            preload = True
    if max_age is None:
        valid = False
    return HstsEvaluation(True, max_age, include, preload, valid, value)


def hsts_result(ev: HstsEvaluation | None, *, https_available: bool, certificate_problem: str | None = None
                ) -> CheckOutcome:
    """``certificate_problem``: why the HTTPS certificate is not valid, when it is not (then browsers ignore the
    header, RFC 6797 §8.1)."""
    if ev is None or not https_available:
        return CheckOutcome("hsts", "fail", 0, {"reason": "no HTTPS service, so no HSTS"})
    evidence = {
        "header": ev.raw,
        "max_age": ev.max_age,
        "include_subdomains": ev.include_subdomains,
        "preload": ev.preload,
        "full_marks_at": scoring.HSTS_FULL_MAX_AGE,
    }
    if not ev.present:
        return CheckOutcome("hsts", "fail", 0, {**evidence, "reason": "no Strict-Transport-Security header"})
    if certificate_problem:
        return CheckOutcome("hsts", "fail", 0, {**evidence, "certificate": certificate_problem,
                                               "reason": "browsers ignore HSTS sent over an invalid certificate"})
    if not ev.valid or ev.max_age is None or ev.max_age == 0:
        return CheckOutcome("hsts", "fail", 0, {**evidence, "reason": "invalid or zero max-age"})
    if ev.max_age >= scoring.HSTS_FULL_MAX_AGE:
        return CheckOutcome("hsts", "pass", 100, evidence)
    score = scoring.HSTS_SHORT_MIN_SCORE + round(
        (scoring.HSTS_SHORT_MAX_SCORE - scoring.HSTS_SHORT_MIN_SCORE) * ev.max_age / scoring.HSTS_FULL_MAX_AGE)
    return CheckOutcome("hsts", "warn", score, {**evidence, "reason": "max-age shorter than one year"})
