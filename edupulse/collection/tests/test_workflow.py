"""The review workflow and who may do what where."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from edupulse.accounts.tests.factories import make_user
from edupulse.collection import actions
from edupulse.collection.models import Submission
from edupulse.collection.models.submission import SubmissionStatus
from edupulse.collection.tests.conftest import WUHOU, good_values
from edupulse.collection.tests.factories import make_submission
from edupulse.core.actors import SYSTEM
from edupulse.core.models import AuditLog
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(forms: Any, school: Any) -> dict[str, Any]:
    return {
        "cio": make_user("school_cio", school=school),
        "county": make_user("county_officer", region=WUHOU),
        "other_county": make_user("county_officer", region="510104"),
        "prefecture": make_user("prefecture_officer", region="5101"),
        "province": make_user("province_admin", region="51"),
        "auditor": make_user("auditor", region="51"),
    }


def test_full_workflow_with_return_and_reopen(people: dict[str, Any], school: Any) -> None:
    sub = actions.open_submission(make_submission(school).version, school, "2022", acting_user=people["cio"])
    sub = actions.save_values(sub, good_values(), acting_user=people["cio"])
    assert sub.error_count == 0
    sub = actions.submit(sub, acting_user=people["cio"])
    assert sub.status == SubmissionStatus.SUBMITTED and sub.submitted_at is not None
    with pytest.raises(ValidationError):  # submitted data is no longer editable
        actions.save_values(sub, good_values(websites=3), acting_user=people["cio"])
    with pytest.raises(PermissionDenied):  # the prefecture cannot act before the county
        actions.approve(sub, acting_user=people["prefecture"])
    with pytest.raises(ValidationError):
        actions.return_submission(sub, acting_user=people["county"], comment="  ")
    sub = actions.return_submission(sub, acting_user=people["county"], comment="请核实学生终端数")
    assert sub.status == SubmissionStatus.RETURNED and sub.review_comment == "请核实学生终端数"
    sub = actions.save_values(sub, good_values(student_terminals=130), acting_user=people["cio"])
    sub = actions.submit(sub, acting_user=people["cio"])
    sub = actions.approve(sub, acting_user=people["county"])
    sub = actions.approve(sub, acting_user=people["prefecture"])
    with pytest.raises(PermissionDenied):  # the county cannot reopen what it no longer holds
        actions.reopen(sub, acting_user=people["county"], comment="x")
    sub = actions.approve(sub, acting_user=people["province"])
    assert sub.status == SubmissionStatus.PROVINCE_APPROVED
    with pytest.raises(ValidationError):
        actions.save_values(sub, good_values(), acting_user=people["cio"])
    sub = actions.reopen(sub, acting_user=people["province"], comment="发现口径错误，重新填报")
    assert sub.status == SubmissionStatus.RETURNED
    trail = list(AuditLog.objects.filter(object_type="collection.submission", object_id=str(sub.pk))
                 .values_list("action", flat=True))
    for verb in ("submit", "return", "approve", "reopen"):
        assert f"collection.submission.{verb}" in trail


def test_errors_block_and_warnings_need_explanations(people: dict[str, Any], school: Any) -> None:
    sub = make_submission(school)
    sub = actions.save_values(sub, good_values(multimedia_classrooms=99), acting_user=people["cio"])
    with pytest.raises(ValidationError) as info:
        actions.submit(sub, acting_user=people["cio"])
    assert "R01" in " ".join(info.value.messages)
    sub = actions.save_values(sub, good_values(teacher_terminals=400), acting_user=people["cio"])
    assert sub.error_count == 0 and sub.warning_count == 1
    with pytest.raises(ValidationError):
        actions.submit(sub, acting_user=people["cio"])
    sub = actions.save_values(sub, good_values(teacher_terminals=400), acting_user=people["cio"],
                              explanations={"teacher_terminals": "含录播教室终端"})
    assert actions.submit(sub, acting_user=people["cio"]).status == SubmissionStatus.SUBMITTED


def test_scope_rules(people: dict[str, Any], school: Any) -> None:
    other = make_school("510104", name="锦江区学校")
    mine, theirs = make_submission(school, values=good_values()), make_submission(other, values=good_values())
    # A school CIO edits only their own school's submission.
    with pytest.raises(PermissionDenied):
        actions.save_values(theirs, good_values(), acting_user=people["cio"])
    assert list(Submission.objects.visible_to(people["cio"])) == [mine]
    # A county officer reviews only schools of their county.
    actions.submit(theirs, acting_user=SYSTEM)
    with pytest.raises(PermissionDenied):
        actions.approve(theirs, acting_user=people["county"])
    actions.approve(theirs, acting_user=people["other_county"])
    # Auditors read but never change.
    with pytest.raises(PermissionDenied):
        actions.submit(mine, acting_user=people["auditor"])
    assert Submission.objects.visible_to(people["prefecture"]).count() == 2


def test_kindergarten_cannot_open_the_survey(people: dict[str, Any]) -> None:
    from edupulse.collection.tests.factories import shipped_version

    kindergarten = make_school(WUHOU, category="11")
    with pytest.raises(ValidationError):
        actions.open_submission(shipped_version(), kindergarten, "2022", acting_user=SYSTEM)
    with pytest.raises(ValidationError):
        actions.open_submission(shipped_version(), make_school(WUHOU), "22", acting_user=SYSTEM)


# What each role may do in each state, as a person reads the review rules (independent of the workflow table):
# the school submits; each level approves or returns what waits for it; a level above reopens approved data.
_EXPECTED_BUTTONS = {
    ("cio", "draft"): {"submit"}, ("county", "draft"): {"submit"}, ("prefecture", "draft"): {"submit"},
    ("province", "draft"): {"submit"}, ("auditor", "draft"): set(),
    ("cio", "submitted"): set(), ("county", "submitted"): {"approve", "return"}, ("prefecture", "submitted"): set(),
    ("province", "submitted"): set(), ("auditor", "submitted"): set(),
    ("cio", "county_approved"): set(), ("county", "county_approved"): set(),
    ("prefecture", "county_approved"): {"approve", "return", "reopen"}, ("province", "county_approved"): {"reopen"},
    ("auditor", "county_approved"): set(),
    ("cio", "prefecture_approved"): set(), ("county", "prefecture_approved"): set(),
    ("prefecture", "prefecture_approved"): set(), ("province", "prefecture_approved"): {"approve", "return", "reopen"},
    ("auditor", "prefecture_approved"): set(),
    ("cio", "province_approved"): set(), ("county", "province_approved"): set(),
    ("prefecture", "province_approved"): set(), ("province", "province_approved"): {"reopen"},
    ("auditor", "province_approved"): set(),
    ("cio", "returned"): {"submit"}, ("county", "returned"): {"submit"}, ("prefecture", "returned"): {"submit"},
    ("province", "returned"): {"submit"}, ("auditor", "returned"): set(),
}
_CALLS = {
    "submit": lambda sub, user: actions.submit(sub, acting_user=user),
    "approve": lambda sub, user: actions.approve(sub, acting_user=user),
    "return": lambda sub, user: actions.return_submission(sub, acting_user=user, comment="请更正"),
    "reopen": lambda sub, user: actions.reopen(sub, acting_user=user, comment="需要更正"),
}


def test_the_buttons_shown_are_exactly_what_the_actions_accept(people: dict[str, Any], school: Any,
                                                                client: Any) -> None:
    """Page, API and action read one table: a button is shown if and only if pressing it works."""
    from django.db import transaction

    from edupulse.core.tests.arrange import arranging

    sub = actions.open_submission(make_submission(school).version, school, "2022", acting_user=people["cio"])
    sub = actions.save_values(sub, good_values(), acting_user=people["cio"])
    for (who, state), expected in _EXPECTED_BUTTONS.items():
        with arranging():
            Submission.objects.filter(pk=sub.pk).update(status=state)
        client.force_login(people[who])
        page = client.get(f"/collection/submissions/{sub.pk}/")
        api = client.get(f"/api/collection/submissions/{sub.pk}/").json()
        shown = {verb for verb in _CALLS if f'name="action" value="{verb}"' in page.content.decode()}
        assert shown == expected, (who, state, shown)
        assert set(api["transitions"]) == expected, (who, state, api["transitions"])
        for verb, call in _CALLS.items():
            try:
                with transaction.atomic():
                    call(Submission.objects.get(pk=sub.pk), people[who])
                    transaction.set_rollback(True)
                accepted = True
            except (PermissionDenied, ValidationError):
                accepted = False
            assert accepted == (verb in expected), (who, state, verb)
