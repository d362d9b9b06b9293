"""Turning what people type into clean values, with a clear message for everything that is not.

Shared by the Excel/CSV import and the online form. ``clean`` converts one raw cell (the Python value
python-calamine returns, or CSV text) for one field and either returns the value or raises
:class:`CellError` naming the rule (a stable code used in JSON reports) and a translated message.
``None`` means "not filled in"; whether that is allowed is decided by :func:`validation.check_values`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Any

from django.utils.translation import gettext as _

from edupulse.collection.definitions import FieldSpec

# What people write for "nothing": all read as 'not filled in'.
BLANK_MARKERS = frozenset({"", "无", "—", "——", "-", "--", "/", "／", "空", "暂无", "n/a", "na", "none", "null", "#n/a"})
TRUE_WORDS = frozenset({"是", "有", "y", "yes", "true", "1", "√", "✓", "已任命", "已接入"})
FALSE_WORDS = frozenset({"否", "没有", "n", "no", "false", "0", "×", "✗", "未任命", "未接入"})
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
EXCEL_EPOCH = dt.date(1899, 12, 30)
MIN_DATE, MAX_DATE = dt.date(1949, 10, 1), dt.date(2100, 12, 31)


class CellError(ValueError):
    """One bad cell: ``rule`` is a stable code for reports, ``message`` a translated sentence."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


def normalise_text(value: str) -> str:
    """NFKC folds full-width digits and signs (１２ → 12, ％ → %, ， → ,); then trim spaces."""
    return unicodedata.normalize("NFKC", value).strip().replace("\u3000", " ").strip()


