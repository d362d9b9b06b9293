"""Collection pages as a new officer meets them: sensible defaults, one definition of "not reported"."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from edupulse.accounts.tests.factories import PASSWORD, make_user
from edupulse.collection.models import Submission
from edupulse.collection.models.submission import SubmissionStatus
from edupulse.collection.tests.conftest import FORM, JINJIANG, WUHOU
from edupulse.collection.tests.helpers import run_cli
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db


def _officer(client: Any, role: str, region: str) -> Any:
    user = make_user(role, region=region)
    assert client.login(username=user.username, password=PASSWORD)
    return user


@pytest.mark.parametrize(("role", "region", "level"), [
    ("province_admin", "51", "prefecture"), ("prefecture_officer", "5101", "county"),
    ("county_officer", WUHOU, "county"),
])
def test_the_summary_opens_one_level_below_the_officer(client: Any, forms: Any, school: Any, role: str,
                                                       region: str, level: str) -> None:
    _officer(client, role, region)
    page = client.get(f"/collection/summary/{FORM}/2022/")
    assert page.status_code == 200 and page.context["level"] == level
    assert client.get(f"/collection/summary/{FORM}/2022/?level=county").context["level"] == "county"


def test_one_definition_of_not_reported_on_the_pages_and_in_the_cli(client: Any, forms: Any) -> None:
    """Not reported = no submission that is submitted or approved: no record, a draft, or returned."""
    for i in range(60):
        make_school(WUHOU if i % 2 else JINJIANG)
    code, out = run_cli("demo", "--period", "2022", "--province", "51")
    counts = Counter(Submission.objects.filter(period="2022").values_list("status", flat=True))
    no_record = 60 - sum(counts.values())
    draft, returned = counts[SubmissionStatus.DRAFT], counts[SubmissionStatus.RETURNED]
    total = no_record + draft + returned
    assert no_record and draft and returned  # the demo has all three
    assert code == 0 and f"{total} not reported (no record {no_record}, draft {draft}, returned {returned})" in out
    _officer(client, "province_admin", "51")
    completeness = client.get(f"/collection/completeness/{FORM}/2022/").content.decode()
    assert f"未上报 {total} 所" in completeness
    assert f"无填报记录 {no_record}" in completeness and f"草稿 {draft}" in completeness
    assert f"已退回 {returned}" in completeness and "已提交或已通过任一级审核" in completeness
    body = client.get(f"/collection/missing/{FORM}/2022/").content.decode()
    assert f"共 {total} 条" in body
    assert f"无填报记录 {no_record}" in body and "已提交或已通过任一级审核" in body
