"""A real browser (Debian's chromium, Playwright) walks issue 14's officer loop: the county officer ticks
submissions on the review list and approves them at once (one refused, with the reason), then sends a 催报
from the 上报情况 page, and the school's CIO finds it on the landing page. Skips without chromium outside CI."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from edupulse.accounts.tests.factories import PASSWORD, make_user
from edupulse.collection import actions
from edupulse.collection.models import InboxMessage, Reminder, Submission
from edupulse.collection.models.submission import SubmissionStatus
from edupulse.collection.tests.conftest import FORM, WUHOU, good_values
from edupulse.collection.tests.factories import make_submission, shipped_version
from edupulse.core.actions import run_as_system
from edupulse.core.tests.test_browser import browser_page  # noqa: F401 (the fixture)
from edupulse.monitoring import actions as monitoring
from edupulse.monitoring.models import AlertChannel
from edupulse.orgs.tests.factories import make_school
from edupulse.utilities.config import current


def _sign_in(page: Any, url: str, user: Any) -> None:
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _shot(page: Any, name: str) -> None:
    if screenshots := current().screenshots:
        page.screenshot(path=screenshots / name, full_page=True)


@pytest.mark.django_db(transaction=True)
def test_county_officer_bulk_approves_and_sends_a_reminder(live_server: Any, browser_page: Any,  # noqa: F811
                                                          settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    shipped_version()
    ready = [make_school(WUHOU, name=f"武侯区第{n}实验小学") for n in range(1, 4)]
    silent = make_school(WUHOU, name="武侯区未报小学")
    drafting = make_school(WUHOU, name="武侯区草稿小学")
    submissions = [run_as_system(actions.submit, make_submission(s, values=good_values())) for s in ready]
    run_as_system(actions.approve, submissions[2])  # approved meanwhile: the bulk approval must refuse it
    make_submission(drafting)
    run_as_system(monitoring.save_channel, AlertChannel(region_id=WUHOU, name="武侯区信息中心邮箱", kind="email",
                                                        target="xxzx@example.edu.cn"))
    officer = make_user("county_officer", region=WUHOU, username="wuhou_officer")
    page = browser_page
    _sign_in(page, live_server.url, officer)

    page.goto(f"{live_server.url}/collection/submissions/?period=2022")
    for submission in submissions:
        page.check(f"input[name=ids][value='{submission.pk}']")
    page.fill("#bulk-review textarea[name=comment]", "已核实")
    _shot(page, "bulk-review-ticked.png")
    page.click("#bulk-review button[value=approve]")
    page.wait_for_load_state()
    messages = page.inner_text("ul.messages")
    assert "2 份已处理" in messages and "武侯区第3实验小学 未变更" in messages
    _shot(page, "bulk-review-done.png")
    assert set(Submission.objects.filter(pk__in=[s.pk for s in submissions]).values_list("status", flat=True)) == {
        SubmissionStatus.COUNTY_APPROVED}

    page.goto(f"{live_server.url}/collection/completeness/{FORM}/2022/")
    assert "无记录 1 · 草稿未提交 1 · 退回未重报 0" in page.inner_text("#reminders")
    page.click("#send-reminder")
    page.wait_for_load_state()
    assert "已在站内提醒 2 所学校" in page.inner_text("ul.messages")
    assert "武侯区信息中心邮箱：已送达" in page.inner_text("#reminders")
    _shot(page, "reminder-sent.png")
    reminder = Reminder.objects.get()
    assert reminder.sent_by == officer and reminder.school_count == 2
    assert len(mail.outbox) == 1 and "武侯区未报小学" in mail.outbox[0].body

    cio = make_user("school_cio", school=silent, username="silent_cio")
    page.context.clear_cookies()  # sign out
    _sign_in(page, live_server.url, cio)
    page.goto(f"{live_server.url}/")
    inbox = page.inner_text("#inbox")
    assert "1 条未读" in inbox and "当前状态：无记录" in inbox
    _shot(page, "school-inbox.png")
    page.click("#inbox button[type=submit]")
    page.wait_for_load_state()
    assert InboxMessage.objects.get(school=silent).read_at is not None
