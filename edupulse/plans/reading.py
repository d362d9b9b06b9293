"""Reading a plan file: .txt (UTF-8 or GB18030), .docx (paragraphs and tables) or .pdf (its text layer).

Bad input raises ``PlanInputError`` with a message for the user (through gettext; Chinese in zh_Hans).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from edupulse.plans.parsing import Plan, Table, parse_text, table_columns

MAX_BYTES = 20 * 1024 * 1024
SUFFIXES = (".txt", ".docx", ".pdf")


class PlanInputError(ValueError):
    """A plan file that cannot be read; the message is for the user."""


@dataclass
class PlanSource:
    """A plan's text and the 任务分解表 tables that were kept apart from it."""

    text: str
    tables: list[Table] = field(default_factory=list)


def read_plan_file(path: Path) -> PlanSource:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise PlanInputError(_("Unsupported file type “%(suffix)s”: use .txt, .docx or .pdf.")
                             % {"suffix": suffix or path.name})
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise PlanInputError(_("The file is larger than %(limit)d MB.") % {"limit": MAX_BYTES // (1024 * 1024)})
        data = path.read_bytes()
    except OSError as error:
        raise PlanInputError(_("Cannot read the file: %(error)s") % {"error": error.strerror or error}) from None
    return read_plan_bytes(data, suffix)


def read_plan_bytes(data: bytes, suffix: str) -> PlanSource:
    if len(data) > MAX_BYTES:
        raise PlanInputError(_("The file is larger than %(limit)d MB.") % {"limit": MAX_BYTES // (1024 * 1024)})
    if not data.strip():
        raise PlanInputError(_("The plan file is empty."))
    if suffix == ".docx":
        source = _read_docx(data)
    elif suffix == ".pdf":
        source = PlanSource(_read_pdf(data))
    else:
        source = PlanSource(decode_text(data))
    if not source.text.strip() and not source.tables:
        raise PlanInputError(_("The plan file is empty."))
    return source


def parse_plan_file(path: Path) -> Plan:
    source = read_plan_file(path)
    return parse_text(source.text, source.tables)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, else GB18030 (a superset of GBK and GB2312)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text.replace("\r\n", "\n").replace("\r", "\n")
    raise PlanInputError(_("The file is not text in UTF-8 or GB18030."))


def _read_docx(data: bytes) -> PlanSource:
    """Paragraphs and tables in document order; a 任务分解表 is kept apart, other tables become lines."""
    import docx  # heavy: python-docx loads lxml and its XML schema classes; only .docx input needs it
    from docx.table import Table as DocxTable  # heavy: as above
    from docx.text.paragraph import Paragraph  # heavy: as above

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # python-docx raises zipfile, KeyError and lxml errors for a damaged file
        raise PlanInputError(_("The file is not a readable .docx document.")) from None
    lines: list[str] = []
    tables: list[Table] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, document).text)
        elif tag == "tbl":
            rows = [[cell.text for cell in row.cells] for row in DocxTable(child, document).rows]
            if rows and table_columns(rows[0]) is not None:
                tables.append(rows)
            else:
                lines += ["  ".join(dict.fromkeys(cell for cell in row if cell.strip())) for row in rows]
    return PlanSource("\n".join(lines), tables)


def _read_pdf(data: bytes) -> str:
    import pypdf  # heavy: only .pdf input needs it
    from pypdf.errors import PyPdfError  # heavy: as above

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise PlanInputError(_("The PDF is encrypted."))
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError):
        raise PlanInputError(_("The file is not a readable PDF document.")) from None
    if not text.strip():
        raise PlanInputError(_("The PDF has no text layer (a scan?): run it through OCR first."))
    return text
