"""Pages and API of the collection app, walked as a school CIO, a county officer and a province admin."""

from __future__ import annotations

import io
from typing import Any

import pytest

from edupulse.accounts.tests.factories import PASSWORD, make_user
from edupulse.collection.models import Submission
from edupulse.collection.models.submission import SubmissionStatus
from edupulse.collection.tests.conftest import FORM, WUHOU, good_values
from edupulse.collection.tests.factories import make_submission
from edupulse.collection.tests.helpers import template_bytes
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db


def login(client: Any, user: Any) -> None:
    assert client.login(username=user.username, password=PASSWORD)


def test_school_cio_fills_in_online_and_submits(client: Any, forms: Any, school: Any) -> None:
    login(client, make_user("school_cio", school=school))
    assert "统计填报" in client.get("/collection/?period=2022").content.decode()
    entry = f"/collection/entry/{FORM}/2022/"
    assert "专任教师数" in client.get(entry).content.decode()  # an empty form; the first save creates the draft
    data = {code: ("是" if v is True else "否" if v is False else "" if v is None else str(v))
            for code, v in good_values(teachers_total="８０", multimedia_classrooms=99).items()}
    assert client.post(entry, {**data, "save": "1"}).status_code == 302
    sub = Submission.objects.get(school=school)
    edit = f"/collection/submissions/{sub.pk}/edit/"
    page = client.post(edit, {**data, "submit": "1"})
    assert page.status_code == 200  # R01 fails: shown inline, nothing submitted
    assert "R01" in page.content.decode()
    assert Submission.objects.get(pk=sub.pk).status == SubmissionStatus.DRAFT
    data["multimedia_classrooms"] = "28"
    data["teachers_total"] = "约八十"
    page = client.post(edit, data)
    assert "应填数字" in page.content.decode()
    data["teachers_total"] = "８０"
    assert client.post(edit, {**data, "submit": "1"}).status_code == 302
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.SUBMITTED and sub.values["teachers_total"] == 80
    detail = client.get(f"/collection/submissions/{sub.pk}/").content.decode()
    assert "已提交" in detail
    template = client.get(f"/collection/template/{FORM}/2022/")
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxml")


