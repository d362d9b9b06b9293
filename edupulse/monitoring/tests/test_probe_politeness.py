"""Politeness and retries of the prober against a real local server: many school sites on one hosting address
get at most ``per_ip_concurrency`` requests at once, and a home page whose first connection fails is tried
again."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web

from edupulse.monitoring.probes import ProbeConfig, net, probe_sites
from edupulse.monitoring.tests.servers import DnsServer

SITES = [f"school{i}.hosting.test" for i in range(12)]


class Counting:
    """A web server that records how many requests it was serving at once.

    Each request is held until ``hold`` requests are in flight (or every expected request has arrived), so
    the peak shows how many the prober sends at once however fast or slow the machine is, without a sleep."""

    def __init__(self, hold: int = 1, expected: int = 0) -> None:
        self.now = self.peak = self.requests = 0
        self.hold, self.expected = hold, expected
        self.changed = asyncio.Condition()

    async def handler(self, request: web.Request) -> web.Response:
        self.now += 1
        self.requests += 1
        self.peak = max(self.peak, self.now)
        try:
            async with self.changed:
                self.changed.notify_all()
                # The deadline only turns a prober that never reaches the limit into a failure instead of a hang.
                await asyncio.wait_for(self.changed.wait_for(
                    lambda: self.now >= self.hold or self.requests >= self.expected), timeout=10)
            return web.Response(text="<html><head><title>学校</title></head><body>首页</body></html>",
                                content_type="text/html")
        finally:
            self.now -= 1


class RetryWaitStartsTheServer:
    """``asyncio`` as the prober's ``net`` module sees it, except that the wait before a retry is when the site
    comes back: the server starts exactly between the refused attempt and the retry, without a timed guess."""

    def __init__(self) -> None:
        self.start: Callable[[], Awaitable[None]] | None = None
        self.waits = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    async def sleep(self, delay: float, result: Any = None) -> Any:
        self.waits += 1
        assert self.start is not None
        await self.start()
        return result


async def _serve(counting: Counting) -> tuple[web.AppRunner, int, asyncio.DatagramTransport, int]:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", counting.handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    records = {name: {"A": ["127.0.0.1"]} for name in SITES}
    transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
        lambda: DnsServer(records), local_addr=("127.0.0.1", 0))
    return runner, port, transport, transport.get_extra_info("sockname")[1]  # type: ignore[return-value]


def _config(dns_port: int, **overrides: object) -> ProbeConfig:
    return ProbeConfig(allow=(ipaddress.ip_network("127.0.0.0/8"),), dns_servers=(f"127.0.0.1:{dns_port}",),
                       timeout_s=5, **overrides)  # type: ignore[arg-type]


def test_sites_sharing_one_address_get_at_most_per_ip_requests_at_once() -> None:
    async def main() -> tuple[int, int, list[str]]:
        counting = Counting(hold=3, expected=len(SITES))
        runner, port, transport, dns_port = await _serve(counting)
        try:
            reports = await probe_sites([f"http://{name}:{port}/" for name in SITES],
                                        config=_config(dns_port, per_ip_concurrency=3), checks=["availability"])
        finally:
            transport.close()
            await runner.cleanup()
        return counting.peak, counting.requests, [report.checks[0].status for report in reports]

    peak, requests, statuses = asyncio.run(main())
    assert statuses == ["pass"] * len(SITES) and requests == len(SITES)
    assert peak == 3  # twelve sites in flight at once, never more than three requests to their shared server


def test_a_home_page_whose_connection_fails_is_tried_again(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = RetryWaitStartsTheServer()
    monkeypatch.setattr(net, "asyncio", clock)

    async def main() -> tuple[dict[str, object], dict[str, object]]:
        counting = Counting()
        # A port where nothing listens yet: the first attempt is refused; the server starts before the retry.
        with socket.socket() as probe_socket:
            probe_socket.bind(("127.0.0.1", 0))
            port = probe_socket.getsockname()[1]
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", counting.handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        records = {name: {"A": ["127.0.0.1"]} for name in SITES}
        transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
            lambda: DnsServer(records), local_addr=("127.0.0.1", 0))
        dns_port = transport.get_extra_info("sockname")[1]

        async def start_late() -> None:
            await web.TCPSite(runner, "127.0.0.1", port).start()

        clock.start = start_late
        try:
            [retried] = await probe_sites([f"http://{SITES[0]}:{port}/"], checks=["availability"],
                                          config=_config(dns_port, retries=1, retry_delay_s=1.0))
            [refused] = await probe_sites([f"http://{SITES[1]}:1/"], checks=["availability"],
                                          config=_config(dns_port, retries=0))
        finally:
            transport.close()
            await runner.cleanup()
        return ({"status": retried.checks[0].status, **retried.checks[0].evidence},
                {"status": refused.checks[0].status, **refused.checks[0].evidence})

    retried, refused = asyncio.run(main())
    assert clock.waits == 1  # one wait before the one retry; the refused site with retries=0 is not tried again
    assert retried["status"] == "pass" and retried["attempts"] == 2
    assert refused["status"] == "fail" and "attempts" not in refused and refused["error_kind"] == "connect"
