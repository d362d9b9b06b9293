"""Quantified targets (目标) in a plan's text: "高校门户网站 IPv6 支持率达到 100%", "创建率超90%",
"为全省90%以上的教师和60%初中以上的学生开通网络学习空间", "建设100所智慧校园示范校", "全覆盖", "千兆进校".

A target is a subject, a comparator, a number, a unit, the population it is about, a deadline and the exact
stretch of the original text it was read from. Matching runs on the passage's normalised copy; every field
except the synthetic bandwidth subjects is sliced from the original at the same offsets.

Work is linear in the passage: clause and list boundaries and quotation marks are looked for in a bounded
window around each number, and at most ``MAX_TARGETS`` are read, so a hostile multi-megabyte line costs a scan.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from edupulse.plans.deadlines import Deadline, find_deadlines
from edupulse.plans.numbering import chinese_number
from edupulse.plans.text import Passage, strip_span

_CN_NUM = "[两二三四五六七八九十百千万零〇一]{1,8}"
_VALUE = re.compile(
    r"(?P<cover>全覆盖)"
    r"|(?P<band>万兆|千兆|百兆)(?:进|到)(?P<where>校|班|教室|桌面)"
    r"|百分之(?P<pcn>[零〇一二两三四五六七八九十百点]{1,8})"
    r"|(?P<pv>\d{1,6}(?:\.\d{1,3})?)\s{0,2}%"
    r"|比\s{0,2}(?:达到|为|达|不低于|不高于)?\s{0,2}(?P<r1>\d{1,4})\s{0,2}:\s{0,2}(?P<r2>\d{1,4})"
    rf"|(?P<qv>\d{{1,7}}(?:\.\d{{1,3}})?|{_CN_NUM})"
    rf"(?:\s{{0,2}}[~\-—至到]\s{{0,2}}(?P<qv2>\d{{1,7}}|{_CN_NUM}))?"
    r"\s{0,2}(?P<unit>个工作日|个百分点|学时|课时|Mbps|Gbps|所|个|间|门|次|项|名|家|台|套|场|人次|小时)"
)
# Comparator words before a number, longest first ("不超过" before "超过").
_BEFORE = (
    ("不低于", ">="), ("不少于", ">="), ("不小于", ">="), ("至少", ">="),
    ("不超过", "<="), ("不高于", "<="), ("不多于", "<="), ("不大于", "<="), ("最多", "<="),
    ("超过", ">"), ("高于", ">"), ("大于", ">"), ("多于", ">"), ("超", ">"),
    ("低于", "<"), ("少于", "<"), ("小于", "<"), ("不足", "<"),
    ("提高到", "="), ("提升到", "="), ("达到", "="), ("达", "="), ("为", "="),
)
_AFTER = (("以上", ">="), ("以内", "<="), ("以下", "<="))
# Verbs that make a count a commitment ("建设100所", "遴选2~3个"); without one a count is description
# ("做好11个国家乡村振兴重点帮扶县…").
_TARGET_VERB = re.compile(
    "建设|建成|创建|培育|制作|遴选|举办|新增|认定|打造|开设|完成|组建|推出|开发|招收|录制|评选|培训|覆盖|达到|实现"
)
# Words that open a subject but are not part of it: list markers, adverbs, years, verbs.
_LEAD = re.compile(
    r"\s+|[一二三四五六七八九十]{1,2}是|其中|力争|确保|争取|计划|继续|基本|全面|逐步|进一步|全部|努力|使|为|将"
    r"|到\s{0,2}\d{4}\s{0,2}年(?:底|末)?(?:前)?|\d{4}\s{0,2}年(?:底|末)?(?:前)?|年底前|年内"
    r"|实现|完成|达到|建设|建成|创建|培育|制作|遴选|举办|开展|新增|认定|打造|开设|组建|推出|开发|建立"
)
_POPULATION = re.compile(
    "初中以上的学生|普通高校|本科高校|高等学校|高校|职业院校|中等职业学校|职业学校|中职学校|中小学校|中小学"
    "|义务教育学校|幼儿园|教师|学生|学校"
)
# Verbs that end a population in "90%以上的教师和60%初中以上的学生开通网络学习空间".
_POPULATION_END = re.compile("开通|实现|达到|参加|接受|完成|使用|具备|配备|拥有|掌握|参与|享受|获得|覆盖|和|及|与|、")
_BANDWIDTH = {"万兆": 10000.0, "千兆": 1000.0, "百兆": 100.0}
_BANDWIDTH_SUBJECT = {"校": "学校接入带宽", "班": "班级接入带宽", "教室": "教室接入带宽", "桌面": "桌面接入带宽"}
_SENTENCE = re.compile(r"[^。;!?\n]+")
_MAX_SUBJECT = 60
MAX_TARGETS = 200


@dataclass(frozen=True)
class Target:
    subject: str
    comparator: str  # one of >=, >, <=, <, =
    value: float
    unit: str
    population: str | None
    deadline: str | None
    span: str
    start: int  # offsets of ``span`` in the passage
    end: int


_CLAUSE_STOP = ",;:。!?\n"
_ITEM_STOP = ",;:。!?\n、和及("
_WINDOW = 200  # how far a clause is looked for around a number: subjects are capped far below this


class _Marks:
    """Boundaries around a number, looked up in a bounded window (a hostile line costs a constant per number)."""

    def __init__(self, norm: str, deadlines: list[Deadline]) -> None:
        self.norm = norm
        self.deadlines = deadlines
        self.deadline_ends = [d.end for d in deadlines]

    def _before(self, stops: str, position: int, floor: int) -> int:
        low = max(floor, position - _WINDOW)
        for index in range(position - 1, low - 1, -1):
            if self.norm[index] in stops:
                return index + 1
        return low

    def _after(self, stops: str, position: int, ceiling: int) -> int:
        high = min(ceiling, position + _WINDOW)
        for index in range(position, high):
            if self.norm[index] in stops:
                return index
        return high

    def clause_start(self, position: int, floor: int) -> int:
        return self._before(_CLAUSE_STOP, position, floor)

    def clause_end(self, position: int, ceiling: int) -> int:
        return self._after(_CLAUSE_STOP, position, ceiling)

    def item_start(self, position: int, floor: int) -> int:
        return self._before(_ITEM_STOP, position, floor)

    def item_end(self, position: int, ceiling: int) -> int:
        return self._after(_ITEM_STOP, position, ceiling)

    def quoted(self, position: int, floor: int) -> bool:
        """Inside “…”, 《…》 or "…" opened earlier in the sentence (within the window)."""
        before = self.norm[max(floor, position - _WINDOW):position]
        opened = sum(before.count(c) for c in "“《‘「") - sum(before.count(c) for c in "”》’」")
        return opened > 0 or before.count('"') % 2 == 1

    def deadline_before(self, position: int, floor: int) -> str | None:
        index = bisect.bisect_right(self.deadline_ends, position) - 1
        if index >= 0 and self.deadlines[index].start >= floor:
            return self.deadlines[index].value
        return None


def extract_targets(passage: Passage, year: int | None, deadline: str | None = None,
                    deadlines: list[Deadline] | None = None) -> list[Target]:
    """The targets in ``passage``, in order. ``deadline`` applies to targets whose sentence names none;
    ``deadlines`` are the passage's deadline phrases when the caller has found them already."""
    norm = passage.norm
    marks = _Marks(norm, find_deadlines(norm, year) if deadlines is None else deadlines)
    found: list[Target] = []
    for sentence in _SENTENCE.finditer(norm):
        reader = _SentenceReader(passage, marks, sentence.start(), sentence.end(), deadline)
        for match in _VALUE.finditer(norm, sentence.start(), sentence.end()):
            found += reader.read(match)
            if len(found) >= MAX_TARGETS:
                return found
    return found


