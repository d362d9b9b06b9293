"""Pages of the base data: a school's students (or teachers), and one person's record with its sources and
history. Records live in the base-data store, not in Django rows, so the scope is the school's: a page starts
from ``School.objects.visible_to(user)`` (via ``ScopedMixin``) and a person is shown only when their current
record is at a school the reader sees — otherwise 404, exactly like a pseudonym that names nobody.

Personal data of minors (seed 000 item 20): only the roles in ``RECORD_READERS`` read records at all; names
and ID numbers are masked (张*, 510***********12) and the birth date is reduced to its year for roles that
need no more (``FULL_BIRTH_DATE``). Every page view is audited with ``core.audit.record_read`` (which school,
which pseudonym, never the data). The URL names a person by pseudonym, never by ID number; the pseudonym is
the one stored with each row at import (``store.py``), and a store whose pseudonyms another key made answers 503
with the reason (``edupulse basedata rekey``) rather than 404 for everybody.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from edupulse.basedata import actions, catalogue, quality_trend, sharing, store
from edupulse.basedata.forms import ShareRequestForm
from edupulse.basedata.masking import birth_year, mask_identifier, mask_name
from edupulse.basedata.models import (
    REVIEW_WORKFLOW,
    SHARE_WORKFLOW,
    ImportBatch,
    MatchReview,
    QualityLevel,
    QualityScore,
    RecordKind,
    ShareRequest,
    SourceSystem,
)
from edupulse.basedata.records import person_history, record_at, school_roster
from edupulse.basedata.schemas import SCHEMAS, code_table
from edupulse.basedata.tables import MatchReviewTable, ShareRequestTable
from edupulse.core import audit
from edupulse.core.permissions import can
from edupulse.core.roles import Role
from edupulse.core.views import EXPORT_FORMATS, ScopedListView, ScopedMixin
from edupulse.orgs.models import School
from edupulse.utilities.export import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, to_csv, to_xlsx

# Who reads personal records: the bureaus and the school itself. Reviewers and auditors work on aggregates.
RECORD_READERS = frozenset({Role.PROVINCE_ADMIN, Role.PREFECTURE_OFFICER, Role.COUNTY_OFFICER, Role.SCHOOL_CIO})
# Who sees the full birth date: those who correct records with the family (the school, its county bureau).
FULL_BIRTH_DATE = frozenset({Role.COUNTY_OFFICER, Role.SCHOOL_CIO})
PER_PAGE = 50
NUMBER_FIELD = {"student": "student_no", "teacher": "teacher_no"}
CODED = {"gender", "ethnicity", "grade", "status", "id_type", "post", "qualification", "left_behind", "migrant",
         "needy", "training_completed"}


def shown(record: dict[str, Any], kind: str, role: str) -> list[tuple[str, str]]:
    """(label, value) of a record as the reader may see it: identifiers and names masked, codes named."""
    rows = []
    for spec in SCHEMAS[kind].fields:
        value = record.get(spec.name)
        text = "" if value is None else str(value).strip()
        if spec.name in ("id_number", "student_no", "teacher_no"):
            text = mask_identifier(text)
        elif spec.name == "name":
            text = mask_name(text)
        elif spec.name == "birth_date" and role not in FULL_BIRTH_DATE:
            text = birth_year(text)
        elif spec.code_table and text:
            names = {c.code: c.name for c in code_table(spec.code_table)}
            text = f"{names.get(text, text)} ({text})"
        rows.append((spec.label, text or "—"))
    return rows


def _act(request: HttpRequest, action: Callable[..., object], target: object, user: Any) -> None:
    """Run a workflow action on ``target`` for the page: its refusal becomes error messages, success says so."""
    try:
        action(target, acting_user=user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Done."))


class RecordPageMixin(ScopedMixin):
    """The scope of a record page is the school's; the role must be one that reads personal records."""

    model = School
    kind: ClassVar[str] = "student"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and getattr(request.user, "role", "") not in RECORD_READERS:
            raise PermissionDenied
        try:
            return super().dispatch(request, *args, **kwargs)
        except store.StoreRefusedError as refused:
            return store_refused(request, refused)


