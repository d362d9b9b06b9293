"""User management: the table of who manages whom (hand-written), the actions, the pages, the audit rows."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from edupulse.accounts import actions
from edupulse.accounts.managing import managed_by, manages
from edupulse.accounts.models import User
from edupulse.accounts.tests.factories import make_superuser, make_user
from edupulse.core.actions import run_as_system
from edupulse.core.models import AuditLog
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_hashing(settings: Any) -> None:
    """Argon2 is deliberately slow and these tests hash hundreds of passwords; test_access checks Argon2."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# 四川 51: 成都 5101 (武侯 510107, 锦江 510104), 绵阳 5107 (涪城 510703); 陕西 61: 雁塔 610113.
SCHOOL_COUNTIES = {"wuhou": "510107", "jinjiang": "510104", "fucheng": "510703", "yanta": "610113"}
OFFICERS = {
    "province": ("province_admin", "51"),
    "chengdu": ("prefecture_officer", "5101"),
    "wuhou": ("county_officer", "510107"),
    "cio": ("school_cio", "school:wuhou"),
    "reviewer": ("expert_reviewer", "510107"),
    "auditor": ("auditor", "5101"),
}
# Targets: a role and a scope (a region code, or school:<name>).
TARGETS = {
    "province_admin@51": ("province_admin", "51"),
    "province_admin@61": ("province_admin", "61"),
    "prefecture@5101": ("prefecture_officer", "5101"),
    "prefecture@5107": ("prefecture_officer", "5107"),
    "county@510107": ("county_officer", "510107"),
    "county@510104": ("county_officer", "510104"),
    "county@510703": ("county_officer", "510703"),
    "county@610113": ("county_officer", "610113"),
    "cio@wuhou": ("school_cio", "school:wuhou"),
    "cio@jinjiang": ("school_cio", "school:jinjiang"),
    "cio@fucheng": ("school_cio", "school:fucheng"),
    "cio@yanta": ("school_cio", "school:yanta"),
    "reviewer@5101": ("expert_reviewer", "5101"),
    "reviewer@510107": ("expert_reviewer", "510107"),
    "auditor@51": ("auditor", "51"),
    "auditor@510104": ("auditor", "510104"),
}
# Written by hand from the table in accounts/managing.py, not computed from it.
MANAGES: dict[str, set[str]] = {
    "province": {"province_admin@51", "prefecture@5101", "prefecture@5107", "county@510107", "county@510104",
                 "county@510703", "cio@wuhou", "cio@jinjiang", "cio@fucheng", "reviewer@5101", "reviewer@510107",
                 "auditor@51", "auditor@510104"},
    "chengdu": {"county@510107", "county@510104", "cio@wuhou", "cio@jinjiang", "reviewer@5101", "reviewer@510107",
                "auditor@510104"},
    "wuhou": {"cio@wuhou"},
    "cio": set(),
    "reviewer": set(),
    "auditor": set(),
}


def _scope(scope: str, schools: dict[str, Any]) -> dict[str, Any]:
    if scope.startswith("school:"):
        return {"scope_school_id": schools[scope.removeprefix("school:")].pk}
    return {"scope_region_id": scope}


@pytest.fixture
def world() -> dict[str, Any]:
    schools = {name: make_school(county) for name, county in SCHOOL_COUNTIES.items()}
    people: dict[str, User] = {}
    for name, (role, scope) in {**OFFICERS, **TARGETS}.items():
        fields = _scope(scope, schools)
        people[name] = make_user(role, region=fields.get("scope_region_id", ""),
                                 school=schools[scope.removeprefix("school:")] if "scope_school_id" in fields else None)
    return {"schools": schools, "people": people}


@pytest.mark.parametrize("officer", list(OFFICERS))
def test_who_manages_whom_matches_the_table(world: dict[str, Any], officer: str) -> None:
    me = world["people"][officer]
    managed = set(managed_by(me).values_list("pk", flat=True))
    wrong = []
    for target, expected in ((t, t in MANAGES[officer]) for t in TARGETS):
        user = world["people"][target]
        if manages(me, user) != expected or (user.pk in managed) != expected:
            wrong.append(f"{target}: expected {expected}")
    assert not wrong, f"{officer}: {wrong}"
    assert me.pk not in managed and not manages(me, me)


