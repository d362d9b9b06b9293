"""The teacher rules (``rules_teacher.py``) on a hand-written teacher file: one case per row, boundaries included,
through ``validate_file`` and the ``validate --kind teacher --json`` command; import keeps warnings clean."""

from __future__ import annotations

import csv
import datetime
import io
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
import xlsxwriter
from django.core.management import call_command
from django.utils import translation

from edupulse.basedata.importing import import_file
from edupulse.basedata.quality import DIMENSIONS
from edupulse.basedata.rules import WARNING_RULES, build_rules
from edupulse.basedata.schemas import STUDENT, TEACHER
from edupulse.basedata.tests.helpers import ACTIVE, SCHOOLS, TODAY, ric_id
from edupulse.basedata.validation import ValidationResult, validate_file
from edupulse.core.actors import SYSTEM
from edupulse.orgs.tests.factories import make_school

# TODAY is 2025-06-01: born 2007-06-01 is exactly 18, born 1959-06-02 is still 65 (66 tomorrow).
COMPLETION_SHORT = "标记为已完成2.0培训，但学时未达到要求：总学时不少于 50，其中实践应用学时不少于 25。"


def teacher(number: int, *, born: str = "1980-03-05", **changes: str) -> list[str]:
    """A clean 专任教师 (25 online + 25 practice hours, completed) with an ID number agreeing with ``born``."""
    values = {"teacher_no": f"T{number:08d}", "id_type": "1",
              "id_number": ric_id("110101", born.replace("-", ""), f"{number * 2 + 1:03d}"),  # odd: male
              "name": "李老师", "gender": "1", "birth_date": born, "school_code": ACTIVE, "post": "1",
              "title": "一级教师", "subject": "数学", "qualification": "20", "training_online_hours": "25",
              "training_practice_hours": "25", "training_completed": "1"}
    values.update(changes)
    return [values[name] for name in TEACHER.names]


def hours(online: str, practice: str, completed: str = "1") -> dict[str, str]:
    return {"training_online_hours": online, "training_practice_hours": practice, "training_completed": completed}


ROWS = [
    teacher(1),                                                   # 1 clean: exactly 50 hours, exactly half practice
    teacher(2, **hours("26", "24")),                              # 2 50 hours, practice below half
    teacher(3, **hours("20", "29.9")),                            # 3 practice enough, 49.9 in all
    teacher(4, **hours("80", "25")),                              # 4 clean: extra online hours count
    teacher(5, **hours("40", "30", "0")),                         # 5 clean: hours enough, assessment pending
    teacher(6, **hours("五十", "25", "0")),                        # 6 hours in words
    teacher(7, **hours("30", "-5", "0")),                         # 7 a negative number
    teacher(8, **hours("50学时", "25")),                           # 8 a unit; no completion verdict on it
    teacher(9, **hours("25", "2250")),                            # 9 minutes as hours; no completion verdict
    teacher(10, **hours("12.67", "360")),                         # 10 clean: a fraction, exactly the maximum
    teacher(11, **hours("360.5", "25")),                          # 11 over the maximum
    teacher(12, born="2007-06-01"),                               # 12 clean: 18 today
    teacher(13, born="2007-06-02"),                               # 13 17 years old
    teacher(14, born="1959-06-02"),                               # 14 clean: 65 today
    teacher(15, born="1959-06-01"),                               # 15 66 years old
    teacher(16, **hours("50", "")),                               # 16 practice blank: counts as 0
    teacher(17, **hours("", "")),                                 # 17 clean: no hours reported
    teacher(18, born="2026-01-01"),                               # 18 a future birth date: date_range, not age_range
    teacher(19, name=""),                                         # 19 the shared rules still apply
    teacher(20, post="4", title="", subject="", **hours("", "", "")),  # 20 clean: 工勤人员 without training
]

EXPECTED = [
    (2, "training_completion", "training_completed", "1", COMPLETION_SHORT),
    (3, "training_completion", "training_completed", "1", COMPLETION_SHORT),
    (6, "training_hours", "training_online_hours", "五十",
     "2.0培训线上学时 五十 不是学时数：请只填写数字（如 25 或 12.5），不带单位或正负号。"),
    (7, "training_hours", "training_practice_hours", "-5",
     "2.0培训实践学时 -5 不是学时数：请只填写数字（如 25 或 12.5），不带单位或正负号。"),
    (8, "training_hours", "training_online_hours", "50学时",
     "2.0培训线上学时 50学时 不是学时数：请只填写数字（如 25 或 12.5），不带单位或正负号。"),
    (9, "training_hours", "training_practice_hours", "2250",
     "2.0培训实践学时 2250 超过 360 学时，对2.0培训而言不合常理（是否把分钟数填成了学时？）。"),
    (11, "training_hours", "training_online_hours", "360.5",
     "2.0培训线上学时 360.5 超过 360 学时，对2.0培训而言不合常理（是否把分钟数填成了学时？）。"),
    (13, "age_range", "birth_date", "2007-06-02",
     "出生日期 2007-06-02 对应的年龄不在 18–65 岁之间，在职教职工中少见，请核对出生日期。"),
    (15, "age_range", "birth_date", "1959-06-01",
     "出生日期 1959-06-01 对应的年龄不在 18–65 岁之间，在职教职工中少见，请核对出生日期。"),
    (16, "training_completion", "training_completed", "1", COMPLETION_SHORT),
    (18, "date_range", "birth_date", "2026-01-01", "出生日期 2026-01-01 超出合理范围。"),
    (19, "required", "name", None, "姓名为必填项。"),
]
TEACHER_RULE_NAMES = ("age_range", "training_hours", "training_completion")


