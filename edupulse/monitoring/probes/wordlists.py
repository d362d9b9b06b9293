"""Keyword and domain lists, matched with Aho-Corasick (pyahocorasick): one pass per text whatever the list size.

The lists ship as data files in ``probes/data/`` (one entry per line, ``#`` comments). Matching is
case-insensitive and ignores zero-width characters, so ``博\u200b彩`` still matches ``博彩``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import ahocorasick

from edupulse.monitoring.probes.html import strip_zero_width

DATA_DIR = Path(__file__).parent / "data"


def read_list(path: Path) -> tuple[str, ...]:
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip().lower()
        if word:
            words.append(word)
    return tuple(dict.fromkeys(words))


class WordMatcher:
    """An Aho-Corasick automaton over a word list."""

    def __init__(self, words: tuple[str, ...]) -> None:
        self.words = words
        self._automaton = ahocorasick.Automaton()
        for word in words:
            self._automaton.add_word(word, word)
        if words:
            self._automaton.make_automaton()

    def find(self, text: str) -> list[str]:
        """Distinct words found in ``text``, in order of first appearance."""
        if not self.words or not text:
            return []
        found: dict[str, None] = {}
        for _end, word in self._automaton.iter(strip_zero_width(text).lower()):
            found.setdefault(word, None)
        return list(found)


@cache
def keywords() -> WordMatcher:
    return WordMatcher(read_list(DATA_DIR / "gambling_porn_keywords.txt"))


@cache
def bad_domains() -> WordMatcher:
    return WordMatcher(read_list(DATA_DIR / "gambling_porn_domains.txt"))


@cache
def sensitive_words() -> WordMatcher:
    return WordMatcher(read_list(DATA_DIR / "sensitive_words.txt"))
