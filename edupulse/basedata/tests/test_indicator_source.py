"""The base data as an indicator source: per-school counts over each person's current record, and the
2.0 completion rate computed from them by the indicator engine."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from edupulse.basedata.importing import import_file
from edupulse.basedata.indicator_sources import SOURCE_CODE, school_counts
from edupulse.basedata.schemas import TEACHER
from edupulse.basedata.tests.helpers import TODAY, ric_id
from edupulse.core.actors import SYSTEM
from edupulse.indicators import computing, sources
from edupulse.indicators.definitions import effective
from edupulse.indicators.values import APPROVED
from edupulse.orgs.models import School
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db
WUHOU, FUCHENG = "510107", "510703"
SCHOOL_A, SCHOOL_B, SCHOOL_C = "2151900011", "2151900012", "2151900013"
TEACHER_HEADER = ["teacher_no", "id_type", "id_number", "name", "gender", "birth_date", "school_code", "post",
                  "qualification", "training_online_hours", "training_practice_hours", "training_completed"]


@pytest.fixture(autouse=True)
def store(settings: Any, tmp_path: Path) -> Path:
    settings.BASEDATA_DUCKDB_PATH = tmp_path / "basedata.duckdb"
    return Path(settings.BASEDATA_DUCKDB_PATH)


def teacher(n: int, school: str, completed: str, online: str = "25", practice: str = "25") -> list[str]:
    number = ric_id("110101", "19850312", f"{n * 2 + 1:03d}")  # odd sequence: male
    return [f"T{n:06d}", "1", number, f"教师{n}", "1", "1985-03-12", school, "1", "20", online, practice, completed]


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(TEACHER_HEADER)
        writer.writerows(rows)
    return path


def test_the_header_names_teacher_fields() -> None:
    assert set(TEACHER_HEADER) <= set(TEACHER.names)


def test_counts_take_each_teacher_once_from_the_newest_batch(tmp_path: Path) -> None:
    make_school(WUHOU, code=SCHOOL_A)
    make_school(WUHOU, code=SCHOOL_B)
    first = write(tmp_path / "t1.csv", [teacher(1, SCHOOL_A, "0"), teacher(2, SCHOOL_A, "1"), teacher(3, SCHOOL_B, "1")])
    import_file(first, "teacher", "jiaoshi", acting_user=SYSTEM, today=TODAY)
    # The next export: teacher 1 has completed, teacher 3 moved to school A (counted there only).
    second = write(tmp_path / "t2.csv", [teacher(1, SCHOOL_A, "1", "30", "30"), teacher(3, SCHOOL_A, "1")])
    import_file(second, "teacher", "jiaoshi", acting_user=SYSTEM, today=TODAY)
    counts = school_counts()
    assert counts[SCHOOL_A] == {"students": 0.0, "teachers": 3.0, "teachers_completed_20": 3.0,
                                "training_hours_20": 60.0 + 50.0 + 50.0}
    assert SCHOOL_B not in counts  # its only teacher moved to school A


def test_the_completion_rate_is_a_ratio_of_sums_per_region(tmp_path: Path) -> None:
    for code, county in ((SCHOOL_A, WUHOU), (SCHOOL_B, WUHOU), (SCHOOL_C, FUCHENG)):
        make_school(county, code=code)
    rows = [teacher(1, SCHOOL_A, "1"), teacher(2, SCHOOL_A, "0"), teacher(3, SCHOOL_A, "0"), teacher(4, SCHOOL_A, "0"),
            teacher(5, SCHOOL_B, "1"), teacher(6, SCHOOL_C, "1"), teacher(7, SCHOOL_C, "1")]
    import_file(write(tmp_path / "t.csv", rows), "teacher", "jiaoshi", acting_user=SYSTEM, today=TODAY)
    definition = effective()["teacher_20_completion_rate"]
    assert definition.source == SOURCE_CODE and definition.target is not None
    values = {v.region: v for v in computing.values(computing.compute([definition], ["2022"], APPROVED))}
    wuhou = values[WUHOU]
    assert (wuhou.numerator, wuhou.denominator, wuhou.value) == (2, 5, 40.0)  # not the mean of 25 % and 100 %
    assert values[FUCHENG].value == 100.0
    assert (values["51"].numerator, values["51"].denominator, values["51"].value) == (4, 7, 57.1)
    assert (values["51"].coverage.schools_with_data, values["51"].coverage.schools_expected) == (3, 3)


def test_no_store_yet_gives_no_facts() -> None:
    make_school(WUHOU, code=SCHOOL_A)
    table = sources.get(SOURCE_CODE).facts(sources.FactQuery(("2022",), APPROVED, School.objects.all()))
    assert table.num_rows == 0 and table.schema == sources.get(SOURCE_CODE).schema()
