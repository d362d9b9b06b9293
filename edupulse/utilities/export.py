"""Writing tables to CSV (UTF-8 with BOM, so Excel on Chinese Windows opens it right) and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import xlsxwriter
from django.utils import timezone

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        # Local time as the pages show it (not "2026-11-23 08:08:04.237991+00:00"); XLSX cannot hold a time zone.
        return (timezone.localtime(value) if timezone.is_aware(value) else value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()  # a date cell without a number format would show as a serial number
    return value


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet: str = "Sheet1",
            text_columns: Sequence[int] = ()) -> bytes:
    """An XLSX workbook with a bold, frozen header row. Columns in ``text_columns`` are written as text
    so codes such as 学校标识码 keep their leading zeros when re-imported."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    worksheet = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text = workbook.add_format({"num_format": "@"})
    widths = [max(8, len(str(h)) * 2 + 2) for h in headers]
    for col, header in enumerate(headers):
        worksheet.write_string(0, col, str(header), bold)
    text_set = set(text_columns)
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            value = _cell(value)
            if col in text_set or isinstance(value, str):
                worksheet.write_string(r, col, str(value), text if col in text_set else None)
                widths[col] = min(60, max(widths[col], len(str(value)) * 2 if isinstance(value, str) else 10))
            else:
                worksheet.write(r, col, value)
    for col, width in enumerate(widths):
        worksheet.set_column(col, col, width)
    worksheet.freeze_panes(1, 0)
    worksheet.autofilter(0, 0, 0, max(0, len(headers) - 1))
    workbook.close()
    return buffer.getvalue()
