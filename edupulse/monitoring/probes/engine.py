"""Orchestration: run the checks on many sites concurrently with one set of shared HTTP sessions.

Per site the fetches are planned from the checks asked for, so e.g. ``checks=("availability",)`` costs one
request. Phase 1 resolves the host (cached, shared with the connector); phase 2 fetches the page as a
browser (and, when needed, as Baiduspider and the plain-HTTP counterpart of an HTTPS URL); phase 3 does the
TLS handshakes, the IPv6 fetches, the CORS preflight and tampering re-fetches. Every check is then evaluated
by its pure function and scored; an exception inside one check becomes that check's ``error`` result and
never hides the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import re
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from edupulse.monitoring.probes import http_checks, observatory, scoring, tls
from edupulse.monitoring.probes.config import SEARCH_REFERER, ProbeConfig
from edupulse.monitoring.probes.darklinks import (
    SEARCH_VISITOR,
    SPIDER,
    DarkLinkFinding,
    dark_links_result,
    evaluate_dark_links,
    evaluate_sensitive_words,
    sensitive_words_result,
    spider_redirect_finding,
)
from edupulse.monitoring.probes.html import ParsedPage, parse_page, same_site_links
from edupulse.monitoring.probes.net import Addresses, AddressPolicy, DnsClient, FetchResult, HttpClient
from edupulse.monitoring.probes.tampering import (
    Baseline,
    evaluate_tampering,
    page_features,
    tampering_result,
)
from edupulse.monitoring.probes.types import (
    CHECK_NAMES,
    CheckResult,
    PageSnapshot,
    SiteReport,
    error_result,
    not_applicable,
)

logger = logging.getLogger(__name__)

_PAGE_CHECKS = {"dark_links", "sensitive_words", "ipv6_links", "tampering", "headers"}
_LINK_BODY_BYTES = 300_000
_TLS_ONLY = frozenset({"dns", "tls_protocols", "tls_certificate"})


class InvalidUrlError(ValueError):
    pass


#: What the IPv6 link sample gives: (link, works over IPv6) pairs, counts per level, links dead over IPv4 too.
_LinkResults = tuple[list[tuple[str, bool]], dict[str, int], list[str]]


def normalise_url(url: str) -> str:
    """Validate a probe target: http(s) with a host name; a bare host gets ``http://``."""
    text = url.strip()
    scheme = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):(?!\d)", text)
    if "://" not in text and scheme is not None:  # javascript:, mailto:, data: … (not "host:8080")
        raise InvalidUrlError(f"{url!r}: only http:// and https:// URLs can be probed")
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https"):
        raise InvalidUrlError(f"{url!r}: only http:// and https:// URLs can be probed")
    if not parts.hostname:
        raise InvalidUrlError(f"{url!r}: no host name")
    try:
        _ = parts.port
    except ValueError:
        raise InvalidUrlError(f"{url!r}: invalid port") from None
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def _with_scheme(url: str, scheme: str, config: ProbeConfig) -> str:
    """The site root on the other scheme and its configured port (80/443 unless configured, as the Observatory)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    port = config.http_port if scheme == "http" else config.https_port
    if port != (80 if scheme == "http" else 443):
        netloc = f"{netloc}:{port}"
    return urlunsplit((scheme, netloc, "/", "", ""))


def _validate_checks(checks: Iterable[str] | None) -> tuple[str, ...]:
    if checks is None:
        return CHECK_NAMES
    wanted = set(checks)
    unknown = wanted - set(CHECK_NAMES)
    if unknown:
        raise ValueError(f"unknown checks: {', '.join(sorted(unknown))}; known: {', '.join(CHECK_NAMES)}")
    return tuple(name for name in CHECK_NAMES if name in wanted)


class ProbeRun:
    """Shared state of one ``probe_sites`` call: DNS cache, HTTP sessions, address policy."""

    def __init__(self, config: ProbeConfig) -> None:
        self.config = config
        self.policy = AddressPolicy(config.allow)
        self.dns = DnsClient(config)
        self.http = HttpClient(config, self.dns, self.policy)

    async def close(self) -> None:
        await self.http.close()
        self.dns.close()

    async def probe_site(
        self, url: str, wanted: tuple[str, ...], baseline: Baseline | None, keep_snapshot: bool
    ) -> SiteReport:
        started_at = datetime.now(UTC)
        t0 = time.perf_counter()
        snapshot = None
        try:
            target = normalise_url(url)
        except InvalidUrlError as exc:
            checks = tuple(error_result(name, str(exc)) for name in wanted)
        else:
            site = _Site(self, target, set(wanted), baseline)
            checks = await site.execute()
            if keep_snapshot and site.main is not None and site.main.ok:
                snapshot = _snapshot(site.main)
        return SiteReport(url, checks, started_at, (time.perf_counter() - t0) * 1000, snapshot)


def _safe_parse(fetch: FetchResult, *, with_styles: bool) -> ParsedPage | None:
    """Parse a fetched page; a page the parser chokes on counts as not fetched (the checks say error)."""
    try:
        return parse_page(fetch.body, fetch.final_url, with_styles=with_styles)
    except Exception:
        logger.warning("could not parse %s", fetch.final_url, exc_info=True)
        return None


def _snapshot(fetch: FetchResult) -> PageSnapshot:
    return PageSnapshot(
        url=fetch.url,
        final_url=fetch.final_url,
        status=fetch.status,
        headers=fetch.headers,
        body=fetch.body,
        fetched_at=datetime.now(UTC),
        elapsed_ms=fetch.elapsed_ms,
        truncated=fetch.truncated,
    )


class _Site:
    """The fetches and evaluations for one URL."""

    def __init__(self, run: ProbeRun, url: str, wanted: set[str], baseline: Baseline | None) -> None:
        self.run = run
        self.url = url
        self.wanted = wanted
        self.baseline = baseline
        parts = urlsplit(url)
        self.scheme = parts.scheme
        self.host = (parts.hostname or "").lower()
        self.main: FetchResult | None = None

    def needs(self, *names: str) -> bool:
        return any(name in self.wanted for name in names)

    async def run_check(self, name: str, compute: Callable[[], Awaitable[CheckResult] | CheckResult]) -> CheckResult:
        try:
            result = compute()
            if asyncio.iscoroutine(result):
                result = await result
            assert isinstance(result, CheckResult)
            return result
        except Exception as exc:
            logger.exception("probe check %s failed on %s", name, self.url)
            return error_result(name, f"internal error: {exc.__class__.__name__}: {exc}")

    async def execute(self) -> tuple[CheckResult, ...]:
        run, config = self.run, self.run.config
        addresses = await run.dns.lookup(self.host)
        family = socket.AF_INET if addresses.ipv4 else socket.AF_INET6 if addresses.ipv6 else 0
        if self.scheme == "https" and self.wanted <= _TLS_ONLY:
            return await self._tls_only(addresses)

        # Phase 2: the page as a browser, as a spider, and the plain-HTTP counterpart of an HTTPS URL.
        main_task = run.http.fetch_with_retries(self.url, family=family)
        http_task = (
            run.http.fetch(_with_scheme(self.url, "http", config), read_body=False)
            if self.scheme == "https" and self.needs("https_redirect", "headers")
            else None
        )
        main, http_counterpart = await _gather(main_task, http_task)
        # The page as Baiduspider and as a phone browser arriving from a Baidu search (cloaking), after the browser
        # fetch so that they reuse its kept-alive connection (a new TCP connection costs more CPU than a request
        # at a thousand sites per second); not at all when the page did not answer the browser.
        spider = visitor = None
        # The CORS preflight of the headers check goes to the page's final URL when that is the fetch graded (the
        # usual case, see phase 3): on the page's origin it is sent with the spider's and visitor's requests.
        preflight_url = main.final_url if main.ok and self.needs("headers") and _same_origin(
            self.url, main.final_url) else None
        preflight: FetchResult | None = None
        if main.ok and self.needs("dark_links"):
            (spider, visitor), preflight = await run.http.fetch_as(
                self.url, [self._audience(SPIDER), self._audience(SEARCH_VISITOR)], family=family,
                preflight=preflight_url)
        else:
            preflight_url = None
        self.main = main
        if self.scheme == "http":
            http_counterpart = main

        # Where HTTPS lives: the final URL when it is https, else https://host/ if it answers.
        https_fetch: FetchResult | None = None
        if urlsplit(main.final_url).scheme == "https" and main.ok:
            https_fetch = main
        elif self.scheme == "http" and self.needs("tls_protocols", "tls_certificate", "hsts", "headers",
                                                  "https_redirect"):
            # Same address family as the page fetch: HTTPS is judged on the address the page was judged on, and a
            # pinned family connects directly instead of racing both families (happy eyeballs).
            https_fetch = await run.http.fetch(_with_scheme(self.url, "https", config), family=family,
                                               read_body=self.needs("headers"))
        elif self.scheme == "https":
            https_fetch = main
        https_ok = https_fetch is not None and https_fetch.ok

        page: ParsedPage | None = None
        if main.ok and main.body and main.is_html and self.needs(*_PAGE_CHECKS):
            page = _safe_parse(main, with_styles=self.needs("dark_links"))
        spider_page = _page_as_seen_by(spider, main, page)
        visitor_page = _page_as_seen_by(visitor, main, page)
        cloaking_redirects = [finding for finding in (
            await self._redirected_elsewhere(main, spider, family, SPIDER, self._as_spider()),
            await self._redirected_elsewhere(main, visitor, family, SEARCH_VISITOR, self._as_search_visitor()),
        ) if finding is not None]

        # Phase 3.
        tls_task: Awaitable[tls.TlsObservation] | None = None
        if https_ok and https_fetch is not None and self.needs("tls_protocols", "tls_certificate"):
            final = urlsplit(https_fetch.final_url)
            tls_task = self._observe_tls(final.hostname or self.host, final.port or 443)
        v6_task: asyncio.Future[FetchResult] | None = None
        links_task: Awaitable[_LinkResults] | None = None
        sample = self._level2_sample(page) if addresses.ipv6 and page is not None and self.needs("ipv6_links") else None
        if addresses.ipv6 and self.needs("ipv6", "ipv6_content") and family != socket.AF_INET6:
            if sample is not None and page is not None:
                # The page over IPv6 and the level-2 links go together on one IPv6 connection (one write).
                level2, with_body = sample[0], dict.fromkeys(sample[1], _LINK_BODY_BYTES)
                together = asyncio.ensure_future(run.http.fetch_many(
                    [self.url, *level2], family=socket.AF_INET6, bodies={**with_body, self.url: config.max_bytes}))
                v6_task = asyncio.ensure_future(_entry(together, self.url))
                links_task = self._ipv6_links(page, v6_task, sample, together)
            else:
                v6_task = asyncio.ensure_future(run.http.fetch(self.url, family=socket.AF_INET6))
        elif addresses.ipv6 and self.needs("ipv6", "ipv6_content"):
            v6_task = asyncio.ensure_future(_done(main))
        if links_task is None and sample is not None and page is not None:
            links_task = self._ipv6_links(page, v6_task, sample, None)
        cors_task: Awaitable[FetchResult | None] | None = None
        if (
            self.needs("headers") and not https_ok and self.scheme == "https"
            and http_counterpart is not None and http_counterpart.ok
        ):
            # HTTPS is down but plain HTTP answers: grade that, as the Observatory does (it needs the body).
            http_counterpart = await run.http.fetch(http_counterpart.url)
        auto = https_fetch if https_ok else main if main.ok else http_counterpart
        sent_with_spider = self.needs("headers") and auto is main and main.ok and preflight_url is not None
        if sent_with_spider:
            pass  # ``preflight`` was sent in phase 2, as request_cors(main.final_url, family=family) would send it
        elif self.needs("headers") and auto is not None and auto.ok:
            # Same address family as the fetch being graded, so its kept-alive connection is reused.
            pinned = auto is main or auto is https_fetch
            cors_task = run.http.request_cors(auto.final_url, family=family if pinned else 0)
        tamper_task: Awaitable[CheckResult] | None = None
        if self.needs("tampering"):
            tamper_task = self._tampering(page)
        ports_task: Awaitable[dict[int, str | None]] | None = None
        if addresses.ipv6 and self.needs("ipv6"):
            ports_task = self._other_ports_v6(https_fetch if self.scheme == "http" else http_counterpart)
        tls_obs, v6, links, cors, tamper, other_ports = await _gather(
            tls_task, v6_task, links_task, cors_task, tamper_task, ports_task)
        if sent_with_spider:
            cors = preflight

        computations: dict[str, Callable[[], Any]] = {
            "availability": lambda: http_checks.availability_result(http_checks.evaluate_availability(main)),
            "dns": lambda: http_checks.dns_result(addresses),
            "ipv6": lambda: http_checks.ipv6_result(addresses, http_checks.evaluate_ipv6(
                addresses, v6, other_ports, v4_fetch=main if family == socket.AF_INET else None)),
            "ipv6_content": lambda: self._ipv6_content(addresses, main, v6),
            "ipv6_links": lambda: self._ipv6_links_result(addresses, page, links, main, v6),
            "tls_protocols": lambda: self._tls(tls_obs, https_ok, tls.protocols_result, "tls_protocols"),
            "tls_certificate": lambda: self._tls(tls_obs, https_ok, tls.certificate_result, "tls_certificate"),
            "https_redirect": lambda: self._https_redirect(http_counterpart, https_ok),
            "hsts": lambda: self._hsts(https_fetch, https_ok, main, tls_obs),
            "headers": lambda: self._headers(main, http_counterpart, https_fetch, cors, tls_obs, page),
            "tampering": lambda: tamper,
            "dark_links": lambda: self._dark_links(main, page, spider_page, visitor_page, cloaking_redirects),
            "sensitive_words": lambda: self._sensitive(main, page),
        }
        results = []
        for name in CHECK_NAMES:
            if name in self.wanted:
                results.append(await self.run_check(name, computations[name]))
        return tuple(results)

    async def _tls_only(self, addresses: Addresses) -> tuple[CheckResult, ...]:
        """Only DNS/TLS asked on an https URL: handshakes only, no page fetch (failures are errors)."""
        port = urlsplit(self.url).port or 443
        obs = await self._observe_tls(self.host, port)
        computations: dict[str, Callable[[], Any]] = {
            "dns": lambda: http_checks.dns_result(addresses),
            "tls_protocols": lambda: tls.protocols_result(obs),
            "tls_certificate": lambda: tls.certificate_result(obs),
        }
        return tuple([await self.run_check(name, computations[name]) for name in CHECK_NAMES if name in self.wanted])

    async def _other_ports_v6(self, other: FetchResult | None) -> dict[int, str | None]:
        """The other web port (443 for an http URL, 80 for https) when it answered: can it be reached over IPv6
        too? (internet.nl: a web server must be reachable over IPv6 on the same ports as over IPv4.)"""
        if other is None or not other.ok:
            return {}
        parts = urlsplit(other.url)
        if (parts.hostname or "").lower() != self.host:
            return {}
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return {port: await self.run.http.tcp_connect(self.host, port, socket.AF_INET6)}

    async def _observe_tls(self, host: str, port: int) -> tls.TlsObservation:
        """The TLS handshakes, counted against the server address's politeness limit like the HTTP requests."""
        async with await self.run.http.ip_limit(host, 0):
            return await tls.observe_tls(host, port, self.run.config, self.run.dns, self.run.policy)

    # --- helpers per check ---------------------------------------------------------------------------------
    def _page_missing(self, name: str, main: FetchResult) -> CheckResult:
        if not main.ok:
            return error_result(name, f"page not fetched: {main.error}")
        if main.status >= 400:
            return error_result(name, f"page answered HTTP {main.status}")
        return not_applicable(name, f"not an HTML page ({main.content_type or 'no content type'})")

    def _ipv6_content(self, addresses: Addresses, main: FetchResult, v6: FetchResult | None) -> CheckResult:
        if not addresses.ipv6:
            return not_applicable("ipv6_content", "no AAAA record (see the ipv6 check)")
        if not addresses.ipv4:
            return not_applicable("ipv6_content", "no A record: nothing to compare the IPv6 page with")
        if v6 is None or not v6.ok:
            return not_applicable("ipv6_content", "not reachable over IPv6 (see the ipv6 check)")
        if not main.ok:
            return error_result("ipv6_content", f"IPv4 fetch failed: {main.error}")
        return http_checks.ipv6_content_result(http_checks.evaluate_ipv6_content(main, v6))

    def _level2_sample(self, page: ParsedPage) -> tuple[list[str], list[str], list[str], set[str]]:
        """The level-2 sample of the home page's same-site links: (sample, those fetched with their body, every
        candidate, links already seen). Spread over hosts and first path segments (``http_checks.sample_links``)."""
        seen = {page.url.split("#")[0], self.url}
        candidates: list[str] = []
        for link in page.links:
            href = link.href.split("#")[0]
            if not link.external and link.source == "html" and href not in seen:
                seen.add(href)
                candidates.append(href)
        level2 = http_checks.sample_links(candidates, scoring.IPV6_LINKS_LEVEL2_SAMPLE)
        # Bodies only from the first few level-2 pages (enough to find the level-3 sample).
        return level2, level2[: scoring.IPV6_LINKS_BODIES], candidates, seen

    async def _ipv6_links(self, page: ParsedPage, v6_home: Awaitable[FetchResult] | None,
                          sample: tuple[list[str], list[str], list[str], set[str]],
                          fetching: Awaitable[dict[str, FetchResult]] | None) -> _LinkResults:
        """Fetch a sample of the home page's same-site links (level 2) and of their links (level 3) over IPv6.

        The links of one host are sent together on one kept-alive IPv6 connection (pipelined, see
        ``HttpClient.fetch_many``) — the level-2 ones with the IPv6 fetch of the page itself when that is made
        here (``fetching``): a site costs one IPv6 connection per host and one write per level, not one
        connection or round trip per link.
        """
        if v6_home is not None and not (await v6_home).ok:
            return [], {}, []  # the site itself is not reachable over IPv6: the ipv6 check reports that once
        level2, bodies, candidates, seen = sample
        with_body = set(bodies)
        fetched = await fetching if fetching is not None else await self._fetch_v6_by_host(level2, with_body)
        results = [(href, http_checks.link_answered(fetched[href])) for href in level2]
        level3_candidates: list[str] = []
        for href in level2:
            item = fetched[href]
            if len(level3_candidates) >= scoring.IPV6_LINKS_LEVEL3_SAMPLE * 2:
                break  # enough to choose from: parsing another page costs more than it adds
            if href in with_body and item.ok and item.body and item.is_html:
                for found in same_site_links(item.body, item.final_url, scoring.IPV6_LINKS_LEVEL3_SAMPLE * 10):
                    if found not in seen:
                        seen.add(found)
                        level3_candidates.append(found)
        level3 = http_checks.sample_links(level3_candidates, scoring.IPV6_LINKS_LEVEL3_SAMPLE)
        third = await self._fetch_v6_by_host(level3, set())
        results += [(href, http_checks.link_answered(third[href])) for href in level3]
        broken = await self._broken_over_ipv4([href for href, ok in results if not ok])
        # How many were tried at each level, out of how many same-site links were found there.
        return results, {"level2": len(level2), "level3": len(level3), "level2_found": len(candidates),
                         "level3_found": len(level3_candidates)}, broken

    async def _broken_over_ipv4(self, hrefs: Sequence[str]) -> list[str]:
        """Of the links that failed over IPv6, those that fail over IPv4 as well: dead links, not an IPv6 fault.
        Fetched only for failures, so a healthy site costs nothing more."""
        if not hrefs:
            return []
        fetched = await self.run.http.fetch_many(hrefs, family=socket.AF_INET)
        return [href for href in hrefs if not http_checks.link_answered(fetched[href])]

    async def _fetch_v6_by_host(self, hrefs: Sequence[str], with_body: set[str]) -> dict[str, FetchResult]:
        """GET each URL over IPv6: one host's URLs together on its kept-alive connection, hosts in parallel."""
        return await self.run.http.fetch_many(hrefs, family=socket.AF_INET6,
                                              bodies=dict.fromkeys(with_body, _LINK_BODY_BYTES))

    def _ipv6_links_result(
        self,
        addresses: Addresses,
        page: ParsedPage | None,
        links: _LinkResults | None,
        main: FetchResult,
        v6_home: FetchResult | None,
    ) -> CheckResult:
        if not addresses.ipv6:
            return not_applicable("ipv6_links", "no AAAA record (see the ipv6 check)")
        if v6_home is not None and v6_home.error_kind == "blocked":
            return error_result("ipv6_links", v6_home.error or "the IPv6 address is refused by the probe allowlist")
        if v6_home is not None and not v6_home.ok:
            return not_applicable("ipv6_links", "not reachable over IPv6 (see the ipv6 check)")
        if page is None or links is None:
            return self._page_missing("ipv6_links", main)
        results, levels, broken = links
        return http_checks.ipv6_links_result(http_checks.evaluate_ipv6_links(results, broken), levels)

    def _tls(
        self, obs: tls.TlsObservation | None, https_ok: bool, build: Callable[[tls.TlsObservation], CheckResult],
        name: str,
    ) -> CheckResult:
        if not https_ok or obs is None:
            return not_applicable(name, "no HTTPS service (see https_redirect and hsts)")
        return build(obs)

    def _https_redirect(self, http_fetch: FetchResult | None, https_ok: bool) -> CheckResult:
        if http_fetch is None:
            return not_applicable("https_redirect", "plain HTTP not probed")
        if http_fetch.error_kind == "blocked":
            return error_result("https_redirect", http_fetch.error or "blocked")
        evaluation = http_checks.evaluate_https_redirect(http_fetch)
        return http_checks.https_redirect_result(evaluation, https_available=https_ok)

    def _hsts(self, https_fetch: FetchResult | None, https_ok: bool, main: FetchResult,
              tls_obs: tls.TlsObservation | None) -> CheckResult:
        if not main.ok and not https_ok:
            return error_result("hsts", f"site not reachable: {main.error}")
        header = https_fetch.header("strict-transport-security") if https_ok and https_fetch else None
        # Known only when the TLS handshakes ran (the TLS checks were asked for).
        problem = None
        if tls_obs is not None and tls_obs.verify_code is not None:
            problem = tls_obs.verify_message or "certificate not valid"
        return http_checks.hsts_result(http_checks.parse_hsts(header), https_available=https_ok,
                                       certificate_problem=problem)

    def _headers(
        self,
        main: FetchResult,
        http_fetch: FetchResult | None,
        https_fetch: FetchResult | None,
        cors: FetchResult | None,
        tls_obs: tls.TlsObservation | None,
        page: ParsedPage | None,
    ) -> CheckResult:
        https_ok = https_fetch is not None and https_fetch.ok
        auto = https_fetch if https_ok else main if main.ok else http_fetch
        if auto is None or not auto.ok:
            return error_result("headers", f"site not reachable: {main.error}")
        verified = https_ok and tls_obs is not None and tls_obs.error is None and tls_obs.verify_code is None
        if https_ok and tls_obs is None:
            verified = True  # TLS not observed (checks subset): assume a valid certificate, as most sites have
        evaluation = observatory.evaluate(
            observatory.ObservatoryInput(
                auto=auto,
                http=http_fetch if http_fetch is not None and http_fetch.ok else None,
                https=https_fetch if https_ok else None,
                verified=verified,
                cors=cors,
                page=page if page is not None and auto is main else None,
            )
        )
        return observatory.headers_result(evaluation)

    async def _tampering(self, page: ParsedPage | None) -> CheckResult:
        if self.baseline is None:
            return not_applicable("tampering", "no baseline for this page yet")
        if page is None:
            assert self.main is not None
            return self._page_missing("tampering", self.main)
        first = evaluate_tampering(self.baseline, page_features(page))
        refetches = []
        if first.changed:
            for _ in range(scoring.TAMPER_REFETCHES):
                again = await self.run.http.fetch(self.url)
                if not (again.ok and again.body):
                    continue
                parsed = parse_page(again.body, again.final_url, with_styles=False)
                refetches.append(evaluate_tampering(self.baseline, page_features(parsed)))
                if not refetches[-1].changed:
                    break  # one agreeing fetch is enough to call it transient
        return tampering_result(self.baseline, first, refetches)

    def _audience(self, who: str) -> tuple[str, str | None]:
        """(user agent, referer) of the spider or the search visitor."""
        as_who = self._as_spider() if who == SPIDER else self._as_search_visitor()
        return as_who["user_agent"], as_who.get("referer")

    def _as_spider(self) -> dict[str, Any]:
        return {"user_agent": self.run.config.spider_user_agent}

    def _as_search_visitor(self) -> dict[str, Any]:
        return {"user_agent": self.run.config.search_visitor_user_agent, "referer": SEARCH_REFERER + self.host}

    async def _redirected_elsewhere(self, main: FetchResult, other: FetchResult | None, family: int, who: str,
                                    as_who: dict[str, Any]) -> DarkLinkFinding | None:
        """Cloaking by redirect: ``who`` is sent to another site than the browser. When that chain broke on the
        way (an off-site host that does not answer), ask once more without following, to name the target."""
        if other is None or not main.ok or other.error_kind == "blocked":
            return None
        first = other.hops[0].location if other.hops else None
        if not other.ok:
            again = await self.run.http.fetch(self.url, family=family, allow_redirects=False, read_body=False,
                                              **as_who)
            first = again.header("location") if again.ok else None
        return spider_redirect_finding(main.final_url, other.final_url if other.ok else None, first, who)

    def _dark_links(self, main: FetchResult, page: ParsedPage | None, spider: ParsedPage | None,
                    visitor: ParsedPage | None, redirects: Sequence[DarkLinkFinding]) -> CheckResult:
        if page is None:
            return self._page_missing("dark_links", main)
        evaluation = evaluate_dark_links(page, spider, extra_findings=redirects, visitor=visitor)
        checked = spider is not None or visitor is not None or bool(redirects)
        return self._note_truncation(dark_links_result(evaluation, cloaking_checked=checked), main)

    def _sensitive(self, main: FetchResult, page: ParsedPage | None) -> CheckResult:
        if page is None:
            return self._page_missing("sensitive_words", main)
        return self._note_truncation(sensitive_words_result(evaluate_sensitive_words(page)), main)

    def _note_truncation(self, result: CheckResult, main: FetchResult) -> CheckResult:
        """Say so when only the first ``max_bytes`` of the page were read: the rest was not searched."""
        if not main.truncated:
            return result
        return replace(result, evidence={**result.evidence, "truncated": True,
                                         "bytes_read": self.run.config.max_bytes})


