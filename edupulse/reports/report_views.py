"""Pages of the annual report: request a run, watch its progress, download its files (scoped: a run outside
the user's region is a 404 like a missing one)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from edupulse.core.permissions import can
from edupulse.core.views import ScopedDetailView, ScopedMixin
from edupulse.indicators import reading
from edupulse.orgs.models import Region
from edupulse.reports import actions
from edupulse.reports.annual.generate import FORMATS
from edupulse.reports.models import ReportRun

CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
RECENT_RUNS = 20
REFRESH_SECONDS = 2


class AnnualCreateView(ScopedMixin, TemplateView):
    """GET: the form (regions the user sees, years with data) and the recent runs; POST: request a run."""

    model = ReportRun
    template_name = "reports/annual/create.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.acting_user
        scope = user.scope
        regions = Region.objects.visible_to(user).filter(level__in=("province", "prefecture", "county"))
        if scope.region_code:  # the regions above one's own are visible (names) but not reportable
            regions = regions.filter(code__startswith=scope.region_code)
        return {**super().get_context_data(**kwargs), "title": _("Annual development report"),
                "regions": regions.order_by("code"), "years": list(reversed(reading.periods(user))),
                "formats": FORMATS, "can_request": can(user, "add", ReportRun),
                "runs": self.get_queryset().select_related("region", "requested_by")[:RECENT_RUNS]}

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can(request.user, "add", ReportRun):
            raise PermissionDenied
        region = get_object_or_404(Region.objects.visible_to(request.user), code=request.POST.get("region", ""))
        formats = [f for f in FORMATS if f in request.POST.getlist("formats")] or list(FORMATS)
        try:
            run = actions.request_annual_report(region, request.POST.get("year", ""), formats,
                                                acting_user=self.acting_user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            return HttpResponseRedirect(reverse("reports:annual-create"))
        return HttpResponseRedirect(reverse("reports:annual-detail", args=[run.pk]))


class AnnualDetailView(ScopedDetailView):
    """The run's progress (the page reloads itself until the run is done) and its download links."""

    model = ReportRun
    template_name = "reports/annual/detail.html"
    slug_field = "pk"
    slug_url_kwarg = "pk"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        run: ReportRun = self.object
        return {**super().get_context_data(**kwargs), "title": _("Annual development report"),
                "refresh": None if run.finished else REFRESH_SECONDS,
                "downloads": [(fmt, reverse("reports:annual-download", args=[run.pk, fmt]))
                              for fmt in FORMATS if fmt in run.files]}


class AnnualDownloadView(ScopedMixin, TemplateView):
    model = ReportRun

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FileResponse:  # type: ignore[override]
        run = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        fmt = kwargs["fmt"]
        relative = run.files.get(fmt) if isinstance(run.files, dict) else None
        if not relative:
            raise Http404
        media = Path(settings.MEDIA_ROOT).resolve()
        path = (media / relative).resolve()
        if media not in path.parents or not path.is_file():
            raise Http404
        response = FileResponse(path.open("rb"), content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(path.name)}"
        return response
