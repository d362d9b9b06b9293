"""Probe configuration: SSRF allowlist, DNS servers, time/size caps, concurrency.

Read from the environment with ``ProbeConfig.from_env()`` (strict parsing, see ``edupulse.utilities.env``):

* ``EDUPULSE_PROBE_ALLOW`` — comma-separated CIDRs the prober may connect to although they are private,
  loopback, link-local or otherwise special (e.g. ``127.0.0.0/8,::1/128`` for local tests).
* ``EDUPULSE_DNS_SERVERS`` — comma-separated ``host[:port]`` (IPv6 as ``[addr]:port``); empty = the
  system resolver.
* ``EDUPULSE_PROBE_TIMEOUT`` (seconds, default 15), ``EDUPULSE_PROBE_MAX_BYTES`` (default 2,000,000),
  ``EDUPULSE_PROBE_CONCURRENCY`` (sites at once, default 200), ``EDUPULSE_PROBE_PER_HOST`` (requests at once
  to one host name, default 4), ``EDUPULSE_PROBE_PER_IP`` (requests at once to one server address, default 16:
  hundreds of school sites often share one hosting server), ``EDUPULSE_PROBE_RETRIES`` (re-tries of a home
  page whose connection failed or timed out, default 1), ``EDUPULSE_PROBE_CA_FILE`` (extra CA bundle trusted
  for certificate checks), ``EDUPULSE_PROBE_HTTP_PORT`` / ``EDUPULSE_PROBE_HTTPS_PORT`` (where the plain-HTTP /
  HTTPS counterpart of a URL is looked for, default 80 / 443).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from edupulse.utilities.env import SettingError, env_cidrs, env_int, env_list, env_str

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
    text = value.strip()
    host, port_text = text, ""
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise ConfigError(f"DNS server {value!r}: missing ']'")
        host, rest = text[1:end], text[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                raise ConfigError(f"DNS server {value!r}: expected [address]:port")
            port_text = rest[1:]
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ConfigError(f"DNS server {value!r}: host must be an IP address") from None
    port = 53
    if port_text:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ConfigError(f"DNS server {value!r}: port must be 1-65535")
        port = int(port_text)
    return str(address), port


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
        """Read the ``EDUPULSE_PROBE_*`` / ``EDUPULSE_DNS_SERVERS`` variables; ``overrides`` win."""
        dns_servers = tuple(env_list("EDUPULSE_DNS_SERVERS", [], environ))
        for server in dns_servers:
            try:
                parse_dns_server(server)
            except ConfigError:
                raise SettingError(
                    "EDUPULSE_DNS_SERVERS", server, "comma-separated host[:port] with an IP host"
                ) from None
        values: dict[str, Any] = {
            "allow": tuple(env_cidrs("EDUPULSE_PROBE_ALLOW", environ)),
            "dns_servers": dns_servers,
            "timeout_s": float(env_int("EDUPULSE_PROBE_TIMEOUT", 15, minimum=1, maximum=300, environ=environ)),
            "max_bytes": env_int("EDUPULSE_PROBE_MAX_BYTES", 2_000_000, minimum=1024, environ=environ),
            "concurrency": env_int("EDUPULSE_PROBE_CONCURRENCY", 200, minimum=1, maximum=10_000, environ=environ),
            "per_host_concurrency": env_int("EDUPULSE_PROBE_PER_HOST", 4, minimum=1, maximum=100, environ=environ),
            "per_ip_concurrency": env_int("EDUPULSE_PROBE_PER_IP", 16, minimum=1, maximum=10_000, environ=environ),
            "retries": env_int("EDUPULSE_PROBE_RETRIES", 1, minimum=0, maximum=5, environ=environ),
            # The other scheme's port (80 / 443 on the internet; test and bench servers listen elsewhere).
            "http_port": env_int("EDUPULSE_PROBE_HTTP_PORT", 80, minimum=1, maximum=65535, environ=environ),
            "https_port": env_int("EDUPULSE_PROBE_HTTPS_PORT", 443, minimum=1, maximum=65535, environ=environ),
            "ca_file": env_str("EDUPULSE_PROBE_CA_FILE", "", environ) or None,
        }
        values.update(overrides)
        return cls(**values)

    def with_extra(self, *, allow: Iterable[str] = (), dns_servers: Iterable[str] = ()) -> ProbeConfig:
        """This config plus CLI ``--allow`` / ``--dns`` values (``--dns`` replaces the environment's list)."""
        from dataclasses import replace

        extra_allow = tuple(parse_cidr(item) for item in allow)
        servers = tuple(dns_servers)
        for server in servers:
            parse_dns_server(server)
        return replace(self, allow=self.allow + extra_allow, dns_servers=servers or self.dns_servers)
