"""``edupulse plans parse``: the JSON contract, .docx and .pdf input, bad input."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from edupulse.conftest import require_service
from edupulse.plans import reading
from edupulse.plans.tests.helpers import DATA


@pytest.fixture(autouse=True)
def chinese() -> Any:
    """The console speaks the default language; another test may have left English active in this thread."""
    with translation.override("zh-hans"):
        yield


TARGET_KEYS = {"subject", "comparator", "value", "unit", "population", "deadline", "span"}
TASK_KEYS = {"number", "title", "text", "units", "deadline", "targets", "children"}


def parse(path: Path, *flags: str) -> str:
    out = io.StringIO()
    call_command("plans", "parse", str(path), *flags, stdout=out)
    return out.getvalue()


def check_task(task: dict[str, Any]) -> None:
    assert set(task) == TASK_KEYS
    assert isinstance(task["number"], str) and isinstance(task["units"], list)
    for target in task["targets"]:
        check_target(target)
    for child in task["children"]:
        check_task(child)


def check_target(target: dict[str, Any]) -> None:
    assert set(target) == TARGET_KEYS
    assert target["comparator"] in {">=", ">", "<=", "<", "="}
    assert isinstance(target["value"], int | float) and not isinstance(target["value"], bool)


def test_json_shape() -> None:
    plan = json.loads(parse(DATA / "seed_001.txt", "--json"))
    assert set(plan) == {"title", "issuer", "doc_number", "date", "sections"}
    assert (plan["doc_number"], plan["date"]) == ("常教办〔2022〕5号", "2022-04-18")
    for section in plan["sections"]:
        assert set(section) == {"number", "title", "targets", "tasks"}
        for target in section["targets"]:
            check_target(target)
        for task in section["tasks"]:
            check_task(task)
    rate = plan["sections"][1]["tasks"][0]["targets"][1]
    assert rate == {"subject": "创建率", "comparator": ">", "value": 90, "unit": "%", "population": "中小学",
                    "deadline": None, "span": "创建率超90%"}


def test_readable_outline_in_chinese() -> None:
    text = parse(DATA / "seed_004.txt")
    assert "标题：（无）" in text
    assert "(十四) 加大教育信息化宣传力度" in text and "责任单位：信保处、办公室、省教育信息化发展研究中心" in text


def test_gb18030_text(tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_bytes((DATA / "seed_000.txt").read_text(encoding="utf-8").encode("gb18030"))
    plan = json.loads(parse(path, "--json"))
    assert plan["title"] == "2022年教育网络安全和信息化工作要点" and len(plan["sections"]) == 7


def test_docx_with_a_task_breakdown_table(tmp_path: Path) -> None:
    import docx  # heavy: python-docx, only this test builds a document

    document = docx.Document()
    document.add_paragraph("某某市教育局")
    document.add_paragraph("2023年教育信息化工作要点")
    document.add_paragraph("一、夯实基础环境")
    document.add_paragraph("1.推进校园网络提速。实现中小学千兆进校、百兆进班，无线网络覆盖率达到95%。")
    document.add_paragraph("2.加强数据治理。完善基础数据库。")
    document.add_paragraph("某某市教育局")
    document.add_paragraph("2023年2月1日")
    table = document.add_table(rows=4, cols=5)
    for row, cells in zip(table.rows, [
        ("序号", "目标与任务", "牵头单位", "责任单位", "完成时限"),
        ("1", "推进校园网络提速", "信息中心", "各区教育局、电教馆", "2023年10月"),
        ("2", "加强数据治理", "办公室", "信息中心", "2023年3月6日"),
        ("3", "建设10所智慧校园示范校", "装备处", "各区教育局", "年底前"),
    ], strict=True):
        for cell, value in zip(row.cells, cells, strict=True):
            cell.text = value
    path = tmp_path / "plan.docx"
    document.save(str(path))
    plan = json.loads(parse(path, "--json"))
    assert (plan["title"], plan["issuer"], plan["date"]) == ("2023年教育信息化工作要点", "某某市教育局", "2023-02-01")
    tasks = plan["sections"][0]["tasks"]
    assert [(t["number"], t["units"], t["deadline"]) for t in tasks] == [
        ("1.", ["信息中心", "各区教育局", "电教馆"], "2023-10"),
        ("2.", ["办公室", "信息中心"], "2023-03-06"),
        ("3", ["装备处", "各区教育局"], "2023-12"),
    ]
    assert [(t["value"], t["unit"]) for t in tasks[0]["targets"]] == [(1000, "Mbps"), (100, "Mbps"), (95, "%")]
    assert [(t["subject"], t["value"], t["unit"], t["deadline"]) for t in tasks[2]["targets"]] == [
        ("智慧校园示范校", 10, "所", "2023-12")]


def _cjk_font() -> bool:
    if shutil.which("fc-list") is None:
        return False
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False).stdout
    return bool(fonts.strip())


def test_pdf_text_layer(tmp_path: Path) -> None:
    require_service("a CJK font", _cjk_font(), "apt-get install fonts-noto-cjk")
    from weasyprint import HTML  # heavy: WeasyPrint loads Pango and fonts; only this test renders a PDF

    html = ("<html><body><p>2022年某某县教育信息化工作要点</p><p>一、基础建设</p>"
            "<p>1. 推进网络建设。实现高校门户网站IPv6支持率达到100%。（责任单位：信息中心）</p>"
            "<p>二、应用</p><p>1. 深化应用。年底前完成教师培训全覆盖。</p></body></html>")
    path = tmp_path / "plan.pdf"
    HTML(string=html).write_pdf(str(path))
    plan = json.loads(parse(path, "--json"))
    assert plan["title"] == "2022年某某县教育信息化工作要点"
    assert [[t["number"] for t in s["tasks"]] for s in plan["sections"]] == [["1."], ["1."]]
    first = plan["sections"][0]["tasks"][0]
    assert first["units"] == ["信息中心"] and first["targets"][0]["value"] == 100
    assert plan["sections"][1]["tasks"][0]["targets"][0]["deadline"] == "2022-12"


@pytest.mark.parametrize(("name", "content", "message"), [
    ("plan.xls", b"x", "不支持的文件类型"),
    ("plan.txt", b"", "文件为空"),
    ("plan.txt", b"\xff\xfe\x00\xd8\x00", "文件不是"),
    ("plan.txt", b"\x81\x30\xff\xff\x80", "无法识别"),
    ("plan.pdf", b"not a pdf at all", "PDF"),
    ("plan.docx", b"not a zip", ".docx"),
])
def test_bad_input_is_a_usage_error(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError) as raised:
        parse(path)
    assert raised.value.returncode == 2 and message in str(raised.value)


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    import pypdf  # heavy: only this test writes a PDF

    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=200, height=200)
    path = tmp_path / "scan.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    with pytest.raises(CommandError, match="没有文字层"):
        parse(path)


def test_file_over_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_BYTES", 10)
    path = tmp_path / "plan.txt"
    path.write_text("一、总体\n1. 甲。\n", encoding="utf-8")
    with pytest.raises(CommandError, match="文件超过"):
        parse(path)


def test_console_command_exits_2_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONPATH": str(root)}
    result = subprocess.run([sys.executable, "-m", "edupulse", "plans", "parse", str(path), "--json"],
                            capture_output=True, text=True, env=env, cwd=root, check=False, timeout=120)
    assert result.returncode == 2
    assert "文件为空" in result.stderr and "Traceback" not in result.stderr and result.stdout == ""
