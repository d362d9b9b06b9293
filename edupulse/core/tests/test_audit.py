"""The audit trail: every write recorded through actions, rows chained, tampering found."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from edupulse.accounts.tests.factories import PASSWORD, make_user
from edupulse.core import audit
from edupulse.core.guards import WriteOutsideActionError
from edupulse.core.models import AuditLog
from edupulse.core.models.audit import AppendOnlyError
from edupulse.orgs.models import School
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db


def test_a_web_edit_is_recorded_with_who_where_and_before_after(client):
    school = make_school("510107", name="武侯区第一小学")
    officer = make_user("county_officer", region="510107")
    client.login(username=officer.username, password=PASSWORD)
    response = client.post(f"/schools/{school.code}/edit/", {
        "code": school.code, "name": "武侯区第一实验小学", "category": "21", "school_type": "", "county": "510107",
        "urban_rural": "111", "ownership": "public", "address": "", "longitude": "", "latitude": "",
        "contact_name": "", "contact_phone": "", "is_active": "on",
    }, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    row = AuditLog.objects.filter(action="orgs.school.update").latest("sequence")
    assert row.actor_username == officer.username
    assert row.source == "web" and row.address == "10.1.2.3"
    assert row.before["name"] == "武侯区第一小学" and row.after["name"] == "武侯区第一实验小学"
    assert (row.province_code, row.prefecture_code, row.county_code, row.school_id) == ("51", "5101", "510107", school.pk)
    assert audit.verify().ok


def test_passwords_never_reach_the_trail():
    user = make_user("county_officer", region="510107")
    row = AuditLog.objects.filter(object_type="accounts.user", object_id=str(user.pk)).latest("sequence")
    assert "password" not in row.after and "argon2" not in str(row.after)


def test_writing_outside_an_action_is_refused():
    school = make_school()
    school.name = "改名"
    with pytest.raises(WriteOutsideActionError):
        school.save()


def test_audit_rows_cannot_be_changed_or_deleted_through_the_orm():
    make_school()
    row = AuditLog.objects.latest("sequence")
    row.action = "forged"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()


def _tamper(sql: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_editing_a_row_by_hand_breaks_verification_at_that_row():
    make_school(name="甲")
    make_school(name="乙")
    target = AuditLog.objects.order_by("sequence")[3]
    _tamper("UPDATE core_auditlog SET actor_username = %s WHERE id = %s", ["mallory", target.pk])
    result = audit.verify()
    assert not result.ok and result.broken_sequence == target.sequence
    with pytest.raises(CommandError, match=f"BROKEN at row {target.sequence}"):
        call_command("audit", "verify")


def test_deleting_a_row_by_hand_breaks_verification():
    make_school()
    make_school()
    victim = AuditLog.objects.order_by("sequence")[2]
    _tamper("DELETE FROM core_auditlog WHERE id = %s", [victim.pk])
    result = audit.verify()
    assert not result.ok and result.broken_sequence == victim.sequence


def test_recomputing_a_plain_hash_is_not_enough_to_forge_a_row():
    """The chain is keyed (HMAC): an editor without the key cannot make a forged row verify."""
    import hashlib

    make_school()
    row = AuditLog.objects.order_by("sequence").last()
    forged = hashlib.sha256(b"forged").hexdigest()
    _tamper("UPDATE core_auditlog SET object_repr = %s, entry_hash = %s WHERE id = %s", ["x", forged, row.pk])
    assert not audit.verify().ok


def test_reads_of_personal_data_can_be_recorded():
    school = make_school()
    reader = make_user("county_officer", region="510107")
    row = audit.record_read("students.list", School.objects.filter(pk=school.pk), acting_user=reader,
                            purpose="核对学籍")
    assert row.kind == "read" and row.after["ids"] == [str(school.pk)] and row.after["purpose"] == "核对学籍"
    assert audit.verify().ok


def test_verify_command_reports_ok(capsys):
    make_school()
    call_command("audit", "verify")
    assert "audit chain OK" in capsys.readouterr().out


def test_bulk_rows_chain_and_verify_on_every_database():
    """record_many uses COPY on PostgreSQL and bulk_create elsewhere; both must give a verifiable chain."""
    from edupulse.core.actions import run_as_system
    from edupulse.orgs import actions

    rows = [{"code": f"21519{n:05d}", "name": f"批量小学{n}", "category": "21", "county_id": "510107",
             "urban_rural": "111"} for n in range(300)]
    result = run_as_system(actions.import_schools, rows)
    assert result.created == 300
    created = AuditLog.objects.filter(action="orgs.school.create", object_repr__startswith="批量小学")
    assert created.count() == 300
    sample = created.get(object_repr__startswith="批量小学7 ")
    assert sample.after["name"] == "批量小学7" and sample.county_code == "510107"
    assert audit.verify().ok
