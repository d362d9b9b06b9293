"""Statistical products: summary tables (region × school category with totals), indicators and queries.

Everything is computed from approved submissions (any review level by default) and every figure comes
with the number of schools it covers. Field totals are added up in Python over one query of the values (a
province's 25,000 submissions take well under a second); the indicator columns come from the indicator
library (``edupulse.indicators``), the one definition of each indicator, computed in the same groups.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import xlsxwriter
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from edupulse.collection.definitions import FieldSpec, FormSpec
from edupulse.collection.indicator_sources import source_code
from edupulse.collection.models import Submission
from edupulse.collection.models.submission import APPROVED, REPORTED, SubmissionStatus
from edupulse.collection.registry import current_version, spec_for
from edupulse.core.actors import Actor
from edupulse.core.regions import LEVELS, RegionCode, level_field
from edupulse.indicators import computing
from edupulse.indicators.definitions import Definition, effective
from edupulse.orgs.codes import SchoolCategory
from edupulse.orgs.models import Region, School
from edupulse.utilities.export import to_xlsx

LEVEL_FIELD = {level: level_field(level, via="school") for level in LEVELS}
STATUS_SETS = {
    "approved": APPROVED,
    "province_approved": frozenset({SubmissionStatus.PROVINCE_APPROVED}),
    "reported": REPORTED,
}


@dataclass
class Cell:
    """Running totals of one group: schools, per-field sums and counts."""

    schools: int = 0
    sums: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    trues: dict[str, int] = field(default_factory=dict)

    def add(self, values: dict[str, Any], spec: FormSpec) -> None:
        self.schools += 1
        for f in spec.fields:
            value = values.get(f.code)
            if value is None or f.type in {"text", "date", "choice"}:
                continue
            self.counts[f.code] = self.counts.get(f.code, 0) + 1
            if f.type == "boolean":
                self.trues[f.code] = self.trues.get(f.code, 0) + (1 if value else 0)
            else:
                self.sums[f.code] = self.sums.get(f.code, 0.0) + float(value)

    def merge(self, other: Cell) -> None:
        self.schools += other.schools
        for target, source in ((self.sums, other.sums), (self.counts, other.counts), (self.trues, other.trues)):
            for key, value in source.items():
                target[key] = target.get(key, 0) + value  # type: ignore[assignment]

    def value(self, f: FieldSpec) -> float | int | None:
        if f.type == "boolean":
            return self.trues.get(f.code, 0)
        total = self.sums.get(f.code)
        if total is None:
            return None
        if f.type == "percent":  # an average, not a sum
            return round(total / max(self.counts.get(f.code, 1), 1), 1)
        return int(total) if f.type == "integer" else round(total, 2)


@dataclass
class Summary:
    spec: FormSpec
    period: str
    level: str
    regions: list[tuple[str, str]]  # (code, name)
    categories: list[str]
    cells: dict[tuple[str, str], Cell]
    region_totals: dict[str, Cell]
    total: Cell
    indicators: list[Definition] = field(default_factory=list)
    # (region code, category) → indicator code → value; ("", "") is the grand total, (code, "") a subtotal.
    indicator_values: dict[tuple[str, str], dict[str, float | None]] = field(default_factory=dict)

    def columns(self) -> list[FieldSpec]:
        return [f for f in self.spec.fields if f.type in {"integer", "decimal", "percent", "boolean"}]


def submissions_for(user: Actor, form_code: str, period: str | Sequence[str],
                    statuses: Iterable[str] = APPROVED) -> QuerySet[Submission]:
    queryset = Submission.objects.visible_to(user)
    periods = [period] if isinstance(period, str) else list(period)
    return queryset.filter(form__code=form_code, period__in=periods, status__in=list(statuses))


def summarise(spec: FormSpec, period: str, level: str, *, user: Actor, region: str = "",
              status: str = "approved") -> Summary:
    """Region (at ``level``) × school category table of the approved data the user may see."""
    if level not in LEVEL_FIELD:
        raise ValueError(level)
    queryset = submissions_for(user, spec.code, period, STATUS_SETS[status])
    if region:
        queryset = queryset.filter(**RegionCode.parse(region).lookup(via="school"))
    cells: dict[tuple[str, str], Cell] = {}
    rows = queryset.values_list(LEVEL_FIELD[level], "school__category", "values").iterator(chunk_size=5000)
    for region_code, category, values in rows:
        cell = cells.get((region_code, category))
        if cell is None:
            cell = cells[(region_code, category)] = Cell()
        cell.add(values, spec)
    region_codes = sorted({r for r, _c in cells})
    names = dict(Region.objects.filter(code__in=region_codes).values_list("code", "name"))
    categories = sorted({c for _r, c in cells})
    region_totals: dict[str, Cell] = {}
    total = Cell()
    for (region_code, _category), cell in cells.items():
        region_totals.setdefault(region_code, Cell()).merge(cell)
        total.merge(cell)
    definitions, indicator_values = _indicator_values(spec, period, level, user=user, region=region, status=status)
    return Summary(spec, period, level, [(c, names.get(c, c)) for c in region_codes], categories, cells,
                   region_totals, total, definitions, indicator_values)


def _indicator_values(spec: FormSpec, period: str, level: str, *, user: Actor, region: str,
                      status: str) -> tuple[list[Definition], dict[tuple[str, str], dict[str, float | None]]]:
    """The library's indicators over this form, in the summary's groups (region × category, region, total)."""
    definitions = [d for d in effective().values() if d.source == source_code(spec.code)]
    if not definitions:
        return [], {}
    schools = School.objects.visible_to(user)
    if region:
        schools = schools.filter(**RegionCode.parse(region).lookup())
    result = computing.compute(definitions, [period], status, universe=computing.Universe(schools, bureaus=False),
                               summary_level=level)
    by_code = {d.code: d for d in definitions}
    values: dict[tuple[str, str], dict[str, float | None]] = {}
    for (code, _period, group), sums in result.sums.items():
        key = ("", "") if group.level == "total" else (group.code, group.category)
        values.setdefault(key, {})[code] = by_code[code].value_of(sums.numerator, sums.denominator)
    return definitions, values


def category_label(code: str) -> str:
    try:
        return str(SchoolCategory(code).label)
    except ValueError:
        return code


def summary_rows(summary: Summary) -> tuple[list[str], list[list[Any]]]:
    """Header and rows (region subtotals after each region's categories, a grand total last)."""
    columns = summary.columns()
    header = [_("Region code"), _("Region"), _("School category"), _("Schools covered")]
    header += [f"{f.label}{'（是）' if f.type == 'boolean' else ''}{f'（{f.unit}）' if f.unit else ''}" for f in columns]
    header += [f"{d.name}（{d.unit}）" for d in summary.indicators]

    def line(code: str, name: str, category: str, cell: Cell, key: tuple[str, str]) -> list[Any]:
        indicators = summary.indicator_values.get(key, {})
        return ([code, name, category, cell.schools] + [cell.value(f) for f in columns]
                + [indicators.get(d.code) for d in summary.indicators])

    rows: list[list[Any]] = []
    for code, name in summary.regions:
        for category in summary.categories:
            cell = summary.cells.get((code, category))
            if cell is not None:
                rows.append(line(code, name, category_label(category), cell, (code, category)))
        rows.append(line(code, name, _("Subtotal"), summary.region_totals[code], (code, "")))
    rows.append(line("", _("Grand total"), "", summary.total, ("", "")))
    return header, rows


def summary_xlsx(summary: Summary) -> bytes:
    header, rows = summary_rows(summary)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet(pgettext("summary table", "Summary")[:31])
    title = workbook.add_format({"bold": True, "font_size": 13})
    head = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                "valign": "top"})
    subtotal = workbook.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    plain = workbook.add_format({"border": 1})
    sheet.write_string(0, 0, f"{summary.spec.name}（{summary.period}）{_('summary by region and school category')}",
                       title)
    sheet.write_string(1, 0, _("Approved data only; “Schools covered” is the number of schools behind each row."))
    for col, text in enumerate(header):
        sheet.write_string(3, col, str(text), head)
    for r, row in enumerate(rows, start=4):
        fmt = subtotal if row[2] in {_("Subtotal"), ""} else plain
        for c, value in enumerate(row):
            if value is None:
                sheet.write_blank(r, c, None, fmt)
            elif isinstance(value, str):
                sheet.write_string(r, c, value, fmt)
            else:
                sheet.write_number(r, c, value, fmt)
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, 2, 14)
    sheet.set_column(3, len(header), 12)
    sheet.set_row(3, 60)
    sheet.freeze_panes(4, 3)
    workbook.close()
    return buffer.getvalue()


