"""Keyword and domain lists, matched with Aho-Corasick (pyahocorasick): one pass per text whatever the list size.

The lists ship as data files in ``probes/data/`` (one entry per line, ``#`` comments). Matching is
case-insensitive and ignores zero-width characters, so ``博\u200b彩`` still matches ``博彩``.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import ahocorasick

from edupulse.monitoring.probes.html import strip_zero_width

DATA_DIR = Path(__file__).parent / "data"

#: Words that, a few characters before a listed word in the same clause, make it a warning, not an offer:
#: "远离赌博", "抵制网络赌博和色情信息", "严禁发布博彩、色情等违法信息". Used for page text and for the text of
#: visible same-site links (news titles); NOT for external, hidden or script-written links, nor link URLs — a
#: link to another site whose text is a gambling word is not a warning. Traditional forms are included.
WARNING_CONTEXT: tuple[str, ...] = (
    "远离", "抵制", "严禁", "禁止", "打击", "严厉打击", "防范", "拒绝", "杜绝", "警惕", "反对", "不得", "谨防", "预防",
    "整治", "举报", "防止", "严防", "揭批", "揭露", "治理", "查处", "取缔",
    # after the word as often as before it: "赌博是违法行为", "刷单就是诈骗", "“赌博的危害”专题讲座"
    "非法", "违法", "违禁", "犯罪", "诈骗", "骗局", "危害", "警示", "邪教", "歪理邪说", "不要", "切勿", "黄赌毒", "害人",
    "遠離", "嚴禁", "打擊", "拒絕", "杜絕", "反對", "謹防", "預防", "舉報", "防範", "違法", "詐騙", "騙局", "危害",
)
#: Ordinary words that contain a listed one: "红色情怀" is not 色情, "新时代考验" is not 代考. Masked before
#: matching (``data/benign_compounds.txt``).
#: Clause ends: a warning word before one of these does not reach the words after it.
CLAUSE_ENDS = "。！？；，!?;,\n"

#: Registrable-domain suffixes of sites whose links are trusted when hidden or written by a script: government
#: and education sites (their hidden links are drop-downs and popups), ICP/公安 filing badges, reporting
#: centres, WeChat/Weibo share popups and the state news sites schools link to. A trusted link matching the
#: gambling/porn lists is still a dark link. Matched as ``host == suffix`` or ``host.endswith("." + suffix)``.
TRUSTED_LINK_DOMAINS: tuple[str, ...] = (
    "gov.cn",  # incl. beian.gov.cn (公安备案), miit.gov.cn (ICP 备案), moe.gov.cn
    "edu.cn",
    "12377.cn",  # 违法和不良信息举报中心
    "cyberpolice.cn",  # 网络警察
    "conac.cn",  # 党政机关网站标识
    "qq.com",  # WeChat (weixin.qq.com, mp.weixin.qq.com) and QQ popups
    "weibo.com",
    "people.com.cn",
    "xinhuanet.com",
    "news.cn",
    "cctv.com",
    "jyb.cn",  # 中国教育新闻网
    "eol.cn",  # 中国教育在线
    "chsi.com.cn",  # 学信网
    "smartedu.cn",  # 国家智慧教育平台
    "12371.cn",  # 共产党员网
    "yunmd.net",  # 云盲道 accessibility toolbar
    "cnzz.com",  # statistics badges written by their scripts (站长统计)
    "51.la",
    "umeng.com",
)


def read_list(path: Path) -> tuple[str, ...]:
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip().lower()
        if word:
            words.append(word)
    return tuple(dict.fromkeys(words))


def _automaton(words: tuple[str, ...]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for word in words:
        automaton.add_word(word, word)
    if words:
        automaton.make_automaton()
    return automaton


_Trie = dict[str, "_Trie"]  # character → the rest of the words; "" marks the end of a word


def _trie_pattern(words: tuple[str, ...]) -> str:
    """A regex matching wherever one of ``words`` starts, as a trie (``六合彩|六合`` → ``六合``): a text position
    that starts no word is rejected on its first character, and no alternative is tried twice."""
    trie: _Trie = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here

    def pattern(node: _Trie) -> str:
        if "" in node:
            return ""  # a word ends here: whatever follows, some word occurs
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items())]
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return pattern(trie)


def _screen(words: tuple[str, ...], benign: tuple[str, ...]) -> re.Pattern[str] | None:
    """A regex that finds whether any of ``words`` occurs in a text, or None when that would not settle the match.

    With ``benign`` compounds a matcher scans a text twice (the benign ones to blank out, then the words). On a
    clean page nothing is found: one search of this regex (several times faster than the automaton on Chinese
    text, which rarely holds a character that starts a listed word) says so, and both scans are skipped. That
    is exact when blanking cannot create a word: every blanked run is at least as long as the shortest benign
    compound, so it can only lie inside a word that has that many spaces in a row between non-space ends.
    """
    if not words or not benign:
        return None
    blanked = " " * min(map(len, benign))
    if any(not word or word != word.strip(" ") or blanked in word for word in words):
        return None
    return re.compile(_trie_pattern(words))


class WordMatcher:
    """An Aho-Corasick automaton over a word list; ``benign`` compounds (which contain a listed word but mean
    something else) are blanked out first, keeping every other character where it was."""

    def __init__(self, words: tuple[str, ...], benign: tuple[str, ...] = ()) -> None:
        self.words = words
        self._automaton = _automaton(words)
        self._benign = _automaton(benign) if benign else None
        self._screen = _screen(words, benign)

    def _masked(self, text: str) -> str:
        if self._benign is None:
            return text
        hits = list(self._benign.iter(text))
        if not hits:  # the usual case
            return text
        chars = list(text)
        for end, word in hits:
            chars[end - len(word) + 1 : end + 1] = " " * len(word)
        return "".join(chars)

    def _surely_clean(self, lowered: str) -> bool:
        """Whether ``lowered`` (lower case, no zero-width characters) holds no listed word (``_screen``); False
        when it may hold one, or this matcher has no screen."""
        return self._screen is not None and self._screen.search(lowered) is None

    def find(self, text: str) -> list[str]:
        """Distinct words found in ``text``, in order of first appearance."""
        if not self.words or not text:
            return []
        lowered = strip_zero_width(text).lower()
        if self._surely_clean(lowered):
            return []
        return list(dict.fromkeys(word for _end, word in self._automaton.iter(self._masked(lowered))))

    def positions(self, text: str) -> list[tuple[int, str]]:
        """(start index, word) of every match in ``text``, which the caller has already lower-cased and stripped
        of zero-width characters (indices refer to it)."""
        if not self.words or not text or self._surely_clean(text):
            return []
        return [(end - len(word) + 1, word) for end, word in self._automaton.iter(self._masked(text))]


def in_warning_context(text: str, start: int, lookback: int, end: int | None = None, lookahead: int = 0) -> bool:
    """Whether a warning word (``WARNING_CONTEXT``) stands in the same clause as the word at ``start:end``, within
    ``lookback`` characters before it or ``lookahead`` after it: "远离赌博", "赌博是违法行为" → True,
    "澳门赌场 在线博彩" → False. ``text`` is lower-cased."""
    before = text[max(0, start - lookback) : start]
    for stop in CLAUSE_ENDS:
        cut = before.rfind(stop)
        if cut >= 0:
            before = before[cut + 1 :]
    after = text[end : end + lookahead] if end is not None and lookahead else ""
    for stop in CLAUSE_ENDS:
        cut = after.find(stop)
        if cut >= 0:
            after = after[:cut]
    context = before + "\n" + after
    return bool(context.strip()) and warnings().find(context) != []


@cache
def warnings() -> WordMatcher:
    return WordMatcher(tuple(dict.fromkeys(WARNING_CONTEXT)))


_TRUSTED_HOSTS = frozenset(TRUSTED_LINK_DOMAINS)
_TRUSTED_SUFFIXES = tuple("." + suffix for suffix in TRUSTED_LINK_DOMAINS)


def is_trusted_host(host: str) -> bool:
    """Whether ``host`` belongs to ``TRUSTED_LINK_DOMAINS``."""
    host = host.lower().rstrip(".")
    return host in _TRUSTED_HOSTS or host.endswith(_TRUSTED_SUFFIXES)


@cache
def benign_compounds() -> tuple[str, ...]:
    return read_list(DATA_DIR / "benign_compounds.txt")


@cache
def keywords() -> WordMatcher:
    return WordMatcher(read_list(DATA_DIR / "gambling_porn_keywords.txt"), benign_compounds())


@cache
def bad_domains() -> WordMatcher:
    return WordMatcher(read_list(DATA_DIR / "gambling_porn_domains.txt"))


@cache
def sensitive_words() -> WordMatcher:
    return WordMatcher(read_list(DATA_DIR / "sensitive_words.txt"), benign_compounds())
