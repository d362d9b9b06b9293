"""A lean HTTP/1.1 client for the probes: asyncio protocols, the llhttp parser (``httptools``), a small pool.

Why not aiohttp's client session (see docs/architecture.md, "Probe HTTP client"): a sweep makes about 18
requests per site, and aiohttp's session machinery (request and response objects, multidicts, stream
readers, timers, tracing, cookie handling) cost about half of the prober's CPU — the limit of a 25,000-site
sweep on two cores. The probes need little of it: GET and OPTIONS with a few headers, redirects recorded hop by
hop, a capped body, gzip/deflate, kept-alive connections within one site. This module does exactly that; the
HTTP parsing itself is llhttp (the parser of Node.js, and of aiohttp and uvicorn) through ``httptools``.

Safety is unchanged: every connection, redirects included, is opened by ``Http1Client._connect`` through
``connecting.open_connection`` — the one connect of the probes, shared with the raw TCP and TLS connections —
which resolves through the probe's ``DnsClient`` and refuses any address the ``AddressPolicy`` refuses (SSRF),
IP-literal URLs included. Connecting follows aiohttp's behaviour: happy eyeballs (``aiohappyeyeballs``,
250 ms) when both families are allowed, one family when the caller pins it; an IP literal of the other family
(a redirect to ``http://[::1]/``) is followed unpinned, as a browser would.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httptools
import yarl

from edupulse.monitoring.probes.connecting import BlockedAddressError, NoAddressError, open_connection

if TYPE_CHECKING:  # net.py imports this module
    from edupulse.monitoring.probes.net import AddressPolicy, DnsClient

#: Statuses that redirect (aiohttp's set).
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: Requests sent together on one connection at most (the sampled links of one host; see ``request_pipelined``).
PIPELINE_DEPTH = 16
#: A response whose header block is larger than this is refused (aiohttp refuses 8 KB header lines).
MAX_HEADER_BYTES = 65_536
_ACCEPT_ENCODING = b"Accept-Encoding: gzip, deflate\r\n"


#: One request: method, URL, headers (name, value) besides Host and Accept-Encoding.
Request = tuple[str, yarl.URL, Sequence[tuple[str, str]]]


class HttpError(Exception):
    """No usable response. ``kind``: blocked | dns | connect | timeout | tls | http (as ``FetchResult``)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class _StaleConnectionError(Exception):
    """A kept-alive connection was closed by the server before any byte of the response: retry on a new one."""


@dataclass(slots=True)
class RawResponse:
    """One HTTP response: ``url`` is the request's URL; header names lower-cased, in order, repeats kept."""

    url: yarl.URL
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    truncated: bool

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value
        return None


@dataclass(slots=True)
class Response:
    """The final response of a request and the redirect responses before it (``history``, oldest first)."""

    final: RawResponse
    history: list[RawResponse]


