"""Every student rule on a hand-written dirty file, in each format; bad input; the validate command."""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from edupulse.basedata.reading import InputError
from edupulse.basedata.rules import STUDENT_RULES
from edupulse.basedata.tests import helpers
from edupulse.basedata.tests.helpers import EXPECTED, ID1, MANGLED, ROWS, SCHOOLS, TODAY
from edupulse.basedata.validation import ValidationResult, validate_file


@pytest.fixture(autouse=True)
def chinese() -> Any:
    with translation.override("zh-hans"):
        yield


def check(path: Path, **kwargs: Any) -> ValidationResult:
    return validate_file(path, "student", today=TODAY, schools=SCHOOLS, **kwargs)


def found(result: ValidationResult) -> list[tuple[int, str, str]]:
    return [(i.row, i.rule, i.field) for i in result.issues]


def test_every_rule_on_a_utf8_csv(tmp_path: Path) -> None:
    result = check(helpers.write_csv(tmp_path / "students.csv"))
    assert result.rows == len(ROWS)
    assert found(result) == EXPECTED
    assert set(STUDENT_RULES) <= set(result.counts)
    assert {rule: n for rule, n in result.counts.items() if n} == {
        "required": 1, "id_format": 2, "id_checksum": 1, "id_birth_date": 1, "id_gender": 1, "id_region": 1,
        "id_spreadsheet_mangled": 1, "code_table": 1, "date_range": 2, "age_grade": 1, "school_unknown": 2,
        "duplicate_person": 1}


def test_messages_are_chinese_and_name_the_first_row(tmp_path: Path) -> None:
    result = check(helpers.write_csv(tmp_path / "students.csv"))
    by_row = {(i.row, i.rule): i for i in result.issues}
    duplicate = by_row[(12, "duplicate_person")]
    assert "第 1 行" in duplicate.message and duplicate.value == ID1
    assert by_row[(2, "required")].message == "姓名为必填项。"
    assert "60" in by_row[(8, "code_table")].message
    assert "停止" in by_row[(15, "school_unknown")].message


def test_duplicate_person_is_reported_on_every_later_occurrence(tmp_path: Path) -> None:
    rows = [helpers.student(1, id_number=ID1), helpers.student(2), helpers.student(3, id_number=ID1),
            helpers.student(4, id_number=ID1, school_code=helpers.INACTIVE)]  # also across schools
    result = check(helpers.write_csv(tmp_path / "dup.csv", rows))
    duplicates = [i for i in result.issues if i.rule == "duplicate_person"]
    assert [i.row for i in duplicates] == [3, 4]
    assert all("第 1 行" in i.message for i in duplicates)


def test_gbk_csv_with_chinese_headers(tmp_path: Path) -> None:
    path = helpers.write_csv(tmp_path / "gbk.csv", header=helpers.chinese_header(), encoding="gbk")
    result = check(path)
    assert result.encoding == "gb18030"
    assert found(result) == EXPECTED


def test_utf8_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    helpers.write_csv(path, header=helpers.chinese_header())
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert found(check(path)) == EXPECTED


def test_parquet(tmp_path: Path) -> None:
    result = check(helpers.write_parquet(tmp_path / "students.parquet"))
    assert result.rows == len(ROWS) and found(result) == EXPECTED


def test_xlsx_numeric_id_cell_is_reported_as_shown(tmp_path: Path) -> None:
    rows: list[list[Any]] = [list(r) for r in ROWS]
    rows[6][2] = 110101201203050017  # typed into Excel as a number: 15 significant digits survive
    rows[12][5] = datetime.date(2012, 3, 5)  # a real date cell is a date
    rows[0][7] = 2151900001  # a school code typed as a number: the digits survive but the cell is numeric
    result = check(helpers.write_xlsx(tmp_path / "students.xlsx", rows))
    mangled = [i for i in result.issues if i.rule == "id_spreadsheet_mangled"]
    assert [(i.row, i.field, i.value) for i in mangled] == [(1, "school_code", "2151900001"),
                                                          (7, "id_number", "1.1010120120305e+17")]
    assert found(result) == sorted([*EXPECTED, (1, "id_spreadsheet_mangled", "school_code")],
                                   key=lambda issue: issue[0])


def test_excel_serial_outside_a_date_cell_is_not_a_date(tmp_path: Path) -> None:
    rows: list[list[Any]] = [helpers.student(1, id_number=ID1)]
    rows[0][5] = 40972  # the serial of 2012-03-05, in a number cell
    result = check(helpers.write_xlsx(tmp_path / "serial.xlsx", rows))
    assert [(i.rule, i.field, i.value) for i in result.issues] == [("date_range", "birth_date", "40972")]


