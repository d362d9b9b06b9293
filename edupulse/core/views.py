"""Base views. Every page that shows data derives from one of these, so scope and permission apply
without per-view filters; :mod:`edupulse.core.tests.test_scope_everywhere` checks each one."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, ClassVar

import django_filters
import django_tables2 as tables
from django.contrib import messages as flash
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.forms import ModelForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.views.generic import DetailView, TemplateView, UpdateView, View

from edupulse.core import administration, exports, tasks
from edupulse.core.filtersets import AuditLogFilterSet
from edupulse.core.models import AuditLog, ExportJob, ExportStatus
from edupulse.core.permissions import can
from edupulse.core.tables import AuditLogTable
from edupulse.utilities.export import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, to_csv, to_xlsx

EXPORT_FORMATS = ("csv", "xlsx")


class ScopedMixin(LoginRequiredMixin):
    """The queryset of every page is ``Model.objects.visible_to(user)``; the role must grant ``view``."""

    model: Any
    required_verb: ClassVar[str] = "view"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not can(request.user, self.required_verb, self.model):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def get_queryset(self) -> models.QuerySet[Any]:
        return self.model._default_manager.visible_to(self.request.user)  # type: ignore[attr-defined]

    @property
    def acting_user(self) -> Any:
        """The signed-in user, for ``acting_user=`` (LoginRequiredMixin guarantees one)."""
        return self.request.user  # type: ignore[attr-defined]


class ScopedListView(ScopedMixin, TemplateView):
    """A filterable, sortable, paginated table with CSV/XLSX export of all filtered rows."""

    template_name = "core/list.html"
    table_class: ClassVar[type[tables.Table]]
    filterset_class: ClassVar[type[django_filters.FilterSet] | None] = None
    export_name: ClassVar[str] = "export"
    text_export_columns: ClassVar[tuple[str, ...]] = ()
    per_page: ClassVar[int] = 50
    title: ClassVar[Any] = ""
    count_label: ClassVar[Callable[[int], str] | None] = None
    # Columns left off the page (still in the export, whose headers are the import headers): the wide registers.
    page_exclude: ClassVar[tuple[str, ...]] = ()

    def filtered_queryset(self) -> tuple[models.QuerySet[Any], django_filters.FilterSet | None]:
        queryset = self.get_queryset()
        if self.filterset_class is None:
            return queryset, None
        filterset = self.filterset_class(self.request.GET, queryset=queryset, request=self.request)
        return (filterset.qs if filterset.is_valid() else queryset.none()), filterset

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        queryset, filterset = self.filtered_queryset()
        export_format = request.GET.get("export")
        if export_format:
            if export_format not in EXPORT_FORMATS:
                raise Http404
            if filterset is not None and not filterset.is_valid():
                # An export of nothing because a filter was mistyped would look like "no data": say why instead.
                problems = "；".join(f"{filterset.form.fields[name].label or name}：{'，'.join(errors)}"
                                    if name in filterset.form.fields else "，".join(errors)
                                    for name, errors in filterset.form.errors.items())
                return HttpResponseBadRequest(_("The filter is not valid, nothing was exported: %(problems)s")
                                              % {"problems": problems}, content_type="text/plain; charset=utf-8")
            if queryset.count() > exports.inline_limit():
                return self.export_in_background(queryset, export_format)
            return self.export(queryset, export_format)
        table = self.table_class(queryset, request=request, exclude=self.page_exclude)
        tables.RequestConfig(request, paginate={"per_page": self.per_page}).configure(table)
        context = self.get_context_data(table=table, filter=filterset, total=table.paginator.count,
                                        title=self.title or self.model._meta.verbose_name_plural)
        return self.render_to_response(context)

    def export_table(self, queryset: models.QuerySet[Any]) -> tuple[list[str], Iterator[list[Any]], list[int]]:
        """Headers, rows (a generator) and the indexes of text columns of the export of ``queryset``; shared
        by the immediate export and the background one (``core.exports.write_export``)."""
        table = self.table_class(queryset, request=self.request)
        columns = [c for c in table.columns if c.column.exclude_from_export is False and c.name != "actions"]
        headers = [str(c.header) for c in columns]
        # Date and time columns export their value (formatted in local time by utilities.export), not the text
        # django-tables2 gives for export, which is the raw UTC timestamp.
        timed = {c.name for c in columns if isinstance(c.column, (tables.DateTimeColumn, tables.DateColumn))}
        rows = ([c.accessor.resolve(row.record, quiet=True) if c.name in timed else self._plain(row.get_cell_value(c.name))
                 for c in columns] for row in table.rows)
        text_cols = [i for i, c in enumerate(columns) if c.name in self.text_export_columns]
        return headers, rows, text_cols

    def export(self, queryset: models.QuerySet[Any], export_format: str) -> HttpResponse:
        headers, rows, text_cols = self.export_table(queryset)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        filename = f"{self.export_name}-{stamp}.{export_format}"
        if export_format == "csv":
            body, content_type = to_csv(headers, rows), CSV_CONTENT_TYPE
        else:
            body, content_type = to_xlsx(headers, rows, sheet=self.export_name, text_columns=text_cols), XLSX_CONTENT_TYPE
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def export_in_background(self, queryset: models.QuerySet[Any], export_format: str) -> HttpResponse:
        """Too many rows for a request: queue an export job and show its progress page."""
        query = self.request.GET.copy()
        query.pop("export", None)
        query.pop("page", None)
        title = str(self.title or self.model._meta.verbose_name_plural)
        job = exports.request_export(title, self.request.path, query.urlencode(), export_format, queryset.count(),
                                     acting_user=self.request.user)
        # The job must be committed before a worker looks for it.
        transaction.on_commit(lambda: tasks.run_export.enqueue(job.pk))
        return HttpResponseRedirect(reverse("core:export-detail", args=[job.pk]))

    @staticmethod
    def _plain(value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, (int, float, bool, date)):  # dates and times: formatted by utilities.export
            return value
        return strip_tags(str(value))


class ScopedDetailView(ScopedMixin, DetailView):
    slug_field = "code"
    slug_url_kwarg = "code"


class ScopedUpdateView(ScopedMixin, UpdateView):
    """Edit one object through an action. Validation errors from the action land on the form fields."""

    required_verb = "change"
    template_name = "core/form.html"
    slug_field = "code"
    slug_url_kwarg = "code"
    save_action: ClassVar[Callable[..., Any]]

    def get_object(self, queryset: models.QuerySet[Any] | None = None) -> models.Model:
        obj = super().get_object(queryset)
        if not can(self.request.user, self.required_verb, obj):
            raise PermissionDenied
        return obj

    def form_valid(self, form: ModelForm) -> HttpResponse:  # type: ignore[type-arg]
        try:
            self.object = type(self).save_action(form.instance, acting_user=self.request.user)
        except ValidationError as exc:
            # A refusal may name fields (shown next to them) or not (shown above the form).
            if not hasattr(exc, "error_dict"):
                form.add_error(None, exc.messages)
                return self.form_invalid(form)
            for field, messages in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
            return self.form_invalid(form)
        flash.success(self.request, _("Saved."))
        return HttpResponseRedirect(self.get_success_url())


# Panels on the overview page: (template, function(request) -> context or None to hide the panel).
# Domain apps add theirs from AppConfig.ready(); core does not import them.
OVERVIEW_PANELS: list[tuple[str, Callable[[HttpRequest], dict[str, Any] | None]]] = []


def register_overview_panel(template: str, build: Callable[[HttpRequest], dict[str, Any] | None]) -> None:
    if all(existing != template for existing, _ in OVERVIEW_PANELS):
        OVERVIEW_PANELS.append((template, build))


class HomeView(LoginRequiredMixin, TemplateView):
    """The overview: one panel per domain, each limited to the user's area like every other page."""

    template_name = "core/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        panels = []
        for template, build in OVERVIEW_PANELS:
            panel = build(self.request)
            if panel is not None:
                panels.append({"template": template, **panel})
        context["panels"] = panels
        return context


