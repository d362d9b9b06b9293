"""The annual report as PDF: the same HTML printed by WeasyPrint (A4, header, page numbers, contents with
page references), with Debian's Noto CJK fonts (``fonts-noto-cjk``)."""

from __future__ import annotations

import logging

# WeasyPrint reports every rendering step at INFO; keep the log for what matters.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)


def render_pdf(html: str) -> bytes:
    # heavy: WeasyPrint loads Pango and HarfBuzz; only the PDF needs them.
    from weasyprint import HTML

    data: bytes = HTML(string=html, base_url=".").write_pdf()
    return data
