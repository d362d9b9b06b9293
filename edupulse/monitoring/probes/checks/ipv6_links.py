"""``ipv6_links``: the share of sampled level-2 and level-3 same-site links that work over IPv6."""

from __future__ import annotations

from edupulse.monitoring.probes import http_checks
from edupulse.monitoring.probes.spec import CheckSpec, Need, SiteInputs, page_missing
from edupulse.monitoring.probes.types import CheckOutcome, error_result, not_applicable

NAME = "ipv6_links"


def evaluate(inputs: SiteInputs) -> CheckOutcome:
    # The page over IPv6 is known when the ipv6 or ipv6_content check was asked for too.
    over_ipv6 = inputs.ipv6_page
    if not inputs.addresses.ipv6:
        return not_applicable(NAME, "no AAAA record (see the ipv6 check)")
    if over_ipv6 is not None and over_ipv6.error_kind == "blocked":
        return error_result(NAME, over_ipv6.error or "the IPv6 address is refused by the probe allowlist")
    if over_ipv6 is not None and not over_ipv6.ok:
        return not_applicable(NAME, "not reachable over IPv6 (see the ipv6 check)")
    if inputs.parsed is None or inputs.ipv6_links is None:
        return page_missing(NAME, inputs.page)
    sample = inputs.ipv6_links
    evaluation = http_checks.evaluate_ipv6_links(sample.results, sample.broken_on_ipv4_too)
    return http_checks.ipv6_links_result(evaluation, sample.levels)


SPEC = CheckSpec(NAME, frozenset({Need.PAGE_HTML, Need.IPV6_LINKS}), evaluate)
