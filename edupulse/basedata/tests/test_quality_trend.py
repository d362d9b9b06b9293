"""The quality trend across batches: scores stored at import, read in import order with their change, scoped,
shown, exported, printed by the command, and backfilled for batches imported before they were stored."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from python_calamine import CalamineWorkbook

from edupulse.accounts.tests.factories import PASSWORD, make_user
from edupulse.basedata import demo, quality_trend
from edupulse.basedata.importing import import_file
from edupulse.basedata.models import ImportBatch, QualityScore
from edupulse.basedata.tests import helpers
from edupulse.basedata.tests.helpers import ACTIVE, ID1, OTHER, TODAY
from edupulse.core.actors import SYSTEM
from edupulse.core.models import AuditLog
from edupulse.core.tests.arrange import arranging

pytestmark = pytest.mark.django_db
REQUIRED = 9  # required student fields

# Batch 1, four rows at ACTIVE: one missing its name, one repeating the first person. By hand:
# completeness 1 − 1/(4 × 9), validity 1, uniqueness 1 − 1/4, consistency 1.
FIRST = {"completeness": round(1 - 1 / (4 * REQUIRED), 4), "validity": 1.0, "uniqueness": 0.75, "consistency": 1.0}
FIRST_SCORE = 93.05  # (0.9722 + 1 + 0.75 + 1) / 4 × 100 = 93.055, which in binary is 93.05499… → 93.05
# Batch 2, the same school's export fixed: four clean rows, score 100, change +6.95 points.


@pytest.fixture(autouse=True)
def register(settings: Any, tmp_path: Path) -> Any:
    yield from helpers.two_registered_schools(settings, tmp_path / "basedata.duckdb")


def two_batches(tmp_path: Path) -> tuple[ImportBatch, ImportBatch]:
    dirty = [helpers.student(1, id_number=ID1), helpers.student(2, name=""), helpers.student(3, id_number=ID1),
             helpers.student(4)]
    clean = [helpers.student(1, id_number=ID1), helpers.student(2), helpers.student(4), helpers.student(5)]
    first = import_file(helpers.write_csv(tmp_path / "a.csv", dirty), "student", "xueji", acting_user=SYSTEM, today=TODAY)
    second = import_file(helpers.write_csv(tmp_path / "b.csv", clean), "student", "xueji", acting_user=SYSTEM, today=TODAY)
    return first.batch, second.batch


def test_second_cleaner_batch_gives_the_hand_computed_scores_and_a_positive_change(tmp_path: Path) -> None:
    first, second = two_batches(tmp_path)
    for group in (quality_trend.region_group(SYSTEM, "510107"), quality_trend.region_group(SYSTEM, "5101"),
                  quality_trend.region_group(SYSTEM, "51"), quality_trend.school_group(SYSTEM, ACTIVE)):
        assert group is not None
        points = quality_trend.trend(SYSTEM, "student", group)
        assert [p.batch for p in points] == [first.pk, second.pk], group
        assert {d: getattr(points[0], d) for d in FIRST} == FIRST
        assert (points[0].score, points[0].change, points[0].rows, points[0].schools) == (FIRST_SCORE, None, 4, 1)
        assert (points[1].score, points[1].change, points[1].rows) == (100.0, 6.95, 4)
    # The whole batches too; a region neither batch touches has no trend, and the teachers have none yet.
    assert [p.score for p in quality_trend.trend(SYSTEM, "student", quality_trend.everything())] == [FIRST_SCORE, 100.0]
    assert quality_trend.trend(SYSTEM, "student", quality_trend.region_group(SYSTEM, "511002")) == []  # type: ignore[arg-type]
    assert quality_trend.trend(SYSTEM, "teacher", quality_trend.everything()) == []
    assert quality_trend.trend(SYSTEM, "student", quality_trend.everything(), source="zizhu") == []


def test_scores_are_stored_with_the_import_audited_and_rolled_back_with_it(tmp_path: Path) -> None:
    first, _second = two_batches(tmp_path)
    levels = set(QualityScore.objects.filter(batch=first).values_list("level", "key"))
    assert levels == {("batch", ""), ("school", ACTIVE), ("county", "510107"), ("prefecture", "5101"), ("province", "51")}
    assert AuditLog.objects.filter(action="basedata.qualityscore.create", object_id=str(first.pk)).count() == 1

    def fail() -> None:
        raise RuntimeError("the store's commit failed")

    rows = [helpers.student(7)]
    with pytest.raises(RuntimeError):
        import_file(helpers.write_csv(tmp_path / "c.csv", rows), "student", "xueji", acting_user=SYSTEM, today=TODAY,
                    before_commit=fail)
    assert QualityScore.objects.count() == 10 and ImportBatch.objects.count() == 2


def _client(role: str, **scope: Any) -> Client:
    client = Client()
    user = make_user(role, **scope)
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_a_county_officer_reads_their_county_and_school_but_not_another_county(tmp_path: Path) -> None:
    two_batches(tmp_path)
    other = [helpers.student(9, school_code=OTHER)]
    import_file(helpers.write_csv(tmp_path / "o.csv", other), "student", "xueji", acting_user=SYSTEM, today=TODAY)
    client = _client("county_officer", region="510107")
    own = client.get(reverse("basedata:quality-region", args=["510107"]))
    assert own.status_code == 200
    text = own.content.decode()
    assert "echarts.min.js" in text and 'id="quality-trend"' in text and "93.05" in text and "+6.95" in text
    assert client.get(reverse("basedata:quality")).context["group"].key == "510107"  # their own area by default
    assert client.get(reverse("basedata:quality-school", args=[ACTIVE])).status_code == 200
    missing = client.get(reverse("basedata:quality-region", args=["990000"])).status_code
    assert missing == 404
    for url in (reverse("basedata:quality-region", args=["511002"]), reverse("basedata:quality-region", args=["5101"]),
                reverse("basedata:quality-school", args=[OTHER])):
        assert client.get(url).status_code == missing, url  # outside the scope: as if it did not exist
    # The read function agrees: the officer's own scores only, never the prefecture's or the other county's.
    officer = own.wsgi_request.user
    assert quality_trend.region_group(officer, "511002") is None
    seen = set(QualityScore.objects.visible_to(officer).values_list("batch__file_name", "level", "key"))
    assert seen == {(name, level, key) for name in ("a.csv", "b.csv")
                    for level, key in (("batch", ""), ("county", "510107"), ("school", ACTIVE))}
    # Reviewers read no quality scores at all.
    assert _client("expert_reviewer", region="510107").get(reverse("basedata:quality")).status_code == 403


def test_the_page_lists_the_groups_below_and_says_when_there_is_one_batch(tmp_path: Path) -> None:
    import_file(helpers.write_csv(tmp_path / "one.csv", [helpers.student(1), helpers.student(2, school_code=OTHER)]),
                "student", "xueji", acting_user=SYSTEM, today=TODAY)
    client = _client("province_admin", region="51")
    with translation.override("zh-hans"):
        page = client.get(reverse("basedata:quality"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert page.status_code == 200 and page.context["group"].key == "51"
    assert 'id="quality-trend"' not in text and "只有一个批次" in text
    assert [c.group.key for c in page.context["children"]] == ["5101", "5110"]
    assert "共 2 行，涉及 2 所学校" in text  # the figure says what it covers


def test_the_table_exports_as_csv_and_xlsx(tmp_path: Path) -> None:
    first, second = two_batches(tmp_path)
    client = _client("province_admin", region="51")
    url = reverse("basedata:quality-region", args=["510107"])
    with translation.override("zh-hans"):
        rows = list(csv.reader(io.StringIO(client.get(url, {"export": "csv"}).content.decode("utf-8-sig"))))
    assert rows[0] == ["批次", "导入时间", "来源系统", "行数", "学校数", "完整性（%）", "有效性（%）", "唯一性（%）",
                       "一致性（%）", "得分", "较上批次变化"]
    assert [r[0] for r in rows[1:]] == [str(first.pk), str(second.pk)]
    assert rows[1][3:] == ["4", "1", "97.22", "100.0", "75.0", "100.0", "93.05", ""]
    assert rows[2][-2:] == ["100.0", "6.95"]
    body = client.get(url, {"export": "xlsx", "source": "xueji"}).content
    path = tmp_path / "trend.xlsx"
    path.write_bytes(body)
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert len(sheet) == 3 and sheet[2][-2:] == [100.0, 6.95]
    assert client.get(url, {"export": "pdf"}).status_code == 404


def test_trend_command_json_and_table(tmp_path: Path) -> None:
    first, second = two_batches(tmp_path)
    out = io.StringIO()
    call_command("basedata", "quality", "--trend", "--region", "510107", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert set(report) == {"kind", "source", "group", "batches"}
    assert report["group"] == {"level": "county", "key": "510107", "name": "武侯区"}
    assert (report["kind"], report["source"]) == ("student", None)
    assert set(report["batches"][0]) == {"batch", "imported_at", "source", "rows", "schools", "completeness",
                                         "validity", "uniqueness", "consistency", "score", "change"}
    assert [(b["batch"], b["score"], b["change"]) for b in report["batches"]] == [(first.pk, FIRST_SCORE, None),
                                                                                  (second.pk, 100.0, 6.95)]
    out = io.StringIO()
    call_command("basedata", "quality", "--trend", "--school", ACTIVE, "--source", "xueji", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 4 and lines[-1].split("\t")[-2:] == ["100.0", "6.95"]
    with pytest.raises(Exception, match="990000"):
        call_command("basedata", "quality", "--trend", "--region", "990000", stdout=io.StringIO())


def test_backfill_stores_the_scores_an_import_stores_and_is_idempotent(tmp_path: Path) -> None:
    two_batches(tmp_path)
    stored = sorted(QualityScore.objects.values_list("batch_id", "level", "key", "rows", "schools", "score"))
    with arranging():
        QualityScore.objects.all().delete()  # as before this change: batches without stored scores
    out = io.StringIO()
    call_command("basedata", "quality", "--backfill", "--json", stdout=out)
    outcome = json.loads(out.getvalue())
    assert (len(outcome["scored"]), outcome["scores"], outcome["empty"]) == (2, 10, [])
    assert sorted(QualityScore.objects.values_list("batch_id", "level", "key", "rows", "schools", "score")) == stored
    again = io.StringIO()
    call_command("basedata", "quality", "--backfill", "--json", stdout=again)
    assert json.loads(again.getvalue()) == {"scored": [], "scores": 0, "empty": []}


def test_demo_batches_get_cleaner() -> None:
    schools = [("2151900001", "510107")]
    dirty = demo.students(2000, schools, seed=5, today=TODAY, rate_scale=3.0)
    plain = demo.students(2000, schools, seed=5, today=TODAY)
    assert len(dirty.injected) > 2 * len(plain.injected) > 0
    assert demo.students(500, schools, seed=5, today=TODAY, rate_scale=0).injected == []
