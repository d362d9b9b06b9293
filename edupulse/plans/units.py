"""Responsible units (责任单位) of a task: "（责任单位：信保处、省电教馆）", "牵头单位：… 配合单位：…",
and trailing lists such as "（信保处牵头，财务处配合）" or "（省教育厅、省财政厅负责）".

Functions take a ``Passage`` and return the unit names as written in the original, lead units first.
"""

from __future__ import annotations

import re

from edupulse.plans.text import Passage, strip_span

_LABEL = r"(?:责任单位|责任部门|责任处室|牵头单位|牵头部门|牵头处室|配合单位|配合部门|参与单位|协办单位|主责单位|负责单位)"
# A label, then its names up to the next label, a closing bracket or the end of the sentence (bounded).
_LABELLED = re.compile(rf"{_LABEL}\s*:\s*([^():;。\n]{{1,300}}?)\s*(?=[);。\n]|{_LABEL}|$)")
# "（信保处牵头，财务处配合）", "（省教育厅、省财政厅负责）": a bracket at the end of a paragraph.
_TRAILING = re.compile(r"\(([^()\n]{2,200})\)\s*[。.]?\s*$")
_ROLE_WORD = re.compile(r"(牵头|配合|负责|参与|协助|共同)")
_SEPARATOR = re.compile(r"[、,;，；/]|和|及")


def _names(passage: Passage, start: int, end: int) -> list[str]:
    """The names between ``start`` and ``end``, split at 、 , ; 和 及 与."""
    names = []
    cut = start
    for match in _SEPARATOR.finditer(passage.norm, start, end):
        names.append(_name(passage, cut, match.start()))
        cut = match.end()
    names.append(_name(passage, cut, end))
    return [name for name in names if name]


def _name(passage: Passage, start: int, end: int) -> str:
    start, end = strip_span(passage.norm, start, end, " \t\r\n等")
    return passage.original[start:end]


def responsible_units(passage: Passage) -> list[str]:
    """The responsible units named in ``passage``, lead units first, each once."""
    units: list[str] = []
    labelled = list(_LABELLED.finditer(passage.norm))
    lead = [m for m in labelled if "牵头" in m.group(0)[:6]]
    for match in lead + [m for m in labelled if m not in lead]:
        units += _names(passage, match.start(1), match.end(1))
    if not labelled:
        units += _trailing_units(passage)
    return list(dict.fromkeys(units))


def _trailing_units(passage: Passage) -> list[str]:
    """Units in a final bracket whose parts end with a role word: "（A、B牵头，C配合）"."""
    units: list[str] = []
    for line_start, line in _lines(passage.norm):
        match = _TRAILING.search(line)
        if not match or not _ROLE_WORD.search(match.group(1)):
            continue
        inner_start = line_start + match.start(1)
        cut = inner_start
        for role in _ROLE_WORD.finditer(passage.norm, inner_start, line_start + match.end(1)):
            units += _names(passage, cut, role.start())
            cut = role.end()
    return units


def _lines(norm: str) -> list[tuple[int, str]]:
    lines, offset = [], 0
    for line in norm.split("\n"):
        lines.append((offset, line))
        offset += len(line) + 1
    return lines
