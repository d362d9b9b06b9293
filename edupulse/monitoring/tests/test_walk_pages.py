"""Monitoring pages as a new user walks them: the labels say what the fields are, the figures agree."""

from __future__ import annotations

from typing import Any

import pytest

from edupulse.accounts.tests.factories import PASSWORD, make_user
from edupulse.monitoring import demo
from edupulse.monitoring.models import Finding, SiteState
from edupulse.monitoring.models.results import FindingStatus
from edupulse.monitoring.tests.factories import make_website
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db


def _signed_in(client: Any, role: str, region: str = "510107") -> Any:
    user = make_user(role, region=region)
    assert client.login(username=user.username, password=PASSWORD)
    return user


def test_website_detail_labels_category_and_owner_as_a_website_has_them(client: Any) -> None:
    site = make_website(make_school("510107", name="武侯区第一小学"))
    _signed_in(client, "county_officer")
    body = client.get(f"/monitoring/websites/{site.pk}/").content.decode()
    assert "<dt>类别</dt>" in body and "<dt>所属单位</dt>" in body and "武侯区第一小学" in body
    assert "学校类别" not in body and "创建人" not in body
    listing = client.get("/monitoring/websites/").content.decode()
    assert "学校类别" not in listing  # the list's category filter is the website's category too


def test_the_demo_header_grade_agrees_with_the_findings() -> None:
    """The grade is what the headers check measured; a grade the check fails or warns on is a finding."""
    for _ in range(40):
        make_school("510107")
    demo.load(seed=3, days=2)
    open_headers = set(Finding.objects.filter(check_name="headers", status=FindingStatus.OPEN)
                       .values_list("website_id", flat=True))
    states = list(SiteState.objects.exclude(headers_grade=""))
    assert states and any(s.headers_grade == "F" for s in states)
    for state in states:
        status = state.statuses.get("headers")
        assert status in {"pass", "warn", "fail"}, state.website_id
        assert (status != "pass") == (state.website_id in open_headers), (state.headers_grade, status)
        if state.headers_grade in {"D", "F"}:
            assert status == "fail"
