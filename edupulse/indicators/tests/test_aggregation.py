"""Aggregation of indicators school → county → prefecture → province, on hand-computed cases.

A value is Σ numerators ÷ Σ denominators over the schools that reported (a ratio of sums); a mean of the
schools' ratios would let a two-classroom school weigh as much as a hundred-classroom one.
"""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from edupulse.accounts.tests.factories import make_user
from edupulse.collection import actions as collection_actions
from edupulse.collection.tests.conftest import JINJIANG, WUHOU, good_values
from edupulse.collection.tests.factories import make_submission
from edupulse.core.actions import run_as_system
from edupulse.core.actors import SYSTEM
from edupulse.core.models import AuditLog
from edupulse.indicators import computing, reading
from edupulse.indicators.actions import recompute
from edupulse.indicators.definitions import effective
from edupulse.indicators.models import IndicatorValue
from edupulse.indicators.values import APPROVED, REPORTED
from edupulse.monitoring import actions as monitoring_actions
from edupulse.monitoring.tests.factories import make_website, report
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db
FUCHENG = "510703"  # 绵阳市涪城区: another prefecture


@pytest.fixture
def forms(db: Any) -> Any:
    return run_as_system(collection_actions.load_forms)


def approved(school: Any, period: str = "2022", **values: Any) -> Any:
    submission = make_submission(school, period=period, values=good_values(**values))
    submission = run_as_system(collection_actions.submit, submission)
    return run_as_system(collection_actions.approve, submission)


def submitted(school: Any, **values: Any) -> Any:
    return run_as_system(collection_actions.submit, make_submission(school, values=good_values(**values)))


def by_region(values: list[Any], indicator: str) -> dict[str, Any]:
    return {v.region: v for v in values if v.indicator == indicator}


def compute_now(basis: str = APPROVED, period: str = "2022") -> list[Any]:
    return computing.values(computing.compute(list(effective().values()), [period], basis))


def test_a_region_is_a_ratio_of_sums_never_a_mean_of_ratios(forms: Any) -> None:
    approved(make_school(WUHOU), ordinary_classrooms=100, multimedia_classrooms=50)  # 50 %
    approved(make_school(WUHOU), ordinary_classrooms=2, multimedia_classrooms=2)  # 100 %
    multimedia = by_region(compute_now(), "multimedia_rate")[WUHOU]
    assert (multimedia.numerator, multimedia.denominator) == (52, 102)
    assert multimedia.value == round(100 * 52 / 102, 1) == 51.0
    mean_of_ratios = (50.0 + 100.0) / 2
    assert multimedia.value != mean_of_ratios
    assert multimedia.attained is False and multimedia.target == 80


def test_levels_add_up_and_coverage_counts_the_schools_behind_each_value(forms: Any) -> None:
    approved(make_school(WUHOU), internet_access=True)
    approved(make_school(WUHOU), internet_access=False, internet_bandwidth_mbps=0.0, access_type="09",
             classroom_bandwidth_mbps=0.0)
    make_submission(make_school(WUHOU), values=good_values())  # a draft: expected, no data
    approved(make_school(JINJIANG), internet_access=True)
    approved(make_school(FUCHENG), internet_access=True)
    make_school(FUCHENG, category="11")  # a kindergarten is not assigned the survey: not expected
    internet = by_region(compute_now(), "internet_rate")
    assert (internet[WUHOU].numerator, internet[WUHOU].denominator, internet[WUHOU].value) == (1, 2, 50.0)
    assert (internet[WUHOU].coverage.schools_with_data, internet[WUHOU].coverage.schools_expected) == (2, 3)
    assert (internet["5101"].numerator, internet["5101"].denominator) == (2, 3)
    assert internet["5101"].value == 66.7
    assert (internet["5107"].value, internet["5107"].coverage.schools_expected) == (100.0, 1)
    assert (internet["51"].numerator, internet["51"].denominator, internet["51"].value) == (3, 4, 75.0)
    assert (internet["51"].coverage.schools_with_data, internet["51"].coverage.schools_expected) == (4, 5)


def test_the_basis_decides_which_submissions_count(forms: Any) -> None:
    approved(make_school(WUHOU), teachers_total=100, teachers_trained_20=100)
    submitted(make_school(WUHOU), teachers_total=100, teachers_trained_20=0)
    assert by_region(compute_now(APPROVED), "training_20_rate")[WUHOU].value == 100.0
    assert by_region(compute_now(REPORTED), "training_20_rate")[WUHOU].value == 50.0


def test_an_indicator_counts_only_its_school_categories(forms: Any) -> None:
    approved(make_school(WUHOU, category="21"), students_junior_plus=0, student_space_accounts=0)  # primary
    approved(make_school(WUHOU, category="31"), students_junior_plus=1000, student_space_accounts=700)
    space = by_region(compute_now(), "student_space_rate")[WUHOU]
    assert (space.numerator, space.denominator, space.value) == (700, 1000, 70.0)
    assert (space.coverage.schools_with_data, space.coverage.schools_expected) == (1, 1)


