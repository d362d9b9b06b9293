"""The probes' HTTP/1.1 client against a raw local server that answers exactly the bytes each case needs:
framing (chunked, until close, short bodies), content codings, caps, redirects, kept-alive connections and
broken responses. Real school sites send all of these; each must give the page or a clear error, never a hang
or a crash."""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
import zlib
from collections.abc import Callable

import pytest

from edupulse.monitoring.probes import ProbeConfig
from edupulse.monitoring.probes.net import AddressPolicy, DnsClient, FetchResult, HttpClient

PAGE = "<html><head><title>学校</title></head><body>首页内容</body></html>".encode()


def _response(body: bytes, *, status: str = "200 OK", headers: str = "") -> bytes:
    return (f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {len(body)}\r\n"
            f"{headers}\r\n").encode() + body


class RawServer:
    """Answers each request with ``routes[path](request_number_on_this_connection)``: bytes to send, then whether
    to close the connection (True), go on (False) or go on but drop the requests that arrived with this one (None:
    a server that does not understand pipelining)."""

    def __init__(self) -> None:
        self.connections = 0
        self.requests: list[str] = []
        self.heads: list[str] = []
        self.port = 0
        self.routes: dict[str, Callable[[int], tuple[bytes, bool | None]]] = {}
        self.delay = 0.0  # seconds before each answer (a slow site)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        number = 0
        buffer = b""
        try:
            while True:
                chunk = await reader.read(65_536)
                if not chunk:
                    break
                buffer += chunk
                while b"\r\n\r\n" in buffer:
                    head, buffer = buffer.split(b"\r\n\r\n", 1)
                    number += 1
                    path = head.split(b" ", 2)[1].decode()
                    self.requests.append(path)
                    self.heads.append(head.decode() + "\r\n\r\n")
                    route = self.routes.get(path.split("?")[0])
                    data, close = route(number) if route else (_response(b"nf", status="404 Not Found"), False)
                    if self.delay:
                        await asyncio.sleep(self.delay)
                    writer.write(data)
                    await writer.drain()
                    if close:
                        return
                    if close is None:
                        buffer = b""  # a server that drops requests that came in the same read as this one
        except (ConnectionError, asyncio.CancelledError):
            pass  # the client hung up, or the test is over
        finally:
            writer.close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


async def _with_server(routes: dict[str, Callable[[int], tuple[bytes, bool | None]]], body: Callable[..., object],
                       **config: object) -> tuple[object, RawServer]:
    server = RawServer()
    server.routes = routes
    listener = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    server.port = listener.sockets[0].getsockname()[1]
    options: dict[str, object] = {"timeout_s": 3, **config}
    probe_config = ProbeConfig(allow=(ipaddress.ip_network("127.0.0.1/32"),), **options)  # type: ignore[arg-type]
    client = HttpClient(probe_config, DnsClient(probe_config), AddressPolicy(probe_config.allow))
    try:
        result = await body(client, server)  # type: ignore[misc]
    finally:
        await client.close()
        listener.close()
    return result, server


def run(routes: dict[str, Callable[[int], tuple[bytes, bool | None]]], body: Callable[..., object],
        **config: object) -> tuple[object, RawServer]:
    return asyncio.run(_with_server(routes, body, **config))


def fetch_one(path: str, routes: dict[str, Callable[[int], tuple[bytes, bool | None]]], **kwargs: object) -> FetchResult:
    async def body(client: HttpClient, server: RawServer) -> FetchResult:
        return await client.fetch(server.url(path), **kwargs)  # type: ignore[arg-type]

    result, _server = run(routes, body)
    assert isinstance(result, FetchResult)
    return result


