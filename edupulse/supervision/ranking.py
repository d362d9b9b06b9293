"""Reading a round for pages and exports: the ranking of the regions the user may see, a region's scorecard
with its evidence (sentences with the numbers, links to the pages behind them), the problems counted and the
lagging regions for the 督导通报."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from edupulse.core.actors import Actor
from edupulse.core.regions import PREFECTURE
from edupulse.indicators.reading import definitions
from edupulse.orgs.models import Region
from edupulse.supervision.framework import (
    DEDUCTING,
    FINDINGS,
    INDICATOR,
    OVERDUE,
    REGISTRY_GAP,
    Dimension,
    Framework,
    Item,
    from_snapshot,
    rule_text,
)
from edupulse.supervision.models import SupervisionResult, SupervisionRound, SupervisionScore

# Grades of a total out of 100 (the colours of the ranking): 优秀 ≥ 90, 良好 ≥ 75, 合格 ≥ 60, else 不合格.
GRADES = ((90.0, "excellent"), (75.0, "good"), (60.0, "pass"), (0.0, "fail"))
PASS_MARK = 60.0
LINKS_SHOWN = 20  # evidence links listed on a scorecard (the count is always complete)


def grade(total: float, points: float = 100.0) -> str:
    """``excellent`` / ``good`` / ``pass`` / ``fail`` of a total (scaled to 100 when the points differ)."""
    share = 100.0 * total / points if points else 0.0
    return next(name for floor, name in GRADES if share >= floor)


def grade_label(name: str) -> str:
    # A context of their own: "Pass" is 通过 elsewhere (a check that passes), 合格 as a grade.
    return {"excellent": pgettext("grade", "Excellent"), "good": pgettext("grade", "Good"),
            "pass": pgettext("grade", "Pass"), "fail": pgettext("grade", "Fail")}[name]


@dataclass(frozen=True)
class RankingRow:
    result: SupervisionResult
    name: str
    subtotals: list[float]  # in the framework's dimension order

    @property
    def grade(self) -> str:
        return grade(self.result.total, self.result.points)

    @property
    def grade_label(self) -> str:
        return grade_label(self.grade)


def framework_of(supervision: SupervisionRound) -> Framework:
    return from_snapshot(supervision.framework)


def ranking(supervision: SupervisionRound, user: Actor, *, order: str = "rank") -> list[RankingRow]:
    """The results the user may see, prefectures before counties, by rank (or ``order="total"`` descending,
    ``"name"``, ``"region"``; a leading ``-`` reverses)."""
    framework = framework_of(supervision)
    results = list(SupervisionResult.objects.visible_to(user).filter(round=supervision).select_related("region"))
    rows = [RankingRow(r, r.region.name, [r.subtotals.get(d.code, {}).get("score", 0.0) for d in framework.dimensions])
            for r in results]
    reverse_order = order.startswith("-")
    key = order.lstrip("-")
    sorters: dict[str, Any] = {
        "rank": lambda row: (row.result.rank or 0, row.result.region_id),
        "total": lambda row: (-row.result.total, row.result.region_id),
        "name": lambda row: row.name,
        "region": lambda row: row.result.region_id,
    }
    rows.sort(key=sorters.get(key, sorters["rank"]), reverse=reverse_order)
    rows.sort(key=lambda row: row.result.level != PREFECTURE)  # stable: levels apart, each in the chosen order
    return rows


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Line:
    """One item of a scorecard."""

    item: Item
    score: float
    rank: int | None
    peers: int | None
    rule: str
    evidence: str
    links: list[Link]
    more: int  # evidence rows not linked one by one


def indicator_names() -> dict[str, str]:
    return {code: d.name for code, d in definitions().items()}


def _number(value: Any) -> str:
    return "—" if value is None else f"{value:g}"


def evidence_text(item: Item, evidence: dict[str, Any], names: dict[str, str]) -> str:
    """The evidence as a Chinese sentence with its numbers (a value always with the schools it covers)."""
    if item.kind == INDICATOR:
        if evidence.get("value") is None:
            return _("No value of %(indicator)s for the period (no approved data).") % {
                "indicator": names.get(item.indicator, item.indicator)}
        return _("%(indicator)s: %(value)s (target %(target)s); %(numerator)s of %(denominator)s; covers "
                 "%(with)s of %(expected)s schools.") % {
            "indicator": names.get(item.indicator, item.indicator), "value": _number(evidence["value"]),
            "target": _number(evidence.get("target")), "numerator": _number(evidence.get("numerator")),
            "denominator": _number(evidence.get("denominator")), "with": evidence.get("schools_with_data", 0),
            "expected": evidence.get("schools_expected", 0)}
    if item.kind in DEDUCTING:
        template = {FINDINGS: _("%(count)s open findings of high severity or above on %(as_of)s."),
                    OVERDUE: _("%(count)s rectification items past their deadline and not verified on %(as_of)s."),
                    REGISTRY_GAP: _("%(count)s information systems at level 2 or above without a filing number "
                                    "on %(as_of)s.")}[item.kind]
        return template % {"count": evidence.get("count", 0), "as_of": evidence.get("as_of", "")}
    if not evidence.get("expected"):
        return _("No schools are expected to report this survey here.")
    return _("%(reported)s of %(expected)s schools reported (%(rate)s%%).") % {
        "reported": evidence.get("reported", 0), "expected": evidence["expected"], "rate": _number(evidence.get("rate"))}


def evidence_links(item: Item, evidence: dict[str, Any], region: str, period: str) -> tuple[list[Link], int]:
    """Links to the pages behind the evidence, and how many rows are counted but not linked one by one."""
    ids = list(evidence.get("ids", []))
    shown, more = ids[:LINKS_SHOWN], max(0, int(evidence.get("count", len(ids))) - LINKS_SHOWN)
    if item.kind == INDICATOR:
        # The dashboard lives in the reports app; a plain path keeps this app independent of it.
        return [Link(_("Dashboard"), f"/dashboard/{region}/?{urlencode({'period': period})}")], 0
    if item.kind == FINDINGS:
        links = [Link(_("Finding %(id)s") % {"id": pk}, reverse("monitoring:finding-detail", args=[pk])) for pk in shown]
        query = urlencode([("region", region), ("status", "open"), ("severity", 3), ("severity", 4)])
        return [*links, Link(_("All open findings of the region"), f"{reverse('monitoring:finding-list')}?{query}")], more
    if item.kind == OVERDUE:
        links = [Link(_("Rectification item %(id)s") % {"id": pk}, reverse("monitoring:item-detail", args=[pk]))
                 for pk in shown]
        return [*links, Link(_("Overdue rectification"), f"{reverse('monitoring:item-list')}?overdue=true")], more
    if item.kind == REGISTRY_GAP:
        links = [Link(_("System %(id)s") % {"id": pk}, reverse("monitoring:system-detail", args=[pk])) for pk in shown]
        return [*links, Link(_("Missing filings"), reverse("monitoring:filings-missing"))], more
    url = reverse("collection:completeness", kwargs={"form": evidence.get("form") or item.form, "period": period})
    return [Link(_("Reporting completeness"), f"{url}?{urlencode({'region': region})}")], 0


def scorecard(result: SupervisionResult, user: Actor) -> list[tuple[Dimension, list[Line], float]]:
    """The region's items by dimension, each with its rule, evidence and links, and the dimension subtotal."""
    supervision = result.round
    framework = framework_of(supervision)
    scores = {s.item: s for s in SupervisionScore.objects.visible_to(user).filter(round=supervision,
                                                                                  region_id=result.region_id)}
    names = indicator_names()
    card = []
    for dimension in framework.dimensions:
        lines = []
        for item in dimension.items:
            row = scores.get(item.code)
            evidence = row.evidence if row else {}
            links, more = evidence_links(item, evidence, result.region_id, supervision.period)
            lines.append(Line(item, row.score if row else 0.0, row.rank if row else None, row.peers if row else None,
                              rule_text(item, names.get(item.indicator, "")), evidence_text(item, evidence, names),
                              links, more))
        card.append((dimension, lines, round(sum(line.score for line in lines), 2)))
    return card


