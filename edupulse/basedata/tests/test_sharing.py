"""Sharing end to end: request → owner approval → second approval for minors' sensitive fields → extract that is
masked (no raw ID number, no full name), watermarked and audited; expired or undecided requests give nothing."""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from edupulse.accounts.tests.factories import make_user
from edupulse.basedata.importing import import_file
from edupulse.basedata.models import ShareRequest, ShareStatus
from edupulse.basedata.pseudonyms import pseudonym
from edupulse.basedata.sharing import write_extract
from edupulse.basedata.tests import helpers
from edupulse.basedata.tests.helpers import TODAY, student
from edupulse.core.actors import SYSTEM
from edupulse.core.models import AuditLog
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db
SCHOOL, OTHER = "2151900031", "2151900032"
PUPILS = [student(1, name="张小明", school_code=SCHOOL), student(2, name="欧阳娜娜", school_code=SCHOOL),
          student(3, name="李华", school_code=OTHER)]
FIELDS = ["student_no", "id_number", "name", "birth_date", "gender", "grade", "needy"]


@pytest.fixture
def world(settings: Any, tmp_path: Path) -> dict[str, Any]:
    settings.BASEDATA_DUCKDB_PATH = tmp_path / "basedata.duckdb"
    make_school("510107", code=SCHOOL)
    make_school("510104", code=OTHER)  # another county: outside the request's scope
    import_file(helpers.write_csv(tmp_path / "s.csv", PUPILS), "student", "xueji", acting_user=SYSTEM, today=TODAY)
    users = {"county": make_user("county_officer", region="510107"), "owner": make_user("province_admin", region="51"),
             "second": make_user("province_admin", region="51")}
    clients = {}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    return {"users": users, "clients": clients}


def request_through_pages(world: dict[str, Any]) -> ShareRequest:
    county, owner, second = (world["clients"][n] for n in ("county", "owner", "second"))
    expires = (datetime.date.today() + datetime.timedelta(days=10)).isoformat()
    created = county.post(reverse("basedata:share-new"), {
        "requesting_unit": "武侯区教育局资助中心", "purpose": "核对家庭经济困难学生资助名单", "columns": FIELDS,
        "region": "510107", "expires_on": expires})
    assert created.status_code == 302, created.content.decode()[:500]
    share = ShareRequest.objects.get()
    assert share.minors_sensitive and share.status == ShareStatus.SUBMITTED
    move = reverse("basedata:share-move", args=[share.pk])
    assert county.post(move, {"verb": "approve"}).status_code == 403  # the requester is not the data owner
    owner.post(move, {"verb": "approve"})
    share.refresh_from_db()
    assert share.status == ShareStatus.OWNER_APPROVED  # minors' sensitive fields: not yet
    assert owner.post(move, {"verb": "approve_minors"}).status_code == 403  # the same person cannot give both
    second.post(move, {"verb": "approve_minors"})
    share.refresh_from_db()
    assert share.status == ShareStatus.APPROVED
    return share


def test_no_raw_id_number_or_full_name_leaves(world: dict[str, Any]) -> None:
    share = request_through_pages(world)
    reads = AuditLog.objects.filter(action="basedata.share.extract").count()
    response = world["clients"]["county"].get(reverse("basedata:share-download", args=[share.pk]))
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    for pupil in PUPILS:
        assert pupil[2] not in text and pupil[0] not in text  # ID number, 学籍号 (which embeds it)
        assert pupil[2][6:14] not in text  # not even the birth date part
        assert pupil[3] not in text  # the full name
    lines = text.splitlines()
    assert lines[0].startswith("# 共享数据") and f"申请编号={share.pk}" in lines[0] and "申请人=" in lines[0]
    assert lines[1] == "student_no_pseudonym,id_pseudonym,name_masked,birth_year,gender,grade,needy"
    rows = [line.split(",") for line in lines[2:]]
    assert len(rows) == 2  # the other county's pupil is outside the scope
    assert {r[1] for r in rows} == {pseudonym("1", PUPILS[0][2]), pseudonym("1", PUPILS[1][2])}
    assert {r[2] for r in rows} == {"张**", "欧***"} and {r[3] for r in rows} == {"2012"}
    assert AuditLog.objects.filter(action="basedata.share.extract").count() == reads + 1


