"""The demo generator: deterministic, and every injected error is found exactly (precision and recall 1)."""

from __future__ import annotations

from pathlib import Path

from edupulse.basedata import demo
from edupulse.basedata.tests.helpers import TODAY
from edupulse.basedata.validation import validate_file

SCHOOLS = [("2151900001", "510107"), ("2151900002", "510104"), ("3151900003", "511002")]
REGISTER = [(code, county, True) for code, county in SCHOOLS]


def test_the_checks_find_exactly_the_injected_errors(tmp_path: Path) -> None:
    students = demo.students(4000, SCHOOLS, seed=7, today=TODAY)
    assert {rule for _row, rule in students.injected} == set(demo.ERROR_RATES)
    result = validate_file(demo.write_csv(students, tmp_path / "s.csv"), "student", today=TODAY, schools=REGISTER)
    assert sorted((i.row, i.rule) for i in result.issues) == sorted(students.injected)


def test_teachers_validate_with_their_injected_errors(tmp_path: Path) -> None:
    teachers = demo.teachers(1000, SCHOOLS, seed=7)
    result = validate_file(demo.write_csv(teachers, tmp_path / "t.csv"), "teacher", today=TODAY, schools=REGISTER)
    assert teachers.injected and sorted((i.row, i.rule) for i in result.issues) == sorted(teachers.injected)


def test_same_seed_same_rows() -> None:
    first, second = demo.students(300, SCHOOLS, seed=3, today=TODAY), demo.students(300, SCHOOLS, seed=3, today=TODAY)
    assert first.rows == second.rows and first.injected == second.injected
    assert demo.students(300, SCHOOLS, seed=4, today=TODAY).rows != first.rows
