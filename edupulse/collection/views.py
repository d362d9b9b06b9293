"""Pages of the collection app. All derive from core.views base classes (scope and role apply)."""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from edupulse.collection import actions, importing, products, reminding, reviewing, workbook
from edupulse.collection.completeness import LEVEL_FIELD, completeness, deadline, missing_schools, not_reported
from edupulse.collection.filtersets import SubmissionFilterSet
from edupulse.collection.forms import CommentForm, EntryForm, UploadForm
from edupulse.collection.management.commands.collect import default_period
from edupulse.collection.models import FormVersion, InboxMessage, NotReportedKind, Reminder, SavedExtract, Submission
from edupulse.collection.models.submission import SUBMISSION_WORKFLOW, SubmissionStatus
from edupulse.collection.outliers import peer_outliers
from edupulse.collection.registry import current_version, spec_for
from edupulse.collection.tables import MissingSchoolTable, SavedExtractTable, SubmissionTable
from edupulse.collection.validation import display
from edupulse.core.models import AuditLog
from edupulse.core.permissions import can
from edupulse.core.regions import COUNTY, PROVINCE, RegionCode, level_below
from edupulse.core.scoping import scope_of
from edupulse.core.views import EXPORT_FORMATS, ScopedDetailView, ScopedListView, ScopedMixin, ScopedUpdateView
from edupulse.orgs.models import Region, School
from edupulse.utilities.export import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, to_csv, to_xlsx

if TYPE_CHECKING:
    from edupulse.accounts.models import User

def _who(request: HttpRequest) -> User:
    """The signed-in user: every page here requires sign-in (LoginRequiredMixin in ScopedMixin)."""
    return cast("User", request.user)


ERRORS_DIR = "collection-errors"
OUTLIERS_PER_PAGE = 50
MAX_WEB_TEMPLATES = 3000


def _spec_or_404(form_code: str) -> tuple[FormVersion, Any]:
    try:
        version = current_version(form_code)
    except ValidationError:
        raise Http404 from None
    return version, spec_for(version)


def _default_period() -> str:
    return default_period("year")


def _newest_period(user: Any) -> str:
    """The newest period with data in the user's area, else last year's. Every collection page opens on it, like
    the dashboard (the newest period computed), so the demo's 2022 and a clock in 2026 do not disagree."""
    latest = Submission.objects.visible_to(user).order_by("-period").values_list("period", flat=True).first()
    return latest or _default_period()


class OverviewView(ScopedMixin, TemplateView):
    """The collection home: forms with links to entry, templates, upload, completeness and summaries."""

    model = Submission
    template_name = "collection/overview.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        # Open on the newest period that has data in the user's area, so that an officer does not land on an empty page.
        period = self.request.GET.get("period") or _newest_period(user)
        forms = []
        for version in FormVersion.objects.filter(is_current=True).select_related("form"):
            spec = spec_for(version)
            if not spec.valid_period(period):
                continue
            counts = dict.fromkeys(SubmissionStatus.values, 0)
            for status in (Submission.objects.visible_to(user).filter(form=version.form, period=period)
                           .values_list("status", flat=True)):
                counts[status] += 1
            forms.append({"spec": spec, "counts": [(SubmissionStatus(s).label, n) for s, n in counts.items()],
                          "deadline": deadline(spec, period)})
        scope = scope_of(user)
        context.update({"forms": forms, "period": period, "title": _("Statistics collection"),
                        "is_school": scope.level == "school", "can_enter": can(user, "change", Submission),
                        # A province's zip is too big for a web request (MAX_WEB_TEMPLATES): its officers
                        # download per prefecture or county from the completeness page.
                        "officer_region": scope.region_code if scope.level in LEVEL_FIELD and scope.level != PROVINCE
                        else ""})
        return context


class SubmissionListView(ScopedListView):
    model = Submission
    table_class = SubmissionTable
    filterset_class = SubmissionFilterSet
    export_name = "submissions"
    text_export_columns = ("school_code",)
    title = gettext_lazy("Submissions")

    template_name = "collection/submission_list.html"

    def get_queryset(self) -> QuerySet[Submission]:
        return super().get_queryset().select_related("school", "school__county", "form")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_review"] = _may_review(self.request)
        if context["can_review"] and "table" in context:
            context["table"].columns.show("ids")
        return context


