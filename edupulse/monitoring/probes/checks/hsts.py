"""``hsts``: a Strict-Transport-Security header of at least a year, over a valid certificate."""

from __future__ import annotations

from edupulse.monitoring.probes import http_checks
from edupulse.monitoring.probes.spec import CheckSpec, Need, SiteInputs
from edupulse.monitoring.probes.types import CheckOutcome, error_result


def evaluate(inputs: SiteInputs) -> CheckOutcome:
    page, https = inputs.fetched_page(), inputs.https
    if not page.ok and not inputs.https_ok:
        return error_result("hsts", f"site not reachable: {page.error}")
    header = https.header("strict-transport-security") if inputs.https_ok and https is not None else None
    # Known only when the TLS handshakes ran (the TLS checks were asked for too).
    problem = None
    if inputs.tls is not None and inputs.tls.verify_code is not None:
        problem = inputs.tls.verify_message or "certificate not valid"
    return http_checks.hsts_result(http_checks.parse_hsts(header), https_available=inputs.https_ok,
                                   certificate_problem=problem)


SPEC = CheckSpec("hsts", frozenset({Need.HTTPS}), evaluate)