def test_chunked_body_is_reassembled() -> None:
    chunks = [PAGE[:10], PAGE[10:30], PAGE[30:]]
    raw = b"".join(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" for chunk in chunks) + b"0\r\n\r\n"
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n"
    result = fetch_one("/", {"/": lambda n: (head + raw, False)})
    assert result.ok and result.status == 200 and result.body == PAGE.decode() and not result.truncated


def test_gzip_and_raw_deflate_bodies_are_decoded() -> None:
    raw_deflate = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    deflated = raw_deflate.compress(PAGE) + raw_deflate.flush()
    routes = {
        "/gzip": lambda n: (_response(gzip.compress(PAGE), headers="Content-Encoding: gzip\r\n"), False),
        "/zlib": lambda n: (_response(zlib.compress(PAGE), headers="Content-Encoding: deflate\r\n"), False),
        "/raw": lambda n: (_response(deflated, headers="Content-Encoding: deflate\r\n"), False),
    }

    async def body(client: HttpClient, server: RawServer) -> list[FetchResult]:
        return [await client.fetch(server.url(path)) for path in ("/gzip", "/zlib", "/raw")]

    results, _server = run(routes, body)
    assert [item.body for item in results] == [PAGE.decode()] * 3  # type: ignore[attr-defined]


def test_a_compression_bomb_is_cut_at_the_cap() -> None:
    bomb = gzip.compress(b"<p>" + b"0" * 20_000_000)
    result = fetch_one("/bomb", {"/bomb": lambda n: (_response(bomb, headers="Content-Encoding: gzip\r\n"), False)},
                       max_bytes=4096)
    assert result.ok and result.truncated and len(result.body) == 4096


def test_a_body_without_length_ends_when_the_server_closes() -> None:
    head = b"HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    result = fetch_one("/", {"/": lambda n: (head + PAGE, True)})
    assert result.ok and result.body == PAGE.decode() and not result.truncated


def test_a_body_shorter_than_its_content_length_is_an_error() -> None:
    short = b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + PAGE
    result = fetch_one("/", {"/": lambda n: (short, True)})
    assert not result.ok and result.error_kind == "http" and "closed the connection" in (result.error or "")


def test_a_large_body_is_truncated_and_its_connection_not_reused() -> None:
    big = _response(b"<html>" + b"x" * 200_000)
    routes = {"/big": lambda n: (big, False), "/": lambda n: (_response(PAGE), False)}

    async def body(client: HttpClient, server: RawServer) -> list[FetchResult]:
        return [await client.fetch(server.url("/big"), max_bytes=2048), await client.fetch(server.url("/"))]

    (large, small), server = run(routes, body)  # type: ignore[misc]
    assert large.truncated and len(large.body) == 2048
    assert small.ok and small.body == PAGE.decode()
    assert server.connections == 2  # the cut body left bytes unread: the next request needed a new connection


def test_requests_to_one_host_share_a_kept_alive_connection() -> None:
    routes = {"/": lambda n: (_response(PAGE), False)}

    async def body(client: HttpClient, server: RawServer) -> list[FetchResult]:
        return [await client.fetch(server.url("/"), read_body=index % 2 == 0) for index in range(4)]

    results, server = run(routes, body)
    assert all(item.ok for item in results) and server.connections == 1  # type: ignore[attr-defined]
    assert [item.body for item in results] == [PAGE.decode(), "", PAGE.decode(), ""]  # type: ignore[attr-defined]


def test_a_kept_alive_connection_the_server_dropped_is_retried_on_a_new_one() -> None:
    # The second request on a connection is dropped without an answer, as a server does when its keep-alive
    # timer fires just as the request arrives.
    routes = {"/": lambda n: (_response(PAGE), False) if n == 1 else (b"", True)}

    async def body(client: HttpClient, server: RawServer) -> list[FetchResult]:
        return [await client.fetch(server.url("/")), await client.fetch(server.url("/"))]

    results, server = run(routes, body)
    assert [item.ok for item in results] == [True, True]  # type: ignore[attr-defined]
    assert server.connections == 2 and server.requests == ["/", "/", "/"]


def test_redirects_are_followed_and_recorded_hop_by_hop() -> None:
    def redirect(location: str) -> Callable[[int], tuple[bytes, bool | None]]:
        return lambda n: (_response(b"moved", status="302 Found", headers=f"Location: {location}\r\n"
                                    "Set-Cookie: a=1\r\n"), False)

    routes: dict[str, Callable[[int], tuple[bytes, bool | None]]] = {
        "/a/start": redirect("../b/next"),
        "/b/next": redirect("//127.0.0.1:{port}/final"),
        "/final": lambda n: (_response(PAGE), False),
    }

    async def body(client: HttpClient, server: RawServer) -> FetchResult:
        routes["/b/next"] = redirect(f"//127.0.0.1:{server.port}/final")
        return await client.fetch(server.url("/a/start"))

    result, server = run(routes, body)
    assert isinstance(result, FetchResult) and result.ok and result.body == PAGE.decode()
    assert [hop.status for hop in result.hops] == [302, 302, 200]
    assert result.final_url == server.url("/final") and result.hops[0].set_cookies == ("a=1",)
    assert server.connections == 1  # every hop on the same host reused the connection


@pytest.mark.parametrize(("location", "error"), [
    ("mailto:admin@school.test", "NonHttpUrlRedirect"),
    ("/loop", "too many redirects"),
])
def test_bad_redirects_are_errors(location: str, error: str) -> None:
    routes = {"/loop": lambda n: (_response(b"", status="302 Found", headers=f"Location: {location}\r\n"), False)}
    result = fetch_one("/loop", routes)
    assert not result.ok and result.error_kind == "http" and error in (result.error or "")


def test_a_redirect_to_a_refused_address_is_blocked() -> None:
    routes = {"/": lambda n: (_response(b"", status="301 Moved", headers="Location: http://10.1.2.3/\r\n"), False)}
    result = fetch_one("/", routes)
    assert result.error_kind == "blocked" and "10.1.2.3" in (result.error or "")


def test_interim_responses_are_skipped() -> None:
    routes = {"/": lambda n: (b"HTTP/1.1 100 Continue\r\n\r\n" + _response(PAGE), False)}
    result = fetch_one("/", routes)
    assert result.ok and result.status == 200 and result.body == PAGE.decode()


@pytest.mark.parametrize("raw", [
    b"NOT HTTP AT ALL\r\n\r\n",
    b"HTTP/1.1 200 OK\r\n" + b"X-Padding: " + b"a" * 70_000 + b"\r\n\r\n",
])
def test_broken_responses_are_http_errors(raw: bytes) -> None:
    result = fetch_one("/", {"/": lambda n: (raw, True)})
    assert not result.ok and result.error_kind == "http"


def test_a_server_that_never_answers_times_out() -> None:
    async def silent(client: HttpClient, server: RawServer) -> FetchResult:
        return await client.fetch(server.url("/slow"))

    routes = {"/slow": lambda n: (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", False)}
    result, _server = run(routes, silent, timeout_s=1)
    assert isinstance(result, FetchResult) and result.error_kind == "timeout" and result.error == "timed out"


def test_a_refused_connection_names_the_reason() -> None:
    async def body(client: HttpClient, server: RawServer) -> FetchResult:
        return await client.fetch("http://127.0.0.1:9/")

    result, _server = run({}, body)
    assert isinstance(result, FetchResult) and result.error_kind == "connect"
    assert "refused" in (result.error or "").lower()


def test_the_cors_preflight_sends_the_observatory_origin() -> None:
    routes = {"/": lambda n: (_response(b"", status="204 No Content",
                                        headers="Access-Control-Allow-Origin: *\r\n"), False)}

    async def body(client: HttpClient, server: RawServer) -> FetchResult | None:
        return await client.request_cors(server.url("/"))

    result, server = run(routes, body)
    assert isinstance(result, FetchResult) and result.status == 204
    assert result.header("access-control-allow-origin") == "*"
    assert server.heads[0].startswith("OPTIONS / HTTP/1.1\r\n")
    assert "Origin: https://http-observatory.security.mozilla.org\r\n" in server.heads[0]


# --- the sampled links of a page: one host's requests sent together (pipelined) --------------------------------
LINKS = [f"/news/{index}.html" for index in range(6)]


def _pages(close: bool | None = False, headers: str = "") -> dict[str, Callable[[int], tuple[bytes, bool | None]]]:
    return {path: (lambda n, path=path: (_response(f"<p>{path}</p>".encode(), headers=headers), close))
            for path in LINKS}


def _fetch_links(routes: dict[str, Callable[[int], tuple[bytes, bool | None]]], *, with_body: int = 2,
                 timeout_s: float = 3) -> tuple[list[FetchResult], RawServer]:
    async def body(client: HttpClient, server: RawServer) -> list[FetchResult]:
        urls = [server.url(path) for path in LINKS]
        fetched = await client.fetch_many(urls, family=0, bodies=dict.fromkeys(urls[:with_body], 100_000))
        return [fetched[url] for url in urls]

    results, server = run(routes, body, timeout_s=timeout_s)
    return results, server  # type: ignore[return-value]


def test_the_links_of_one_host_are_sent_together_on_one_connection() -> None:
    results, server = _fetch_links(_pages())
    assert [item.status for item in results] == [200] * len(LINKS)
    assert [item.body for item in results] == [f"<p>{path}</p>" for path in LINKS[:2]] + [""] * 4
    assert server.connections == 1 and server.requests == LINKS


def test_a_server_that_closes_after_each_answer_still_answers_every_link() -> None:
    results, server = _fetch_links(_pages(close=True, headers="Connection: close\r\n"))
    assert [item.status for item in results] == [200] * len(LINKS)
    assert [item.final_url for item in results] == [server.url(path) for path in LINKS]
    assert server.connections == len(LINKS)  # the pipeline got one answer; the rest were asked again alone


def test_a_server_deaf_to_pipelined_requests_costs_time_not_a_wrong_answer() -> None:
    results, server = _fetch_links(_pages(close=None), timeout_s=1)
    assert [item.status for item in results] == [200] * len(LINKS)
    # The server read only the first of the pipelined requests; after the time-out the answered one was kept and
    # the others were sent alone, one after another on a new connection.
    assert server.connections == 2 and server.requests == LINKS


def test_pipelined_links_follow_redirects_and_keep_errors() -> None:
    routes = _pages()
    routes[LINKS[1]] = lambda n: (_response(b"", status="301 Moved", headers="Location: /moved.html\r\n"), False)
    routes["/moved.html"] = lambda n: (_response(b"<p>moved</p>"), False)
    routes[LINKS[2]] = lambda n: (_response(b"gone", status="404 Not Found"), False)
    results, _server = _fetch_links(routes, with_body=3)
    assert [item.status for item in results] == [200, 200, 404, 200, 200, 200]
    assert [hop.status for hop in results[1].hops] == [301, 200] and results[1].body == "<p>moved</p>"
    assert results[1].final_url.endswith("/moved.html") and results[2].body == "gone"


def test_the_page_as_each_audience_and_the_preflight_go_in_one_write() -> None:
    def by_number(n: int) -> tuple[bytes, bool | None]:
        if n == 3:
            return _response(b"", status="204 No Content", headers="Access-Control-Allow-Origin: *\r\n"), False
        return _response(f"<p>request {n}</p>".encode()), False

    async def body(client: HttpClient, server: RawServer) -> tuple[list[FetchResult], FetchResult | None]:
        return await client.fetch_as(server.url("/"), [("Baiduspider/2.0", None),
                                                       ("Mobile Safari", "https://www.baidu.com/s?wd=x")],
                                     preflight=server.url("/"))

    (pages, preflight), server = run({"/": by_number}, body)  # type: ignore[misc]
    assert [item.body for item in pages] == ["<p>request 1</p>", "<p>request 2</p>"]
    assert preflight.status == 204 and preflight.header("access-control-allow-origin") == "*"
    assert server.connections == 1
    assert "User-Agent: Baiduspider/2.0\r\n" in server.heads[0] and "Referer" not in server.heads[0]
    assert "User-Agent: Mobile Safari\r\n" in server.heads[1]
    assert "Referer: https://www.baidu.com/s?wd=x\r\n" in server.heads[1]
    assert server.heads[2].startswith("OPTIONS / HTTP/1.1") and "Origin: https://http-observatory" in server.heads[2]


def test_a_pipelined_body_over_its_cap_is_cut_and_the_rest_asked_again() -> None:
    routes = _pages()
    routes[LINKS[1]] = lambda n: (_response(b"<html>" + b"x" * 200_000), False)

    async def body(client: HttpClient, server: RawServer) -> list[FetchResult]:
        urls = [server.url(path) for path in LINKS]
        fetched = await client.fetch_many(urls, family=0, bodies={urls[0]: 100_000, urls[1]: 1024})
        return [fetched[url] for url in urls]

    results, server = run(routes, body)
    assert [item.status for item in results] == [200] * len(LINKS)  # type: ignore[attr-defined]
    assert results[1].truncated and len(results[1].body) == 1024  # type: ignore[index]
    assert results[0].body == f"<p>{LINKS[0]}</p>" and results[2].body == ""  # type: ignore[index]
    # The cut body ended the pipeline's connection: the four links after it went again, on one new connection.
    assert server.connections == 2 and server.requests.count(LINKS[2]) == 2


def test_waiting_for_a_politeness_slot_does_not_count_against_the_time_limit() -> None:
    # One request at a time to the host, each answered after 0.6 s, a 1 s limit: the third request waits 1.2 s for
    # its turn, but the site answers each request well within the limit.
    async def body(client: HttpClient, server: RawServer) -> list[FetchResult]:
        server.delay = 0.6
        return list(await asyncio.gather(*(client.fetch(server.url(f"/{index}")) for index in range(3))))

    routes = {f"/{index}": (lambda n: (_response(PAGE), False)) for index in range(3)}
    results, _server = run(routes, body, timeout_s=1, per_host_concurrency=1)
    assert [item.status for item in results] == [200, 200, 200]  # type: ignore[attr-defined]


def test_a_request_that_cannot_be_sent_is_that_fetch_failing_not_the_run() -> None:
    async def body(client: HttpClient, server: RawServer) -> tuple[FetchResult, list[FetchResult]]:
        alone = await client.fetch(server.url("/"), referer="https://www.baidu.com/s?wd=\udc80")
        together, _preflight = await client.fetch_as(server.url("/"), [("Baiduspider", "\udc80")])
        return alone, together

    (alone, together), _server = run({"/": lambda n: (_response(PAGE), False)}, body)  # type: ignore[misc]
    assert alone.error_kind == "http" and "UnicodeEncodeError" in (alone.error or "")
    assert together[0].error_kind == "http" and "UnicodeEncodeError" in (together[0].error or "")


def test_a_probe_run_tunes_garbage_collection_and_restores_it_even_when_runs_overlap() -> None:
    import gc
    import threading

    from edupulse.monitoring.probes.engine import PROBE_GC_YOUNG_THRESHOLD, collection_tuned_for_probing

    before = gc.get_threshold()
    seen: list[tuple[int, int]] = []
    inner_entered, outer_may_leave = threading.Event(), threading.Event()

    def other_run() -> None:
        with collection_tuned_for_probing():
            inner_entered.set()
            outer_may_leave.wait(5)
            seen.append(gc.get_threshold())

    with collection_tuned_for_probing():
        seen.append(gc.get_threshold())
        thread = threading.Thread(target=other_run)
        thread.start()
        inner_entered.wait(5)
    outer_may_leave.set()  # the first run ends while the other is still probing: the other keeps the tuning
    thread.join(5)
    tuned = (PROBE_GC_YOUNG_THRESHOLD, before[1], before[2])
    assert seen == [tuned, tuned]
    assert gc.get_threshold() == before  # the last one out restored it
