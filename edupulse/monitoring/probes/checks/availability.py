"""``availability``: the home page answers (2xx/3xx after redirects), quickly, without a long redirect chain."""

from __future__ import annotations

from edupulse.monitoring.probes import http_checks
from edupulse.monitoring.probes.spec import CheckSpec, Need, SiteInputs
from edupulse.monitoring.probes.types import CheckOutcome


def evaluate(inputs: SiteInputs) -> CheckOutcome:
    return http_checks.availability_result(http_checks.evaluate_availability(inputs.fetched_page()))


SPEC = CheckSpec("availability", frozenset({Need.PAGE}), evaluate)