def test_county_officer_reviews_downloads_and_uploads(client: Any, forms: Any, spec: Any, school: Any,
                                                     settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path  # the error workbook is written under VAR_DIR
    officer = make_user("county_officer", region=WUHOU)
    login(client, officer)
    other = make_school(WUHOU, name="第二小学")
    sub = make_submission(school, values=good_values())
    from edupulse.collection import actions
    from edupulse.core.actions import run_as_system

    run_as_system(actions.submit, sub)
    url = f"/collection/submissions/{sub.pk}/transition/"
    client.post(url, {"action": "return", "comment": ""})
    assert Submission.objects.get(pk=sub.pk).status == SubmissionStatus.SUBMITTED  # a return needs a comment
    client.post(url, {"action": "approve"})
    assert Submission.objects.get(pk=sub.pk).status == SubmissionStatus.COUNTY_APPROVED
    archive = client.get(f"/collection/template/{FORM}/2022/?region={WUHOU}")
    assert archive.status_code == 200 and archive["Content-Type"] == "application/zip"
    upload = io.BytesIO(template_bytes(spec, other, values=good_values(websites_ipv6=9)))
    upload.name = "other.xlsx"
    page = client.post("/collection/upload/", {"form": FORM, "period": "2022", "uploads": [upload]})
    body = page.content.decode()
    assert "拒收 1" in body and "R10" in body
    token = page.context["error_token"]
    errors = client.get(f"/collection/upload/errors/{token}/")
    assert errors.status_code == 200
    assert client.get(f"/collection/upload/errors/{token.replace(str(officer.pk) + '-', '999-')}/").status_code == 404
    missing = client.get(f"/collection/missing/{FORM}/2022/")
    assert other.code in missing.content.decode()
    export = client.get(f"/collection/missing/{FORM}/2022/", {"export": "csv"})
    assert other.code in export.content.decode("utf-8-sig")
    completeness = client.get(f"/collection/completeness/{FORM}/2022/")
    assert completeness.status_code == 200 and "上报率" in completeness.content.decode()
    assert client.get(f"/collection/outliers/{FORM}/2022/").status_code == 200


def test_province_admin_summary_and_api(client: Any, forms: Any, school: Any) -> None:
    from edupulse.collection import actions
    from edupulse.core.actions import run_as_system

    sub = run_as_system(actions.submit, make_submission(school, values=good_values()))
    run_as_system(actions.approve, sub)
    login(client, make_user("province_admin", region="51"))
    page = client.get(f"/collection/summary/{FORM}/2022/?level=prefecture")
    assert page.status_code == 200 and "总计" in page.content.decode()
    xlsx = client.get(f"/collection/summary/{FORM}/2022/?level=county&format=xlsx")
    assert xlsx.status_code == 200
    assert client.get("/collection/submissions/").status_code == 200
    api = client.get("/api/collection/submissions/query/", {"form": FORM, "fields": "teachers_total",
                                                             "regions": "51,5101", "periods": "2022"})
    assert api.status_code == 200
    assert api.json()["results"][0]["value"] == 80
    bad = client.get("/api/collection/submissions/query/", {"form": FORM, "fields": "nope", "regions": "5",
                                                             "periods": "2022"})
    assert bad.status_code == 400 and {"fields", "regions"} <= set(bad.json())
    assert client.get(f"/api/collection/forms/{FORM}/").json()["field_list"]


def test_api_values_and_transition(client: Any, forms: Any, school: Any) -> None:
    login(client, make_user("school_cio", school=school))
    sub = make_submission(school)
    url = f"/api/collection/submissions/{sub.pk}/"
    values = {k: ("是" if v is True else "否" if v is False else v) for k, v in good_values().items()}
    bad = client.post(url + "values/", {"values": {**values, "teachers_total": "很多"}}, content_type="application/json")
    assert bad.status_code == 400 and "teachers_total" in bad.json()
    ok = client.post(url + "values/", {"values": values}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["error_count"] == 0
    done = client.post(url + "transition/", {"action": "submit"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "submitted"
    other = make_submission(make_school("610113"))
    assert client.get(f"/api/collection/submissions/{other.pk}/").status_code == 404
    assert client.post(f"/api/collection/submissions/{other.pk}/transition/", {"action": "submit"},
                       content_type="application/json").status_code == 404


def test_saved_extracts_api_pages_and_scope(client: Any, forms: Any, school: Any) -> None:
    from edupulse.collection import actions
    from edupulse.collection.models import SavedExtract
    from edupulse.core.actions import run_as_system

    sub = run_as_system(actions.submit, make_submission(school, values=good_values()))
    run_as_system(actions.approve, sub)
    officer = make_user("prefecture_officer", region="5101")
    login(client, officer)
    created = client.post("/api/collection/extracts/", {
        "name": "成都市带宽", "form": FORM, "field_codes": ["internet_bandwidth_mbps", "teachers_total"],
        "region_codes": ["5101", WUHOU], "periods": ["2022"]}, content_type="application/json")
    assert created.status_code == 201, created.content
    extract = SavedExtract.objects.get()
    assert (extract.prefecture_code, extract.county_code, extract.owner) == ("5101", "", officer)
    run = client.get(f"/api/collection/extracts/{extract.pk}/run/").json()["results"]
    assert {(r["region"], r["field"], r["value"]) for r in run} >= {("5101", "teachers_total", 80)}
    bad = client.post("/api/collection/extracts/", {"name": "x", "form": FORM, "field_codes": ["nope"],
                                                    "region_codes": ["5"], "periods": ["22"]},
                      content_type="application/json")
    assert bad.status_code == 400 and {"field_codes", "region_codes", "periods"} <= set(bad.json())
    assert "成都市带宽" in client.get("/collection/extracts/").content.decode()
    page = client.get(f"/collection/extracts/{extract.pk}/")
    assert page.status_code == 200 and "80" in page.content.decode()
    assert client.get(f"/collection/extracts/{extract.pk}/?format=xlsx").status_code == 200
    client.logout()
    login(client, make_user("county_officer", region=WUHOU))  # a lower level does not see it
    assert client.get(f"/collection/extracts/{extract.pk}/").status_code == 404


def test_overview_opens_on_the_newest_period_with_data(client):
    from edupulse.accounts.tests.factories import PASSWORD, make_user
    from edupulse.collection.tests.factories import make_submission
    from edupulse.orgs.tests.factories import make_school

    school = make_school("510107")
    make_submission(school, period="2021")
    make_submission(school, period="2022")
    officer = make_user("county_officer", region="510107")
    client.login(username=officer.username, password=PASSWORD)
    page = client.get("/collection/")
    assert page.context["period"] == "2022"
    counts = dict(page.context["forms"][0]["counts"])
    assert sum(counts.values()) == 1
    other = make_user("county_officer", region="510703")  # nothing there: falls back to last year
    client.login(username=other.username, password=PASSWORD)
    from edupulse.collection.management.commands.collect import default_period

    assert client.get("/collection/").context["period"] == default_period("year")
