"""The annual report as one self-contained HTML file (styles and SVG charts inline)."""

from __future__ import annotations

from django.template.loader import render_to_string

from edupulse.reports.annual.render import Document

TEMPLATE = "reports/annual/report.html"


def render_html(document: Document) -> str:
    """Render inside the caller's language (the report is built under ``translation.override("zh-hans")``)."""
    return render_to_string(TEMPLATE, {"document": document})
