"""Reading CSV: the fast path (quote-free text through DuckDB) reads exactly what the csv module reads;
hostile files fail with a clear message in bounded memory."""

from __future__ import annotations

import random
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from django.utils import translation

from edupulse.basedata import reading
from edupulse.basedata.reading import InputError, LoadResult
from edupulse.basedata.schemas import STUDENT
from edupulse.basedata.tests import helpers

WIDTH = len(helpers.HEADER)
# Cells that matter to the reader: empty, blank in several ways (str.isspace, the ideographic space), text.
CELLS = ["", " ", "\u3000", "\t", "\x1c", "a", "张三", " b ", "0101", "x y", "\ufeff"]


@pytest.fixture(autouse=True)
def chinese() -> Iterator[None]:
    with translation.override("zh-hans"):
        yield


def load(path: Path, *, fast: bool) -> tuple[LoadResult, list[tuple[Any, ...]]]:
    """Load ``path`` with the fast path on or off; the result and every loaded row."""
    previous = reading.FAST_CSV
    reading.FAST_CSV = fast
    try:
        with duckdb.connect() as connection:
            result = reading.load(path, STUDENT, connection)
            return result, connection.execute("SELECT * FROM src ORDER BY __row").fetchall()
    finally:
        reading.FAST_CSV = previous


def load_error(path: Path, *, fast: bool) -> str:
    with pytest.raises(InputError) as error:
        load(path, fast=fast)
    return str(error.value)


def random_line(rng: random.Random) -> str:
    shape = rng.random()
    if shape < 0.08:
        return rng.choice(["", " ", ",,,", " ,\u3000,", "\t"])  # blank lines of several kinds
    width = WIDTH if shape < 0.75 else rng.choice([1, WIDTH - 1, WIDTH + 1, WIDTH + 2])
    cells = [rng.choice(CELLS) for _ in range(width)]
    if shape > 0.9:
        cells += rng.choice([[""], [" ", "\u3000"], ["extra"]])  # trailing cells, blank or not
    return ",".join(cells)


def random_file(rng: random.Random, *, quotes: bool) -> str:
    lines = [rng.choice(["", " ,"]) for _ in range(rng.randint(0, 2))]  # blank lines before the header
    lines.append(",".join(rng.choice([name, label]) for name, label in
                          zip(helpers.HEADER, helpers.chinese_header(), strict=True)))
    lines += [random_line(rng) for _ in range(rng.randint(0, 60))]
    if quotes and len(lines) > 3:  # a quoted cell, with a line break in it, somewhere after the header
        at = rng.randrange(len(lines) - 2, len(lines))
        lines[at] = ",".join(['"a\nb"', *[rng.choice(CELLS) for _ in range(WIDTH - 1)]])
    ends = rng.choice(["\n", "\r\n", "mixed"])
    text = "".join(line + (rng.choice(["\n", "\r\n"]) if ends == "mixed" else ends) for line in lines)
    return text if rng.random() < 0.8 else text.rstrip("\r\n")  # sometimes no line break at the end


