"""Work an officer does many times at once (issue 14, item 5): bulk review, 催报, the completeness export,
the paged outliers and the upload errors by cell; and the reviewer's queue on the landing page."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core import mail

from edupulse.accounts.tests.factories import PASSWORD, make_user
from edupulse.collection import actions, importing, reminding, reviewing
from edupulse.collection.models import InboxMessage, Reminder, Submission
from edupulse.collection.models.submission import SubmissionStatus
from edupulse.collection.registry import current_version, spec_for
from edupulse.collection.tests.conftest import FORM, JINJIANG, WUHOU, good_values
from edupulse.collection.tests.factories import make_submission
from edupulse.core.actions import run_as_system
from edupulse.core.models import AuditLog
from edupulse.core.tests.arrange import arranging
from edupulse.monitoring import actions as monitoring
from edupulse.monitoring.models import AlertChannel, AlertDelivery
from edupulse.orgs.tests.factories import make_school

pytestmark = pytest.mark.django_db


def login(client: Any, user: Any) -> None:
    assert client.login(username=user.username, password=PASSWORD)


def submitted(school: Any, period: str = "2022", **values: Any) -> Submission:
    submission = make_submission(school, period, values=good_values(**values))
    return run_as_system(actions.submit, submission)


# ── Bulk review ───────────────────────────────────────────────────────────────────────────────────────────
def test_bulk_approve_of_three_with_one_refused(client: Any, forms: Any) -> None:
    schools = [make_school(WUHOU, name=f"武侯区第{n}小学") for n in range(3)]
    first, second, third = (submitted(s) for s in schools)
    officer = make_user("county_officer", region=WUHOU)
    run_as_system(actions.approve, third)  # a colleague approved it meanwhile: it waits for the prefecture now
    before = AuditLog.objects.filter(action="collection.submission.approve").count()
    login(client, officer)
    response = client.post("/collection/submissions/bulk/", {
        "ids": [first.pk, second.pk, third.pk], "action": "approve", "comment": "数据核实无误",
        "next": "/collection/submissions/?period=2022"}, follow=True)
    assert response.redirect_chain[-1][0] == "/collection/submissions/?period=2022"
    statuses = dict(Submission.objects.filter(pk__in=[first.pk, second.pk, third.pk]).values_list("pk", "status"))
    assert statuses == {first.pk: SubmissionStatus.COUNTY_APPROVED, second.pk: SubmissionStatus.COUNTY_APPROVED,
                        third.pk: SubmissionStatus.COUNTY_APPROVED}
    assert Submission.objects.get(pk=first.pk).review_comment == "数据核实无误"
    # One audit row per approved submission, by the officer; none for the refused one.
    rows = AuditLog.objects.filter(action="collection.submission.approve").order_by("sequence")[before:]
    assert [(r.object_id, r.actor_username) for r in rows] == [(str(first.pk), officer.username),
                                                               (str(second.pk), officer.username)]
    page = response.content.decode()
    assert "2 份已处理" in page
    assert "武侯区第2小学 未变更：此阶段只能由所在地市教育行政部门操作。" in page


def test_bulk_review_refuses_outside_the_scope_like_a_missing_key(forms: Any) -> None:
    inside, outside = submitted(make_school(WUHOU)), submitted(make_school(JINJIANG))
    officer = make_user("county_officer", region=WUHOU)
    outcome = reviewing.bulk_review([inside.pk, outside.pk], "return", "请补充带宽", acting_user=officer)
    assert [s.pk for s in outcome.done] == [inside.pk]
    assert outcome.refused == [(f"#{outside.pk}", "您的范围内没有这份填报。")]
    assert Submission.objects.get(pk=outside.pk).status == SubmissionStatus.SUBMITTED
    with pytest.raises(Exception, match="退回报表时请写明需要修改的内容"):
        reviewing.bulk_review([inside.pk], "return", " ", acting_user=officer)


def test_review_page_shows_last_years_value_and_the_change(client: Any, forms: Any) -> None:
    school = make_school(WUHOU)
    make_submission(school, "2021", values=good_values(students_total=1000))
    this_year = submitted(school, students_total=1200)
    login(client, make_user("county_officer", region=WUHOU))
    page = client.get(f"/collection/submissions/{this_year.pk}/").content.decode()
    assert "上期值" in page
    assert "<td class=\"num\">1000</td><td class=\"num\">+200 (+20.0%)</td>" in page


def test_review_list_offers_ticks_to_officers_only(client: Any, forms: Any) -> None:
    school = make_school(WUHOU)
    submitted(school)
    login(client, make_user("county_officer", region=WUHOU))
    assert 'form="bulk-review"' in client.get("/collection/submissions/").content.decode()
    login(client, make_user("school_cio", school=school))
    assert 'form="bulk-review"' not in client.get("/collection/submissions/").content.decode()


# ── 催报 ──────────────────────────────────────────────────────────────────────────────────────────────────
@pytest.fixture
def county(forms: Any) -> dict[str, Any]:
    """武侯区: one school reported, one with a draft, one returned, one with no record; a 锦江区 school."""
    reported, draft, returned, silent = (make_school(WUHOU, name=n) for n in ("已报小学", "草稿小学", "退回小学", "未填小学"))
    submitted(reported)
    make_submission(draft)
    run_as_system(actions.return_submission, submitted(returned), comment="请更正")
    make_school(JINJIANG, name="锦江小学")
    return {"reported": reported, "draft": draft, "returned": returned, "silent": silent}


def test_reminder_reaches_inbox_and_channels_is_recorded_and_throttled(client: Any, county: dict[str, Any],
                                                                       settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run_as_system(monitoring.save_channel, AlertChannel(region_id=WUHOU, name="武侯邮件", kind="email",
                                                        target="cio-group@example.edu.cn"))
    # A robot nobody listens to: refused at once, recorded as failed (and kept for the alert task's retry).
    run_as_system(monitoring.save_channel, AlertChannel(region_id="5101", name="成都钉钉", kind="dingtalk",
                                                        target="http://127.0.0.1:9/robot/send"))
    run_as_system(monitoring.save_channel, AlertChannel(region_id=JINJIANG, name="锦江邮件", kind="email",
                                                        target="jinjiang@example.edu.cn"))
    officer = make_user("county_officer", region=WUHOU)
    login(client, officer)
    page = client.get(f"/collection/completeness/{FORM}/2022/").content.decode()
    assert "无记录 1 · 草稿未提交 1 · 退回未重报 1" in page
    response = client.post(f"/collection/completeness/{FORM}/2022/remind/?region={WUHOU}", follow=True)
    text = response.content.decode()
    assert "已在站内提醒 3 所学校" in text and "已通过 武侯邮件 发送" in text and "发送失败：成都钉钉" in text

    reminder = Reminder.objects.get()
    assert (reminder.area, reminder.school_count, reminder.skipped_count, reminder.sent_by) == (WUHOU, 3, 0, officer)
    assert [(c["channel"], c["delivered"]) for c in reminder.channels] == [("武侯邮件", True), ("成都钉钉", False)]
    kinds = dict(InboxMessage.objects.values_list("school__name", "kind"))
    assert kinds == {"草稿小学": "draft", "退回小学": "returned", "未填小学": "no_record"}
    assert len(mail.outbox) == 1 and "未填小学" in mail.outbox[0].body and "已报小学" not in mail.outbox[0].body
    assert AlertDelivery.objects.filter(event="reminder").count() == 2  # 锦江's channel does not cover 武侯
    assert AuditLog.objects.filter(action="collection.reminder.create", actor_username=officer.username).count() == 1
    assert AuditLog.objects.filter(action="collection.inboxmessage.create").count() == 3

    # The same day again: nobody is reminded twice, nothing is sent, the officer is told why.
    again = client.post(f"/collection/completeness/{FORM}/2022/remind/?region={WUHOU}", follow=True)
    assert "今天都已提醒过" in again.content.decode()
    assert (Reminder.objects.count(), InboxMessage.objects.count(), len(mail.outbox)) == (1, 3, 1)

    # The school's CIO sees it on the landing page and marks it read; a school never reminded is told what will come.
    quiet = make_user("school_cio", school=make_school(WUHOU))
    login(client, quiet)
    assert "暂无消息。上级催报时" in client.get("/").content.decode()
    cio = make_user("school_cio", school=county["silent"])
    login(client, cio)
    home = client.get("/").content.decode()
    assert "1 条未读" in home and "当前状态：无记录" in home
    client.post("/collection/inbox/read/")
    assert InboxMessage.objects.get(school=county["silent"]).read_at is not None
    assert "条未读" not in client.get("/").content.decode()


def test_a_school_reminded_today_is_skipped_when_others_are_not(county: dict[str, Any]) -> None:
    officer = make_user("county_officer", region=WUHOU)
    prefecture = make_user("prefecture_officer", region="5101")
    spec = spec_for(current_version(FORM))
    reminding.send_reminder(spec, "2022", WUHOU, "武侯区", acting_user=officer)
    wider = reminding.send_reminder(spec, "2022", "5101", "成都市", acting_user=prefecture)
    assert (wider.school_count, wider.skipped_count) == (1, 3)  # only 锦江小学 is new today
    assert InboxMessage.objects.filter(school__name="锦江小学").count() == 1


def test_a_school_cio_cannot_send_reminders(client: Any, county: dict[str, Any]) -> None:
    login(client, make_user("school_cio", school=county["silent"]))
    assert client.post(f"/collection/completeness/{FORM}/2022/remind/?region={WUHOU}").status_code == 403
    assert not Reminder.objects.exists()


def test_completeness_export_has_the_three_kinds(client: Any, county: dict[str, Any]) -> None:
    login(client, make_user("prefecture_officer", region="5101"))
    response = client.get(f"/collection/completeness/{FORM}/2022/export.csv")
    assert response.status_code == 200
    assert "filename*=utf-8''" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][-3:] == ["无记录", "草稿未提交", "退回未重报"]
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code[WUHOU][2:4] == ["4", "1"] and by_code[WUHOU][-3:] == ["1", "1", "1"]
    assert by_code[JINJIANG][-3:] == ["1", "0", "0"]
    assert client.get(f"/collection/completeness/{FORM}/2022/export.pdf").status_code == 404
    xlsx = client.get(f"/collection/completeness/{FORM}/2022/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


# ── Lists ─────────────────────────────────────────────────────────────────────────────────────────────────
def test_upload_errors_are_sorted_and_one_line_per_cell() -> None:
    files = [{"path": "a.xlsx", "school_code": "1", "status": "rejected", "errors": [
        {"sheet": "填报", "cell": "C10", "severity": "warning", "message": "偏大"},
        {"sheet": "填报", "cell": "C9", "severity": "error", "message": "必填"},
        {"sheet": "填报", "cell": "C10", "severity": "error", "message": "超出范围"},
        {"sheet": "填报", "cell": "C10", "severity": "error", "message": "超出范围"},
        {"sheet": None, "cell": None, "severity": "error", "message": "文件损坏"},
        {"sheet": "填报", "cell": "AA9", "severity": "error", "message": "格式"},
    ]}, {"path": "b.xlsx", "school_code": "2", "status": "accepted", "errors": []}]
    lines = importing.errors_by_cell(files)
    shown = [(line["file"]["path"], line["error"] and (line["error"]["cell"], line["error"]["message"],
                                                         line["error"]["severity"])) for line in lines]
    assert shown == [("a.xlsx", (None, "文件损坏", "error")), ("a.xlsx", ("C9", "必填", "error")),
                     ("a.xlsx", ("AA9", "格式", "error")), ("a.xlsx", ("C10", "偏大；超出范围", "error")),
                     ("b.xlsx", None)]


def test_outliers_are_paged(client: Any, forms: Any) -> None:
    for n in range(60):
        make_submission(make_school(WUHOU), values=good_values(internet_bandwidth_mbps=100.0 + n % 7))
    for n in range(55):  # far from the median, each one an outlier
        make_submission(make_school(WUHOU), values=good_values(internet_bandwidth_mbps=900000.0 + n))
    login(client, make_user("county_officer", region=WUHOU))
    first = client.get(f"/collection/outliers/{FORM}/2022/")
    assert first.status_code == 200
    outliers = first.context["outliers"]
    assert outliers.paginator.count > 50 and len(outliers.object_list) == 50
    second = client.get(f"/collection/outliers/{FORM}/2022/", {"page": 2})
    assert len(second.context["outliers"].object_list) == outliers.paginator.count - 50


# ── The reviewer's queue ──────────────────────────────────────────────────────────────────────────────────
def test_reviewer_landing_page_lists_what_waits_with_warnings(client: Any, forms: Any) -> None:
    flagged = make_school(WUHOU, name="有警告小学")
    quiet = make_school(WUHOU, name="无警告小学")
    elsewhere = make_school(JINJIANG, name="锦江有警告小学")
    submitted(quiet)
    with arranging():  # a submitted record that carries an explained warning, as an import leaves it
        for school in (flagged, elsewhere):
            Submission.objects.filter(pk=submitted(school).pk).update(warning_count=1)
    login(client, make_user("expert_reviewer", region=WUHOU))
    page = client.get("/").content.decode()
    assert "待您审阅" in page and "有警告小学" in page
    assert "无警告小学" not in page and "锦江有警告小学" not in page
    login(client, make_user("county_officer", region=WUHOU))
    assert "待您审阅" not in client.get("/").content.decode()

