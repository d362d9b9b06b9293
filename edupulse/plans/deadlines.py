"""Deadlines (完成时限) written in a plan: "2023年3月6日", "2022年底", "到2017年底", "6月底前", "年底前".

A deadline is an ISO date (``2023-03-06``) or month (``2024-10``). Phrases without a year take the
document's year; without one they are not deadlines (None).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from edupulse.plans.numbering import chinese_number

_MONTH = r"(\d{1,2}|十[一二]?|[一二三四五六七八九])"
_YEAR = r"((?:19|20)\d{2})\s*年"
# Ordered by precedence: a longer, more specific phrase wins over the ones it contains.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("day", re.compile(rf"{_YEAR}\s*{_MONTH}\s*月\s*(\d{{1,2}})\s*日")),
    ("year_end", re.compile(rf"{_YEAR}\s*(?:年底|年末|底|末)")),
    ("year_month", re.compile(rf"(?:到|至|于|在|截至|截止|时限:)\s*{_YEAR}\s*{_MONTH}\s*月"
                              rf"|{_YEAR}\s*{_MONTH}\s*月\s*(?:底|末|份)?\s*(?:前|之前|底|末)")),
    ("by_year", re.compile(rf"(?:到|至|截至|截止|于)\s*{_YEAR}")),
    ("month", re.compile(rf"(?<![\d年]){_MONTH}\s*月\s*(?:底|末|份)?\s*(?:前|之前|底|末)")),
    ("this_year_end", re.compile(r"(?<![\d年])(?:年底|年末|年内|今年底)")),
    ("first_half", re.compile(r"上半年")),
)


@dataclass(frozen=True)
class Deadline:
    start: int
    end: int
    value: str  # ISO date or month


def _month(token: str) -> int:
    return int(chinese_number(token))


def _iso(kind: str, groups: list[str], year: int | None) -> str | None:
    try:
        if kind == "day":
            return dt.date(int(groups[0]), _month(groups[1]), int(groups[2])).isoformat()
        if kind in ("year_end", "by_year"):
            return f"{int(groups[0]):04d}-12"
        if kind == "year_month":
            month = _month(groups[1])
            return f"{int(groups[0]):04d}-{month:02d}" if 1 <= month <= 12 else None
        if year is None:
            return None
        if kind == "month":
            month = _month(groups[0])
            return f"{year:04d}-{month:02d}" if 1 <= month <= 12 else None
        if kind == "this_year_end":
            return f"{year:04d}-12"
        if kind == "first_half":
            return f"{year:04d}-06"
    except ValueError:
        return None
    return None


def find_deadlines(norm: str, year: int | None) -> list[Deadline]:
    """Every deadline phrase in ``norm`` (a normalised text), in order, without overlaps."""
    if "年" not in norm and "月" not in norm:
        return []  # every phrase names a year or a month: a cheap exit for the many passages without one
    found: list[Deadline] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(norm):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            groups = [g for g in match.groups() if g is not None]
            value = _iso(kind, groups, year)
            if value is not None:
                found.append(Deadline(match.start(), match.end(), value))
                taken.append((match.start(), match.end()))
    return sorted(found, key=lambda d: d.start)


def first_deadline(norm: str, year: int | None) -> str | None:
    found = find_deadlines(norm, year)
    return found[0].value if found else None


def cell_deadline(norm_cell: str, year: int | None) -> str | None:
    """The deadline in a 完成时限 cell, where a bare "2022年12月" or "2022年" is meant as a deadline."""
    # Read as if the cell said "到…": the column's heading already says it is a time limit.
    return first_deadline("到" + norm_cell.strip(), year)


def explicit_years(norm: str) -> list[int]:
    """The years of the explicit deadlines in ``norm`` ("到2017年底" → 2017): a plan's year when it names none."""
    return [int(d.value[:4]) for d in find_deadlines(norm, None)]
