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


def _precision_recall(found: set[tuple[int, str]], injected: set[tuple[int, str]], rule: str) -> tuple[float, float]:
    hits_found = {row for row, kind in found if kind == rule}
    hits_injected = {row for row, kind in injected if kind == rule}
    both = len(hits_found & hits_injected)
    return (both / len(hits_found) if hits_found else 0.0, both / len(hits_injected) if hits_injected else 0.0)


def test_teacher_checks_find_each_injected_kind_with_precision_and_recall_1(tmp_path: Path) -> None:
    teachers = demo.teachers(2000, SCHOOLS, seed=7, today=TODAY)
    assert {rule for _row, rule in teachers.injected} == set(demo.TEACHER_ERROR_RATES)
    result = validate_file(demo.write_csv(teachers, tmp_path / "t.csv"), "teacher", today=TODAY, schools=REGISTER)
    found = {(i.row, i.rule) for i in result.issues}
    injected = set(teachers.injected)
    scores = {rule: _precision_recall(found, injected, rule) for rule in demo.TEACHER_ERROR_RATES}
    assert scores == dict.fromkeys(demo.TEACHER_ERROR_RATES, (1.0, 1.0))
    assert found == injected  # and no issue of another kind on a clean row


def test_clean_teachers_include_the_cases_that_are_not_issues() -> None:
    """Teachers with the hours but awaiting the assessment, and staff without training figures, are generated
    clean (the rules must leave them alone, which the test above then proves)."""
    staff = demo.teachers(500, SCHOOLS, seed=7, today=TODAY)
    injected = {row for row, _rule in staff.injected}
    records = [dict(zip(demo.TEACHER.names, row, strict=True)) for n, row in enumerate(staff.rows, 1) if n not in injected]
    pending = [r for r in records if r["training_completed"] == "0" and float(r["training_practice_hours"]) >= 25
               and float(r["training_online_hours"]) + float(r["training_practice_hours"]) >= 50]
    no_training = [r for r in records if r["training_completed"] == r["training_online_hours"] == "" and r["post"] != "1"]
    assert pending and no_training


def test_same_seed_same_rows() -> None:
    first, second = demo.students(300, SCHOOLS, seed=3, today=TODAY), demo.students(300, SCHOOLS, seed=3, today=TODAY)
    assert first.rows == second.rows and first.injected == second.injected
    assert demo.students(300, SCHOOLS, seed=4, today=TODAY).rows != first.rows
