"""GB/T 2260 region codes with their validity years, for the region part of ID numbers.

The table is python-stdnum's ``stdnum/cn/loc.dat`` read as data (not through stdnum's lookup functions,
so that the check runs in SQL over millions of rows). A line ``  0103 county="[-2010]崇文区"`` under
``11 province="北京市"`` says: 110103 was valid until 2010. A county line may list several names with
their years (``[-1991]东郊区,[1992-]东丽区``); a name without brackets is valid in every year.

The rule (the same as ``stdnum.cn.ric.get_birth_place``): the region part of an ID is valid when the code
was valid in the birth year; a code abolished later stays valid for people born before.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

# The earliest and latest years stored for an open range: ID numbers of people born before 1900 or after
# 9999 do not occur in the base data.
OPEN_START = 0
OPEN_END = 9999
_ENTRY = re.compile(r'^(?P<indent>\s*)(?P<code>\d+)\s+(?P<attr>province|county)="(?P<value>[^"]*)"')
_SPAN = re.compile(r"^\[(?P<start>\d*)-(?P<end>\d*)\]")


@dataclass(frozen=True)
class RegionSpan:
    """A six-digit code valid from ``start`` to ``end`` (inclusive years)."""

    code: str
    start: int
    end: int


def _spans(value: str) -> list[tuple[int, int]]:
    """The year ranges of a county entry; a name without brackets is valid in every year."""
    spans = []
    for part in value.split(","):
        match = _SPAN.match(part)
        if match is None:
            return [(OPEN_START, OPEN_END)]
        spans.append((int(match["start"] or OPEN_START), int(match["end"] or OPEN_END)))
    return spans


@functools.cache
def region_spans() -> tuple[RegionSpan, ...]:
    """Every six-digit code of ``loc.dat`` with the years it was valid (one row per range)."""
    text = resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    rows: list[RegionSpan] = []
    province = ""
    for line in text.splitlines():
        match = _ENTRY.match(line)
        if match is None:
            continue
        if match["attr"] == "province":
            province = match["code"]
            continue
        code = province + match["code"]
        rows.extend(RegionSpan(code, start, end) for start, end in _spans(match["value"]))
    return tuple(rows)