class _SentenceReader:
    """Reads the targets of one sentence; remembers the last population named (it carries over clauses)."""

    def __init__(self, passage: Passage, marks: _Marks, start: int, end: int, deadline: str | None) -> None:
        self.passage, self.norm, self.marks = passage, passage.norm, marks
        self.start, self.end, self.default_deadline = start, end, deadline
        self.population: tuple[int, int] | None = None

    def read(self, match: re.Match[str]) -> list[Target]:
        if self.marks.quoted(match.start(), self.start) or self._glued(match):
            return []
        if match.group("cover"):
            return self._cover(match)
        if match.group("band"):
            return self._band(match)
        if match.group("pv") or match.group("pcn"):
            return self._percent(match)
        if match.group("r1"):
            return self._ratio(match)
        return self._count(match)

    def _glued(self, match: re.Match[str]) -> bool:
        """A number that is part of a word ("IPv6", "2.0版") or an ordinal ("第十二个")."""
        before = self.norm[match.start() - 1] if match.start() > 0 else ""
        return bool(before) and ((before.isascii() and (before.isalnum() or before == ".")) or before == "第")

    # --- the kinds of target -------------------------------------------------------------------------

    def _cover(self, match: re.Match[str]) -> list[Target]:
        item_start = self.marks.item_start(match.start(), self.start)
        text = self.norm[item_start:match.start()]
        cut = text.rfind("实现")
        if cut >= 0 and text[cut + 2:].strip():
            subject = (item_start + cut + 2, match.start())
        elif cut >= 0:
            subject = (item_start, item_start + cut)
        else:
            subject = (item_start, match.start())
        subject = self._trim(*subject)
        return [self._target(subject, ">=", 100.0, "%", match.start(), match.end(), span=(subject[0], match.end()))]

    def _band(self, match: re.Match[str]) -> list[Target]:
        value = _BANDWIDTH[match.group("band")]
        target = self._target(None, ">=", value, "Mbps", match.start(), match.end(),
                              span=(match.start(), match.end()))
        return [_with_subject(target, _BANDWIDTH_SUBJECT[match.group("where")])]

    def _percent(self, match: re.Match[str]) -> list[Target]:
        value = float(match.group("pv")) if match.group("pv") else chinese_number(match.group("pcn").replace("点", "."))
        clause_end = self.marks.clause_end(match.end(), self.end)
        after = match.end()
        comparator = self._comparator_before(match.start())[0]
        for word, symbol in _AFTER:
            if self.norm.startswith(word, after):
                comparator, after = symbol, after + len(word)
                break
        rest = self.norm[after:clause_end]
        if rest.startswith("的") or (rest and _is_cjk(rest[0]) and rest[0] not in "和及与或、左"):
            return self._share(match, value, comparator, after, clause_end)
        return [self._before_subject(match, value, "%", comparator, after)]

    def _share(self, match: re.Match[str], value: float, comparator: str, after: int, clause_end: int
               ) -> list[Target]:
        """"90%以上的教师…开通网络学习空间": the population follows the number, the subject is the predicate."""
        pop_start = after + 1 if self.norm.startswith("的", after) else after
        stop = _POPULATION_END.search(self.norm, pop_start, clause_end)
        pop_end = stop.start() if stop else clause_end
        population = strip_span(self.norm, pop_start, pop_end)
        verb = re.compile("开通|实现|达到|参加|接受|完成|使用|具备|配备|拥有|掌握|参与|享受|获得|覆盖")
        predicate = verb.search(self.norm, pop_end, clause_end)
        subject = strip_span(self.norm, predicate.start(), clause_end) if predicate else population
        self.population = population if population[1] > population[0] else self.population
        return [self._target(subject, comparator, value, "%", match.start(), match.end(),
                             span=(match.start(), population[1]), population=population)]

    def _ratio(self, match: re.Match[str]) -> list[Target]:
        left, right = float(match.group("r1")), float(match.group("r2"))
        if right == 0:
            return []
        unit_start = match.start("r1")
        target = self._before_subject(match, round(left / right, 4), self.passage.original[unit_start:match.end()],
                                      "=", match.end(), subject_end=match.start() + 1)
        return [target]

    def _count(self, match: re.Match[str]) -> list[Target]:
        token = match.group("qv")
        if token == "一":
            return []  # "一门", "一个": an article more often than a count
        after = match.end()
        clause_start = self.marks.clause_start(match.start(), self.start)
        comparator, _ = self._comparator_before(match.start())
        has_comparator = comparator != "=" or self.norm[clause_start:match.start()].rstrip().endswith(("达到", "为"))
        for word, symbol in _AFTER:
            if self.norm.startswith(word, after):
                follower = self.norm[after + len(word):after + len(word) + 1]
                if follower and _is_cjk(follower) and follower != "的":
                    return []  # "10Mbps以上宽带接入比例": a qualifier of another target's subject
                comparator, has_comparator, after = symbol, True, after + len(word)
                break
        if not has_comparator and not _TARGET_VERB.search(self.norm, clause_start, match.start()):
            return []
        try:
            value = chinese_number(token)
        except ValueError:
            return []
        if match.group("qv2"):
            comparator = ">="  # a range "2~3个": at least its lower bound
        unit = self.passage.original[match.start("unit"):match.end("unit")]
        item_end = self.marks.item_end(after, self.end)
        following = strip_span(self.norm, after, item_end)
        if following[1] > following[0] and not self.norm.startswith(("以上", "以内", "以下"), following[0]):
            subject = self._cap(following[0], following[1])
            return [self._target(subject, comparator, value, unit, match.start(), after,
                                 span=(match.start(), subject[1]))]
        return [self._before_subject(match, value, unit, comparator, after, item=True)]

    # --- shared pieces -------------------------------------------------------------------------------

    def _comparator_before(self, position: int) -> tuple[str, int]:
        """The comparator word just before ``position`` and where it starts (``position`` if none)."""
        head = self.norm[max(self.start, position - 6):position].rstrip()
        for word, symbol in _BEFORE:
            if head.endswith(word):
                return symbol, max(self.start, position - 6) + len(head) - len(word)
        return "=", position

    def _before_subject(self, match: re.Match[str], value: float, unit: str, comparator: str, after: int,
                        item: bool = False, subject_end: int | None = None) -> Target:
        """A target whose subject precedes the number: "教学区域无线网络覆盖率达到98%"."""
        symbol, word_start = self._comparator_before(match.start())
        if comparator == "=" and symbol != "=":
            comparator = symbol
        floor = self.marks.item_start(match.start(), self.start) if item else \
            self.marks.clause_start(match.start(), self.start)
        subject = self._trim(floor, subject_end if subject_end is not None else word_start)
        return self._target(subject, comparator, value, unit, match.start(), after, span=(subject[0], after))

    def _trim(self, start: int, end: int) -> tuple[int, int]:
        start, end = strip_span(self.norm, start, end, " \t,、:")
        while start < end:
            lead = _LEAD.match(self.norm, start, end)
            # "创建率" is a noun: a lead word is only dropped when a subject of two characters remains.
            if not lead or lead.end() == start or end - lead.end() < 2:
                break
            start = lead.end()
        return self._cap(start, end)

    @staticmethod
    def _cap(start: int, end: int) -> tuple[int, int]:
        return (max(start, end - _MAX_SUBJECT), end)

    def _target(self, subject: tuple[int, int] | None, comparator: str, value: float, unit: str,
                value_start: int, value_end: int, span: tuple[int, int],
                population: tuple[int, int] | None = None) -> Target:
        original = self.passage.original
        if population is None:
            population = self._population(subject, value_start)
        start, end = span
        start = min(start, value_start)
        return Target(
            subject=original[subject[0]:subject[1]] if subject else "",
            comparator=comparator,
            value=int(value) if float(value).is_integer() else value,
            unit=unit,
            population=original[population[0]:population[1]] if population else None,
            deadline=self.marks.deadline_before(value_start, self.start) or self.default_deadline,
            span=original[start:end],
            start=start,
            end=end,
        )

    def _population(self, subject: tuple[int, int] | None, value_start: int) -> tuple[int, int] | None:
        """Who the target is about: named in the subject, else in its clause, else earlier in the sentence."""
        regions = [subject] if subject else []
        regions.append((self.marks.clause_start(value_start, self.start), value_start))
        for start, end in regions:
            found = _POPULATION.search(self.norm, start, end)
            if found:
                self.population = (found.start(), found.end())
                return self.population
        return self.population


def _with_subject(target: Target, subject: str) -> Target:
    return Target(subject, target.comparator, target.value, target.unit, target.population, target.deadline,
                  target.span, target.start, target.end)


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"
