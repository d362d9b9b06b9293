"""A hand-written dirty student file: one problem per row, with the exact issues it must produce."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import xlsxwriter
from django.utils import translation
from stdnum.cn import ric

from edupulse.basedata.schemas import STUDENT
from edupulse.orgs.tests.factories import make_school

TODAY = datetime.date(2025, 6, 1)  # school year 2024/25: a child born 2012-03-05 is 12 (junior grade 1, 21)
ACTIVE = "2151900001"
INACTIVE = "2151900002"
SCHOOLS = [(ACTIVE, "510107", True), (INACTIVE, "510107", False)]
OTHER = "2151900003"  # a school of 511002: another county (and prefecture) of the same province
HEADER = ["student_no", "id_type", "id_number", "name", "gender", "birth_date", "ethnicity", "school_code", "grade",
          "class_name", "enrol_date", "status"]


def two_registered_schools(settings: Any, store_path: Path) -> Iterator[None]:
    """For a fixture: the store at ``store_path`` and ACTIVE (510107) and OTHER (511002) in the orgs register,
    with Chinese active (the quality and quality-trend tests)."""
    settings.BASEDATA_DUCKDB_PATH = store_path
    with translation.override("zh-hans"):
        make_school(code=ACTIVE)
        make_school("511002", code=OTHER)
        yield


def ric_id(region: str, born: str, sequence: str, check: str | None = None) -> str:
    body = f"{region}{born}{sequence}"
    return body + (check if check is not None else ric.calc_check_digit(body + "0"))


ID1 = ric_id("110101", "20120305", "001")  # male (odd sequence)
WRONG_CHECK = ID1[:-1] + ("0" if ID1[-1] != "0" else "1")
ID_GIRL = ric_id("110101", "20120305", "002")
ID_BOY2 = ric_id("110101", "20120305", "003")
ID_CHONGWEN = ric_id("110103", "20120305", "005")  # 崇文区 was merged into 东城区 in 2010
ID_CHONGWEN_OLD = ric_id("110103", "20080305", "007")  # born while 崇文区 existed: still valid
MANGLED = "1.10101201203E+17"


def student(number: int, **changes: str) -> list[str]:
    values = {"student_no": f"G{number:018d}", "id_type": "1", "id_number": ric_id("110101", "20120305", f"{number * 2 + 1:03d}"),
              "name": "张三", "gender": "1", "birth_date": "2012-03-05", "ethnicity": "01", "school_code": ACTIVE,
              "grade": "21", "class_name": "1班", "enrol_date": "2024-09-01", "status": "01"}
    values.update(changes)
    return [values[h] for h in HEADER]


ROWS = [
    student(1, id_number=ID1),                                    # 1 clean
    student(2, name=""),                                          # 2 required
    student(3, id_number=WRONG_CHECK),                            # 3 id_checksum
    student(4, birth_date="2012-03-06"),                          # 4 id_birth_date
    student(5, id_number=ID_BOY2, gender="2"),                    # 5 id_gender
    student(6, id_number=ID_CHONGWEN),                            # 6 id_region
    student(7, id_number=MANGLED),                                # 7 id_spreadsheet_mangled
    student(8, ethnicity="60"),                                   # 8 code_table
    student(9, enrol_date="2024-13-01"),                          # 9 date_range (not a date)
    student(10, grade="11"),                                      # 10 age_grade (12 years old in grade 1)
    student(11, school_code="2151999999"),                        # 11 school_unknown
    student(12, id_number=ID1),                                   # 12 duplicate_person of row 1
    student(13, birth_date="2012年3月5日", enrol_date="2024/9/1"),  # 13 clean: accepted date spellings
    student(14, id_number="11010120120305001"),                   # 14 id_format (17 characters)
    student(15, school_code=INACTIVE),                            # 15 school_unknown (inactive)
    student(16, id_number=ID_GIRL, gender="2", birth_date="20120305"),  # 16 clean
    student(17, id_number=ID_CHONGWEN_OLD, birth_date="2008-03-05", grade="31"),  # 17 clean (16, senior 1)
    student(18, id_type="A", id_number="E12345678"),             # 18 clean: a passport
    student(19, id_type="6", id_number="12345"),                  # 19 id_format: not a Hong Kong document
    student(20, enrol_date="2026-09-01"),                         # 20 date_range (in the future)
]

EXPECTED = [
    (2, "required", "name"),
    (3, "id_checksum", "id_number"),
    (4, "id_birth_date", "id_number"),
    (5, "id_gender", "id_number"),
    (6, "id_region", "id_number"),
    (7, "id_spreadsheet_mangled", "id_number"),
    (8, "code_table", "ethnicity"),
    (9, "date_range", "enrol_date"),
    (10, "age_grade", "grade"),
    (11, "school_unknown", "school_code"),
    (12, "duplicate_person", "id_number"),
    (14, "id_format", "id_number"),
    (15, "school_unknown", "school_code"),
    (19, "id_format", "id_number"),
    (20, "date_range", "enrol_date"),
]


def chinese_header() -> list[str]:
    labels = {f.name: f.label for f in STUDENT.fields}
    return [labels[h] for h in HEADER]


def write_csv(path: Path, rows: list[list[str]] | None = None, *, header: list[str] | None = None,
              encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header or HEADER)
    writer.writerows(ROWS if rows is None else rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[Any]] | None = None) -> Path:
    """Text cells, except where a row holds a number (a numeric cell) or a date (a date cell)."""
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for c, name in enumerate(HEADER):
        sheet.write_string(0, c, name)
    for r, row in enumerate(ROWS if rows is None else rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, datetime.date):
                sheet.write_datetime(r, c, datetime.datetime.combine(value, datetime.time()), date_format)
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            elif value != "":
                sheet.write_string(r, c, value)
    workbook.close()
    return path


def write_parquet(path: Path, rows: list[list[str]] | None = None) -> Path:
    data = ROWS if rows is None else rows
    pq.write_table(pa.table({h: [row[i] or None for row in data] for i, h in enumerate(HEADER)}), path)
    return path
