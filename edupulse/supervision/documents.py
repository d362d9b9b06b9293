"""Exports of a round: the XLSX of the ranking and the item scores (xlsxwriter), and the 督导通报 as DOCX
(python-docx) laid out like the monitoring 通报 (``monitoring/documents.py``): the authority in red, the document
number, the title, addressees, the text with the ranking tables, the lagging regions, the problems found with
their counts, the rectification requirements and deadline, the signature and the date.

Both are built from what the user may see (``ranking.py``), so a published round exported by a county officer
holds that county's rows only.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from edupulse.core.actors import Actor
from edupulse.core.regions import PREFECTURE, RegionCode
from edupulse.supervision.framework import Framework, rule_text
from edupulse.supervision.models import SupervisionRound, SupervisionScore
from edupulse.supervision.ranking import (
    RankingRow,
    evidence_text,
    framework_of,
    indicator_names,
    lagging,
    problem_counts,
    ranking,
    region_name,
)
from edupulse.utilities.officialdoc import OfficialDocx

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _cn_date(value: Any) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _cn_ordinal(number: int) -> str:
    names = "一二三四五六七八九十"
    return names[number - 1] if number <= len(names) else str(number)


def authority(supervision: SupervisionRound) -> str:
    """The issuing authority: the province's 教育厅 or the prefecture's 教育局."""
    code = RegionCode.parse(supervision.region_id)
    suffix = _("education department") if code.level == "province" else _("education bureau")
    return f"{region_name(code.code)}{suffix}"


def filename(supervision: SupervisionRound, kind: str, extension: str) -> str:  # kind: "results" | "notice"
    """e.g. 四川省2022年督导评估结果_20261206.xlsx (Chinese, with the region and the date)."""
    with translation.override("zh-hans"):
        label = _("supervision results") if kind == "results" else _("supervision notice")
        name = _("%(region)s %(period)s %(kind)s_%(date)s") % {
            "region": region_name(supervision.region_id), "period": supervision.period, "kind": label,
            "date": timezone.localdate().strftime("%Y%m%d")}
    return f"{name}.{extension}"


def _level_label(level: str) -> str:
    return _("Prefecture") if level == PREFECTURE else _("County")


def ranking_headers(framework: Framework) -> list[str]:
    return [_("Level"), _("Region code"), pgettext("supervision", "Region"), _("Total score"), _("Grade"), _("Rank"),
            _("Regions ranked"),
            *[f"{d.title}（{d.points:g}）" for d in framework.dimensions]]


def ranking_cells(row: RankingRow) -> list[Any]:
    r = row.result
    return [_level_label(r.level), r.region_id, row.name, r.total, row.grade_label, r.rank, r.peers, *row.subtotals]


def build_xlsx(supervision: SupervisionRound, user: Actor) -> bytes:
    with translation.override("zh-hans"):
        framework = framework_of(supervision)
        rows = ranking(supervision, user)
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
        title = workbook.add_format({"bold": True, "font_size": 13})
        head = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                    "valign": "top"})
        plain = workbook.add_format({"border": 1})
        failing = workbook.add_format({"border": 1, "font_color": "#C00000"})
        sheet = workbook.add_worksheet(_("Ranking")[:31])
        sheet.write_string(0, 0, f"{supervision.title}（{supervision.period}）", title)
        sheet.write_string(1, 0, _("Framework: %(title)s, version %(version)s; %(number)s") % {
            "title": framework.title, "version": supervision.framework_version,
            "number": supervision.document_number or "—"})
        _table(sheet, 3, ranking_headers(framework), [ranking_cells(r) for r in rows], head,
               [failing if r.grade == "fail" else plain for r in rows])
        sheet.set_column(0, 1, 10)
        sheet.set_column(2, 2, 16)
        sheet.set_column(3, 7 + len(framework.dimensions), 12)
        sheet.freeze_panes(4, 3)
        _item_sheet(workbook, supervision, framework, rows, user, head, plain)
        workbook.close()
        return buffer.getvalue()


def _table(sheet: Any, first: int, headers: list[str], rows: list[list[Any]], head: Any, formats: list[Any]) -> None:
    for col, text in enumerate(headers):
        sheet.write_string(first, col, text, head)
    for r, (cells, fmt) in enumerate(zip(rows, formats, strict=True), start=first + 1):
        for c, value in enumerate(cells):
            if value is None:
                sheet.write_blank(r, c, None, fmt)
            elif isinstance(value, str):
                sheet.write_string(r, c, value, fmt)
            else:
                sheet.write_number(r, c, value, fmt)


def _item_sheet(workbook: Any, supervision: SupervisionRound, framework: Framework, rows: list[RankingRow],
                user: Actor, head: Any, plain: Any) -> None:
    sheet = workbook.add_worksheet(_("Item scores")[:31])
    names = indicator_names()
    headers = [_("Region code"), pgettext("supervision", "Region"), _("Level"), _("Dimension"), _("Item"),
               _("Item title"), _("Points"),
               _("Score"), _("Rank on the item"), _("Scoring rule"), pgettext("supervision", "Evidence")]
    dimensions = {d.code: d.title for d in framework.dimensions}
    scores = {(s.region_id, s.item): s for s in SupervisionScore.objects.visible_to(user).filter(round=supervision)}
    cells = []
    for row in rows:
        for item in framework.items:
            score = scores.get((row.result.region_id, item.code))
            if score is None:
                continue
            cells.append([row.result.region_id, row.name, _level_label(row.result.level), dimensions[item.dimension],
                          item.code, item.title, item.points, score.score, score.rank,
                          rule_text(item, names.get(item.indicator, "")), evidence_text(item, score.evidence, names)])
    _table(sheet, 0, headers, cells, head, [plain] * len(cells))
    sheet.set_column(0, 2, 10)
    sheet.set_column(3, 5, 16)
    sheet.set_column(6, 8, 8)
    sheet.set_column(9, 10, 60)
    sheet.freeze_panes(1, 2)
    sheet.autofilter(0, 0, max(1, len(cells)), len(headers) - 1)


@dataclass(frozen=True)
class Bulletin:
    """The 督导通报's content, built once for the DOCX (and the tests)."""

    authority: str
    number: str
    title: str
    addressees: str
    opening: str
    tables: list[tuple[str, list[str], list[list[str]]]]  # (caption, headers, rows)
    lagging: str
    problems: list[str]
    requirements: list[str]
    signature: str
    date: str


