"""Writing workbooks: the Excel entry template per school and the error workbook of an import.

The template is built for people who live in Excel: the school's code, name and the period are filled
in and locked, every value cell has a drop-down or a range check, the structure is protected (only the
value and explanation columns are editable), an instructions sheet explains the rules, and a very
hidden sheet carries the marker (form, version, checksum, school, period) the importer checks.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from edupulse.collection import layout
from edupulse.collection.definitions import FieldSpec, FormSpec
from edupulse.collection.values import MAX_DATE, MIN_DATE


def _requirement(field: FieldSpec) -> str:
    parts = ["必填" if field.required else "选填"]
    if field.type == "integer":
        parts.append("整数")
    elif field.type in {"decimal", "percent"}:
        parts.append("数字")
    elif field.type == "boolean":
        parts.append("选择 是/否")
    elif field.type == "choice":
        parts.append("从下拉列表选择")
    elif field.type == "date":
        parts.append("日期，如 2022-09-01")
    if field.type == "percent":
        parts.append("输入 95 即 95%")
    if field.min is not None and field.max is not None and field.type != "percent":
        parts.append(f"{field.min:g}–{field.max:g}")
    if field.help:
        parts.append(field.help)
    return "；".join(parts)


def _choice_items(field: FieldSpec) -> list[str]:
    return [f"{c.code} {c.label}" for c in field.choices]


def _cell_value(field: FieldSpec, value: Any) -> Any:
    """A stored value as it should appear in a template cell (used when pre-filling)."""
    if value is None:
        return None
    if field.type == "boolean":
        return "是" if value else "否"
    if field.type == "choice":
        return next((item for item in _choice_items(field) if item.split(" ", 1)[0] == value), str(value))
    if field.type == "percent":
        return float(value) / 100
    if field.type == "date":
        return dt.date.fromisoformat(str(value))
    return value


def build_template(spec: FormSpec, *, school_code: str, school_name: str, period: str,
                   values: dict[str, Any] | None = None) -> bytes:
    """The xlsx template of ``spec`` for one school and period (optionally pre-filled)."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                            "strings_to_formulas": False, "strings_to_urls": False})
    workbook.set_properties({"title": f"{spec.name} {period}", "subject": school_name, "author": "EduPulse",
                             "comments": f"{layout.META_MARKER} {spec.code} v{spec.version}"})
    title = workbook.add_format({"bold": True, "font_size": 14})
    label = workbook.add_format({"bold": True, "bg_color": "#EEF2F8", "border": 1})
    locked_text = workbook.add_format({"num_format": "@", "border": 1, "bg_color": "#F2F2F2"})
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    fixed = workbook.add_format({"border": 1, "bg_color": "#F7F7F7", "text_wrap": True})
    hint = workbook.add_format({"border": 1, "font_color": "#5D6B7C", "text_wrap": True, "font_size": 9})
    formats = {
        "integer": workbook.add_format({"locked": False, "border": 1, "num_format": "0", "bg_color": "#FFFFE0"}),
        "decimal": workbook.add_format({"locked": False, "border": 1, "num_format": "0.00", "bg_color": "#FFFFE0"}),
        "percent": workbook.add_format({"locked": False, "border": 1, "num_format": "0.0%", "bg_color": "#FFFFE0"}),
        "date": workbook.add_format({"locked": False, "border": 1, "num_format": "yyyy-mm-dd", "bg_color": "#FFFFE0"}),
        "text": workbook.add_format({"locked": False, "border": 1, "num_format": "@", "bg_color": "#FFFFE0"}),
    }
    note_format = workbook.add_format({"locked": False, "border": 1, "num_format": "@", "text_wrap": True})

    sheet = workbook.add_worksheet(layout.DATA_SHEET)
    sheet.write_string(layout.TITLE_ROW, 0, f"{spec.name}（{period}）", title)
    for (row, col), caption, value in (
        (layout.SCHOOL_CODE_CELL, "学校标识码", school_code),
        (layout.SCHOOL_NAME_CELL, "学校名称", school_name),
        (layout.PERIOD_CELL, "统计期", period),
        (layout.FORM_CELL, "报表", f"{spec.code} 第{spec.version}版"),
    ):
        sheet.write_string(row, col - 1, caption, label)
        sheet.write_string(row, col, value, locked_text)
    for col, caption in enumerate(layout.HEADERS):
        sheet.write_string(layout.HEADER_ROW, col, caption, header)
    sections = {s.code: s.title for s in spec.sections}
    row = layout.FIRST_DATA_ROW
    for section in spec.sections:
        for code in section.fields:
            field = spec.field(code)
            sheet.write_string(row, layout.COL_SECTION, sections[field.section], fixed)
            sheet.write_string(row, layout.COL_CODE, field.code, fixed)
            sheet.write_string(row, layout.COL_LABEL, field.label + (" *" if field.required else ""), fixed)
            sheet.write_string(row, layout.COL_UNIT, field.unit, fixed)
            sheet.write_string(row, layout.COL_HINT, _requirement(field), hint)
            cell_format = formats.get(field.type, formats["text"])
            value = _cell_value(field, (values or {}).get(code))
            if value is None:
                sheet.write_blank(row, layout.COL_VALUE, None, cell_format)
            elif isinstance(value, dt.date):
                sheet.write_datetime(row, layout.COL_VALUE, dt.datetime.combine(value, dt.time()), cell_format)
            elif isinstance(value, str):
                sheet.write_string(row, layout.COL_VALUE, value, cell_format)
            else:
                sheet.write_number(row, layout.COL_VALUE, value, cell_format)
            sheet.write_blank(row, layout.COL_EXPLANATION, None, note_format)
            _validation(sheet, row, field)
            row += 1
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 24)
    sheet.set_column(2, 2, 40)
    sheet.set_column(3, 3, 8)
    sheet.set_column(4, 4, 16)
    sheet.set_column(5, 5, 36)
    sheet.set_column(6, 6, 36)
    sheet.freeze_panes(layout.FIRST_DATA_ROW, 3)
    # No password: protection keeps the structure from being changed by accident; a password would
    # only lock out the school, not an attacker.
    sheet.protect("", {"select_locked_cells": True, "select_unlocked_cells": True, "format_columns": True})
    sheet.activate()

    guide = workbook.add_worksheet(layout.INSTRUCTIONS_SHEET)
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    guide.set_column(0, 0, 100)
    lines = [
        f"{spec.name} 填表说明",
        f"学校：{school_name}（{school_code}），统计期：{period}，报表版本：第{spec.version}版。",
        "1. 只在黄色的“填报值”列和“情况说明”列填写；其余单元格已锁定，请勿插入、删除或移动行列。",
        "2. 数量为零请填 0；“无”“—”和空白都按“未填写”处理，必填项不能空。",
        "3. 百分比直接输入 95 即表示 95%；选择题请从下拉列表选择，代码（如 01）不要改成数字。",
        "4. 请直接填写数值，不要使用公式，不要合并单元格。",
        "5. 提交时系统会按校验规则检查：“错误”必须改正；“提醒”（如与上年相比变化超过 ±50%）请在“情况说明”列写明原因。",
        "6. 填好后在系统中上传本文件（可多个文件打包成 zip 一并上传）。",
        "",
        "校验规则：",
    ]
    lines += [f"{rule.code}（{'错误' if rule.severity == 'error' else '提醒'}）：{rule.message or rule.expr}"
              for rule in spec.rules]
    if spec.yoy_threshold is not None:
        fields = "、".join(spec.field(c).label for c in spec.yoy_fields)
        lines.append(f"同比（提醒）：{fields} 与上期相比变化超过 ±{spec.yoy_threshold * 100:g}% 需说明原因。")
    for index, text in enumerate(lines):
        guide.write_string(index, 0, text, wrap)
    guide.protect("")

    meta = workbook.add_worksheet(layout.META_SHEET)
    for index, (key, value) in enumerate((
        (layout.META_MARKER, layout.LAYOUT_VERSION), ("form", spec.code), ("version", str(spec.version)),
        ("checksum", spec.checksum()), ("school_code", school_code), ("period", period),
    )):
        meta.write_string(index, 0, key)
        meta.write_string(index, 1, value)
    meta.protect("")
    meta.very_hidden()
    workbook.close()
    return buffer.getvalue()


