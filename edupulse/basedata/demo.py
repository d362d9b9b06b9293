"""Demo base data: students (and teachers) of the register's schools with known injected errors.

Deterministic for a seed. Every row is built clean first (an ID number valid for its region in the birth
year, birth date and gender agreeing with it, the grade matching the age); then a share of rows gets
exactly one injected error of one kind, at the rates of ``ERROR_RATES`` (students) and
``TEACHER_ERROR_RATES`` (teachers: their 2.0 training hours and completion flag, their age) — what 学籍 and
teacher-system data cleaning typically finds, order of magnitude: a few per thousand per kind. The manifest
lists (row, rule) of every injected error, so that a check can be scored for precision and recall per kind.
"""

from __future__ import annotations

import csv
import datetime
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from edupulse.basedata.regions import OPEN_END, region_spans
from edupulse.basedata.rules import RIC_WEIGHTS
from edupulse.basedata.rules_teacher import MAX_AGE, MIN_AGE, REQUIRED_HOURS, REQUIRED_PRACTICE_HOURS
from edupulse.basedata.schemas import STUDENT, TEACHER, code_table

ERROR_RATES = {
    "required": 0.010, "id_format": 0.002, "id_checksum": 0.005, "id_birth_date": 0.003, "id_gender": 0.002,
    "id_region": 0.001, "id_spreadsheet_mangled": 0.005, "code_table": 0.003, "date_range": 0.003,
    "age_grade": 0.005, "school_unknown": 0.002, "duplicate_person": 0.003,
}
# Teachers: one error per kind of the teacher rules and a few of the shared ones, at the same order of magnitude.
TEACHER_ERROR_RATES = {
    "required": 0.005, "id_checksum": 0.005, "age_range": 0.004, "training_hours": 0.006,
    "training_completion": 0.008,
}
# The error-rate multipliers of the student batches the demo imports before its main one, oldest first: each
# export from the 学籍系统 a little cleaner than the last, so that the quality trend has a line to show.
EARLIER_BATCHES = (3.0, 2.0)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "子涵梓轩浩宇欣怡一诺雨萱俊杰思远嘉怡博文佳琪明轩语桐若汐宇航梦瑶天佑紫涵晨曦家豪雅琳"
UNKNOWN_SCHOOL = "2199999999"
UNKNOWN_REGION = "990101"  # no province 99: invalid in every year
TITLES = ("三级教师", "二级教师", "一级教师", "一级教师", "高级教师", "未定职级")
SUBJECTS = ("语文", "数学", "英语", "物理", "化学", "道德与法治", "体育与健康", "音乐", "美术", "信息科技")
FULL_WIDTH_DIGITS = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@dataclass
class DemoSet:
    """Generated rows (in the schema's column order) and the injected errors as (row, rule)."""

    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    injected: list[tuple[int, str]] = field(default_factory=list)


def check_digit(body: str) -> str:
    value = (12 - sum(int(d) * w for d, w in zip(body, RIC_WEIGHTS, strict=True)) % 11) % 11
    return "X" if value == 10 else str(value)


def _regions_valid(first_year: int, last_year: int) -> list[str]:
    """Codes valid in every year of the range (so any birth date in it gets a valid region part)."""
    return sorted({s.code for s in region_spans() if s.start <= first_year and s.end >= min(last_year, OPEN_END)
                   and not s.code.endswith("0000")})


