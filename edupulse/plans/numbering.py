"""Heading numbers of a work plan: 一、 → （一） → 1. / 1． / 1、 → （1） → ①.

Matching runs on the normalised line (ASCII punctuation), so "（一）" and "(一)" are the same level.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import cn2an

CN_DIGITS = "零〇一二两三四五六七八九十百千万"
_CN = "[一二三四五六七八九十]{1,3}"
# Each pattern is anchored and bounded (a few characters), so a hostile line costs nothing.
LEVELS: tuple[re.Pattern[str], ...] = (
    re.compile(rf"^\s*({_CN})\s*、"),
    re.compile(rf"^\s*\(\s*({_CN})\s*\)"),
    # "1." but not "2.0" (a version) nor "2022年"; "1、" is the same level.
    re.compile(r"^\s*(\d{1,3})\s*[.、](?!\d)"),
    re.compile(r"^\s*\(\s*(\d{1,3})\s*\)"),
    re.compile(r"^\s*([①-⑳])"),
)
SECTION_LEVEL = 1


@dataclass(frozen=True)
class Heading:
    """A heading number found at the start of a line."""

    level: int  # 1 = 一、 … 5 = ①
    ordinal: int  # the number's value: （三） → 3
    end: int  # where the marker ends in the line (the title starts after it)


def heading(norm_line: str) -> Heading | None:
    """The heading number at the start of ``norm_line``, or None."""
    for level, pattern in enumerate(LEVELS, start=1):
        match = pattern.match(norm_line)
        if match:
            token = match.group(1)
            return Heading(level, ordinal_value(token), match.end())
    return None


def ordinal_value(token: str) -> int:
    """The value of a heading number: "十二" → 12, "3" → 3, "③" → 3."""
    if token.isdigit() and token.isascii():
        return int(token)
    if "①" <= token <= "⑳":
        return ord(token) - ord("①") + 1
    return int(cn2an.cn2an(token, "smart"))


def chinese_number(token: str) -> float:
    """A number written in Chinese numerals or Arabic digits: "八十五" → 85, "两" → 2, "12" → 12."""
    token = token.replace("〇", "零")
    if token.replace(".", "", 1).isdigit():
        return float(token)
    if token == "两":
        return 2.0
    return float(cn2an.cn2an(token.replace("两", "二"), "smart"))
