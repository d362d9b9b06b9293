"""Stored plans: import (whole tree, idempotent, nothing on bad input), suggested and confirmed links, the plan page
with measured values, scope, the task workflow, evidence limits, the overdue list and the 督导通报."""

from __future__ import annotations

import io
import json
from typing import Any

import pypdf
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from edupulse.accounts.tests.factories import PASSWORD, make_user
from edupulse.collection import actions as collection_actions
from edupulse.collection.tests.conftest import good_values
from edupulse.collection.tests.factories import make_submission
from edupulse.core.actions import run_as_system
from edupulse.core.models import AuditLog
from edupulse.core.tests.arrange import arranging
from edupulse.indicators.actions import recompute
from edupulse.monitoring.tests.test_notices import _require_cjk_font
from edupulse.orgs.models import Region
from edupulse.orgs.tests.factories import make_school
from edupulse.plans import actions
from edupulse.plans.models import LinkStatus, Plan, PlanTarget, PlanTask, TaskStatus, TaskUpdate
from edupulse.plans.tests.factories import PLAN_TEXT, make_plan, seed_bytes
from edupulse.plans.tests.helpers import seed

pytestmark = pytest.mark.django_db
WUHOU, JINJIANG, CHENGDU = "510107", "510104", "5101"


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _import_seed(number: int, region: str = "51") -> Plan:
    plan: Plan = run_as_system(actions.import_plan, f"seed_{number:03d}.txt", seed_bytes(number),
                               Region.objects.get(code=region))
    return plan


@pytest.mark.parametrize("number", [0, 1, 2, 3, 4])
def test_each_seed_is_stored_as_the_parser_reads_it(number: int) -> None:
    parsed = seed(number)
    plan = _import_seed(number)
    assert plan.sections.count() == len(parsed.sections)
    stored = list(plan.tasks.order_by("order"))
    assert [(t.number, t.title, t.units, t.deadline) for t in stored] == [
        (t.number or "", t.title, t.units, t.deadline or "") for t in parsed.all_tasks()]
    assert sorted(t.span for t in plan.targets.all()) == sorted(t.span for t in parsed.all_targets())
    assert plan.title == (parsed.title or f"seed_{number:03d}")
    assert plan.doc_number == (parsed.doc_number or "")
    assert seed_bytes(number).decode("utf-8").strip()[:20] in plan.original_text
    assert AuditLog.objects.filter(action="plans.plan.import", object_id=str(plan.pk)).count() == 1


def test_seed_children_hang_under_their_task_and_units_and_deadlines_are_kept() -> None:
    plan = _import_seed(2)  # 江苏: （二）基本原則 has children 1.–4.; traditional characters stay as written
    principles = plan.tasks.get(title__startswith="基本原則")
    assert [c.number for c in principles.children.order_by("order")] == ["1.", "2.", "3.", "4."]
    assert "教育" in plan.normalised_text and "教育廳" in plan.original_text
    plan1 = _import_seed(1)
    assert plan1.period == 2022 and plan1.date == "2022-04-18"


def test_importing_the_same_file_again_changes_nothing_and_returns_the_plan() -> None:
    first = _import_seed(3)
    trail = AuditLog.objects.count()
    again = _import_seed(3)
    assert again.pk == first.pk
    assert Plan.objects.count() == 1 and AuditLog.objects.count() == trail
    other_region = _import_seed(3, region=CHENGDU)  # another authority importing it keeps its own copy
    assert other_region.pk != first.pk


def test_a_bad_file_writes_nothing() -> None:
    region = Region.objects.get(code="51")
    for name, data, message in [("要点.exe", b"abc", "不支持"), ("要点.txt", b"   ", "空"),
                                ("要点.txt", "这是一段没有编号的文字。".encode(), "编号")]:
        with pytest.raises(ValidationError) as caught:
            run_as_system(actions.import_plan, name, data, region)
        assert message in " ".join(caught.value.messages)
    assert not Plan.objects.exists() and not PlanTask.objects.exists()


def _link(plan: Plan, span_start: str) -> PlanTarget:
    target = plan.targets.filter(span__startswith=span_start).order_by("order").first()
    assert target is not None, span_start
    return target


