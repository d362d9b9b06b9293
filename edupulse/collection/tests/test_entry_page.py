"""The online entry page (在线填报) as a school CIO meets it: a visit changes nothing, the first save creates."""

from __future__ import annotations

from typing import Any

import pytest

from edupulse.accounts.tests.factories import PASSWORD, make_user
from edupulse.collection.models import Submission
from edupulse.collection.models.submission import SubmissionStatus
from edupulse.collection.tests.conftest import FORM, good_values
from edupulse.collection.tests.factories import make_submission
from edupulse.core.models import AuditLog

pytestmark = pytest.mark.django_db

ENTRY = f"/collection/entry/{FORM}/2022/"


def _post_data(**overrides: Any) -> dict[str, str]:
    return {code: ("是" if v is True else "否" if v is False else "" if v is None else str(v))
            for code, v in good_values(**overrides).items()}


@pytest.fixture
def cio(client: Any, forms: Any, school: Any) -> Any:
    user = make_user("school_cio", school=school)
    assert client.login(username=user.username, password=PASSWORD)
    return user


def test_opening_the_entry_page_creates_nothing(client: Any, cio: Any, school: Any) -> None:
    rows = AuditLog.objects.count()
    page = client.get(ENTRY)
    assert page.status_code == 200
    body = page.content.decode()
    assert "专任教师数" in body and school.name in body
    assert not Submission.objects.filter(school=school).exists()
    assert AuditLog.objects.count() == rows


def test_a_blank_new_form_shows_no_errors_before_anything_is_typed(client: Any, cio: Any) -> None:
    body = client.get(ENTRY, follow=True).content.decode()
    assert "为必填项" not in body and 'class="error"' not in body and "invalid" not in body


def test_the_help_paragraph_is_chinese(client: Any, cio: Any, school: Any) -> None:
    # The template's literal has a “%”: the template engine looks it up as “%%” (as makemessages writes it).
    submission = make_submission(school, values=good_values())
    for url in (f"/collection/submissions/{submission.pk}/edit/", f"/collection/entry/{FORM}/2021/"):
        body = client.get(url).content.decode()
        assert "数量为零请填 0" in body and "百分比可写 95 或 95%。" in body and "Enter 0 for zero" not in body


def test_the_first_save_creates_the_draft(client: Any, cio: Any, school: Any) -> None:
    response = client.post(ENTRY, {**_post_data(), "save": "1"})
    submission = Submission.objects.get(school=school, period="2022")
    assert response.status_code == 302 and response["Location"] == f"/collection/submissions/{submission.pk}/"
    assert submission.status == SubmissionStatus.DRAFT and submission.values["teachers_total"] == 80
    assert AuditLog.objects.filter(action="collection.submission.create", object_id=str(submission.pk)).count() == 1
    # From now on the page opens the stored draft.
    again = client.get(ENTRY)
    assert again.status_code == 302 and again["Location"] == f"/collection/submissions/{submission.pk}/edit/"


def test_a_save_with_cell_errors_creates_nothing_and_shows_them(client: Any, cio: Any, school: Any) -> None:
    page = client.post(ENTRY, {**_post_data(teachers_total="约八十"), "save": "1"})
    assert page.status_code == 200 and "应填数字" in page.content.decode()
    assert not Submission.objects.filter(school=school).exists()


def test_save_and_submit_on_a_new_form(client: Any, cio: Any, school: Any) -> None:
    response = client.post(ENTRY, {**_post_data(), "submit": "1"})
    submission = Submission.objects.get(school=school, period="2022")
    assert response.status_code == 302
    assert submission.status == SubmissionStatus.SUBMITTED
