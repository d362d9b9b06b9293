"""Helpers for building good and broken workbooks and running the CLI in tests."""

from __future__ import annotations

import io
from typing import Any

import python_calamine
import xlsxwriter
from django.core.management import call_command
from django.core.management.base import CommandError

from edupulse.collection import layout, workbook


def template_bytes(spec: Any, school: Any, period: str = "2022", values: dict[str, Any] | None = None) -> bytes:
    return workbook.build_template(spec, school_code=school.code, school_name=school.name, period=period,
                                   values=values)


def read_back(data: bytes) -> tuple[list[list[Any]], list[list[Any]]]:
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = book.get_sheet_by_name(layout.DATA_SHEET).to_python(skip_empty_area=False)
    meta = book.get_sheet_by_name(layout.META_SHEET).to_python(skip_empty_area=False)
    return [list(r) for r in rows], [list(r) for r in meta]


def row_of(rows: list[list[Any]], code: str) -> int:
    return next(i for i, r in enumerate(rows) if len(r) > 1 and r[layout.COL_CODE] == code)


def write_xlsx(rows: list[list[Any]], meta: list[list[Any]] | None, *, formulas: dict[tuple[int, int], str] | None = None,
               merge: tuple[int, int, int, int] | None = None, numbers_as_text: bool = False) -> bytes:
    """Write a grid back as an xlsx (the data sheet and, if given, the marker sheet) with optional
    formulas and merged cells: how people damage templates."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet(layout.DATA_SHEET)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if formulas and (r, c) in formulas:
                sheet.write_formula(r, c, formulas[(r, c)], None, value)
            elif isinstance(value, bool):
                sheet.write_boolean(r, c, value)
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            elif value not in (None, ""):
                sheet.write_string(r, c, str(value))
    if merge:
        sheet.merge_range(*merge, rows[merge[0]][merge[1]])
    if meta is not None:
        hidden = book.add_worksheet(layout.META_SHEET)
        for r, row in enumerate(meta):
            for c, value in enumerate(row):
                hidden.write_string(r, c, str(value))
        hidden.very_hidden()
    book.close()
    return buffer.getvalue()


def run_cli(*args: str) -> tuple[int, str]:
    """Run ``edupulse collect ARGS`` in-process; returns (exit code, stdout)."""
    out = io.StringIO()
    try:
        call_command("collect", *args, stdout=out, stderr=io.StringIO())
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    except CommandError as exc:
        code = 2 if str(exc).startswith("Error:") else exc.returncode
    return code, out.getvalue()
