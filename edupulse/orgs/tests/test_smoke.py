import pytest

from edupulse.accounts.tests.factories import PASSWORD, make_user
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db


def test_county_officer_sees_only_own_county(client):
    mine = make_school("510107", name="武侯实验小学")
    other = make_school("510703", name="绵阳涪城小学")
    user = make_user("county_officer", region="510107")
    client.login(username=user.username, password=PASSWORD)
    page = client.get("/schools/")
    assert page.status_code == 200
    assert mine.name in page.content.decode()
    assert other.name not in page.content.decode()
    assert client.get(f"/schools/{other.code}/").status_code == 404
    api = client.get("/api/schools/")
    assert [s["code"] for s in api.json()["results"]] == [mine.code]


def test_export_links_keep_the_filters_of_the_list(client):
    make_school("510107", name="武侯实验小学")
    secondary = make_school("510107", name="武侯中学", category="31")
    user = make_user("county_officer", region="510107")
    client.login(username=user.username, password=PASSWORD)
    page = client.get("/schools/", {"category": "31", "page": "1"}).content.decode()
    assert 'href="?category=31&amp;export=csv"' in page
    exported = client.get("/schools/?category=31&export=csv").content.decode("utf-8-sig")
    assert secondary.name in exported and "武侯实验小学" not in exported