@pytest.fixture(autouse=True)
def chinese() -> Any:
    with translation.override("zh-hans"):
        yield


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(TEACHER.names)
        writer.writerows(rows)
    return path


def issues(result: ValidationResult) -> list[tuple[int, str, str, str | None, str]]:
    return [(i.row, i.rule, i.field, i.value, i.message) for i in result.issues]


def test_each_teacher_rule_on_a_hand_written_file(tmp_path: Path) -> None:
    result = validate_file(write_csv(tmp_path / "teachers.csv", ROWS), "teacher", today=TODAY, schools=SCHOOLS)
    assert result.rows == len(ROWS)
    assert issues(result) == EXPECTED
    assert {rule: n for rule, n in result.counts.items() if n} == {
        "required": 1, "date_range": 1, "age_range": 2, "training_hours": 5, "training_completion": 3}


@pytest.mark.parametrize("today", [datetime.date(2028, 2, 29), datetime.date(2027, 2, 28), datetime.date(2025, 12, 31)])
def test_age_range_follows_completed_years_around_birthdays(tmp_path: Path, today: datetime.date) -> None:
    """Birth dates a day either side of the 18th and 66th birthdays, leap days included."""
    def age(born: datetime.date) -> int:
        return today.year - born.year - ((born.month, born.day) > (today.month, today.day))

    births = sorted({datetime.date(today.year - years, month, day) + datetime.timedelta(days=shift)
                     for years in (18, 66) for month, day in ((today.month, min(today.day, 28)), (2, 28), (3, 1))
                     for shift in (-1, 0, 1)})
    rows = [teacher(n, born=born.isoformat()) for n, born in enumerate(births, start=1)]
    result = validate_file(write_csv(tmp_path / "ages.csv", rows), "teacher", today=today, schools=SCHOOLS)
    flagged = [births[i.row - 1] for i in result.issues if i.rule == "age_range"]
    assert flagged == [born for born in births if not 18 <= age(born) <= 65]
    assert flagged and len(flagged) < len(births)


def test_the_rules_are_the_teachers_only_and_classified_for_quality() -> None:
    teacher_names = {r.name for r in build_rules(TEACHER, TODAY)}
    assert set(TEACHER_RULE_NAMES) <= teacher_names
    assert not set(TEACHER_RULE_NAMES) & {r.name for r in build_rules(STUDENT, TODAY)}
    classified = [name for rules in DIMENSIONS.values() for name in rules]
    assert all(classified.count(name) == 1 for name in TEACHER_RULE_NAMES)
    assert "age_range" in WARNING_RULES and not {"training_hours", "training_completion"} & WARNING_RULES


def test_numeric_xlsx_cells_are_hours(tmp_path: Path) -> None:
    """A teacher system's XLSX export holds the hours as number cells: they are numbers, not text errors."""
    path = tmp_path / "teachers.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, [f.label for f in TEACHER.fields])  # the Chinese headers
    for r, (online, practice) in enumerate(((25, 25), (30.5, 19.5), (12.67, 40)), start=1):
        row = teacher(r, **hours("", ""))
        sheet.write_row(r, 0, row[:11])
        sheet.write_number(r, 11, online)
        sheet.write_number(r, 12, practice)
        sheet.write_string(r, 13, "1")
    workbook.close()
    result = validate_file(path, "teacher", today=TODAY, schools=SCHOOLS)
    assert [(i.row, i.rule) for i in result.issues] == [(2, "training_completion")]


@pytest.mark.django_db
def test_validate_command_json_for_teachers(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "teachers.csv", ROWS)
    out = io.StringIO()
    call_command("basedata", "validate", str(path), "--kind", "teacher", "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["rows"] == len(ROWS)
    assert set(payload["counts"]) == {r.name for r in build_rules(TEACHER, TODAY)} | {"ragged_row"}
    # The test database's register is empty: every row also names an unknown school.
    assert {i["row"] for i in payload["issues"] if i["rule"] == "school_unknown"} == set(range(1, len(ROWS) + 1))
    # The command checks against today, not TODAY: compare the rules that do not move with the date.
    moving = {"age_range", "date_range"}
    shown = [(i["row"], i["rule"], i["field"], i["value"], i["message"]) for i in payload["issues"]
             if i["rule"] not in moving | {"school_unknown"}]
    assert shown == [e for e in EXPECTED if e[1] not in moving]


@pytest.mark.django_db
def test_import_keeps_age_range_rows_clean_and_rejects_training_errors(tmp_path: Path, settings: Any) -> None:
    settings.BASEDATA_DUCKDB_PATH = tmp_path / "basedata.duckdb"
    make_school(code=ACTIVE)
    outcome = import_file(write_csv(tmp_path / "teachers.csv", ROWS), "teacher", "jiaoshi", acting_user=SYSTEM,
                          today=TODAY)
    with duckdb.connect(str(settings.BASEDATA_DUCKDB_PATH), read_only=True) as connection:
        clean = [r[0] for r in connection.execute('SELECT "row" FROM teacher ORDER BY "row"').fetchall()]
        training = connection.execute(
            "SELECT training_online_hours, training_practice_hours FROM teacher WHERE trim(training_completed) = '1'"
        ).fetchall()
    rejected = {row for row, rule, *_rest in EXPECTED if rule not in WARNING_RULES}
    assert clean == [n for n in range(1, len(ROWS) + 1) if n not in rejected]
    assert {13, 15} <= set(clean)  # age_range is a warning
    assert outcome.batch.rows_rejected == len(rejected)
    # What the 2.0 completion indicator counts as completed has the hours (where the file reports hours).
    reported = [(float(online or 0), float(practice or 0)) for online, practice in training if online or practice]
    assert reported and all(online + practice >= 50 and practice >= 25 for online, practice in reported)
