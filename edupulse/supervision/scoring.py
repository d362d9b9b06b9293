"""Scoring a round: every scored region × every framework item, from the platform's data, in bulk.

Each kind of item costs one or two queries for all regions together (the indicator values of all regions;
the open findings, overdue rectification items and unfiled systems under the supervising region, grouped by
prefecture and county in Python; the collection completeness per level), never one per region × item.
Reads go through ``visible_to(user)``: the acting user's (or the system's) view of the data.

Monitoring facts (findings, rectification, filings) are the state on the day of scoring (``today``); the
evidence keeps that date. Indicator values and reporting are those of the round's period.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError

from edupulse.collection.completeness import completeness
from edupulse.collection.registry import current_version, spec_for
from edupulse.core.actors import Actor
from edupulse.core.regions import COUNTY, PREFECTURE, RegionCode
from edupulse.indicators.models import IndicatorValue
from edupulse.indicators.values import APPROVED
from edupulse.monitoring.models import Finding, InformationSystem, NoticeItem
from edupulse.monitoring.models.notices import ItemStatus, NoticeStatus
from edupulse.monitoring.models.results import FindingStatus
from edupulse.orgs.models import Region, School
from edupulse.supervision.framework import (
    FINDINGS,
    INDICATOR,
    OVERDUE,
    REGISTRY_GAP,
    REPORTING,
    Framework,
    Item,
)

EVIDENCE_IDS = 200  # ids kept per evidence list (the count is always the full number)


@dataclass
class RegionScores:
    """What one scored region got: item code → (score, evidence), then its total, rank and subtotals."""

    region: str
    name: str
    level: str
    items: dict[str, tuple[float, dict[str, Any]]] = field(default_factory=dict)
    rank: int | None = None
    peers: int | None = None
    item_ranks: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return round(sum(score for score, _evidence in self.items.values()), 2)

    def subtotals(self, framework: Framework) -> dict[str, dict[str, float]]:
        return {d.code: {"score": round(sum(self.items[i.code][0] for i in d.items), 2), "points": d.points}
                for d in framework.dimensions}


def scored_regions(supervisor: RegionCode) -> list[tuple[str, str, str]]:
    """(code, name, level) of the regions a round of ``supervisor`` scores: a province's prefectures and
    counties, a prefecture's counties — those with active schools (placeholder codes such as 市辖区 have none)."""
    counties = set(School.objects.filter(is_active=True, **supervisor.lookup()).values_list("county_id", flat=True)
                   .distinct())
    wanted = set(counties)
    if supervisor.level == "province":
        wanted |= {RegionCode.parse(c).at(PREFECTURE).code for c in counties}
    rows = Region.objects.filter(code__in=wanted).order_by("code").values_list("code", "name", "level")
    return [(code, name, level) for code, name, level in rows]


def indicator_score(item: Item, value: float | None) -> float:
    """Full points at the target; below it proportional (or by bands); 0 without a value."""
    if value is None or item.target is None:
        return 0.0
    attained = value >= item.target if item.direction == "higher" else value <= item.target
    if attained:
        return item.points
    if item.bands:
        share = next((b.share for b in item.bands if value >= b.at_least), 0.0)
        return round(item.points * share, 2)
    ratio = value / item.target if item.direction == "higher" else (item.target / value if value else 0.0)
    return round(item.points * max(0.0, min(1.0, ratio)), 2)


def deduction_score(item: Item, count: int) -> float:
    return round(max(0.0, item.points - item.deduct * count), 2)


def reporting_score(item: Item, rate: float | None) -> float:
    if rate is None or item.target is None:
        return 0.0
    return round(item.points * max(0.0, min(1.0, rate / item.target)), 2)


def _group(rows: Iterable[tuple[Any, str | None, str | None]]) -> dict[str, list[Any]]:
    """Ids grouped under their prefecture and their county (a bureau's row of a prefecture: the prefecture only)."""
    grouped: dict[str, list[Any]] = defaultdict(list)
    for pk, prefecture, county in rows:
        if prefecture:
            grouped[prefecture].append(pk)
        if county:
            grouped[county].append(pk)
    return grouped


def _counted(ids: list[Any], as_of: date) -> dict[str, Any]:
    return {"count": len(ids), "ids": sorted(ids)[:EVIDENCE_IDS], "as_of": as_of.isoformat()}


