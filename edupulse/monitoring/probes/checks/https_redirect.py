"""``https_redirect``: plain HTTP redirects to HTTPS, first to the same host (internet.nl, the Observatory)."""

from __future__ import annotations

from edupulse.monitoring.probes import http_checks
from edupulse.monitoring.probes.spec import CheckSpec, Need, SiteInputs
from edupulse.monitoring.probes.types import CheckOutcome, error_result, not_applicable

NAME = "https_redirect"


def evaluate(inputs: SiteInputs) -> CheckOutcome:
    plain = inputs.plain_http
    if plain is None:
        return not_applicable(NAME, "plain HTTP not probed")
    if plain.error_kind == "blocked":
        return error_result(NAME, plain.error or "blocked")
    return http_checks.https_redirect_result(http_checks.evaluate_https_redirect(plain),
                                             https_available=inputs.https_ok)


SPEC = CheckSpec(NAME, frozenset({Need.PLAIN_HTTP, Need.HTTPS}), evaluate)
