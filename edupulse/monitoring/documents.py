"""The formal notice document (通报) as DOCX (python-docx) and PDF (WeasyPrint), in Chinese.

Layout after the 党政机关公文格式 (GB/T 9704-2012) in spirit: issuing authority in red, document number
``{prefix}〔{year}〕{n}号``, title, addressees, text, a table of the findings, deadline, signature and date.
Fonts: PDFs need a CJK font on the server (Debian/Ubuntu: ``apt-get install fonts-noto-cjk``).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from edupulse.monitoring.checks import Severity
from edupulse.monitoring.models import Notice, NoticeItem

# WeasyPrint reports every rendering step at INFO; keep the server log for what matters.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Row:
    number: int
    unit: str
    site: str
    url: str
    problem: str
    severity: str
    first_seen: str
    summary: str


@dataclass(frozen=True)
class NoticeDocument:
    authority: str
    number: str
    title: str
    addressees: str
    body: list[str]
    rows: list[Row]
    deadline: str
    signature: str
    date: str
    #: (（一）, problem, what the units must do) once per kind of problem in the table, in table order (整改要求).
    requirements: list[tuple[str, str, str]]


def _cn_date(value: object) -> str:
    return f"{value.year}年{value.month}月{value.day}日"  # type: ignore[attr-defined]


def _cn_ordinal(number: int) -> str:
    """（一）（二）… as official documents number their points (Arabic numerals past ten)."""
    names = "一二三四五六七八九十"
    return f"（{names[number - 1] if number <= len(names) else number}）"


def document_for(notice: Notice, items: Iterable[NoticeItem] | None = None) -> NoticeDocument:
    """The notice's document; ``items`` limits the table to some items (a unit's copy lists only its own)."""
    with translation.override("zh-hans"):
        region = notice.region
        authority = f"{region.full_name() if region else ''}{_('education bureau')}"
        if items is None:
            items = notice.items.select_related("finding", "website", "school", "owner_region").order_by("pk")
        items = list(items)
        rows = [Row(number=i, unit=item.website.owner_name, site=item.website.name, url=item.website.url,
                    problem=str(item.finding.get_check_name_display()),
                    severity=str(Severity(item.finding.severity).label),
                    first_seen=_cn_date(timezone.localtime(item.finding.first_seen)),
                    summary=item.finding.description)
                for i, item in enumerate(items, start=1)]
        advice = {str(item.finding.get_check_name_display()): item.finding.advice for item in items}
        requirements = [(_cn_ordinal(number), problem, text)
                        for number, (problem, text) in enumerate(advice.items(), start=1)]
        units = sorted({r.unit for r in rows})
        body = [p.strip() for p in (notice.body or "").split("\n") if p.strip()] or [
            _("In recent cybersecurity monitoring of education websites and systems, the problems listed below "
              "were found. The units concerned are asked to rectify them at once, submit a rectification report "
              "on the platform, and take this as an occasion to strengthen their cybersecurity responsibility.")]
        issued = timezone.localtime(notice.issued_at) if notice.issued_at else timezone.localtime()
        return NoticeDocument(
            authority=authority, number=notice.number or _("(number assigned on issue)"), title=notice.title,
            addressees="、".join(units) + "：" if units else "", body=body, rows=rows,
            deadline=_cn_date(notice.deadline), signature=authority, date=_cn_date(issued),
            requirements=requirements)


def build_docx(notice: Notice, items: Iterable[NoticeItem] | None = None) -> bytes:
    # heavy: python-docx (about 60 ms to import), only for a .docx download.
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    doc = document_for(notice, items)
    with translation.override("zh-hans"):
        document = Document()
        style = document.styles["Normal"]
        style.font.name = "FangSong"
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋")
        style.font.size = Pt(14)

        def paragraph(text: str, *, size: int = 14, bold: bool = False, align: Any = None,
                      color: RGBColor | None = None, font: str = "仿宋") -> None:
            p = document.add_paragraph()
            if align is not None:
                p.alignment = align
            run = p.add_run(text)
            run.font.size, run.font.bold = Pt(size), bold
            run.font.name = font
            run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
            if color is not None:
                run.font.color.rgb = color

        paragraph(doc.authority, size=26, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER,
                  color=RGBColor(0xC0, 0x00, 0x00), font="宋体")
        paragraph(doc.number, align=WD_ALIGN_PARAGRAPH.CENTER)
        paragraph(doc.title, size=22, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, font="宋体")
        paragraph(doc.addressees)
        for text in doc.body:
            paragraph("　　" + text)
        headers = [_("No."), _("Unit"), _("Website"), _("Problem"), _("Severity"), _("First seen"), _("Details")]
        table = document.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        for cell, header in zip(table.rows[0].cells, headers, strict=True):
            cell.text = str(header)
        for row in doc.rows:
            cells = table.add_row().cells
            values = [str(row.number), row.unit, f"{row.site}\n{row.url}", row.problem, row.severity,
                      row.first_seen, row.summary]
            for cell, value in zip(cells, values, strict=True):
                cell.text = value
        if doc.requirements:
            paragraph(_("Rectification required"), bold=True)
            for ordinal, problem, text in doc.requirements:
                paragraph(f"　　{ordinal}{problem}：{text}")
        paragraph("　　" + _("Please complete the rectification and submit the report before %(deadline)s.")
                  % {"deadline": doc.deadline})
        paragraph(doc.signature, align=WD_ALIGN_PARAGRAPH.RIGHT)
        paragraph(doc.date, align=WD_ALIGN_PARAGRAPH.RIGHT)
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()


def build_pdf(notice: Notice, items: Iterable[NoticeItem] | None = None) -> bytes:
    from weasyprint import HTML  # heavy: about 0.5 s to import, only for a PDF download

    with translation.override("zh-hans"):
        html = render_to_string("monitoring/notice_document.html", {"doc": document_for(notice, items)})
    result: bytes = HTML(string=html).write_pdf()
    return result
