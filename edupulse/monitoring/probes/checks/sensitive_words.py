"""``sensitive_words``: listed sensitive and gambling/pornography words in the page's text (not in warnings)."""

from __future__ import annotations

from edupulse.monitoring.probes import darklinks
from edupulse.monitoring.probes.spec import CheckSpec, Need, SiteInputs, note_truncation, page_missing
from edupulse.monitoring.probes.types import CheckOutcome


def evaluate(inputs: SiteInputs) -> CheckOutcome:
    if inputs.parsed is None:
        return page_missing("sensitive_words", inputs.page)
    return note_truncation(darklinks.sensitive_words_result(darklinks.evaluate_sensitive_words(inputs.parsed)),
                           inputs)


SPEC = CheckSpec("sensitive_words", frozenset({Need.PAGE_HTML}), evaluate)