def test_the_command_writes_a_watermarked_xlsx(world: dict[str, Any], tmp_path: Path) -> None:
    share = request_through_pages(world)
    out = tmp_path / "share.xlsx"
    call_command("basedata", "share", str(share.pk), "--out", str(out), stdout=io.StringIO())
    with zipfile.ZipFile(out) as archive:
        core = archive.read("docProps/core.xml").decode()
        custom = archive.read("docProps/custom.xml").decode()
        sheet = archive.read("xl/worksheets/sheet1.xml").decode() + archive.read("xl/sharedStrings.xml").decode() \
            if "xl/sharedStrings.xml" in archive.namelist() else archive.read("xl/worksheets/sheet1.xml").decode()
    assert f"申请编号={share.pk}" in core and share.requester_name in core and "share_request" in custom
    assert all(p[2] not in sheet and p[3] not in sheet for p in PUPILS)


def test_undecided_and_expired_requests_give_nothing(world: dict[str, Any], tmp_path: Path) -> None:
    county = world["clients"]["county"]
    share = request_through_pages(world)
    with pytest.raises(ValidationError, match=r"过期|expired"):
        write_extract(share, tmp_path / "late.csv", acting_user=SYSTEM, today=share.expires_on + datetime.timedelta(days=1))
    assert not (tmp_path / "late.csv").exists()
    other = county.post(reverse("basedata:share-new"), {
        "requesting_unit": "区教育局", "purpose": "统计", "columns": ["grade"], "region": "510107",
        "expires_on": (datetime.date.today() + datetime.timedelta(days=3)).isoformat()})
    pending = ShareRequest.objects.get(pk=int(other["Location"].rstrip("/").split("/")[-1]))
    assert not pending.minors_sensitive
    assert county.get(reverse("basedata:share-download", args=[pending.pk])).status_code == 403
    with pytest.raises(CommandError):
        call_command("basedata", "share", str(pending.pk), "--out", str(tmp_path / "x.csv"), stdout=io.StringIO())


def test_a_request_outside_ones_own_area_is_refused(world: dict[str, Any]) -> None:
    page = world["clients"]["county"].post(reverse("basedata:share-new"), {
        "requesting_unit": "区教育局", "purpose": "统计", "columns": ["grade"], "region": "510104",
        "expires_on": (datetime.date.today() + datetime.timedelta(days=3)).isoformat()})
    assert page.status_code in (200, 403) and not ShareRequest.objects.exists()


def test_no_extract_under_a_changed_key(world: dict[str, Any], tmp_path: Path, settings: Any) -> None:
    """The extract's id_pseudonym is the stored one: under a changed key it would be the old key's, so it is refused."""
    share = request_through_pages(world)
    settings.PSEUDONYM_KEY = "a rotated pseudonym key"
    assert world["clients"]["county"].get(reverse("basedata:share-download", args=[share.pk])).status_code == 503
    out = tmp_path / "extract.csv"
    with pytest.raises(CommandError, match="rekey"):
        call_command("basedata", "share", str(share.pk), "--out", str(out), stdout=io.StringIO())
    assert not out.exists() and not AuditLog.objects.filter(action="basedata.share.extract").exists()
    call_command("basedata", "rekey", stdout=io.StringIO())
    call_command("basedata", "share", str(share.pk), "--out", str(out), stdout=io.StringIO())
    ids = {line.split(",")[1] for line in out.read_text(encoding="utf-8-sig").splitlines()[2:]}
    assert ids == {pseudonym("1", PUPILS[0][2]), pseudonym("1", PUPILS[1][2])}  # under the new key