def test_links_are_suggested_from_the_subject_words() -> None:
    ipv6 = _link(_import_seed(3), "高校门户网站")
    assert ipv6.link_status == LinkStatus.SUGGESTED and ipv6.indicator_code in {"site_ipv6_rate", "ipv6_rate"}
    plan4 = _import_seed(4)
    teachers = plan4.targets.filter(span="90%以上的教师")
    students = plan4.targets.filter(span="60%初中以上的学生")
    assert {t.indicator_code for t in teachers} == {"teacher_space_rate"}
    assert {t.indicator_code for t in students} == {"student_space_rate"}
    assert _link(plan4, "全省中小学互联网接入率").indicator_code == "internet_rate"
    assert _link(plan4, "普通教室多媒体").indicator_code == "multimedia_rate"
    # A count has no indicator: 建设10个数字化学习实验室 stays unlinked.
    assert not _import_seed(1).targets.filter(unit="个").exclude(link_status="").exists()


def test_a_persons_decision_stands_when_links_are_suggested_again() -> None:
    plan = _import_seed(4)
    target = plan.targets.filter(indicator_code="teacher_space_rate").first()
    officer = make_user("province_admin", region="51")
    actions.reject_link(target, acting_user=officer)
    run_as_system(actions.suggest_links, plan)
    target.refresh_from_db()
    assert target.link_status == LinkStatus.REJECTED and target.confirmed_by == officer
    reviewer = make_user("expert_reviewer", region="51")
    with pytest.raises(PermissionDenied):
        actions.confirm_link(target, acting_user=reviewer)


def _approved(school: Any, **values: Any) -> None:
    submission = make_submission(school, period="2022", values=good_values(**values))
    submission = run_as_system(collection_actions.submit, submission)
    run_as_system(collection_actions.approve, submission)


def test_a_confirmed_link_shows_the_measured_value_with_its_coverage(client: Any) -> None:
    run_as_system(collection_actions.load_forms)
    _approved(make_school(WUHOU), teachers_total=80, teacher_space_accounts=78)
    _approved(make_school(WUHOU), teachers_total=80, teacher_space_accounts=40)
    make_submission(make_school(WUHOU), period="2022", values=good_values())  # a draft: expected, no data
    run_as_system(recompute, ["2022"])
    plan = make_plan(WUHOU)
    target = plan.targets.get(span="90%以上的教师")
    assert target.indicator_code == "teacher_space_rate" and target.link_status == LinkStatus.SUGGESTED
    officer = make_user("county_officer", region=WUHOU)
    client.force_login(officer)
    page = client.get(reverse("plans:plan-detail", args=[plan.pk])).content.decode()
    assert "73.8%" not in page  # a suggestion is not measured until a person confirms it
    response = client.post(reverse("plans:target-confirm", args=[target.pk]))
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.link_status == LinkStatus.CONFIRMED and target.confirmed_by == officer
    page = client.get(reverse("plans:plan-detail", args=[plan.pk])).content.decode()
    assert "73.8%" in page  # (78 + 40) / 160
    assert "覆盖 2/3 所学校" in page
    assert "未达标" in page


def test_a_county_officer_sees_neither_the_prefectures_nor_another_countys_plans(client: Any) -> None:
    prefecture_plan, other_county = make_plan(CHENGDU), make_plan(JINJIANG)
    own = make_plan(WUHOU)
    client.force_login(make_user("county_officer", region=WUHOU))
    for plan in (prefecture_plan, other_county):
        assert client.get(reverse("plans:plan-detail", args=[plan.pk])).status_code == 404
        assert client.get(reverse("plans:plan-report", args=[plan.pk])).status_code == 404
    assert client.get(reverse("plans:plan-detail", args=[own.pk])).status_code == 200
    listed = {row.record.pk for row in client.get(reverse("plans:plan-list")).context["table"].rows}
    assert listed == {own.pk}
    client.force_login(make_user("school_cio", school=make_school(WUHOU)))
    assert client.get(reverse("plans:plan-list")).status_code == 403


