"""``headers``: the security response headers, scored as the MDN HTTP Observatory scores them."""

from __future__ import annotations

from edupulse.monitoring.probes import observatory
from edupulse.monitoring.probes.spec import CheckSpec, Need, SiteInputs
from edupulse.monitoring.probes.types import CheckOutcome, error_result


def evaluate(inputs: SiteInputs) -> CheckOutcome:
    page, plain, https, tls = inputs.fetched_page(), inputs.plain_http, inputs.https, inputs.tls
    https_ok = inputs.https_ok
    graded = https if https_ok else page if page.ok else plain
    if graded is None or not graded.ok:
        return error_result("headers", f"site not reachable: {page.error}")
    verified = https_ok and tls is not None and tls.error is None and tls.verify_code is None
    if https_ok and tls is None:
        verified = True  # TLS not observed (checks subset): assume a valid certificate, as most sites have
    evaluation = observatory.evaluate(
        observatory.ObservatoryInput(
            auto=graded,
            http=plain if plain is not None and plain.ok else None,
            https=https if https_ok else None,
            verified=verified,
            cors=inputs.cors,
            page=inputs.parsed if inputs.parsed is not None and graded is page else None,
        )
    )
    return observatory.headers_result(evaluation)


SPEC = CheckSpec("headers", frozenset({Need.PAGE_HTML, Need.PLAIN_HTTP, Need.HTTPS, Need.GRADED_RESPONSE,
                                       Need.CORS_PREFLIGHT}), evaluate)