def _may_review(request: HttpRequest) -> bool:
    """Officers of a region review; a school's CIO changes submissions but reviews none."""
    return scope_of(request.user).level in LEVEL_FIELD and can(request.user, "change", Submission)


class SubmissionDetailView(ScopedDetailView):
    model = Submission
    template_name = "collection/submission_detail.html"
    slug_field = "pk"
    slug_url_kwarg = "pk"

    def get_queryset(self) -> QuerySet[Submission]:
        return super().get_queryset().select_related("school", "school__county", "form", "version")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        submission: Submission = self.object
        spec = spec_for(submission.version)
        issues: dict[str, list[dict[str, Any]]] = {}
        for issue in submission.issues:
            issues.setdefault(issue["field"], []).append(issue)
        changes = reviewing.year_on_year(spec, submission)  # last period beside this one, for the reviewer
        sections = [{"title": s.title, "rows": [
            {"field": spec.field(c), "value": display(spec.field(c), submission.values.get(c)),
             "note": submission.explanations.get(c, ""), "issues": issues.get(c, []), **changes[c]}
            for c in s.fields]}
            for s in spec.sections]
        user = self.request.user
        history = list(AuditLog.objects.filter(object_type="collection.submission", object_id=str(submission.pk)
                                               ).order_by("-sequence")[:50])
        statuses = dict(SubmissionStatus.choices)
        for row in history:  # the status a step left, in words (the row stores the code)
            row.status_label = statuses.get((row.after or {}).get("status", ""), "")  # type: ignore[attr-defined]
        context.update({
            "spec": spec, "sections": sections, "general_issues": issues.get("", []), "history": history,
            "can_edit": submission.editable and can(user, "change", submission),
            "transitions": _allowed_transitions(user, submission), "title": str(submission.school.name),
        })
        return context


def _allowed_transitions(user: Any, submission: Submission) -> list[tuple[str, str]]:
    """The review buttons for ``user``: read from the workflow table, within the user's scope."""
    if not can(user, "change", submission):
        return []
    return [(t.verb, str(t.label)) for t in SUBMISSION_WORKFLOW.available(user, submission)]


class SubmissionEditView(ScopedUpdateView):
    """The online entry form: values are cleaned like Excel cells, then validated with the form's rules."""

    model = Submission
    template_name = "collection/submission_edit.html"
    slug_field = "pk"
    slug_url_kwarg = "pk"

    def get_form_class(self) -> Any:
        return EntryForm

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["spec"] = spec_for(self.object.version)
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["title"] = _("Enter %(form)s %(period)s") % {"form": self.object.form.name,
                                                              "period": self.object.period}
        context["school"] = self.object.school
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        submission: Submission = self.object
        try:
            saved = actions.save_values(submission, form.values(), explanations=form.explanations(),
                                        acting_user=_who(self.request))
            if "submit" in self.request.POST:
                actions.submit(saved, acting_user=_who(self.request))
                messages.success(self.request, _("Submitted for review."))
            else:
                messages.success(self.request, _("Saved as draft."))
        except ValidationError as exc:
            self.object = Submission.objects.get(pk=submission.pk)
            form.instance = self.object
            for message in exc.messages:
                form.add_error(None, message)
            return self.render_to_response(self.get_context_data(form=form))
        return HttpResponseRedirect(reverse("collection:submission-detail", args=[submission.pk]))