@pytest.mark.parametrize("seed", range(60))
def test_fast_path_reads_what_the_csv_module_reads(tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    monkeypatch.setattr(reading, "CHUNK_BYTES", rng.choice([64, 256, 1 << 20]))  # many chunks, cut anywhere
    text = random_file(rng, quotes=seed % 4 == 0)
    encoding = ["utf-8", "utf-8-sig", "gb18030"][seed % 3]
    path = tmp_path / "s.csv"
    path.write_bytes(text.encode(encoding))
    fast, slow = load(path, fast=True), load(path, fast=False)
    assert fast[0] == slow[0]  # rows, ragged-row issues (row numbers, messages), encoding
    assert fast[1] == slow[1]  # every value, row number and flag


def test_blank_lines_and_crlf_keep_the_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    lines = ["", ",".join(helpers.HEADER), ",".join(helpers.student(1)), "", " ,\u3000", ",".join(helpers.student(2)),
             ",".join(helpers.student(3)[:5]), ",".join(helpers.student(4)) + ", ,"]
    path.write_bytes("\r\n".join(lines).encode("gbk"))
    result, rows = load(path, fast=True)
    assert [row[0] for row in rows] == [1, 4, 6]  # the line under the header is row 1
    assert [(i.row, i.rule) for i in result.issues] == [(5, "ragged_row")]
    assert result.rows == 4 and rows[0][4] == "张三" and rows[2][1] == helpers.student(4)[0]


def test_values_stay_text(tmp_path: Path) -> None:
    row = helpers.student(1, ethnicity="0101", class_name=" 1班 ", enrol_date="")
    _result, rows = load(helpers.write_csv(tmp_path / "s.csv", [row]), fast=True)
    values = dict(zip([name for name, _type in reading.relation_columns(STUDENT)], rows[0], strict=True))
    assert values["ethnicity"] == "0101" and values["class_name"] == " 1班 " and values["enrol_date"] is None
    assert values["left_behind"] is None and values["__num_id_number"] is False


def test_quoted_line_breaks_late_in_the_file_are_read_by_the_csv_module(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "CHUNK_BYTES", 512)
    rows = [helpers.student(n) for n in range(1, 40)]
    rows[30][9] = "1班\n(转入)"  # a class name over two lines: the record ends on the next line
    path = helpers.write_csv(tmp_path / "s.csv", rows, encoding="gbk")
    result, loaded = load(path, fast=True)
    assert result.rows == 39 and result.issues == []
    numbers = [row[0] for row in loaded]
    assert numbers[29:33] == [30, 32, 33, 34]  # row numbers follow the lines, as in an editor
    assert loaded[30][10] == "1班\n(转入)"


def test_a_bad_byte_after_the_sniffed_megabyte_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    good = ",".join(helpers.student(1)).encode("gbk") + b"\n"
    lines = 1 + (reading.SNIFF_BYTES * 2) // len(good)
    path.write_bytes(",".join(helpers.HEADER).encode() + b"\n" + good * (lines - 1) + b"G1,\xff\xff\n" + good)
    message = load_error(path, fast=True)
    assert f"第 {lines} 行之后不是 GB18030 编码" in message  # line `lines + 1` holds the bad bytes
    assert "GB18030" in load_error(path, fast=False)


@pytest.mark.parametrize("fast", [True, False])
def test_one_gigantic_line_fails_in_bounded_memory(tmp_path: Path, fast: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "CHUNK_BYTES", 1 << 20)
    path = tmp_path / "s.csv"
    with path.open("wb") as handle:
        handle.write(",".join(helpers.HEADER).encode() + b"\n" + ",".join(helpers.student(1)).encode() + b"\n")
        for _ in range(48):  # 48 MB, no line break
            handle.write(b"x," * (1 << 19))
    tracemalloc.start()
    try:
        message = load_error(path, fast=fast)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert message == "第 3 行开始的一条记录超过 65536 个字符：是否有未闭合的引号，或者这不是逐行记录的 CSV 文件？"
    assert peak < 8 << 20  # the 48 MB line is never held whole


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("record", [
    '"' + "张三\n" * 40_000,  # a quote never closed: the rest of the file would be one cell
    '"a\n",' * 40_000,  # many quoted cells with line breaks: one record of 40,000 lines
])
def test_a_record_without_end_fails(tmp_path: Path, fast: bool, record: str) -> None:
    path = tmp_path / "s.csv"
    body = [",".join(helpers.HEADER), ",".join(helpers.student(1)), "", ",".join(helpers.student(2)), record]
    path.write_bytes("\n".join(body).encode("gbk"))
    assert "第 5 行开始的一条记录超过 65536 个字符" in load_error(path, fast=fast)


def test_the_record_limit_is_a_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_RECORD_CHARS", 200)
    row = helpers.student(1)
    path = helpers.write_csv(tmp_path / "s.csv", [row, [*row[:9], "班" * 150, *row[10:]]])
    assert "第 3 行开始的一条记录超过 200 个字符" in load_error(path, fast=True)
    assert "第 3 行开始的一条记录超过 200 个字符" in load_error(path, fast=False)
    short = helpers.write_csv(tmp_path / "t.csv", [row, [*row[:9], "班" * 50, *row[10:]]])
    assert load(short, fast=True)[0].rows == 2


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("chunk", [64, 1 << 20])  # the long line read ahead on its own, or in the same chunk
def test_errors_come_in_line_order(tmp_path: Path, fast: bool, chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_RECORD_CHARS", 300)
    monkeypatch.setattr(reading, "CHUNK_BYTES", chunk)
    row = ",".join(helpers.student(1))
    bad_header = tmp_path / "h.csv"
    bad_header.write_text("\n".join(["备注", "x" * 2000, row]) + "\n", encoding="utf-8")
    assert "未知的列" in load_error(bad_header, fast=fast)
    long_first = tmp_path / "l.csv"
    long_first.write_text("\n".join(["", "x" * 2000, ",".join(helpers.HEADER), row]) + "\n", encoding="utf-8")
    assert "第 2 行开始的一条记录超过 300 个字符" in load_error(long_first, fast=fast)


def test_blank_is_what_str_strip_removes() -> None:
    assert set(reading.BLANK_CHARACTERS) == {c for c in map(chr, range(0x110000)) if c.isspace()}


@pytest.mark.django_db
def test_a_file_that_fails_late_imports_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from edupulse.basedata.importing import import_file
    from edupulse.basedata.models import ImportBatch
    from edupulse.core.actors import SYSTEM

    monkeypatch.setattr(reading, "CHUNK_BYTES", 4096)  # thousands of rows are loaded before the bad line
    path = helpers.write_csv(tmp_path / "s.csv", [helpers.student(n) for n in range(1, 2000)], encoding="gbk")
    with path.open("ab") as handle:
        handle.write(b"x" * 300_000)
    store = tmp_path / "basedata.duckdb"
    with pytest.raises(InputError, match="第 2001 行开始的一条记录超过"):
        import_file(path, "student", "xueji", acting_user=SYSTEM, today=helpers.TODAY, store_path=store)
    assert ImportBatch.objects.count() == 0
    with duckdb.connect(str(store), read_only=True) as connection:
        assert connection.execute("SELECT count(*) FROM student").fetchone() == (0,)
