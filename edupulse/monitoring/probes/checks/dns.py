"""``dns``: the host name resolves to at least one address (A or AAAA)."""

from __future__ import annotations

from edupulse.monitoring.probes import http_checks
from edupulse.monitoring.probes.spec import CheckSpec, Need, SiteInputs
from edupulse.monitoring.probes.types import CheckOutcome


def evaluate(inputs: SiteInputs) -> CheckOutcome:
    return http_checks.dns_result(http_checks.evaluate_dns(inputs.addresses))


SPEC = CheckSpec("dns", frozenset({Need.ADDRESSES}), evaluate)