class TransitionView(ScopedMixin, View):
    """POST: submit, approve, return (with comment) or reopen (with comment) one submission."""

    model = Submission
    required_verb = "change"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        submission = self.get_queryset().filter(pk=pk).first()
        if submission is None:
            raise Http404
        form = CommentForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Unknown action."))
            return HttpResponseRedirect(reverse("collection:submission-detail", args=[pk]))
        name, comment = form.cleaned_data["action"], form.cleaned_data["comment"]
        try:
            if name == "submit":
                actions.submit(submission, acting_user=_who(request))
            elif name == "approve":
                actions.approve(submission, acting_user=_who(request), comment=comment)
            elif name == "return":
                actions.return_submission(submission, acting_user=_who(request), comment=comment)
            else:
                actions.reopen(submission, acting_user=_who(request), comment=comment)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("You do not have permission to do this here."))
        else:
            messages.success(request, _("Done: %(status)s.") % {"status": Submission.objects.get(pk=pk)
                                                                .get_status_display()})
        return HttpResponseRedirect(reverse("collection:submission-detail", args=[pk]))


class EntryView(ScopedMixin, TemplateView):
    """A school's entry point: its stored submission of the form and period, or an empty form for a new one.

    Opening the page changes nothing (no draft, no audit row from a visit): the submission is created by
    the first save, a POST of the form shown here.
    """

    model = Submission
    required_verb = "add"
    template_name = "collection/submission_edit.html"

    def _school(self, request: HttpRequest) -> School:
        scope = scope_of(request.user)
        schools = School.objects.visible_to(request.user)
        if scope.level == "school":
            school = schools.filter(pk=scope.school_id or 0).first()
        else:
            code = request.GET.get("school", "")
            school = schools.filter(code=code).first() if code else None
        if school is None:
            raise Http404
        return school

    def _existing(self, version: FormVersion, school: School, period: str) -> HttpResponse | None:
        submission = Submission.objects.visible_to(self.request.user).filter(
            form_id=version.form_id, school=school, period=period).first()
        if submission is None:
            return None
        target = "collection:submission-edit" if submission.editable else "collection:submission-detail"
        return HttpResponseRedirect(reverse(target, args=[submission.pk]))

    def _page(self, entry: EntryForm, school: School, version: FormVersion, period: str) -> HttpResponse:
        return self.render_to_response({"form": entry, "school": school, "title": _("Enter %(form)s %(period)s")
                                        % {"form": version.form.name, "period": period}})

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        version, spec = _spec_or_404(kwargs["form"])
        period, school = kwargs["period"], self._school(request)
        existing = self._existing(version, school, period)
        if existing is not None:
            return existing
        try:
            actions.check_school_for_form(spec, school, period)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(reverse("collection:overview"))
        return self._page(EntryForm(spec=spec), school, version, period)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        version, spec = _spec_or_404(kwargs["form"])
        period, school = kwargs["period"], self._school(request)
        existing = self._existing(version, school, period)
        if existing is not None:  # saved meanwhile (another tab): continue on the stored one
            return existing
        entry = EntryForm(request.POST, spec=spec)
        if not entry.is_valid():
            return self._page(entry, school, version, period)
        try:
            submission = actions.create_submission(version, school, period, entry.values(),
                                                   explanations=entry.explanations(), acting_user=_who(request))
        except ValidationError as exc:
            for message in exc.messages:
                entry.add_error(None, message)
            return self._page(entry, school, version, period)
        if "submit" not in request.POST:
            messages.success(request, _("Saved as draft."))
            return HttpResponseRedirect(reverse("collection:submission-detail", args=[submission.pk]))
        try:
            actions.submit(submission, acting_user=_who(request))
        except ValidationError as exc:  # saved, not submitted: the edit page shows what is left to fix
            for message in exc.messages:
                messages.error(request, message)
            return HttpResponseRedirect(reverse("collection:submission-edit", args=[submission.pk]))
        messages.success(request, _("Submitted for review."))
        return HttpResponseRedirect(reverse("collection:submission-detail", args=[submission.pk]))