def _page_as_seen_by(other: FetchResult | None, main: FetchResult, page: ParsedPage | None) -> ParsedPage | None:
    """The page as the spider or the search visitor got it. The usual case is the very page the browser got:
    then it is the browser's parse (nothing to compare, nothing to parse again)."""
    if other is None or not other.ok or not other.body or not other.is_html:
        return None
    if page is not None and other.body == main.body and other.final_url == main.final_url:
        return page
    return _safe_parse(other, with_styles=False)


async def _done(value: Any) -> Any:
    return value


def _same_origin(first: str, second: str) -> bool:
    """Scheme, host and port alike (the default port of the scheme when none is given)."""
    a, b = urlsplit(first), urlsplit(second)
    try:
        ports = (a.port or (443 if a.scheme == "https" else 80), b.port or (443 if b.scheme == "https" else 80))
    except ValueError:
        return False
    return a.scheme == b.scheme and (a.hostname or "").lower() == (b.hostname or "").lower() and ports[0] == ports[1]


async def _entry(fetching: Awaitable[dict[str, FetchResult]], url: str) -> FetchResult:
    """The result for ``url`` of a ``fetch_many`` under way."""
    return (await fetching)[url]


async def _gather(*awaitables: Awaitable[Any] | None) -> list[Any]:
    """``asyncio.gather`` where a None slot (a fetch the requested checks do not need) stays None. A lone
    awaitable is awaited as it is (a task per site and phase costs more than it gains at 25,000 sites)."""
    present = [item for item in awaitables if item is not None]
    gathered = [await present[0]] if len(present) == 1 else await asyncio.gather(*present) if present else []
    results = iter(gathered)
    return [None if item is None else next(results) for item in awaitables]


