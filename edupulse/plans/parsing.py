"""Parse a work plan (工作要点) into metadata, sections, tasks, responsible units, deadlines and targets.

Pure functions over text (no Django models): ``parse_text(text, tables)`` → ``Plan``. Reading files (.txt in
UTF-8 or GB18030, .docx, .pdf) is ``reading.read_plan_file``. Output strings are the document's own
characters; matching runs on the normalised copy (``text.normalise``) at the same offsets.

The outline: the body starts at the first 一、 heading (or, without one, the first numbered line, in one
unnamed section) and ends at the signature, the date or page furniture after it. A numbered line opens a
node under the nearest open node of a higher level; an unnumbered paragraph continues the open node.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from edupulse.plans.deadlines import cell_deadline, find_deadlines, first_deadline
from edupulse.plans.metadata import is_date_line, is_org_line, read_metadata
from edupulse.plans.numbering import SECTION_LEVEL, heading
from edupulse.plans.targets import Target, extract_targets
from edupulse.plans.text import Passage, normalise
from edupulse.plans.units import responsible_units

# Page furniture and attachments after the body of a plan published on a web page.
_TRAILER = re.compile(
    r"^\s*(?:附件|附:|附表|上一[条篇]|下一[条篇]|发布评论|关闭窗口|扫一扫|\(此件|打印本页|【打印|责任编辑|分享到|相关链接)"
)
_SENTENCE_END = tuple("。;!?)”:")
_BROKEN_LINE = 30  # a line this long without a sentence end was wrapped (PDF, web page) and goes on
_TITLE_END = re.compile(r"[。!?;\n]")
# "二是…" starts a new paragraph even after a long line without a full stop.
_LIST_ITEM = re.compile(r"[一二三四五六七八九十]{1,2}是")

Table = Sequence[Sequence[str]]


@dataclass
class Task:
    number: str | None
    title: str
    text: str
    units: list[str] = field(default_factory=list)
    deadline: str | None = None
    targets: list[Target] = field(default_factory=list)
    children: list[Task] = field(default_factory=list)
    ordinal: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "title": self.title,
            "text": self.text,
            "units": list(self.units),
            "deadline": self.deadline,
            "targets": [target_dict(t) for t in self.targets],
            "children": [child.as_dict() for child in self.children],
        }

    def walk(self) -> list[Task]:
        """This task and its descendants, in document order."""
        return [self] + [t for child in self.children for t in child.walk()]


@dataclass
class Section:
    number: str | None
    title: str | None
    targets: list[Target] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "title": self.title,
            "targets": [target_dict(t) for t in self.targets],
            "tasks": [task.as_dict() for task in self.tasks],
        }


@dataclass
class Plan:
    title: str | None
    issuer: str | None
    doc_number: str | None
    date: str | None
    sections: list[Section]

    def as_dict(self) -> dict[str, Any]:
        """The CLI's JSON contract (docs/cli-plans.md)."""
        return {
            "title": self.title,
            "issuer": self.issuer,
            "doc_number": self.doc_number,
            "date": self.date,
            "sections": [section.as_dict() for section in self.sections],
        }

    def all_tasks(self) -> list[Task]:
        return [t for section in self.sections for task in section.tasks for t in task.walk()]

    def all_targets(self) -> list[Target]:
        return [t for s in self.sections for t in s.targets] + [t for task in self.all_tasks() for t in task.targets]


def target_dict(target: Target) -> dict[str, Any]:
    return {
        "subject": target.subject,
        "comparator": target.comparator,
        "value": target.value,
        "unit": target.unit,
        "population": target.population,
        "deadline": target.deadline,
        "span": target.span,
    }


@dataclass
class _Node:
    """A numbered heading while the outline is read: its number, its paragraphs and its children."""

    level: int
    number: str | None
    ordinal: int | None
    passage: Passage
    last_line: str  # the normalised last line added (decides how the next one joins)
    children: list[_Node] = field(default_factory=list)

    def add(self, line: Passage) -> None:
        wrapped = (len(self.last_line) >= _BROKEN_LINE and not self.last_line.rstrip().endswith(_SENTENCE_END)
                   and not _LIST_ITEM.match(line.norm))
        joint = Passage("", "") if wrapped or not len(self.passage) else Passage("\n", "\n")
        self.passage = self.passage + joint + line
        self.last_line = line.norm


def split_lines(text: str) -> list[Passage]:
    """The non-blank lines of ``text``, stripped, as passages (original and matching copy)."""
    norm = normalise(text)
    lines = []
    offset = 0
    for raw in text.split("\n"):
        passage = Passage(raw, norm[offset:offset + len(raw)])
        offset += len(raw) + 1
        start = len(passage.norm) - len(passage.norm.lstrip())
        end = len(passage.norm.rstrip())
        if end > start:
            lines.append(passage[start:end])
    return lines


def parse_text(text: str, tables: Sequence[Table] = ()) -> Plan:
    """Parse a plan's text (and the 任务分解表 tables of a .docx) into a ``Plan``."""
    lines = split_lines(text)
    start, end = _body(lines)
    body_norm = "\n".join(line.norm for line in lines[start:end])
    meta = read_metadata(lines, start, body_norm)
    roots = _outline(lines[start:end])
    sections = [_section(root, meta.year) for root in roots]
    for table in tables:
        _merge_table(sections, table, meta.year)
    return Plan(meta.title, meta.issuer, meta.doc_number, meta.date, sections)


