"""``dark_links`` (暗链): hidden links and frames, script-written links, cloaking for spiders and search visitors."""

from __future__ import annotations

from edupulse.monitoring.probes import darklinks
from edupulse.monitoring.probes.spec import CheckSpec, Need, SiteInputs, note_truncation, page_missing
from edupulse.monitoring.probes.types import CheckOutcome


def evaluate(inputs: SiteInputs) -> CheckOutcome:
    if inputs.parsed is None:
        return page_missing("dark_links", inputs.page)
    spider, visitor, redirects = inputs.spider_page, inputs.visitor_page, inputs.cloaking_redirects
    evaluation = darklinks.evaluate_dark_links(inputs.parsed, spider, extra_findings=redirects, visitor=visitor)
    checked = spider is not None or visitor is not None or bool(redirects)
    return note_truncation(darklinks.dark_links_result(evaluation, cloaking_checked=checked), inputs)


SPEC = CheckSpec("dark_links", frozenset({Need.PAGE_HTML, Need.PAGE_STYLES, Need.AUDIENCES}), evaluate)
