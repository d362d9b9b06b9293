"""The 大数据应用服务中心 dashboard: a region's indicators against their targets, its children on a map, in a
ranking and a table, its trend, and at county level its schools. ``?screen=wall`` (or ``/dashboard/wall/``) is
the dark 1920×1080 wall-screen layout; ``data.json`` serves the charts' figures.

Scope: a user sees their own region and what lies below it; any other region — beside or above — answers 404
like a code that does not exist. A school's CIO is sent to their school's page from ``/dashboard/``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from edupulse.core.regions import COUNTY, RegionCode
from edupulse.core.views import EXPORT_FORMATS, ScopedMixin
from edupulse.indicators import reading
from edupulse.indicators.definitions import Definition
from edupulse.indicators.models import IndicatorValue
from edupulse.indicators.values import APPROVED, BASES
from edupulse.orgs.models import Region, School
from edupulse.reports import dashboard, maps
from edupulse.reports.dashboard import Figures, Options
from edupulse.utilities.export import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, to_csv, to_xlsx

WALL = "wall"
WALL_REFRESH_SECONDS = 300


def dashboard_url(code: str | None, options: Options | None = None, **changes: str) -> str:
    url = reverse("reports:dashboard-region", kwargs={"code": code}) if code else reverse("reports:dashboard")
    return f"{url}?{urlencode(options.query(**changes))}" if options else url


def annual_report_url() -> str | None:
    """The annual report's creation URL when that part of the reports app is installed."""
    try:
        return reverse("reports:annual-create")
    except NoReverseMatch:
        return None


class DashboardMixin(ScopedMixin):
    """Resolves the region the user asked for (or their own) within their scope, and the options."""

    model = IndicatorValue
    request: HttpRequest

    def region_for(self, code: str | None) -> Region | None:
        """The region to show; None for the list of provinces (nation scope, several provinces with data)."""
        scope = self.request.user.scope  # type: ignore[union-attr]
        if code is None:
            if scope.level == "nation":
                return self._only_province()
            if scope.region is None:
                raise Http404
            code = scope.region.code
        parsed = RegionCode.parse_or_none(code)
        if parsed is None or scope.level in ("school", "none"):
            raise Http404
        if scope.level != "nation" and not (scope.region and scope.region.contains(parsed)):
            raise Http404  # above or beside the user's region: as if it did not exist
        return get_object_or_404(Region, code=parsed.code)

    def _only_province(self) -> Region | None:
        periods = reading.periods(self.acting_user)
        if not periods:
            return None
        provinces = {v.region for v in reading.child_values(self.acting_user, periods[-1], None)}
        return Region.objects.get(code=provinces.pop()) if len(provinces) == 1 else None

    def read_options(self) -> tuple[Options, list[str], dict[str, Definition]]:
        definitions = reading.definitions()
        basis = self.request.GET.get("basis", "")
        periods = reading.periods(self.acting_user, basis if basis in BASES else APPROVED)
        return dashboard.parse_options(self.request.GET, periods, definitions), periods, definitions


def _breadcrumb(region: Region, options: Options) -> list[dict[str, str]]:
    names = dict(Region.objects.filter(code__in=region.region_code.lineage()).values_list("code", "name"))
    return [{"name": names.get(code.code, code.code), "url": dashboard_url(code.code, options)}
            for code in region.region_code.ancestors_and_self()]


def chart_data(figures: Figures, region: Region, definition: Definition) -> dict[str, Any]:
    """The figures of the map, the ranking and the trend for one indicator (also the data endpoint)."""
    options = figures.options
    children = dashboard.ranked(figures.children(options.period, definition.code), definition)
    matching = maps.match(region.code, [(v.region, v.name) for v in children])
    geo = maps.geo_path(region.code)
    rows = []
    for v in children:
        row = dashboard.value_json(v, definition)
        row["url"] = dashboard_url(v.region, options)
        row["feature"] = matching.names.get(v.region, "")
        rows.append(row)
    return {
        "region": {"code": region.code, "name": region.name, "level": region.level},
        "period": options.period, "basis": options.basis, "filtered": figures.filtered,
        "indicator": dashboard.definition_json(definition),
        "map": {"url": static(geo) if geo else None, "key": region.code,
                "names": {row["feature"]: row["name"] for row in rows if row["feature"]}},
        "children": rows,
        "trend": [dashboard.value_json(v, definition) for v in figures.trend(definition.code)],
    }


