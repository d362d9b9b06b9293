"""The probe engine's check names, with the labels and severities the platform gives them.

The names are the engine's contract (``edupulse.monitoring.probes.CHECK_NAMES``); they are repeated
here so that models and migrations do not import the engine (a test checks that both lists agree).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

CHECK_NAMES: tuple[str, ...] = (
    "availability", "dns", "ipv6", "ipv6_content", "ipv6_links", "tls_protocols", "tls_certificate",
    "https_redirect", "hsts", "headers", "tampering", "dark_links", "sensitive_words",
)


class Check(models.TextChoices):
    AVAILABILITY = "availability", _("Availability")
    DNS = "dns", _("DNS")
    IPV6 = "ipv6", _("IPv6 reachability")
    IPV6_CONTENT = "ipv6_content", _("Same content over IPv6")
    IPV6_LINKS = "ipv6_links", _("Links reachable over IPv6")
    TLS_PROTOCOLS = "tls_protocols", _("TLS protocol versions")
    TLS_CERTIFICATE = "tls_certificate", _("TLS certificate")
    HTTPS_REDIRECT = "https_redirect", _("HTTP to HTTPS redirect")
    HSTS = "hsts", _("HSTS")
    HEADERS = "headers", _("Security headers")
    TAMPERING = "tampering", _("Tampering")
    DARK_LINKS = "dark_links", _("Hidden malicious links")
    SENSITIVE_WORDS = "sensitive_words", _("Sensitive words")


class Status(models.TextChoices):
    PASS = "pass", _("Pass")
    WARN = "warn", _("Warning")
    FAIL = "fail", _("Fail")
    ERROR = "error", _("Probe error")


class Severity(models.IntegerChoices):
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")
    CRITICAL = 4, _("Critical")


# Severity of a finding opened by a *failing* check; a warning is one step lower (never below LOW).
FAIL_SEVERITY: dict[str, int] = {
    Check.AVAILABILITY: Severity.HIGH,
    Check.DNS: Severity.HIGH,
    Check.IPV6: Severity.MEDIUM,
    Check.IPV6_CONTENT: Severity.MEDIUM,
    Check.IPV6_LINKS: Severity.LOW,
    Check.TLS_PROTOCOLS: Severity.MEDIUM,
    Check.TLS_CERTIFICATE: Severity.HIGH,
    Check.HTTPS_REDIRECT: Severity.MEDIUM,
    Check.HSTS: Severity.LOW,
    Check.HEADERS: Severity.LOW,
    Check.TAMPERING: Severity.CRITICAL,
    Check.DARK_LINKS: Severity.CRITICAL,
    Check.SENSITIVE_WORDS: Severity.HIGH,
}


def severity_for(check: str, status: str) -> int:
    base = FAIL_SEVERITY.get(check, Severity.MEDIUM)
    return base if status == Status.FAIL else max(Severity.LOW, base - 1)