class StudentMaker:
    """Builds clean students for a school year, then injects one error into a chosen share of them."""

    def __init__(self, schools: Sequence[tuple[str, str]], seed: int, today: datetime.date) -> None:
        self.rng = random.Random(seed)
        self.schools = list(schools)
        self.start_year = today.year if today.month >= 9 else today.year - 1
        self.today = today
        self.grades = [(c.code, int(c.extra["typical_age"])) for c in code_table("grade")]
        valid = _regions_valid(self.start_year - 19, self.start_year)
        self.valid_regions = set(valid)
        self.fallback_regions = valid
        self.used: set[str] = set()

    def _region(self, county: str) -> str:
        return county if county in self.valid_regions else self.rng.choice(self.fallback_regions)

    def _id(self, region: str, born: datetime.date, male: bool) -> str:
        while True:
            sequence = self.rng.randrange(500) * 2 + (1 if male else 0)
            body = f"{region}{born:%Y%m%d}{sequence:03d}"
            number = body + check_digit(body)
            if number not in self.used:
                self.used.add(number)
                return number

    def clean(self, index: int) -> list[str]:
        school, county = self.rng.choice(self.schools)
        grade, age = self.rng.choice(self.grades)
        # Born between 1 September and 31 July so that a day's shift never crosses the 31 August cut-off.
        born = datetime.date(self.start_year - age - 1, 9, 1) + datetime.timedelta(days=self.rng.randrange(330))
        male = self.rng.random() < 0.52
        number = self._id(self._region(county), born, male)
        stage_start = {"1": 11, "2": 21, "3": 31}[grade[0]]
        enrolled = datetime.date(self.start_year - (int(grade) - stage_start), 9, 1)
        name = self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))
        return [f"G{number}", "1", number, name, "1" if male else "2", born.isoformat(),
                "01" if self.rng.random() < 0.9 else f"{self.rng.randint(2, 56):02d}", school, grade,
                f"{self.rng.randint(1, 8)}班", enrolled.isoformat(), "01"]

    def inject(self, row: list[str], rule: str, earlier: list[list[str]]) -> list[str]:
        """``row`` with one error of kind ``rule`` (column positions of the student schema)."""
        row = list(row)
        number = row[2]
        if rule == "required":
            row[3] = ""
        elif rule == "id_format":
            row[2] = number[:-1]
        elif rule == "id_checksum":
            row[2] = number[:-1] + self.rng.choice([c for c in "0123456789X" if c != number[-1]])
        elif rule == "id_birth_date":
            row[5] = (datetime.date.fromisoformat(row[5]) + datetime.timedelta(days=1)).isoformat()
        elif rule == "id_gender":
            row[4] = "2" if row[4] == "1" else "1"
        elif rule == "id_region":
            body = UNKNOWN_REGION + number[6:17]
            row[2] = body + check_digit(body)
        elif rule == "id_spreadsheet_mangled":
            row[2] = f"{float(number):.15g}" if number[-1] != "X" else number.translate(FULL_WIDTH_DIGITS)
        elif rule == "code_table":
            row[6] = "60"
        elif rule == "date_range":
            row[10] = row[10].replace("-", ".")
        elif rule == "age_grade":
            born = datetime.date.fromisoformat(row[5])
            age = self.start_year - born.year - (1 if (born.month, born.day) > (8, 31) else 0)
            row[8] = "11" if age >= 9 else "16"
        elif rule == "school_unknown":
            row[7] = UNKNOWN_SCHOOL
        elif rule == "duplicate_person":
            person = self.rng.choice(earlier)
            # The same child (ID, name, birth, grade) enrolled again, maybe at another school.
            row[0:7], row[8], row[10] = person[0:7], person[8], person[10]
        return row


def students(n: int, schools: Sequence[tuple[str, str]], *, seed: int = 2026,
             today: datetime.date | None = None, rate_scale: float = 1.0) -> DemoSet:
    """``n`` students of ``schools`` ((code, county) pairs) with injected errors, at ``rate_scale`` times
    the rates of ``ERROR_RATES`` (the demo's earlier, dirtier batches: ``EARLIER_BATCHES``)."""
    maker = StudentMaker(schools, seed, today or datetime.date.today())
    result = DemoSet(header=list(STUDENT.names[:12]))
    clean_rows: list[list[str]] = []
    for index in range(1, n + 1):
        row = maker.clean(index)
        draw = maker.rng.random()
        rule = None
        for name, rate in ERROR_RATES.items():
            draw -= rate * rate_scale
            if draw < 0:
                rule = name
                break
        if rule == "duplicate_person" and not clean_rows:
            rule = None
        if rule is None:
            clean_rows.append(row)
            result.rows.append(row)
            continue
        result.rows.append(maker.inject(row, rule, clean_rows))
        result.injected.append((index, rule))
    return result


