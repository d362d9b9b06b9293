"""Monitoring pages: registry lists and details, import, findings, notices (通报/整改) and alerts.

Every page starts from a ``core.views`` base class (scope and role), and every POST calls an action.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, ClassVar
from urllib.parse import quote

import django_tables2 as tables
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from edupulse.core.permissions import can
from edupulse.core.regions import RegionCode
from edupulse.core.views import EXPORT_FORMATS, ScopedDetailView, ScopedListView, ScopedMixin, ScopedUpdateView
from edupulse.monitoring import actions, dashboard, documents, evidence, importing, noticing
from edupulse.monitoring.actions.notices import open_item_of
from edupulse.monitoring.checks import CheckStatus
from edupulse.monitoring.filtersets import (
    AppFilterSet,
    DeliveryFilterSet,
    FindingFilterSet,
    NoticeFilterSet,
    NoticeItemFilterSet,
    SystemFilterSet,
    WebsiteFilterSet,
)
from edupulse.monitoring.forms import AppForm, EvidenceForm, ImportForm, NoticeForm, SystemForm, WebsiteForm
from edupulse.monitoring.models import (
    AlertChannel,
    AlertDelivery,
    EducationApp,
    Finding,
    InformationSystem,
    MaintenanceWindow,
    Notice,
    NoticeItem,
    Website,
)
from edupulse.monitoring.models.notices import ITEM_WORKFLOW, NOTICE_WORKFLOW, ItemStatus, NoticeStatus
from edupulse.monitoring.models.registry import AppStatus
from edupulse.monitoring.models.results import FindingStatus
from edupulse.monitoring.tables import (
    AppTable,
    ChannelTable,
    DeliveryTable,
    FindingTable,
    NoticeItemTable,
    NoticeTable,
    SystemTable,
    WebsiteTable,
    WindowTable,
    item_overdue,
    item_status_label,
)
from edupulse.orgs.models import Region
from edupulse.utilities.export import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, to_csv, to_xlsx

_OWNER = ("school", "owner_region")


def _actor(request: HttpRequest) -> Any:
    """The signed-in user (the base views only let authenticated users through)."""
    return request.user


class _RegistryListView(ScopedListView):
    """A registry list (websites, systems, apps): owners fetched with the rows, an import link of its kind."""

    template_name = "monitoring/list.html"
    import_kind = ""

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related(*_OWNER)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(import_kind=self.import_kind, **kwargs)


class WebsiteListView(_RegistryListView):
    model = Website
    table_class = WebsiteTable
    filterset_class = WebsiteFilterSet
    export_name = "websites"
    text_export_columns = ("school_code", "region_code", "contact_phone", "icp_number")
    title = gettext_lazy("Websites")
    import_kind = "website"


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


SYSTEM_PAGE_EXCLUDE = ("school_code", "region_code", "info_harm_object", "info_harm_degree", "service_harm_object",
                       "service_harm_degree", "filing_date", "last_assessment_date")


class SystemListView(_RegistryListView):
    model = InformationSystem
    table_class = SystemTable
    filterset_class = SystemFilterSet
    export_name = "systems"
    text_export_columns = ("school_code", "region_code", "filing_number")
    title = gettext_lazy("Information systems (classified protection)")
    import_kind = "system"
    # The grading inputs and codes are on the detail page and in the export; the list keeps what is scanned.
    page_exclude = SYSTEM_PAGE_EXCLUDE


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

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_edit"] = can(self.request.user, "change", self.object)
        return context


class _RegistryUpdateView(ScopedUpdateView):
    """Edit one registry entry (system or app) like the website page: scoped, ``can(user, "change")``,
    saved through the model's action; a school CIO sees the fields its school may not change read-only."""

    template_name = "monitoring/asset_form.html"
    slug_field = "pk"
    slug_url_kwarg = "pk"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def save(self, form: Any) -> Any:
        return type(self).save_action(form.instance, acting_user=self.acting_user)

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            self.object = self.save(form)
        except ValidationError as exc:
            for field, errors in _errors_by_field(exc).items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return HttpResponseRedirect(self.get_success_url())