def show(value: Any) -> str:
    """A raw value as the user would recognise it in a message."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def is_blank(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return normalise_text(raw).lower() in BLANK_MARKERS
    return False


def clean(field: FieldSpec, raw: Any, *, typed: bool) -> Any:
    """The clean value of ``raw`` for ``field``; ``typed`` is True for Excel cells (which carry a type).

    Returns None for an empty cell. Raises :class:`CellError` otherwise.
    """
    if is_blank(raw):
        return None
    if isinstance(raw, str):
        text = normalise_text(raw)
        if field.unit and field.type in {"integer", "decimal"} and text.lower().endswith(field.unit.lower()):
            text = text[: -len(field.unit)].strip()  # "100 Mbps", "45间"
    else:
        text = ""
    kind = field.type
    if kind in {"integer", "decimal"}:
        return _number(field, raw, text)
    if kind == "percent":
        return _percent(field, raw, text, typed=typed)
    if kind == "boolean":
        return _boolean(field, raw, text)
    if kind == "choice":
        return _choice(field, raw, text, typed=typed)
    if kind == "date":
        return _date(field, raw, text)
    return _text(field, raw, text, typed=typed)


def _label(field: FieldSpec) -> str:
    return f"“{field.label}”"


def _parse_number(field: FieldSpec, raw: Any, text: str) -> float:
    if isinstance(raw, bool):
        raise CellError("not_a_number", _("%(field)s must be a number, not “%(value)s”.")
                          % {"field": _label(field), "value": show(raw)})
    if isinstance(raw, int | float):
        number = float(raw)
    else:
        if isinstance(raw, dt.date | dt.datetime | dt.time):
            raise CellError("not_a_number", _("%(field)s must be a number, but the cell holds the date %(value)s.")
                              % {"field": _label(field), "value": raw})
        candidate = text.replace(",", "") if _THOUSANDS.match(text) else text
        if not _NUMBER.match(candidate):
            raise CellError("not_a_number", _("%(field)s must be a number, not “%(value)s”.")
                              % {"field": _label(field), "value": show(raw)})
        number = float(candidate)
    if math.isnan(number) or math.isinf(number):
        raise CellError("not_a_number", _("%(field)s must be a number, not “%(value)s”.")
                          % {"field": _label(field), "value": show(raw)})
    return number


def _number(field: FieldSpec, raw: Any, text: str) -> float | int:
    number = _parse_number(field, raw, text)
    if field.type == "integer":
        if not float(number).is_integer():
            raise CellError("not_integer", _("%(field)s must be a whole number, not %(value)s.")
                              % {"field": _label(field), "value": show(number)})
        return int(number)
    return round(number, field.decimals)


def _percent(field: FieldSpec, raw: Any, text: str, *, typed: bool) -> float:
    if text.endswith("%"):
        number = _parse_number(field, text[:-1], text[:-1].strip())
        return round(number, 4)
    number = _parse_number(field, raw, text)
    if typed and isinstance(raw, int | float) and not isinstance(raw, bool):
        # Template cells are formatted as percentages, so Excel stores 95% as 0.95. A value above 1
        # cannot be a fraction (that would exceed 100%), so it is already in percentage points.
        return round(number * 100 if 0 <= number <= 1 else number, 4)
    if 0 < number <= 1:
        raise CellError("ambiguous_percent",
                          _("%(field)s is %(value)s: write it as a percentage such as 95%% (or 95), because "
                            "%(value)s could mean %(value)s%% or %(fraction)s%%.")
                          % {"field": _label(field), "value": show(number), "fraction": show(round(number * 100, 4))})
    return round(number, 4)


def _boolean(field: FieldSpec, raw: Any, text: str) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    word = text.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError("bad_boolean", _("%(field)s must be 是 or 否, not “%(value)s”.")
                      % {"field": _label(field), "value": show(raw)})


def _choice(field: FieldSpec, raw: Any, text: str, *, typed: bool) -> str:
    codes = {c.code for c in field.choices}
    allowed = "、".join(f"{c.code} {c.label}" for c in field.choices)
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        as_text = show(raw)
        if as_text in codes:
            return as_text
        padded = [c for c in codes if c.isdigit() and c.lstrip("0") == as_text.lstrip("0") and c != as_text]
        if padded:
            raise CellError("code_lost_leading_zero",
                              _("%(field)s holds the number %(value)s: the code %(code)s lost its leading zero "
                                "(the cell was stored as a number). Choose from the drop-down or type the "
                                "code as text.") % {"field": _label(field), "value": as_text, "code": padded[0]})
        raise CellError("bad_choice", _("%(field)s: “%(value)s” is not in the code list (%(allowed)s).")
                          % {"field": _label(field), "value": as_text, "allowed": allowed})
    if text in codes:
        return text
    for choice in field.choices:
        if text in {choice.label, f"{choice.code} {choice.label}", f"{choice.code}{choice.label}"}:
            return choice.code
    if text.isdigit():
        padded = [c for c in codes if c.isdigit() and len(c) > len(text) and c.lstrip("0") == text.lstrip("0")]
        if padded:
            raise CellError("code_lost_leading_zero",
                              _("%(field)s holds “%(value)s”: the code %(code)s lost its leading zero. Write "
                                "the code in full.") % {"field": _label(field), "value": text, "code": padded[0]})
    raise CellError("bad_choice", _("%(field)s: “%(value)s” is not in the code list (%(allowed)s).")
                      % {"field": _label(field), "value": show(raw), "allowed": allowed})


def excel_serial_to_date(serial: float) -> dt.date | None:
    if not 1 <= serial <= 2958465 or not float(serial).is_integer():
        return None
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def _date(field: FieldSpec, raw: Any, text: str) -> str:
    value: dt.date | None = None
    if isinstance(raw, dt.datetime):
        value = raw.date()
    elif isinstance(raw, dt.date):
        value = raw
    elif isinstance(raw, int | float) and not isinstance(raw, bool):
        # An Excel serial number (days since 1899-12-30): what a date becomes when its format is lost.
        value = excel_serial_to_date(float(raw))
    else:
        if text.isdigit() and len(text) == 5:
            value = excel_serial_to_date(float(text))
        for pattern in _DATE_PATTERNS:
            match = pattern.match(text)
            if match:
                try:
                    value = dt.date(int(match[1]), int(match[2]), int(match[3]))
                except ValueError:
                    value = None
                break
    if value is None:
        raise CellError("bad_date", _("%(field)s: “%(value)s” is not a date; write it like 2022-09-01.")
                          % {"field": _label(field), "value": show(raw)})
    if not MIN_DATE <= value <= MAX_DATE:
        raise CellError("bad_date", _("%(field)s: the date %(value)s is out of range.")
                          % {"field": _label(field), "value": value.isoformat()})
    return value.isoformat()


def _text(field: FieldSpec, raw: Any, text: str, *, typed: bool) -> str:
    if typed and isinstance(raw, int | float) and not isinstance(raw, bool):
        raise CellError("number_in_text_cell",
                          _("%(field)s was stored by Excel as the number %(value)s; leading zeros (such as the 0 of "
                            "an area code) may be lost. Format the cell as text and type it again.")
                          % {"field": _label(field), "value": show(raw)})
    value = text if isinstance(raw, str) else str(raw)
    if len(value) > field.max_length:
        raise CellError("too_long", _("%(field)s is longer than %(max)d characters.")
                          % {"field": _label(field), "max": field.max_length})
    return value
