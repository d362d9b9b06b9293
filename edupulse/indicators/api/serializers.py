"""Serializers of the indicator API: the definitions in force and the stored values with their coverage."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from edupulse.indicators.definitions import Definition
from edupulse.indicators.models import IndicatorValue


class DefinitionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """One definition in force (built in, or its latest version saved in the admin)."""

    def to_representation(self, instance: Definition) -> dict[str, Any]:
        data = instance.as_yaml()
        data["version"] = instance.version
        return data


class IndicatorValueSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    region = serializers.CharField(source="region_id", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    coverage = serializers.SerializerMethodField()

    class Meta:
        model = IndicatorValue
        fields = ["id", "period", "basis", "indicator", "region", "region_name", "level", "numerator", "denominator",
                  "value", "coverage", "target", "attained", "rank", "peers", "definition_version", "computed_at"]
        read_only_fields = fields

    def get_coverage(self, obj: IndicatorValue) -> dict[str, int]:
        return {"schools_with_data": obj.schools_with_data, "schools_expected": obj.schools_expected}
