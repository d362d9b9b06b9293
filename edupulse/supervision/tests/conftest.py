"""The hand-built world of the supervision tests: 成都 (5101) with two counties.

武侯区 (510107) has problems: schools below the targets, one of three schools not reporting, an open finding of
high severity, a rectification item past its deadline and an unfiled level-3 system. 锦江区 (510104) is clean.
Indicator values are stored by ``indicators.actions.recompute`` from approved submissions, as in production.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from edupulse.collection import actions as collection
from edupulse.collection.tests.conftest import good_values
from edupulse.collection.tests.factories import make_submission
from edupulse.core.actions import run_as_system
from edupulse.core.tests.arrange import arranging
from edupulse.indicators.actions import recompute
from edupulse.monitoring import actions as monitoring
from edupulse.monitoring.models import Notice
from edupulse.monitoring.tests.factories import make_finding, make_system, make_website
from edupulse.orgs.models import Region
from edupulse.orgs.tests.factories import make_school

WUHOU, JINJIANG, CHENGDU = "510107", "510104", "5101"


def approved(school: Any, **values: Any) -> Any:
    submission = make_submission(school, values=good_values(**values))
    submission = run_as_system(collection.submit, submission)
    return run_as_system(collection.approve, submission)


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    run_as_system(collection.load_forms)
    a, b, c = (make_school(WUHOU, name=f"武侯区第{n}小学") for n in "一二三")
    d = make_school(JINJIANG, name="锦江区第一小学")
    # 武侯区: internet 1 of 2 schools (50 %); multimedia 26 of 40 classrooms (65 %); school c has not reported.
    approved(a, ordinary_classrooms=20, multimedia_classrooms=12)
    approved(b, internet_access=False, internet_bandwidth_mbps=0.0, access_type="09", classroom_bandwidth_mbps=0.0,
             ordinary_classrooms=20, multimedia_classrooms=14)
    # 锦江区: internet 100 %, multimedia 9 of 10 (90 %).
    approved(d, ordinary_classrooms=10, multimedia_classrooms=9)
    run_as_system(recompute, ["2022"])
    high = make_finding(make_website(a), "availability")  # severity high: counted
    make_finding(make_website(d), "hsts")  # severity low: not counted against 锦江区
    low = make_finding(make_website(b), "hsts")
    notice = run_as_system(monitoring.create_notice, [low], region=Region.objects.get(code=WUHOU),
                           title="关于网站安全问题的通报", deadline=date.today() + timedelta(days=5))
    notice = run_as_system(monitoring.issue_notice, notice)
    with arranging():  # the deadline has passed since
        Notice.objects.filter(pk=notice.pk).update(deadline=date.today() - timedelta(days=3))
    system = make_system(a)  # level 3, no filing number
    make_system(d, filing_number="51010143001", filing_date=date(2021, 5, 1))
    return {"schools": (a, b, c, d), "finding": high, "item": notice.items.get(), "system": system}