class TemplateDownloadView(ScopedMixin, View):
    """The Excel template: the school's own, ``?school=CODE``, or a zip for ``?region=CODE``."""

    model = Submission
    required_verb = "view"

    def get(self, request: HttpRequest, form: str, period: str) -> HttpResponse:
        _version, spec = _spec_or_404(form)
        if not spec.valid_period(period):
            raise Http404
        schools = School.objects.visible_to(request.user).filter(is_active=True)
        scope = scope_of(request.user)
        # An officer who names no school gets the templates of their own area, as the page's button offers.
        own_area = scope.region_code if scope.level in LEVEL_FIELD and "school" not in request.GET else ""
        region = request.GET.get("region", "") or own_area
        if region:
            area = RegionCode.parse_or_none(region)
            if area is None:
                raise Http404
            chosen = [s for s in schools.filter(**area.lookup()).order_by("code")
                      if spec.applies_to(s.category, s.county_id)]
            if not chosen:
                raise Http404
            if len(chosen) > MAX_WEB_TEMPLATES:
                # ~17 ms per workbook: a province's zip belongs to the CLI, not to a web request.
                return HttpResponse(_("%(count)d schools are too many for one download; choose a county or a "
                                      "prefecture, or use “edupulse collect template”.") % {"count": len(chosen)},
                                    status=400, content_type="text/plain; charset=utf-8")
            data, _count = workbook.build_template_zip(spec, [(s.code, s.name) for s in chosen], period)
            response = HttpResponse(data, content_type="application/zip")
            response["Content-Disposition"] = f'attachment; filename="{spec.code}_{period}_{region}.zip"'
            return response
        code = request.GET.get("school", "")
        school = schools.filter(pk=scope.school_id or 0).first() if scope.level == "school" else \
            schools.filter(code=code).first()
        if school is None or not spec.applies_to(school.category, school.county_id):
            raise Http404
        data = workbook.build_template(spec, school_code=school.code, school_name=school.name, period=period)
        response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
        name = workbook.template_filename(spec, school.code, school.name, period)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response


def _errors_dir() -> Path:
    return Path(settings.VAR_DIR) / ERRORS_DIR