class SystemUpdateView(_RegistryUpdateView):
    model = InformationSystem
    form_class = SystemForm
    save_action = staticmethod(actions.save_system)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(title=_("Edit information system"), cancel_url=self.get_success_url(),
                                        **kwargs)

    def save(self, form: Any) -> Any:
        system = form.instance
        websites = form.chosen_websites()
        if websites is not None:
            linked = set(system.websites.values_list("pk", flat=True))
            visible = set(form.fields["websites"].queryset.values_list("pk", flat=True))
            hidden = linked - visible
            if {site.pk for site in websites} | hidden == linked:
                websites = None  # links unchanged: leave them (and the audit trail) alone
            elif hidden:  # links the user cannot see (made by the authority above) stay as they are
                websites = [*websites, *Website.objects.filter(pk__in=hidden)]
        return actions.save_system(system, acting_user=self.acting_user, websites=websites)

    def get_success_url(self) -> str:
        return reverse("monitoring:system-detail", args=[self.object.pk])


class AppUpdateView(_RegistryUpdateView):
    model = EducationApp
    form_class = AppForm
    save_action = staticmethod(actions.save_app)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(title=_("Edit education app"), cancel_url=self.get_success_url(),
                                        **kwargs)

    def get_success_url(self) -> str:
        return reverse("monitoring:app-list")  # apps have no detail page


class AppEditTable(AppTable):
    """The app list with an edit link (last column) on the rows the user may change; not exported."""

    actions = tables.Column(verbose_name=gettext_lazy("Actions"), empty_values=(), orderable=False,
                            exclude_from_export=True)

    def render_actions(self, record: EducationApp) -> str:
        request = getattr(self, "request", None)
        if request is None or not can(request.user, "change", record):
            return ""
        return format_html('<a href="{}">{}</a>', reverse("monitoring:app-edit", args=[record.pk]), _("Edit"))


class AppListView(_RegistryListView):
    model = EducationApp
    table_class = AppEditTable
    filterset_class = AppFilterSet
    export_name = "apps"
    text_export_columns = ("school_code", "region_code", "filing_number")
    title = gettext_lazy("Education apps")
    import_kind = "app"


class MissingFilingsView(ScopedMixin, TemplateView):
    """Systems at level 2 or above without a filing number, and apps not (or no longer) filed."""

    model = InformationSystem
    template_name = "monitoring/missing_filings.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        systems = self.get_queryset().filter(level__gte=2, filing_number="").select_related(*_OWNER)
        apps = (EducationApp.objects.visible_to(user).exclude(status=AppStatus.FILED)  # type: ignore[attr-defined]
                if can(user, "view", EducationApp) else EducationApp.objects.none())
        system_table = SystemTable(systems, prefix="s-", exclude=SYSTEM_PAGE_EXCLUDE)
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
        context = super().get_context_data(**kwargs)
        context["evidence_rows"] = evidence.evidence_rows(self.object.evidence)
        return context


class NoticeListView(ScopedListView):
    model = Notice
    table_class = NoticeTable
    template_name = "monitoring/list.html"
    filterset_class = NoticeFilterSet
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
        findings = list(Finding.objects.visible_to(self.request.user)  # type: ignore[attr-defined]
                        .filter(pk__in=ids, status=FindingStatus.OPEN).select_related("website"))
        for finding in findings:  # shown beside the finding: notified already, still open
            pending = open_item_of(finding)
            finding.open_notice_number = pending.notice.number if pending else ""  # type: ignore[attr-defined]
        return findings

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
                for field, errors in _errors_by_field(exc).items():
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
        items = list(self.object.items.select_related("website", "finding", "school", "owner_region").order_by("pk"))
        for item in items:
            item.is_overdue = item_overdue(item)  # type: ignore[attr-defined]
            item.status_label = item_status_label(item)  # type: ignore[attr-defined]
            item.reprobe_label = (CheckStatus(item.reprobe_status).label  # type: ignore[attr-defined]
                                  if item.reprobe_status in CheckStatus.values else item.reprobe_status)
        context["items"] = items
        context["closed_count"] = sum(1 for i in items if i.status == ItemStatus.VERIFIED)
        context["overdue_count"] = sum(1 for i in items if item_overdue(i) or i.status == ItemStatus.ESCALATED)
        context["notice_overdue"] = (self.object.status == NoticeStatus.ISSUED
                                     and self.object.deadline < timezone.localdate())
        context["can_change"] = can_change = can(self.request.user, "change", self.object)
        context["can_issue"] = can_change and "issue" in NOTICE_WORKFLOW.available_verbs(self.request.user, self.object)
        return context