def store_refused(request: HttpRequest, refused: store.StoreRefusedError) -> HttpResponse:
    """503 with the reason: the store's pseudonyms were made under another key (until ``basedata rekey``), so a
    pseudonym would silently name nobody — or, after a rotation back and forth, somebody else; or an older store
    is too large to upgrade within a page view (``basedata rekey`` upgrades it)."""
    upgrade = isinstance(refused, store.StoreUpgradeNeededError)
    return TemplateResponse(request, "basedata/store_refused.html", {"upgrade": upgrade}, status=503)


class RosterView(RecordPageMixin, TemplateView):
    """A school's students (or teachers) by their current record, with search by 学籍号 (教职工号)."""

    template_name = "basedata/roster.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        school = self.get_queryset().filter(code=kwargs["code"]).first()
        if school is None:
            raise Http404
        number = request.GET.get("number", "").strip()
        page_number = max(1, int(request.GET.get("page", "1"))) if request.GET.get("page", "1").isdigit() else 1
        with store.connect() as connection:
            total, rows = school_roster(connection, self.kind, school.code, number=number, limit=PER_PAGE,
                                        offset=(page_number - 1) * PER_PAGE)
        audit.record_read(f"basedata.{self.kind}.list", [school], acting_user=self.acting_user,
                          purpose=f"{self.kind} list page {page_number}{' (search by number)' if number else ''}")
        people = [{"pseudonym": r["pseudonym"], "number": mask_identifier(r[NUMBER_FIELD[self.kind]]),
                   "name": mask_name(r["name"]), "class_name": r.get("class_name") or "",
                   "grade": r.get("grade") or "", "source": r["source"]} for r in rows]
        pages = Paginator(range(total), PER_PAGE).get_page(page_number)
        return self.render_to_response(self.get_context_data(
            school=school, people=people, total=total, number=number, pages=pages, kind=self.kind,
            title=_("Students of %(school)s") % {"school": school.name} if self.kind == "student"
            else _("Teachers of %(school)s") % {"school": school.name}))


class RecordView(RecordPageMixin, TemplateView):
    """One person: the current record (masked), the batches it came from, and its history."""

    template_name = "basedata/record.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        pseudonym = kwargs["pseudonym"]
        with store.connect() as connection:
            versions = person_history(connection, self.kind, pseudonym)
        current = versions[0] if versions else None
        school = self.get_queryset().filter(code=str(current["school_code"]).strip()).first() if current else None
        if current is None or school is None:  # nobody, or now at a school outside the reader's scope
            raise Http404
        audit.record_read(f"basedata.{self.kind}.view", [school], acting_user=self.acting_user,
                          purpose=f"{self.kind} {pseudonym}")
        role = self.acting_user.role
        batches = ImportBatch.objects.in_bulk({v["batch_id"] for v in versions})
        history = [{"batch": batches.get(v["batch_id"]), "row": v["row"], "fields": shown(v, self.kind, role),
                    "changed": _changed(v, versions[i + 1] if i + 1 < len(versions) else None, self.kind, role)}
                   for i, v in enumerate(versions)]
        return self.render_to_response(self.get_context_data(
            kind=self.kind, pseudonym=pseudonym, school=school, fields=shown(current, self.kind, role),
            sources=sorted({h["batch"] for h in history if h["batch"] is not None}, key=lambda b: b.pk), history=history,
            full_birth_date=role in FULL_BIRTH_DATE))


def _changed(version: dict[str, Any], older: dict[str, Any] | None, kind: str, role: str) -> list[str]:
    """The labels of the fields that differ from the older version (all, for the first one)."""
    if older is None:
        return []
    new, old = dict(shown(version, kind, role)), dict(shown(older, kind, role))
    return [label for label in new if new[label] != old.get(label)]


class ReviewListView(ScopedListView):
    """The review queue of entity resolution: uncertain pairs, pending first."""

    model = MatchReview
    table_class = MatchReviewTable
    export_name = "match-reviews"
    title = gettext_lazy("Matches to review")

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("school")


