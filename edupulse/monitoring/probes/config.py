"""Probe configuration: SSRF allowlist, DNS servers, time/size caps, concurrency.

``ProbeConfig.from_env()`` makes it from the process's settings (``edupulse.utilities.config``, where the
``EDUPULSE_PROBE_*`` and ``EDUPULSE_DNS_SERVERS`` variables are declared, with their defaults and meanings:
see docs/architecture.md#settings); ``from_env(mapping)`` parses another environment, and keyword overrides
(CLI flags, tests) win over both.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from edupulse.utilities.config import Config, current, load
from edupulse.utilities.env import dns_server_address

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

DEFAULT_USER_AGENT = "Mozilla/5.0 (compatible; EduPulseProbe/1.0; +https://github.com/edupulse)"
# What a browser says: cloaking is detected by comparing a fetch with this against the spider's.
BROWSER_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Safari/537.36"
)
SPIDER_USER_AGENT = "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)"
#: The other audience hacked sites single out (跳转劫持): a phone browser arriving from a Baidu search.
SEARCH_VISITOR_USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; V2309A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36"
)
SEARCH_REFERER = "https://www.baidu.com/s?wd="


class ConfigError(ValueError):
    """A probe option (CLI flag or argument) has a value the prober cannot use."""


def parse_dns_server(value: str) -> tuple[str, int]:
    """``host[:port]`` → (ip, port). The host must be an IP address (a resolver cannot resolve itself).

    >>> parse_dns_server("127.0.0.1:5353"), parse_dns_server("[::1]:53"), parse_dns_server("::1")
    (('127.0.0.1', 5353), ('::1', 53), ('::1', 53))
    """
    try:
        return dns_server_address(value)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def parse_cidr(value: str) -> IPNetwork:
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        raise ConfigError(f"{value!r} is not a CIDR block such as 127.0.0.0/8 or ::1/128") from None


@dataclass(frozen=True)
class ProbeConfig:
    """How the prober behaves. Immutable; build variants with ``dataclasses.replace``."""

    allow: tuple[IPNetwork, ...] = ()
    dns_servers: tuple[str, ...] = ()
    timeout_s: float = 15.0
    max_bytes: int = 2_000_000
    concurrency: int = 200
    per_host_concurrency: int = 4
    #: Requests at once to one server address, whatever the host name (shared hosting, 站群 platforms).
    per_ip_concurrency: int = 16
    #: Extra attempts at a home page whose connection failed or timed out (not for HTTP errors or DNS).
    retries: int = 1
    retry_delay_s: float = 1.0
    user_agent: str = BROWSER_USER_AGENT
    spider_user_agent: str = SPIDER_USER_AGENT
    search_visitor_user_agent: str = SEARCH_VISITOR_USER_AGENT
    ca_file: str | None = None
    #: Ports of the plain-HTTP / HTTPS counterpart of a URL (https_redirect, hsts, headers, TLS of http URLs).
    http_port: int = 80
    https_port: int = 443

    def __post_init__(self) -> None:
        for server in self.dns_servers:
            parse_dns_server(server)
        if self.timeout_s <= 0:
            raise ConfigError("timeout must be positive")
        if self.max_bytes < 1024:
            raise ConfigError("max_bytes must be at least 1024")
        if self.concurrency < 1 or self.per_host_concurrency < 1 or self.per_ip_concurrency < 1:
            raise ConfigError("concurrency limits must be at least 1")
        if self.retries < 0 or self.retry_delay_s < 0:
            raise ConfigError("retries and retry delay cannot be negative")

    @property
    def nameservers(self) -> tuple[tuple[str, int], ...]:
        return tuple(parse_dns_server(server) for server in self.dns_servers)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> ProbeConfig:
        """The probe settings of this process (``environ``: of that environment instead); ``overrides`` win.

        Raises ``SettingError`` naming the variable when a variable of ``environ`` is malformed."""
        return cls.from_settings(current() if environ is None else load(environ), **overrides)

    @classmethod
    def from_settings(cls, settings: Config, **overrides: Any) -> ProbeConfig:
        """The probe part of ``settings`` (the defaults of the fields above are those of the variables)."""
        values: dict[str, Any] = {
            "allow": settings.probe_allow,
            "dns_servers": settings.dns_servers,
            "timeout_s": float(settings.probe_timeout),
            "max_bytes": settings.probe_max_bytes,
            "concurrency": settings.probe_concurrency,
            "per_host_concurrency": settings.probe_per_host,
            "per_ip_concurrency": settings.probe_per_ip,
            "retries": settings.probe_retries,
            # The other scheme's port (80 / 443 on the internet; test and bench servers listen elsewhere).
            "http_port": settings.probe_http_port,
            "https_port": settings.probe_https_port,
            "ca_file": settings.probe_ca_file,
        }
        values.update(overrides)
        return cls(**values)

    def with_extra(self, *, allow: Iterable[str] = (), dns_servers: Iterable[str] = ()) -> ProbeConfig:
        """This config plus CLI ``--allow`` / ``--dns`` values (``--dns`` replaces the environment's list)."""
        extra_allow = tuple(parse_cidr(item) for item in allow)
        servers = tuple(dns_servers)
        for server in servers:
            parse_dns_server(server)
        return replace(self, allow=self.allow + extra_allow, dns_servers=servers or self.dns_servers)
