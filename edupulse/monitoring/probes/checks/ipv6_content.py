"""``ipv6_content``: the page over IPv6 is the page over IPv4 (internet.nl: at most 10 % difference)."""

from __future__ import annotations

from edupulse.monitoring.probes import http_checks
from edupulse.monitoring.probes.spec import CheckSpec, Need, SiteInputs
from edupulse.monitoring.probes.types import CheckOutcome, error_result, not_applicable

NAME = "ipv6_content"


def evaluate(inputs: SiteInputs) -> CheckOutcome:
    addresses, over_ipv6 = inputs.addresses, inputs.ipv6_page
    if not addresses.ipv6:
        return not_applicable(NAME, "no AAAA record (see the ipv6 check)")
    if not addresses.ipv4:
        return not_applicable(NAME, "no A record: nothing to compare the IPv6 page with")
    if over_ipv6 is None or not over_ipv6.ok:
        return not_applicable(NAME, "not reachable over IPv6 (see the ipv6 check)")
    page = inputs.fetched_page()
    if not page.ok:
        return error_result(NAME, f"IPv4 fetch failed: {page.error}")
    return http_checks.ipv6_content_result(http_checks.evaluate_ipv6_content(page, over_ipv6))


SPEC = CheckSpec(NAME, frozenset({Need.IPV6_PAGE}), evaluate)
