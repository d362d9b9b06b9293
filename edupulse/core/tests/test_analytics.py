from __future__ import annotations

import pytest
from django.core.management import call_command

from edupulse.core import analytics
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db


def test_sync_publishes_base_data_and_aggregates_match_the_database(tmp_path, settings):
    settings.DUCKDB_PATH = tmp_path / "analytics.duckdb"
    make_school("510107", category="21", name="甲,小学 \"一\"")  # comma and quotes survive the CSV hop
    make_school("510107", category="11")
    make_school("510703", category="21")
    counts = analytics.sync_all()
    assert counts["regions"] == 3351 and counts["schools"] == 3
    with analytics.connect(read_only=True) as db:
        rows = db.execute("SELECT prefecture_code, category, count(*) FROM schools GROUP BY ALL ORDER BY ALL").fetchall()
        assert rows == [("5101", "11", 1), ("5101", "21", 1), ("5107", "21", 1)]
        assert db.execute("SELECT name FROM schools WHERE name LIKE '甲%'").fetchone() == ('甲,小学 "一"',)
        assert db.execute("SELECT count(*) FROM regions WHERE parent_code = '51'").fetchone() == (21,)
    make_school("510107")
    assert analytics.sync_all()["schools"] == 4  # re-sync replaces, never appends


def test_cli_runs_read_only_queries(tmp_path, settings, capsys):
    settings.DUCKDB_PATH = tmp_path / "analytics.duckdb"
    make_school("510107")
    call_command("analytics", "sync")
    call_command("analytics", "sql", "SELECT count(*) AS n FROM schools")
    assert capsys.readouterr().out.splitlines()[-2:] == ["n", "1"]
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="query failed"):
        call_command("analytics", "sql", "DELETE FROM schools")
