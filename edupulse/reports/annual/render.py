"""The report laid out once for every format: chapters with their sentences, tables and charts.

:func:`layout` turns the gathered :class:`~.data.AnnualReport` into a :class:`Document` — the sentences
(``narrative``), the charts as SVG (``charts``) and the table rows as display strings — so that the HTML, the
PDF (which prints the HTML) and the DOCX show exactly the same content.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from edupulse.reports.annual import charts, narrative
from edupulse.reports.annual.data import AnnualReport, IndicatorRow, Theme
from edupulse.reports.annual.narrative import number, with_unit


@dataclass(frozen=True)
class Table:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Chart:
    caption: str
    svg: str


@dataclass
class Section:
    """A numbered part of a chapter (（一）目标与现状 …)."""

    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


@dataclass
class Chapter:
    anchor: str
    title: str  # 一、总体情况
    paragraphs: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


@dataclass
class Document:
    title: str
    heading: str  # the title without the year, and the year: two lines on the cover
    year_label: str
    region_name: str
    year: str
    issuer: str
    date: str
    chapters: list[Chapter]


def attainment(attained: bool | None) -> str:
    if attained is None:
        return "—"
    return _("reached") if attained else _("not reached")


def _change(row: IndicatorRow) -> str:
    change = row.change
    if change is None:
        return "—"
    if change == 0:
        return "0"
    return ("+" if change > 0 else "") + number(change) + (_("pp") if row.unit == "%" else row.unit)


def _coverage(row: IndicatorRow) -> str:
    if row.current is None:
        return "—"
    c = row.current.coverage
    return f"{c.schools_with_data}/{c.schools_expected}"


REPORT = "annual report"  # the msgctxt of the report's table headers


def targets_table(rows: tuple[IndicatorRow, ...], report: AnnualReport) -> Table:
    # A context of their own: other catalogues translate these words for other pages (目标, 覆盖学校…).
    header = (pgettext(REPORT, "Indicator"), pgettext(REPORT, "Value this year"), pgettext(REPORT, "Target"),
              pgettext(REPORT, "Attained"), pgettext(REPORT, "Coverage"),
              _("%(year)s value") % {"year": report.previous_year}, _("Change on the year"))
    body = tuple((row.name, with_unit(row.value, row.unit), with_unit(row.target, row.unit), attainment(row.attained),
                  _coverage(row), with_unit(row.previous.value if row.previous else None, row.unit), _change(row))
                 for row in rows)
    return Table(_("Targets and actual values, %(year)s") % {"year": report.year}, header, body)


def ranking_table(theme: Theme, report: AnnualReport) -> Table | None:
    """The children on every indicator of the chapter (value and rank), ordered by the first indicator."""
    rankings = [r for r in theme.rankings if r.values]
    if not rankings or not report.children:
        return None
    first = rankings[0]
    order = [v.region for v in first.values]
    order += [code for code, _name in report.children if code not in order]
    names = dict(report.children)
    cells = {(v.region, r.code): v for r in rankings for v in r.values}
    rows_by_code = {row.code: row for row in theme.rows}
    header = (_("Region name"), *(rows_by_code[r.code].name for r in rankings))
    body = []
    for code in order:
        line = [names.get(code, code)]
        for r in rankings:
            value = cells.get((code, r.code))
            if value is None or value.value is None:
                line.append("—")
            else:
                line.append(_("%(value)s (No. %(rank)s)") % {"value": with_unit(value.value, rows_by_code[r.code].unit),
                                                              "rank": value.rank or "—"})
        body.append(tuple(line))
    return Table(_("Ranking of the %(children)s") % {"children": report.child_level_name}, header, tuple(body))


def _children_chart(theme: Theme, row: IndicatorRow, report: AnnualReport) -> Chart | None:
    ranking = next((r for r in theme.rankings if r.code == row.code), None)
    if ranking is None or not ranking.values:
        return None
    bars = [charts.Bar(v.name, v.value, v.attained) for v in ranking.values]
    caption = _("%(indicator)s by %(children)s, %(year)s") % {
        "indicator": row.name, "children": report.child_level_name, "year": report.year}
    return Chart(caption, charts.bar_chart(bars, title=caption, unit=row.unit, target=row.target))


def _year_on_year_chart(theme: Theme, report: AnnualReport) -> Chart | None:
    rows = [r for r in theme.rows if r.unit == "%" and (r.value is not None or r.previous is not None)]
    if not rows:
        return None
    pairs = [charts.Pair(r.name, r.previous.value if r.previous else None, r.value, r.target) for r in rows]
    caption = _("%(theme)s: %(previous)s and %(year)s") % {"theme": theme.title, "previous": report.previous_year,
                                                          "year": report.year}
    svg = charts.year_on_year_chart(pairs, title=caption, previous_label=_("%(year)s") % {"year": report.previous_year},
                                    current_label=_("%(year)s") % {"year": report.year})
    return Chart(caption, svg)


def _numbered(index: int) -> str:
    return f"（{narrative_numeral(index)}）"


def narrative_numeral(index: int) -> str:
    numerals = "一二三四五六七八九十"
    return numerals[index - 1] if 1 <= index <= len(numerals) else str(index)


def _overview(report: AnnualReport) -> Chapter:
    chapter = Chapter("overview", _("%(number)s. %(title)s") % {"number": "一", "title": _("Overall situation")})
    scope = Section(_numbered(1) + _("Coverage and reporting"))
    scope.paragraphs.append(narrative.reporting_sentence(report.reporting, report.year))
    if report.children:
        scope.paragraphs.append(_("The report covers %(region)s and its %(n)s %(children)s.") % {
            "region": report.region_name, "n": len(report.children), "children": report.child_level_name})
    chapter.sections.append(scope)
    headline = Section(_numbered(2) + _("Headline indicators against targets"))
    headline.paragraphs += narrative.attainment_sentences(report)
    headline.tables.append(targets_table(tuple(r for r in report.rows if r.target is not None), report))
    chapter.sections.append(headline)
    return chapter


def _reporting_table(report: AnnualReport) -> Table:
    r = report.reporting
    rows = [(name, str(expected), str(reported), with_unit(round(100 * reported / expected, 1) if expected else None, "%"),
             str(on_time), with_unit(round(100 * on_time / expected, 1) if expected else None, "%"))
            for _code, name, expected, reported, on_time in r.children]
    rows.append((_("Total"), str(r.expected), str(r.reported), with_unit(r.reporting_rate, "%"), str(r.on_time),
                 with_unit(r.on_time_rate, "%")))
    return Table(_("Reporting of the annual survey, %(year)s") % {"year": report.year},
                 (_("Region name"), _("Schools expected"), _("Schools reported"), _("Reporting rate"), _("Schools on time"),
                  _("On-time rate")), tuple(rows))


def _security_tables(report: AnnualReport) -> list[Table]:
    s = report.security
    monitoring = Table(_("Website monitoring (as of the report date)"), (_("Item"), _("Count")), (
        (_("Official websites registered"), str(s.websites)), (_("Websites probed"), str(s.probed)),
        *((_("Open findings: %(severity)s") % {"severity": label}, str(n)) for label, n in s.severities),
        (_("Open findings in total"), str(s.open_findings))))
    notices = Table(_("Notices and rectification (as of the report date)"), (_("Item"), _("Count")), (
        (_("Notices issued"), str(s.notices_issued)),
        (_("of which issued in %(year)s") % {"year": report.year}, str(s.notices_in_year)),
        *((_("Rectification items: %(status)s") % {"status": label}, str(n)) for label, n in s.items),
        (_("Overdue items"), str(s.overdue))))
    return [monitoring, notices]


def _theme_chapter(theme: Theme, report: AnnualReport) -> Chapter:
    chapter = Chapter(f"theme-{theme.code}", _("%(number)s. %(title)s") % {"number": theme.number, "title": theme.title})
    status = Section(_numbered(1) + _("Targets and progress"))
    status.paragraphs += narrative.theme_sentences(theme, report)
    if theme.rows:
        status.tables.append(targets_table(theme.rows, report))
    yoy = _year_on_year_chart(theme, report)
    if yoy is not None:
        status.charts.append(yoy)
    chapter.sections.append(status)
    ranking = ranking_table(theme, report)
    if ranking is not None:
        comparison = Section(_numbered(2) + _("Comparison of the %(children)s") % {"children": report.child_level_name})
        by_code = {row.code: row for row in theme.rows}
        for r in theme.rankings:
            sentence = narrative.ranking_sentence(r, by_code[r.code], report)
            if sentence:
                comparison.paragraphs.append(sentence)
        comparison.tables.append(ranking)
        for row in theme.rows:
            chart = _children_chart(theme, row, report)
            if chart is not None:
                comparison.charts.append(chart)
        chapter.sections.append(comparison)
    extra = len(chapter.sections) + 1
    if theme.code == "governance":
        reporting = Section(_numbered(extra) + _("Data reporting"))
        reporting.paragraphs.append(narrative.reporting_sentence(report.reporting, report.year))
        reporting.tables.append(_reporting_table(report))
        chapter.sections.append(reporting)
    if theme.code == "security":
        monitoring = Section(_numbered(extra) + _("Monitoring, notices and rectification"))
        monitoring.paragraphs += narrative.security_sentences(report.security, report.year)
        monitoring.tables += _security_tables(report)
        chapter.sections.append(monitoring)
    return chapter


def appendix_tables(report: AnnualReport) -> list[Table]:
    """Every indicator × the region and its children, with numerator, denominator and coverage."""
    header = (_("Region name"), pgettext(REPORT, "Value this year"), _("Numerator"), _("Denominator"),
              pgettext(REPORT, "Coverage"), pgettext(REPORT, "Attained"))
    tables = []
    for theme in report.themes:
        for row, ranking in zip(theme.rows, theme.rankings, strict=True):
            values = ([row.current] if row.current is not None else []) + sorted(ranking.values, key=lambda v: v.region)
            body = tuple((v.name, with_unit(v.value, row.unit), number(v.numerator), number(v.denominator),
                          f"{v.coverage.schools_with_data}/{v.coverage.schools_expected}", attainment(v.attained))
                         for v in values)
            tables.append(Table(row.name, header, body or ((_("no data"), "—", "—", "—", "—", "—"),)))
    return tables


def layout(report: AnnualReport) -> Document:
    chapters = [_overview(report)] + [_theme_chapter(theme, report) for theme in report.themes]
    appendix = Chapter("appendix", _("Appendix: data tables"))
    appendix.paragraphs.append(_("Coverage is the number of %(units)s with data out of those expected; values are "
                                 "ratios of sums (numerator / denominator) over the units with data.") % {
        "units": _("schools or units")})
    section = Section("")
    section.tables = appendix_tables(report)
    appendix.sections.append(section)
    chapters.append(appendix)
    return Document(title=report.title, heading=report.heading, year_label=report.year_label,
                    region_name=report.region_name, year=report.year, issuer=report.issuer,
                    date=_("%(y)s-%(m)s-%(d)s") % {"y": report.date.year, "m": report.date.month, "d": report.date.day},
                    chapters=chapters)