def _body(lines: list[Passage]) -> tuple[int, int]:
    """The first and past-the-last line of the outline."""
    headings = [(i, heading(line.norm)) for i, line in enumerate(lines)]
    numbered = [(i, h) for i, h in headings if h is not None]
    if not numbered:
        return len(lines), len(lines)
    top = min(h.level for _, h in numbered)
    start = next(i for i, h in numbered if h.level == top)
    end = len(lines)
    for index in range(start + 1, len(lines)):
        norm = lines[index].norm
        if _TRAILER.match(norm) or is_date_line(norm):
            end = index
            break
    while end > start + 1 and is_org_line(lines[end - 1].norm) and heading(lines[end - 1].norm) is None:
        end -= 1  # the signature above the date
    return start, end


def _outline(lines: list[Passage]) -> list[_Node]:
    """The tree of numbered headings; sections are the roots (an unnamed one if the plan has no 一、)."""
    roots: list[_Node] = []
    stack: list[_Node] = []
    for line in lines:
        found = heading(line.norm)
        if found is None:
            if stack:
                stack[-1].add(line)
            continue
        number = line.original[:found.end].strip()
        rest = line[found.end:]
        content = rest[len(rest.norm) - len(rest.norm.lstrip()):]
        node = _Node(found.level, number, found.ordinal, content, content.norm)
        if found.level == SECTION_LEVEL:
            roots.append(node)
            stack = [node]
            continue
        if not stack:
            roots.append(_Node(SECTION_LEVEL, None, None, Passage("", ""), ""))
            stack = [roots[-1]]
        while len(stack) > 1 and stack[-1].level >= found.level:
            stack.pop()
        stack[-1].children.append(node)
        stack.append(node)
    return roots


def _title(passage: Passage) -> str:
    """The title sentence: up to the first 。 (or the end of the heading's line)."""
    cut = _TITLE_END.search(passage.norm)
    return passage.original[:cut.start() if cut else len(passage)].strip(" \t,，、:：")


def _section(node: _Node, year: int | None) -> Section:
    title = _title(node.passage) if node.number is not None else None
    deadlines = find_deadlines(node.passage.norm, year)
    return Section(
        number=node.number,
        title=title,
        targets=extract_targets(node.passage, year, deadlines[0].value if deadlines else None, deadlines),
        tasks=[_task(child, year) for child in node.children],
    )


def _task(node: _Node, year: int | None) -> Task:
    deadlines = find_deadlines(node.passage.norm, year)
    deadline = deadlines[0].value if deadlines else None
    return Task(
        number=node.number,
        title=_title(node.passage),
        text=node.passage.original,
        units=responsible_units(node.passage),
        deadline=deadline,
        targets=extract_targets(node.passage, year, deadline, deadlines),
        children=[_task(child, year) for child in node.children],
        ordinal=node.ordinal,
    )


# --- 任务分解表 (task breakdown tables of a .docx) ---------------------------------------------------------

_COLUMNS = (
    ("number", re.compile("序号|编号")),
    ("task", re.compile("任务|工作内容|目标")),
    ("lead", re.compile("牵头")),
    ("units", re.compile("责任|配合|参与")),
    ("deadline", re.compile("时限|时间|完成时间|进度")),
)


def table_columns(header: Sequence[str]) -> dict[str, int] | None:
    """The columns of a 任务分解表 by role, or None if ``header`` is not one (needs 序号 and a task column)."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        norm = normalise(cell)
        for role, pattern in _COLUMNS:
            if role not in columns and pattern.search(norm):
                columns[role] = index
                break
    return columns if "number" in columns and "task" in columns else None


def _merge_table(sections: list[Section], table: Table, year: int | None) -> None:
    """Attach each row's units and deadline to the task it names, or add the row as a task."""
    if not table or (columns := table_columns(table[0])) is None:
        return
    current: Section | None = None
    for row in table[1:]:
        cells = {role: (row[i].strip() if i < len(row) else "") for role, i in columns.items()}
        number, text = cells["number"], cells["task"]
        found = heading(normalise(number + ("" if re.search(r"[、.)]$", normalise(number)) else ".")))
        if not text and not number:
            continue
        if found is not None and found.level == SECTION_LEVEL:
            current = _table_section(sections, number, text)
            continue
        passage = Passage.of(text)
        units = list(dict.fromkeys(_cell_units(cells.get("lead", "")) + _cell_units(cells.get("units", ""))
                                   + responsible_units(passage)))
        deadline = cell_deadline(normalise(cells.get("deadline", "")), year) or first_deadline(passage.norm, year)
        ordinal = found.ordinal if found else None
        task = _matching_task(current.tasks if current else [t for s in sections for t in s.tasks], ordinal, passage)
        if task is not None:
            task.units = list(dict.fromkeys(task.units + units))
            task.deadline = deadline or task.deadline
            continue
        if current is None:
            current = sections[-1] if sections else _table_section(sections, "", "")
        current.tasks.append(Task(number=number or None, title=_title(passage), text=text, units=units,
                                  deadline=deadline, targets=extract_targets(passage, year, deadline),
                                  ordinal=ordinal))


def _table_section(sections: list[Section], number: str, title: str) -> Section:
    for section in sections:
        if section.number is not None and normalise(section.number).rstrip("、") == normalise(number).rstrip("、"):
            return section
    section = Section(number=number or None, title=title or None)
    sections.append(section)
    return section


def _matching_task(tasks: list[Task], ordinal: int | None, passage: Passage) -> Task | None:
    """The task a table row describes: same number and one title contains the other's beginning."""
    row = passage.norm.replace(" ", "")
    for task in tasks:
        title = normalise(task.title).replace(" ", "")
        if ordinal is not None and task.ordinal not in (None, ordinal):
            continue
        if title and (title[:12] in row or row[:12] in title):
            return task
    return None


def _cell_units(cell: str) -> list[str]:
    if not cell.strip():
        return []
    passage = Passage.of(cell)
    return responsible_units(Passage.of("责任单位:" + cell)) if not responsible_units(passage) else \
        responsible_units(passage)
