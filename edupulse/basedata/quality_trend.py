"""The quality trend across batches: the stored scores (``QualityScore``) of one group — the province, a
prefecture, a county or a school, or every batch as a whole — batch after batch in import order, each with
its change from the previous batch.

A cheap read: the scores were computed when each batch was imported (``quality.quality_report``), so a trend
over twenty batches of millions of rows reads a few rows of one indexed table. Scope is ``visible_to`` (the one
place it is enforced): scores are placed where their group is, so an officer reads their own region and what
lies below it, a school's CIO their own school, and a group outside that is answered like one that does not
exist (``None`` here, 404 on the page).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from edupulse.basedata.models import QualityLevel, QualityScore, SourceSystem
from edupulse.core.actors import Actor
from edupulse.core.regions import RegionCode
from edupulse.core.scoping import scope_of
from edupulse.orgs.models import Region, School

DIMENSIONS = ("completeness", "validity", "uniqueness", "consistency")
# The groups one level down, whose latest scores a group's page lists (a school has none).
CHILD_LEVEL = {QualityLevel.BATCH: QualityLevel.PROVINCE, QualityLevel.PROVINCE: QualityLevel.PREFECTURE,
               QualityLevel.PREFECTURE: QualityLevel.COUNTY, QualityLevel.COUNTY: QualityLevel.SCHOOL}


@dataclass(frozen=True)
class Group:
    """What a trend is about: ``level`` (a ``QualityLevel``), its ``key`` (region or school code; "" for
    every batch as a whole) and its name."""

    level: str
    key: str
    name: str

    @property
    def is_region(self) -> bool:
        return self.level in (QualityLevel.PROVINCE, QualityLevel.PREFECTURE, QualityLevel.COUNTY)


@dataclass(frozen=True)
class TrendPoint:
    """One batch's score of the group, and its change in points from the previous batch (None: the first)."""

    batch: int
    imported_at: datetime.datetime
    source: str
    rows: int
    schools: int
    completeness: float
    validity: float
    uniqueness: float
    consistency: float
    score: float
    change: float | None

    def as_dict(self) -> dict[str, Any]:
        return {"batch": self.batch, "imported_at": self.imported_at.isoformat(), "source": self.source,
                "rows": self.rows, "schools": self.schools, "completeness": self.completeness,
                "validity": self.validity, "uniqueness": self.uniqueness, "consistency": self.consistency,
                "score": self.score, "change": self.change}

    @property
    def source_label(self) -> str:
        return str(SourceSystem(self.source).label) if self.source in SourceSystem.values else self.source


@dataclass(frozen=True)
class ChildRow:
    """A group one level down with its latest point (and that point's change)."""

    group: Group
    latest: TrendPoint


# ── Which group ───────────────────────────────────────────────────────────────────────────────────────────
def everything() -> Group:
    return Group(QualityLevel.BATCH, "", _("All batches"))


def region_group(user: Actor | Any, code: str) -> Group | None:
    """The region ``code`` when its scores lie in the user's scope (their own region or one below), else None."""
    parsed = RegionCode.parse_or_none(code)
    if parsed is None:
        return None
    probe = QualityScore(level=parsed.level, key=parsed.code, **QualityScore.placement_fields(parsed))
    if not QualityScore.scope_spec.contains(scope_of(user), probe):
        return None
    name = Region.objects.filter(code=parsed.code).values_list("name", flat=True).first()
    return None if name is None else Group(parsed.level, parsed.code, name)


def school_group(user: Actor | Any, code: str) -> Group | None:
    """The school ``code`` when the user sees it (``School.objects.visible_to``), else None."""
    school = School.objects.visible_to(user).filter(code=code).values_list("name", flat=True).first()
    return None if school is None else Group(QualityLevel.SCHOOL, code, school)


def default_group(user: Actor | Any) -> Group | None:
    """The user's own area: their region, their school, or every batch for a nation-wide user."""
    scope = scope_of(user)
    if scope.level == "nation":
        return everything()
    if scope.region is not None:
        return region_group(user, scope.region.code)
    if scope.level == "school" and scope.school_id is not None:
        code = School.objects.filter(pk=scope.school_id).values_list("code", flat=True).first()
        return school_group(user, code) if code else None
    return None


# ── Reading ───────────────────────────────────────────────────────────────────────────────────────────────
def _scores(user: Actor | Any, kind: str, source: str | None) -> Any:
    scores = QualityScore.objects.visible_to(user).filter(kind=kind)
    return scores.filter(source=source) if source else scores


def _points(rows: list[dict[str, Any]]) -> list[TrendPoint]:
    points: list[TrendPoint] = []
    for row in rows:
        previous = points[-1].score if points else None
        change = None if previous is None else round(row["score"] - previous, 2)
        points.append(TrendPoint(row["batch_id"], row["batch__created_at"], row["source"], row["rows"],
                                 row["schools"], row["completeness"], row["validity"], row["uniqueness"],
                                 row["consistency"], row["score"], change))
    return points


