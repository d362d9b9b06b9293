"""``tampering``: the page compared with its baseline; a difference fails only when every re-fetch confirms it.

The re-fetches are the engine's (``Need.TAMPERING_SAMPLES``): this evaluation only compares what was fetched.
"""

from __future__ import annotations

from edupulse.monitoring.probes import tampering
from edupulse.monitoring.probes.spec import CheckSpec, Need, SiteInputs, page_missing
from edupulse.monitoring.probes.types import CheckOutcome, not_applicable


def evaluate(inputs: SiteInputs) -> CheckOutcome:
    baseline = inputs.baseline
    if baseline is None:
        return not_applicable("tampering", "no baseline for this page yet")
    if inputs.parsed is None or not inputs.tampering_samples:
        return page_missing("tampering", inputs.page)
    first, *refetches = [tampering.evaluate_tampering(baseline, features) for features in inputs.tampering_samples]
    return tampering.tampering_result(baseline, first, refetches)


SPEC = CheckSpec("tampering", frozenset({Need.PAGE_HTML, Need.TAMPERING_SAMPLES}), evaluate)