async def probe_sites(
    urls: Sequence[str],
    *,
    config: ProbeConfig | None = None,
    checks: Iterable[str] | None = None,
    baselines: Mapping[str, Baseline] | None = None,
    keep_snapshots: bool = False,
    on_report: Callable[[int, SiteReport], None] | None = None,
) -> list[SiteReport]:
    """Probe every URL (concurrently, ``config.concurrency`` sites at once); one report per URL, in order.

    ``checks`` limits the checks run (names from ``CHECK_NAMES``); ``baselines`` maps a URL (as given) to its
    tampering baseline; ``keep_snapshots`` keeps the browser fetch on each report (to build baselines).
    ``on_report(index, report)`` is called (in the event loop's thread) as soon as each site is done, so a
    caller can save results while the rest are still being probed; it must be quick and must not raise.
    """
    config = config or ProbeConfig.from_env()
    wanted = _validate_checks(checks)
    baselines = baselines or {}
    run = ProbeRun(config)
    reports: list[SiteReport | None] = [None] * len(urls)
    queue = iter(enumerate(urls))

    async def worker() -> None:
        for index, url in queue:
            report = await run.probe_site(url, wanted, baselines.get(url), keep_snapshots)
            reports[index] = report
            if on_report is not None:
                on_report(index, report)

    try:
        with collection_tuned_for_probing():
            await asyncio.gather(*(worker() for _ in range(min(config.concurrency, max(1, len(urls))))))
    finally:
        await run.close()
    return [report for report in reports if report is not None]