def _errors_by_field(exc: ValidationError) -> dict[str | None, list[str]]:
    """A ValidationError's messages by field; a plain message (e.g. "the notice is not open", from a page
    left open while the state changed) goes to the whole form instead of failing with a server error."""
    if hasattr(exc, "error_dict"):
        return {field: list(errors) for field, errors in exc.message_dict.items()}
    return {None: list(exc.messages)}


def reprobe_outcome(item: NoticeItem) -> dict[str, Any]:
    """The last re-probe in words a school can act on."""
    when = timezone.localtime(item.reprobed_at).strftime("%Y-%m-%d %H:%M") if item.reprobed_at else ""
    check = item.finding.get_check_name_display()  # type: ignore[attr-defined]
    status = item.reprobe_status
    if status == CheckStatus.PASS:
        text = _("Re-probe passed at %(when)s: %(check)s no longer shows the problem.") % {"when": when,
                                                                                            "check": check}
    elif status == CheckStatus.ERROR or not status:
        text = _("The re-probe at %(when)s could not reach the site or did not finish; re-probe again later.") % {
            "when": when}
    else:
        text = _("Re-probe failed at %(when)s: %(check)s still shows the problem (%(status)s: %(detail)s). "
                 "Keep rectifying, then submit the report again.") % {
            "when": when, "check": check, "status": CheckStatus(status).label if status in CheckStatus.values else status,
            "detail": item.finding.summary or "—"}
    return {"ok": status == CheckStatus.PASS, "text": text}


def next_step(item: NoticeItem) -> str:
    """What the unit has to do now (shown at the top of the item page)."""
    if item.notice.status == NoticeStatus.DRAFT:
        return ""
    if item.notice.status != NoticeStatus.ISSUED or item.status == ItemStatus.VERIFIED:
        return _("Nothing more to do: the re-probe confirmed the rectification and the item is closed.")
    if item.acknowledged_at is None:
        return _("Step 1 of 3: acknowledge receipt of this notice.")
    pending = item.reprobed_at is None or (item.submitted_at is not None and item.reprobed_at < item.submitted_at)
    if item.status == ItemStatus.SUBMITTED and (pending or item.reprobe_status == CheckStatus.ERROR):
        return _("Step 3 of 3: the platform is re-probing the site; the result appears here. You may also "
                 "re-probe now.")
    if item.status == ItemStatus.SUBMITTED:
        return _("The last re-probe still found the problem: keep rectifying, then submit the report again.")
    return _("Step 2 of 3: rectify the problem, then submit the rectification report and evidence before "
             "%(deadline)s.") % {"deadline": item.notice.deadline.strftime("%Y-%m-%d")}


class ObjectActionView(ScopedMixin, TemplateView):
    """POST-only: run one action on one object found in the caller's scope, then go back."""

    required_verb = "view"
    http_method_names = ["post"]
    #: The action (or, for the re-probe, the orchestration that ends in one) run on the object.
    perform: ClassVar[Callable[..., Any]]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        try:
            self.run(obj)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            self.report_success(obj)
        return HttpResponseRedirect(self.next_url(obj))

    def run(self, obj: Any) -> None:
        type(self).perform(obj, acting_user=self.request.user)

    def report_success(self, obj: Any) -> None:
        messages.success(self.request, _("Done."))

    def next_url(self, obj: Any) -> str:
        return reverse("monitoring:item-detail", args=[obj.pk])


