"""Pages of supervision: the rounds, a round's ranking, a region's scorecard, the exports and the buttons of
the round's workflow (``ROUND_WORKFLOW.available``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View

from edupulse.core.permissions import can
from edupulse.core.views import ScopedDetailView, ScopedListView, ScopedMixin
from edupulse.indicators.reading import definitions
from edupulse.orgs.models import Region
from edupulse.supervision import actions, documents, framework
from edupulse.supervision.filtersets import RoundFilterSet
from edupulse.supervision.forms import RoundForm
from edupulse.supervision.models import ROUND_WORKFLOW, SupervisionResult, SupervisionRound
from edupulse.supervision.ranking import framework_of, grade, grade_label, ranking, scorecard
from edupulse.supervision.tables import RoundTable
from edupulse.utilities.export import XLSX_CONTENT_TYPE

SORTS = ("rank", "total", "-total", "name", "region")


class RoundListView(ScopedListView):
    model = SupervisionRound
    table_class = RoundTable
    filterset_class = RoundFilterSet
    template_name = "supervision/round_list.html"
    export_name = "supervision-rounds"
    title = gettext_lazy("Supervision rounds")

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("region")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(can_create=can(self.request.user, "add", SupervisionRound), **kwargs)


class RoundCreateView(ScopedMixin, FormView):
    model = SupervisionRound
    required_verb = "add"
    form_class = RoundForm
    template_name = "supervision/round_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(title=_("New supervision round"), **kwargs)

    def form_valid(self, form: RoundForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            created = actions.create_round(
                Region.objects.get(code=data["region"]), data["period"], acting_user=self.acting_user,
                framework=data["framework"], title=data["title"], document_number=data["document_number"],
                deadline=data["deadline"])
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
            return self.form_invalid(form)
        messages.success(self.request, _("Round created. Score it to see the ranking."))
        return HttpResponseRedirect(reverse("supervision:round-detail", args=[created.pk]))


class RoundDetailView(ScopedDetailView):
    """The ranking of the regions the user may see: total, rank, grade, subtotals per dimension (sortable)."""

    model = SupervisionRound
    template_name = "supervision/round_detail.html"
    slug_field = "pk"
    slug_url_kwarg = "pk"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        supervision: SupervisionRound = self.object
        order = self.request.GET.get("sort", "rank")
        order = order if order in SORTS else "rank"
        user = self.acting_user
        rows = ranking(supervision, user, order=order)
        buttons = ROUND_WORKFLOW.available(user, supervision) if can(user, "change", supervision) else []
        context.update(framework=framework_of(supervision), rows=rows, sort=order, buttons=buttons,
                       grades=[(name, grade_label(name)) for name in ("excellent", "good", "pass", "fail")])
        return context


class RoundTransitionView(ScopedMixin, View):
    """POST ``action=score|publish``: the round's workflow buttons."""

    model = SupervisionRound
    required_verb = "change"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        supervision = get_object_or_404(self.get_queryset(), pk=pk)
        verb = request.POST.get("action", "")
        performers: dict[str, Callable[..., Any]] = {"score": actions.score_round, "publish": actions.publish_round}
        perform = performers.get(verb)
        if perform is None:
            messages.error(request, _("Unknown action."))
        else:
            try:
                perform(supervision, acting_user=self.acting_user)
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            except PermissionDenied as exc:
                messages.error(request, str(exc) or _("You do not have permission to do this here."))
            else:
                messages.success(request, _("Scored: the ranking below is up to date.") if verb == "score"
                                 else _("Published: the regions see their scorecards; the scores are locked."))
        return HttpResponseRedirect(reverse("supervision:round-detail", args=[pk]))


class RoundExportView(ScopedMixin, View):
    """The ranking and item scores as XLSX, the 督导通报 as DOCX (what the user may see)."""

    model = SupervisionRound

    def get(self, request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
        supervision = get_object_or_404(self.get_queryset(), pk=pk)
        if fmt == "xlsx":
            body, content_type = documents.build_xlsx(supervision, self.acting_user), XLSX_CONTENT_TYPE
            name = documents.filename(supervision, "results", fmt)
        elif fmt == "docx":
            body, content_type = documents.build_docx(supervision, self.acting_user), documents.DOCX_CONTENT_TYPE
            name = documents.filename(supervision, "notice", fmt)
        else:
            raise Http404
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response


class ScorecardView(ScopedDetailView):
    """A region's scorecard in a round: each item's points, score, rule and evidence with links."""

    model = SupervisionResult
    template_name = "supervision/scorecard.html"
    slug_field = "pk"
    slug_url_kwarg = "pk"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("round", "round__region", "region")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        result: SupervisionResult = self.object
        name = grade(result.total, result.points)
        context.update(card=scorecard(result, self.acting_user), grade=name, grade_label=grade_label(name),
                       round_visible=SupervisionRound.objects.visible_to(self.request.user)
                       .filter(pk=result.round_id).exists())
        return context


class FrameworkListView(ScopedMixin, TemplateView):
    """The shipped supervision frameworks (督导评估指标体系), read-only: they are data files changed with a release,
    listed under 系统管理 so officers can see what a round will score."""

    model = SupervisionRound
    template_name = "supervision/framework_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        indicators = definitions()
        frameworks = [framework.load(code, indicators) for code in framework.available()]
        return super().get_context_data(frameworks=frameworks, title=_("Supervision frameworks"), **kwargs)