#: The young generation's threshold while probing (CPython's default is 700 allocations). Measured on the
#: 3,000-site sweep: 30 % less prober CPU per site; 5,000 to 50,000 made no difference beyond the noise.
PROBE_GC_YOUNG_THRESHOLD = 10_000
_gc_lock = threading.Lock()
_gc_runs = 0
_gc_saved: tuple[int, int, int] = (700, 10, 10)


@contextlib.contextmanager
def collection_tuned_for_probing() -> Iterator[None]:
    """Cyclic garbage collection tuned for a probe run, restored afterwards.

    A sweep allocates millions of short-lived objects (responses, parsed pages, results), which reference
    counting frees; but CPython's collector runs every 700 allocations, every tenth time over the middle
    generation and every hundredth over the whole heap — Django, the parsers, every module: a quarter of the
    prober's time, measured with ``gc.callbacks``. While probing, the young generation is collected every
    ``PROBE_GC_YOUNG_THRESHOLD`` allocations instead, so each of those walks happens 14 times less often; garbage
    cycles are still collected (memory stays flat over a soak, ``docs/benchmarks.md``). Freezing the heap
    (``gc.freeze``) as well gained nothing more and, undone after each run, let garbage pile up in the oldest
    generation from run to run. Probe runs may overlap (threads): the first one in tunes, the last one out
    restores.
    """
    global _gc_runs, _gc_saved
    with _gc_lock:
        if _gc_runs == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(PROBE_GC_YOUNG_THRESHOLD, _gc_saved[1], _gc_saved[2])
        _gc_runs += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_runs -= 1
            if _gc_runs == 0:
                gc.set_threshold(*_gc_saved)


