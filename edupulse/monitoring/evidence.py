"""A finding's evidence (what the probe saw, stored as JSON) as label–value pairs a person reads.

Keys get their Chinese labels (``docs/cli-monitoring-probe.md`` documents them); nested values are written out in
one line each. A key nobody labelled reads as words (``error_kind`` → error kind), never as JSON.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

KEY_LABELS: dict[str, Any] = {
    "grade": gettext_lazy("grade"),
    "score": gettext_lazy("score"),
    "algorithm": gettext_lazy("scoring method"),
    "tests": gettext_lazy("tests"),
    "aaaa": gettext_lazy("AAAA records"),
    "reachable": gettext_lazy("reachable"),
    "reason": gettext_lazy("reason"),
    "not_after": gettext_lazy("certificate valid until"),
    "days_to_expiry": gettext_lazy("days to expiry"),
    "status_code": gettext_lazy("HTTP status"),
    "error": gettext_lazy("error"),
    "error_kind": gettext_lazy("kind of error"),
    "final_url": gettext_lazy("final address"),
    "redirects": gettext_lazy("redirects"),
    "elapsed_ms": gettext_lazy("time taken (ms)"),
    "problems": gettext_lazy("problems"),
    "finding_count": gettext_lazy("number of findings"),
    "findings": gettext_lazy("findings"),
    "refetch_scores": gettext_lazy("scores of the re-fetches"),
    "kind": gettext_lazy("kind"),
    "href": gettext_lazy("link"),
    "text": gettext_lazy("text"),
    "matches": gettext_lazy("matched words"),
    "analysis_incomplete": gettext_lazy("analysis incomplete"),
}


def key_label(key: str) -> str:
    label = KEY_LABELS.get(key)
    return str(label) if label is not None else key.replace("_", " ")


def value_text(value: Any) -> str:
    """One value in words: yes/no, lists joined, nested objects as 'label：value' pairs."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, dict):
        return "；".join(f"{key_label(str(k))}：{value_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        separator = "\n" if any(isinstance(v, dict) for v in value) else "、"
        return separator.join(value_text(v) for v in value)
    return str(value)


def evidence_rows(evidence: dict[str, Any] | None) -> list[tuple[str, str]]:
    return [(key_label(str(key)), value_text(value)) for key, value in (evidence or {}).items()]