class DashboardView(DashboardMixin, TemplateView):
    template_name = "reports/dashboard.html"
    wall = False

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        code = kwargs.get("code")
        if code is None and request.user.scope.level == "school":  # type: ignore[union-attr]
            return self._school_page()
        region = self.region_for(code)
        options, periods, definitions = self.read_options()
        if region is None:
            return self.render_to_response(self._provinces_context(options))
        figures = Figures(self.acting_user, region.code, options, periods)
        definition = definitions[options.indicator] if options.indicator else None
        export = request.GET.get("export")
        if export:
            if export not in EXPORT_FORMATS or definition is None:
                raise Http404
            return self._export(figures, region, definition, export)
        context = self.get_context_data(**self._context(figures, region, definitions, definition))
        return self.render_to_response(context)

    def get_template_names(self) -> list[str]:
        wall = self.wall or self.request.GET.get("screen") == WALL
        return ["reports/wall.html" if wall else "reports/dashboard.html"]

    def _school_page(self) -> HttpResponse:
        school = School.objects.visible_to(self.request.user).first()
        if school is None:
            raise Http404
        return HttpResponseRedirect(reverse("orgs:school-detail", kwargs={"code": school.code}))

    def _context(self, figures: Figures, region: Region, definitions: dict[str, Definition],
                 definition: Definition | None) -> dict[str, Any]:
        options = figures.options
        context: dict[str, Any] = {
            "title": _("Big data centre"), "region": region, "options": options, "periods": figures.periods,
            "definitions": list(definitions.values()), "definition": definition,
            "breadcrumb": _breadcrumb(region, options), "filters": dashboard.filter_choices(),
            "themes": self._tiles(figures, region, definitions),
            "filtered": figures.filtered, "annual_report_url": annual_report_url(),
            "refresh_seconds": WALL_REFRESH_SECONDS, "generated_at": timezone.localtime(),
            "wall_url": f"{dashboard_url(region.code)}?{urlencode({**options.query(), 'screen': WALL})}",
            "normal_url": dashboard_url(region.code, options), "export_query": urlencode(options.query()),
            "data_url": f"{reverse('reports:dashboard-data', kwargs={'code': region.code})}?{urlencode(options.query())}",
        }
        if definition is None or not options.period:
            return context
        data = chart_data(figures, region, definition)
        context["chart_data"] = data
        context["children"] = self._table(figures, definition)
        context["child_level"] = region.region_code.child_level
        if region.level == COUNTY:
            context["schools"] = dashboard.school_rows(self.acting_user, region.code, options, definition)
        return context

    @staticmethod
    def _tiles(figures: Figures, region: Region, definitions: dict[str, Definition]) -> list[dashboard.ThemeGroup]:
        if not figures.options.period:
            return []
        groups = dashboard.tiles(figures, definitions)
        for group in groups:
            for tile in group.tiles:
                tile.url = dashboard_url(region.code, figures.options, indicator=tile.code)
        return groups

    @staticmethod
    def _table(figures: Figures, definition: Definition) -> list[dict[str, Any]]:
        options = figures.options
        return [{"value": v, "display": dashboard.format_value(v.value, definition),
                 "url": dashboard_url(v.region, options)}
                for v in dashboard.ranked(figures.children(options.period, definition.code), definition)]

    def _provinces_context(self, options: Options) -> dict[str, Any]:
        values = reading.child_values(self.acting_user, options.period, None, options.basis,
                                      indicators=[options.indicator]) if options.period else []
        return self.get_context_data(title=_("Big data centre"), provinces=[
            {"name": v.name, "url": dashboard_url(v.region, options), "value": v} for v in values])

    def _export(self, figures: Figures, region: Region, definition: Definition, fmt: str) -> HttpResponse:
        options = figures.options
        if region.level == COUNTY:
            values = dashboard.school_rows(self.acting_user, region.code, options, definition)
        else:
            values = dashboard.ranked(figures.children(options.period, definition.code), definition)
        headers = dashboard.table_headers()
        body_rows = [dashboard.table_row(v, definition) for v in values]
        name = f"{region.name}-{definition.name}-{options.period}"
        if fmt == "csv":
            body, content_type = to_csv(headers, body_rows), CSV_CONTENT_TYPE
        else:
            body, content_type = to_xlsx(headers, body_rows, sheet=definition.name), XLSX_CONTENT_TYPE
        response = HttpResponse(body, content_type=content_type)
        # RFC 6266: the Chinese file name as UTF-8, with an ASCII fallback.
        response["Content-Disposition"] = (f'attachment; filename="dashboard-{region.code}.{fmt}"; '
                                           f"filename*=UTF-8''{quote(name)}.{fmt}")
        return response


class DashboardDataView(DashboardMixin, TemplateView):
    """The charts' figures as JSON, scoped like the page."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        region = self.region_for(kwargs["code"])
        if region is None:
            raise Http404
        options, periods, definitions = self.read_options()
        if not options.period or not options.indicator:
            return JsonResponse({"region": {"code": region.code, "name": region.name}, "children": [], "trend": []})
        figures = Figures(self.acting_user, region.code, options, periods)
        data = chart_data(figures, region, definitions[options.indicator])
        data["tiles"] = [
            {"indicator": t.code, "name": t.definition.name, "display": t.display, "target": t.target_display,
             "state": t.state, "change": t.change,
             **({} if t.value is None else dashboard.value_json(t.value, t.definition))}
            for group in dashboard.tiles(figures, definitions) for t in group.tiles]
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
