"""A small province for the dashboard tests: schools in two prefectures of 四川 with approved returns of the
annual survey for 2021 and 2022, and the indicators computed from them (all through the real actions)."""

from __future__ import annotations

import random
from typing import Any

from edupulse.accounts.tests.factories import make_user
from edupulse.collection import actions as collection
from edupulse.collection.demo import realistic_values
from edupulse.collection.tests.factories import make_submission
from edupulse.core.actions import run_as_system
from edupulse.indicators import actions as indicators
from edupulse.orgs.tests.factories import make_school

# County → (category, internet access) of its schools: 武侯 has a junior school without internet, so the
# category filter changes both the rate and the number of schools behind it.
SCHOOLS = {
    "510107": [("21", True), ("21", True), ("31", False)],  # 成都市武侯区
    "510104": [("21", True)],  # 成都市锦江区
    "510703": [("21", False), ("34", True)],  # 绵阳市涪城区
}
PERIODS = ("2021", "2022")


def approved_return(school: Any, period: str, values: dict[str, Any], internet: bool) -> None:
    values = dict(values, internet_access=internet, internet_bandwidth_mbps=1000.0 if internet else 0.0)
    if not internet:  # consistent with the survey's rules R04 and R05
        values.update(access_type="09", classroom_bandwidth_mbps=0.0, edu_network_connected=False,
                      wireless_coverage_pct=0.0)
    submission = make_submission(school, period, values)
    submission = run_as_system(collection.submit, submission)
    while submission.status not in ("province_approved",):
        submission = run_as_system(collection.approve, submission)


def build() -> dict[str, Any]:
    """Schools, approved returns for both periods, stored indicator values and one user per role."""
    rng = random.Random(10)
    schools: dict[str, list[Any]] = {}
    for county, specs in SCHOOLS.items():
        for number, (category, internet) in enumerate(specs, start=1):
            school = make_school(county, category=category, name=f"{county}测试学校{number}")
            schools.setdefault(county, []).append(school)
            values = realistic_values(school, rng)  # the same each year: no year-on-year warnings to explain
            for period in PERIODS:
                approved_return(school, period, values, internet)
    run_as_system(indicators.recompute, list(PERIODS))
    first = schools["510107"][0]
    return {
        "schools": schools,
        "province": make_user("province_admin", region="51", username="sc-province"),
        "prefecture": make_user("prefecture_officer", region="5101", username="cd-prefecture"),
        "county": make_user("county_officer", region="510107", username="wh-county"),
        "cio": make_user("school_cio", school=first, username="wh-cio"),
    }
