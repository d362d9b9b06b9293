"""API of the collection app: forms (read), submissions (read, enter values, workflow) and the query."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from edupulse.collection import actions, products
from edupulse.collection.api.serializers import (
    FormSerializer,
    QuerySerializer,
    SavedExtractSerializer,
    SubmissionSerializer,
    TransitionSerializer,
    ValuesSerializer,
)
from edupulse.collection.filtersets import SubmissionFilterSet
from edupulse.collection.forms import SpecField
from edupulse.collection.models import Form, SavedExtract, Submission
from edupulse.collection.registry import current_version, spec_for
from edupulse.core.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet
from edupulse.core.regions import is_region_code

if TYPE_CHECKING:
    from edupulse.accounts.models import User


def _who(request: Request) -> User:
    """The caller; every endpoint requires an authenticated user (ScopedObjectPermission)."""
    return cast("User", request.user)


class FormViewSet(ScopedReadOnlyViewSet):
    """Statistics forms with the fields of their current version (reference data)."""

    model = Form
    queryset = Form.objects.all()
    serializer_class = FormSerializer
    lookup_field = "code"


class SubmissionViewSet(ScopedReadOnlyViewSet):
    """Submissions of the caller's area. Values are entered and moved through review with POST actions."""

    model = Submission
    queryset = Submission.objects.select_related("form", "version", "school")
    serializer_class = SubmissionSerializer
    filterset_class = SubmissionFilterSet

    @extend_schema(request=ValuesSerializer, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"], url_path="values")
    def save_values(self, request: Request, pk: Any = None) -> Response:
        """Replace the values of a draft or returned submission. Values are cleaned like Excel cells
        (“95%”, “是”, full-width digits); bad values answer 400 with one message per field."""
        submission = self.get_object()
        payload = ValuesSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        spec = spec_for(submission.version)
        values: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        for code, raw in payload.validated_data["values"].items():
            if code not in spec.fields_by_code:
                errors[code] = [_("Unknown field.")]
                continue
            try:
                values[code] = SpecField(spec.field(code)).clean(raw if raw is None else str(raw))
            except ValidationError as exc:
                errors[code] = list(exc.messages)
        if errors:
            raise serializers.ValidationError(errors)
        saved = actions.save_values(submission, values, explanations=payload.validated_data.get("explanations"),
                                    acting_user=_who(request), source="api")
        return Response(SubmissionSerializer(saved).data)

    @extend_schema(request=TransitionSerializer, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: Any = None) -> Response:
        """submit | approve | return (comment required) | reopen (comment required)."""
        submission = self.get_object()
        payload = TransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        name, comment = payload.validated_data["action"], payload.validated_data.get("comment", "")
        if name == "submit":
            result = actions.submit(submission, acting_user=_who(request))
        elif name == "approve":
            result = actions.approve(submission, acting_user=_who(request), comment=comment)
        elif name == "return":
            result = actions.return_submission(submission, acting_user=_who(request), comment=comment)
        else:
            result = actions.reopen(submission, acting_user=_who(request), comment=comment)
        return Response(SubmissionSerializer(result).data)

    @extend_schema(parameters=[OpenApiParameter(n, str) for n in ("form", "fields", "regions", "periods", "status")],
                   responses={200: {"type": "object"}})
    @action(detail=False, methods=["get"])
    def query(self, request: Request) -> Response:
        """Fields × regions × periods of approved data in the caller's area: value (sum, count of “yes”
        or average for percentages), schools with a value and schools covered, per combination."""
        params = QuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        spec = spec_for(current_version(data["form"]))
        fields = [f.strip() for f in data["fields"].split(",") if f.strip()]
        regions = [r.strip() for r in data["regions"].split(",") if r.strip()]
        periods = [p.strip() for p in data["periods"].split(",") if p.strip()]
        problems: dict[str, str] = {}
        if unknown := [f for f in fields if f not in spec.fields_by_code]:
            problems["fields"] = "unknown: " + ", ".join(unknown)
        if bad := [r for r in regions if not is_region_code(r)]:
            problems["regions"] = "not region codes: " + ", ".join(bad)
        if bad_periods := [p for p in periods if not spec.valid_period(p)]:
            problems["periods"] = "invalid: " + ", ".join(bad_periods)
        if len(fields) * len(regions) * len(periods) > 5000:
            problems["fields"] = "at most 5000 combinations per query"
        if problems:
            raise serializers.ValidationError(problems)
        rows = products.query(spec, fields=fields, regions=regions, periods=periods, user=_who(request),
                              status=data["status"])
        return Response({"form": spec.code, "status": data["status"], "results": rows})


class SavedExtractViewSet(ScopedModelViewSet):
    """Saved custom extracts of the caller's area; ``GET …/{id}/run/`` computes one now."""

    model = SavedExtract
    queryset = SavedExtract.objects.select_related("form", "owner")
    serializer_class = SavedExtractSerializer
    save_action = staticmethod(actions.save_extract)
    delete_action = staticmethod(actions.delete_extract)

    @extend_schema(responses={200: {"type": "object"}})
    @action(detail=True, methods=["get"])
    def run(self, request: Request, pk: Any = None) -> Response:
        extract = self.get_object()
        return Response({"extract": extract.pk, "results": products.run_extract(extract, _who(request))})