def _prune(directory: Path, max_age_seconds: int = 86400) -> None:
    """Error workbooks are kept for a day; older ones are removed on the next upload."""
    cutoff = time.time() - max_age_seconds
    for old in directory.glob("*.xlsx"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            continue


class UploadView(ScopedMixin, TemplateView):
    """Upload one or many files (xlsx, csv, zip); shows the same report as the CLI."""

    model = Submission
    required_verb = "change"
    template_name = "collection/upload.html"

    def _form(self, data: Any = None) -> UploadForm:
        choices = [(v.form.code, v.form.name) for v in FormVersion.objects.filter(is_current=True)
                   .select_related("form")]
        initial = {"period": _newest_period(self.request.user), "form": choices[0][0] if choices else ""}
        return UploadForm(data, form_choices=choices, initial=initial)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_to_response({"form": self._form(), "title": _("Upload statistics")})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self._form(request.POST)
        files = request.FILES.getlist("uploads")
        context: dict[str, Any] = {"form": form, "title": _("Upload statistics")}
        if not form.is_valid() or not files:
            if not files:
                form.add_error("uploads", _("Choose at least one file."))
            return self.render_to_response(context)
        limits = importing.current_limits()
        # Read at most one byte over the limit: enough to refuse a huge file without holding it.
        items = [(upload.name or "upload", upload.read(limits.max_file_bytes + 1)) for upload in files]
        tasks, failed = importing.tasks_from_bytes(items, limits)
        try:
            report = importing.run_import(tasks, failed, form_code=form.cleaned_data["form"],
                                         period=form.cleaned_data["period"], acting_user=_who(request), workers=1,
                                         source="upload")
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
            return self.render_to_response(context)
        if report.rejected or any(f["errors"] for f in report.files):
            token = f"{request.user.pk}-{secrets.token_urlsafe(16)}"
            directory = _errors_dir()
            directory.mkdir(parents=True, exist_ok=True)
            _prune(directory)
            (directory / f"{token}.xlsx").write_bytes(workbook.build_error_workbook(report.files, report.grids))
            context["error_token"] = token
        context["report"] = report
        context["error_rows"] = importing.errors_by_cell(report.files)
        return self.render_to_response(context)


class ErrorWorkbookView(ScopedMixin, View):
    """The error workbook of an upload; only the user who uploaded may fetch it."""

    model = Submission
    required_verb = "change"

    def get(self, request: HttpRequest, token: str) -> FileResponse:
        owner, _sep, rest = token.partition("-")
        if owner != str(request.user.pk) or not rest or "/" in token or ".." in token:
            raise Http404
        path = _errors_dir() / f"{token}.xlsx"
        if not path.is_file():
            raise Http404
        return FileResponse(path.open("rb"), as_attachment=True, filename="errors.xlsx",
                            content_type=XLSX_CONTENT_TYPE)


class MissingSchoolsView(ScopedListView):
    """Schools that have not submitted, for reminders; exportable as CSV/XLSX like every list."""

    model = School
    table_class = MissingSchoolTable
    export_name = "missing-schools"
    text_export_columns = ("code",)

    def get_queryset(self) -> QuerySet[School]:
        _version, spec = _spec_or_404(self.kwargs["form"])
        region = self.request.GET.get("region", "")
        if region and RegionCode.parse_or_none(region) is None:
            raise Http404
        return missing_schools(spec, self.kwargs["period"], _who(self.request), region)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["title"] = _("Schools that have not submitted %(period)s") % {"period": self.kwargs["period"]}
        _version, spec = _spec_or_404(self.kwargs["form"])
        context["lead"] = not_reported(spec, self.kwargs["period"], _who(self.request),
                                       self.request.GET.get("region", "")).sentence()
        return context


class CompletenessView(ScopedMixin, TemplateView):
    """Reporting and on-time rates per region one level below ``?region`` (default: the user's area)."""

    model = Submission
    template_name = "collection/completeness.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        _version, spec = _spec_or_404(kwargs["form"])
        period = kwargs["period"]
        scope = scope_of(self.request.user)
        region = self.request.GET.get("region", "") or (scope.region_code if scope.level in LEVEL_FIELD else "")
        area = RegionCode.parse_or_none(region)
        if region and area is None:
            raise Http404
        # One level below the region; a county's table stays at the county.
        level = level_below(area.level if area is not None else None) or COUNTY
        rows, total = completeness(spec, period, _who(self.request), level=level, region=region)
        context.update({"spec": spec, "period": period, "rows": rows, "total": total, "region": region,
                        "not_reported": not_reported(spec, period, _who(self.request), region).sentence(),
                        "level": level, "deadline": deadline(spec, period),
                        "region_obj": Region.objects.filter(code=region).first(),
                        "title": _("Completeness")})
        context.update(reminder_context(self.request, spec, period, region))
        return context


def _summary_level(request: HttpRequest) -> str:
    """One level below the user's area, at least the county: a province's county table is tens of thousands
    of pixels tall, its prefecture table one screen."""
    scope = scope_of(request.user)
    below = level_below(scope.level if scope.level in LEVEL_FIELD else None) if scope.level != "school" else None
    return below or COUNTY


class SummaryView(ScopedMixin, TemplateView):
    """Region × school category summary of approved data; ``?format=xlsx`` downloads it."""

    model = Submission
    template_name = "collection/summary.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _version, spec = _spec_or_404(kwargs["form"])
        level = request.GET.get("level") or _summary_level(request)
        status = request.GET.get("status", "approved")
        if level not in products.LEVEL_FIELD or status not in products.STATUS_SETS:
            raise Http404
        summary = products.summarise(spec, kwargs["period"], level, user=_who(request), status=status)
        if request.GET.get("format") == "xlsx":
            response = HttpResponse(products.summary_xlsx(summary), content_type=XLSX_CONTENT_TYPE)
            response["Content-Disposition"] = f'attachment; filename="{spec.code}-{kwargs["period"]}-{level}.xlsx"'
            return response
        header, rows = products.summary_rows(summary)
        return render(request, self.template_name, {
            "spec": spec, "period": kwargs["period"], "level": level, "status": status, "header": header,
            "rows": rows, "title": _("Summary tables"), "levels": list(products.LEVEL_FIELD),
        })


class OutliersView(ScopedMixin, TemplateView):
    """Peer outliers (modified z-score within category × prefecture) of a period."""

    model = Submission
    template_name = "collection/outliers.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        _version, spec = _spec_or_404(kwargs["form"])
        context.update({"spec": spec, "period": kwargs["period"], "title": _("Outliers among peer schools"),
                        "outliers": Paginator(peer_outliers(spec, kwargs["period"], user=_who(self.request)),
                                              OUTLIERS_PER_PAGE).get_page(self.request.GET.get("page"))})
        return context



class ExtractListView(ScopedListView):
    model = SavedExtract
    table_class = SavedExtractTable
    export_name = "extracts"
    title = gettext_lazy("Saved extracts")

    def get_queryset(self) -> QuerySet[SavedExtract]:
        return super().get_queryset().select_related("form", "owner")


class ExtractDetailView(ScopedDetailView):
    """Runs the saved extract now; ``?format=xlsx`` downloads the result."""

    model = SavedExtract
    template_name = "collection/extract_detail.html"
    slug_field = "pk"
    slug_url_kwarg = "pk"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        rows = products.run_extract(self.object, _who(request))
        if request.GET.get("format") == "xlsx":
            response = HttpResponse(products.extract_xlsx(rows), content_type=XLSX_CONTENT_TYPE)
            response["Content-Disposition"] = f'attachment; filename="extract-{self.object.pk}.xlsx"'
            return response
        return self.render_to_response(self.get_context_data(object=self.object, rows=rows,
                                                             title=self.object.name))


# ── Work an officer does many times at once (issue 14, item 5) ─────────────────────────────────────────────
class SubmissionBulkReviewView(ScopedMixin, View):
    """POST ``ids`` (checked on the review list), ``action`` (approve | return) and one ``comment``: each
    submission goes through its own action; refused ones are listed with the reason (reviewing.bulk_review)."""

    model = Submission
    required_verb = "change"

    def post(self, request: HttpRequest) -> HttpResponse:
        back = _safe_next(request, reverse("collection:submission-list"))
        ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()]
        if not ids:
            messages.error(request, _("Select at least one submission."))
            return HttpResponseRedirect(back)
        try:
            outcome = reviewing.bulk_review(ids, request.POST.get("action", ""), request.POST.get("comment", ""),
                                            acting_user=_who(request))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(back)
        if outcome.done:
            messages.success(request, _("%(count)d submissions done.") % {"count": len(outcome.done)})
        for name, reason in outcome.refused:
            messages.error(request, _("%(school)s was not changed: %(reason)s") % {"school": name, "reason": reason})
        return HttpResponseRedirect(back)


