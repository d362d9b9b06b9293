"""Where things are in the Excel template; shared by the writer (workbook.py) and the reader (reader.py)."""

from __future__ import annotations

DATA_SHEET = "填报表"
INSTRUCTIONS_SHEET = "填表说明"
META_SHEET = "_edupulse"
META_MARKER = "edupulse-template"
LAYOUT_VERSION = "1"

TITLE_ROW = 0
SCHOOL_CODE_CELL = (1, 1)  # B2
SCHOOL_NAME_CELL = (2, 1)  # B3
PERIOD_CELL = (3, 1)  # B4
FORM_CELL = (4, 1)  # B5
HEADER_ROW = 6  # row 7
FIRST_DATA_ROW = 7  # row 8
COL_SECTION, COL_CODE, COL_LABEL, COL_UNIT, COL_VALUE, COL_HINT, COL_EXPLANATION = range(7)
HEADERS = ("分组", "指标代码", "指标名称", "单位", "填报值", "填写要求", "情况说明（触发提醒时必填）")

# Headers of the one-row-per-school table (CSV, or an xlsx without the template marker).
SCHOOL_CODE_HEADERS = frozenset({"学校标识码", "学校代码", "school_code"})
SCHOOL_NAME_HEADERS = frozenset({"学校名称", "school_name"})
PERIOD_HEADERS = frozenset({"统计期", "期间", "period"})
EXPLANATION_HEADERS = frozenset({"情况说明", "说明", "explanation"})


def cell_name(row: int, col: int) -> str:
    """Zero-based (row, col) to an A1 reference."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row + 1}"
