"""The one place a probe opens a connection, HTTP request, raw TCP or TLS handshake alike (SSRF safety).

``open_connection`` resolves the host through the run's ``DnsClient`` (IP literals included), leaves out every
address the ``AddressPolicy`` refuses — the error names the refused address and why — and connects: straight to
the one address left, else with happy eyeballs (``aiohappyeyeballs``, 250 ms, as aiohttp) through the policy's
``socket_factory``, which asks the policy again as a second guard. ``http1.Http1Client`` (every request and every
redirect hop), ``net.HttpClient.tcp_connect`` (the IPv6 port check) and ``tls.observe_tls`` (every handshake)
connect through it and nowhere else.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import aiohappyeyeballs

if TYPE_CHECKING:  # net.py imports http1.py, which imports this module
    from edupulse.monitoring.probes.net import Addresses, AddressPolicy, DnsClient

ProtocolT = TypeVar("ProtocolT", bound=asyncio.BaseProtocol)


class BlockedAddressError(OSError):
    """The prober refused to connect: the address is special and not in the allowlist."""


class NoAddressError(OSError):
    """The host has no address of the family asked for (no A / AAAA record, or the name does not resolve)."""


def permitted_addresses(policy: AddressPolicy, addresses: Addresses, family: int) -> tuple[list[tuple[int, str]],
                                                                                          list[str]]:
    """The (family, address) pairs of ``family`` (0 = both, IPv4 first) the policy allows, and why each of the
    others is refused."""
    candidates: list[tuple[int, str]] = []
    if family in (socket.AF_INET, socket.AF_UNSPEC):
        candidates += [(socket.AF_INET, ip) for ip in addresses.ipv4]
    if family in (socket.AF_INET6, socket.AF_UNSPEC):
        candidates += [(socket.AF_INET6, ip) for ip in addresses.ipv6]
    permitted: list[tuple[int, str]] = []
    refusals: list[str] = []
    for fam, ip in candidates:
        reason = policy.refusal(ip)
        if reason is None:
            permitted.append((fam, ip))
        else:
            refusals.append(reason)
    return permitted, refusals


async def open_connection(
    dns: DnsClient,
    policy: AddressPolicy,
    host: str,
    port: int,
    protocol_factory: Callable[[], ProtocolT],
    *,
    family: int = 0,
    tls: ssl.SSLContext | None = None,
    server_hostname: str | None = None,
    tls_handshake_timeout: float | None = None,
    happy_eyeballs_delay: float = 0.25,
) -> tuple[asyncio.Transport, ProtocolT]:
    """Connect to ``host``:``port`` through the SSRF policy; ``tls`` makes it a TLS connection (SNI
    ``server_hostname``). ``family`` pins the address family, except for an IP literal of the other family,
    which is followed as a browser would (a redirect to ``http://[::1]/``).

    Raises ``NoAddressError`` (nothing to connect to), ``BlockedAddressError`` (every address refused), or what
    connecting raises (``OSError``, ``ssl.SSLError``); time limits are the caller's.
    """
    loop = asyncio.get_running_loop()
    addresses = await dns.lookup(host)
    if addresses.literal:
        family = 0
    sockaddrs, refusals = permitted_addresses(policy, addresses, family)
    if not sockaddrs and refusals:
        raise BlockedAddressError(f"{host}: " + "; ".join(refusals))
    if not sockaddrs:
        wanted = {int(socket.AF_INET): "A", int(socket.AF_INET6): "AAAA"}.get(family, "A/AAAA")
        detail = f" ({addresses.error})" if addresses.error else ""
        raise NoAddressError(f"Cannot connect to host {host}: no {wanted} record{detail}")
    if len(sockaddrs) == 1:
        # One checked address: the loop connects to that literal address (no lookup; in uvloop this costs a
        # third of the CPU of connecting a socket of our own and handing it over).
        return await loop.create_connection(protocol_factory, sockaddrs[0][1], port, ssl=tls,
                                            server_hostname=server_hostname,
                                            ssl_handshake_timeout=tls_handshake_timeout)
    sock = await aiohappyeyeballs.start_connection(
        [(fam, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (ip, port)) for fam, ip in sockaddrs],
        happy_eyeballs_delay=happy_eyeballs_delay,
        socket_factory=policy.socket_factory,
    )
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return await loop.create_connection(protocol_factory, sock=sock, ssl=tls, server_hostname=server_hostname,
                                        ssl_handshake_timeout=tls_handshake_timeout)