def _safe_next(request: HttpRequest, default: str) -> str:
    """The list to go back to (its filters kept); only a path of this site."""
    target = request.POST.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else default


class NotReportedExportView(ScopedMixin, View):
    """The 上报情况 page as CSV or XLSX: per region the counts, with the three kinds of not reported apart."""

    model = Submission

    def get(self, request: HttpRequest, form: str, period: str, fmt: str) -> HttpResponse:
        _version, spec = _spec_or_404(form)
        if fmt not in EXPORT_FORMATS:
            raise Http404
        region, level = _completeness_area(request)
        rows, total = completeness(spec, period, _who(request), level=level, region=region)
        kinds = _kind_counts(reminding.not_reported(spec, period, _who(request), region), level)
        headers = [_("Region code"), _("Region"), _("Schools expected"), _("Reported"), _("Reporting rate"),
                   _("On time"), _("On-time rate"), _("Not submitted"),
                   *[str(kind.label) for kind in NotReportedKind]]
        table = [[r.region_code, r.region_name, r.expected, r.reported, r.reporting_rate, r.on_time, r.on_time_rate,
                  r.missing, *[kinds.get((r.region_code, kind), 0) for kind in NotReportedKind]] for r in rows]
        table.append(["", _("Total"), total.expected, total.reported, total.reporting_rate, total.on_time,
                      total.on_time_rate, total.missing,
                      *[sum(n for (_code, k), n in kinds.items() if k == kind) for kind in NotReportedKind]])
        name = f"{_('Completeness')}-{spec.name}-{period}-{_area_name(region)}-{timezone.localdate():%Y%m%d}.{fmt}"
        if fmt == "csv":
            response = HttpResponse(to_csv(headers, table), content_type=CSV_CONTENT_TYPE)
        else:
            response = HttpResponse(to_xlsx(headers, table, sheet=str(_("Completeness")), text_columns=[0]),
                                    content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, name) or ""
        return response


