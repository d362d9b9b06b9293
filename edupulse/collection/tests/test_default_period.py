"""The collection pages open on the newest period with data, as the dashboard does (issue 14: the demo collects
2022 while the clock says 2026; the upload page offered last year, the overview 2022)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from edupulse.accounts.tests.factories import PASSWORD, make_user
from edupulse.collection.tests.factories import make_submission
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db


def test_upload_and_overview_open_on_the_newest_period_with_data(client: Any) -> None:
    school = make_school("510107")
    make_submission(school, period="2021")
    make_submission(school, period="2022")
    officer = make_user("county_officer", region="510107")
    assert client.login(username=officer.username, password=PASSWORD)
    assert client.get(reverse("collection:overview")).context["period"] == "2022"
    upload = client.get(reverse("collection:upload"))
    assert upload.context["form"]["period"].value() == "2022"