@pytest.mark.parametrize("spelling", ["2012-03-05", "2012/3/5", "2012年3月5日", "20120305", "2012-3-5"])
def test_accepted_date_spellings(tmp_path: Path, spelling: str) -> None:
    result = check(helpers.write_csv(tmp_path / "d.csv", [helpers.student(1, id_number=ID1, birth_date=spelling)]))
    assert result.issues == []


@pytest.mark.parametrize("spelling", ["2012.3.5", "05/03/2012", "2012-02-30", "2012年3月", "1899-12-31", "40972"])
def test_rejected_date_spellings(tmp_path: Path, spelling: str) -> None:
    result = check(helpers.write_csv(tmp_path / "d.csv", [helpers.student(1, id_number=ID1, birth_date=spelling)]))
    assert ("date_range", "birth_date") in [(i.rule, i.field) for i in result.issues]


def test_mangled_spellings(tmp_path: Path) -> None:
    rows = [helpers.student(1, id_number="１１０１０１２０１２０３０５００１Ｘ"),
            helpers.student(2, id_number="110101201203050000.0"), helpers.student(3, school_code="2.1519E+09")]
    result = check(helpers.write_csv(tmp_path / "m.csv", rows))
    assert found(result) == [(1, "id_spreadsheet_mangled", "id_number"), (2, "id_spreadsheet_mangled", "id_number"),
                             (3, "id_spreadsheet_mangled", "school_code")]


def test_masking(tmp_path: Path) -> None:
    result = check(helpers.write_csv(tmp_path / "students.csv"), mask=True)
    values = [i.value or "" for i in result.issues if i.field in ("id_number", "student_no")]
    assert values and all("*" in v for v in values)
    assert not any(ID1 in (i.value or "") + i.message for i in result.issues)
    assert MANGLED not in " ".join(i.message for i in result.issues)


# --- bad input ------------------------------------------------------------------------------------------