def test_task_status_moves_through_the_workflow() -> None:
    officer = make_user("county_officer", region=WUHOU)
    task = make_plan(WUHOU).tasks.order_by("order").first()
    assert task.status == TaskStatus.NOT_STARTED
    actions.record_update(task, acting_user=officer, text="完成方案", progress=0)
    assert task.status == TaskStatus.NOT_STARTED
    actions.record_update(task, acting_user=officer, text="完成一半", progress=50)
    assert (task.status, task.progress) == (TaskStatus.IN_PROGRESS, 50)
    actions.record_update(task, acting_user=officer, text="全部完成", progress=100)
    assert task.status == TaskStatus.DONE
    with pytest.raises(ValidationError):
        actions.record_update(task, acting_user=officer, text="再报", progress=100)
    actions.move_task(task, "reopen", acting_user=officer)
    assert task.status == TaskStatus.IN_PROGRESS
    with pytest.raises(PermissionDenied):
        actions.move_task(task, "complete", acting_user=make_user("expert_reviewer", region=WUHOU))
    actions.assign_task(task, "区电教馆", acting_user=officer)
    assert PlanTask.objects.get(pk=task.pk).owner_unit == "区电教馆"
    assert AuditLog.objects.filter(action="plans.task.assign", object_id=str(task.pk)).exists()


def test_a_report_past_the_deadline_marks_the_task_delayed_and_lists_it_overdue(client: Any) -> None:
    officer = make_user("county_officer", region=WUHOU)
    task = make_plan(WUHOU).tasks.get(title="建设网络学习空间")  # due 2022-06
    assert task.deadline == "2022-06" and task.due_date < timezone.localdate()
    client.force_login(officer)
    listed = {row.record.pk for row in client.get(reverse("plans:overdue")).context["table"].rows}
    assert task.pk in listed
    actions.record_update(task, acting_user=officer, text="推进中", progress=60)
    assert task.status == TaskStatus.DELAYED
    export = client.get(reverse("plans:overdue"), {"export": "csv"}).content.decode("utf-8-sig")
    assert "建设网络学习空间" in export
    actions.move_task(task, "complete", acting_user=officer)
    listed = {row.record.pk for row in client.get(reverse("plans:overdue")).context["table"].rows}
    assert task.pk not in listed


