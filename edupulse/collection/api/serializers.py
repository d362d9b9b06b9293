from __future__ import annotations

from typing import Any

from rest_framework import serializers

from edupulse.collection.models import Field, Form, SavedExtract, Submission
from edupulse.collection.models.submission import SUBMISSION_WORKFLOW
from edupulse.core.permissions import can


class FieldSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    section = serializers.CharField(source="section.code", read_only=True)

    class Meta:
        model = Field
        fields = ["code", "label", "type", "unit", "required", "min_value", "max_value", "choices", "section"]


class FormSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    version = serializers.SerializerMethodField()
    field_list = serializers.SerializerMethodField()

    class Meta:
        model = Form
        fields = ["id", "code", "name", "description", "period_type", "deadline_days", "categories", "regions",
                  "version", "field_list"]

    def _current(self, form: Form) -> Any:
        return form.versions.filter(is_current=True).first()

    def get_version(self, form: Form) -> int | None:
        version = self._current(form)
        return version.number if version else None

    def get_field_list(self, form: Form) -> list[dict[str, Any]]:
        version = self._current(form)
        if version is None:
            return []
        return FieldSerializer(version.fields.select_related("section").order_by("order"), many=True).data  # type: ignore[return-value]


class SubmissionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    form = serializers.CharField(source="form.code", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)
    school = serializers.CharField(source="school.code", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)
    county = serializers.CharField(source="school.county_id", read_only=True)
    transitions = serializers.SerializerMethodField(
        help_text="The review actions the caller may take now (POST …/transition/ with one of them).")

    class Meta:
        model = Submission
        fields = ["id", "form", "version", "school", "school_name", "county", "period", "status", "values",
                  "explanations", "issues", "error_count", "warning_count", "review_comment", "submitted_at",
                  "updated_at", "transitions"]
        read_only_fields = fields


    def get_transitions(self, submission: Submission) -> list[str]:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not can(user, "change", submission):
            return []
        return SUBMISSION_WORKFLOW.available_verbs(user, submission)


class ValuesSerializer(serializers.Serializer):  # type: ignore[type-arg]
    values = serializers.DictField()
    explanations = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)


class TransitionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    action = serializers.ChoiceField(choices=sorted(SUBMISSION_WORKFLOW.verbs()))
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class QuerySerializer(serializers.Serializer):  # type: ignore[type-arg]
    form = serializers.CharField()
    fields = serializers.CharField(help_text="comma-separated field codes")  # type: ignore[assignment]
    regions = serializers.CharField(help_text="comma-separated region codes (2, 4 or 6 digits)")
    periods = serializers.CharField(help_text="comma-separated periods")
    status = serializers.ChoiceField(choices=["approved", "province_approved", "reported"], default="approved")


class SavedExtractSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    form = serializers.SlugRelatedField(slug_field="code", queryset=Form.objects.all())
    owner = serializers.CharField(source="owner.username", read_only=True, default="")

    class Meta:
        model = SavedExtract
        fields = ["id", "name", "form", "field_codes", "region_codes", "periods", "status", "owner", "created_at"]
