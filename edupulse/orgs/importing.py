"""Importing schools from a spreadsheet: parse every row, report every problem, then all or nothing.

Headers may be the Chinese labels officials use or the field names. A code cell that Excel stored as a
number is refused with a message, because digits may already be lost; nothing is silently coerced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from edupulse.orgs.codes import SchoolCategory, SchoolType, UrbanRural
from edupulse.utilities.tabular import Table, cell_text

# Header text (Chinese or field name) → model field.
HEADERS: dict[str, str] = {
    "学校标识码": "code", "学校(机构)标识码": "code", "学校（机构）标识码": "code", "code": "code",
    "学校名称": "name", "名称": "name", "name": "name",
    "学校类别": "category", "类别": "category", "category": "category",
    "办学类型": "school_type", "school_type": "school_type",
    "所在县代码": "county_id", "县级行政区划代码": "county_id", "县代码": "county_id", "county": "county_id",
    "城乡分类": "urban_rural", "城乡分类代码": "urban_rural", "urban_rural": "urban_rural",
    "办别": "ownership", "ownership": "ownership",
    "地址": "address", "address": "address",
    "经度": "longitude", "longitude": "longitude", "纬度": "latitude", "latitude": "latitude",
    "联系人": "contact_name", "contact_name": "contact_name",
    "联系电话": "contact_phone", "contact_phone": "contact_phone",
}
REQUIRED = ("code", "name", "category", "county_id", "urban_rural")
CODE_FIELDS = {"code": 10, "county_id": 6, "category": 2, "school_type": 3, "urban_rural": 3}
_CHOICES = {
    "category": {**{v: v for v in SchoolCategory.values}, **{str(label): v for v, label in SchoolCategory.choices}},
    "school_type": {**{v: v for v in SchoolType.values}, **{str(label): v for v, label in SchoolType.choices}},
    "urban_rural": {**{v: v for v in UrbanRural.values}, **{str(label): v for v, label in UrbanRural.choices}},
    "ownership": {"public": "public", "private": "private", "公办": "public", "民办": "private"},
}
_LABELS = {v: k for k, v in HEADERS.items() if not k.isascii()}


@dataclass
class ParsedSchools:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def parse_schools(table: Table) -> ParsedSchools:
    result = ParsedSchools()
    if not table.rows:
        result.errors.append({"row": None, "cell": None, "field": None, "message": "文件是空的。"})
        return result
    header = [HEADERS.get(cell_text(h).replace(" ", ""), "") for h in table.rows[0]]
    missing = [f for f in REQUIRED if f not in header]
    if missing:
        result.errors.append({"row": 1, "cell": None, "field": None,
                              "message": "缺少必填列：" + "、".join(_LABELS.get(f, f) for f in missing)})
        return result
    for number, raw in enumerate(table.rows[1:], start=2):
        if all(cell_text(v) == "" for v in raw):
            continue
        row: dict[str, Any] = {}
        for col, field_name in enumerate(header):
            if not field_name or col >= len(raw):
                continue
            value = raw[col]
            cell = f"{_column_letter(col)}{number}"
            problem, cleaned = _clean(field_name, value, typed=table.typed)
            if problem:
                result.errors.append({"row": number, "cell": cell, "field": field_name, "value": str(value),
                                      "message": f"{_LABELS.get(field_name, field_name)}：{problem}"})
            elif cleaned not in ("", None):
                row[field_name] = cleaned
        for required in REQUIRED:
            if required not in row and not any(e["row"] == number and e["field"] == required for e in result.errors):
                result.errors.append({"row": number, "cell": None, "field": required, "value": "",
                                      "message": f"{_LABELS.get(required, required)}：必填，不能为空。"})
        result.rows.append(row)
    return result


def _clean(field_name: str, value: Any, *, typed: bool) -> tuple[str, Any]:
    if typed and isinstance(value, float | int) and not isinstance(value, bool) and field_name in CODE_FIELDS:
        return ("该单元格被 Excel 存成了数字，前导零等位数可能已丢失；请把该列设为“文本”格式后重新填写。", None)
    text = cell_text(value)
    if field_name in _CHOICES and text:
        mapped = _CHOICES[field_name].get(text)
        return ("", mapped) if mapped else (f"“{text}”不是有效的代码或名称。", None)
    if field_name in {"code", "county_id"} and text and not text.isdigit():
        return (f"“{text}”应当只包含数字。", None)
    if field_name in {"longitude", "latitude"} and text:
        try:
            return ("", Decimal(text))
        except InvalidOperation:
            return (f"“{text}”不是数字。", None)
    return ("", text)