_FIELDS = ("key", "batch_id", "batch__created_at", "source", "rows", "schools", *DIMENSIONS, "score")


def trend(user: Actor | Any, kind: str, group: Group, source: str | None = None) -> list[TrendPoint]:
    """The group's scores of successive batches of ``kind`` (of ``source`` only, if given) in import order,
    each with its change from the previous one; only scores the user may see."""
    rows = (_scores(user, kind, source).filter(level=group.level, key=group.key)
            .order_by("batch__created_at", "batch_id").values(*_FIELDS))
    return _points(list(rows))


def child_level_label(group: Group) -> str:
    """The name of the level below the group's (县（区）…); "" for a school."""
    level = CHILD_LEVEL.get(QualityLevel(group.level))
    return str(level.label) if level is not None else ""


def children(user: Actor | Any, kind: str, group: Group, source: str | None = None) -> list[ChildRow]:
    """The groups one level below ``group`` with their latest score and its change, worst first."""
    level = CHILD_LEVEL.get(QualityLevel(group.level))
    if level is None:
        return []
    scores = _scores(user, kind, source).filter(level=level)
    if group.is_region:
        scores = scores.filter(**RegionCode.parse(group.key).lookup(columns="code"))
    by_key: dict[str, list[dict[str, Any]]] = {}
    for row in scores.order_by("batch__created_at", "batch_id").values(*_FIELDS):
        by_key.setdefault(row["key"], []).append(row)
    names = _names(level, list(by_key))
    rows = [ChildRow(Group(level, key, names.get(key, key)), _points(points[-2:])[-1]) for key, points in by_key.items()]
    return sorted(rows, key=lambda r: (r.latest.score, r.group.key))


def _names(level: str, keys: list[str]) -> dict[str, str]:
    model = School if level == QualityLevel.SCHOOL else Region
    return dict(model.objects.filter(code__in=keys).values_list("code", "name"))  # type: ignore[attr-defined]


def lineage(user: Actor | Any, group: Group) -> list[Group]:
    """The regions above the group down to it (a school: its county's chain) that the user may open."""
    if group.level == QualityLevel.SCHOOL:
        county = School.objects.filter(code=group.key).values_list("county_id", flat=True).first()
        codes = RegionCode.parse(county).lineage() if county else []
    elif group.is_region:
        codes = RegionCode.parse(group.key).lineage()[:-1]
    else:
        codes = []
    found = [region_group(user, code) for code in codes]
    return [g for g in found if g is not None]


# ── The table (page, export) ──────────────────────────────────────────────────────────────────────────────
def table_headers(group: Group) -> list[str]:
    """The columns of the trend table; the schools column only where a group holds several schools."""
    headers = [_("Batch"), _("Imported at"), _("Source system"), pgettext("quality", "Rows")]
    if group.level != QualityLevel.SCHOOL:
        headers.append(pgettext("quality", "Schools"))
    headers += [pgettext("quality", "Completeness (%)"), pgettext("quality", "Validity (%)"),
                pgettext("quality", "Uniqueness (%)"), pgettext("quality", "Consistency (%)"),
                pgettext("quality", "Score"), pgettext("quality", "Change")]
    return headers


def percent(ratio: float) -> float:
    return round(ratio * 100, 2)


def table_rows(group: Group, points: list[TrendPoint]) -> list[list[Any]]:
    """The same figures as the page's table: ratios as percentages, the change in points."""
    rows = []
    for p in points:
        row: list[Any] = [p.batch, p.imported_at, p.source_label, p.rows]
        if group.level != QualityLevel.SCHOOL:
            row.append(p.schools)
        row += [percent(getattr(p, d)) for d in DIMENSIONS]
        row += [p.score, "" if p.change is None else p.change]
        rows.append(row)
    return rows


def chart_data(points: list[TrendPoint]) -> dict[str, Any]:
    """The figures of the line chart (labels in Chinese, no code): one series for the score, one per dimension."""
    labels = {"score": pgettext("quality", "Score"), "completeness": pgettext("quality", "Completeness"),
              "validity": pgettext("quality", "Validity"), "uniqueness": pgettext("quality", "Uniqueness"),
              "consistency": pgettext("quality", "Consistency")}
    return {
        "batches": [_("Batch %(id)d, %(date)s") % {"id": p.batch, "date": timezone.localdate(p.imported_at).isoformat()}
                    for p in points],
        "rows": [p.rows for p in points],
        "series": [{"name": labels["score"], "data": [p.score for p in points]}]
        + [{"name": labels[d], "data": [percent(getattr(p, d)) for p in points]} for d in DIMENSIONS],
        "rows_label": pgettext("quality", "Rows"),
    }