def test_evidence_files_are_limited_and_downloaded_only_in_scope(client: Any, media: Any, settings: Any) -> None:
    officer = make_user("county_officer", region=WUHOU)
    task = make_plan(WUHOU).tasks.order_by("order").first()
    client.force_login(officer)
    url = reverse("plans:task-detail", args=[task.pk])
    page = client.post(url, {"text": "见附件", "progress": 30,
                             "evidence": SimpleUploadedFile("病毒.exe", b"MZ", content_type="application/octet-stream")})
    assert page.status_code == 200 and "请上传 PDF" in page.content.decode()
    big = SimpleUploadedFile("大.pdf", b"%PDF" + b"0" * (20 * 1024 * 1024), content_type="application/pdf")
    page = client.post(url, {"text": "见附件", "progress": 30, "evidence": big})
    assert "20 MB" in page.content.decode()
    assert not TaskUpdate.objects.exists()
    good = SimpleUploadedFile("进展报告.pdf", b"%PDF-1.4 ok", content_type="application/pdf")
    assert client.post(url, {"text": "见附件", "progress": 30, "evidence": good}).status_code == 302
    update = TaskUpdate.objects.get()
    download = client.get(reverse("plans:update-evidence", args=[update.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 ok"
    client.force_login(make_user("county_officer", region=JINJIANG))
    assert client.get(reverse("plans:update-evidence", args=[update.pk])).status_code == 404


def test_the_upload_page_imports_and_explains_a_bad_file_in_chinese(client: Any) -> None:
    client.force_login(make_user("county_officer", region=WUHOU))
    url = reverse("plans:plan-import")
    page = client.post(url, {"region": WUHOU, "file": SimpleUploadedFile("要点.exe", b"abc")})
    assert page.status_code == 200 and "不支持的文件类型" in page.content.decode()
    page = client.post(url, {"region": CHENGDU, "file": SimpleUploadedFile("要点.txt", PLAN_TEXT.encode())})
    assert page.status_code == 200 and not Plan.objects.exists()  # 成都市 is not a choice for 武侯区's officer
    response = client.post(url, {"region": WUHOU, "file": SimpleUploadedFile("要点.txt", PLAN_TEXT.encode())})
    plan = Plan.objects.get()
    assert response["Location"] == reverse("plans:plan-detail", args=[plan.pk])
    assert plan.imported_by is not None and plan.region_id == WUHOU and plan.tasks.count() == 3


def _docx_text(data: bytes) -> str:
    from docx import Document  # heavy: only the DOCX tests read documents

    document = Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_the_supervision_report_names_tasks_targets_values_and_overdue_tasks(tmp_path: Any) -> None:
    run_as_system(collection_actions.load_forms)
    _approved(make_school(WUHOU), teachers_total=100, teacher_space_accounts=95)
    run_as_system(recompute, ["2022"])
    plan = make_plan(WUHOU)
    run_as_system(actions.confirm_link, plan.targets.get(span="90%以上的教师"))
    first = plan.tasks.order_by("order").first()
    run_as_system(actions.record_update, first, text="已完成", progress=100)
    out = tmp_path / "report.docx"
    call_command("plans", "report", str(plan.pk), "--out", str(out))
    text = _docx_text(out.read_bytes())
    assert "武侯区教育局" in text.replace("四川省成都市", "")
    assert "教督〔" in text and plan.title in text
    assert "推进学校网络提速" in text and "已完成" in text and "100%" in text
    assert "95%" in text and "1/1 所学校" in text and "达标" in text
    assert "建设网络学习空间" in text.split("逾期未完成的任务")[1]  # due 2022-06, not done
    assert "落实" in text or "要求" in text


def test_the_supervision_report_prints_as_pdf_with_real_chinese_text(tmp_path: Any, client: Any) -> None:
    _require_cjk_font()
    plan = make_plan(WUHOU)
    out = tmp_path / "report.pdf"
    call_command("plans", "report", str(plan.pk), "--out", str(out))
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert plan.title in text.replace("\n", "") and "推进学校网络提速" in text  # glyphs with their characters
    officer = make_user("county_officer", region=WUHOU)
    client.login(username=officer.username, password=PASSWORD)
    response = client.get(reverse("plans:plan-report", args=[plan.pk]), {"format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''" in response["Content-Disposition"] and ".pdf" in response["Content-Disposition"]


def test_the_import_command_prints_counts_and_links(tmp_path: Any) -> None:
    path = tmp_path / "seed_003.txt"
    path.write_bytes(seed_bytes(3))
    out = io.StringIO()
    call_command("plans", "import", str(path), "--region", "51", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["created"] is True and result["counts"] == {"sections": 6, "tasks": 17, "targets": 2}
    assert [link["indicator"] for link in result["links"]] == ["site_ipv6_rate"]
    out = io.StringIO()
    call_command("plans", "import", str(path), "--region", "51", "--json", stdout=out)
    assert json.loads(out.getvalue())["created"] is False and Plan.objects.count() == 1


def test_the_page_of_a_plan_whose_year_has_no_values_says_so(client: Any) -> None:
    plan = make_plan(WUHOU)
    with arranging():
        Plan.objects.filter(pk=plan.pk).update(period=1999)
    run_as_system(actions.confirm_link, plan.targets.get(span="90%以上的教师"))
    client.force_login(make_user("county_officer", region=WUHOU))
    page = client.get(reverse("plans:plan-detail", args=[plan.pk])).content.decode()
    assert "无数据" in page


def test_the_task_page_marks_each_targets_span_in_the_text(client: Any) -> None:
    task = make_plan(WUHOU).tasks.get(title="推进学校网络提速")
    client.force_login(make_user("county_officer", region=WUHOU))
    page = client.get(reverse("plans:task-detail", args=[task.pk])).content.decode()
    assert '<mark class="span">全区中小学互联网接入率达到100%</mark>' in page