def problem_counts(supervision: SupervisionRound, user: Actor) -> list[tuple[Item, int, int]]:
    """Per deducting item: the problems counted over the round's top scored level (prefectures of a province,
    counties of a prefecture) and how many of those regions lost points on it."""
    framework = framework_of(supervision)
    top = PREFECTURE if len(supervision.region_id) == 2 else "county"
    rows = (SupervisionScore.objects.visible_to(user).filter(round=supervision, level=top)
            .values_list("item", "evidence", "score", "points"))
    counts: dict[str, list[int]] = {}
    for code, evidence, score, points in rows:
        entry = counts.setdefault(code, [0, 0])
        entry[0] += int(evidence.get("count", 0))
        entry[1] += 1 if score < points else 0
    return [(item, *counts.get(item.code, [0, 0])) for item in framework.items if item.kind in DEDUCTING]  # type: ignore[misc]


def lagging(rows: list[RankingRow]) -> tuple[list[RankingRow], bool]:
    """The regions below the pass mark; when none is, the last three of each level (and False)."""
    failing = [row for row in rows if row.result.total < PASS_MARK * row.result.points / 100.0]
    if failing:
        return failing, True
    last: list[RankingRow] = []
    for level in (PREFECTURE, "county"):
        peers = [row for row in rows if row.result.level == level]
        last.extend(sorted(peers, key=lambda row: (row.result.rank or 0, row.result.region_id))[-3:])
    return last, False


def region_name(code: str) -> str:
    region = Region.objects.filter(code=code).first()
    return region.full_name() if region else code
