"""The numbers of the annual development report, gathered once into frozen dataclasses.

Every figure comes from the indicator store (``indicators.reading``), the collection's completeness and the
monitoring registry, read as ``user`` (``core.actors.SYSTEM`` for the CLI): a county officer's report holds
nothing from outside the county. The renderers (HTML, PDF, DOCX) and the narrative only read these objects, so
the three formats say the same thing.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from edupulse.collection.completeness import completeness
from edupulse.collection.registry import current_version, spec_for
from edupulse.core.actors import Actor
from edupulse.core.regions import RegionCode, RegionCodeError
from edupulse.indicators import reading
from edupulse.indicators.definitions import THEMES, Definition
from edupulse.indicators.values import APPROVED, Value
from edupulse.monitoring import dashboard
from edupulse.monitoring.models import Notice, NoticeItem
from edupulse.monitoring.models.notices import OPEN_ITEM_STATUSES, ItemStatus, NoticeStatus
from edupulse.orgs.models import Region

ANNUAL_FORM = "edu_informatization_annual"  # the survey whose completeness the report states


class NoDataError(LookupError):
    """The region is unknown (or outside the user's scope), or it has no indicator values for the year."""


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator of the region: this year's value, last year's, and the change."""

    code: str
    name: str
    unit: str
    theme: str
    units_label: str  # what the coverage counts: 所学校 for survey indicators, 个单位 for monitored ones
    target: float | None
    comparator: str
    target_source: str
    current: Value | None
    previous: Value | None

    @property
    def value(self) -> float | None:
        return self.current.value if self.current is not None else None

    @property
    def attained(self) -> bool | None:
        return self.current.attained if self.current is not None else None

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None or self.previous.value is None:
            return None
        return round(self.value - self.previous.value, 1)


@dataclass(frozen=True)
class ChildRanking:
    """The children (prefectures of a province, counties of a prefecture) on one indicator, best first;
    children without a value come last."""

    code: str  # indicator
    values: tuple[Value, ...]


@dataclass(frozen=True)
class Theme:
    code: str
    title: str  # 基础设施 …
    number: str  # 二 …
    rows: tuple[IndicatorRow, ...]
    rankings: tuple[ChildRanking, ...]


@dataclass(frozen=True)
class Reporting:
    """Completeness of the annual survey: expected, reported and on-time schools, total and per child."""

    expected: int
    reported: int
    on_time: int
    children: tuple[tuple[str, str, int, int, int], ...]  # (code, name, expected, reported, on time)

    @property
    def reporting_rate(self) -> float | None:
        return round(100 * self.reported / self.expected, 1) if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.on_time / self.expected, 1) if self.expected else None


@dataclass(frozen=True)
class Security:
    """Monitoring figures of the region as of the report date (the registry holds current state)."""

    websites: int
    probed: int
    open_findings: int
    severities: tuple[tuple[str, int], ...]  # (label, open findings), most severe first
    notices_issued: int  # notices issued up to the report date
    notices_in_year: int  # of which in the report year
    items: tuple[tuple[str, int], ...]  # (status label, rectification items of the issued notices)
    overdue: int  # open items of issued notices past their deadline


@dataclass(frozen=True)
class AnnualReport:
    region: str
    region_name: str
    level: str
    year: str
    previous_year: str
    child_level_name: str  # 市（州） / 县（市、区） / ""
    issuer: str
    date: dt.date
    reporting: Reporting
    themes: tuple[Theme, ...]
    security: Security
    children: tuple[tuple[str, str], ...]  # (code, name) of the children with values

    @property
    def heading(self) -> str:
        """四川省教育信息化年度发展报告 (the cover prints the year on the line below)."""
        return _("%(region)s Education Informatization Annual Development Report") % {"region": self.region_name}

    @property
    def year_label(self) -> str:
        return _("(%(year)s)") % {"year": self.year}

    @property
    def title(self) -> str:
        return self.heading + self.year_label

    @property
    def rows(self) -> tuple[IndicatorRow, ...]:
        return tuple(row for theme in self.themes for row in theme.rows)


THEME_TITLES = {
    "infrastructure": gettext_noop("Infrastructure"),
    "application": gettext_noop("Resources and application"),
    "teachers": gettext_noop("Teachers' information literacy"),
    "governance": gettext_noop("Data and governance"),
    "security": gettext_noop("Cybersecurity"),
}
NUMERALS = "一二三四五六七八九十"


def theme_title(code: str) -> str:
    return _(THEME_TITLES.get(code, code))


def _row(definition: Definition, current: Value | None, previous: Value | None) -> IndicatorRow:
    target = definition.target
    return IndicatorRow(
        code=definition.code, name=definition.name, unit=definition.unit, theme=definition.theme,
        units_label=_("schools (after a count)") if definition.source.startswith("collection.") else _("units (after a count)"),
        target=target.value if target is not None else None, comparator=target.comparator if target else "",
        target_source=target.source if target is not None else "", current=current, previous=previous)


def _rank_key(definition: Definition, value: Value) -> tuple[int, float, str]:
    if value.value is None:
        return (1, 0.0, value.region)
    return (0, -value.value if definition.direction == "higher" else value.value, value.region)


def _rankings(defs: list[Definition], children: list[Value]) -> tuple[ChildRanking, ...]:
    by_indicator: dict[str, list[Value]] = {}
    for value in children:
        by_indicator.setdefault(value.indicator, []).append(value)
    return tuple(ChildRanking(d.code, tuple(sorted(by_indicator.get(d.code, []), key=functools.partial(_rank_key, d))))
                 for d in defs)


def _reporting(user: Actor, region: RegionCode, year: str) -> Reporting:
    spec = spec_for(current_version(ANNUAL_FORM))
    child_level = region.child_level or region.level
    rows, total = completeness(spec, year, user, level=child_level, region=region.code)
    return Reporting(total.expected, total.reported, total.on_time,
                     tuple((r.region_code, r.region_name, r.expected, r.reported, r.on_time) for r in rows))


def _security(user: Actor, region: RegionCode, year: str, today: dt.date) -> Security:
    summary = dashboard.summary(user, region.code, today)
    notices = Notice.objects.visible_to(user).filter(status__in=[NoticeStatus.ISSUED, NoticeStatus.CLOSED],
                                                       **region.lookup("code"))
    items = NoticeItem.objects.visible_to(user).filter(notice__in=notices.values("pk"))
    by_status = dict(items.values_list("status").annotate(n=Count("pk")).order_by())
    overdue = items.filter(Q(status__in=OPEN_ITEM_STATUSES, notice__deadline__lt=today)
                           | Q(status=ItemStatus.ESCALATED)).count()
    return Security(
        websites=summary["sites"], probed=summary["probed"], open_findings=summary["open_findings"],
        severities=tuple((s["label"], s["total"]) for s in summary["severities"]),
        notices_issued=notices.count(),
        notices_in_year=notices.filter(issued_at__year=int(year)).count() if year.isdigit() else 0,
        items=tuple((str(status.label), by_status.get(status.value, 0)) for status in ItemStatus),
        overdue=overdue)


def _child_level_name(region: RegionCode) -> str:
    return {"prefecture": _("prefectures"), "county": _("counties")}.get(region.child_level or "", "")


def _issuer(region: Region, code: RegionCode) -> str:
    """四川省教育厅 for a province, 成都市教育局 below it."""
    authority = _("department of education") if code.level == "province" else _("education bureau")
    return region.full_name() + authority


def gather(user: Actor, region_code: str, year: str, *, basis: str = APPROVED,
           today: dt.date | None = None) -> AnnualReport:
    """Everything the report states for ``region_code`` and ``year``; :class:`NoDataError` when the region is
    unknown or not visible to ``user``, or has no values for the year."""
    try:
        code = RegionCode.parse(region_code)
    except RegionCodeError:
        raise NoDataError(_("Unknown region %(code)s.") % {"code": region_code}) from None
    region = Region.objects.visible_to(user).filter(code=code.code).first()
    if region is None:
        raise NoDataError(_("Unknown region %(code)s.") % {"code": region_code})
    current = reading.region_values(user, year, code.code, basis)
    if not current:
        known = "、".join(reading.periods(user, basis)) or "-"
        raise NoDataError(_("%(region)s has no indicator values for %(year)s (years with data: %(known)s).") % {
            "region": region.name, "year": year, "known": known})
    previous_year = str(int(year) - 1) if year.isdigit() else ""
    previous = reading.region_values(user, previous_year, code.code, basis) if previous_year else {}
    children = reading.child_values(user, year, code.code, basis)
    defs = reading.definitions()
    themes: list[Theme] = []
    for theme_code in THEMES:
        theme_defs = [d for d in defs.values() if d.theme == theme_code]
        themes.append(Theme(
            code=theme_code, title=theme_title(theme_code), number=NUMERALS[len(themes) + 1],
            rows=tuple(_row(d, current.get(d.code), previous.get(d.code)) for d in theme_defs),
            rankings=_rankings(theme_defs, children)))
    today = today or timezone.localdate()
    names = sorted({(v.region, v.name) for v in children})
    return AnnualReport(
        region=code.code, region_name=region.name, level=code.level, year=year, previous_year=previous_year,
        child_level_name=_child_level_name(code), issuer=_issuer(region, code),
        date=today, reporting=_reporting(user, code, year), themes=tuple(themes),
        security=_security(user, code, year, today), children=tuple(names))