class NoticeIssueView(ObjectActionView):
    model = Notice
    perform = staticmethod(actions.issue_notice)

    def report_success(self, obj: Any) -> None:
        messages.success(self.request, _("Notice issued as %(number)s; the units see it under Rectification.")
                         % {"number": obj.number})

    def next_url(self, obj: Any) -> str:
        return reverse("monitoring:notice-detail", args=[obj.pk])


def _document_response(notice: Notice, fmt: str, items: Any = None) -> HttpResponse:
    name = notice.number or f"notice-{notice.pk}"
    if fmt == "docx":
        body = documents.build_docx(notice, items)
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    elif fmt == "pdf":
        body, content_type = documents.build_pdf(notice, items), "application/pdf"
    else:
        raise Http404
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}.{fmt}"
    return response


class NoticeDocumentView(ScopedMixin, TemplateView):
    model = Notice

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        notice = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        return _document_response(notice, kwargs["fmt"])


class ItemDocumentView(ScopedMixin, TemplateView):
    """The unit's copy of an issued notice: the same document, listing only the items the caller may see
    of that unit (a school never sees another school's findings)."""

    model = NoticeItem

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        item = get_object_or_404(self.get_queryset().select_related("notice"), pk=kwargs["pk"])
        if item.notice.status == NoticeStatus.DRAFT:
            raise Http404
        items = (self.get_queryset().filter(notice=item.notice, school=item.school, owner_region=item.owner_region)
                 .select_related("finding", "website", "school", "owner_region").order_by("pk"))
        return _document_response(item.notice, kwargs["fmt"], items)


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

    def get_object(self, queryset: Any = None) -> NoticeItem:
        item = super().get_object(queryset)
        # A draft is the issuing officer's work in progress: the unit sees its item once the notice is issued.
        if item.notice.status == NoticeStatus.DRAFT and not can(self.request.user, "view", item.notice):
            raise Http404
        return item

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        item = self.object
        context["can_change"] = can_change = can(self.request.user, "change", item)
        context["form"] = kwargs.get("form") or EvidenceForm(initial={"response": item.response})
        context["overdue"] = item_overdue(item)
        context["reprobe"] = reprobe_outcome(item) if item.reprobed_at else None
        context["next_step"] = next_step(item) if can_change else ""
        verbs = ITEM_WORKFLOW.available_verbs(self.request.user, item) \
            if can_change and item.notice.status == NoticeStatus.ISSUED else []
        context["can_acknowledge"] = "acknowledge" in verbs
        context["can_submit"] = "submit" in verbs
        context["can_reprobe"] = "reprobe" in verbs
        context["can_view_notice"] = can(self.request.user, "view", item.notice)
        context["can_view_finding"] = can(self.request.user, "view", item.finding)
        context["status_label"] = item_status_label(item)
        context["evidence_name"] = item.evidence.name.rsplit("/", 1)[-1] if item.evidence else ""
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        form = EvidenceForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                actions.submit_evidence(self.object, acting_user=_actor(request), response=form.cleaned_data["response"],
                                        evidence=form.cleaned_data["evidence"])
            except ValidationError as exc:
                for field, errors in _errors_by_field(exc).items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Rectification evidence submitted; the site will be re-probed."))
                return HttpResponseRedirect(reverse("monitoring:item-detail", args=[self.object.pk]))
        return render(request, self.template_name, self.get_context_data(object=self.object, form=form))


class ItemAcknowledgeView(ObjectActionView):
    model = NoticeItem
    perform = staticmethod(actions.acknowledge_item)

    def report_success(self, obj: Any) -> None:
        messages.success(self.request, _("Receipt acknowledged. Rectify the problem, then submit the rectification "
                                         "report and evidence below."))


