"""Collection pages as a new officer meets them: sensible defaults, one definition of "not reported"."""

from __future__ import annotations

from typing import Any

import pytest

from edupulse.accounts.tests.factories import PASSWORD, make_user
from edupulse.collection.tests.conftest import FORM, WUHOU

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
