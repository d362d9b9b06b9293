"""Record schemas of the base data (students, teachers) and their code tables.

A schema is a tuple of :class:`FieldSpec`: the English field name (the column in the analytical store and
the JSON contract), its Chinese label (accepted as a column header instead of the name), whether the
column must be present and whether a value is required. Every value is read as text: the checks in
``rules.py`` decide what is valid, nothing is coerced on the way in.

Code tables are CSV files in ``data/`` (their sources are in ``data/SOURCE.md``), loaded once.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class FieldSpec:
    """One column of a record: ``name`` in English, ``label`` in Chinese (both accepted as headers)."""

    name: str
    label: str
    required: bool = False  # a value must be given
    column_required: bool = True  # the column must be in the file (optional columns may be absent)
    code_table: str = ""  # the code table its values come from (a CSV in data/)
    kind: str = "text"  # text | date | identifier (identifiers are checked for spreadsheet damage)


@dataclass(frozen=True)
class Schema:
    """The columns of one kind of record."""

    kind: str
    fields: tuple[FieldSpec, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> FieldSpec:
        return next(f for f in self.fields if f.name == name)

    def header_aliases(self) -> dict[str, str]:
        """Header text (English name or Chinese label) → field name."""
        aliases = {f.name: f.name for f in self.fields}
        aliases.update({f.label: f.name for f in self.fields})
        return aliases


STUDENT = Schema("student", (
    FieldSpec("student_no", "学籍号", required=True, kind="identifier"),
    FieldSpec("id_type", "身份证件类型", required=True, code_table="id_type"),
    FieldSpec("id_number", "身份证件号", required=True, kind="identifier"),
    FieldSpec("name", "姓名", required=True),
    FieldSpec("gender", "性别", required=True, code_table="gender"),
    FieldSpec("birth_date", "出生日期", required=True, kind="date"),
    FieldSpec("ethnicity", "民族", code_table="ethnicity"),
    FieldSpec("school_code", "学校标识码", required=True, kind="identifier"),
    FieldSpec("grade", "年级", required=True, code_table="grade"),
    FieldSpec("class_name", "班级"),
    FieldSpec("enrol_date", "入学日期", kind="date"),
    FieldSpec("status", "学籍状态", required=True, code_table="student_status"),
    FieldSpec("left_behind", "留守儿童", column_required=False, code_table="yes_no"),
    FieldSpec("migrant", "随迁子女", column_required=False, code_table="yes_no"),
    FieldSpec("needy", "家庭经济困难", column_required=False, code_table="yes_no"),
))

TEACHER = Schema("teacher", (
    FieldSpec("teacher_no", "教职工号", required=True, kind="identifier"),
    FieldSpec("id_type", "身份证件类型", required=True, code_table="id_type"),
    FieldSpec("id_number", "身份证件号", required=True, kind="identifier"),
    FieldSpec("name", "姓名", required=True),
    FieldSpec("gender", "性别", required=True, code_table="gender"),
    FieldSpec("birth_date", "出生日期", required=True, kind="date"),
    FieldSpec("school_code", "学校标识码", required=True, kind="identifier"),
    FieldSpec("post", "岗位类别", code_table="teacher_post"),
    FieldSpec("title", "专业技术职务", column_required=False),
    FieldSpec("subject", "任教学科", column_required=False),
    FieldSpec("qualification", "最高学历", code_table="qualification"),
    FieldSpec("training_online_hours", "2.0培训线上学时", column_required=False),
    FieldSpec("training_practice_hours", "2.0培训实践学时", column_required=False),
    FieldSpec("training_completed", "2.0培训是否完成", column_required=False, code_table="yes_no"),
))

SCHEMAS = {schema.kind: schema for schema in (STUDENT, TEACHER)}


@dataclass(frozen=True)
class Code:
    code: str
    name: str
    extra: dict[str, str]


@functools.cache
def code_table(name: str) -> tuple[Code, ...]:
    """The rows of ``data/<name>.csv`` (columns ``code``, ``name`` and any extra columns)."""
    with (DATA_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return tuple(Code(row.pop("code"), row.pop("name"), row) for row in rows)


def codes(name: str) -> frozenset[str]:
    return frozenset(c.code for c in code_table(name))
