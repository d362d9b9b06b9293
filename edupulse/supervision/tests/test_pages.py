"""Pages, scope and exports: who sees which scores, the workflow buttons, the XLSX and the 督导通报."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
import python_calamine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from docx import Document

from edupulse.accounts.tests.factories import make_user
from edupulse.core.actions import run_as_system
from edupulse.supervision import actions
from edupulse.supervision.models import RoundStatus, SupervisionResult
from edupulse.supervision.tests.conftest import CHENGDU, JINJIANG, WUHOU
from edupulse.supervision.tests.factories import make_round

pytestmark = pytest.mark.django_db


def _client(role: str, region: str) -> Client:
    client = Client()
    client.force_login(make_user(role, region=region))
    return client


def _result(supervision: Any, region: str) -> SupervisionResult:
    return SupervisionResult.objects.get(round=supervision, region_id=region)


def test_the_prefecture_scores_and_publishes_with_the_workflow_buttons(world: dict[str, Any]) -> None:
    officer = _client("prefecture_officer", CHENGDU)
    supervision = make_round(CHENGDU, document_number="成教督〔2022〕3号")
    page = officer.get(reverse("supervision:round-detail", args=[supervision.pk])).content.decode()
    assert 'value="score"' in page and 'value="publish"' not in page and "尚未评分" in page
    officer.post(reverse("supervision:round-transition", args=[supervision.pk]), {"action": "score"})
    page = officer.get(reverse("supervision:round-detail", args=[supervision.pk])).content.decode()
    assert 'value="publish"' in page and "重新评分" in page
    # The ranking (the default framework): 锦江区 first with 81 (good), 武侯区 second with 63.54 (pass).
    assert page.index("锦江区") < page.index("武侯区") and "63.54" in page
    assert 'class="grade-good"' in page and 'class="grade-pass"' in page
    officer.post(reverse("supervision:round-transition", args=[supervision.pk]), {"action": "publish"})
    supervision.refresh_from_db()
    assert supervision.status == RoundStatus.PUBLISHED
    page = officer.get(reverse("supervision:round-detail", args=[supervision.pk])).content.decode()
    assert 'name="action"' not in page  # locked: no button left
    response = officer.post(reverse("supervision:round-transition", args=[supervision.pk]), {"action": "score"},
                            follow=True)
    assert "评分已锁定" in response.content.decode()


def test_a_county_sees_its_own_scores_once_published(world: dict[str, Any]) -> None:
    county = _client("county_officer", WUHOU)
    supervision = make_round(CHENGDU, score=True)
    own, other = _result(supervision, WUHOU), _result(supervision, JINJIANG)
    assert county.get(reverse("supervision:round-detail", args=[supervision.pk])).status_code == 404
    assert county.get(reverse("supervision:scorecard", args=[own.pk])).status_code == 404  # not yet published
    run_as_system(actions.publish_round, supervision)
    page = county.get(reverse("supervision:round-detail", args=[supervision.pk])).content.decode()
    assert "武侯区" in page and "锦江区" not in page  # the ranking lists the county's own row only
    assert 'name="action"' not in page
    card = county.get(reverse("supervision:scorecard", args=[own.pk]))
    assert card.status_code == 200
    text = card.content.decode()
    # Evidence with links to the pages behind it.
    assert reverse("monitoring:finding-detail", args=[world["finding"].pk]) in text
    assert reverse("monitoring:item-detail", args=[world["item"].pk]) in text
    assert reverse("monitoring:system-detail", args=[world["system"].pk]) in text
    assert f"/dashboard/{WUHOU}/?period=2022" in text
    assert "覆盖 3 所学校中的 2 所" in text  # every value says how many schools it covers
    assert county.get(reverse("supervision:scorecard", args=[other.pk])).status_code == 404
    assert county.post(reverse("supervision:round-transition", args=[supervision.pk]),
                       {"action": "score"}).status_code == 403
    # Another prefecture's round: absent.
    mianyang = make_round("5107", publish=True)
    assert _client("prefecture_officer", CHENGDU).get(
        reverse("supervision:round-detail", args=[mianyang.pk])).status_code == 404


def test_round_list_filters_and_creates(world: dict[str, Any]) -> None:
    officer = _client("prefecture_officer", CHENGDU)
    make_round(CHENGDU, period="2021")
    make_round(CHENGDU, score=True)
    page = officer.get(reverse("supervision:round-list"), {"status": "scored"})
    assert page.context["total"] == 1
    response = officer.post(reverse("supervision:round-create"), {
        "region": CHENGDU, "period": "2022", "framework": "default", "title": "", "document_number": "成教督〔2022〕9号",
        "deadline": "2030-01-31"})
    assert response.status_code == 302
    created = officer.get(response["Location"]).content.decode()
    assert "成都市2022年教育信息化与网络安全工作专项督导评估" in created and "成教督〔2022〕9号" in created
    assert officer.get(reverse("supervision:round-list"), {"export": "xlsx"}).status_code == 200


def test_xlsx_holds_the_ranking_and_the_item_scores(world: dict[str, Any]) -> None:
    supervision = make_round(CHENGDU, score=True)
    response = _client("prefecture_officer", CHENGDU).get(
        reverse("supervision:round-export", args=[supervision.pk, "xlsx"]))
    assert "%E7%9D%A3%E5%AF%BC%E8%AF%84%E4%BC%B0%E7%BB%93%E6%9E%9C" in response["Content-Disposition"]  # 督导评估结果
    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert workbook.sheet_names == ["排名", "分项得分"]
    ranking = workbook.get_sheet_by_name("排名").to_python()
    rows = [r for r in ranking[4:] if r and r[1]]
    assert [(r[1], r[2], r[3], r[4], r[5]) for r in rows] == [(JINJIANG, "锦江区", 81.0, "良好", 1.0),
                                                             (WUHOU, "武侯区", 63.54, "合格", 2.0)]
    items = workbook.get_sheet_by_name("分项得分").to_python()
    assert len(items) == 1 + 2 * 13
    c1 = next(r for r in items if r[0] == WUHOU and r[4] == "C1")
    assert (c1[6], c1[7]) == (12.0, 9.0) and "有 1 个未处置的高危及以上监测问题" in c1[10]


def test_the_supervision_notice_docx(world: dict[str, Any]) -> None:
    supervision = make_round("51", score=True, document_number="川教督〔2022〕3号")
    response = _client("province_admin", "51").get(reverse("supervision:round-export", args=[supervision.pk, "docx"]))
    document = Document(io.BytesIO(response.content))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "四川省教育厅" and texts[1] == "川教督〔2022〕3号"
    assert texts[2] == "关于四川省2022年教育信息化与网络安全工作专项督导评估结果的通报"
    prefectures, counties = document.tables
    assert [c.text for c in prefectures.rows[0].cells][:4] == ["排名", "地区", "总分", "等级"]
    assert [[c.text for c in row.cells][:2] for row in counties.rows[1:]] == [["1", "锦江区"], ["2", "武侯区"]]
    body = "\n".join(texts)
    assert "二、存在的主要问题" in body and "三、整改要求" in body
    assert "（一）网站高危安全问题：共发现1个问题，1个地区被扣分。" in body
    assert texts[-2] == "四川省教育厅" and texts[-1].endswith("日")


def test_cli_runs_a_round_and_exports_it(world: dict[str, Any], tmp_path: Any, capsys: Any) -> None:
    call_command("supervision", "run", "--region", CHENGDU, "--period", "2022", "--json")
    data = json.loads(capsys.readouterr().out)
    assert (data["region"], data["period"]) == (CHENGDU, "2022")
    assert [(r["region"], r["score"], r["rank"]) for r in data["regions"]] == [(JINJIANG, 81.0, 1), (WUHOU, 63.54, 2)]
    assert {"item": "C3", "score": 6.0, "points": 8.0} in data["regions"][1]["items"]
    call_command("supervision", "export", str(data["round"]), "--format", "xlsx,docx", "--out", str(tmp_path))
    names = sorted(p.name for p in tmp_path.iterdir())
    assert [n.split("_")[0] for n in names] == ["四川省成都市2022年督导评估结果", "四川省成都市2022年督导通报"]
    assert names[0].endswith(".xlsx") and names[1].endswith(".docx")
