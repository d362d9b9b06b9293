"""A small province for the annual report: 成都 (武侯 two schools, 锦江 one) and 绵阳 (涪城 two schools),
annual surveys approved for 2021 and 2022, indicator values recomputed."""

from __future__ import annotations

from typing import Any

import pytest

from edupulse.collection import actions as collection
from edupulse.collection.tests.conftest import good_values
from edupulse.collection.tests.factories import make_submission
from edupulse.core.actions import run_as_system
from edupulse.indicators.actions import recompute
from edupulse.orgs.tests.factories import make_school

WUHOU, JINJIANG, FUCHENG = "510107", "510104", "510703"


def survey(**overrides: Any) -> dict[str, Any]:
    """Clean values of the annual survey for a primary school (the collection tests' own)."""
    return good_values(**overrides)


def approved(school: Any, period: str, values: dict[str, Any]) -> None:
    submission = make_submission(school, period, values)
    submission = run_as_system(collection.submit, submission)
    run_as_system(collection.approve, submission)


@pytest.fixture
def province(db: Any) -> dict[str, Any]:
    """Five primary schools. 2021: 武侯 ×2 and 涪城一小 report (锦江 does not); 2022: all but 涪城二小.
    武侯二小 and 涪城一小 have 100 Mbps, the others 1000 Mbps (千兆进校 1/3 = 33.3% in 2021, 2/4 = 50% in
    2022); 锦江 has 10 of 60 classrooms with multimedia (2022: 94/150 = 62.7%, 2021: 84/90 = 93.3%)."""
    schools = {
        "wuhou_a": make_school(WUHOU, name="武侯实验小学"), "wuhou_b": make_school(WUHOU, name="武侯二小"),
        "jinjiang": make_school(JINJIANG, name="锦江小学"), "fucheng_a": make_school(FUCHENG, name="涪城一小"),
        "fucheng_b": make_school(FUCHENG, name="涪城二小"),
    }
    slow = survey(internet_bandwidth_mbps=100.0)
    for period in ("2021", "2022"):
        approved(schools["wuhou_a"], period, survey())
        approved(schools["wuhou_b"], period, slow)
        approved(schools["fucheng_a"], period, slow)
    approved(schools["jinjiang"], "2022", survey(ordinary_classrooms=60, multimedia_classrooms=10))
    run_as_system(recompute, ["2021", "2022"])
    return schools
