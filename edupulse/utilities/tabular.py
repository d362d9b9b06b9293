"""Reading a table (first sheet of an xlsx/xls/ods, or a CSV file) into rows of typed cells.

Excel is read with python-calamine, which keeps cell types: a code that Excel turned into a number
arrives as a float, so callers can refuse it instead of silently losing digits. CSV is decoded strictly
as UTF-8 (with or without BOM) or GB18030 (a superset of GBK); a file that is neither is refused.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from python_calamine import CalamineWorkbook

XLSX_MAGIC = b"PK\x03\x04"
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, or an encrypted xlsx


class TableError(ValueError):
    """The file cannot be read as a table; ``rule`` names the problem for machine-readable reports."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


@dataclass(frozen=True)
class Table:
    rows: list[list[Any]]
    typed: bool  # True for spreadsheets (cells carry types), False for CSV (all text)
    encoding: str = ""


def decode_csv(data: bytes) -> tuple[str, str]:
    """Text and encoding of a CSV file: UTF-8 (BOM or not) first, then GB18030; otherwise an error."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise TableError("encoding", f"无法识别文件编码（第 {exc.start} 字节）：请另存为 UTF-8 或 GBK 编码的 CSV。") from None


def read_table(data: bytes, filename: str) -> Table:
    """The first sheet (or the CSV) as rows; raises :class:`TableError` with a Chinese message."""
    name = filename.lower()
    if name.endswith(".csv"):
        text, encoding = decode_csv(data)
        return Table([list(row) for row in csv.reader(io.StringIO(text))], typed=False, encoding=encoding)
    if not (name.endswith((".xlsx", ".xls", ".ods", ".xlsm"))):
        raise TableError("unsupported_format", "只支持 xlsx、xls、ods 和 CSV 文件。")
    if data.startswith(CFB_MAGIC) and name.endswith((".xlsx", ".xlsm")):
        raise TableError("password_protected", "文件已加密（设置了打开密码），请取消密码后重新上传。")
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises several error types for damaged files
        raise TableError("corrupt_file", f"文件已损坏或不是有效的表格文件：{exc}") from None
    return Table([list(row) for row in rows], typed=True)


def cell_text(value: Any) -> str:
    """A cell as trimmed text; full-width digits and spaces folded to ASCII."""
    if value is None:
        return ""
    text = str(value).strip()
    return text.translate(_FULLWIDTH)


_FULLWIDTH = {0xFF10 + i: 0x30 + i for i in range(10)} | {0x3000: 0x20}
