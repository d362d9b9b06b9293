"""The DOCX of an official document (通报, 督导通报): one layout for every app that issues one.

仿宋 body text, a red 宋体 heading with the issuing authority, the document number and the title centred, tables
with a grid and a header row, the signature and date right-aligned — the conventions of 党政机关公文格式
(GB/T 9704) that users expect, written once. python-docx is imported only when a document is written.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

RED = (0xC0, 0x00, 0x00)
BODY_FONT = "仿宋"
TITLE_FONT = "宋体"
HEADING_FONT = "黑体"
INDENT = "　　"  # two full-width spaces open a paragraph of the body


class OfficialDocx:
    """A document being written: ``heading`` (authority, number, title, addressees), then paragraphs and tables,
    then ``signature``; ``bytes()`` returns the .docx."""

    def __init__(self) -> None:
        # heavy: python-docx (about 60 ms to import), only when a document is written.
        from docx import Document
        from docx.oxml.ns import qn
        from docx.shared import Pt

        self._qn, self._pt = qn, Pt
        self.document = Document()
        style = self.document.styles["Normal"]
        style.font.name = "FangSong"
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
        style.font.size = Pt(14)

    def paragraph(self, text: str, *, size: int = 14, bold: bool = False, align: str = "",
                  color: tuple[int, int, int] | None = None, font: str = BODY_FONT) -> Any:
        """One paragraph of one run; ``align`` is "center", "right" or "" (left)."""
        # heavy: as in __init__.
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import RGBColor

        p = self.document.add_paragraph()
        if align:
            p.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
        run = p.add_run(text)
        run.font.size, run.font.bold = self._pt(size), bold
        run.font.name = font
        run._element.get_or_add_rPr().get_or_add_rFonts().set(self._qn("w:eastAsia"), font)
        if color is not None:
            run.font.color.rgb = RGBColor(*color)
        return p

    def body(self, text: str) -> Any:
        """A paragraph of the body, indented by two characters."""
        return self.paragraph(INDENT + text)

    def section(self, text: str) -> Any:
        """A numbered section heading of the body (一、…), in 黑体."""
        return self.paragraph(text, bold=True, font=HEADING_FONT)

    def heading(self, authority: str, number: str, title: str, addressees: str = "") -> None:
        """The red authority line, the document number, the title and the addressees (主送)."""
        self.paragraph(authority, size=26, bold=True, align="center", color=RED, font=TITLE_FONT)
        self.paragraph(number, align="center")
        self.paragraph(title, size=22, bold=True, align="center", font=TITLE_FONT)
        if addressees:
            self.paragraph(addressees)

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> Any:
        """A grid table with a header row; cells are written as text."""
        table = self.document.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        for cell, header in zip(table.rows[0].cells, headers, strict=True):
            cell.text = str(header)
        for row in rows:
            for cell, value in zip(table.add_row().cells, row, strict=True):
                cell.text = "" if value is None else str(value)
        return table

    def signature(self, authority: str, date: str) -> None:
        """The issuing authority and the date, right-aligned (落款)."""
        self.paragraph(authority, align="right")
        self.paragraph(date, align="right")

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()
