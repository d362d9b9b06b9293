"""Orchestration: run the checks on many sites concurrently with one set of shared HTTP sessions.

The engine names no check. Per site it takes the checks asked for from the registry (``probes.checks``) and
plans the fetches from the union of their declared needs (``spec.Need``), so e.g. ``checks=("availability",)``
costs one request and ``checks=("dns",)`` none. Step 1 resolves the host (cached, shared with the connector);
step 2 fetches the page as a browser (and, when needed, the plain-HTTP counterpart of an HTTPS URL beside it,
then the page as Baiduspider and as a search visitor on the same connection, and where HTTPS lives); step 3
does, at once, the TLS handshakes, the IPv6 fetches, the CORS preflight, the tampering re-fetches and the
IPv6 port check. Every check is then evaluated by its pure function on the same ``SiteInputs``; an exception
inside one check's evaluation becomes that check's ``error`` outcome and never hides the others.
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
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from edupulse.monitoring.probes import http_checks, scoring, tls
from edupulse.monitoring.probes.checks import REGISTRY
from edupulse.monitoring.probes.config import SEARCH_REFERER, ProbeConfig
from edupulse.monitoring.probes.darklinks import SEARCH_VISITOR, SPIDER, DarkLinkFinding, spider_redirect_finding
from edupulse.monitoring.probes.html import ParsedPage, parse_page, same_site_links
from edupulse.monitoring.probes.net import Addresses, AddressPolicy, DnsClient, FetchResult, HttpClient
from edupulse.monitoring.probes.spec import CheckSpec, LinkSample, Need, SiteInputs
from edupulse.monitoring.probes.tampering import Baseline, PageFeatures, evaluate_tampering, page_features
from edupulse.monitoring.probes.types import CheckOutcome, PageSnapshot, SiteReport, error_result

logger = logging.getLogger(__name__)

_LINK_BODY_BYTES = 300_000


class InvalidUrlError(ValueError):
    pass


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


def _validate_checks(checks: Iterable[str] | None) -> tuple[CheckSpec, ...]:
    """The registered checks asked for (all of them for None), in the registry's order."""
    if checks is None:
        return tuple(REGISTRY)
    wanted = set(checks)
    known = REGISTRY.names()
    unknown = wanted - set(known)
    if unknown:
        raise ValueError(f"unknown checks: {', '.join(sorted(unknown))}; known: {', '.join(known)}")
    return tuple(spec for spec in REGISTRY if spec.name in wanted)


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
        self, url: str, wanted: tuple[CheckSpec, ...], baseline: Baseline | None, keep_snapshot: bool
    ) -> SiteReport:
        started_at = datetime.now(UTC)
        t0 = time.perf_counter()
        snapshot = None
        try:
            target = normalise_url(url)
        except InvalidUrlError as exc:
            checks = tuple(error_result(spec.name, str(exc)) for spec in wanted)
        else:
            site = _Site(self, target, wanted, baseline)
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
    """The fetches and evaluations for one URL: the fetches planned from the needs of the checks asked for."""

    def __init__(self, run: ProbeRun, url: str, specs: Sequence[CheckSpec], baseline: Baseline | None) -> None:
        self.run = run
        self.url = url
        self.specs = specs
        self.needs: frozenset[Need] = frozenset().union(*(spec.needs for spec in specs))
        self.baseline = baseline
        parts = urlsplit(url)
        self.scheme = parts.scheme
        self.host = (parts.hostname or "").lower()
        self.addresses = Addresses(self.host, (), ())
        self.family = 0
        self.main: FetchResult | None = None
        self.parsed: ParsedPage | None = None
        self.plain_http: FetchResult | None = None
        self.https: FetchResult | None = None
        self.spider: FetchResult | None = None
        self.visitor: FetchResult | None = None
        #: The CORS preflight sent with the spider's and visitor's requests (None when it was not sent with them).
        self.early_preflight: FetchResult | None = None
        self.preflight_sent_early = False

    def wants(self, need: Need) -> bool:
        if need is Need.PAGE_HTML:
            return bool(self.needs & {Need.PAGE_HTML, Need.PAGE_STYLES})
        return need in self.needs

    @property
    def https_ok(self) -> bool:
        return self.https is not None and self.https.ok

    async def execute(self) -> tuple[CheckOutcome, ...]:
        self.addresses = await self.run.dns.lookup(self.host)
        self.family = socket.AF_INET if self.addresses.ipv4 else socket.AF_INET6 if self.addresses.ipv6 else 0
        if self._needs_the_page():
            inputs = await self._fetch_around_the_page()
        else:
            inputs = await self._fetch_without_the_page()
        return tuple(self.evaluate(spec, inputs) for spec in self.specs)

    def evaluate(self, spec: CheckSpec, inputs: SiteInputs) -> CheckOutcome:
        """The check's pure evaluation; an exception in it becomes its ``error`` outcome, never hiding the others."""
        try:
            outcome = spec.evaluate(inputs)
            assert isinstance(outcome, CheckOutcome)
            return outcome
        except Exception as exc:
            logger.exception("probe check %s failed on %s", spec.name, self.url)
            return error_result(spec.name, f"internal error: {exc.__class__.__name__}: {exc}")

    def _needs_the_page(self) -> bool:
        """Only DNS answers, or (on an https URL) DNS and the TLS handshakes, are known without the page."""
        without_page = {Need.ADDRESSES, Need.TLS_HANDSHAKES} if self.scheme == "https" else {Need.ADDRESSES}
        return not self.needs <= without_page

    async def _fetch_without_the_page(self) -> SiteInputs:
        """DNS and TLS on an https URL: the handshakes go straight to the URL's host and port (failures are errors)."""
        observed = None
        if self.wants(Need.TLS_HANDSHAKES):
            observed = await self._observe_tls(self.host, urlsplit(self.url).port or 443)
        return SiteInputs(self.url, self.addresses, self.family, self.run.config.max_bytes, tls=observed)

    async def _fetch_around_the_page(self) -> SiteInputs:
        """The page first (with the plain-HTTP counterpart beside it), what is fetched on the same connection and
        where HTTPS lives; then, at once, everything the page leads to."""
        main = await self._fetch_page()
        await self._fetch_page_as_audiences(main)
        await self._locate_https(main)
        self.parsed = self._parse_page(main)
        spider_page = _page_as_seen_by(self.spider, main, self.parsed)
        visitor_page = _page_as_seen_by(self.visitor, main, self.parsed)
        cloaking_redirects = await self._cloaking_redirects(main)
        v6_task, links_task = self._plan_ipv6(main)  # under way while the plain-HTTP page to grade is fetched
        await self._fetch_plain_http_to_grade()
        tls_obs, v6, links, cors, samples, other_ports = await _gather(
            self._handshake_https(), v6_task, links_task, self._preflight(main), self._tampering_samples(),
            self._other_ports_v6())
        return SiteInputs(
            self.url, self.addresses, self.family, self.run.config.max_bytes, page=main, parsed=self.parsed,
            plain_http=self.plain_http, https=self.https, cors=cors, spider_page=spider_page,
            visitor_page=visitor_page, cloaking_redirects=tuple(cloaking_redirects), tls=tls_obs, ipv6_page=v6,
            ipv6_other_ports=other_ports, ipv6_links=links, baseline=self.baseline,
            tampering_samples=samples or ())

    # --- the page and what goes with it ---------------------------------------------------------------------
    async def _fetch_page(self) -> FetchResult:
        """The page as a browser; beside it the plain-HTTP counterpart of an https URL (an http URL is its own)."""
        http = self.run.http
        plain_task = (http.fetch(_with_scheme(self.url, "http", self.run.config), read_body=False)
                      if self.scheme == "https" and self.wants(Need.PLAIN_HTTP) else None)
        main, plain = await _gather(http.fetch_with_retries(self.url, family=self.family), plain_task)
        self.main = main
        self.plain_http = main if self.scheme == "http" else plain
        return main

    async def _fetch_page_as_audiences(self, main: FetchResult) -> None:
        """The page as Baiduspider and as a phone browser arriving from a Baidu search (cloaking), after the browser
        fetch so that they reuse its kept-alive connection (a new TCP connection costs more CPU than a request at a
        thousand sites per second); not at all when the page did not answer the browser. The CORS preflight goes in
        the same write when it is to the page's origin (the usual case, see ``_preflight``)."""
        if not (main.ok and self.wants(Need.AUDIENCES)):
            return
        with_preflight = self.wants(Need.CORS_PREFLIGHT) and _same_origin(self.url, main.final_url)
        (self.spider, self.visitor), self.early_preflight = await self.run.http.fetch_as(
            self.url, [self._audience(SPIDER), self._audience(SEARCH_VISITOR)], family=self.family,
            preflight=main.final_url if with_preflight else None)
        self.preflight_sent_early = with_preflight

    async def _locate_https(self, main: FetchResult) -> None:
        """Where HTTPS lives: the final URL when it is https, else https://host/ if it answers."""
        if urlsplit(main.final_url).scheme == "https" and main.ok:
            self.https = main
        elif self.scheme == "http" and (self.wants(Need.HTTPS) or self.wants(Need.TLS_HANDSHAKES)):
            # Same address family as the page fetch: HTTPS is judged on the address the page was judged on, and a
            # pinned family connects directly instead of racing both families (happy eyeballs).
            self.https = await self.run.http.fetch(_with_scheme(self.url, "https", self.run.config),
                                                   family=self.family, read_body=self.wants(Need.GRADED_RESPONSE))
        elif self.scheme == "https":
            self.https = main

    def _parse_page(self, main: FetchResult) -> ParsedPage | None:
        if main.ok and main.body and main.is_html and self.wants(Need.PAGE_HTML):
            return _safe_parse(main, with_styles=self.wants(Need.PAGE_STYLES))
        return None

    async def _cloaking_redirects(self, main: FetchResult) -> list[DarkLinkFinding]:
        found = (await self._redirected_elsewhere(main, self.spider, SPIDER, self._as_spider()),
                 await self._redirected_elsewhere(main, self.visitor, SEARCH_VISITOR, self._as_search_visitor()))
        return [finding for finding in found if finding is not None]

    async def _fetch_plain_http_to_grade(self) -> None:
        """HTTPS is down but plain HTTP answers: the Observatory grades that, and needs its body."""
        plain = self.plain_http
        if (self.wants(Need.GRADED_RESPONSE) and not self.https_ok and self.scheme == "https"
                and plain is not None and plain.ok):
            self.plain_http = await self.run.http.fetch(plain.url)

    # --- what the page leads to (fetched at once) -----------------------------------------------------------
    def _handshake_https(self) -> Awaitable[tls.TlsObservation] | None:
        if not (self.wants(Need.TLS_HANDSHAKES) and self.https_ok and self.https is not None):
            return None
        final = urlsplit(self.https.final_url)
        return self._observe_tls(final.hostname or self.host, final.port or 443)

    def _plan_ipv6(self, main: FetchResult) -> tuple[Awaitable[FetchResult] | None, Awaitable[LinkSample] | None]:
        """The page over IPv6 and the IPv6 link sample. When both are fetched, the page over IPv6 and the level-2
        links go together on one IPv6 connection (one write)."""
        if not self.addresses.ipv6:
            return None, None
        page = self.parsed
        sample = self._level2_sample(page) if page is not None and self.wants(Need.IPV6_LINKS) else None
        v6_task: asyncio.Future[FetchResult] | None = None
        links_task: Awaitable[LinkSample] | None = None
        if self.wants(Need.IPV6_PAGE) and self.family != socket.AF_INET6:
            if sample is not None and page is not None:
                level2, with_body = sample[0], dict.fromkeys(sample[1], _LINK_BODY_BYTES)
                together = asyncio.ensure_future(self.run.http.fetch_many(
                    [self.url, *level2], family=socket.AF_INET6,
                    bodies={**with_body, self.url: self.run.config.max_bytes}))
                v6_task = asyncio.ensure_future(_entry(together, self.url))
                links_task = self._ipv6_links(page, v6_task, sample, together)
            else:
                v6_task = asyncio.ensure_future(self.run.http.fetch(self.url, family=socket.AF_INET6))
        elif self.wants(Need.IPV6_PAGE):
            v6_task = asyncio.ensure_future(_done(main))  # an IPv6-only site: the page was fetched over IPv6
        if links_task is None and sample is not None and page is not None:
            links_task = self._ipv6_links(page, v6_task, sample, None)
        return v6_task, links_task

    def _preflight(self, main: FetchResult) -> Awaitable[FetchResult | None] | None:
        """The Observatory's CORS preflight to the response it grades, unless it went with the spider's requests."""
        if not self.wants(Need.CORS_PREFLIGHT):
            return None
        graded = self.https if self.https_ok else main if main.ok else self.plain_http
        if graded is main and main.ok and self.preflight_sent_early:
            return _done(self.early_preflight)
        if graded is None or not graded.ok:
            return None
        # Same address family as the fetch being graded, so its kept-alive connection is reused.
        pinned = graded is main or graded is self.https
        return self.run.http.request_cors(graded.final_url, family=self.family if pinned else 0)

    def _tampering_samples(self) -> Awaitable[tuple[PageFeatures, ...]] | None:
        if not self.wants(Need.TAMPERING_SAMPLES) or self.baseline is None or self.parsed is None:
            return None
        return self._refetch_while_changed(self.baseline, page_features(self.parsed))

    async def _refetch_while_changed(self, baseline: Baseline, first: PageFeatures) -> tuple[PageFeatures, ...]:
        """The page's features, then those of up to ``TAMPER_REFETCHES`` re-fetches while the page differs from its
        baseline: one agreeing fetch is enough to call a difference transient."""
        samples = [first]
        if not evaluate_tampering(baseline, first).changed:
            return tuple(samples)
        for _ in range(scoring.TAMPER_REFETCHES):
            again = await self.run.http.fetch(self.url)
            if not (again.ok and again.body):
                continue
            samples.append(page_features(parse_page(again.body, again.final_url, with_styles=False)))
            if not evaluate_tampering(baseline, samples[-1]).changed:
                break
        return tuple(samples)

    def _other_ports_v6(self) -> Awaitable[dict[int, str | None]] | None:
        """The other web port (443 for an http URL, 80 for https) when it answered: can it be reached over IPv6
        too? (internet.nl: a web server must be reachable over IPv6 on the same ports as over IPv4.)"""
        if not (self.addresses.ipv6 and self.wants(Need.IPV6_OTHER_PORTS)):
            return None
        other = self.https if self.scheme == "http" else self.plain_http
        return self._connect_v6(other)

    async def _connect_v6(self, other: FetchResult | None) -> dict[int, str | None]:
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

    # --- the IPv6 link sample -----------------------------------------------------------------------------
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
                          fetching: Awaitable[dict[str, FetchResult]] | None) -> LinkSample:
        """Fetch a sample of the home page's same-site links (level 2) and of their links (level 3) over IPv6.

        The links of one host are sent together on one kept-alive IPv6 connection (pipelined, see
        ``HttpClient.fetch_many``) — the level-2 ones with the IPv6 fetch of the page itself when that is made
        here (``fetching``): a site costs one IPv6 connection per host and one write per level, not one
        connection or round trip per link.
        """
        if v6_home is not None and not (await v6_home).ok:
            return LinkSample([], {}, [])  # the site itself is not reachable over IPv6: the ipv6 check says so once
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
        return LinkSample(results, {"level2": len(level2), "level3": len(level3), "level2_found": len(candidates),
                                    "level3_found": len(level3_candidates)}, broken)

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

    # --- audiences (cloaking) -----------------------------------------------------------------------------
    def _audience(self, who: str) -> tuple[str, str | None]:
        """(user agent, referer) of the spider or the search visitor."""
        as_who = self._as_spider() if who == SPIDER else self._as_search_visitor()
        return as_who["user_agent"], as_who.get("referer")

    def _as_spider(self) -> dict[str, Any]:
        return {"user_agent": self.run.config.spider_user_agent}

    def _as_search_visitor(self) -> dict[str, Any]:
        return {"user_agent": self.run.config.search_visitor_user_agent, "referer": SEARCH_REFERER + self.host}

    async def _redirected_elsewhere(self, main: FetchResult, other: FetchResult | None, who: str,
                                    as_who: dict[str, Any]) -> DarkLinkFinding | None:
        """Cloaking by redirect: ``who`` is sent to another site than the browser. When that chain broke on the
        way (an off-site host that does not answer), ask once more without following, to name the target."""
        if other is None or not main.ok or other.error_kind == "blocked":
            return None
        first = other.hops[0].location if other.hops else None
        if not other.ok:
            again = await self.run.http.fetch(self.url, family=self.family, allow_redirects=False, read_body=False,
                                              **as_who)
            first = again.header("location") if again.ok else None
        return spider_redirect_finding(main.final_url, other.final_url if other.ok else None, first, who)


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

    ``checks`` limits the checks run (names of registered checks, ``probes.checks``); ``baselines`` maps a URL (as given) to its
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
        import uvloop  # optional: uvloop is not built for every platform
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