class ReviewDetailView(ScopedMixin, TemplateView):
    """Both records of a pair side by side (masked, audited) with the officer's buttons."""

    model = MatchReview
    template_name = "basedata/review.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        review = get_object_or_404(self.get_queryset().select_related("school", "left_batch", "right_batch"),
                                   pk=kwargs["pk"])
        role = self.acting_user.role
        with store.connect() as connection:
            left = record_at(connection, review.kind, review.left_batch.key, review.left_row)
            right = record_at(connection, review.kind, review.right_batch.key, review.right_row)
        audit.record_read("basedata.match_review.view", [review], acting_user=self.acting_user,
                          purpose="entity resolution review")
        pairs = [(label, lv, rv) for (label, lv), (_label, rv) in zip(
            shown(left or {}, review.kind, role), shown(right or {}, review.kind, role), strict=True)]
        return self.render_to_response(self.get_context_data(
            review=review, fields=pairs, buttons=REVIEW_WORKFLOW.available(self.acting_user, review)))


class ReviewDecisionView(ScopedMixin, TemplateView):
    """POST: confirm or reject the pair (``verb`` from the route), then back to the pair."""

    model = MatchReview
    http_method_names = ["post"]
    verb: ClassVar[str] = "confirm"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        review = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        decide = actions.confirm_match if self.verb == "confirm" else actions.reject_match
        _act(request, decide, review, self.acting_user)
        return HttpResponseRedirect(reverse("basedata:review-detail", args=[review.pk]))


class CatalogueView(ScopedMixin, TemplateView):
    """The 数据资源目录: every dataset with its owner, cycle, sharing type and classification; ``?format=json``
    downloads the DCAT-like export (lineage naming the batches the user sees)."""

    model = ImportBatch
    template_name = "basedata/catalogue.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("format") == "json":
            response = JsonResponse(catalogue.dcat(list(self.get_queryset())), json_dumps_params={"ensure_ascii": False})
            response["Content-Disposition"] = 'attachment; filename="basedata-catalogue.jsonld"'
            return response
        return self.render_to_response(self.get_context_data(
            datasets=catalogue.datasets(), sharing=catalogue.SHARING, grades=catalogue.GRADES,
            personal=catalogue.PERSONAL))


class DatasetView(ScopedMixin, TemplateView):
    """One dataset: its fields with their classification, and its lineage (batches → dataset → derived
    datasets → indicators)."""

    model = ImportBatch
    template_name = "basedata/dataset.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        dataset = catalogue.get(kwargs["code"])
        if dataset is None:
            raise Http404
        batches = list(self.get_queryset().filter(kind=dataset.record_kind)) if dataset.record_kind else []
        parents = [catalogue.get(p) for p in dataset.derived_from if not p.startswith(catalogue.BATCH_PREFIX)]
        return self.render_to_response(self.get_context_data(
            dataset=dataset, batches=batches, parents=parents, children=catalogue.children(dataset.code),
            indicators=catalogue.indicators_of(dataset), sharing=catalogue.SHARING, grades=catalogue.GRADES,
            personal=catalogue.PERSONAL))


class ShareListView(ScopedListView):
    """Sharing requests of the user's area."""

    model = ShareRequest
    table_class = ShareRequestTable
    export_name = "share-requests"
    title = gettext_lazy("Sharing requests")


class ShareCreateView(ScopedMixin, TemplateView):
    """A new sharing request (officers), through ``submit_share_request``."""

    model = ShareRequest
    required_verb = "add"
    template_name = "core/form.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=ShareRequestForm(), object=_("New sharing request")))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ShareRequestForm(request.POST)
        if form.is_valid():
            try:
                data = dict(form.cleaned_data)
                created = actions.submit_share_request(acting_user=self.acting_user, kind="student",
                                                       fields=data.pop("columns"), **data)
            except ValidationError as exc:
                for name, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
                    field = "columns" if name == "fields" else name
                    form.add_error(field if field in form.fields else None, errors)
            else:
                return HttpResponseRedirect(reverse("basedata:share-detail", args=[created.pk]))
        return self.render_to_response(self.get_context_data(form=form, object=_("New sharing request")))


class ShareDetailView(ScopedMixin, TemplateView):
    model = ShareRequest
    template_name = "basedata/share.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        share = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        labels = {f.name: f.label for f in catalogue.field_sharing(f"basedata.{share.kind}").values()}
        return self.render_to_response(self.get_context_data(
            share=share, field_labels=[labels.get(f, f) for f in share.fields],
            buttons=SHARE_WORKFLOW.available(self.acting_user, share),
            can_download=getattr(self.acting_user, "role", "") in RECORD_READERS - {Role.SCHOOL_CIO}))