def bulletin(supervision: SupervisionRound, user: Actor) -> Bulletin:
    framework = framework_of(supervision)
    rows = ranking(supervision, user)
    issuer = authority(supervision)
    province = len(supervision.region_id) == 2
    levels = [(PREFECTURE, _("Prefectures")), ("county", _("Counties"))] if province else [("county", _("Counties"))]
    headers = [_("Rank"), pgettext("supervision", "Region"), _("Total score"), _("Grade"),
               *[d.title for d in framework.dimensions]]
    tables = []
    for level, caption in levels:
        chosen = [r for r in rows if r.result.level == level]
        if chosen:
            tables.append((caption, headers, [[str(r.result.rank or ""), r.name, f"{r.result.total:g}", r.grade_label,
                                               *[f"{s:g}" for s in r.subtotals]] for r in chosen]))
    behind, failing = lagging(rows)
    names = "、".join(r.name for r in behind)
    if not behind:
        lagging_text = _("No region was scored.")
    elif failing:
        lagging_text = _("%(names)s scored below %(mark)s points and did not pass.") % {"names": names, "mark": 60}
    else:
        lagging_text = _("Every region passed; %(names)s ranked last at their level.") % {"names": names}
    problems = [_("(%(n)s) %(title)s: %(count)s found, in %(regions)s regions that lost points.") % {
        "n": _cn_ordinal(n), "title": item.title, "count": count, "regions": regions}
        for n, (item, count, regions) in enumerate(problem_counts(supervision, user), start=1)]
    deadline = _cn_date(supervision.deadline)
    requirements = [
        _("(1) The regions named above are to analyse the causes, draw up a rectification plan and remedy the "
          "problems item by item."),
        _("(2) Open findings, overdue rectification items and unfiled systems are to be handled on the platform, "
          "where their rectification is verified by re-probing."),
        _("(3) Submit the rectification report through the platform before %(deadline)s.") % {"deadline": deadline},
    ]
    opening = _("In accordance with the supervision arrangements, and taking the data of the education "
                "informatization management platform as evidence, %(count)s regions were assessed for %(period)s "
                "against the %(framework)s (%(points)s points). The results are announced as follows.") % {
        "count": len(rows), "period": supervision.period, "framework": f"《{framework.title}》",
        "points": f"{framework.points:g}"}
    published = timezone.localtime(supervision.published_at) if supervision.published_at else timezone.localtime()
    return Bulletin(
        authority=issuer, number=supervision.document_number or _("(document number to be assigned)"),
        title=_("Notice on the results of the %(title)s") % {"title": supervision.title},
        addressees=(_("To the education bureaus of all prefectures:") if province
                    else _("To the education bureaus of all counties:")),
        opening=opening, tables=tables, lagging=lagging_text, problems=problems, requirements=requirements,
        signature=issuer, date=_cn_date(published))


def build_docx(supervision: SupervisionRound, user: Actor) -> bytes:
    with translation.override("zh-hans"):
        doc = bulletin(supervision, user)
        out = OfficialDocx()
        out.heading(doc.authority, doc.number, doc.title, doc.addressees)
        out.body(doc.opening)
        out.section(_("I. Results"))
        for caption, headers, rows in doc.tables:
            out.paragraph(caption, bold=True)
            out.table(headers, rows)
        out.section(_("II. Problems found"))
        out.body(doc.lagging)
        for text in doc.problems:
            out.body(text)
        out.section(_("III. Rectification required"))
        for text in doc.requirements:
            out.body(text)
        out.signature(doc.signature, doc.date)
        return out.bytes()
