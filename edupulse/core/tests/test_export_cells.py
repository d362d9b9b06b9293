"""Exported cells read as the pages show them (CSV and XLSX)."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime

from django.test import override_settings

from edupulse.utilities.export import to_csv, to_xlsx


@override_settings(TIME_ZONE="Asia/Shanghai")
def test_times_are_local_and_dates_readable_in_csv_and_xlsx() -> None:
    row = [datetime(2026, 11, 23, 8, 8, 4, 237991, tzinfo=UTC), date(2026, 12, 1), True, None]
    text = to_csv(["创建时间", "截止日期", "已办结", "备注"], [row]).decode("utf-8-sig")
    assert text.splitlines()[1] == "2026-11-23 16:08,2026-12-01,是,"
    workbook = to_xlsx(["创建时间", "截止日期", "已办结", "备注"], [row])  # a time zone would make xlsxwriter refuse
    strings = zipfile.ZipFile(io.BytesIO(workbook)).read("xl/sharedStrings.xml").decode()
    assert "2026-11-23 16:08" in strings and "2026-12-01" in strings
