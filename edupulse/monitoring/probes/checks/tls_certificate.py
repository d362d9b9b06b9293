"""``tls_certificate``: the HTTPS certificate is trusted, for this host, in date and not about to expire."""

from __future__ import annotations

from edupulse.monitoring.probes import tls
from edupulse.monitoring.probes.spec import CheckSpec, Need, SiteInputs
from edupulse.monitoring.probes.types import CheckOutcome, not_applicable


def evaluate(inputs: SiteInputs) -> CheckOutcome:
    if inputs.tls is None:  # no handshake: no HTTPS service answered
        return not_applicable("tls_certificate", "no HTTPS service (see https_redirect and hsts)")
    return tls.certificate_result(inputs.tls)


SPEC = CheckSpec("tls_certificate", frozenset({Need.TLS_HANDSHAKES}), evaluate)
