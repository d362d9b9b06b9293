"""The registry of probe checks: one ``CheckSpec`` per check (``probes.spec``), in report order.

To add a check: write its module here (its ``evaluate`` and ``SPEC``) and register it below; the platform's
label, severity, description and advice for it go in ``monitoring.checks`` (a test fails while one is missing).
See docs/architecture.md, "How to add a probe check".
"""

from __future__ import annotations

from edupulse.monitoring.probes.checks import (
    availability,
    dark_links,
    dns,
    headers,
    hsts,
    https_redirect,
    ipv6,
    ipv6_content,
    ipv6_links,
    sensitive_words,
    tampering,
    tls_certificate,
    tls_protocols,
)
from edupulse.monitoring.probes.spec import CheckRegistry

REGISTRY = CheckRegistry([
    availability.SPEC,
    dns.SPEC,
    ipv6.SPEC,
    ipv6_content.SPEC,
    ipv6_links.SPEC,
    tls_protocols.SPEC,
    tls_certificate.SPEC,
    https_redirect.SPEC,
    hsts.SPEC,
    headers.SPEC,
    tampering.SPEC,
    dark_links.SPEC,
    sensitive_words.SPEC,
])

#: The names of the checks that ship with the engine, in report order (the stored check names).
CHECK_NAMES: tuple[str, ...] = REGISTRY.names()

__all__ = ["CHECK_NAMES", "REGISTRY"]
