"""Import of Excel templates, tables, CSV and zips — and every kind of bad input the issue lists."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
import python_calamine

from edupulse.accounts.tests.factories import make_user
from edupulse.collection import importing, layout
from edupulse.collection.models import Submission
from edupulse.collection.models.submission import SubmissionStatus
from edupulse.collection.tests.conftest import FORM, good_values
from edupulse.collection.tests.helpers import read_back, row_of, run_cli, template_bytes, write_xlsx
from edupulse.core.actions import run_as_system
from edupulse.core.actors import SYSTEM
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db


def run(items: list[tuple[str, bytes]], *, user: Any = SYSTEM, period: str = "2022") -> dict[str, Any]:
    tasks, failed = importing.tasks_from_bytes(items, importing.current_limits())
    report = importing.run_import(tasks, failed, form_code=FORM, period=period, acting_user=user, workers=1)
    return report.as_json()


def only_file(report: dict[str, Any]) -> dict[str, Any]:
    assert len(report["files"]) == 1, report
    return report["files"][0]


def rules_of(report: dict[str, Any]) -> set[str]:
    return {e["rule"] for f in report["files"] for e in f["errors"] if e["severity"] == "error"}


def assert_rejected_with(report: dict[str, Any], rule: str) -> dict[str, Any]:
    item = only_file(report)
    assert item["status"] == "rejected", item
    matching = [e for e in item["errors"] if e["rule"] == rule]
    assert matching, f"expected {rule}, got {item['errors']}"
    assert all(e["message"] for e in item["errors"])
    assert not Submission.objects.exists(), "a rejected file must write nothing"
    return matching[0]


def set_value(data: bytes, code: str, value: Any, **kwargs: Any) -> bytes:
    rows, meta = read_back(data)
    rows[row_of(rows, code)][layout.COL_VALUE] = value
    return write_xlsx(rows, meta, **kwargs)


# --------------------------------------------------------------------------------------------- good


def test_template_round_trip_is_accepted_and_submitted(forms: Any, spec: Any, school: Any) -> None:
    report = run([("a.xlsx", template_bytes(spec, school, values=good_values()))])
    assert report == {"accepted": 1, "rejected": 0,
                      "files": [{"path": "a.xlsx", "school_code": school.code, "status": "accepted", "errors": []}]}
    submission = Submission.objects.get(school=school)
    assert submission.status == SubmissionStatus.SUBMITTED
    assert submission.values["access_type"] == "01"
    assert submission.values["wireless_coverage_pct"] == 95.0  # 95% stored as 0.95 by Excel
    assert submission.values["reporter_phone"] == "028-85551234"


def test_reimport_is_idempotent(forms: Any, spec: Any, school: Any) -> None:
    from edupulse.core.models import AuditLog

    data = template_bytes(spec, school, values=good_values())
    run([("a.xlsx", data)])
    rows = AuditLog.objects.count()
    again = run([("a.xlsx", data)])
    assert again["accepted"] == 1
    assert Submission.objects.count() == 1
    assert AuditLog.objects.count() == rows, "re-importing the same file must not write anything"


def test_warning_without_explanation_is_accepted_as_draft(forms: Any, spec: Any, school: Any) -> None:
    data = template_bytes(spec, school, values=good_values(teacher_terminals=400))  # R13: > 3 × teachers
    item = only_file(run([("a.xlsx", data)]))
    assert item["status"] == "accepted"
    warning = next(e for e in item["errors"] if e["rule"] == "R13")
    assert warning["severity"] == "warning" and warning["cell"].startswith("E")
    assert "教师终端数" in warning["message"] and "400" in warning["message"]
    assert Submission.objects.get().status == SubmissionStatus.DRAFT
    # With an explanation in column G the same file is submitted.
    rows, meta = read_back(data)
    rows[row_of(rows, "teacher_terminals")][layout.COL_EXPLANATION] = "含创客实验室终端"
    run([("a.xlsx", write_xlsx(rows, meta))])
    assert Submission.objects.get().status == SubmissionStatus.SUBMITTED


def test_rule_error_names_field_value_and_rule(forms: Any, spec: Any, school: Any) -> None:
    data = template_bytes(spec, school, values=good_values(multimedia_classrooms=45, ordinary_classrooms=40))
    error = assert_rejected_with(run([("a.xlsx", data)]), "R01")
    assert error["field"] == "multimedia_classrooms"
    assert "配备多媒体教学设备的普通教室数 = 45" in error["message"]
    assert "普通教室数 = 40" in error["message"]
    assert "R01" in error["message"]


def test_year_on_year_change_needs_explanation(forms: Any, spec: Any, school: Any) -> None:
    run([("a.xlsx", template_bytes(spec, school, period="2021", values=good_values()))], period="2021")
    item = only_file(run([("b.xlsx", template_bytes(spec, school, values=good_values(spending_total=90.0)))]))
    warning = next(e for e in item["errors"] if e["rule"] == "YOY.spending_total")
    assert warning["severity"] == "warning"
    assert "90" in warning["message"] and "35.5" in warning["message"]


def test_csv_in_every_encoding(forms: Any, spec: Any) -> None:
    schools = [make_school("510107", name=f"编码学校{i}") for i in range(4)]
    header = ["学校标识码", "学校名称"] + [f.label for f in spec.fields]

    def line(school: Any) -> str:
        values = good_values()
        cells = []
        for f in spec.fields:
            v = values[f.code]
            cells.append("是" if v is True else "否" if v is False else "95%" if f.type == "percent" else str(v))
        return ",".join([school.code, school.name, *cells])

    for encoding, school in zip(["utf-8", "utf-8-sig", "gbk", "gb18030"], schools, strict=True):
        text = ",".join(header) + "\r\n" + line(school) + "\r\n"
        item = only_file(run([(f"{encoding}.csv", text.encode(encoding))]))
        assert item["status"] == "accepted", (encoding, item)
        assert item["school_code"] == school.code
    assert Submission.objects.count() == 4


def test_county_zip_of_templates(forms: Any, spec: Any) -> None:
    schools = [make_school("510107", name=f"打包学校{i}") for i in range(3)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for s in schools:
            archive.writestr(f"{s.code}.xlsx", template_bytes(spec, s, values=good_values()))
        archive.writestr("__MACOSX/._junk", b"junk")
    report = run([("county.zip", buffer.getvalue())])
    assert report["accepted"] == 3 and report["rejected"] == 0
    assert {f["path"] for f in report["files"]} == {f"county.zip/{s.code}.xlsx" for s in schools}


# ---------------------------------------------------------------------------------------- bad files


def test_corrupt_xlsx(forms: Any, spec: Any, school: Any) -> None:
    data = template_bytes(spec, school, values=good_values())
    error = assert_rejected_with(run([("a.xlsx", data[: len(data) // 2])]), "corrupt_file")
    assert error["cell"] is None
    assert_rejected_with(run([("b.xlsx", b"this is not a spreadsheet at all")]), "corrupt_file")


def test_password_protected_xlsx(forms: Any) -> None:
    # An encrypted xlsx is an OLE compound file holding an EncryptionInfo stream.
    fake = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 100
    error = assert_rejected_with(run([("secret.xlsx", fake)]), "password_protected")
    assert "密码" in error["message"]


def test_xls_and_ods_are_refused_with_advice(forms: Any) -> None:
    xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500
    assert ".xlsx" in assert_rejected_with(run([("old.xls", xls)]), "unsupported_format")["message"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<x/>")
    assert_rejected_with(run([("calc.ods", buffer.getvalue())]), "unsupported_format")


def test_zip_bomb_and_huge_file(forms: Any, settings: Any) -> None:
    settings.EDUPULSE_COLLECT_MAX_UNZIPPED_MB = 5
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.csv", b"0" * (20 * 1024 * 1024))
    assert_rejected_with(run([("bomb.zip", buffer.getvalue())]), "zip_bomb")
    settings.EDUPULSE_COLLECT_MAX_FILE_MB = 1
    assert_rejected_with(run([("big.csv", b"x" * (2 * 1024 * 1024))]), "file_too_large")


def test_zip_bomb_inside_an_xlsx(forms: Any, settings: Any) -> None:
    settings.EDUPULSE_COLLECT_MAX_RATIO = 50
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (10 * 1024 * 1024))
    assert_rejected_with(run([("bomb.xlsx", buffer.getvalue())]), "zip_bomb")


def test_older_template_version(forms: Any, spec: Any, school: Any) -> None:
    rows, meta = read_back(template_bytes(spec, school, values=good_values()))
    for row in meta:
        if row[0] == "checksum":
            row[1] = "0000000000000000"
    error = assert_rejected_with(run([("a.xlsx", write_xlsx(rows, meta))]), "old_template_version")
    assert "下载" in error["message"]


def test_workbook_without_marker_or_school_column(forms: Any, spec: Any, school: Any) -> None:
    rows, _meta = read_back(template_bytes(spec, school, values=good_values()))
    rows[layout.SCHOOL_CODE_CELL[0]][0] = "代码"
    assert_rejected_with(run([("a.xlsx", write_xlsx(rows, None))]), "wrong_template")


def test_another_schools_code_in_the_template(forms: Any, spec: Any, school: Any) -> None:
    other = make_school("510107", name="别的学校")
    rows, meta = read_back(template_bytes(spec, school, values=good_values()))
    rows[layout.SCHOOL_CODE_CELL[0]][layout.SCHOOL_CODE_CELL[1]] = other.code
    error = assert_rejected_with(run([("a.xlsx", write_xlsx(rows, meta))]), "school_mismatch")
    assert error["cell"] == "B2"


def test_school_outside_the_uploaders_scope(forms: Any, spec: Any, school: Any) -> None:
    other = make_school("610113", name="雁塔区学校")
    cio = make_user("school_cio", school=school)
    error = assert_rejected_with(run([("a.xlsx", template_bytes(spec, other, values=good_values()))], user=cio),
                                 "unknown_school")
    assert other.code in error["message"]
    county = make_user("county_officer", region="510107")
    assert only_file(run([("b.xlsx", template_bytes(spec, school, values=good_values()))], user=county))[
        "status"] == "accepted"


def test_form_not_assigned_to_kindergartens(forms: Any, spec: Any) -> None:
    kindergarten = make_school("510107", category="11", name="幼儿园")
    assert_rejected_with(run([("a.xlsx", template_bytes(spec, kindergarten, values=good_values()))]), "not_assigned")


def test_formulas_are_refused(forms: Any, spec: Any, school: Any) -> None:
    rows, meta = read_back(template_bytes(spec, school, values=good_values()))
    r = row_of(rows, "teacher_terminals")
    error = assert_rejected_with(run([("a.xlsx", write_xlsx(rows, meta, formulas={(r, 4): "=E10+5"}))]), "formula")
    assert error["cell"] == f"E{r + 1}" and error["sheet"] == layout.DATA_SHEET


def test_merged_cells_are_refused(forms: Any, spec: Any, school: Any) -> None:
    rows, meta = read_back(template_bytes(spec, school, values=good_values()))
    r = row_of(rows, "websites")
    error = assert_rejected_with(run([("a.xlsx", write_xlsx(rows, meta, merge=(r, 4, r, 6)))]), "merged_cells")
    assert error["cell"] == f"E{r + 1}"


@pytest.mark.parametrize(("code", "value", "rule", "fragment"), [
    ("teachers_total", "约80人", "not_a_number", "约80人"),
    ("teachers_total", "无", "required", "0"),
    ("teachers_total", "—", "required", "专任教师数"),
    ("teachers_total", None, "required", "专任教师数"),
    ("teachers_total", -5, "negative", "-5"),
    ("teachers_total", 80.5, "not_integer", "80.5"),
    ("access_type", 1, "code_lost_leading_zero", "01"),
    ("internet_access", "大概有", "bad_boolean", "大概有"),
    ("cio_appointed_date", "去年九月", "bad_date", "去年九月"),
    ("reporter_phone", 2885551234, "number_in_text_cell", "2885551234"),
])
def test_bad_cells(forms: Any, spec: Any, school: Any, code: str, value: Any, rule: str, fragment: str) -> None:
    data = set_value(template_bytes(spec, school, values=good_values()), code, value)
    error = assert_rejected_with(run([("a.xlsx", data)]), rule)
    assert error["field"] == code and error["cell"].startswith("E")
    assert fragment in error["message"]


@pytest.mark.parametrize(("code", "value", "expected"), [
    ("teachers_total", "８０", 80),  # full-width digits
    ("teachers_total", " 80 人", 80),  # unit typed into the cell
    ("spending_total", "1,234.5", 1234.5),
    ("wireless_coverage_pct", "95%", 95.0),
    ("wireless_coverage_pct", 0.95, 95.0),  # a percent-formatted cell holds the fraction
    ("wireless_coverage_pct", "９５％", 95.0),
    ("access_type", "01 光纤", "01"),
    ("access_type", "光纤", "01"),
    ("internet_access", "是", True),
    ("cio_appointed_date", 44805, "2022-09-01"),  # an Excel serial date
    ("cio_appointed_date", "2022年9月1日", "2022-09-01"),
])
def test_values_people_really_type(forms: Any, spec: Any, school: Any, code: str, value: Any, expected: Any) -> None:
    data = set_value(template_bytes(spec, school, values=good_values()), code, value)
    item = only_file(run([("a.xlsx", data)]))
    assert item["status"] == "accepted", item
    assert Submission.objects.get().values[code] == expected


def test_duplicate_rows_in_template_and_table(forms: Any, spec: Any, school: Any) -> None:
    rows, meta = read_back(template_bytes(spec, school, values=good_values()))
    rows.append(list(rows[row_of(rows, "websites")]))
    assert_rejected_with(run([("a.xlsx", write_xlsx(rows, meta))]), "duplicate_row")
    header = ",".join(["学校标识码", *[f.code for f in spec.fields]])
    line = ",".join([school.code, *[_csv(good_values()[f.code], f.type) for f in spec.fields]])
    assert_rejected_with(run([("t.csv", f"{header}\n{line}\n{line}\n".encode())]), "duplicate_row")


def _csv(value: Any, kind: str) -> str:
    if value is True:
        return "是"
    if value is False:
        return "否"
    if kind == "percent":
        return f"{value}%"
    return str(value)


def test_csv_codes_that_lost_digits(forms: Any, spec: Any, school: Any) -> None:
    header = ",".join(["学校标识码", *[f.code for f in spec.fields]])
    cells = [_csv(good_values()[f.code], f.type) for f in spec.fields]
    for bad_code, fragment in [("2.151E+09", "科学计数"), ("215190000", "9")]:
        error = assert_rejected_with(run([("t.csv", f"{header}\n{bad_code},{','.join(cells)}\n".encode())]),
                                     "bad_school_code")
        assert fragment in error["message"] and error["cell"] == "A2" and error["sheet"] is None
    access = [f.code for f in spec.fields].index("access_type")
    cells[access] = "1"
    error = assert_rejected_with(run([("t.csv", f"{header}\n{school.code},{','.join(cells)}\n".encode())]),
                                 "code_lost_leading_zero")
    assert error["cell"] == f"{layout.cell_name(0, access + 1)[:-1]}2"


def test_ambiguous_percent_in_csv(forms: Any, spec: Any, school: Any) -> None:
    header = ",".join(["学校标识码", *[f.code for f in spec.fields]])
    cells = [_csv(good_values()[f.code], f.type) for f in spec.fields]
    cells[[f.code for f in spec.fields].index("wireless_coverage_pct")] = "0.95"
    error = assert_rejected_with(run([("t.csv", f"{header}\n{school.code},{','.join(cells)}\n".encode())]),
                                 "ambiguous_percent")
    assert "95%" in error["message"]


def test_school_code_stored_as_number_in_xlsx(forms: Any, spec: Any, school: Any) -> None:
    rows, meta = read_back(template_bytes(spec, school, values=good_values()))
    rows[1][1] = float(school.code)
    error = assert_rejected_with(run([("a.xlsx", write_xlsx(rows, meta))]), "school_code_number")
    assert error["cell"] == "B2"


def test_mixed_encodings_are_refused(forms: Any, spec: Any, school: Any) -> None:
    data = "学校标识码,学校名称\n".encode() + f"{school.code},武侯小学\n".encode("gbk")
    error = assert_rejected_with(run([("mixed.csv", data)]), "mixed_encoding")
    assert "2" in error["message"]


def test_one_bad_file_does_not_stop_the_others(forms: Any, spec: Any, school: Any) -> None:
    other = make_school("510107", name="另一所学校")
    good = template_bytes(spec, school, values=good_values())
    bad = template_bytes(spec, other, values=good_values(websites_ipv6=5, websites=1))
    report = run([("good.xlsx", good), ("bad.xlsx", bad)])
    assert (report["accepted"], report["rejected"]) == (1, 1)
    assert Submission.objects.filter(school=school).exists()
    assert not Submission.objects.filter(school=other).exists()


def test_locked_submission_is_not_overwritten(forms: Any, spec: Any, school: Any) -> None:
    from edupulse.collection import actions

    run([("a.xlsx", template_bytes(spec, school, values=good_values()))])
    run_as_system(actions.approve, Submission.objects.get())
    assert_rejected_with_after = run([("a.xlsx", template_bytes(spec, school, values=good_values(websites=2)))])
    assert rules_of(assert_rejected_with_after) == {"locked"}


def test_parallel_import_validates_in_workers(forms: Any, spec: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(importing, "PARALLEL_THRESHOLD", 2)
    schools = [make_school("510107", name=f"并行学校{i}") for i in range(4)]
    run([("old.xlsx", template_bytes(spec, schools[0], period="2021", values=good_values()))], period="2021")
    items = [(f"{s.code}.xlsx", template_bytes(spec, s, values=good_values(spending_total=200.0 if i == 0 else 35.5)))
             for i, s in enumerate(schools)]
    items.append(("bad.xlsx", template_bytes(spec, make_school("510107"), values=good_values(websites_ipv6=7))))
    tasks, failed = importing.tasks_from_bytes(items, importing.current_limits())
    report = importing.run_import(tasks, failed, form_code=FORM, period="2022", acting_user=SYSTEM, workers=2)
    assert (report.accepted, report.rejected) == (4, 1)
    first = next(f for f in report.files if f["school_code"] == schools[0].code)
    assert [e["rule"] for e in first["errors"]] == ["YOY.spending_total"]  # last period came from the prefetch
    assert "bad.xlsx" in report.grids  # the grid of a file rejected by a rule is re-read for the error workbook
    from edupulse.collection.workbook import build_error_workbook

    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(build_error_workbook(report.files, report.grids)))
    assert len(book.sheet_names) == 3  # the overview, the rejected file and the file with a warning


# ---------------------------------------------------------------------------------------------- CLI


def test_cli_json_contract_and_exit_codes(forms: Any, spec: Any, school: Any, tmp_path: Path) -> None:
    good = tmp_path / "good.xlsx"
    good.write_bytes(template_bytes(spec, school, values=good_values()))
    code, out = run_cli("import", str(good), "--form", FORM, "--period", "2022", "--json")
    assert code == 0
    report = json.loads(out)
    assert set(report) == {"accepted", "rejected", "files"}
    assert set(report["files"][0]) == {"path", "school_code", "status", "errors"}
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"garbage")
    workbook_path = tmp_path / "errors.xlsx"
    code, out = run_cli("import", str(good), str(bad), "--form", FORM, "--period", "2022", "--json",
                        "--error-workbook", str(workbook_path))
    assert code == 1
    report = json.loads(out)
    assert (report["accepted"], report["rejected"]) == (1, 1)
    error = report["files"][1]["errors"][0]
    assert set(error) == {"sheet", "cell", "field", "rule", "severity", "value", "message"}
    assert error["cell"] is None and error["rule"] == "corrupt_file"
    errors_book = python_calamine.CalamineWorkbook.from_path(str(workbook_path))
    assert errors_book.sheet_names[0] == "错误清单"
    listed = errors_book.get_sheet_by_index(0).to_python()
    assert any(row[6] == "corrupt_file" for row in listed[1:])
    assert run_cli("import", str(good), "--form", "nope", "--period", "2022", "--json")[0] == 2
    assert run_cli("import", str(good), "--form", FORM, "--period", "22", "--json")[0] == 2
    assert run_cli("import", str(tmp_path / "missing.xlsx"), "--form", FORM, "--period", "2022")[0] == 2


def test_cli_usage_errors_exit_2_from_the_shell(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    base = [sys.executable, "-m", "edupulse", "collect", "import"]
    missing_option = subprocess.run([*base, "x.xlsx", "--period", "2022"], env=env, capture_output=True, timeout=60)
    assert missing_option.returncode == 2
    missing_file = subprocess.run([*base, str(tmp_path / "nope.xlsx"), "--form", FORM, "--period", "2022"], env=env,
                                  capture_output=True, timeout=60)
    assert missing_file.returncode == 2, missing_file.stderr


def test_cli_template_for_a_county_and_a_school(forms: Any, spec: Any, school: Any, tmp_path: Path) -> None:
    make_school("510107", name="第二小学")
    code, out = run_cli("template", FORM, "--region", "510107", "--period", "2022", "--out", str(tmp_path))
    assert code == 0
    archive = zipfile.ZipFile(next(tmp_path.glob("*.zip")))
    assert len(archive.namelist()) == 2
    assert any(school.code in name and school.name in name for name in archive.namelist())
    code, out = run_cli("template", FORM, "--school", school.code, "--period", "2022", "--out", str(tmp_path))
    assert code == 0 and Path(out.strip()).exists()
    assert run_cli("template", FORM, "--region", "51x", "--out", str(tmp_path))[0] == 2


def test_template_is_protected_with_dropdowns_and_a_hidden_marker(forms: Any, spec: Any, school: Any) -> None:
    data = template_bytes(spec, school)
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    visibility = {m.name: m.visible for m in book.sheets_metadata}
    assert visibility[layout.META_SHEET] == python_calamine.SheetVisibleEnum.VeryHidden
    assert visibility[layout.DATA_SHEET] == python_calamine.SheetVisibleEnum.Visible
    assert layout.INSTRUCTIONS_SHEET in visibility
    rows, meta = read_back(data)
    assert rows[1][1] == school.code and rows[2][1] == school.name and rows[3][1] == "2022"
    assert {r[0]: r[1] for r in meta}["checksum"] == spec.checksum()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<sheetProtection" in sheet
    assert sheet.count("<dataValidation ") == len(spec.fields)
    assert '"01 光纤,02 铜缆/ADSL' in sheet  # the code-list drop-down keeps the codes as text
