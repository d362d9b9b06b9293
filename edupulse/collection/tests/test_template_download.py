"""Officers download their region's templates from the collection pages (a zip, scoped)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from edupulse.accounts.tests.factories import PASSWORD, make_user
from edupulse.collection.tests.conftest import FORM, JINJIANG, WUHOU
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db


def _officer(client: Any, role: str, region: str) -> Any:
    user = make_user(role, region=region)
    assert client.login(username=user.username, password=PASSWORD)
    return user


def test_a_county_officer_gets_the_zip_of_their_county_without_naming_it(client: Any, forms: Any,
                                                                          school: Any) -> None:
    make_school(JINJIANG, name="锦江区小学")  # another county: not in the zip
    _officer(client, "county_officer", WUHOU)
    response = client.get(f"/collection/template/{FORM}/2022/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert len(names) == 1 and school.code in names[0]


def test_the_pages_show_officers_the_download_button(client: Any, forms: Any, school: Any) -> None:
    _officer(client, "prefecture_officer", "5101")
    overview = client.get("/collection/?period=2022").content.decode()
    assert f"/collection/template/{FORM}/2022/?region=5101" in overview and "下载本地区填报模板" in overview
    completeness = client.get(f"/collection/completeness/{FORM}/2022/").content.decode()
    assert f"/collection/template/{FORM}/2022/?region={WUHOU}" in completeness


def test_another_region_s_zip_is_absent(client: Any, forms: Any, school: Any) -> None:
    make_school(JINJIANG)
    _officer(client, "county_officer", WUHOU)
    assert client.get(f"/collection/template/{FORM}/2022/?region={JINJIANG}").status_code == 404
