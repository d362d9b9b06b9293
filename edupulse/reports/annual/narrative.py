"""Sentences of the annual report, templated from the gathered numbers.

No sentence states anything that is not in :mod:`.data`: a value with its numerator, denominator and
coverage, the target and whether it is reached, the change on last year. An indicator without data gets a
sentence that says so and claims no value.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from edupulse.indicators.values import Value
from edupulse.reports.annual.data import AnnualReport, ChildRanking, IndicatorRow, Reporting, Security, Theme

# The whole region in a sentence (全省, 全市 …), by the last character of the region's name.
_SCOPE_WORDS = {
    "省": gettext_noop("province-wide"), "市": gettext_noop("city-wide"), "州": gettext_noop("prefecture-wide"),
    "区": gettext_noop("district-wide"), "县": gettext_noop("county-wide"), "盟": gettext_noop("league-wide"),
    "旗": gettext_noop("banner-wide"),
}
_LIST_SEPARATOR = "、"


def number(x: float | None) -> str:
    """99.1 → "99.1", 100.0 → "100", 70224.0 → "70224"."""
    if x is None:
        return "—"
    return f"{x:.1f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))


def with_unit(x: float | None, unit: str) -> str:
    return "—" if x is None else f"{number(x)}{unit}"


def points(x: float, unit: str) -> str:
    """A difference: percentage points for rates, the unit otherwise."""
    return number(abs(x)) + (_("percentage points") if unit == "%" else unit)


def scope_word(region_name: str) -> str:
    return _(_SCOPE_WORDS.get(region_name[-1:], gettext_noop("region-wide"))) if region_name else ""


def coverage(value: Value, units: str) -> str:
    return _("covering %(covered)s of %(expected)s %(units)s") % {
        "covered": value.coverage.schools_with_data, "expected": value.coverage.schools_expected, "units": units}


def _target_clause(row: IndicatorRow) -> str:
    if row.target is None or row.value is None:
        return ""
    target = with_unit(row.target, row.unit)
    if row.attained:
        return _("reaching the target of %(target)s") % {"target": target}
    return _("short of the target of %(target)s by %(gap)s") % {"target": target,
                                                                 "gap": points(row.target - row.value, row.unit)}


def _change_clause(row: IndicatorRow, previous_year: str) -> str:
    change = row.change
    if change is None:
        return _("no comparable figure for %(year)s") % {"year": previous_year}
    if change > 0:
        return _("up %(change)s on %(year)s") % {"change": points(change, row.unit), "year": previous_year}
    if change < 0:
        return _("down %(change)s on %(year)s") % {"change": points(change, row.unit), "year": previous_year}
    return _("unchanged on %(year)s") % {"year": previous_year}


def _sentence(clauses: list[str]) -> str:
    return _("%(sentence)s.") % {"sentence": _(", ").join(c for c in clauses if c)}


def indicator_sentence(row: IndicatorRow, report: AnnualReport) -> str:
    """E.g. 全省中小学互联网接入率为99.1%（951/960），覆盖2172所学校中的960所，达到98%的目标，比上年提高1.2个百分点。"""
    scope = scope_word(report.region_name)
    current = row.current
    if current is None or current.value is None:
        expected = current.coverage.schools_expected if current is not None else 0
        return _("%(scope)s%(indicator)s has no data for %(year)s (covering 0 of %(expected)s %(units)s).") % {
            "scope": scope, "indicator": row.name, "year": report.year, "expected": expected, "units": row.units_label}
    head = _("%(scope)s%(indicator)s was %(value)s (%(numerator)s/%(denominator)s)") % {
        "scope": scope, "indicator": row.name, "value": with_unit(current.value, row.unit),
        "numerator": number(current.numerator), "denominator": number(current.denominator)}
    return _sentence([head, coverage(current, row.units_label), _target_clause(row),
                      _change_clause(row, report.previous_year)])


def ranking_sentence(ranking: ChildRanking, row: IndicatorRow, report: AnnualReport) -> str:
    """Best and worst child with data, and how many reached the target."""
    valued = [v for v in ranking.values if v.value is not None]
    if not valued:
        return ""
    best, worst = valued[0], valued[-1]
    parts = [_("Among the %(n)s %(children)s with data on %(indicator)s, the highest is %(best)s (%(best_value)s) "
               "and the lowest %(worst)s (%(worst_value)s)") % {
        "n": len(valued), "children": report.child_level_name, "indicator": row.name, "best": best.name,
        "best_value": with_unit(best.value, row.unit), "worst": worst.name,
        "worst_value": with_unit(worst.value, row.unit)}]
    if row.target is not None:
        parts.append(_("%(attained)s of them reached the target") % {
            "attained": sum(1 for v in valued if v.attained)})
    return _sentence(parts)


def reporting_sentence(reporting: Reporting, year: str) -> str:
    if not reporting.expected:
        return _("No school was expected to submit the annual survey for %(year)s.") % {"year": year}
    return _("For %(year)s, %(reported)s of the %(expected)s schools expected submitted the annual survey "
             "(reporting rate %(rate)s), %(on_time)s of them on time (on-time rate %(on_time_rate)s).") % {
        "year": year, "reported": reporting.reported, "expected": reporting.expected,
        "rate": with_unit(reporting.reporting_rate, "%"), "on_time": reporting.on_time,
        "on_time_rate": with_unit(reporting.on_time_rate, "%")}


def attainment_sentences(report: AnnualReport) -> list[str]:
    judged = [r for r in report.rows if r.target is not None and r.value is not None]
    if not judged:
        return []
    reached = [r.name for r in judged if r.attained]
    missed = [r.name for r in judged if not r.attained]
    sentences = [_("Of the %(total)s indicators with a target and a value, %(reached)s reached their target "
                   "and %(missed)s did not.") % {"total": len(judged), "reached": len(reached), "missed": len(missed)}]
    if reached:
        sentences.append(_("Reached: %(names)s.") % {"names": _LIST_SEPARATOR.join(reached)})
    if missed:
        sentences.append(_("Not yet reached: %(names)s.") % {"names": _LIST_SEPARATOR.join(missed)})
    compared = [r for r in report.rows if r.change is not None]
    if compared:
        sentences.append(_("Compared with %(year)s, %(up)s indicators rose, %(down)s fell and %(same)s were "
                           "unchanged.") % {"year": report.previous_year,
                                            "up": sum(1 for r in compared if (r.change or 0) > 0),
                                            "down": sum(1 for r in compared if (r.change or 0) < 0),
                                            "same": sum(1 for r in compared if r.change == 0)})
    return sentences


def security_sentences(security: Security, year: str) -> list[str]:
    severities = _LIST_SEPARATOR.join(_("%(label)s %(n)s") % {"label": label, "n": n} for label, n in security.severities)
    sentences = [_("%(websites)s official websites are registered and %(probed)s of them have been probed; "
                   "%(open)s findings are open (%(severities)s).") % {
        "websites": security.websites, "probed": security.probed, "open": security.open_findings,
        "severities": severities}]
    total_items = sum(n for _label, n in security.items)
    statuses = _LIST_SEPARATOR.join(_("%(label)s %(n)s") % {"label": label, "n": n}
                                    for label, n in security.items if n)
    if security.notices_issued:
        sentences.append(_("Up to the report date, %(notices)s notices were issued (%(in_year)s of them in %(year)s) "
                           "with %(items)s rectification items (%(statuses)s); %(overdue)s items are overdue.") % {
            "year": year, "notices": security.notices_issued, "in_year": security.notices_in_year,
            "items": total_items, "statuses": statuses or "—", "overdue": security.overdue})
    else:
        sentences.append(_("No notice has been issued up to the report date."))
    return sentences


def theme_sentences(theme: Theme, report: AnnualReport) -> list[str]:
    return [indicator_sentence(row, report) for row in theme.rows]