def content_charset(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type value (quotes removed), None when absent."""
    if not content_type or ";" not in content_type:
        return None
    for part in content_type.split(";")[1:]:
        key, _sep, value = part.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip("\"'") or None
    return None


@dataclass(slots=True)
class _Parsed:
    """One response as read off a connection (the URL is the caller's to add)."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    truncated: bool


class _Connection(asyncio.Protocol):
    """One TCP (or TLS) connection and the responses being read on it; reused while the server keeps it alive.

    ``exchange`` sends one or several requests in one write (HTTP/1.1 pipelining, for the sampled links of one
    host) and reads their responses in order. It ends when every response is read, or early — the server
    closed or said ``Connection: close``, a body was larger than allowed — with the responses read so far;
    the caller sends the unanswered requests again on their own.
    """

    def __init__(self, key: tuple[str, str, int, int]) -> None:
        self.key = key
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.used = False
        self.idle_handle: asyncio.TimerHandle | None = None
        self.waiter: asyncio.Future[None] | None = None
        self.parser: httptools.HttpResponseParser | None = None
        self.received = False  # any byte on this connection since the requests were sent
        self.reusable = False  # every response read to its end and the server keeps the connection alive
        self.done: list[_Parsed] = []
        self.limits: Sequence[int] = ()  # per response: keep the body up to this many bytes; 0 = drain it
        self.follow = False
        self.limit = 0
        self.drain_limit = 0
        self._reset()

    def _reset(self) -> None:
        """Forget the response being read (the next one in a pipeline starts afresh)."""
        self.status = 0
        self.raw_headers: list[tuple[bytes, bytes]] = []  # decoded once the header block is complete
        self.headers: list[tuple[str, str]] = []
        self.header_bytes = 0
        self.headers_done = False
        self.delimited = False  # Content-Length or chunked: the body does not end at the close
        self.store = True
        self.size = 0
        self.parts: list[bytes] = []
        self.truncated = False
        self.decoder: zlib._Decompress | None = None
        self.encoding = ""

    # --- asyncio.Protocol ---------------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.received = True
        if self.parser is None or self.waiter is None or self.waiter.done():
            return  # bytes after the responses we wait for, or with no request: nothing waits for them
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(HttpError("http", "the server switched protocols"))
        except httptools.HttpParserError as exc:
            self._fail(HttpError("http", f"invalid HTTP response: {exc}"))
        except HttpError as exc:  # raised by a callback (header block too large, bad encoding)
            self._fail(exc)
        if self.truncated or (not self.store and self.size > self.drain_limit):
            # Enough of this body: the rest is not read, so the connection cannot carry another request.
            self._take(keep_alive=False)

    def eof_received(self) -> bool | None:
        return False  # close our side too; connection_lost follows

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True  # an idle one stays listed until its keep-alive timer drops it
        self.transport = None  # the transport refers to this protocol: no cycle left for the collector
        if self.waiter is None or self.waiter.done():
            return
        if self.headers_done and not self.delimited:
            self._take(keep_alive=False)  # an HTTP/1.0-style body that ends when the server closes
        elif not self.received and self.used:
            self._fail(_StaleConnectionError())
        elif self.done:
            self._end()  # a pipeline cut short: the caller sends the rest again
        else:
            reason = f": {exc}" if exc else ""
            self._fail(HttpError("http", f"ServerDisconnectedError: the server closed the connection{reason}"))

    # --- httptools callbacks ------------------------------------------------------------------------------
    def on_header(self, name: bytes, value: bytes) -> None:
        self.header_bytes += len(name) + len(value)
        if self.header_bytes > MAX_HEADER_BYTES:
            raise HttpError("http", f"response headers larger than {MAX_HEADER_BYTES} bytes")
        self.raw_headers.append((name, value))

    def on_headers_complete(self) -> None:
        assert self.parser is not None
        status = self.parser.get_status_code()
        if 100 <= status < 200 and status != 101:
            self.raw_headers = []  # an interim response (100 Continue, 103 Early Hints): the real one follows
            self.header_bytes = 0
            return
        self.status = status
        self.headers_done = True
        self.headers = [(name.decode("latin-1").lower(), value.decode("utf-8", "replace"))
                        for name, value in self.raw_headers]
        encoding = ""
        for key, value in self.headers:
            if key == "content-length" or (key == "transfer-encoding" and "chunked" in value.lower()):
                self.delimited = True
            elif key == "content-encoding":
                encoding = value.strip().lower()
        # Past the last response asked for (a server answering more than it was asked): read, never kept.
        self.limit = self.limits[len(self.done)] if len(self.done) < len(self.limits) else 0
        self.store = self.limit > 0
        if self.follow and status in REDIRECT_STATUSES:
            self.store = False  # a redirect's body is drained, never kept
        if self.store and encoding in ("gzip", "x-gzip", "deflate"):
            self.encoding = encoding

    def on_body(self, body: bytes) -> None:
        if not self.store:
            self.size += len(body)
            return
        if self.truncated:
            return
        if self.encoding:
            body = self._decode(body)
        room = self.limit + 1 - self.size
        self.parts.append(body[:room])
        self.size += min(len(body), room)
        if self.size > self.limit:
            self.truncated = True

    def on_message_complete(self) -> None:
        assert self.parser is not None
        if not self.headers_done:
            return  # the end of an interim 1xx response
        if self.decoder is not None and self.store and not self.truncated:
            tail = self.decoder.flush()
            if tail:
                self.encoding = ""  # already decoded
                self.on_body(tail)
        self._take(keep_alive=self.parser.should_keep_alive())

    # --- helpers ------------------------------------------------------------------------------------------
    def _decode(self, data: bytes) -> bytes:
        if self.decoder is None:
            if self.encoding == "deflate" and data and (data[0] & 0x0F) != 8:
                self.decoder = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as many servers send it
            else:
                self.decoder = zlib.decompressobj(zlib.MAX_WBITS | 32)  # zlib or gzip header
        try:
            # Never inflate more than the cap allows (a compression bomb stays small).
            return self.decoder.decompress(data, max(1, self.limit + 1 - self.size))
        except zlib.error as exc:
            raise HttpError("http", f"ContentEncodingError: cannot decode the {self.encoding} body ({exc})") from None

    def _take(self, *, keep_alive: bool) -> None:
        """The response being read is complete (or as complete as it will be): keep it, go on to the next."""
        body = b"".join(self.parts)
        self.done.append(_Parsed(self.status, self.headers, body[: self.limit] if self.truncated else body,
                                 self.truncated))
        self._reset()
        if len(self.done) == len(self.limits) or not keep_alive:
            self.reusable = keep_alive and len(self.done) == len(self.limits)
            self._end()

    def _end(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    def _fail(self, error: BaseException) -> None:
        self.reusable = False
        if self.waiter is not None and not self.waiter.done():
            if self.done and not isinstance(error, _StaleConnectionError):
                self.waiter.set_result(None)  # a pipeline cut short: keep what was answered
            else:
                self.waiter.set_exception(error)

    def close(self) -> None:
        self.closed = True
        self.reusable = False
        if self.idle_handle is not None:
            self.idle_handle.cancel()
            self.idle_handle = None
        if self.transport is not None:
            self.transport.abort()

    async def exchange(self, requests: bytes, limits: Sequence[int], *, follow: bool, drain_limit: int,
                       deadline: float) -> list[_Parsed]:
        """Send ``requests`` (one or several, already encoded) and read one response for each entry of ``limits``
        (keep that body up to so many bytes, 0 = read and drop it). Returns the responses read — fewer than asked
        when the connection ended early — or raises when not even the first could be read. At ``deadline`` (loop
        time) the wait ends as a time-out: a timer on this connection, cheaper than a timeout scope per request."""
        self.parser = httptools.HttpResponseParser(self)
        self._reset()
        self.received = self.reusable = False
        self.done = []
        self.limits, self.follow, self.drain_limit = limits, follow, drain_limit
        loop = asyncio.get_running_loop()
        self.waiter = loop.create_future()
        if self.transport is None:  # closed by the server since it was chosen
            self.waiter = None
            raise _StaleConnectionError() if self.used else HttpError(
                "http", "ServerDisconnectedError: the server closed the connection")
        self.transport.write(requests)
        timer = loop.call_at(deadline, self._time_out)
        try:
            await self.waiter
        finally:
            timer.cancel()
            self.waiter = None
            self.used = True
            # The parser's callbacks are this object's methods: dropping it (and the responses read) breaks that
            # reference cycle, so reference counting frees a closed connection and its bodies at once instead of
            # leaving them to the cyclic collector.
            self.parser = None
        done, self.done = self.done, []
        return done

    def _time_out(self) -> None:
        self._fail(HttpError("timeout", "timed out"))


class Http1Client:
    """Requests for one probe run: a pool of kept-alive connections per (scheme, host, port, family)."""

    def __init__(self, dns: DnsClient, policy: AddressPolicy, *, timeout: float, connect_timeout: float,
                 keepalive_s: float = 2.0, happy_eyeballs_delay: float = 0.25) -> None:
        self.dns = dns
        self.policy = policy
        self.connect_timeout = connect_timeout
        self.timeout = timeout
        self.keepalive_s = keepalive_s
        self.happy_eyeballs_delay = happy_eyeballs_delay
        self._idle: dict[tuple[str, str, int, int], list[_Connection]] = {}
        self._ssl = _unverified_context()

    async def request(
        self,
        method: str,
        url: str | yarl.URL,
        headers: Sequence[tuple[str, str]],
        *,
        family: int = 0,
        read_body: bool = True,
        max_bytes: int,
        drain_bytes: int,
        allow_redirects: bool = True,
        max_redirects: int = 10,
        deadline: float | None = None,
    ) -> Response:
        """``method`` ``url`` with redirects followed (each hop connects through the policy). Raises ``HttpError``.

        The body is read up to ``max_bytes`` (decoded; ``truncated`` when there was more) when ``read_body``,
        else read and dropped up to ``drain_bytes`` so the connection can carry the site's next request.
        ``deadline`` (loop time; default: the client's time-out from now) bounds the whole request, redirects
        included."""
        target = url if isinstance(url, yarl.URL) else yarl.URL(url)
        if deadline is None:
            deadline = asyncio.get_running_loop().time() + self.timeout
        history: list[RawResponse] = []
        while True:
            response, location = await self._one(method, target, headers, family, read_body, max_bytes,
                                                 drain_bytes, allow_redirects, deadline)
            if location is None:
                return Response(response, history)
            history.append(response)
            if max_redirects and len(history) >= max_redirects:
                raise HttpError("http", "too many redirects")
            target = _redirect_target(target, location)
            method = _method_after_redirect(method, response.status)

    async def _one(self, method: str, url: yarl.URL, headers: Sequence[tuple[str, str]], family: int,
                   read_body: bool, max_bytes: int, drain_bytes: int, follow: bool, deadline: float
                   ) -> tuple[RawResponse, str | None]:
        answered = await self._exchange([(method, url, headers)], family, [max_bytes if read_body else 0], drain_bytes,
                                        follow, deadline)
        if not answered:
            raise HttpError("http", "ServerDisconnectedError: the server closed the connection")
        return answered[0]

    async def _exchange(self, requests: Sequence[Request], family: int, limits: Sequence[int], drain_bytes: int,
                        follow: bool, deadline: float) -> list[tuple[RawResponse, str | None]]:
        """Requests (method, URL, headers) to one origin on one connection (pipelined when several): the responses
        read, in order."""
        url = requests[0][1]
        scheme = url.scheme
        if scheme not in ("http", "https"):
            raise HttpError("http", f"NonHttpUrlClientError: {url}")
        host = (url.raw_host or "").lower()
        if not host:
            raise HttpError("http", f"InvalidUrlClientError: {url} has no host")
        port = url.port or (443 if scheme == "https" else 80)
        encoded = b"".join(_request_bytes(method, item, headers) for method, item, headers in requests)
        for attempt in (1, 2):
            connection = await self._acquire(scheme, host, port, family, deadline)
            reused = connection.used
            try:
                parsed = await connection.exchange(encoded, limits, follow=follow, drain_limit=drain_bytes,
                                                   deadline=deadline)
            except _StaleConnectionError:
                connection.close()
                if attempt == 1 and reused:
                    continue  # the server closed an idle connection as we sent: once more on a new one
                raise HttpError("http", "ServerDisconnectedError: the server closed the connection") from None
            except BaseException:
                connection.close()
                raise
            break
        if connection.reusable and not connection.closed:
            self._release(connection)
        else:
            connection.close()
        answered = []
        for (_method, item, _headers), response in zip(requests, parsed, strict=False):
            raw = RawResponse(item, response.status, response.headers, response.body, response.truncated)
            location = None
            if follow and raw.status in REDIRECT_STATUSES:
                location = raw.header("location") or raw.header("uri")
            answered.append((raw, location))
        return answered

    async def request_pipelined(
        self,
        requests: Sequence[Request],
        *,
        family: int,
        limits: Sequence[int],
        drain_bytes: int,
        max_redirects: int = 10,
        deadline: float | None = None,
    ) -> list[Response | None]:
        """Several requests (method, URL, headers) to one origin (scheme, host, port) in one write on one
        connection; redirects are then followed one by one. Each entry is the ``Response``, or None when the
        pipeline ended before it was answered (the server closed, refused pipelining, or a body was larger than
        allowed) — the caller then requests that URL on its own, so a server that mishandles pipelining costs
        time, never a wrong answer. Raises ``HttpError`` only when no connection could be made. ``deadline`` as
        for ``request``."""
        if deadline is None:
            deadline = asyncio.get_running_loop().time() + self.timeout
        try:
            answered = await self._exchange(requests, family, limits, drain_bytes, True, deadline)
        except HttpError as exc:
            if exc.kind in ("blocked", "dns", "connect", "tls"):
                raise
            return [None] * len(requests)
        results: list[Response | None] = [None] * len(requests)
        for index, (raw, location) in enumerate(answered):
            if location is None:
                results[index] = Response(raw, [])
                continue
            if max_redirects == 1:
                continue  # already one too many: asked again on its own, where that is reported
            try:
                target = _redirect_target(raw.url, location)
                method, _url, headers = requests[index]
                followed = await self.request(_method_after_redirect(method, raw.status), target, headers, family=family,
                                              read_body=limits[index] > 0, max_bytes=limits[index] or drain_bytes,
                                              drain_bytes=drain_bytes,
                                              max_redirects=max(0, max_redirects - 1), deadline=deadline)
            except HttpError:
                continue  # asked again on its own, where the error is reported with the whole chain
            results[index] = Response(followed.final, [raw, *followed.history])
        return results

    # --- connections --------------------------------------------------------------------------------------
    async def _acquire(self, scheme: str, host: str, port: int, family: int, deadline: float) -> _Connection:
        key = (scheme, host, port, family)
        idle = self._idle.get(key)
        while idle:
            connection = idle.pop()
            if not idle:
                del self._idle[key]
            if connection.idle_handle is not None:
                connection.idle_handle.cancel()
                connection.idle_handle = None
            if not connection.closed and connection.transport is not None and not connection.transport.is_closing():
                return connection
            idle = self._idle.get(key)
        return await self._connect(key, deadline)

    def _release(self, connection: _Connection) -> None:
        self._idle.setdefault(connection.key, []).append(connection)
        connection.idle_handle = asyncio.get_running_loop().call_later(self.keepalive_s, self._expire, connection)

    def _expire(self, connection: _Connection) -> None:
        connection.idle_handle = None
        idle = self._idle.get(connection.key)
        if idle is not None and connection in idle:
            idle.remove(connection)
            if not idle:
                del self._idle[connection.key]
        connection.close()

    async def _connect(self, key: tuple[str, str, int, int], deadline: float) -> _Connection:
        scheme, host, port, family = key
        loop = asyncio.get_running_loop()
        connection = _Connection(key)
        tls = self._ssl if scheme == "https" else None
        try:
            async with asyncio.timeout_at(min(deadline, loop.time() + self.connect_timeout)):
                await open_connection(self.dns, self.policy, host, port, lambda: connection, family=family, tls=tls,
                                      server_hostname=host.strip("[]") if tls else None,
                                      tls_handshake_timeout=self.connect_timeout if tls else None,
                                      happy_eyeballs_delay=self.happy_eyeballs_delay)
        except TimeoutError:
            raise HttpError("timeout", "timed out") from None
        except NoAddressError as exc:
            raise HttpError("dns", str(exc)) from None
        except BlockedAddressError as exc:
            raise HttpError("blocked", str(exc)) from None
        except ssl.SSLError as exc:
            raise HttpError("tls", f"Cannot connect to host {host}:{port} ssl:{exc}") from None
        except OSError as exc:
            # uvloop's message is "Connect call failed (address)"; the errno says why ("Connection refused").
            reason = os.strerror(exc.errno) if exc.errno else exc.strerror or str(exc) or exc.__class__.__name__
            raise HttpError("connect", f"Cannot connect to host {host}:{port}: {reason}") from None
        return connection

    async def close(self) -> None:
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()


def _request_bytes(method: str, url: yarl.URL, headers: Sequence[tuple[str, str]]) -> bytes:
    host = url.host_port_subcomponent or url.raw_host or ""
    lines = [f"{method} {url.raw_path_qs or '/'} HTTP/1.1\r\nHost: {host}\r\n"]
    lines += [f"{name}: {value}\r\n" for name, value in headers]
    return "".join(lines).encode("utf-8") + _ACCEPT_ENCODING + b"\r\n"


def _method_after_redirect(method: str, status: int) -> str:
    """A 303 is followed with GET; 301/302 change only POST (aiohttp's and the browsers' rule)."""
    if (status == 303 and method != "HEAD") or (status in (301, 302) and method == "POST"):
        return "GET"
    return method


def _redirect_target(current: yarl.URL, location: str) -> yarl.URL:
    """Where a Location header points, resolved against the current URL as a browser does (aiohttp's rules)."""
    try:
        parsed = yarl.URL(location)
    except ValueError:
        raise HttpError("http", f"InvalidUrlRedirectClientError: {location!r} does not look like a URL") from None
    if parsed.scheme not in ("http", "https", ""):
        raise HttpError("http", f"NonHttpUrlRedirectClientError: {location}")
    target = current.join(parsed) if not parsed.scheme or not parsed.raw_host else parsed
    if not target.raw_host:
        raise HttpError("http", f"InvalidUrlRedirectClientError: {location!r} has no host")
    return target


_UNVERIFIED: ssl.SSLContext | None = None


def _unverified_context() -> ssl.SSLContext:
    """aiohttp's context for ``ssl=False``: certificates are judged by the TLS check, not here, so a bad
    certificate never hides the page from the other checks. Built once (loading the trust store is slow)."""
    global _UNVERIFIED
    if _UNVERIFIED is None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.options |= ssl.OP_NO_SSLv2 | ssl.OP_NO_SSLv3 | ssl.OP_NO_COMPRESSION
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        context.set_default_verify_paths()
        context.set_alpn_protocols(["http/1.1"])
        _UNVERIFIED = context
    return _UNVERIFIED