def test_no_denominator_gives_no_value_and_no_rank(forms: Any) -> None:
    approved(make_school(WUHOU), websites=0, websites_ipv6=0)
    approved(make_school(JINJIANG), websites=4, websites_ipv6=1)
    ipv6 = by_region(compute_now(), "ipv6_rate")
    assert ipv6[WUHOU].value is None and ipv6[WUHOU].attained is None and ipv6[WUHOU].rank is None
    assert (ipv6[JINJIANG].value, ipv6[JINJIANG].rank, ipv6[JINJIANG].peers) == (25.0, 1, 1)


def test_counties_are_ranked_within_their_prefecture(forms: Any) -> None:
    approved(make_school(WUHOU), teachers_total=100, teacher_space_accounts=90)  # 90 %
    approved(make_school(JINJIANG), teachers_total=100, teacher_space_accounts=50)  # 50 %
    approved(make_school(FUCHENG), teachers_total=100, teacher_space_accounts=10)  # 10 %, other prefecture
    space = by_region(compute_now(), "teacher_space_rate")
    assert (space[WUHOU].rank, space[WUHOU].peers) == (1, 2)
    assert (space[JINJIANG].rank, space[JINJIANG].peers) == (2, 2)
    assert (space[FUCHENG].rank, space[FUCHENG].peers) == (1, 1)
    assert (space["5101"].rank, space["5107"].rank) == (1, 2)


def test_probed_websites_feed_the_measured_ipv6_rate(forms: Any) -> None:
    school = make_school(WUHOU)
    good, bad = make_website(school), make_website(make_school(WUHOU))
    make_website(make_school(WUHOU))  # never probed: not in the denominator
    run_as_system(monitoring_actions.save_reports, [report(good.url), report(bad.url, failing=("ipv6",))])
    site = by_region(compute_now(), "site_ipv6_rate")[WUHOU]
    assert (site.numerator, site.denominator, site.value) == (1, 2, 50.0)
    assert (site.coverage.schools_with_data, site.coverage.schools_expected) == (2, 3)  # one not yet probed


def test_recompute_stores_values_replaces_them_and_writes_one_audit_row(forms: Any) -> None:
    school = make_school(WUHOU)
    approved(school, ordinary_classrooms=10, multimedia_classrooms=5)
    audit_rows = AuditLog.objects.filter(action="indicators.value.recompute").count()
    run_as_system(recompute, ["2022"])
    stored = IndicatorValue.objects.get(indicator="multimedia_rate", region_id=WUHOU, period="2022", basis=APPROVED)
    assert stored.value == 50.0 and stored.schools_with_data == 1
    approved(make_school(WUHOU), ordinary_classrooms=10, multimedia_classrooms=10)
    run_as_system(recompute, ["2022"])
    stored = IndicatorValue.objects.get(indicator="multimedia_rate", region_id=WUHOU, period="2022", basis=APPROVED)
    assert stored.value == 75.0 and stored.schools_with_data == 2
    assert AuditLog.objects.filter(action="indicators.value.recompute").count() == audit_rows + 2


def test_a_county_officer_reads_only_their_county(forms: Any) -> None:
    approved(make_school(WUHOU))
    approved(make_school(JINJIANG))
    run_as_system(recompute, ["2022"])
    officer = make_user("county_officer", region=WUHOU)
    assert reading.region_values(officer, "2022", WUHOU)["internet_rate"].value == 100.0
    assert reading.region_values(officer, "2022", JINJIANG) == {}
    assert reading.region_values(officer, "2022", "5101") == {}
    prefecture = make_user("prefecture_officer", region="5101")
    assert {v.region for v in reading.child_values(prefecture, "2022", "5101", indicators=["internet_rate"])} == {
        WUHOU, JINJIANG}


def test_filters_compute_on_demand_over_the_matching_schools(forms: Any) -> None:
    approved(make_school(WUHOU, category="21"), teachers_total=100, teachers_trained_20=100)
    approved(make_school(WUHOU, category="31"), teachers_total=100, teachers_trained_20=0)
    values = reading.computed_values(SYSTEM, "2022", WUHOU, school_filter=reading.SchoolFilter(categories=("31",)),
                                     indicators=["training_20_rate"])
    county = by_region(values, "training_20_rate")[WUHOU]
    assert (county.value, county.coverage.schools_with_data) == (0.0, 1)
    schools = reading.school_values(SYSTEM, "2022", WUHOU, indicators=["training_20_rate"])
    assert sorted(v.value for v in schools) == [0.0, 100.0]


def test_cli_compute_prints_the_contract(forms: Any) -> None:
    approved(make_school(WUHOU), ordinary_classrooms=4, multimedia_classrooms=3)
    out = StringIO()
    call_command("indicators", "compute", "--period", "2022", "--json", stdout=out)
    printed = json.loads(out.getvalue())
    assert printed["period"] == "2022"
    row = next(v for v in printed["values"] if v["indicator"] == "multimedia_rate" and v["region"] == WUHOU)
    assert row["level"] == "county" and row["value"] == 75.0 and row["numerator"] == 3 and row["denominator"] == 4
    assert row["coverage"] == {"schools_with_data": 1, "schools_expected": 1}
    assert row["target"] == 80 and row["attained"] is False and row["rank"] == 1
    levels = {v["level"] for v in printed["values"]}
    assert levels == {"province", "prefecture", "county"}
    assert IndicatorValue.objects.filter(period="2022", basis=APPROVED).exists()
