"""Monitoring pages: registry lists and details, import, findings, notices (通报/整改) and alerts.

Every page starts from a ``core.views`` base class (scope and role), and every POST calls an action.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from edupulse.core.permissions import can
from edupulse.core.views import ScopedDetailView, ScopedListView, ScopedMixin, ScopedUpdateView
from edupulse.monitoring import actions, importing
from edupulse.monitoring.filtersets import (
    AppFilterSet,
    DeliveryFilterSet,
    FindingFilterSet,
    NoticeItemFilterSet,
    SystemFilterSet,
    WebsiteFilterSet,
)
from edupulse.monitoring.forms import EvidenceForm, ImportForm, NoticeForm, WebsiteForm
from edupulse.monitoring.models import (
    AlertDelivery,
    EducationApp,
    Finding,
    InformationSystem,
    Notice,
    NoticeItem,
    Website,
)
from edupulse.monitoring.models.registry import AppStatus
from edupulse.monitoring.models.results import FindingStatus
from edupulse.monitoring.tables import (
    AppTable,
    DeliveryTable,
    FindingTable,
    NoticeItemTable,
    NoticeTable,
    SystemTable,
    WebsiteTable,
)

_OWNER = ("school", "owner_region")


def _actor(request: HttpRequest) -> Any:
    """The signed-in user (the base views only let authenticated users through)."""
    return request.user


class WebsiteListView(ScopedListView):
    model = Website
    table_class = WebsiteTable
    template_name = "monitoring/list.html"
    filterset_class = WebsiteFilterSet
    export_name = "websites"
    text_export_columns = ("school_code", "region_code", "contact_phone", "icp_number")
    title = gettext_lazy("Websites")

    def get_queryset(self) -> QuerySet[Website]:
        return super().get_queryset().select_related(*_OWNER)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(import_kind="website", **kwargs)


class WebsiteDetailView(ScopedDetailView):
    model = Website
    template_name = "monitoring/website_detail.html"
    slug_field = "pk"
    slug_url_kwarg = "pk"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        site = self.object
        context["can_edit"] = can(self.request.user, "change", site)
        context["state"] = getattr(site, "state", None) if hasattr(site, "state") else None
        context["findings"] = site.findings.order_by("-status", "-severity")[:50]
        context["systems"] = InformationSystem.objects.visible_to(self.request.user).filter(websites=site)
        return context


class WebsiteUpdateView(ScopedUpdateView):
    model = Website
    form_class = WebsiteForm
    slug_field = "pk"
    slug_url_kwarg = "pk"
    save_action = staticmethod(actions.save_website)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_success_url(self) -> str:
        return reverse("monitoring:website-detail", args=[self.object.pk])


class SystemListView(ScopedListView):
    model = InformationSystem
    table_class = SystemTable
    template_name = "monitoring/list.html"
    filterset_class = SystemFilterSet
    export_name = "systems"
    text_export_columns = ("school_code", "region_code", "filing_number")
    title = gettext_lazy("Information systems (classified protection)")

    def get_queryset(self) -> QuerySet[InformationSystem]:
        return super().get_queryset().select_related(*_OWNER)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(import_kind="system", **kwargs)


class OverdueAssessmentListView(SystemListView):
    """Systems whose next assessment date has passed."""

    title = gettext_lazy("Overdue classified-protection assessments")
    export_name = "overdue-assessments"

    def get_queryset(self) -> QuerySet[InformationSystem]:
        return super().get_queryset().filter(next_assessment_due__lt=timezone.localdate())


class SystemDetailView(ScopedDetailView):
    model = InformationSystem
    template_name = "monitoring/system_detail.html"
    slug_field = "pk"
    slug_url_kwarg = "pk"


class AppListView(ScopedListView):
    model = EducationApp
    table_class = AppTable
    template_name = "monitoring/list.html"
    filterset_class = AppFilterSet
    export_name = "apps"
    text_export_columns = ("school_code", "region_code", "filing_number")
    title = gettext_lazy("Education apps")

    def get_queryset(self) -> QuerySet[EducationApp]:
        return super().get_queryset().select_related(*_OWNER)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(import_kind="app", **kwargs)


class MissingFilingsView(ScopedMixin, TemplateView):
    """Systems at level 2 or above without a filing number, and apps not (or no longer) filed."""

    model = InformationSystem
    template_name = "monitoring/missing_filings.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        import django_tables2 as tables

        user = self.request.user
        systems = self.get_queryset().filter(level__gte=2, filing_number="").select_related(*_OWNER)
        apps = (EducationApp.objects.visible_to(user).exclude(status=AppStatus.FILED)  # type: ignore[attr-defined]
                if can(user, "view", EducationApp) else EducationApp.objects.none())
        system_table = SystemTable(systems, prefix="s-")
        app_table = AppTable(apps.select_related(*_OWNER), prefix="a-")
        for table in (system_table, app_table):
            tables.RequestConfig(self.request, paginate={"per_page": 50}).configure(table)
        return super().get_context_data(system_table=system_table, app_table=app_table,
                                        title=_("Missing filings"), **kwargs)


IMPORT_MODELS: dict[str, tuple[type, str]] = {
    "website": (Website, "monitoring:website-list"),
    "system": (InformationSystem, "monitoring:system-list"),
    "app": (EducationApp, "monitoring:app-list"),
}


class ImportView(ScopedMixin, TemplateView):
    """Upload an Excel/CSV file; on any error nothing is written and every error is listed."""

    model = Website
    required_verb = "add"
    template_name = "monitoring/import.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if kwargs["kind"] not in IMPORT_MODELS:
            raise Http404
        self.kind = kwargs["kind"]
        self.model = IMPORT_MODELS[self.kind][0]  # type: ignore[misc,assignment]
        return super().dispatch(request, *args, **kwargs)  # type: ignore[return-value]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        spec = importing.SPECS[self.kind]
        kwargs.setdefault("form", ImportForm())
        kwargs.pop("kind", None)  # the URL keyword; the context gets the same value
        return super().get_context_data(kind=self.kind, headers=[str(c.header) for c in spec.columns],
                                        required=[str(c.header) for c in spec.columns if c.required],
                                        title=_("Import %(what)s") % {"what": self.model._meta.verbose_name_plural},
                                        **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        upload = form.cleaned_data["file"]
        try:
            report = importing.parse(self.kind, upload.read(), upload.name or "", user=request.user)
        except importing.ImportFileError as exc:
            form.add_error("file", str(exc))
            return self.render_to_response(self.get_context_data(form=form))
        if not report.ok:
            return self.render_to_response(self.get_context_data(form=form, errors=report.errors))
        try:
            count = actions.import_assets(self.kind, report.rows, acting_user=_actor(request))
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, "; ".join(getattr(exc, "messages", [str(exc)])))
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, _("%(count)d records imported.") % {"count": count})
        return HttpResponseRedirect(reverse(IMPORT_MODELS[self.kind][1]))


class FindingListView(ScopedListView):
    model = Finding
    table_class = FindingTable
    filterset_class = FindingFilterSet
    export_name = "findings"
    title = gettext_lazy("Findings")
    template_name = "monitoring/finding_list.html"

    def get_queryset(self) -> QuerySet[Finding]:
        return super().get_queryset().select_related("website")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(can_notify=can(self.request.user, "add", Notice), **kwargs)


class FindingDetailView(ScopedDetailView):
    model = Finding
    template_name = "monitoring/finding_detail.html"
    slug_field = "pk"
    slug_url_kwarg = "pk"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        import json

        context = super().get_context_data(**kwargs)
        context["evidence_json"] = json.dumps(self.object.evidence, ensure_ascii=False, indent=2)
        return context


class NoticeListView(ScopedListView):
    model = Notice
    table_class = NoticeTable
    template_name = "monitoring/list.html"
    export_name = "notices"
    title = gettext_lazy("Notices")

    def get_queryset(self) -> QuerySet[Notice]:
        return super().get_queryset().select_related("region")


class NoticeCreateView(ScopedMixin, TemplateView):
    """Build a draft notice from the findings selected on the findings page."""

    model = Notice
    required_verb = "add"
    template_name = "monitoring/notice_form.html"

    def selected(self) -> list[Finding]:
        ids = [int(i) for i in self.request.POST.getlist("select") + self.request.GET.getlist("select") if i.isdigit()]
        return list(Finding.objects.visible_to(self.request.user)  # type: ignore[attr-defined]
                    .filter(pk__in=ids, status=FindingStatus.OPEN).select_related("website"))

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=NoticeForm(user=request.user),
                                                             findings=self.selected(), title=_("New notice")))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        findings = self.selected()
        form = NoticeForm(request.POST if "title" in request.POST else None, user=request.user)
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            try:
                notice = actions.create_notice(findings, acting_user=_actor(request), region=data["region"],
                                               title=data["title"], deadline=data["deadline"], body=data["body"],
                                               number_prefix=data["number_prefix"])
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Draft notice created."))
                return HttpResponseRedirect(reverse("monitoring:notice-detail", args=[notice.pk]))
        return self.render_to_response(self.get_context_data(form=form, findings=findings, title=_("New notice")))


class NoticeDetailView(ScopedDetailView):
    model = Notice
    template_name = "monitoring/notice_detail.html"
    slug_field = "pk"
    slug_url_kwarg = "pk"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["items"] = self.object.items.select_related("website", "finding").order_by("pk")
        context["can_change"] = can(self.request.user, "change", self.object)
        return context


class ObjectActionView(ScopedMixin, TemplateView):
    """POST-only: run one action on one object found in the caller's scope, then go back."""

    required_verb = "view"
    http_method_names = ["post"]
    action_name: ClassVar[str]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        try:
            self.run(obj)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Done."))
        return HttpResponseRedirect(self.next_url(obj))

    def run(self, obj: Any) -> None:
        getattr(actions, self.action_name)(obj, acting_user=self.request.user)

    def next_url(self, obj: Any) -> str:
        return reverse("monitoring:item-detail", args=[obj.pk])


