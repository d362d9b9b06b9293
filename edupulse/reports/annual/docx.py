"""The annual report as DOCX (python-docx): real Heading 1/2 styles (Word's navigation pane), tables with a
repeated header row, the charts as PNG (converted from the same SVG), a contents field, page numbers, and
Chinese fonts set as the East Asian font of every style and run (``w:eastAsia``).

python-docx is imported with this module; ``generate`` imports it only when a DOCX is asked for."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from docx import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from edupulse.reports.annual import charts
from edupulse.reports.annual.render import Document, Table

BODY_FONT = "宋体"  # SimSun: present on every Chinese Windows; LibreOffice maps it to Noto Serif CJK
HEADING_FONT = "黑体"  # SimHei
LATIN_FONT = "Times New Roman"
CHART_WIDTH_CM = 15.5


def _east_asian(element: Any, font: str) -> None:

    element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)


def _run_font(run: Any, font: str) -> None:
    run.font.name = LATIN_FONT
    _east_asian(run._element, font)


def _styles(doc: Any) -> None:

    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = LATIN_FONT, Pt(11)
    _east_asian(normal.element, BODY_FONT)
    for name, size in (("Title", 24), ("Heading 1", 16), ("Heading 2", 13)):
        style = doc.styles[name]
        style.font.name, style.font.size, style.font.bold = LATIN_FONT, Pt(size), True
        style.font.color.rgb = RGBColor(0x8B, 0x1A, 0x1A) if name != "Heading 2" else RGBColor(0x22, 0x22, 0x22)
        _east_asian(style.element, HEADING_FONT)


def _field(paragraph: Any, instruction: str, placeholder: str = "") -> None:
    """A Word field (PAGE, TOC …): Word computes it; ``placeholder`` shows until it does."""

    def char(kind: str) -> Any:
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        return el

    run = paragraph.add_run()
    run._element.append(char("begin"))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = instruction
    paragraph.add_run()._element.append(instr)
    paragraph.add_run()._element.append(char("separate"))
    shown = paragraph.add_run(placeholder)
    _run_font(shown, BODY_FONT)
    paragraph.add_run()._element.append(char("end"))


def _update_fields_on_open(doc: Any) -> None:

    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    doc.settings.element.append(update)


def _paragraph(doc: Any, text: str, *, indent: bool = True, style: str | None = None) -> Any:

    p = doc.add_paragraph(style=style)
    if indent:
        p.paragraph_format.first_line_indent = Pt(22)
    _run_font(p.add_run(text), BODY_FONT)
    return p


def _table(doc: Any, table: Table) -> None:

    caption = doc.add_paragraph(style="Caption")
    _run_font(caption.add_run(table.caption), HEADING_FONT)
    grid = doc.add_table(rows=1 + len(table.rows), cols=len(table.header))
    grid.style = "Table Grid"
    header_row = grid.rows[0]
    flag = OxmlElement("w:tblHeader")  # repeat the header row on every page
    flag.set(qn("w:val"), "true")
    header_row._tr.get_or_add_trPr().append(flag)
    for r, values in enumerate((table.header, *table.rows)):
        cells = grid.rows[r].cells
        for c, value in enumerate(values):
            paragraph = cells[c].paragraphs[0]
            run = paragraph.add_run(value)
            run.font.size = Pt(9)
            run.font.bold = r == 0
            _run_font(run, HEADING_FONT if r == 0 else BODY_FONT)


def _chart(doc: Any, svg: str, caption: str) -> None:

    doc.add_picture(io.BytesIO(charts.png(svg)), width=Cm(CHART_WIDTH_CM))
    p = doc.add_paragraph(style="Caption")
    _run_font(p.add_run(caption), BODY_FONT)


def _cover(doc: Any, document: Document) -> None:

    for _blank in range(6):
        doc.add_paragraph()
    title = doc.add_paragraph(style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run_font(title.add_run(document.heading), HEADING_FONT)
    year = doc.add_paragraph(style="Title")
    year.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run_font(year.add_run(document.year_label), HEADING_FONT)
    for _blank in range(8):
        doc.add_paragraph()
    for text, size in ((document.issuer, 15), (document.date, 13)):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(text)
        run.font.size = Pt(size)
        _run_font(run, HEADING_FONT)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _contents(doc: Any, document: Document) -> None:

    heading = doc.add_paragraph(style="Title")
    _run_font(heading.add_run(_("Contents")), HEADING_FONT)
    listing = "\n".join(chapter.title for chapter in document.chapters)
    _field(doc.add_paragraph(), 'TOC \\o "1-2" \\h \\z \\u', listing)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _footer(doc: Any, document: Document) -> None:

    section = doc.sections[0]
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run_font(header.add_run(document.title), BODY_FONT)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(footer, "PAGE", "1")


def render_docx(document: Document) -> bytes:

    doc = WordDocument()
    _styles(doc)
    _footer(doc, document)
    _cover(doc, document)
    _contents(doc, document)
    for index, chapter in enumerate(document.chapters):
        if index:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        doc.add_heading(chapter.title, level=1)
        for text in chapter.paragraphs:
            _paragraph(doc, text)
        for section in chapter.sections:
            if section.title:
                doc.add_heading(section.title, level=2)
            for text in section.paragraphs:
                _paragraph(doc, text)
            for table in section.tables:
                _table(doc, table)
            for chart in section.charts:
                _chart(doc, chart.svg, chart.caption)
    _update_fields_on_open(doc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