def run_async(coroutine: Awaitable[Any]) -> Any:
    """Run a coroutine on a fresh event loop: uvloop where installed (about 1.5× the request rate), else asyncio."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover — uvloop is a dependency on Linux/macOS
        return asyncio.run(coroutine)  # type: ignore[arg-type]
    return uvloop.run(coroutine)  # type: ignore[arg-type]


def probe_sites_sync(urls: Sequence[str], **kwargs: Any) -> list[SiteReport]:
    """``probe_sites`` from synchronous code (CLI, background task). Not from inside a running event loop."""
    result: list[SiteReport] = run_async(probe_sites(urls, **kwargs))
    return result


async def fetch_snapshots(
    urls: Sequence[str], *, config: ProbeConfig | None = None, samples: int = 3, interval_s: float = 0.0
) -> dict[str, list[PageSnapshot]]:
    """Fetch every URL ``samples`` times (``interval_s`` apart) for ``build_baseline``; failed fetches left out."""
    config = config or ProbeConfig.from_env()
    run = ProbeRun(config)
    result: dict[str, list[PageSnapshot]] = {url: [] for url in urls}
    semaphore = asyncio.Semaphore(config.concurrency)

    async def one(url: str) -> None:
        async with semaphore:
            try:
                target = normalise_url(url)
            except InvalidUrlError:
                return
            fetch = await run.http.fetch(target)
            if fetch.ok:
                result[url].append(_snapshot(fetch))

    try:
        for round_number in range(samples):
            if round_number and interval_s:
                await asyncio.sleep(interval_s)
            await asyncio.gather(*(one(url) for url in urls))
    finally:
        await run.close()
    return result