class NoticeIssueView(ObjectActionView):
    model = Notice
    action_name = "issue_notice"

    def next_url(self, obj: Any) -> str:
        return reverse("monitoring:notice-detail", args=[obj.pk])


class NoticeDocumentView(ScopedMixin, TemplateView):
    model = Notice

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from edupulse.monitoring import documents

        notice = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        name = notice.number or f"notice-{notice.pk}"
        if kwargs["fmt"] == "docx":
            body = documents.build_docx(notice)
            content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        elif kwargs["fmt"] == "pdf":
            body, content_type = documents.build_pdf(notice), "application/pdf"
        else:
            raise Http404
        from urllib.parse import quote

        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}.{kwargs['fmt']}"
        return response


class NoticeItemListView(ScopedListView):
    """The units' view: notice items addressed to them (and, for officers, to their area)."""

    model = NoticeItem
    table_class = NoticeItemTable
    template_name = "monitoring/list.html"
    filterset_class = NoticeItemFilterSet
    export_name = "rectification"
    title = gettext_lazy("Rectification")

    def get_queryset(self) -> QuerySet[NoticeItem]:
        return super().get_queryset().filter(notice__status__in=["issued", "closed"]).select_related(
            "notice", "website", "finding")


class NoticeItemDetailView(ScopedDetailView):
    model = NoticeItem
    template_name = "monitoring/item_detail.html"
    slug_field = "pk"
    slug_url_kwarg = "pk"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_change"] = can(self.request.user, "change", self.object)
        context["form"] = kwargs.get("form") or EvidenceForm(initial={"response": self.object.response})
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        form = EvidenceForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                actions.submit_evidence(self.object, acting_user=_actor(request), response=form.cleaned_data["response"],
                                        evidence=form.cleaned_data["evidence"])
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Rectification evidence submitted; the site will be re-probed."))
                return HttpResponseRedirect(reverse("monitoring:item-detail", args=[self.object.pk]))
        return render(request, self.template_name, self.get_context_data(object=self.object, form=form))