def _completeness_area(request: HttpRequest) -> tuple[str, str]:
    """The ``?region`` of the completeness page (default: the user's area) and the level of its rows."""
    scope = scope_of(request.user)
    region = request.GET.get("region", "") or (scope.region_code if scope.level in LEVEL_FIELD else "")
    area = RegionCode.parse_or_none(region)
    if region and area is None:
        raise Http404
    return region, level_below(area.level if area is not None else None) or COUNTY


def _area_name(region: str) -> str:
    return Region.objects.filter(code=region).values_list("name", flat=True).first() or region or _("all regions")


def _kind_counts(found: list[reminding.NotReported], level: str) -> dict[tuple[str, str], int]:
    """(region code at ``level``, kind) → schools."""
    counts: dict[tuple[str, str], int] = {}
    for item in found:
        key = (str(getattr(item.school, LEVEL_FIELD[level])), item.kind)
        counts[key] = counts.get(key, 0) + 1
    return counts


class ReminderSendView(ScopedMixin, View):
    """POST from the completeness page: 催报 the not-reported schools of ``?region`` (default: the user's area)."""

    model = Reminder
    required_verb = "add"

    def post(self, request: HttpRequest, form: str, period: str) -> HttpResponse:
        _version, spec = _spec_or_404(form)
        region, _level = _completeness_area(request)
        page = reverse("collection:completeness", args=[form, period]) + (f"?region={region}" if region else "")
        if not region:
            raise Http404  # a nation-wide reminder has no region whose channels would carry it
        try:
            reminder = reminding.send_reminder(spec, period, region, _area_name(region), acting_user=_who(request))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(page)
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("You do not have permission to do this here."))
            return HttpResponseRedirect(page)
        messages.success(request, _reminder_summary(reminder))
        return HttpResponseRedirect(page)


def _reminder_summary(reminder: Reminder) -> str:
    text = _("Reminded %(count)d schools in their inbox") % {"count": reminder.school_count}
    if reminder.skipped_count:
        text += _("; %(count)d already reminded today were skipped") % {"count": reminder.skipped_count}
    sent = [c["channel"] for c in reminder.channels if c["delivered"]]
    failed = [f"{c['channel']}（{c['error']}）" for c in reminder.channels if not c["delivered"]]
    if sent:
        text += _("; sent through %(channels)s") % {"channels": "、".join(sent)}
    if failed:
        text += _("; failed: %(channels)s") % {"channels": "、".join(failed)}
    if not reminder.channels:
        text += _("; no alert channel is configured for this region")
    return text + "。"


def reminder_context(request: HttpRequest, spec: Any, period: str, region: str) -> dict[str, Any]:
    """What the completeness page shows about 催报: the not-reported counts by kind and recent reminders."""
    user = _who(request)
    found = reminding.not_reported(spec, period, user, region)
    counts = dict.fromkeys(NotReportedKind, 0)
    for item in found:
        counts[NotReportedKind(item.kind)] += 1
    reminders = Reminder.objects.visible_to(user).filter(form__code=spec.code, period=period)
    if region:
        reminders = reminders.filter(area__startswith=region)
    return {"not_reported_counts": [(kind.label, n) for kind, n in counts.items()],
            "not_reported_total": len(found), "can_remind": bool(region) and can(user, "add", Reminder),
            "reminders": reminders.select_related("sent_by")[:10]}


class InboxReadView(ScopedMixin, View):
    """POST: the school's CIO marks the school's unread reminders read (from the landing page)."""

    model = InboxMessage
    required_verb = "change"

    def post(self, request: HttpRequest) -> HttpResponse:
        scope = scope_of(request.user)
        school = School.objects.visible_to(request.user).filter(pk=scope.school_id or 0).first()
        if school is None:
            raise Http404
        actions.mark_inbox_read(school, acting_user=_who(request))
        return HttpResponseRedirect(reverse("home"))
