"""Networking for the probes: SSRF address policy, DNS (dnspython or the system), the shared HTTP client.

SSRF safety is enforced on *resolved* addresses, on every connection, in one place:
``connecting.open_connection`` resolves the host (IP literals included) through the run's ``DnsClient`` and
drops every address the ``AddressPolicy`` refuses — the error names the refused address and why — and
happy-eyeballs connections are made through the policy's ``socket_factory`` as a second guard. The HTTP client
(``http1``, every redirect hop included), the raw TCP connection of ``HttpClient.tcp_connect`` and the TLS
handshakes (``tls.py``) all connect through it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import dns.asyncresolver
import dns.exception
import dns.nameserver
import dns.rdatatype
import dns.resolver
import yarl

from edupulse.monitoring.probes import scoring
from edupulse.monitoring.probes.config import IPNetwork, ProbeConfig
from edupulse.monitoring.probes.connecting import BlockedAddressError, NoAddressError, open_connection
from edupulse.monitoring.probes.fastdns import FastDns, FastDnsError
from edupulse.monitoring.probes.http1 import PIPELINE_DEPTH, Http1Client, HttpError, Response, content_charset

# The Origin the MDN HTTP Observatory sends in its CORS preflight (its universal-access rule compares it).
CORS_PREFLIGHT_ORIGIN = "https://http-observatory.security.mozilla.org"
#: A body not needed by any check is still read up to this size, so that the connection stays reusable.
_DRAIN_BYTES = 262_144
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.I)


class AddressPolicy:
    """Which addresses the prober may connect to: public ones, plus the allowlist."""

    def __init__(self, allow: Sequence[IPNetwork] = ()) -> None:
        self.allow = tuple(allow)
        # Verdicts per address string: a sweep asks about the same few hosting addresses for every connection,
        # and parsing an address costs more than the lookup. Bounded like the other per-run tables.
        self._verdicts: dict[str, str | None] = {}

    def refusal(self, address: str) -> str | None:
        """None when ``address`` may be contacted, else why not (for the error message)."""
        try:
            return self._verdicts[address]
        except KeyError:
            pass
        if len(self._verdicts) >= 100_000:
            self._verdicts.clear()
        verdict = self._verdicts[address] = self._judge(address)
        return verdict

    def _judge(self, address: str) -> str | None:
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return f"{address!r} is not an IP address"
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        for network in self.allow:
            if ip.version == network.version and ip in network:
                return None
        for attribute in ("is_loopback", "is_private", "is_link_local", "is_multicast", "is_reserved",
                          "is_unspecified"):
            if getattr(ip, attribute):
                return f"{ip} is {attribute[3:].replace('_', '-')} and not in the probe allowlist"
        if not ip.is_global:
            return f"{ip} is not a public address and not in the probe allowlist"
        return None

    def check(self, address: str) -> None:
        reason = self.refusal(address)
        if reason is not None:
            raise BlockedAddressError(reason)

    def socket_factory(self, addr_info: Any) -> socket.socket:
        """aiohttp/aiohappyeyeballs socket factory: the last word on every connection."""
        family, type_, proto, _canonname, sockaddr = addr_info
        self.check(sockaddr[0])
        return socket.socket(family=family, type=type_, proto=proto)


@dataclass(frozen=True)
class Addresses:
    """A and AAAA answers for one host name (after nothing is filtered)."""

    host: str
    ipv4: tuple[str, ...]
    ipv6: tuple[str, ...]
    error: str | None = None
    literal: bool = False


class DnsClient:
    """A/AAAA lookups for the configured servers (``fastdns``, falling back to dnspython's async resolver) or
    the system resolver (``getaddrinfo``), cached per run."""

    def __init__(self, config: ProbeConfig) -> None:
        self.config = config
        self._cache: dict[str, asyncio.Future[Addresses]] = {}
        self._resolver: dns.asyncresolver.Resolver | None = None
        if config.dns_servers:
            resolver = dns.asyncresolver.Resolver(configure=False)
            resolver.nameservers = [dns.nameserver.Do53Nameserver(ip, port) for ip, port in config.nameservers]
            resolver.timeout = min(config.timeout_s, 5.0)
            resolver.lifetime = min(config.timeout_s, 10.0)
            resolver.cache = dns.resolver.LRUCache(50_000)
            self._resolver = resolver
            ip, port = config.nameservers[0]
            self._fast: FastDns | None = FastDns(ip, port, min(config.timeout_s, 2.0))
        else:
            self._fast = None

    def close(self) -> None:
        if self._fast is not None:
            self._fast.close()

    async def lookup(self, host: str) -> Addresses:
        host = host.lower().rstrip(".")
        future = self._cache.get(host)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            self._cache[host] = future
            try:
                future.set_result(await self._lookup(host))
            except BaseException as exc:  # a cancelled lookup must not poison the cache
                del self._cache[host]
                future.set_exception(exc)
                future.exception()  # mark retrieved
                raise
            if len(self._cache) > 100_000:  # bound memory over a long-running worker
                self._cache.clear()
            return future.result()
        if future.done() and not future.cancelled() and future.exception() is None:
            return future.result()  # the usual case: answered before (shield would cost a future and callbacks)
        return await asyncio.shield(future)

    async def _lookup(self, host: str) -> Addresses:
        try:
            ip = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            pass
        else:
            literal = (str(ip),)
            return Addresses(host, literal if ip.version == 4 else (), literal if ip.version == 6 else (), None, True)
        v4, v6 = await asyncio.gather(self._query(host, 4), self._query(host, 6))
        error = None
        if not v4[0] and not v6[0]:
            error = v4[1] or v6[1] or "no A or AAAA record"
        return Addresses(host, v4[0], v6[0], error)

    async def _query(self, host: str, version: int) -> tuple[tuple[str, ...], str | None]:
        if self._fast is not None:
            try:
                fast = await self._fast.query(host, 1 if version == 4 else 28)
            except (FastDnsError, OSError):
                pass  # unusual answer, timeout or socket trouble: dnspython decides
            else:
                return fast.addresses, "NXDOMAIN" if fast.nxdomain else None
        if self._resolver is not None:
            rdtype = dns.rdatatype.A if version == 4 else dns.rdatatype.AAAA
            try:
                answer = await self._resolver.resolve(host, rdtype, search=False)
            except dns.resolver.NXDOMAIN:
                return (), "NXDOMAIN"
            except dns.resolver.NoAnswer:
                return (), None
            except dns.exception.Timeout:
                return (), "DNS timeout"
            except dns.exception.DNSException as exc:
                return (), f"DNS error: {exc.__class__.__name__}"
            return tuple(dict.fromkeys(rdata.address for rdata in answer)), None
        family = socket.AF_INET if version == 4 else socket.AF_INET6
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, None, family=family, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            return (), None if exc.errno in (socket.EAI_NODATA, socket.EAI_ADDRFAMILY) else f"DNS error: {exc}"
        return tuple(dict.fromkeys(str(info[4][0]) for info in infos)), None


@dataclass(frozen=True)
class Hop:
    url: str
    status: int
    location: str | None
    set_cookies: tuple[str, ...] = ()


@dataclass(frozen=True)
class FetchResult:
    """One HTTP fetch, redirects followed. ``error`` is set (and ``status`` 0) when no response came back."""

    url: str
    final_url: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: str
    hops: tuple[Hop, ...]  # every response in order, the final one last
    elapsed_ms: float
    truncated: bool = False
    error: str | None = None
    error_kind: str | None = None  # blocked | dns | connect | timeout | tls | http
    content_type: str = ""
    attempts: int = 1

    @property
    def ok(self) -> bool:
        return self.error is None

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers:
            if key == lowered:
                return value
        return None

    def header_all(self, name: str) -> list[str]:
        lowered = name.lower()
        return [value for key, value in self.headers if key == lowered]

    @property
    def is_html(self) -> bool:
        return not self.content_type or "html" in self.content_type or "xml" in self.content_type


def _decode_as(raw: bytes, name: str) -> str | None:
    name = "gb18030" if name.lower() in ("gb2312", "gbk") else name
    try:
        return raw.decode(name)
    except (LookupError, UnicodeDecodeError):
        return None


def decode_body(raw: bytes, charset: str | None) -> str:
    """Decode with the header charset, else the ``<meta charset>``, else UTF-8 falling back to GB18030."""
    if charset:  # the header's charset first; the page's own <meta> is looked for only when that fails
        decoded = _decode_as(raw, charset)
        if decoded is not None:
            return decoded
    match = _META_CHARSET.search(raw[:4096])
    if match:
        decoded = _decode_as(raw, match.group(1).decode("ascii", "replace"))
        if decoded is not None:
            return decoded
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError:
            return raw.decode("utf-8", "replace")


def _semaphore(table: dict[str, asyncio.Semaphore], key: str, size: int) -> asyncio.Semaphore:
    """The semaphore of ``key`` in ``table``, made on first use; the table is emptied past 100,000 keys so a
    long-running worker does not keep one per site it ever probed."""
    semaphore = table.get(key)
    if semaphore is None:
        if len(table) >= 100_000:
            table.clear()
        semaphore = table[key] = asyncio.Semaphore(size)
    return semaphore


class HttpClient:
    """The HTTP side of one probe run: politeness limits around the lean HTTP/1.1 client (``http1``).

    No cookie jar (cookies are read from the headers), no proxy from the environment, certificate verification
    off (certificates are judged by the TLS check, and a bad certificate must not hide the page from the other
    checks). Connections are kept alive for 2 s: reused within one site's probe (page, spider, preflight,
    sampled links), never held for long across sites.
    """

    def __init__(self, config: ProbeConfig, dns_client: DnsClient, policy: AddressPolicy) -> None:
        self.config = config
        self.policy = policy
        self.dns = dns_client
        self.client = Http1Client(dns_client, policy, timeout=config.timeout_s,
                                  connect_timeout=min(config.timeout_s, 10.0))
        self._host_limits: dict[str, asyncio.Semaphore] = {}
        self._ip_limits: dict[str, asyncio.Semaphore] = {}

    async def ip_limit(self, host: str, family: int) -> asyncio.Semaphore:
        """The semaphore of the server address a request to ``host`` goes to (the first address of the family
        asked for, from the run's DNS cache): politeness to a server that hosts many sites."""
        key = host
        try:
            addresses = await self.dns.lookup(host)
        except Exception:  # noqa: S110 — the fetch itself reports the DNS failure
            pass
        else:
            candidates = (addresses.ipv6 if family == socket.AF_INET6 else addresses.ipv4 if family == socket.AF_INET
                          else addresses.ipv4 + addresses.ipv6)
            key = candidates[0] if candidates else host
        return _semaphore(self._ip_limits, key, self.config.per_ip_concurrency)

    def host_limit(self, host: str) -> asyncio.Semaphore:
        return _semaphore(self._host_limits, host, self.config.per_host_concurrency)

    async def _request(self, method: str, url: str, headers: list[tuple[str, str]], *, family: int,
                       read_body: bool, max_bytes: int, allow_redirects: bool) -> Response:
        """One request through the host's and the server address's limits; its time limit starts once both
        let it through (a wait for a politeness slot is not the site being slow)."""
        try:
            target = yarl.URL(url)
        except (ValueError, TypeError) as exc:
            raise HttpError("http", f"InvalidUrlClientError: {url}: {exc}") from None
        host = (target.raw_host or "").lower()  # raw_host: .host IDNA-decodes (slow)
        async with self.host_limit(host), await self.ip_limit(host, family):
            return await self.client.request(
                method, target, headers, family=family, read_body=read_body, max_bytes=max_bytes,
                drain_bytes=_DRAIN_BYTES, allow_redirects=allow_redirects, max_redirects=scoring.MAX_REDIRECTS)

    async def fetch(
        self,
        url: str,
        *,
        family: int = 0,
        user_agent: str | None = None,
        max_bytes: int | None = None,
        read_body: bool = True,
        allow_redirects: bool = True,
        referer: str | None = None,
    ) -> FetchResult:
        """GET ``url`` following redirects (each hop re-checked by the policy), body capped at max_bytes."""
        limit = self.config.max_bytes if max_bytes is None else max_bytes
        headers = self._headers(user_agent, referer)
        started = time.perf_counter()
        try:
            response = await self._request("GET", url, headers, family=family, read_body=read_body,
                                           max_bytes=limit, allow_redirects=allow_redirects)
        except HttpError as exc:
            return _failed(url, exc.kind, exc.message, started)
        except Exception as exc:  # anything else a strange server provokes is this fetch's failure, not the run's
            return _failed(url, "http", f"{exc.__class__.__name__}: {exc}", started)
        return _fetch_result(url, response, started)

    def _cors_headers(self) -> list[tuple[str, str]]:
        return [("User-Agent", self.config.user_agent), ("Access-Control-Request-Method", "GET"),
                ("Origin", CORS_PREFLIGHT_ORIGIN)]

    def _headers(self, user_agent: str | None = None, referer: str | None = None) -> list[tuple[str, str]]:
        headers = [("User-Agent", user_agent or self.config.user_agent), ("Accept", "text/html,*/*;q=0.8")]
        if referer:
            headers.append(("Referer", referer))
        return headers

    async def fetch_many(self, urls: Sequence[str], *, family: int, bodies: Mapping[str, int] | None = None
                         ) -> dict[str, FetchResult]:
        """GET many URLs (a page and links sampled from it): the URLs of one host are sent together on one
        kept-alive connection (HTTP/1.1 pipelining: one write instead of a round trip each), hosts in parallel.
        ``bodies`` maps the URLs whose body is kept to their size cap; the other bodies are read and dropped.
        The results are what ``fetch`` gives for each URL."""
        bodies = bodies or {}
        headers = self._headers()
        results: dict[str, FetchResult] = {}
        by_origin: dict[tuple[str, str, int | None], list[_Planned]] = {}
        alone: list[str] = []
        for url in dict.fromkeys(urls):
            try:
                target = yarl.URL(url)
            except (ValueError, TypeError):
                alone.append(url)  # fetch reports it
                continue
            key = (target.scheme, (target.raw_host or "").lower(), target.port)
            by_origin.setdefault(key, []).append(_Planned(url, target, headers, bodies.get(url, 0)))

        async def one_origin(items: list[_Planned]) -> None:
            for first in range(0, len(items), PIPELINE_DEPTH):
                batch = items[first : first + PIPELINE_DEPTH]
                for item, result in zip(batch, await self._pipelined(batch, family), strict=True):
                    results[item.url] = result

        if len(by_origin) == 1 and not alone:
            await one_origin(next(iter(by_origin.values())))  # the usual case: no task needed
        else:
            await asyncio.gather(*(one_origin(items) for items in by_origin.values()),
                                 *(self._fetch_into(results, url, family) for url in alone))
        return results

    async def fetch_as(self, url: str, audiences: Sequence[tuple[str, str | None]], *, family: int = 0,
                       preflight: str | None = None) -> tuple[list[FetchResult], FetchResult | None]:
        """The page at ``url`` as each audience (user agent, referer) gets it, the requests sent together on one
        kept-alive connection; each result is what ``fetch`` gives for that audience. ``preflight`` (a URL of the
        same origin) adds the CORS preflight to the same write; its result is what ``request_cors`` gives."""
        try:
            target = yarl.URL(url)
            cors_target = yarl.URL(preflight) if preflight is not None else None
        except (ValueError, TypeError):
            fetched = [await self.fetch(url, family=family, user_agent=agent, referer=referer)
                       for agent, referer in audiences]
            return fetched, await self.request_cors(preflight, family=family) if preflight is not None else None
        planned = [_Planned(url, target, self._headers(agent, referer), self.config.max_bytes, agent, referer)
                   for agent, referer in audiences]
        if cors_target is None:
            return await self._pipelined(planned, family), None
        if cors_target.origin() != target.origin():  # another connection: on its own
            return await self._pipelined(planned, family), await self.request_cors(str(preflight), family=family)
        planned.append(_Planned(str(preflight), cors_target, self._cors_headers(), 0, method="OPTIONS"))
        results = await self._pipelined(planned, family)
        cors = results.pop()
        return results, replace(cors, body="", hops=(), content_type="") if cors.ok else None

    async def _pipelined(self, batch: Sequence[_Planned], family: int) -> list[FetchResult]:
        """GETs to one origin sent together; a request the pipeline did not answer (the server closed early or
        mishandles pipelining) is sent again on its own, so such a server costs time, never a wrong answer."""
        host = (batch[0].target.raw_host or "").lower()
        started = time.perf_counter()
        responses: list[Response | None] = [None] * len(batch)
        try:
            async with self.host_limit(host), await self.ip_limit(host, family):
                # Unanswered when the time is up, the rest are asked again on their own, each with its own limit.
                responses = await self.client.request_pipelined(
                    [(item.method, item.target, item.headers) for item in batch], family=family,
                    limits=[item.limit for item in batch], drain_bytes=_DRAIN_BYTES, max_redirects=scoring.MAX_REDIRECTS)
        except HttpError as exc:  # no connection at all: what each request alone would have got
            return [_failed(item.url, exc.kind, exc.message, started) for item in batch]
        except Exception:  # noqa: S110 — anything unforeseen: each is asked again on its own, where it is reported
            pass
        results = []
        for item, response in zip(batch, responses, strict=True):
            if response is None and item.method == "OPTIONS":
                preflight = await self.request_cors(item.url, family=family)
                results.append(preflight or _failed(item.url, "http", "CORS preflight failed", started))
            elif response is None:
                results.append(await self.fetch(item.url, family=family, max_bytes=item.limit or None,
                                                read_body=item.limit > 0, user_agent=item.user_agent,
                                                referer=item.referer))
            else:
                results.append(_fetch_result(item.url, response, started))
        return results

    async def _fetch_into(self, results: dict[str, FetchResult], url: str, family: int) -> None:
        results[url] = await self.fetch(url, family=family)

    async def fetch_with_retries(self, url: str, **kwargs: Any) -> FetchResult:
        """``fetch``, tried again ``config.retries`` times (``config.retry_delay_s`` apart) when the connection
        failed or timed out: a dropped packet must not make a site look down. HTTP errors, DNS failures and
        refused addresses are answers, not accidents, and are not retried. ``attempts`` says how many it took."""
        result = await self.fetch(url, **kwargs)
        attempts = 1
        while result.error_kind in ("connect", "timeout") and attempts <= self.config.retries:
            await asyncio.sleep(self.config.retry_delay_s)
            result = await self.fetch(url, **kwargs)
            attempts += 1
        return result if attempts == 1 else replace(result, attempts=attempts)

    async def tcp_connect(self, host: str, port: int, family: int) -> str | None:
        """Open (and close) a TCP connection to ``host``'s first address of ``family`` on ``port``: None when it
        connects, else why not. The SSRF policy and the per-IP limit apply as to every request."""
        addresses = await self.dns.lookup(host)
        candidates = addresses.ipv6 if family == socket.AF_INET6 else addresses.ipv4
        if not candidates:
            return "no address of that family"
        try:
            async with await self.ip_limit(host, family):
                transport, _protocol = await asyncio.wait_for(
                    open_connection(self.dns, self.policy, candidates[0], port, asyncio.Protocol),
                    min(self.config.timeout_s, 10.0))
        except (BlockedAddressError, NoAddressError) as exc:
            return str(exc)
        except (OSError, TimeoutError) as exc:
            return "timed out" if isinstance(exc, TimeoutError) else (exc.strerror or exc.__class__.__name__)
        transport.close()
        return None

    async def request_cors(self, url: str, *, family: int = 0) -> FetchResult | None:
        """The Observatory's CORS preflight: OPTIONS with an Origin, redirects followed; None on failure."""
        started = time.perf_counter()
        try:
            response = await self._request("OPTIONS", url, self._cors_headers(), family=family, read_body=False,
                                           max_bytes=_DRAIN_BYTES, allow_redirects=True)
        except Exception:  # the preflight failed, whatever the reason: the grading treats it as not answered
            return None
        return FetchResult(
            url=url,
            final_url=str(response.final.url),
            status=response.final.status,
            headers=tuple(response.final.headers),
            body="",
            hops=(),
            elapsed_ms=(time.perf_counter() - started) * 1000,
        )

    async def close(self) -> None:
        await self.client.close()


@dataclass(frozen=True, slots=True)
class _Planned:
    """One GET of a pipelined batch."""

    url: str
    target: yarl.URL
    headers: list[tuple[str, str]]
    limit: int  # keep the body up to this many bytes; 0 = read and drop it
    user_agent: str | None = None
    referer: str | None = None
    method: str = "GET"


def _fetch_result(url: str, response: Response, started: float) -> FetchResult:
    final = response.final
    content_type = (final.header("content-type") or "").lower()
    return FetchResult(
        url=url,
        final_url=str(final.url),
        status=final.status,
        headers=tuple(final.headers),
        body=decode_body(final.body, content_charset(content_type)) if final.body else "",
        hops=tuple(
            Hop(str(item.url), item.status, item.header("location"),
                tuple(value for key, value in item.headers if key == "set-cookie"))
            for item in (*response.history, final)
        ),
        elapsed_ms=(time.perf_counter() - started) * 1000,
        truncated=final.truncated,
        content_type=content_type,
    )


def _failed(url: str, kind: str, message: str, started: float) -> FetchResult:
    return FetchResult(url=url, final_url=url, status=0, headers=(), body="", hops=(),
                       elapsed_ms=(time.perf_counter() - started) * 1000, error=message, error_kind=kind)
