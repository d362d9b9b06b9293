"""The write guard, the system actor and atomic default writes: the rules that keep the audit trail whole."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from edupulse.accounts.tests.factories import make_user
from edupulse.core import audit
from edupulse.core.actions import action, run_as_system, save_instance, save_object
from edupulse.core.actors import SYSTEM
from edupulse.core.api.viewsets import ScopedModelViewSet
from edupulse.core.guards import GuardedQuerySet, WriteOutsideActionError
from edupulse.core.models import AuditLog
from edupulse.core.permissions import require
from edupulse.core.testing import edupulse_models
from edupulse.orgs import actions as org_actions
from edupulse.orgs.models import School
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db


def test_every_audited_model_guards_its_bulk_writes() -> None:
    unguarded = [m.__name__ for m in edupulse_models()
                 if getattr(m, "audited", False) and not isinstance(m._default_manager.all(), GuardedQuerySet)]
    assert not unguarded, f"audited models whose manager bypasses the write guard: {unguarded}"


@pytest.mark.parametrize("write", [
    lambda qs: qs.update(name="改名"),
    lambda qs: qs.delete(),
    lambda qs: School.objects.bulk_update(list(qs), ["name"]),
    lambda qs: School.objects.bulk_create([School(code="2151999999", name="x", category="21", county_id="510107")]),
])
def test_bulk_writes_outside_an_action_are_refused(write: Any) -> None:
    school = make_school("510107")
    with pytest.raises(WriteOutsideActionError):
        write(School.objects.filter(pk=school.pk))
    assert School.objects.get(pk=school.pk).name == school.name


def test_bulk_writes_inside_an_action_pass() -> None:
    school = make_school("510107")

    @action
    def rename(*, acting_user: Any) -> int:
        return School.objects.filter(pk=school.pk).update(name="新名字")

    assert rename(acting_user=SYSTEM) == 1


def test_bookkeeping_fields_may_be_stamped_anywhere() -> None:
    user = make_user("county_officer", region="510107")
    type(user).objects.filter(pk=user.pk).update(last_login=None)  # Django's login() does this


def test_an_action_without_an_actor_is_refused() -> None:
    with pytest.raises(TypeError, match="SYSTEM"):
        org_actions.save_school(School(code="2151999998", name="x", category="21", county_id="510107"),
                                acting_user=None)
    assert not School.objects.filter(code="2151999998").exists()


def test_require_none_is_no_longer_allowed() -> None:
    school = make_school("510107")
    with pytest.raises(PermissionDenied):
        require(None, "change", school)
    require(SYSTEM, "change", school)  # the explicit system actor may


def test_the_system_is_named_in_the_audit_trail() -> None:
    school = run_as_system(org_actions.save_school, School(code="2151999997", name="系统建校", category="21",
                                                           county_id="510107", urban_rural="111", ownership="public"))
    row = AuditLog.objects.filter(object_type="orgs.school", object_id=str(school.pk)).get()
    assert (row.actor_id, row.actor_username, row.source) == (None, "system", "cli")


def test_building_blocks_refuse_to_write_outside_an_action() -> None:
    school = make_school("510107")
    school.name = "不经动作"
    with pytest.raises(WriteOutsideActionError):
        save_instance(school, acting_user=SYSTEM)


def test_default_api_writes_commit_with_their_audit_row_or_not_at_all(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ScopedModelViewSet.save_action is save_object
    school = make_school("510107")
    school.name = "改名失败"

    def broken_record(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(audit, "record", broken_record)
    with pytest.raises(RuntimeError):
        save_object(school, acting_user=SYSTEM)
    assert School.objects.get(pk=school.pk).name != "改名失败"
