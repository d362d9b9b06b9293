"""What a probe check is: what it needs fetched, and a pure function from what was fetched to its outcome.

A check is one ``CheckSpec`` — its name, its ``needs`` (``Need`` members: what the engine must fetch for it)
and ``evaluate`` (``SiteInputs`` → ``CheckOutcome``, no I/O). The engine plans one site's fetches from the
union of the needs of the checks asked for, fetches, then calls each check's ``evaluate`` on the same
``SiteInputs``. The checks are registered, in report order, in ``probes.checks`` (``REGISTRY``); the platform
gives each registered name its label, severity, description and advice in ``monitoring.checks``.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, NamedTuple

from edupulse.monitoring.probes.types import CheckOutcome, error_result, not_applicable

if TYPE_CHECKING:  # annotations only: those modules' checks import this one
    from edupulse.monitoring.probes.darklinks import DarkLinkFinding
    from edupulse.monitoring.probes.html import ParsedPage
    from edupulse.monitoring.probes.net import Addresses, FetchResult
    from edupulse.monitoring.probes.tampering import Baseline, PageFeatures
    from edupulse.monitoring.probes.tls import TlsObservation


class Need(enum.Enum):
    """Something the engine fetches (or derives from a fetch) for the checks that declare it."""

    #: The A and AAAA answers for the URL's host (looked up for every site: every fetch needs them).
    ADDRESSES = "addresses"
    #: The URL fetched as a browser, redirects followed, retried when the connection failed (``SiteInputs.page``).
    PAGE = "page"
    #: The page parsed as HTML (``SiteInputs.parsed``); implies PAGE.
    PAGE_HTML = "page_html"
    #: The page parsed with its stylesheets (hidden-element tricks); implies PAGE_HTML.
    PAGE_STYLES = "page_styles"
    #: The plain-HTTP root of the site with its redirect chain, no body (``SiteInputs.plain_http``).
    PLAIN_HTTP = "plain_http"
    #: Where HTTPS lives: the page when it ends on https, else ``https://host/`` (``SiteInputs.https``).
    HTTPS = "https"
    #: The response the Observatory grades, with its body: the HTTPS one when it answers, else plain HTTP.
    GRADED_RESPONSE = "graded_response"
    #: The Observatory's CORS preflight to the graded response's URL (``SiteInputs.cors``).
    CORS_PREFLIGHT = "cors_preflight"
    #: The page as Baiduspider and as a phone visitor from a Baidu search get it, and where they are sent.
    AUDIENCES = "audiences"
    #: The TLS handshakes of the HTTPS service (``SiteInputs.tls``); on an https URL for which nothing else
    #: needs the page, the handshakes go straight to the URL's host and port.
    TLS_HANDSHAKES = "tls_handshakes"
    #: The page over IPv6 (``SiteInputs.ipv6_page``).
    IPV6_PAGE = "ipv6_page"
    #: The other web port (80/443) that answered over IPv4, tried over IPv6 (``SiteInputs.ipv6_other_ports``).
    IPV6_OTHER_PORTS = "ipv6_other_ports"
    #: A sample of the page's level-2 and level-3 same-site links fetched over IPv6 (``SiteInputs.ipv6_links``).
    IPV6_LINKS = "ipv6_links"
    #: The page's features beside its tampering baseline, and those of the re-fetches that confirm a
    #: difference (``SiteInputs.tampering_samples``).
    TAMPERING_SAMPLES = "tampering_samples"


class LinkSample(NamedTuple):
    """The IPv6 link sample: (link, works over IPv6) pairs, counts per level, links dead over IPv4 too."""

    results: list[tuple[str, bool]]
    levels: dict[str, int]
    broken_on_ipv4_too: list[str]


@dataclass(frozen=True)
class SiteInputs:
    """Everything the engine fetched for one site; what no requested check needed is None (or empty)."""

    url: str
    addresses: Addresses
    #: The address family the page was fetched over (AF_INET when the host has an A record), 0 when none.
    family: int
    #: ``ProbeConfig.max_bytes``: how much of a page was read at most.
    max_bytes: int
    page: FetchResult | None = None
    parsed: ParsedPage | None = None
    plain_http: FetchResult | None = None
    https: FetchResult | None = None
    cors: FetchResult | None = None
    spider_page: ParsedPage | None = None
    visitor_page: ParsedPage | None = None
    cloaking_redirects: tuple[DarkLinkFinding, ...] = ()
    tls: TlsObservation | None = None
    ipv6_page: FetchResult | None = None
    ipv6_other_ports: Mapping[int, str | None] | None = None
    ipv6_links: LinkSample | None = None
    baseline: Baseline | None = None
    #: The page's features first, then those of each re-fetch (empty without a baseline or a parsed page).
    tampering_samples: tuple[PageFeatures, ...] = ()

    @property
    def https_ok(self) -> bool:
        """An HTTPS service answered."""
        return self.https is not None and self.https.ok

    def fetched_page(self) -> FetchResult:
        """The page; only for a check that declared a need of it (else it was not fetched)."""
        if self.page is None:
            raise RuntimeError("the page was not fetched: the check must declare a need of it")
        return self.page


@dataclass(frozen=True)
class CheckSpec:
    """One probe check: its name (stored with every result), what it needs fetched, its pure evaluation."""

    name: str
    needs: frozenset[Need]
    evaluate: Callable[[SiteInputs], CheckOutcome]


class CheckRegistry:
    """The checks the engine knows, in report order (``SiteReport.checks`` follows it)."""

    def __init__(self, specs: Iterable[CheckSpec]) -> None:
        self._specs: dict[str, CheckSpec] = {}
        for spec in specs:
            self.register(spec)

    def register(self, spec: CheckSpec) -> CheckSpec:
        """Add a check after the others; a name may be registered once."""
        if spec.name in self._specs:
            raise ValueError(f"probe check {spec.name!r} is already registered")
        self._specs[spec.name] = spec
        return spec

    def unregister(self, name: str) -> None:
        del self._specs[name]

    @contextlib.contextmanager
    def registered(self, spec: CheckSpec) -> Iterator[CheckSpec]:
        """``spec`` registered for the duration of the block (tests, experiments)."""
        self.register(spec)
        try:
            yield spec
        finally:
            self.unregister(spec.name)

    def names(self) -> tuple[str, ...]:
        return tuple(self._specs)

    def __getitem__(self, name: str) -> CheckSpec:
        return self._specs[name]

    def __iter__(self) -> Iterator[CheckSpec]:
        return iter(tuple(self._specs.values()))

    def __contains__(self, name: object) -> bool:
        return name in self._specs


# --- helpers shared by the checks' evaluations (pure) ---------------------------------------------------------
def page_missing(name: str, page: FetchResult | None) -> CheckOutcome:
    """The outcome of a check that needed the parsed page and has none: why not."""
    if page is None or not page.ok:
        return error_result(name, f"page not fetched: {page.error if page is not None else 'not requested'}")
    if page.status >= 400:
        return error_result(name, f"page answered HTTP {page.status}")
    return not_applicable(name, f"not an HTML page ({page.content_type or 'no content type'})")


def note_truncation(outcome: CheckOutcome, inputs: SiteInputs) -> CheckOutcome:
    """Say so when only the first ``max_bytes`` of the page were read: the rest was not searched."""
    if inputs.page is None or not inputs.page.truncated:
        return outcome
    return replace(outcome, evidence={**outcome.evidence, "truncated": True, "bytes_read": inputs.max_bytes})