@pytest.mark.parametrize("officer", list(OFFICERS))
def test_roles_and_scopes_granted_match_the_table(world: dict[str, Any], officer: str) -> None:
    me = world["people"][officer]
    wrong = []
    for number, (target, (role, scope)) in enumerate(TARGETS.items()):
        expected = target in MANAGES[officer]
        try:
            with transaction.atomic():
                actions.register_user(acting_user=me, username=f"new-{officer}-{number}", role=role,
                                      password="Qz7-lantern-river", **_scope(scope, world["schools"]))
            granted = True
        except PermissionDenied:
            granted = False
        if granted != expected:
            wrong.append(f"{target}: granted={granted}")
    assert not wrong, f"{officer}: {wrong}"


def test_nobody_disables_or_demotes_themselves(world: dict[str, Any]) -> None:
    province = world["people"]["province"]
    with pytest.raises(PermissionDenied):
        actions.set_user_active(province, False, acting_user=province)
    with pytest.raises(PermissionDenied):
        actions.update_user(province, acting_user=province, role="county_officer", scope_region_id="510107")
    assert User.objects.get(pk=province.pk).is_active


def test_an_officer_cannot_move_a_user_out_of_their_scope_or_promote_them(world: dict[str, Any]) -> None:
    chengdu, county = world["people"]["chengdu"], world["people"]["county@510107"]
    with pytest.raises(PermissionDenied):
        actions.update_user(county, acting_user=chengdu, scope_region_id="510703")
    with pytest.raises(PermissionDenied):
        actions.update_user(county, acting_user=chengdu, role="prefecture_officer", scope_region_id="5101")
    actions.update_user(county, acting_user=chengdu, scope_region_id="510104", first_name="李四")
    assert User.objects.get(pk=county.pk).scope_region_id == "510104"


def test_a_superuser_is_managed_only_by_a_superuser(world: dict[str, Any]) -> None:
    root, other_root = make_superuser(), make_superuser()
    assert not manages(world["people"]["province"], root)
    assert root.pk not in set(managed_by(world["people"]["province"]).values_list("pk", flat=True))
    assert manages(other_root, root)


def test_a_disabled_officer_manages_nobody(world: dict[str, Any]) -> None:
    wuhou = world["people"]["wuhou"]
    run_as_system(actions.set_user_active, wuhou, False)
    wuhou.refresh_from_db()
    assert not manages(wuhou, world["people"]["cio@wuhou"]) and not managed_by(wuhou).exists()


def test_the_loader_action_holds_the_table_too() -> None:
    county = make_user("county_officer", region="510107")
    with pytest.raises(PermissionDenied):
        actions.create_user(acting_user=county, username="peer", password="Qz7-lantern-river",
                            role="county_officer", scope_region_id="510107")


def test_audit_rows_never_hold_a_password() -> None:
    province = make_user("province_admin", region="51")
    typed, reset_to, own = "Typed-secret-4711", "Reset-secret-4712", "Own-secret-4713x"
    start = AuditLog.objects.count()
    user, shown = actions.register_user(acting_user=province, username="lisi", role="county_officer",
                                        password=typed, scope_region_id="510107")
    assert shown == typed and user.must_change_password
    hashes = [User.objects.get(pk=user.pk).password]
    generated = actions.reset_password(user, acting_user=province)
    hashes.append(User.objects.get(pk=user.pk).password)
    actions.reset_password(user, acting_user=province, password=reset_to)
    hashes.append(User.objects.get(pk=user.pk).password)
    actions.change_own_password(user, acting_user=user, password=own)
    hashes.append(User.objects.get(pk=user.pk).password)
    assert len(set(hashes)) == 4
    rows = list(AuditLog.objects.order_by("sequence")[start:])
    assert [r.action for r in rows] == ["accounts.user.create", "accounts.user.reset_password",
                                        "accounts.user.reset_password", "accounts.user.change_password"]
    assert [r.after.get("chosen_by") for r in rows[1:3]] == ["generated", "officer"]
    text = json.dumps([[r.before, r.after, r.object_repr] for r in rows], ensure_ascii=False)
    for secret in (typed, generated, reset_to, own, *hashes, "md5$", "\"password\""):
        assert secret not in text


def test_a_generated_password_passes_the_validators_and_differs_each_time() -> None:
    province = make_user("province_admin", region="51")
    _user, first = actions.register_user(acting_user=province, username="wangwu", role="county_officer",
                                         scope_region_id="510107")
    _user, second = actions.register_user(acting_user=province, username="zhaoliu", role="county_officer",
                                          scope_region_id="510107")
    assert first != second and len(first) == 14