class ItemAcknowledgeView(ObjectActionView):
    model = NoticeItem
    action_name = "acknowledge_item"


class ItemReprobeView(ObjectActionView):
    model = NoticeItem
    action_name = "reprobe_item"


class ItemEvidenceView(ScopedMixin, TemplateView):
    """Download the evidence file of an item in scope (files are never served from MEDIA_URL)."""

    model = NoticeItem

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:  # type: ignore[override]
        item = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        if not item.evidence:
            raise Http404
        name = item.evidence.name.rsplit("/", 1)[-1]
        return FileResponse(item.evidence.open("rb"), as_attachment=True, filename=name)  # type: ignore[return-value]


class DeliveryListView(ScopedListView):
    model = AlertDelivery
    table_class = DeliveryTable
    template_name = "monitoring/list.html"
    filterset_class = DeliveryFilterSet
    export_name = "alerts"
    title = gettext_lazy("Alerts")

    def get_queryset(self) -> QuerySet[AlertDelivery]:
        return super().get_queryset().select_related("channel")


class DashboardView(ScopedMixin, TemplateView):
    """Situational awareness for one region (``?region=CODE``, default: the user's area)."""

    model = Website
    template_name = "monitoring/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        import json

        from edupulse.monitoring import dashboard
        from edupulse.orgs.models import Region

        user = self.request.user
        scope = user.scope  # type: ignore[union-attr]
        code = (self.request.GET.get("region") or "").strip()
        region = None
        if code:
            if len(code) not in (2, 4, 6) or not code.isdigit():
                raise Http404
            region = get_object_or_404(Region.objects.visible_to(user), code=code)  # type: ignore[attr-defined]
        elif scope.level in {"province", "prefecture", "county"}:
            code = scope.region_code
            region = Region.objects.filter(code=code).first()
        trend = dashboard.trend(user, code)
        counts = dashboard.counts(user, code)  # one grouped query serves the totals and the breakdown
        return super().get_context_data(
            title=_("Cybersecurity situation"), region=region, summary=dashboard.summary(user, code, known=counts),
            children=dashboard.breakdown(user, code, known=counts), trend_json=json.dumps(trend),
            has_trend=bool(trend["days"]), **kwargs)
