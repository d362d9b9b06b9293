"""Record pages: a school's roster and one person's record — scoped by school, masked, audited, keyed by pseudonym."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import duckdb
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from edupulse.accounts.tests.factories import make_user
from edupulse.basedata import store
from edupulse.basedata.importing import import_file
from edupulse.basedata.masking import birth_year, mask_identifier, mask_name
from edupulse.basedata.pseudonyms import key_fingerprint, pseudonym
from edupulse.basedata.tests import helpers
from edupulse.basedata.tests.helpers import TODAY, student
from edupulse.core.actors import SYSTEM
from edupulse.core.models import AuditLog
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db
WUHOU_SCHOOL, JINJIANG_SCHOOL = "2151900021", "2151900022"
ZHANG = student(1, school_code=WUHOU_SCHOOL, name="张小明")
LI = student(2, school_code=JINJIANG_SCHOOL, name="李华")
ZHANG_ID, LI_ID = ZHANG[2], LI[2]


@pytest.fixture
def world(settings: Any, tmp_path: Path) -> dict[str, Any]:
    settings.BASEDATA_DUCKDB_PATH = tmp_path / "basedata.duckdb"
    schools = {"wuhou": make_school("510107", code=WUHOU_SCHOOL), "jinjiang": make_school("510104", code=JINJIANG_SCHOOL)}
    first = helpers.write_csv(tmp_path / "s1.csv", [ZHANG, LI])
    import_file(first, "student", "xueji", acting_user=SYSTEM, today=TODAY)
    moved = list(ZHANG)
    moved[9] = "2班"  # class_name: the next export moves 张小明 to class 2
    import_file(helpers.write_csv(tmp_path / "s2.csv", [moved]), "student", "xueji", acting_user=SYSTEM, today=TODAY)
    return schools


def login(world: dict[str, Any], role: str, **scope: Any) -> Client:
    client = Client()
    if "school" in scope:
        scope["school"] = world[scope["school"]]
    client.force_login(make_user(role, **scope))
    return client


def record_url(number: str) -> str:
    return reverse("basedata:student-detail", kwargs={"pseudonym": pseudonym("1", number)})


def test_a_school_cio_reads_their_own_student_masked_and_audited(world: dict[str, Any]) -> None:
    client = login(world, "school_cio", school="wuhou")
    before = AuditLog.objects.filter(action="basedata.student.view").count()
    page = client.get(record_url(ZHANG_ID))
    assert page.status_code == 200
    html = page.content.decode()
    assert "张**" in html and "张小明" not in html
    assert mask_identifier(ZHANG_ID) in html and ZHANG_ID not in html and ZHANG[0] not in html
    assert "2012-03-05" in html  # the school corrects records: the full birth date
    assert [label for version in page.context["history"] for label in version["changed"]] == ["班级"]
    assert len(page.context["sources"]) == 2
    read = AuditLog.objects.filter(action="basedata.student.view").order_by("-sequence").first()
    assert AuditLog.objects.filter(action="basedata.student.view").count() == before + 1
    assert read is not None and read.school_id == world["wuhou"].pk and ZHANG_ID not in str(read.after)


def test_an_officer_sees_the_region_and_only_the_birth_year(world: dict[str, Any]) -> None:
    client = login(world, "prefecture_officer", region="5101")
    page = client.get(record_url(LI_ID))
    assert page.status_code == 200
    html = page.content.decode()
    assert mask_name("李华") == "李*" and "李*" in html and "李华" not in html
    assert birth_year(LI[5]) in html and LI[5] not in html


def test_outside_the_scope_is_exactly_like_nobody(world: dict[str, Any]) -> None:
    client = login(world, "school_cio", school="wuhou")
    outside = client.get(record_url(LI_ID))
    nobody = client.get(reverse("basedata:student-detail", kwargs={"pseudonym": "0" * 20}))
    assert outside.status_code == nobody.status_code == 404
    assert client.get(reverse("basedata:student-list", kwargs={"code": JINJIANG_SCHOOL})).status_code == 404


def test_reviewers_and_auditors_read_no_personal_records(world: dict[str, Any]) -> None:
    for role in ("expert_reviewer", "auditor"):
        client = login(world, role, region="510107")
        assert client.get(record_url(ZHANG_ID)).status_code == 403
        assert client.get(reverse("basedata:student-list", kwargs={"code": WUHOU_SCHOOL})).status_code == 403


def test_the_roster_lists_current_records_and_searches_by_student_number(world: dict[str, Any]) -> None:
    client = login(world, "county_officer", region="510107")
    url = reverse("basedata:student-list", kwargs={"code": WUHOU_SCHOOL})
    page = client.get(url)
    assert page.status_code == 200 and page.context["total"] == 1
    assert [p["class_name"] for p in page.context["people"]] == ["2班"]  # the current record, once
    assert ZHANG[0] not in page.content.decode()
    assert client.get(url, {"number": ZHANG[0]}).context["total"] == 1
    assert client.get(url, {"number": "G000000000000000099"}).context["total"] == 0
    assert AuditLog.objects.filter(action="basedata.student.list").exists()


def stored_pseudonyms(store_path: Path) -> list[tuple[str, str, str | None]]:
    with duckdb.connect(str(store_path), read_only=True) as connection:
        return connection.execute("SELECT id_type, id_number, pseudonym FROM student UNION ALL "
                                  "SELECT id_type, id_number, pseudonym FROM student_rejected ORDER BY ALL").fetchall()


def make_it_an_old_store(store_path: Path) -> None:
    """The layout before pseudonyms were stored: no pseudonym column, no fingerprint."""
    with duckdb.connect(str(store_path)) as connection:
        for table in ("student", "student_rejected"):
            connection.execute(f"ALTER TABLE {table} DROP COLUMN pseudonym")
        connection.execute("DROP TABLE basedata_meta")


def test_an_old_store_is_upgraded_on_the_first_page_view(world: dict[str, Any], settings: Any) -> None:
    make_it_an_old_store(settings.BASEDATA_DUCKDB_PATH)
    client = login(world, "county_officer", region="510107")
    page = client.get(record_url(ZHANG_ID))
    assert page.status_code == 200 and "张**" in page.content.decode()
    assert [label for version in page.context["history"] for label in version["changed"]] == ["班级"]
    upgraded = stored_pseudonyms(settings.BASEDATA_DUCKDB_PATH)
    assert len(upgraded) == 3 and all(p == pseudonym(t, n) for t, n, p in upgraded)
    with duckdb.connect(str(settings.BASEDATA_DUCKDB_PATH), read_only=True) as connection:
        assert store.recorded_fingerprint(connection) == key_fingerprint()
    # The second time there is nothing to upgrade, and nothing changes.
    assert client.get(record_url(ZHANG_ID)).status_code == 200
    assert stored_pseudonyms(settings.BASEDATA_DUCKDB_PATH) == upgraded


def test_an_old_store_too_large_for_a_page_is_refused_until_the_rekey(world: dict[str, Any], settings: Any,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Filling the pseudonyms of a province's store would outlast a web request (and be killed midway, again at
    every view): beyond the limit the page names the command instead, and leaves the store as it is."""
    make_it_an_old_store(settings.BASEDATA_DUCKDB_PATH)
    monkeypatch.setattr(store, "READER_UPGRADE_ROWS", 2)  # the store has 3 records
    client = login(world, "county_officer", region="510107")
    refused = client.get(record_url(ZHANG_ID))
    assert refused.status_code == 503
    assert "edupulse basedata rekey" in refused.content.decode() and "升级" in refused.content.decode()
    with duckdb.connect(str(settings.BASEDATA_DUCKDB_PATH), read_only=True) as connection:
        assert "pseudonym" not in [c for c, *_ in connection.execute("DESCRIBE student").fetchall()]
    call_command("basedata", "rekey", stdout=io.StringIO())
    assert client.get(record_url(ZHANG_ID)).status_code == 200
    assert all(p == pseudonym(t, n) for t, n, p in stored_pseudonyms(settings.BASEDATA_DUCKDB_PATH))


