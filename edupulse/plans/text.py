"""The matching copy of a plan's text: simplified characters and ASCII punctuation, offset for offset.

Every parser module matches on the normalised copy and slices the original at the same offsets, so the
output keeps the document's own characters (traditional or simplified, full-width or not).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import opencc

# Full-width ASCII (！ to ～) maps one to one onto ASCII: "（一）" and "(一)", "１．" and "1." then match alike.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified with the same length: phrase conversion when it keeps the length (nearly
    always), otherwise character by character, keeping a character whose conversion changes the length."""
    converter = _converter()
    converted = converter.convert(text)
    if len(converted) == len(text):
        return converted
    chars = []
    for char in text:
        single = converter.convert(char)
        chars.append(single if len(single) == 1 else char)
    return "".join(chars)


def normalise(text: str) -> str:
    """The matching copy of ``text``: same length, simplified characters, ASCII digits and punctuation."""
    return to_simplified(text.translate(_FULL_WIDTH))


@dataclass(frozen=True)
class Passage:
    """A stretch of a plan (a task's text, a section's introduction): the original and its matching copy."""

    original: str
    norm: str

    def __post_init__(self) -> None:
        if len(self.original) != len(self.norm):
            raise ValueError("the matching copy must keep the original's length")

    @classmethod
    def of(cls, original: str) -> Passage:
        return cls(original, normalise(original))

    def __add__(self, other: Passage) -> Passage:
        return Passage(self.original + other.original, self.norm + other.norm)

    def __getitem__(self, key: slice) -> Passage:
        return Passage(self.original[key], self.norm[key])

    def __len__(self) -> int:
        return len(self.original)


def strip_span(norm: str, start: int, end: int, chars: str = " \t\r\n") -> tuple[int, int]:
    """``start``/``end`` moved inwards past ``chars``."""
    while start < end and norm[start] in chars:
        start += 1
    while end > start and norm[end - 1] in chars:
        end -= 1
    return start, end
