"""Generating the annual report's files: gather → lay out → HTML → PDF → DOCX, reporting each step.

Used by ``edupulse report annual`` (progress lines on stderr) and by the background task (progress stored
on the :class:`~edupulse.reports.models.ReportRun`). Nothing here changes the database.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext as _

from edupulse.core.actors import Actor
from edupulse.reports.annual import data, render
from edupulse.reports.annual.html import render_html
from edupulse.reports.annual.pdf import render_pdf

FORMATS = ("html", "pdf", "docx")
LANGUAGE = "zh-hans"

# (progress, step) → None; progress 0-100, step a Chinese label.
Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class Generated:
    files: dict[str, Path]  # format → file
    seconds: dict[str, float]  # step → seconds (gather, layout, and each format)


def parse_formats(text: str) -> list[str]:
    """"html,pdf" → ["html", "pdf"] in the canonical order; ValueError naming an unknown format."""
    wanted = [f.strip().lower() for f in text.split(",") if f.strip()]
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise ValueError(_("Unknown report format %(formats)s; use html, pdf and/or docx.") % {
            "formats": "、".join(unknown) or "-"})
    return [f for f in FORMATS if f in wanted]


def file_name(report: data.AnnualReport, fmt: str) -> str:
    return f"{report.title}.{fmt}"


def _nothing(_progress: int, _step: str) -> None:
    return None


def generate(user: Actor, region: str, year: str, formats: Sequence[str], out_dir: Path, *,
             progress: Progress = _nothing) -> Generated:
    """Write the report in ``formats`` into ``out_dir``; raises :class:`data.NoDataError` before writing anything
    when the region is unknown to ``user`` or has no values for the year."""
    seconds: dict[str, float] = {}
    files: dict[str, Path] = {}
    with translation.override(LANGUAGE):
        started = time.perf_counter()
        progress(5, _("Gathering the data"))
        report = data.gather(user, region, year)
        seconds["gather"] = time.perf_counter() - started
        progress(20, _("Drawing the charts and laying out the chapters"))
        started = time.perf_counter()
        document = render.layout(report)
        seconds["layout"] = time.perf_counter() - started
        out_dir.mkdir(parents=True, exist_ok=True)
        html = ""
        steps = len(formats)
        for index, fmt in enumerate(formats):
            progress(30 + 65 * index // steps, _("Writing the %(format)s file") % {"format": fmt.upper()})
            started = time.perf_counter()
            if fmt in ("html", "pdf") and not html:
                html = render_html(document)
            path = out_dir / file_name(report, fmt)
            if fmt == "html":
                path.write_text(html, encoding="utf-8")
            elif fmt == "pdf":
                path.write_bytes(render_pdf(html))
            else:
                # heavy: python-docx (about 60 ms to import), only when a DOCX is asked for.
                from edupulse.reports.annual.docx import render_docx

                path.write_bytes(render_docx(document))
            files[fmt] = path
            seconds[fmt] = time.perf_counter() - started
        progress(100, _("Done"))
    return Generated(files, seconds)
