from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView

from edupulse.core.permissions import can
from edupulse.core.regions import COUNTY, PROVINCE
from edupulse.core.views import ScopedDetailView, ScopedListView, ScopedMixin, ScopedUpdateView
from edupulse.orgs import actions
from edupulse.orgs.codes import SchoolCategory
from edupulse.orgs.filtersets import SchoolFilterSet
from edupulse.orgs.forms import SchoolForm, SchoolImportForm
from edupulse.orgs.importing import parse_schools
from edupulse.orgs.models import Region, School
from edupulse.orgs.tables import SchoolTable
from edupulse.utilities.tabular import TableError, read_table

_TOTAL_CATEGORIES = [SchoolCategory.KINDERGARTEN, SchoolCategory.PRIMARY, SchoolCategory.JUNIOR,
                     SchoolCategory.SENIOR, SchoolCategory.VOCATIONAL, SchoolCategory.SPECIAL, SchoolCategory.HIGHER]


class RegionTreeView(ScopedMixin, TemplateView):
    """The org tree: a region's children (and, below a province, their counties too) with school counts
    by category. One grouped query per page, whatever the number of regions."""

    model = Region
    template_name = "orgs/region_tree.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        regions = self.get_queryset()
        code = kwargs.get("code") or self._default_code(regions)
        region = regions.filter(code=code).first() if code else None
        if code and region is None:
            raise Http404
        schools: QuerySet[School] = School.objects.visible_to(request.user)
        if region is not None:
            schools = schools.filter(**region.region_code.lookup())
        counts: dict[str, dict[str, int]] = {}
        for row in schools.values("county_id", "category").annotate(n=Count("id")).order_by():
            counts.setdefault(row["county_id"], {})
            counts[row["county_id"]][row["category"]] = row["n"]
        children = list(regions.filter(level="province") if region is None else regions.filter(parent=region))
        grandchildren: dict[str, list[Region]] = {}
        if region is not None and region.level == PROVINCE:
            for county in regions.filter(parent__parent=region).order_by("code"):
                grandchildren.setdefault(county.parent_id or "", []).append(county)
        rows = [self._row(child, counts, grandchildren.get(child.code, [])) for child in children]
        total_row = [sum(r["by_category"][i] for r in rows) for i in range(len(_TOTAL_CATEGORIES))]
        breadcrumbs = list(regions.filter(code__in=region.region_code.lineage())) if region else []
        county_count = sum(len(r["children"]) for r in rows) if grandchildren else 0
        return render(request, self.template_name, {
            "region": region, "rows": rows, "breadcrumbs": breadcrumbs, "county_count": county_count,
            "categories": [c.label for c in _TOTAL_CATEGORIES], "total_row": total_row,
            "total": sum(r["total"] for r in rows), "title": _("Regions"),
        })

    def _row(self, region: Region, counts: dict[str, dict[str, int]], children: list[Region]) -> dict[str, Any]:
        by_category: dict[str, int] = {}
        area = region.region_code
        for county_code, per_category in counts.items():
            if area.contains(county_code):
                for category, n in per_category.items():
                    by_category[category] = by_category.get(category, 0) + n
        return {
            "region": region,
            "total": sum(by_category.values()),
            "by_category": [by_category.get(c, 0) for c in _TOTAL_CATEGORIES],
            "url": self._url(region),
            "children": [self._row(child, counts, []) for child in children],
        }

    @staticmethod
    def _url(region: Region) -> str:
        if region.level == COUNTY:
            return reverse("orgs:school-list") + f"?region={region.code}"
        return reverse("orgs:region-tree-node", args=[region.code])

    def _default_code(self, regions: QuerySet[Region]) -> str:
        scope = self.request.user.scope  # type: ignore[union-attr]
        if scope.level in {"province", "prefecture"}:
            return str(scope.region_code)
        if scope.level in {"county", "school"}:
            county = regions.filter(level="county").first()
            return county.parent_id if county and county.parent_id else ""
        only = list(regions.filter(level="province")[:2])
        return only[0].code if len(only) == 1 else ""


def schools_overview(request: HttpRequest) -> dict[str, Any] | None:
    """Schools of the user's area by category, for the overview page."""
    if not can(request.user, "view", School):
        return None
    counts = dict(School.objects.visible_to(request.user).values_list("category").annotate(n=Count("id")).order_by())
    labels = dict(SchoolCategory.choices)
    rows = [{"code": code, "label": labels.get(code, code), "count": counts[code]} for code in sorted(counts)]
    return {"rows": rows, "total": sum(counts.values())}


class SchoolListView(ScopedListView):
    model = School
    table_class = SchoolTable
    filterset_class = SchoolFilterSet
    export_name = "schools"
    text_export_columns = ("code",)
    title = _("Schools")
    template_name = "orgs/school_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_add"] = can(self.request.user, "add", School)
        return context

    def get_queryset(self) -> QuerySet[School]:
        return super().get_queryset().select_related("county", "prefecture")


class SchoolImportView(ScopedMixin, FormView):  # type: ignore[type-arg]
    """Upload a spreadsheet of schools: every row is checked, then all are created or none."""

    model = School
    required_verb = "add"
    form_class = SchoolImportForm
    template_name = "orgs/school_import.html"

    def form_valid(self, form: SchoolImportForm) -> HttpResponse:
        upload = form.cleaned_data["file"]
        errors: list[dict[str, Any]] = []
        created = 0
        try:
            table = read_table(upload.read(), upload.name)
        except TableError as exc:
            errors.append({"cell": "", "message": str(exc)})
        else:
            parsed = parse_schools(table)
            errors.extend(parsed.errors)
            if not errors:
                result = actions.import_schools(parsed.rows, acting_user=self.acting_user)
                created = result.created
                for problem in result.errors:
                    for messages in problem["errors"].values():
                        errors.append({"cell": _("row %(row)s") % {"row": problem["row"] + 1},
                                       "message": f"{problem['code']}：" + "；".join(messages)})
        return self.render_to_response(self.get_context_data(form=form, errors=errors, created=created, done=True))


class SchoolDetailView(ScopedDetailView):
    model = School
    template_name = "orgs/school_detail.html"

    def get_queryset(self) -> QuerySet[School]:
        return super().get_queryset().select_related("county", "prefecture", "province")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_edit"] = can(self.request.user, "change", self.object)
        return context


class SchoolUpdateView(ScopedUpdateView):
    model = School
    form_class = SchoolForm
    save_action = staticmethod(actions.save_school)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_success_url(self) -> str:
        return reverse("orgs:school-detail", args=[self.object.code])
