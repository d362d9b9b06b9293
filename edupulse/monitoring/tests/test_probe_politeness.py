"""Politeness and retries of the prober against a real local server: many school sites on one hosting address
get at most ``per_ip_concurrency`` requests at once, and a home page whose first connection fails is tried
again."""

from __future__ import annotations

import asyncio
import ipaddress
import socket

from aiohttp import web

from edupulse.monitoring.probes import ProbeConfig, probe_sites
from edupulse.monitoring.tests.servers import DnsServer

SITES = [f"school{i}.hosting.test" for i in range(12)]


class Counting:
    """A web server that records how many requests it was serving at once."""

    def __init__(self) -> None:
        self.now = self.peak = self.requests = 0

    async def handler(self, request: web.Request) -> web.Response:
        self.now += 1
        self.requests += 1
        self.peak = max(self.peak, self.now)
        try:
            await asyncio.sleep(0.05)
            return web.Response(text="<html><head><title>学校</title></head><body>首页</body></html>",
                                content_type="text/html")
        finally:
            self.now -= 1


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
        counting = Counting()
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


def test_a_home_page_whose_connection_fails_is_tried_again() -> None:
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
            await asyncio.sleep(0.3)
            await web.TCPSite(runner, "127.0.0.1", port).start()

        try:
            starter = asyncio.ensure_future(start_late())
            [retried] = await probe_sites([f"http://{SITES[0]}:{port}/"], checks=["availability"],
                                          config=_config(dns_port, retries=1, retry_delay_s=1.0))
            await starter
            [refused] = await probe_sites([f"http://{SITES[1]}:1/"], checks=["availability"],
                                          config=_config(dns_port, retries=0))
        finally:
            transport.close()
            await runner.cleanup()
        return ({"status": retried.checks[0].status, **retried.checks[0].evidence},
                {"status": refused.checks[0].status, **refused.checks[0].evidence})

    retried, refused = asyncio.run(main())
    assert retried["status"] == "pass" and retried["attempts"] == 2
    assert refused["status"] == "fail" and "attempts" not in refused and refused["error_kind"] == "connect"