def _validation(sheet: Any, row: int, field: FieldSpec) -> None:
    base = {"error_title": "输入有误", "input_title": field.label[:32], "input_message": _requirement(field)[:255]}
    kind = field.type
    options: dict[str, Any]
    if kind in {"integer", "decimal", "percent"}:
        low = field.min if field.min is not None else -1e12
        high = field.max if field.max is not None else 1e12
        if kind == "percent":
            low, high = low / 100, high / 100
        options = {"validate": "integer" if kind == "integer" else "decimal", "criteria": "between",
                   "minimum": low, "maximum": high,
                   "error_message": f"请输入{'整数' if kind == 'integer' else '数字'}"
                                    + (f"，范围 {field.min:g}–{field.max:g}" if field.min is not None
                                       and field.max is not None else "")}
    elif kind == "boolean":
        options = {"validate": "list", "source": ["是", "否"], "error_message": "请选择 是 或 否"}
    elif kind == "choice":
        options = {"validate": "list", "source": _choice_items(field), "error_message": "请从下拉列表中选择"}
    elif kind == "date":
        options = {"validate": "date", "criteria": "between",
                   "minimum": dt.datetime.combine(MIN_DATE, dt.time()),
                   "maximum": dt.datetime.combine(MAX_DATE, dt.time()), "error_message": "请输入日期，如 2022-09-01"}
    else:
        options = {"validate": "length", "criteria": "<=", "value": field.max_length,
                   "error_message": f"不超过 {field.max_length} 个字符"}
    options.update(base)
    sheet.data_validation(row, layout.COL_VALUE, row, layout.COL_VALUE, options)