class TeacherMaker:
    """Builds clean teachers (教职工) with their 2.0 training hours, then injects one error into a share of them."""

    def __init__(self, schools: Sequence[tuple[str, str]], seed: int, today: datetime.date) -> None:
        self.students = StudentMaker(schools, seed, today)  # its random source, schools and unique ID numbers
        self.rng = self.students.rng
        self.today = today
        # Region parts valid from the birth year of a 75-year-old (the oldest injected age) to today.
        self.students.fallback_regions = _regions_valid(today.year - 76, self.students.start_year)
        self.students.valid_regions = set(self.students.fallback_regions)

    def _born(self, age: int) -> datetime.date:
        """A birth date giving exactly ``age`` completed years today."""
        last = self.today.replace(year=self.today.year - age) if (self.today.month, self.today.day) != (2, 29) \
            else datetime.date(self.today.year - age, 2, 28)
        return last - datetime.timedelta(days=self.rng.randrange(365))

    def _hours(self, low: int, high: int) -> str:
        """A number of hours as a teacher system exports it: mostly whole, sometimes with a half or a fraction."""
        whole = self.rng.randint(low, high)
        return str(whole) if self.rng.random() < 0.8 else f"{whole}.{self.rng.choice(('5', '67', '25'))}"

    def _training(self) -> tuple[str, str, str]:
        """(online, practice, completed): most completed with the hours; some short; some with the hours but
        still awaiting the 微能力点 assessment (not completed, and not an issue)."""
        draw = self.rng.random()
        if draw < 0.70:
            online = self.rng.randint(REQUIRED_HOURS - 30, 40)
            return str(online), self._hours(max(REQUIRED_PRACTICE_HOURS, REQUIRED_HOURS - online), 45), "1"
        if draw < 0.85:
            return self._hours(0, 30), self._hours(0, REQUIRED_PRACTICE_HOURS - 1), "0"
        return self._hours(25, 40), self._hours(REQUIRED_PRACTICE_HOURS, 35), "0"

    def clean(self, index: int) -> list[str]:
        """A row in the order of ``TEACHER.names``."""
        school, county = self.rng.choice(self.students.schools)
        born = self._born(self.rng.randint(MIN_AGE + 5, MAX_AGE - 5))
        male = self.rng.random() < 0.3
        number = self.students._id(self.students._region(county), born, male)
        name = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN) + self.rng.choice(GIVEN)
        if self.rng.random() < 0.9:  # 专任教师
            post, title, subject = "1", self.rng.choice(TITLES), self.rng.choice(SUBJECTS)
            online, practice, completed = self._training()
        else:  # 教辅 or 工勤: no teaching subject, no 2.0 training reported
            post, title, subject, online, practice, completed = self.rng.choice(("3", "4")), "", "", "", "", ""
        return [f"T{index:08d}", "1", number, name, "1" if male else "2", born.isoformat(), school, post, title,
                subject, self.rng.choice(["10", "20", "20", "20", "30"]), online, practice, completed]

    def inject(self, row: list[str], rule: str) -> list[str]:
        """``row`` with one error of kind ``rule`` (column positions of the teacher schema)."""
        row = list(row)
        number = row[2]
        if rule == "required":
            row[3] = ""
        elif rule == "id_checksum":
            row[2] = number[:-1] + ("0" if number[-1] != "0" else "1")
        elif rule == "training_hours":
            # Text, a unit, a sign, or minutes typed as hours (45 minutes a 学时).
            column = self.rng.choice((11, 12))
            hours = self.rng.randint(20, 40)
            row[column] = self.rng.choice(("五十", f"{hours}学时", f"-{hours}", str(hours * 45)))
        elif rule == "training_completion":
            # Marked completed with too little practice (the online part alone reaching the total does not help).
            row[7], row[11], row[12], row[13] = "1", str(self.rng.randint(10, 60)), \
                str(self.rng.randint(0, REQUIRED_PRACTICE_HOURS - 1)), "1"
        elif rule == "age_range":
            # A mistyped birth year, in the ID number too (so that only the age is implausible).
            born = self._born(self.rng.choice((16, 17, MAX_AGE + 1, 70, 75)))
            male = row[4] == "1"
            row[2] = self.students._id(number[:6], born, male)
            row[5] = born.isoformat()
        return row


def teachers(n: int, schools: Sequence[tuple[str, str]], *, seed: int = 2026,
             today: datetime.date | None = None) -> DemoSet:
    """``n`` teachers of ``schools`` ((code, county) pairs), a share with one injected error of each kind of
    ``TEACHER_ERROR_RATES``."""
    maker = TeacherMaker(schools, seed, today or datetime.date.today())
    result = DemoSet(header=list(TEACHER.names))
    for index in range(1, n + 1):
        row = maker.clean(index)
        draw = maker.rng.random()
        rule = None
        for name, rate in TEACHER_ERROR_RATES.items():
            draw -= rate
            if draw < 0:
                rule = name
                break
        if rule is not None:
            row = maker.inject(row, rule)
            result.injected.append((index, rule))
        result.rows.append(row)
    return result


def write_csv(demo: DemoSet, path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(demo.header)
        writer.writerows(demo.rows)
    return path


def write_manifest(demo: DemoSet, path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", "rule"])
        writer.writerows(demo.injected)
    return path


def iter_chunks(n: int, size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, n, size):
        yield start, min(n, start + size)