def test_ragged_rows_are_issues_and_are_not_checked(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    lines = [",".join(helpers.HEADER), ",".join(helpers.student(1, id_number=ID1)),
             ",".join(helpers.student(2)[:5]), ",".join(helpers.student(3)) + ",extra", "",
             ",".join(helpers.student(4)) + ",,"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = check(path)
    assert found(result) == [(2, "ragged_row", ""), (3, "ragged_row", "")]
    assert result.rows == 4 and result.counts["ragged_row"] == 2
    assert "12" in result.issues[0].message and "5" in result.issues[0].message


def test_wrong_encoding_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(",".join(helpers.HEADER).encode() + b"\n\x80\x80\xff,1\n")
    with pytest.raises(InputError, match="既不是 UTF-8 也不是 GBK"):
        check(path)


def test_utf16_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "u16.csv"
    path.write_bytes(",".join(helpers.HEADER).encode("utf-16"))
    with pytest.raises(InputError, match="UTF-16"):
        check(path)


def test_unknown_duplicate_and_missing_columns_are_named(tmp_path: Path) -> None:
    header = [*helpers.HEADER[:-1], "姓名", "备注"]  # status missing, name twice (English and Chinese), an unknown
    path = helpers.write_csv(tmp_path / "cols.csv", [[*r[:-1], "张三", "x"] for r in ROWS[:1]], header=header)
    with pytest.raises(InputError) as error:
        check(path)
    message = str(error.value)
    assert "备注" in message and "name" in message and "学籍状态(status)" in message
    assert "未知的列" in message and "重复的列" in message and "缺少的列" in message


def test_optional_columns_may_be_absent_or_present(tmp_path: Path) -> None:
    header = [*helpers.HEADER, "留守儿童"]
    rows = [[*helpers.student(1, id_number=ID1), "1"], [*helpers.student(2), "3"]]
    result = check(helpers.write_csv(tmp_path / "opt.csv", rows, header=header))
    assert found(result) == [(2, "code_table", "left_behind")]


def test_unsupported_file_type(tmp_path: Path) -> None:
    path = tmp_path / "students.json"
    path.write_text("{}")
    with pytest.raises(InputError, match=r"\.json"):
        check(path)


# --- the validate command -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_validate_json_contract(tmp_path: Path) -> None:
    path = helpers.write_csv(tmp_path / "students.csv", [helpers.student(1, id_number=ID1), helpers.student(2, id_number=ID1)])
    out = io.StringIO()
    call_command("basedata", "validate", str(path), "--kind", "student", "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert set(payload) == {"rows", "counts", "issues"}
    assert payload["rows"] == 2
    assert set(payload["counts"]) == {*STUDENT_RULES, "ragged_row"}
    for issue in payload["issues"]:
        assert set(issue) == {"row", "rule", "field", "value", "message"}
    # The register is empty in this test database: both rows name an unknown school.
    assert ("school_unknown", 1) in [(i["rule"], i["row"]) for i in payload["issues"]]
    assert [i for i in payload["issues"] if i["rule"] == "duplicate_person"] == [{
        "row": 2, "rule": "duplicate_person", "field": "id_number", "value": ID1,
        "message": "与第 1 行是同一人（证件类型和号码相同）。"}]


@pytest.mark.django_db
def test_validate_bad_file_exits_2_with_a_chinese_message(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("foo,bar\n1,2\n", encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("basedata", "validate", str(path), "--json")
    assert error.value.returncode == 2 and "未知的列" in str(error.value)


# Strings DuckDB's integer and date casts read although they are not the plain spelling (hexadecimal, an
# exponent, signs, separators, tabs, full-width digits, a BC year, a time after the date), next to valid ones.
ADVERSARIAL_IDS = ["110101201203050017", "11010120120305001X", "011010120120305001", "0x016345785D8A0000",
                   "0X016345785D8A0000", "123456789012345E03", "123456789012345e03", "12_345678901234567",
                   "+12345678901234567", "-12345678901234567", "\t12345678901234567", "12345678901234567\t",
                   "1234567890123456.7", "12345678901234567.", "１２３４５６７８９０１２３４５６７８", "1101012012030500X7",
                   "0x16345785D8A000X", "1234567890123E+04X", "12345678901234567X", "110101201203050017 ",
                   "1101012012030500171", "11010120120305001", "ABCDEFGHIJKLMNOPQR", "99999999999999999X"]
ADVERSARIAL_DATES = ["2010-03-05", "2010-3-5", "2010/3/5", "0010-03-05", "-010-03-05", "\t010-03-05", "2010-03-5\t",
                     "2010-02-30", "2010-03-05 00:00:00", "2010-03-05 (BC)", "0000-01-01", "２０１０-03-05",
                     "+010-03-05", "2010- 3-05", "201 -03-05", "20100305", "2010年3月5日", "10-03-05", "9999-12-31"]


def test_the_regex_free_id_shape_agrees_with_the_regex() -> None:
    """The hot path reads an ID's digits with integer casts instead of a regex; on strings the cast accepts
    in other spellings it must still decide exactly as ``RIC_SHAPE`` does."""
    import duckdb  # heavy

    from edupulse.basedata.rules import RIC_SHAPE, _id_number_sql, _x_id_body_sql

    digits18 = f"CASE WHEN n BETWEEN {10 ** 17} AND {10 ** 18 - 1} THEN n END"
    x_body = _x_id_body_sql("id")
    rows = duckdb.connect().execute(f"""
SELECT id, regexp_full_match(id, '{RIC_SHAPE}') AS by_regex,
       ({digits18} IS NOT NULL OR x BETWEEN {10 ** 16} AND {10 ** 17 - 1}) IS TRUE AS by_casts
FROM (SELECT id, {_id_number_sql('id')} AS n, {x_body} AS x FROM unnest(?) t(id))""", [ADVERSARIAL_IDS]).fetchall()
    assert [(i, r) for i, r, c in rows if r != c] == []
    assert sum(r for _i, r, _c in rows) == 4  # two IDs ending in a digit and two in X have the shape


def test_the_regex_free_date_path_agrees_with_the_regexes() -> None:
    """The usual ISO spelling skips the regexes; every other spelling must get the verdict it got before."""
    import duckdb  # heavy

    from edupulse.basedata.rules import parse_date_sql

    fast = parse_date_sql("d")
    slow = fast[fast.index("WHEN regexp_full_match"):].join(("CASE ", ""))
    rows = duckdb.connect().execute(f"SELECT d, {fast}, {slow} FROM unnest(?) t(d)", [ADVERSARIAL_DATES]).fetchall()
    assert [(d, a, b) for d, a, b in rows if a != b] == []
    assert {d for d, a, _b in rows if a is not None} == {"2010-03-05", "2010-3-5", "2010/3/5", "0010-03-05",
                                                         "0000-01-01", "20100305", "2010年3月5日", "9999-12-31"}


def test_spaces_and_a_lower_case_x_around_an_id_change_nothing(tmp_path: Path) -> None:
    """The plain 18-digit ID skips trimming and upper-casing; an ID with spaces (ASCII or U+3000) or a
    lower-case x must still get the verdicts of its clean spelling and count as the same person."""
    x_id = next(i for i in (helpers.ric_id("110101", "20120305", f"{n:03d}") for n in range(1, 999, 2)) if i.endswith("X"))
    spellings = [helpers.WRONG_CHECK, f" {helpers.WRONG_CHECK}", f"{helpers.WRONG_CHECK}\u3000", x_id.lower(),
                 f" {x_id}", x_id, ID1, f"\u3000{ID1} "]
    rows = [helpers.student(n, id_number=spelling) for n, spelling in enumerate(spellings, start=1)]
    result = check(helpers.write_csv(tmp_path / "spaces.csv", rows))
    assert found(result) == [(1, "id_checksum", "id_number"),
                             (2, "id_checksum", "id_number"), (2, "duplicate_person", "id_number"),
                             (3, "id_checksum", "id_number"), (3, "duplicate_person", "id_number"),
                             (5, "duplicate_person", "id_number"), (6, "duplicate_person", "id_number"),
                             (8, "duplicate_person", "id_number")]
    first_rows = [i.message for i in result.issues if i.rule == "duplicate_person"]
    assert ["1" in m for m in first_rows[:2]] == [True, True] and "4" in first_rows[2] and "7" in first_rows[4]


BLANK_CANDIDATES = ["", " ", "   ", "\t", "\t ", " \t", "a", " a ", "张三", "\u3000", "\u3000张三", "张三\u3000",
                    "\u3000\u3000", "\xa0", "\u2003 \u3000", "\u3001", "Ωmega", "\u1680", "\u205f\u202f",
                    "\u3000a", "\x1f", "!"]
# Every character DuckDB's trim strips (Zs), alone.
BLANK_CANDIDATES += [chr(c) for c in (0x20, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000)]


def test_the_blank_test_of_a_lazy_field_agrees_with_trimming() -> None:
    """A name is tested for blankness by its first character instead of being trimmed on every row; on every
    space DuckDB's ``trim`` strips, alone or around text, the verdict must be trimming's."""
    import duckdb  # heavy

    from edupulse.basedata.rules import _blank_sql

    rows = duckdb.connect().execute(f"""
SELECT name, {_blank_sql('name')}, NULLIF(trim(name), '') IS NULL FROM (SELECT unnest(?) AS name) s""",
                                    [BLANK_CANDIDATES]).fetchall()
    assert [(v, fast, slow) for v, fast, slow in rows if fast != slow] == []
    assert sum(fast for _v, fast, _slow in rows) > 20  # the blank ones are among them


def test_the_check_digit_by_halves_agrees_with_stdnum() -> None:
    """The check value is computed from two nine-digit halves held as DOUBLE; on 20 000 random bodies it must be
    python-stdnum's check character (X = 10)."""
    import random

    import duckdb  # heavy

    from edupulse.basedata.rules import checksum_of_body_sql

    generator = random.Random(11643)
    bodies = [generator.randrange(10 ** 16, 10 ** 17) for _ in range(20_000)] + [10 ** 16, 10 ** 17 - 1]
    rows = duckdb.connect().execute(f"SELECT body, {checksum_of_body_sql('body')} FROM unnest(?::BIGINT[]) t(body)",
                                    [bodies]).fetchall()
    expected = {body: helpers.ric.calc_check_digit(f"{body}0") for body in bodies}
    assert [(b, v) for b, v in rows if ("X" if v == 10 else str(v)) != expected[b]] == []


@pytest.mark.parametrize(("born", "implausible"), [("2015-08-31", True), ("2015-09-01", False),
                                                    ("2019-08-31", False), ("2019-09-01", True)])
def test_age_grade_edges(tmp_path: Path, born: str, implausible: bool) -> None:
    """Grade 11 (typical age 6) accepts ages 5–8 on 31 August 2024: born after 2015-08-31, by 2019-08-31."""
    number = helpers.ric_id("110101", born.replace("-", ""), "001")
    row = helpers.student(1, id_number=number, birth_date=born, grade="11", enrol_date="2024-09-01")
    assert found(check(helpers.write_csv(tmp_path / "age.csv", [row]))) == (
        [(1, "age_grade", "grade")] if implausible else [])