def _safe_name(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text)[:80]


def template_filename(spec: FormSpec, school_code: str, school_name: str, period: str) -> str:
    return f"{school_code}_{_safe_name(school_name)}_{spec.code}_{period}.xlsx"


def build_template_zip(spec: FormSpec, schools: Iterable[tuple[str, str]], period: str) -> tuple[bytes, int]:
    """A zip with one template per (code, name); returns the bytes and the number of templates."""
    buffer = io.BytesIO()
    count = 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for code, name in schools:
            info = zipfile.ZipInfo(template_filename(spec, code, name, period), date_time=(2020, 1, 1, 0, 0, 0))
            info.flag_bits |= 0x800  # UTF-8 names
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, build_template(spec, school_code=code, school_name=name, period=period))
            count += 1
    return buffer.getvalue(), count


def build_error_workbook(files: Sequence[dict[str, Any]], grids: dict[str, tuple[str, list[list[Any]]]]) -> bytes:
    """An overview sheet of every problem, plus per rejected file a copy of what was read with the bad
    cells highlighted in red and the message attached as a comment."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                            "strings_to_formulas": False, "strings_to_urls": False})
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    bad = workbook.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006", "border": 2, "border_color": "#C00000"})
    warn = workbook.add_format({"bg_color": "#FFEB9C", "font_color": "#9C5700", "border": 1})
    overview = workbook.add_worksheet("错误清单")
    headers = [_("File"), _("School code"), _("Status"), _("Sheet"), _("Cell"), _("Field"), _("Rule"),
               pgettext("validation", "Severity"), _("Value"), _("Message")]
    for col, text in enumerate(headers):
        overview.write_string(0, col, text, bold)
    row = 1
    for item in files:
        for error in item["errors"] or [{}]:
            cells = [item["path"], item.get("school_code") or "", _("accepted") if item["status"] == "accepted"
                     else _("rejected"), error.get("sheet") or "", error.get("cell") or "", error.get("field") or "",
                     error.get("rule") or "", _severity_label(error.get("severity")),
                     "" if error.get("value") is None else str(error.get("value")), error.get("message") or ""]
            for col, value in enumerate(cells):
                overview.write_string(row, col, str(value))
            row += 1
    overview.set_column(0, 0, 40)
    overview.set_column(9, 9, 80)
    overview.freeze_panes(1, 0)
    overview.autofilter(0, 0, max(row - 1, 1), len(headers) - 1)
    used: set[str] = {"错误清单"}
    for number, item in enumerate(files, start=1):
        if item["path"] not in grids or not item["errors"]:
            continue
        _title, grid = grids[item["path"]]
        name = _sheet_name(f"{number}_{item.get('school_code') or item['path'].rsplit('/', 1)[-1]}", used)
        sheet = workbook.add_worksheet(name)
        marks: dict[tuple[int, int], list[dict[str, Any]]] = {}
        for error in item["errors"]:
            position = _position(error.get("cell"))
            if position is not None:
                marks.setdefault(position, []).append(error)
        for r, values in enumerate(grid):
            for c, value in enumerate(values):
                errors = marks.get((r, c))
                fmt = None
                if errors:
                    fmt = bad if any(e["severity"] == "error" for e in errors) else warn
                _write(sheet, r, c, value, fmt)
        for (r, c), errors in marks.items():
            if r >= len(grid) or c >= len(grid[r] if r < len(grid) else []):
                _write(sheet, r, c, "", bad)
            sheet.write_comment(r, c, "\n".join(e["message"] for e in errors)[:2000],
                                {"x_scale": 3, "y_scale": 2, "author": "EduPulse"})
        sheet.set_column(0, 10, 18)
    workbook.close()
    return buffer.getvalue()


def _severity_label(severity: Any) -> str:
    return {"error": _("error"), "warning": _("warning")}.get(str(severity), "")


def _write(sheet: Any, row: int, col: int, value: Any, fmt: Any) -> None:
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value, fmt)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, fmt)
    elif isinstance(value, dt.datetime | dt.date):
        sheet.write_string(row, col, value.isoformat(), fmt)
    elif value is None or value == "":
        sheet.write_blank(row, col, None, fmt)
    else:
        sheet.write_string(row, col, str(value), fmt)


_REF = re.compile(r"^([A-Z]+)(\d+)$")


def _position(cell: Any) -> tuple[int, int] | None:
    match = _REF.match(str(cell or ""))
    if not match:
        return None
    col = 0
    for letter in match[1]:
        col = col * 26 + ord(letter) - 64
    return int(match[2]) - 1, col - 1


def _sheet_name(text: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", text)[:28]
    name, n = base, 1
    while name in used:
        n += 1
        name = f"{base[:25]}_{n}"
    used.add(name)
    return name