class SettingsView(LoginRequiredMixin, TemplateView):
    """系统管理: the settings the user's role may manage (``core.administration``), each linked to its page."""

    template_name = "core/settings.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        entries = administration.settings_for(self.request.user)
        if not entries:
            raise PermissionDenied  # nothing to manage (a school CIO, say): the link is not shown either
        return super().get_context_data(entries=entries, title=_("Administration"),
                                        admin_index=administration.may_use_admin(self.request.user), **kwargs)


class AuditLogListView(ScopedListView):
    model = AuditLog
    table_class = AuditLogTable
    filterset_class = AuditLogFilterSet
    export_name = "audit"


class ExportJobMixin(ScopedMixin):
    """An export job is its requester's alone: the area's officers do not see each other's files."""

    model = ExportJob

    def job(self, pk: int) -> ExportJob:
        job = self.get_queryset().filter(pk=pk, requester=self.request.user).first()  # type: ignore[attr-defined]
        if job is None or job.expires_at <= timezone.now():
            raise Http404
        return job


class ExportJobDetailView(ExportJobMixin, TemplateView):
    """The progress of a background export, then its download link (the page refreshes itself until then)."""

    template_name = "core/export_job.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        job = self.job(kwargs["pk"])
        context.update({"job": job, "status_text": exports.status_text(job), "title": _("Export"),
                        "pending": job.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)})
        return context


class ExportJobDownloadView(ExportJobMixin, View):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        job = self.job(kwargs["pk"])
        path = exports.exports_dir() / job.stored_as
        if job.status != ExportStatus.READY or not job.stored_as or not path.is_file():
            raise Http404
        exports.record_download(job, request.user)
        content_type = CSV_CONTENT_TYPE if job.fmt == "csv" else XLSX_CONTENT_TYPE
        # FileResponse writes Content-Disposition with RFC 5987 filename*= for a non-ASCII name.
        return FileResponse(path.open("rb"), as_attachment=True, filename=job.file_name, content_type=content_type)