class ShareTransitionView(ScopedMixin, TemplateView):
    """POST ``verb`` (approve, approve_minors, reject) on a request."""

    model = ShareRequest
    http_method_names = ["post"]
    moves: ClassVar[dict[str, Any]] = {"approve": actions.approve_share_request,
                                       "approve_minors": actions.approve_minors_data,
                                       "reject": actions.reject_share_request}

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        share = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        if not can(self.acting_user, "change", share):  # before the workflow: its state refusal would say more
            raise PermissionDenied
        move = self.moves.get(request.POST.get("verb", ""))
        if move is None:
            raise Http404
        _act(request, move, share, self.acting_user)
        return HttpResponseRedirect(reverse("basedata:share-detail", args=[share.pk]))


class ShareDownloadView(ScopedMixin, TemplateView):
    """The extract of an approved request (``?format=xlsx`` or CSV): masked, watermarked, audited; an expired
    or undecided request answers 403 with the reason."""

    model = ShareRequest

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        share = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        if getattr(self.acting_user, "role", "") not in RECORD_READERS - {Role.SCHOOL_CIO}:
            raise PermissionDenied
        suffix = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
        with tempfile.TemporaryDirectory() as directory:
            out = Path(directory) / f"share-{share.pk}.{suffix}"
            try:
                sharing.write_extract(share, out, acting_user=self.acting_user)
            except ValidationError as exc:
                return HttpResponse(" ".join(exc.messages), status=403, content_type="text/plain; charset=utf-8")
            except store.StoreRefusedError as refused:
                return store_refused(request, refused)
            body = out.read_bytes()
        response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE if suffix == "xlsx" else "text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="share-{share.pk}.{suffix}"'
        return response


class QualityTrendView(ScopedMixin, TemplateView):
    """数据质量趋势: the quality scores of one group across batches — a line chart of the score and its four
    dimensions, the same figures in a table (``?export=csv|xlsx``), and the groups one level down with their
    latest scores. ``/basedata/quality/`` is the user's own area; a region or school outside the scope answers
    404 like a code that does not exist. ``?kind=`` students or teachers, ``?source=`` one source system."""

    model = QualityScore
    template_name = "basedata/quality.html"
    group_by: ClassVar[str] = ""  # "region", "school", or "" for the user's own area

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        group = self._group(kwargs.get("code", ""))
        kind = request.GET.get("kind") or RecordKind.STUDENT
        source = request.GET.get("source") or None
        if group is None or kind not in RecordKind.values or (source and source not in SourceSystem.values):
            raise Http404
        points = quality_trend.trend(self.acting_user, kind, group, source)
        export = request.GET.get("export")
        if export:
            if export not in EXPORT_FORMATS:
                raise Http404
            return self._export(group, points, export)
        return self.render_to_response(self.get_context_data(
            group=group, kind=kind, source=source or "", points=points, latest=points[-1] if points else None,
            kinds=RecordKind.choices, sources=SourceSystem.choices, headers=quality_trend.table_headers(group),
            chart=quality_trend.chart_data(points),
            children=quality_trend.children(self.acting_user, kind, group, source),
            child_level=quality_trend.child_level_label(group),
            lineage=quality_trend.lineage(self.acting_user, group), is_school=group.level == QualityLevel.SCHOOL,
            title=_("Data quality trend")))

    def _group(self, code: str) -> quality_trend.Group | None:
        if self.group_by == "region":
            return quality_trend.region_group(self.acting_user, code)
        if self.group_by == "school":
            return quality_trend.school_group(self.acting_user, code)
        return quality_trend.default_group(self.acting_user)

    def _export(self, group: quality_trend.Group, points: list[quality_trend.TrendPoint], fmt: str) -> HttpResponse:
        headers, rows = quality_trend.table_headers(group), quality_trend.table_rows(group, points)
        name = f"quality-trend-{group.key or 'all'}-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"
        if fmt == "csv":
            response = HttpResponse(to_csv(headers, rows), content_type=CSV_CONTENT_TYPE)
        else:
            response = HttpResponse(to_xlsx(headers, rows, sheet=group.key or "all"), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
