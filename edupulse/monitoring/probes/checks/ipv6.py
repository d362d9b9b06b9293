"""``ipv6``: an AAAA record, and the page reachable over IPv6 on every web port that answers over IPv4."""

from __future__ import annotations

import socket

from edupulse.monitoring.probes import http_checks
from edupulse.monitoring.probes.spec import CheckSpec, Need, SiteInputs
from edupulse.monitoring.probes.types import CheckOutcome


def evaluate(inputs: SiteInputs) -> CheckOutcome:
    over_ipv4 = inputs.page if inputs.family == socket.AF_INET else None
    evaluation = http_checks.evaluate_ipv6(inputs.addresses, inputs.ipv6_page, inputs.ipv6_other_ports,
                                           v4_fetch=over_ipv4)
    return http_checks.ipv6_result(inputs.addresses, evaluation)


SPEC = CheckSpec("ipv6", frozenset({Need.IPV6_PAGE, Need.IPV6_OTHER_PORTS}), evaluate)
