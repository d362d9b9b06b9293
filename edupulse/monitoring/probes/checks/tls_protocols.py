"""``tls_protocols``: TLS 1.2/1.3 offered, TLS 1.0/1.1 not (internet.nl)."""

from __future__ import annotations

from edupulse.monitoring.probes import tls
from edupulse.monitoring.probes.spec import CheckSpec, Need, SiteInputs
from edupulse.monitoring.probes.types import CheckOutcome, not_applicable


def evaluate(inputs: SiteInputs) -> CheckOutcome:
    if inputs.tls is None:  # no handshake: no HTTPS service answered
        return not_applicable("tls_protocols", "no HTTPS service (see https_redirect and hsts)")
    return tls.protocols_result(inputs.tls)


SPEC = CheckSpec("tls_protocols", frozenset({Need.TLS_HANDSHAKES}), evaluate)