def query(spec: FormSpec, *, fields: Sequence[str], regions: Sequence[str], periods: Sequence[str],
          user: Actor, status: str = "approved") -> list[dict[str, Any]]:
    """Fields × regions × periods: per combination the sum (or count of 'yes'), the number of schools
    with a value and the number of schools covered."""
    base = submissions_for(user, spec.code, periods, STATUS_SETS[status])
    result: list[dict[str, Any]] = []
    for region_code in regions:
        per_period: dict[str, Cell] = {p: Cell() for p in periods}
        in_region = RegionCode.parse(region_code).lookup(via="school")
        for period, values in base.filter(**in_region).values_list("period", "values"):
            per_period[period].add(values, spec)
        for period in periods:
            cell = per_period[period]
            for code in fields:
                f = spec.field(code)
                result.append({"region": region_code, "period": period, "field": code, "label": f.label,
                               "unit": f.unit, "value": cell.value(f), "schools_with_value": cell.counts.get(code, 0),
                               "schools_covered": cell.schools})
    return result


def run_extract(extract: Any, user: Actor) -> list[dict[str, Any]]:
    """The rows of a saved extract, computed now from the data the user may see."""
    spec = spec_for(current_version(extract.form.code))
    return query(spec, fields=list(extract.field_codes), regions=[str(r) for r in extract.region_codes],
                 periods=[str(p) for p in extract.periods], user=user, status=extract.status)


def extract_xlsx(rows: list[dict[str, Any]]) -> bytes:
    headers = [_("Region code"), _("Period"), _("Field"), _("Value"), _("Unit"), _("Schools with a value"),
               _("Schools covered")]
    body = [[r["region"], r["period"], r["label"], r["value"], r["unit"], r["schools_with_value"],
             r["schools_covered"]] for r in rows]
    return to_xlsx(headers, body, sheet="extract", text_columns=[0, 1])