class ItemReprobeView(ObjectActionView):
    model = NoticeItem
    perform = staticmethod(noticing.reprobe_item)

    def report_success(self, obj: Any) -> None:
        if obj.status == ItemStatus.VERIFIED:
            messages.success(self.request, _("Re-probe passed: the item is verified and closed."))
        else:
            messages.warning(self.request, reprobe_outcome(obj)["text"])


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


class ChannelListView(ScopedListView):
    """The alert channels of the user's area, read-only (系统管理; the province administrator edits them)."""

    model = AlertChannel
    table_class = ChannelTable
    template_name = "monitoring/list.html"
    export_name = "alert-channels"
    title = gettext_lazy("Alert channels")

    def get_queryset(self) -> QuerySet[AlertChannel]:
        return super().get_queryset().select_related("region")


class WindowListView(ScopedListView):
    """The maintenance windows of the user's area, read-only (系统管理)."""

    model = MaintenanceWindow
    table_class = WindowTable
    template_name = "monitoring/list.html"
    export_name = "maintenance-windows"
    title = gettext_lazy("Maintenance windows")

    def get_queryset(self) -> QuerySet[MaintenanceWindow]:
        return super().get_queryset().select_related("region", "website")


class DashboardView(ScopedMixin, TemplateView):
    """Situational awareness for one region (``?region=CODE``, default: the user's area)."""

    model = Website
    template_name = "monitoring/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:

        user = self.request.user
        scope = user.scope  # type: ignore[union-attr]
        code = (self.request.GET.get("region") or "").strip()
        region = None
        if code:
            if RegionCode.parse_or_none(code) is None:
                raise Http404
            region = get_object_or_404(Region.objects.visible_to(user), code=code)  # type: ignore[attr-defined]
        elif scope.level in {"province", "prefecture", "county"}:
            code = scope.region_code
            region = Region.objects.filter(code=code).first()
        counts = dashboard.counts(user, code)  # one grouped query serves the totals and the breakdown
        summary = dashboard.summary(user, code, known=counts)
        trend = dashboard.trend(user, code, current=summary)  # today's point is the tiles' figures
        children, sort = dashboard.sort_breakdown(dashboard.breakdown(user, code, known=counts),
                                                  self.request.GET.get("sort", ""))
        return super().get_context_data(
            title=_("Cybersecurity situation"), region=region, summary=summary, children=children, sort=sort,
            sort_columns=[("name", _("Region")), ("sites", _("Sites")), ("ipv6", _("IPv6 support rate")),
                          ("https", _("HTTPS rate")), ("available", _("Availability"))],
            breadcrumb=_breadcrumb(user, region), https_target=dashboard.HTTPS_TARGET,
            trend_json=json.dumps(trend), has_trend=bool(trend["days"]), **kwargs)

    def render_to_response(self, context: dict[str, Any], **response_kwargs: Any) -> HttpResponse:
        fmt = self.request.GET.get("format", "")
        if fmt not in EXPORT_FORMATS:
            return super().render_to_response(context, **response_kwargs)
        header, rows = dashboard.breakdown_table(context["children"])
        region = context["region"]
        name = f"{region.full_name() if region else _('All regions')}-{_('website security by region')}"
        name += f"-{timezone.localdate():%Y%m%d}.{fmt}"
        if fmt == "csv":
            response = HttpResponse(to_csv(header, rows), content_type=CSV_CONTENT_TYPE)
        else:
            response = HttpResponse(to_xlsx(header, rows, sheet=_("By region")[:31], text_columns=[0]),
                                    content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response


def _breadcrumb(user: Any, region: Region | None) -> list[Region]:
    """The regions from the user's own area down to ``region`` (each a link back up), the ones the user sees."""
    if region is None:
        return []
    codes = RegionCode.parse(region.code).lineage()
    visible = {r.code: r for r in Region.objects.visible_to(user).filter(code__in=codes)}  # type: ignore[attr-defined]
    return [visible[c] for c in codes if c in visible]