class Scorer:
    """Scores one framework for the regions under ``supervisor`` in ``period``, as ``user`` sees the data."""

    def __init__(self, framework: Framework, supervisor: RegionCode, period: str, user: Actor, today: date):
        self.framework, self.supervisor, self.period, self.user, self.today = (
            framework, supervisor, period, user, today)
        self.regions = {code: RegionScores(code, name, level) for code, name, level in scored_regions(supervisor)}

    def run(self) -> list[RegionScores]:
        by_kind: dict[str, list[Item]] = defaultdict(list)
        for item in self.framework.items:
            by_kind[item.kind].append(item)
        if by_kind[INDICATOR]:
            self._indicators(by_kind[INDICATOR])
        for kind, counter in ((FINDINGS, self._findings), (OVERDUE, self._overdue), (REGISTRY_GAP, self._gaps)):
            for item in by_kind[kind]:
                grouped = counter(item)
                for code, scores in self.regions.items():
                    ids = grouped.get(code, [])
                    scores.items[item.code] = (deduction_score(item, len(ids)), _counted(ids, self.today))
        for item in by_kind[REPORTING]:
            self._reporting(item)
        self._rank()
        return sorted(self.regions.values(), key=lambda r: (r.level != PREFECTURE, r.rank or 0, r.region))

    # -- one bulk read per kind ----------------------------------------------------------------------------
    def _indicators(self, items: list[Item]) -> None:
        rows = (IndicatorValue.objects.visible_to(self.user)
                .filter(basis=APPROVED, period=self.period, indicator__in={i.indicator for i in items},
                        region_id__in=list(self.regions))
                .values("indicator", "region_id", "value", "numerator", "denominator", "schools_with_data",
                        "schools_expected"))
        stored = {(row["indicator"], row["region_id"]): row for row in rows}
        for item in items:
            for code, scores in self.regions.items():
                row = stored.get((item.indicator, code))
                value = row["value"] if row else None
                evidence = {"indicator": item.indicator, "value": value, "target": item.target,
                            "numerator": row["numerator"] if row else None,
                            "denominator": row["denominator"] if row else None,
                            "schools_with_data": row["schools_with_data"] if row else 0,
                            "schools_expected": row["schools_expected"] if row else 0}
                scores.items[item.code] = (indicator_score(item, value), evidence)

    def _findings(self, item: Item) -> dict[str, list[Any]]:
        rows = (Finding.objects.visible_to(self.user)
                .filter(status=FindingStatus.OPEN, severity__gte=item.min_severity, **self.supervisor.lookup("code"))
                .values_list("pk", "prefecture_code", "county_code"))
        return _group(rows)

    def _overdue(self, item: Item) -> dict[str, list[Any]]:
        rows = (NoticeItem.objects.visible_to(self.user)
                .filter(notice__status__in=[NoticeStatus.ISSUED, NoticeStatus.CLOSED],
                        notice__deadline__lt=self.today, **self.supervisor.lookup())
                .exclude(status=ItemStatus.VERIFIED)
                .values_list("pk", "prefecture_id", "county_id"))
        return _group(rows)

    def _gaps(self, item: Item) -> dict[str, list[Any]]:
        rows = (InformationSystem.objects.visible_to(self.user)
                .filter(level__gte=2, filing_number="", **self.supervisor.lookup())
                .values_list("pk", "prefecture_id", "county_id"))
        return _group(rows)

    def _reporting(self, item: Item) -> None:
        try:
            spec = spec_for(current_version(item.form))
        except ValidationError:
            spec = None  # the form is not loaded: no reporting data, every region gets 0
        rows: dict[str, Any] = {}
        if spec is not None:
            levels = {scores.level for scores in self.regions.values()}
            for level in (PREFECTURE, COUNTY):
                if level in levels:
                    found, _total = completeness(spec, self.period, self.user, level=level,
                                                 region=self.supervisor.code)
                    rows.update({row.region_code: row for row in found})
        for code, scores in self.regions.items():
            row = rows.get(code)
            rate = row.reporting_rate if row else None
            evidence = {"form": item.form, "expected": row.expected if row else 0,
                        "reported": row.reported if row else 0, "rate": rate, "target": item.target}
            scores.items[item.code] = (reporting_score(item, rate), evidence)

    # -- ranks ---------------------------------------------------------------------------------------------
    def _rank(self) -> None:
        """Competition ranking (1, 1, 3) among the regions of the same level, overall and item by item."""
        by_level: dict[str, list[RegionScores]] = defaultdict(list)
        for scores in self.regions.values():
            by_level[scores.level].append(scores)
        for peers in by_level.values():
            for scores, rank in _ranks(peers, lambda s: s.total):
                scores.rank, scores.peers = rank, len(peers)
            for item in self.framework.items:
                for scores, rank in _ranks(peers, lambda s, code=item.code: s.items[code][0]):
                    scores.item_ranks[item.code] = rank


def _ranks(peers: list[RegionScores], key: Any) -> list[tuple[RegionScores, int]]:
    ordered = sorted(peers, key=lambda s: (-key(s), s.region))
    result, previous, rank = [], None, 0
    for position, scores in enumerate(ordered, start=1):
        value = key(scores)
        if value != previous:
            rank, previous = position, value
        result.append((scores, rank))
    return result