def test_a_changed_key_is_refused_until_the_rekey(world: dict[str, Any], settings: Any) -> None:
    old_url = record_url(ZHANG_ID)
    settings.PSEUDONYM_KEY = "a rotated pseudonym key"
    new_url = record_url(ZHANG_ID)
    client = login(world, "school_cio", school="wuhou")
    views = AuditLog.objects.filter(action="basedata.student.view").count()
    # Neither the old address (which the stored pseudonyms still match) nor the new one silently answers.
    for url in (old_url, new_url, reverse("basedata:student-list", kwargs={"code": WUHOU_SCHOOL})):
        refused = client.get(url)
        assert refused.status_code == 503
        assert "edupulse basedata rekey" in refused.content.decode() and "化名" in refused.content.decode()
    assert AuditLog.objects.filter(action="basedata.student.view").count() == views
    out = io.StringIO()
    call_command("basedata", "rekey", stdout=out)
    assert "3" in out.getvalue()
    rekeyed = AuditLog.objects.get(action="basedata.pseudonyms.rekey")
    assert rekeyed.after["rows"] == {"student": 3, "student_rejected": 0}
    assert rekeyed.after["key_before"] != rekeyed.after["key_after"] == key_fingerprint()
    assert client.get(new_url).status_code == 200
    assert client.get(old_url).status_code == 404  # the old pseudonym names nobody any more
    assert all(p == pseudonym(t, n) for t, n, p in stored_pseudonyms(settings.BASEDATA_DUCKDB_PATH))


def test_a_changed_key_is_seen_even_without_a_recorded_fingerprint(world: dict[str, Any], settings: Any) -> None:
    with duckdb.connect(str(settings.BASEDATA_DUCKDB_PATH)) as connection:
        connection.execute("DROP TABLE basedata_meta")
    settings.PSEUDONYM_KEY = "a rotated pseudonym key"
    client = login(world, "school_cio", school="wuhou")
    assert client.get(record_url(ZHANG_ID)).status_code == 503
