"""Quality scores on a hand-computed batch; the per-school issue export; the quality command."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from python_calamine import CalamineWorkbook

from edupulse.basedata import store
from edupulse.basedata.importing import import_file
from edupulse.basedata.quality import batch_quality
from edupulse.basedata.tests import helpers
from edupulse.basedata.tests.helpers import ACTIVE, ID1, OTHER, TODAY
from edupulse.core.actors import SYSTEM
from edupulse.core.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def register(settings: Any, tmp_path: Path) -> Any:
    yield from helpers.two_registered_schools(settings, tmp_path / "basedata.duckdb")


def imported(tmp_path: Path) -> Any:
    """Four rows at ACTIVE (one missing a name, one duplicate of the first), two clean rows at OTHER."""
    rows = [helpers.student(1, id_number=ID1), helpers.student(2, name=""), helpers.student(3, id_number=ID1),
            helpers.student(4), helpers.student(5, school_code=OTHER), helpers.student(6, school_code=OTHER)]
    path = helpers.write_csv(tmp_path / "q.csv", rows)
    return import_file(path, "student", "xueji", acting_user=SYSTEM, today=TODAY).batch


def test_scores_by_hand(tmp_path: Path) -> None:
    batch = imported(tmp_path)
    with store.connect() as connection:
        report = batch_quality(batch, connection)
    overall = report["overall"]
    required = 9
    assert overall["rows"] == 6 and overall["schools"] == 2
    assert overall["completeness"] == round(1 - 1 / (6 * required), 4)
    assert (overall["validity"], overall["uniqueness"], overall["consistency"]) == (1.0, round(1 - 1 / 6, 4), 1.0)
    schools = {s["key"]: s for s in report["schools"]}
    assert schools[ACTIVE]["uniqueness"] == 0.75 and schools[OTHER]["score"] == 100.0
    assert report["worst_schools"][0]["key"] == ACTIVE
    assert [c["key"] for c in report["counties"]] == ["510107", "511002"]
    assert [p["key"] for p in report["prefectures"]] == ["5101", "5110"]
    assert [(p["key"], p["rows"], p["schools"]) for p in report["provinces"]] == [("51", 6, 2)]
    assert report["provinces"][0]["uniqueness"] == overall["uniqueness"]


def test_quality_command_and_school_export(tmp_path: Path) -> None:
    batch = imported(tmp_path)
    out = io.StringIO()
    call_command("basedata", "quality", "--batch", str(batch.pk), "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert set(report) == {"batch", "overall", "schools", "counties", "prefectures", "provinces", "worst_schools"}
    assert set(report["overall"]) == {"key", "rows", "schools", "completeness", "validity", "uniqueness", "consistency",
                                      "score"}
    target = tmp_path / "issues.xlsx"
    call_command("basedata", "export-issues", "--batch", str(batch.pk), "--school", ACTIVE, "--out", str(target),
                 stdout=io.StringIO())
    sheet = CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0).to_python()
    assert [row[:3] for row in sheet[1:]] == [[2, "required", "name"], [3, "duplicate_person", "id_number"]]
    assert ID1 not in json.dumps(sheet, ensure_ascii=False)  # the ID stays masked in the export
    assert AuditLog.objects.filter(action="basedata.school_issues.export").count() == 1
