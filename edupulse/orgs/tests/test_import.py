"""`edupulse schools import/export`: spreadsheets in, all or nothing, clear messages."""

from __future__ import annotations

import io
import json

import pytest
import xlsxwriter
from django.core.management import call_command

from edupulse.core import audit
from edupulse.orgs.models import School
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db

HEADER = ["学校标识码", "学校名称", "学校类别", "所在县代码", "城乡分类", "办别", "联系电话"]


def _xlsx(path, rows, *, numeric_code=False):
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    for c, h in enumerate(HEADER):
        sheet.write_string(0, c, h)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if numeric_code and c == 0:
                sheet.write_number(r, c, float(value))
            else:
                sheet.write_string(r, c, str(value))
    workbook.close()
    return path


def _run(capsys, *args):
    with pytest.raises(SystemExit) as exc:
        call_command("schools", "import", *map(str, args), "--json")
        raise SystemExit(0)
    return exc.value.code, json.loads(capsys.readouterr().out)


def test_import_xlsx_creates_schools_and_audits_them(tmp_path, capsys):
    path = _xlsx(tmp_path / "schools.xlsx", [
        ["2151000101", "武侯区第一实验小学", "小学", "510107", "主城区", "公办", "028-85550101"],
        ["1151000102", "武侯区机关幼儿园", "11", "510107", "111", "民办", ""],
    ])
    code, report = _run(capsys, path)
    assert code == 0 and report["created"] == 2 and report["rejected"] == 0
    assert School.objects.get(code="1151000102").ownership == "private"
    assert audit.verify().ok


def test_a_code_stored_as_a_number_is_refused_not_coerced(tmp_path, capsys):
    path = _xlsx(tmp_path / "n.xlsx", [["2151000103", "甲小学", "21", "510107", "111", "公办", ""]], numeric_code=True)
    code, report = _run(capsys, path)
    error = report["files"][0]["errors"][0]
    assert code == 1 and error["cell"] == "A2" and "存成了数字" in error["message"]
    assert not School.objects.filter(code="2151000103").exists()


def test_one_bad_row_rejects_the_whole_batch(tmp_path, capsys):
    path = _xlsx(tmp_path / "bad.xlsx", [
        ["2151000104", "甲小学", "21", "510107", "111", "公办", ""],
        ["2161000105", "乙小学", "21", "510107", "111", "公办", ""],  # province part 61 ≠ 51
        ["2151000106", "丙小学", "小学校", "510107", "111", "公办", ""],  # unknown category
    ])
    code, report = _run(capsys, path)
    messages = " ".join(e["message"] for e in report["files"][0]["errors"])
    assert code == 1 and "小学校" in messages
    assert report["created"] == 0 and not School.objects.filter(name__in=["甲小学", "乙小学"]).exists()


def test_gbk_csv_with_full_width_digits(tmp_path, capsys):
    text = ",".join(HEADER) + "\n２１５１０００１０７,武侯区丁小学,21,510107,111,公办,\n"
    path = tmp_path / "gbk.csv"
    path.write_bytes(text.encode("gbk"))
    code, _report = _run(capsys, path)
    assert code == 0 and School.objects.filter(code="2151000107", name="武侯区丁小学").exists()


def test_corrupt_and_duplicate_files_get_a_file_level_rule(tmp_path, capsys):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    code, report = _run(capsys, broken)
    assert code == 1 and report["files"][0]["errors"][0]["rule"] == "corrupt_file"
    make_school("510107", code="2151000108")
    dup = _xlsx(tmp_path / "dup.xlsx", [["2151000108", "重复小学", "21", "510107", "111", "公办", ""]])
    code, report = _run(capsys, dup)
    assert code == 1 and "已存在" in report["files"][0]["errors"][0]["message"]


def test_export_writes_codes_as_text(tmp_path):
    make_school("510107", code="2151000109", name="导出小学")
    out = tmp_path / "out.xlsx"
    call_command("schools", "export", "--out", str(out), "--region", "5101", stdout=io.StringIO())
    from edupulse.utilities.tabular import read_table

    table = read_table(out.read_bytes(), "out.xlsx")
    assert table.rows[0][0] == "学校标识码"
    assert table.rows[1][:2] == ["2151000109", "导出小学"]


def test_web_upload_imports_or_explains(client, tmp_path):
    from edupulse.accounts.tests.factories import PASSWORD, make_user

    officer = make_user("county_officer", region="510107")
    client.login(username=officer.username, password=PASSWORD)
    assert "批量导入" in client.get("/schools/").content.decode() or "导入学校" in client.get("/schools/").content.decode()
    good = _xlsx(tmp_path / "good.xlsx", [["2151000201", "武侯区网上导入小学", "21", "510107", "111", "公办", ""]])
    with open(good, "rb") as fh:
        page = client.post("/schools/import/", {"file": fh})
    assert page.status_code == 200 and "已导入 1 所学校" in page.content.decode()
    outside = _xlsx(tmp_path / "outside.xlsx", [["2151000202", "涪城区越权小学", "21", "510703", "111", "公办", ""]])
    with open(outside, "rb") as fh:
        page = client.post("/schools/import/", {"file": fh})
    assert "不在您的管辖范围内" in page.content.decode()
    assert not School.objects.filter(code="2151000202").exists()


def test_roles_without_add_cannot_open_the_import_page(client):
    from edupulse.accounts.tests.factories import PASSWORD, make_user

    auditor = make_user("auditor", region="5101")
    client.login(username=auditor.username, password=PASSWORD)
    assert client.get("/schools/import/").status_code == 403
