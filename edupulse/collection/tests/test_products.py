"""Completeness, summary tables, the query API's engine, outliers and the demo generator."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import python_calamine

from edupulse.collection import actions, products
from edupulse.collection.completeness import completeness, deadline, missing_schools
from edupulse.collection.demo import load_demo_submissions
from edupulse.collection.models import Submission
from edupulse.collection.models.submission import SubmissionStatus
from edupulse.collection.outliers import modified_z_scores, peer_outliers
from edupulse.collection.tests.conftest import FORM, JINJIANG, WUHOU, good_values
from edupulse.collection.tests.factories import make_submission
from edupulse.collection.tests.helpers import run_cli
from edupulse.core.actions import run_as_system
from edupulse.core.actors import SYSTEM
from edupulse.core.tests.arrange import arranging
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db


def _approved(school: Any, **values: Any) -> Submission:
    sub = make_submission(school, values=good_values(**values))
    sub = run_as_system(actions.submit, sub)
    return run_as_system(actions.approve, sub)


def test_completeness_counts_and_missing_schools(forms: Any, spec: Any) -> None:
    a, b, c = (make_school(WUHOU, name=f"学校{i}") for i in range(3))
    make_school(WUHOU, category="11")  # kindergartens are not expected to report
    d = make_school(JINJIANG)
    on_time = _approved(a)
    with arranging():
        Submission.objects.filter(pk=on_time.pk).update(submitted_at=deadline(spec, "2022") - dt.timedelta(days=3))
    late = make_submission(b, values=good_values())
    run_as_system(actions.submit, late)
    with arranging():
        Submission.objects.filter(pk=late.pk).update(submitted_at=deadline(spec, "2022") + dt.timedelta(days=3))
    make_submission(c, values=good_values())  # a draft is not reported
    rows, total = completeness(spec, "2022", SYSTEM, level="county", region="5101")
    by_code = {r.region_code: r for r in rows}
    assert (by_code[WUHOU].expected, by_code[WUHOU].reported, by_code[WUHOU].on_time) == (3, 2, 1)
    assert by_code[WUHOU].reporting_rate == 66.7 and by_code[WUHOU].on_time_rate == 33.3
    assert (by_code[JINJIANG].expected, by_code[JINJIANG].reported) == (1, 0)
    assert (total.expected, total.reported, total.missing) == (4, 2, 2)
    assert set(missing_schools(spec, "2022", SYSTEM, WUHOU)) == {c}
    assert set(missing_schools(spec, "2022", SYSTEM)) == {c, d}


def test_summary_table_totals_from_approved_data_only(forms: Any, spec: Any, tmp_path: Any) -> None:
    a, b = make_school(WUHOU), make_school(WUHOU)
    junior = make_school(JINJIANG, category="31")
    _approved(a, teachers_total=80, teacher_space_accounts=72)
    _approved(b, teachers_total=20, teacher_space_accounts=18, teachers_trained_20=20, teacher_terminals=20,
              internet_access=False, internet_bandwidth_mbps=0.0,
              access_type="09", classroom_bandwidth_mbps=0.0)
    _approved(junior, students_junior_plus=1200, student_space_accounts=600)
    make_submission(make_school(WUHOU), values=good_values(teachers_total=999))  # draft: left out
    summary = products.summarise(spec, "2022", "county", user=SYSTEM)
    header, rows = products.summary_rows(summary)
    total = rows[-1]
    assert total[3] == 3  # schools covered
    teachers = header.index("专任教师数（人）")
    assert total[teachers] == 80 + 20 + 80
    wuhou_subtotal = next(r for r in rows if r[0] == WUHOU and r[2] == "小计")
    assert wuhou_subtotal[teachers] == 100 and wuhou_subtotal[3] == 2
    rate = header.index("教师网络学习空间开通率（%）")
    assert wuhou_subtotal[rate] == 90.0
    internet = header.index("中小学互联网接入率（%）")  # the indicator library's definition, the one copy
    assert wuhou_subtotal[internet] == 50.0
    assert total[internet] == round(100 * 2 / 3, 1)  # two of the three schools are connected
    out = tmp_path / "s.xlsx"
    code, _out = run_cli("summary", FORM, "--period", "2022", "--level", "county", "--out", str(out))
    assert code == 0
    sheet = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(out.read_bytes())).get_sheet_by_index(0)
    assert any(row and row[1] == "总计" for row in sheet.to_python())


def test_query_fields_regions_periods(forms: Any, spec: Any) -> None:
    _approved(make_school(WUHOU), teachers_total=50, teacher_space_accounts=50, teachers_trained_20=50)
    _approved(make_school(JINJIANG), teachers_total=30, teacher_space_accounts=30, teachers_trained_20=30,
              teacher_terminals=30)
    result = products.query(spec, fields=["teachers_total", "internet_access"], regions=["5101", WUHOU],
                            periods=["2022", "2021"], user=SYSTEM)
    row = next(r for r in result if r["region"] == "5101" and r["period"] == "2022" and r["field"] == "teachers_total")
    assert (row["value"], row["schools_covered"]) == (80, 2)
    row = next(r for r in result if r["region"] == WUHOU and r["period"] == "2021" and r["field"] == "teachers_total")
    assert row["schools_covered"] == 0 and row["value"] is None


def test_modified_z_score_ignores_zero_spread_and_flags_far_values(forms: Any, spec: Any) -> None:
    assert modified_z_scores([5, 5, 5, 5, 9]) is None
    median, _mad, zs = modified_z_scores([10, 11, 12, 13, 100])  # type: ignore[misc]
    assert median == 12 and zs[-1] > 3.5 and abs(zs[0]) < 3.5
    schools = [make_school(WUHOU) for _ in range(9)]
    for i, school in enumerate(schools):
        make_submission(school, values=good_values(spending_total=30.0 + i if i < 8 else 900.0))
    found = peer_outliers(spec, "2022", user=SYSTEM)
    assert [(o.school_code, o.field) for o in found] == [(schools[-1].code, "spending_total")]
    assert "年度信息化经费投入" in found[0].message and "900" in found[0].message


def test_demo_generator_is_realistic_and_repeatable(forms: Any) -> None:
    for i in range(40):
        make_school(WUHOU if i % 2 else JINJIANG, urban_rural="220" if i % 3 == 0 else "111")
    result = run_as_system(load_demo_submissions, "51", "2022", 7)
    assert result.expected == 40 and result.stored + result.missing == 40
    statuses = set(Submission.objects.filter(period="2022").values_list("status", flat=True))
    assert SubmissionStatus.SUBMITTED in statuses or SubmissionStatus.COUNTY_APPROVED in statuses
    assert Submission.objects.filter(period="2021", status=SubmissionStatus.PROVINCE_APPROVED).count() == 40
    again = run_as_system(load_demo_submissions, "51", "2022", 7)
    assert again == result
    code, out = run_cli("demo", "--period", "2022", "--province", "51")
    assert code == 0 and "40 schools" in out
